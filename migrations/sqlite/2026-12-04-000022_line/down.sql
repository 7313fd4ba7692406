ALTER TABLE outbox DROP COLUMN line_user_id;
DROP INDEX users_line_user_id;
ALTER TABLE users DROP COLUMN line_user_id;
