-- Migration to schema version 5: guardrail metrics beside the primary one, the plan an
-- intervention locks (with its hash), and deviations from a locked plan with their reasons
-- (the same on PostgreSQL).
ALTER TABLE metrics ADD COLUMN role TEXT NOT NULL DEFAULT 'primary' CHECK (role IN ('primary', 'guardrail'));
ALTER TABLE metrics ADD COLUMN max_worse TEXT CHECK (max_worse IS NULL OR role = 'guardrail');
DROP INDEX metrics_one_primary;
CREATE UNIQUE INDEX metrics_primary_in_force ON metrics (loop_id) WHERE replaced_at IS NULL AND role = 'primary';
CREATE UNIQUE INDEX metrics_one_guardrail ON metrics (loop_id, name) WHERE replaced_at IS NULL AND role = 'guardrail';
ALTER TABLE interventions ADD COLUMN plan TEXT;
ALTER TABLE interventions ADD COLUMN plan_hash TEXT CHECK (plan_hash IS NULL OR length(plan_hash) = 64);

CREATE TABLE deviations (
    id              TEXT PRIMARY KEY,
    loop_id         TEXT NOT NULL REFERENCES loops (id),
    intervention_id TEXT NOT NULL REFERENCES interventions (id),
    what            TEXT NOT NULL CHECK (what IN ('metric-replaced', 'target-changed', 'horizon-changed', 'kill-rule-added', 'guardrail-added', 'guardrail-removed', 'baseline-added', 'baseline-voided', 'intervention-voided')),
    detail          TEXT NOT NULL CHECK (detail <> ''),
    value           TEXT,
    reason          TEXT NOT NULL CHECK (reason <> ''),
    at              TEXT NOT NULL,
    recorded_by     TEXT NOT NULL
) STRICT;

CREATE INDEX deviations_by_loop ON deviations (loop_id, at);
