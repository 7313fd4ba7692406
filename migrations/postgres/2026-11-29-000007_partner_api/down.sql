ALTER TABLE audit_log DROP COLUMN api_key_id;
DROP TABLE consents;
DROP TABLE api_keys;
