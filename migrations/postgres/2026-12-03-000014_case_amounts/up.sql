-- Amounts that are true at every step: the officer approves an amount (the computed one, or
-- another with the reason), and the paying agency reports what it paid.
ALTER TABLE applications ADD COLUMN approved_amount_satang BIGINT;
ALTER TABLE applications ADD COLUMN approved_amount_reason TEXT;
ALTER TABLE applications ADD COLUMN paid_amount_satang BIGINT;
