-- The checks a regulation puts between a claim and its approval (disaster relief: the
-- village's certification, Kor Sor 02, then the district committee's approval, Kor Sor 03),
-- each recorded once per case: the key refuses a second officer recording it meanwhile.
CREATE TABLE case_checks (
    application_id INTEGER NOT NULL REFERENCES applications (id),
    step TEXT NOT NULL CHECK (step IN ('village', 'district_committee')),
    done_on DATE NOT NULL,
    note TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    PRIMARY KEY (application_id, step)
);
