ALTER TABLE applications DROP COLUMN paid_amount_satang;
ALTER TABLE applications DROP COLUMN approved_amount_reason;
ALTER TABLE applications DROP COLUMN approved_amount_satang;
