-- Every coded column accepts only the codes of its domain enum (src/db/codes.rs).
-- SQLite adds a CHECK only by rebuilding the table (its documented procedure: foreign keys
-- off outside the transaction, the new table copied, renamed, its indexes made again).
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE api_keys_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Who holds the key, e.g. "BAAC payments, head office".
    name TEXT NOT NULL,
    -- The key's public part, shown to administrators; the secret part is only stored hashed.
    key_prefix TEXT NOT NULL UNIQUE,
    secret_sha256 TEXT NOT NULL,
    -- Space-separated scope codes (entitlements:read, cases:read, payments).
    scopes TEXT NOT NULL,
    -- The consent purpose the holder's use of personal data falls under.
    purpose TEXT NOT NULL CHECK (purpose IN ('agency_services', 'payment')),
    scope_province_code TEXT REFERENCES provinces (code),
    scope_amphoe_code TEXT REFERENCES amphoes (code),
    requests_per_minute INTEGER NOT NULL CHECK (requests_per_minute > 0),
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
INSERT INTO api_keys_rebuilt SELECT * FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_rebuilt RENAME TO api_keys;

CREATE TABLE applications_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- Given at submission; a draft has none.
    reference TEXT UNIQUE,
    household_id INTEGER NOT NULL REFERENCES households (id),
    applicant_id INTEGER NOT NULL REFERENCES users (id),
    programme_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'info_requested', 'appealed', 'approved', 'rejected', 'paid', 'completed', 'withdrawn')),
    -- Optimistic locking: every change bumps it; a change made from an older page is refused.
    version INTEGER NOT NULL,
    -- The programme's own questions, as a JSON object of question id to answer.
    answers TEXT NOT NULL,
    assigned_to INTEGER REFERENCES users (id),
    -- The officer who rejected it: an appeal goes to someone else.
    rejected_by INTEGER REFERENCES users (id),
    decided_on DATE,
    appealed BOOLEAN NOT NULL,
    -- What the farmer was entitled to when they submitted, as the rules decided then.
    snapshot_rule_version TEXT,
    snapshot_status TEXT,
    snapshot_amount_satang BIGINT,
    snapshot_facts TEXT,
    snapshot_explanation TEXT,
    -- The service deadline while the case waits on an officer (none while it waits on the farmer).
    due_on DATE,
    escalated_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO applications_rebuilt SELECT * FROM applications;
DROP TABLE applications;
ALTER TABLE applications_rebuilt RENAME TO applications;
CREATE UNIQUE INDEX applications_one_live ON applications (household_id, programme_id)
    WHERE status NOT IN ('withdrawn', 'rejected');
CREATE INDEX applications_household ON applications (household_id, created_at);
CREATE INDEX applications_queue ON applications (status, due_on);

CREATE TABLE consents_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('agency_services', 'payment')),
    -- The version of the privacy notice the farmer was shown.
    notice_version TEXT NOT NULL,
    given BOOLEAN NOT NULL,
    at TIMESTAMP NOT NULL
);
INSERT INTO consents_rebuilt SELECT * FROM consents;
DROP TABLE consents;
ALTER TABLE consents_rebuilt RENAME TO consents;
CREATE INDEX consents_user ON consents (user_id, purpose, id);

CREATE TABLE data_requests_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id),
    household_id INTEGER NOT NULL REFERENCES households (id),
    -- The household's district when asked, so its officers see the request.
    amphoe_code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('correction', 'deletion')),
    status TEXT NOT NULL CHECK (status IN ('open', 'done', 'declined')),
    details TEXT NOT NULL,
    due_on DATE NOT NULL,
    resolution TEXT NOT NULL,
    resolved_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    resolved_at TIMESTAMP
);
INSERT INTO data_requests_rebuilt SELECT * FROM data_requests;
DROP TABLE data_requests;
ALTER TABLE data_requests_rebuilt RENAME TO data_requests;
CREATE INDEX data_requests_open ON data_requests (status, amphoe_code);
CREATE INDEX data_requests_user ON data_requests (user_id);

CREATE TABLE disasters_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    hazard TEXT NOT NULL CHECK (hazard IN ('flood', 'drought', 'storm', 'pest', 'cold', 'fire')),
    started_on DATE NOT NULL,
    -- The declaration is in force from started_on to ended_on (open while NULL).
    ended_on DATE,
    description TEXT NOT NULL,
    declared_by INTEGER REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
INSERT INTO disasters_rebuilt SELECT * FROM disasters;
DROP TABLE disasters;
ALTER TABLE disasters_rebuilt RENAME TO disasters;

CREATE TABLE livestock_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    species TEXT NOT NULL CHECK (species IN ('cattle', 'buffalo', 'pig', 'chicken', 'duck', 'goat')),
    head_count INTEGER NOT NULL CHECK (head_count >= 0),
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO livestock_rebuilt SELECT * FROM livestock;
DROP TABLE livestock;
ALTER TABLE livestock_rebuilt RENAME TO livestock;
CREATE INDEX livestock_household ON livestock (household_id);

CREATE TABLE members_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    national_id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    birth_date DATE NOT NULL,
    relation TEXT NOT NULL CHECK (relation IN ('head', 'spouse', 'child', 'parent', 'other')),
    is_head BOOLEAN NOT NULL,
    phone TEXT
);
INSERT INTO members_rebuilt SELECT * FROM members;
DROP TABLE members;
ALTER TABLE members_rebuilt RENAME TO members;
CREATE INDEX members_household ON members (household_id);
CREATE INDEX members_name ON members (lower(first_name), lower(last_name));

CREATE TABLE memberships_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('cooperative', 'baac', 'farmer_group', 'community_enterprise')),
    organisation TEXT NOT NULL,
    member_number TEXT,
    since DATE
);
INSERT INTO memberships_rebuilt SELECT * FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_rebuilt RENAME TO memberships;
CREATE INDEX memberships_household ON memberships (household_id);

CREATE TABLE plantings_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plot_id INTEGER NOT NULL REFERENCES plots (id) ON DELETE CASCADE,
    crop TEXT NOT NULL CHECK (crop IN ('rice', 'cassava', 'sugarcane', 'rubber', 'maize', 'fruit', 'vegetables')),
    season_year INTEGER NOT NULL,
    season TEXT NOT NULL CHECK (season IN ('main', 'off', 'perennial')),
    area_sq_wa INTEGER NOT NULL CHECK (area_sq_wa > 0),
    planted_on DATE,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO plantings_rebuilt SELECT * FROM plantings;
DROP TABLE plantings;
ALTER TABLE plantings_rebuilt RENAME TO plantings;
CREATE INDEX plantings_plot ON plantings (plot_id);

CREATE TABLE plots_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    tambon_code TEXT NOT NULL REFERENCES tambons (code),
    area_sq_wa INTEGER NOT NULL CHECK (area_sq_wa > 0),
    land_document TEXT CHECK (land_document IN ('chanote', 'ns3k', 'ns3', 'spk401', 'sk1', 'pbt5', 'none')),
    tenure TEXT NOT NULL CHECK (tenure IN ('owned', 'rented', 'alro', 'free')),
    irrigated BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO plots_rebuilt SELECT * FROM plots;
DROP TABLE plots;
ALTER TABLE plots_rebuilt RENAME TO plots;
CREATE INDEX plots_household ON plots (household_id);

CREATE TABLE users_rebuilt (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    role TEXT NOT NULL CHECK (role IN ('farmer', 'officer', 'manager', 'admin', 'partner')),
    email TEXT UNIQUE,
    national_id TEXT UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    household_id INTEGER REFERENCES households (id),
    scope_province_code TEXT REFERENCES provinces (code),
    scope_amphoe_code TEXT REFERENCES amphoes (code),
    locale TEXT NOT NULL,
    disabled_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO users_rebuilt SELECT * FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;

PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
