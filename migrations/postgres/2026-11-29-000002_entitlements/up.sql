-- Disaster declarations, stored entitlements (for proactive notices) and in-app notices.
-- Keep in step with migrations/sqlite.

CREATE TABLE disasters (
    id SERIAL PRIMARY KEY,
    hazard TEXT NOT NULL,
    started_on DATE NOT NULL,
    -- The declaration is in force from started_on to ended_on (open while NULL).
    ended_on DATE,
    description TEXT NOT NULL,
    declared_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE disaster_tambons (
    disaster_id INTEGER NOT NULL REFERENCES disasters (id) ON DELETE CASCADE,
    tambon_code TEXT NOT NULL REFERENCES tambons (code),
    PRIMARY KEY (disaster_id, tambon_code)
);
CREATE INDEX disaster_tambons_tambon ON disaster_tambons (tambon_code);

-- The latest decision of every programme for every household; rewritten only when it changes.
CREATE TABLE entitlements (
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    programme_id TEXT NOT NULL,
    rule_version TEXT NOT NULL,
    status TEXT NOT NULL,
    amount_satang BIGINT,
    failing TEXT NOT NULL,
    evaluated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (household_id, programme_id)
);
CREATE INDEX entitlements_programme ON entitlements (programme_id, status);

CREATE TABLE notices (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    amount_satang BIGINT,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP
);
CREATE INDEX notices_user ON notices (user_id, created_at);
