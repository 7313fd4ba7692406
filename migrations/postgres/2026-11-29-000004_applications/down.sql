DROP TABLE reference_counters;
DROP TABLE attachments;
DROP TABLE application_events;
DROP FUNCTION application_events_are_append_only();
DROP TABLE applications;
