-- Stored entitlements keep only what a farmer can act on (eligible, need more information,
-- almost eligible): a missing row means "not for this household", which is most of them, so a
-- first evaluation of a large registry writes about half the rows. The rule versions the
-- decisions were made with move to their own table, written when a full run completes.
-- Keep in step with migrations/sqlite.

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

DELETE FROM entitlements WHERE status IN ('ineligible', 'closed');

-- Nothing reads decisions by programme yet; the index only slowed every write.
DROP INDEX entitlements_programme;
