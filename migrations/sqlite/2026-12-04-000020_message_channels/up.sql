-- Messages by SMS (and later LINE) as well as e-mail. A person's phone (from the registry) and
-- the channels they want, first choice first; each outbox message carries its chain of
-- channels, the one being tried, and the SMS text; each channel's delivery status, from the
-- provider's reports, is one row per message and channel (so a channel is never used twice).
ALTER TABLE users ADD COLUMN phone TEXT;
ALTER TABLE users ADD COLUMN channels TEXT NOT NULL DEFAULT 'email,sms';
UPDATE users SET phone = (
    SELECT members.phone FROM members WHERE members.national_id = users.national_id LIMIT 1
) WHERE national_id IS NOT NULL;

ALTER TABLE outbox ADD COLUMN user_id INTEGER REFERENCES users (id);
ALTER TABLE outbox ADD COLUMN channels TEXT NOT NULL DEFAULT 'email';
ALTER TABLE outbox ADD COLUMN channel_index INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN phone TEXT;
ALTER TABLE outbox ADD COLUMN sms_text TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN failed_at TIMESTAMP;

CREATE TABLE deliveries (
    outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('sms', 'line', 'email')),
    status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'delivered', 'failed')),
    provider_ref TEXT,
    detail TEXT,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (outbox_id, channel)
);
CREATE INDEX deliveries_by_provider_ref ON deliveries (channel, provider_ref);
