-- Migration to schema version 9 (the same on PostgreSQL): a tool recorded by mistake is voided,
-- as values, interventions, decisions and learnings are: it stays, with who voided it and why.
ALTER TABLE tools ADD COLUMN void_at TEXT;
ALTER TABLE tools ADD COLUMN void_by TEXT;
ALTER TABLE tools ADD COLUMN void_reason TEXT;
