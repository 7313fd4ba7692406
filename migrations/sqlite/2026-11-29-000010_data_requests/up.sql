-- Farmers' personal-data requests (PDPA): corrections of their registry record, handled by
-- their area's officers within the legal deadline, and account deletions.
-- Keep in step with migrations/postgres.

CREATE TABLE data_requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    household_id INTEGER NOT NULL REFERENCES households (id),
    -- The household's district when asked, so its officers see the request.
    amphoe_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    details TEXT NOT NULL,
    due_on DATE NOT NULL,
    resolution TEXT NOT NULL,
    resolved_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP
);
CREATE INDEX data_requests_open ON data_requests (status, amphoe_code);
CREATE INDEX data_requests_user ON data_requests (user_id);
