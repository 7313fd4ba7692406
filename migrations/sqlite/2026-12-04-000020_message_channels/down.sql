DROP TABLE deliveries;
ALTER TABLE outbox DROP COLUMN failed_at;
ALTER TABLE outbox DROP COLUMN sms_text;
ALTER TABLE outbox DROP COLUMN phone;
ALTER TABLE outbox DROP COLUMN channel_index;
ALTER TABLE outbox DROP COLUMN channels;
ALTER TABLE outbox DROP COLUMN user_id;
ALTER TABLE users DROP COLUMN channels;
ALTER TABLE users DROP COLUMN phone;
