-- Migration to schema version 8 (the same on PostgreSQL): the day a decision or a learning is
-- about when it is not the day it was recorded (`--at`, backfilling history; `at` stays the
-- moment it was recorded), and who witnessed a sign-off.
ALTER TABLE decisions ADD COLUMN about TEXT CHECK (about IS NULL OR length(about) = 10);
-- Who recorded a decision's sign-off on its owner's word (a witnessed sign-off, local files).
ALTER TABLE decisions ADD COLUMN witnessed_by TEXT;
ALTER TABLE learnings ADD COLUMN about TEXT CHECK (about IS NULL OR length(about) = 10);
