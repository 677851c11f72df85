-- Migration to schema version 2: kill rules, tools, learnings and proofs.
ALTER TABLE kill_signals ADD COLUMN rule TEXT;

-- Tools selected for a job: a tool chosen before the workflow is mapped is a kill signal.
CREATE TABLE tools (
    id          TEXT PRIMARY KEY,
    job_id      TEXT NOT NULL REFERENCES jobs (id),
    name        TEXT NOT NULL CHECK (name <> ''),
    at          TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
) STRICT;

-- What the improve loop captures so the next run starts wiser.
CREATE TABLE learnings (
    id          TEXT PRIMARY KEY,
    loop_id     TEXT NOT NULL REFERENCES loops (id),
    text        TEXT NOT NULL CHECK (text <> ''),
    type        TEXT NOT NULL CHECK (type IN ('evidence', 'decision', 'feedback', 'correction', 'outcome', 'mistake', 'change')),
    tag         TEXT,
    capability  TEXT CHECK (capability IS NULL OR capability IN ('REALITY', 'DREAM', 'CONSUMED')),
    at          TEXT NOT NULL,
    recorded_by TEXT NOT NULL
) STRICT;

-- Proof turned into something that travels, and what it brought back.
CREATE TABLE proofs (
    id          TEXT PRIMARY KEY,
    job_id      TEXT NOT NULL REFERENCES jobs (id),
    title       TEXT NOT NULL CHECK (title <> ''),
    kind        TEXT NOT NULL CHECK (kind IN ('case', 'diagram', 'story', 'benchmark', 'standard')),
    visibility  TEXT NOT NULL CHECK (visibility IN ('private', 'public')),
    link        TEXT,
    at          TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    -- NULL until an outcome is tracked.
    replies     INTEGER CHECK (replies IS NULL OR replies >= 0),
    citations   INTEGER CHECK (citations IS NULL OR citations >= 0),
    intros      INTEGER CHECK (intros IS NULL OR intros >= 0),
    bookings    INTEGER CHECK (bookings IS NULL OR bookings >= 0),
    sales       INTEGER CHECK (sales IS NULL OR sales >= 0),
    reuse       INTEGER CHECK (reuse IS NULL OR reuse >= 0),
    outcome_at  TEXT
) STRICT;
