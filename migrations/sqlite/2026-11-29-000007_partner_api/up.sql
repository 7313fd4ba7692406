-- Partner agencies' API keys, and the farmers' consents that decide whether their personal data
-- may leave Kaset through that API.
-- Keep in step with migrations/postgres.

CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Who holds the key, e.g. "BAAC payments, head office".
    name TEXT NOT NULL,
    -- The key's public part, shown to administrators; the secret part is only stored hashed.
    key_prefix TEXT NOT NULL UNIQUE,
    secret_sha256 TEXT NOT NULL,
    -- Space-separated scope codes (entitlements:read, cases:read, payments).
    scopes TEXT NOT NULL,
    -- The consent purpose the holder's use of personal data falls under.
    purpose TEXT NOT NULL,
    scope_province_code TEXT REFERENCES provinces (code),
    scope_amphoe_code TEXT REFERENCES amphoes (code),
    requests_per_minute INTEGER NOT NULL CHECK (requests_per_minute > 0),
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

-- Every consent given or withdrawn, append-only: the newest row per user and purpose holds.
CREATE TABLE consents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL,
    -- The version of the privacy notice the farmer was shown.
    notice_version TEXT NOT NULL,
    given BOOLEAN NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX consents_user ON consents (user_id, purpose, id);

-- Calls by a partner's key are audited under that key.
ALTER TABLE audit_log ADD COLUMN api_key_id INTEGER REFERENCES api_keys (id);
