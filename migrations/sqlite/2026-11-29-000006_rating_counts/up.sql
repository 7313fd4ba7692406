-- Ratings counted per month and dimension, kept in step with `ratings` when a rating is saved,
-- so the dashboard over a million ratings sums a few thousand rows instead of scanning them all.
-- Keep in step with migrations/postgres.

CREATE TABLE rating_counts (
    month TEXT NOT NULL,
    programme_id TEXT NOT NULL,
    province_code TEXT NOT NULL,
    amphoe_code TEXT NOT NULL,
    -- 0 when no officer acted on the case.
    officer_id INTEGER NOT NULL,
    -- The processing-time band of domain::satisfaction::PROCESSING_BANDS.
    band INTEGER NOT NULL,
    missed_deadline BOOLEAN NOT NULL,
    satisfaction INTEGER NOT NULL,
    ratings BIGINT NOT NULL,
    effort_sum BIGINT NOT NULL,
    PRIMARY KEY (month, programme_id, amphoe_code, officer_id, band, missed_deadline, satisfaction)
);

INSERT INTO rating_counts
SELECT strftime('%Y-%m', created_at), programme_id, province_code, amphoe_code, COALESCE(officer_id, 0),
       CASE WHEN processing_days <= 7 THEN 0 WHEN processing_days <= 15 THEN 1
            WHEN processing_days <= 30 THEN 2 ELSE 3 END,
       missed_deadline, satisfaction, COUNT(*), SUM(effort)
FROM ratings
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
