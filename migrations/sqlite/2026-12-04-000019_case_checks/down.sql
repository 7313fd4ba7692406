DROP TABLE case_checks;
