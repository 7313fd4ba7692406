ALTER TABLE applications DROP COLUMN payment_failure;
