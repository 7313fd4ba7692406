-- The day this crop was reported to the registry (the farmer's crop report, Tor Bor Kor 01
-- update): rice support pays for crops reported by its round's closing day, whatever year the
-- household itself joined. Crops recorded before this column have none, and the rules then
-- fall back on the household's own registration date.
ALTER TABLE plantings ADD COLUMN registered_on DATE;
