-- A case Kaset opens by itself has no applicant: a household put on the paying agency's list
-- for an automatic programme (its farmer may have no account at all). SQLite changes a
-- column's NOT NULL only by rebuilding the table (foreign keys off outside the transaction).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE applications_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Given at submission; a draft has none.
    reference TEXT UNIQUE,
    household_id INTEGER NOT NULL REFERENCES households (id),
    -- None for a case Kaset opened by itself (automatic enrolment).
    applicant_id INTEGER REFERENCES users (id),
    programme_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'info_requested', 'appealed', 'approved', 'rejected', 'paid', 'completed', 'withdrawn')),
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
INSERT INTO applications_rebuilt SELECT * FROM applications;
DROP TABLE applications;
ALTER TABLE applications_rebuilt RENAME TO applications;
CREATE UNIQUE INDEX applications_one_live ON applications (household_id, programme_id)
    WHERE status NOT IN ('withdrawn', 'rejected');
CREATE INDEX applications_household ON applications (household_id, created_at);
CREATE INDEX applications_queue ON applications (status, due_on);
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
