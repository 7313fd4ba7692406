-- The dropped ineligible and closed rows come back at the next start, which re-decides every
-- household because decided_rules is gone.
CREATE INDEX entitlements_programme ON entitlements (programme_id, status);
DROP TABLE decided_rules;
