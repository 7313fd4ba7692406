-- Stored entitlements keep only what a farmer can act on (eligible, need more information,
-- almost eligible): a missing row means "not for this household", which is most of them, so a
-- first evaluation of a large registry writes about half the rows. The rule versions the
-- decisions were made with move to their own table, written when a full run completes.
-- The table is rebuilt WITHOUT ROWID: its key is the only way it is read, and one B-tree
-- instead of two halves the work of every write.
-- Keep in step with migrations/postgres.

CREATE TABLE decided_rules (
    programme_id TEXT PRIMARY KEY,
    rule_version TEXT NOT NULL,
    decided_at TIMESTAMP NOT NULL
);

-- A programme whose stored decisions mix versions is left out, so the next start re-decides it.
INSERT INTO decided_rules (programme_id, rule_version, decided_at)
SELECT programme_id, MIN(rule_version), MAX(evaluated_at)
FROM entitlements
GROUP BY programme_id
HAVING COUNT(DISTINCT rule_version) = 1;

CREATE TABLE actionable_entitlements (
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    programme_id TEXT NOT NULL,
    rule_version TEXT NOT NULL,
    status TEXT NOT NULL,
    amount_satang BIGINT,
    failing TEXT NOT NULL,
    evaluated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (household_id, programme_id)
) WITHOUT ROWID;

INSERT INTO actionable_entitlements
SELECT household_id, programme_id, rule_version, status, amount_satang, failing, evaluated_at
FROM entitlements
WHERE status NOT IN ('ineligible', 'closed');

DROP TABLE entitlements;
ALTER TABLE actionable_entitlements RENAME TO entitlements;
