-- The open datasets as last published (refreshed daily): anonymised rows as JSON, so that every
-- download of a day is the same file.
-- Keep in step with migrations/sqlite.

CREATE TABLE open_datasets (
    id TEXT PRIMARY KEY,
    generated_at TIMESTAMP NOT NULL,
    rows_json TEXT NOT NULL
);
