-- Migration to schema version 7: the AI-native loops as records — the redesigned workflow's
-- steps and the artifact work it removed, governance and critic checks inside it, incidents at
-- its steps; a decision names the step it belongs to, a learning the incident it learns from
-- (the same on PostgreSQL).
ALTER TABLE decisions ADD COLUMN step_id TEXT;
ALTER TABLE learnings ADD COLUMN incident TEXT;

-- The redesigned workflow (the redesign loop's records): each step with its kind, who does it,
-- an agent's role or a human's gate, the steps it follows (ids, comma-separated), its data
-- classes (comma-separated) and whether it is irreversible. Changed by `flow set`, voided with
-- a reason; never deleted.
CREATE TABLE flow_steps (
    id           TEXT PRIMARY KEY,
    loop_id      TEXT NOT NULL REFERENCES loops (id),
    name         TEXT NOT NULL CHECK (name <> ''),
    kind         TEXT NOT NULL CHECK (kind IN ('input', 'decision', 'action', 'output', 'exception', 'handoff')),
    performer    TEXT NOT NULL CHECK (performer IN ('agent', 'system', 'human')),
    role         TEXT CHECK (role IS NULL OR (performer = 'agent' AND role IN ('perception', 'decision', 'action', 'memory', 'escalation'))),
    gate         TEXT CHECK (gate IS NULL OR (performer = 'human' AND gate IN ('judgment', 'taste', 'relationship', 'exception', 'approval', 'liability'))),
    after_steps  TEXT NOT NULL DEFAULT '',
    data         TEXT NOT NULL DEFAULT '',
    irreversible INTEGER NOT NULL CHECK (irreversible IN (0, 1)),
    at           TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    changed_at   TEXT,
    changed_by   TEXT,
    void_at      TEXT,
    void_by      TEXT,
    void_reason  TEXT
) STRICT;

CREATE INDEX flow_steps_v7_by_loop ON flow_steps (loop_id, recorded_at);

-- Artifact work the redesign removed, and why (the redesign loop's records).
CREATE TABLE flow_drops (
    id          TEXT PRIMARY KEY,
    loop_id     TEXT NOT NULL REFERENCES loops (id),
    name        TEXT NOT NULL CHECK (name <> ''),
    why         TEXT NOT NULL CHECK (why <> ''),
    at          TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    void_at     TEXT,
    void_by     TEXT,
    void_reason TEXT
) STRICT;

CREATE INDEX flow_drops_v7_by_loop ON flow_drops (loop_id, recorded_at);

-- Governance inside the flow (the govern loop's records): each act names a step's human owner,
-- its approval threshold, or a critic check and who performs it.
CREATE TABLE governance (
    id          TEXT PRIMARY KEY,
    loop_id     TEXT NOT NULL REFERENCES loops (id),
    step_id     TEXT NOT NULL REFERENCES flow_steps (id),
    owner       TEXT,
    approval    TEXT,
    critic      TEXT,
    critic_by   TEXT CHECK ((critic IS NULL AND critic_by IS NULL) OR (critic IS NOT NULL AND critic_by IN ('agent', 'system', 'human'))),
    at          TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    void_at     TEXT,
    void_by     TEXT,
    void_reason TEXT
) STRICT;

CREATE INDEX governance_v7_by_loop ON governance (loop_id, at);

-- What a step's critic check found, over time (the govern loop's records).
CREATE TABLE critic_results (
    id          TEXT PRIMARY KEY,
    loop_id     TEXT NOT NULL REFERENCES loops (id),
    step_id     TEXT NOT NULL REFERENCES flow_steps (id),
    critic      TEXT NOT NULL CHECK (critic <> ''),
    result      TEXT NOT NULL CHECK (result IN ('pass', 'fail')),
    note        TEXT,
    at          TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    void_at     TEXT,
    void_by     TEXT,
    void_reason TEXT
) STRICT;

CREATE INDEX critic_results_v7_by_loop ON critic_results (loop_id, at);

-- Incidents at a step (the improve loop's records), and the change that fixed each.
CREATE TABLE incidents (
    id          TEXT PRIMARY KEY,
    loop_id     TEXT NOT NULL REFERENCES loops (id),
    step_id     TEXT NOT NULL REFERENCES flow_steps (id),
    what        TEXT NOT NULL CHECK (what <> ''),
    severity    TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
    tag         TEXT,
    detected_by TEXT CHECK (detected_by IS NULL OR detected_by IN ('agent', 'system', 'human', 'customer')),
    at          TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    change      TEXT,
    fixed_at    TEXT,
    fixed_by    TEXT,
    void_at     TEXT,
    void_by     TEXT,
    void_reason TEXT
) STRICT;

CREATE INDEX incidents_v7_by_loop ON incidents (loop_id, at);
