-- The dropped ineligible and closed rows come back at the next start, which re-decides every
-- household because decided_rules is gone.
CREATE TABLE rowid_entitlements (
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    programme_id TEXT NOT NULL,
    rule_version TEXT NOT NULL,
    status TEXT NOT NULL,
    amount_satang BIGINT,
    failing TEXT NOT NULL,
    evaluated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (household_id, programme_id)
);
INSERT INTO rowid_entitlements SELECT * FROM entitlements;
DROP TABLE entitlements;
ALTER TABLE rowid_entitlements RENAME TO entitlements;
CREATE INDEX entitlements_programme ON entitlements (programme_id, status);
DROP TABLE decided_rules;
