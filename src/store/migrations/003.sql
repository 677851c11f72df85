-- Migration to schema version 3: voids, decision sign-offs and versions, metric targets, job
-- leads, dates as typed, and the derived per-loop and per-job state (filled in by the program).
ALTER TABLE jobs ADD COLUMN lead TEXT;
ALTER TABLE metrics ADD COLUMN target TEXT;
ALTER TABLE metric_values ADD COLUMN void_at TEXT;
ALTER TABLE metric_values ADD COLUMN void_by TEXT;
ALTER TABLE metric_values ADD COLUMN void_reason TEXT;
ALTER TABLE interventions ADD COLUMN void_at TEXT;
ALTER TABLE interventions ADD COLUMN void_by TEXT;
ALTER TABLE interventions ADD COLUMN void_reason TEXT;
ALTER TABLE decisions ADD COLUMN supersedes TEXT;
ALTER TABLE decisions ADD COLUMN approved_at TEXT;
ALTER TABLE decisions ADD COLUMN approved_by TEXT;
ALTER TABLE decisions ADD COLUMN void_at TEXT;
ALTER TABLE decisions ADD COLUMN void_by TEXT;
ALTER TABLE decisions ADD COLUMN void_reason TEXT;
ALTER TABLE learnings ADD COLUMN void_at TEXT;
ALTER TABLE learnings ADD COLUMN void_by TEXT;
ALTER TABLE learnings ADD COLUMN void_reason TEXT;

CREATE INDEX learnings_by_loop ON learnings (loop_id, at);
CREATE INDEX tools_by_job ON tools (job_id, at);
CREATE INDEX proofs_by_job ON proofs (job_id, at);

CREATE TABLE loop_state (
    loop_id TEXT PRIMARY KEY REFERENCES loops (id),
    job_id  TEXT NOT NULL REFERENCES jobs (id),
    state   TEXT NOT NULL
) STRICT;

CREATE INDEX loop_state_by_job ON loop_state (job_id);

CREATE TABLE job_state (
    job_id TEXT PRIMARY KEY REFERENCES jobs (id),
    state  TEXT NOT NULL
) STRICT;
