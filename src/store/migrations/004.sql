-- Migration to schema version 4: an index that finds a loop's latest audit events, so every
-- write can check that what it loads is what the trail last recorded (the same on PostgreSQL).
CREATE INDEX audit_events_by_loop ON audit_events (job_id, loop_kind, seq);
