DROP INDEX page_feedback_voter;
ALTER TABLE page_feedback DROP COLUMN voter;
