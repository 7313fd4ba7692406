-- Undoes 000013: the cases Kaset opened by itself go, and every case has an applicant again.
DELETE FROM ratings WHERE application_id IN (SELECT id FROM applications WHERE applicant_id IS NULL);
DELETE FROM attachments WHERE application_id IN (SELECT id FROM applications WHERE applicant_id IS NULL);
DELETE FROM application_events WHERE application_id IN (SELECT id FROM applications WHERE applicant_id IS NULL);
DELETE FROM applications WHERE applicant_id IS NULL;
ALTER TABLE applications ALTER COLUMN applicant_id SET NOT NULL;
