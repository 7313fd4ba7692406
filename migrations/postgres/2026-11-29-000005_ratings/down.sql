DROP TABLE satisfaction_alerts;
DROP TABLE improvement_actions;
DROP TABLE page_feedback;
DROP TABLE ratings;
