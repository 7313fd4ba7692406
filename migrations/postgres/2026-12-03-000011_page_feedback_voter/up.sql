-- Who answered "was this page useful", for throttling only: "user:<id>" for a signed-in user,
-- else the SHA-256 of the visitor's address. Cleared after a day by the clean-up job.
ALTER TABLE page_feedback ADD COLUMN voter TEXT;
CREATE INDEX page_feedback_voter ON page_feedback (voter, created_at);
