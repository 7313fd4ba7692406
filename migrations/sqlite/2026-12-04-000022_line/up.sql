-- LINE: the farmer's LINE user id once they link their account with LINE Login (one provider
-- holds Kaset's Login and Messaging API channels, so it is the id pushes go to), and the id a
-- queued message goes to.
ALTER TABLE users ADD COLUMN line_user_id TEXT;
CREATE UNIQUE INDEX users_line_user_id ON users (line_user_id);
ALTER TABLE outbox ADD COLUMN line_user_id TEXT;
