-- Each reminder is sent once: its kind and what it is about (a case, a draft, a household's
-- programme) are recorded before it is sent, and a second server or run finds it there.
CREATE TABLE reminders (
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, subject)
);
