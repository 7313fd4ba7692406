-- Foundation: geography, accounts, the farmer registry, sessions, audit log, outbox.
-- Keep in step with migrations/sqlite: same tables, same columns, same names.

CREATE TABLE provinces (
    code TEXT PRIMARY KEY,
    name_th TEXT NOT NULL,
    name_en TEXT NOT NULL
);

CREATE TABLE amphoes (
    code TEXT PRIMARY KEY,
    province_code TEXT NOT NULL REFERENCES provinces (code),
    name_th TEXT NOT NULL,
    name_en TEXT NOT NULL
);
CREATE INDEX amphoes_province ON amphoes (province_code);

CREATE TABLE tambons (
    code TEXT PRIMARY KEY,
    amphoe_code TEXT NOT NULL REFERENCES amphoes (code),
    name_th TEXT NOT NULL,
    name_en TEXT NOT NULL,
    postcode TEXT NOT NULL
);
CREATE INDEX tambons_amphoe ON tambons (amphoe_code);

CREATE TABLE households (
    id SERIAL PRIMARY KEY,
    registry_number TEXT NOT NULL UNIQUE,
    tambon_code TEXT NOT NULL REFERENCES tambons (code),
    amphoe_code TEXT NOT NULL REFERENCES amphoes (code),
    province_code TEXT NOT NULL REFERENCES provinces (code),
    village_no INTEGER NOT NULL,
    house_no TEXT NOT NULL,
    registered_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX households_province ON households (province_code);
CREATE INDEX households_amphoe ON households (amphoe_code);

CREATE TABLE members (
    id SERIAL PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    national_id TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    birth_date DATE NOT NULL,
    relation TEXT NOT NULL,
    is_head BOOLEAN NOT NULL,
    phone TEXT
);
CREATE INDEX members_household ON members (household_id);
CREATE INDEX members_name ON members (lower(first_name), lower(last_name));

CREATE TABLE plots (
    id SERIAL PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    tambon_code TEXT NOT NULL REFERENCES tambons (code),
    area_sq_wa INTEGER NOT NULL CHECK (area_sq_wa > 0),
    land_document TEXT,
    tenure TEXT NOT NULL,
    irrigated BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX plots_household ON plots (household_id);

CREATE TABLE plantings (
    id SERIAL PRIMARY KEY,
    plot_id INTEGER NOT NULL REFERENCES plots (id) ON DELETE CASCADE,
    crop TEXT NOT NULL,
    season_year INTEGER NOT NULL,
    season TEXT NOT NULL,
    area_sq_wa INTEGER NOT NULL CHECK (area_sq_wa > 0),
    planted_on DATE,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX plantings_plot ON plantings (plot_id);

CREATE TABLE livestock (
    id SERIAL PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    species TEXT NOT NULL,
    head_count INTEGER NOT NULL CHECK (head_count >= 0),
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX livestock_household ON livestock (household_id);

CREATE TABLE memberships (
    id SERIAL PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    organisation TEXT NOT NULL,
    member_number TEXT,
    since DATE
);
CREATE INDEX memberships_household ON memberships (household_id);

CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    role TEXT NOT NULL,
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

CREATE TABLE sessions (
    key_hash TEXT PRIMARY KEY,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE login_attempts (
    id SERIAL PRIMARY KEY,
    account_key TEXT NOT NULL,
    ip TEXT NOT NULL,
    succeeded BOOLEAN NOT NULL,
    at TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_account ON login_attempts (account_key, at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);

CREATE TABLE password_resets (
    id SERIAL PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

CREATE TABLE outbox (
    id SERIAL PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (sent_at, next_attempt_at);

-- Append-only: who changed or viewed what, when, with the old and new value.
CREATE TABLE audit_log (
    id SERIAL PRIMARY KEY,
    at TIMESTAMP NOT NULL,
    actor_user_id INTEGER,
    actor_role TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    household_id INTEGER,
    field TEXT,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX audit_log_household ON audit_log (household_id, at);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
