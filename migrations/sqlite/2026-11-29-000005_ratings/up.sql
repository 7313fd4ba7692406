-- Farmers' ratings of ended cases, the "was this page useful?" answers, and the actions managers
-- record in answer ("you said, we did").
-- A rating carries its case's dimensions (programme, area, officer, processing time, missed
-- deadline) so that a dashboard over a million ratings groups one table.
-- Keep in step with migrations/postgres.

CREATE TABLE ratings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL UNIQUE REFERENCES applications (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    programme_id TEXT NOT NULL,
    province_code TEXT NOT NULL,
    amphoe_code TEXT NOT NULL,
    -- The officer who last had the case (for the per-officer figures).
    officer_id INTEGER REFERENCES users (id),
    satisfaction INTEGER NOT NULL CHECK (satisfaction BETWEEN 1 AND 5),
    effort INTEGER NOT NULL CHECK (effort BETWEEN 1 AND 5),
    comment TEXT NOT NULL,
    -- Calendar days from submission to the end of the case.
    processing_days INTEGER NOT NULL,
    missed_deadline BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX ratings_period ON ratings (created_at);
CREATE INDEX ratings_province_period ON ratings (province_code, created_at);

CREATE TABLE page_feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL,
    useful BOOLEAN NOT NULL,
    user_id INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX page_feedback_path ON page_feedback (path, created_at);

CREATE TABLE improvement_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- A theme of the lexicon, or a programme id.
    subject_kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    title_th TEXT NOT NULL,
    title_en TEXT NOT NULL,
    description_th TEXT NOT NULL,
    description_en TEXT NOT NULL,
    taken_on DATE NOT NULL,
    recorded_by INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

-- Monthly alerts already sent (a programme or an amphoe office whose satisfaction fell below
-- the threshold), so each is sent once.
CREATE TABLE satisfaction_alerts (
    month TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (month, kind, subject)
);
