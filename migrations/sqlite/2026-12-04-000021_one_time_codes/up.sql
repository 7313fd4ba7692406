-- One-time codes sent by SMS: to finish a sign-up, to sign in, to reset a password. Only a
-- salted hash of the six digits is kept; a code lives five minutes and is used once. A
-- sign-up waits here (its claim, the password already hashed) until its code is given.
CREATE TABLE one_time_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    purpose TEXT NOT NULL CHECK (purpose IN ('sign_up', 'sign_in', 'password_reset')),
    user_id INTEGER REFERENCES users (id),
    phone TEXT NOT NULL,
    salt TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    pending TEXT NOT NULL,
    requested_from TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    tries INTEGER NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX one_time_codes_by_phone ON one_time_codes (phone, created_at);
CREATE INDEX one_time_codes_by_address ON one_time_codes (requested_from, created_at);
