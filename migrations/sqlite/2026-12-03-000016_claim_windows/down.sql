ALTER TABLE disasters DROP COLUMN claims_close_on;
