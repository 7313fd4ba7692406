-- Why the paying agency could not pay a case, until the farmer says it is fixed (then the case
-- is on the payment list again).
ALTER TABLE applications ADD COLUMN payment_failure TEXT
    CHECK (payment_failure IN ('account_closed', 'name_mismatch', 'no_account', 'promptpay_not_linked', 'other'));
