DROP TABLE reference_counters;
DROP TABLE attachments;
DROP TABLE application_events;
DROP TABLE applications;
