ALTER TABLE plantings DROP COLUMN registered_on;
