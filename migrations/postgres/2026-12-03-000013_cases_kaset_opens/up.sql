-- A case Kaset opens by itself has no applicant: a household put on the paying agency's list
-- for an automatic programme (its farmer may have no account at all).
ALTER TABLE applications ALTER COLUMN applicant_id DROP NOT NULL;
