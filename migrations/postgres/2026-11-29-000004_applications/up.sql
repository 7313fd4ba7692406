-- Applications and the officers' cases: one row per application (a draft until submitted), its
-- timeline of events (append-only, like the audit log), its attachments, and the counters that
-- number references per Buddhist-era year (KS-2569-000123).
-- Keep in step with migrations/sqlite.

CREATE TABLE applications (
    id SERIAL PRIMARY KEY,
    -- Given at submission; a draft has none.
    reference TEXT UNIQUE,
    household_id INTEGER NOT NULL REFERENCES households (id),
    applicant_id INTEGER NOT NULL REFERENCES users (id),
    programme_id TEXT NOT NULL,
    status TEXT NOT NULL,
    -- Optimistic locking: every change bumps it; a change made from an older page is refused.
    version INTEGER NOT NULL,
    -- The programme's own questions, as a JSON object of question id to answer.
    answers TEXT NOT NULL,
    assigned_to INTEGER REFERENCES users (id),
    -- The officer who rejected it: an appeal goes to someone else.
    rejected_by INTEGER REFERENCES users (id),
    decided_on DATE,
    appealed BOOLEAN NOT NULL,
    -- What the farmer was entitled to when they submitted, as the rules decided then.
    snapshot_rule_version TEXT,
    snapshot_status TEXT,
    snapshot_amount_satang BIGINT,
    snapshot_facts TEXT,
    snapshot_explanation TEXT,
    -- The service deadline while the case waits on an officer (none while it waits on the farmer).
    due_on DATE,
    escalated_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
-- One live application per household and programme: a second "Apply" finds the first, and
-- submitting twice cannot make two. Withdrawn and rejected ones step aside.
CREATE UNIQUE INDEX applications_one_live ON applications (household_id, programme_id)
    WHERE status NOT IN ('withdrawn', 'rejected');
CREATE INDEX applications_household ON applications (household_id, created_at);
CREATE INDEX applications_queue ON applications (status, due_on);

CREATE TABLE application_events (
    id SERIAL PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    at TIMESTAMP NOT NULL,
    actor_id INTEGER REFERENCES users (id),
    actor_role TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- A rejection's reason code (from a fixed list; the message is the officer's own words).
    reason TEXT,
    message TEXT NOT NULL,
    -- Officers' notes: never shown to the farmer.
    internal BOOLEAN NOT NULL
);
CREATE INDEX application_events_application ON application_events (application_id, id);

CREATE TABLE attachments (
    id SERIAL PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id),
    event_id INTEGER REFERENCES application_events (id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    -- The file's name under the upload directory.
    stored_as TEXT NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX attachments_application ON attachments (application_id);

CREATE TABLE reference_counters (
    year INTEGER PRIMARY KEY,
    last_number INTEGER NOT NULL
);

CREATE FUNCTION application_events_are_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'application_events is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER application_events_no_update BEFORE UPDATE OR DELETE ON application_events
    FOR EACH ROW EXECUTE FUNCTION application_events_are_append_only();
