-- Migration to schema version 6 (the same on PostgreSQL): the text a value was typed as, when
-- it is not the number's shortest form (`10.00`, `1e3`), so that what was typed is what is
-- shown, exported and reasoned about; the id a value had in the system it came from (an import
-- of the same file again records nothing new); the day a job's history begins (backfill).
ALTER TABLE metric_values ADD COLUMN typed TEXT CHECK (typed IS NULL OR length(typed) BETWEEN 1 AND 400);
ALTER TABLE metric_values ADD COLUMN source TEXT CHECK (source IS NULL OR length(source) BETWEEN 1 AND 200);
ALTER TABLE jobs ADD COLUMN since TEXT CHECK (since IS NULL OR length(since) = 10);
