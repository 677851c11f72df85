-- Migration to schema version 8 (the same on PostgreSQL): the day a decision or a learning is
-- about when it is not the day it was recorded (`--at`, backfilling history); `at` stays the
-- moment it was recorded.
ALTER TABLE decisions ADD COLUMN about TEXT CHECK (about IS NULL OR length(about) = 10);
ALTER TABLE learnings ADD COLUMN about TEXT CHECK (about IS NULL OR length(about) = 10);
