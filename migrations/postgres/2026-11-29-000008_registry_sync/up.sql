-- The registry sync: where each external source's changes were last read up to, and the
-- records it sent that Kaset refused, kept for officers to review.
-- Keep in step with migrations/sqlite.

CREATE TABLE sync_cursors (
    source TEXT PRIMARY KEY,
    -- The source's own opaque cursor; saved in the transaction that applied the page before it.
    cursor TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE registry_rejects (
    id SERIAL PRIMARY KEY,
    source TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    -- As received (it may be the malformed part).
    registry_number TEXT NOT NULL,
    -- The province named by the record's tambon code, so the area's officers see it.
    province_code TEXT,
    -- Where in the record, e.g. members[1].national_id, and why (a catalogue key).
    field TEXT NOT NULL,
    problem TEXT NOT NULL,
    record TEXT NOT NULL,
    reviewed_at TIMESTAMP,
    reviewed_by INTEGER REFERENCES users (id)
);
CREATE INDEX registry_rejects_open ON registry_rejects (reviewed_at, province_code);
