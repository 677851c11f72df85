//! Reads for `job list`, `job show` and `loop show`.

use rusqlite::params;

use super::load::{self, *};
use super::{Result, Store};
use crate::domain::LoopKind;
use crate::domain::loop_record::LoopRecord;
use crate::domain::model::*;

/// Everything `loop show` and the TUI's loop detail display.
#[derive(Clone, Debug)]
pub struct LoopDetail {
    pub record: LoopRecord,
    /// Values of the primary metric in force, oldest first.
    pub values: Vec<Value>,
    pub interventions: Vec<Intervention>,
    pub decisions: Vec<Decision>,
    /// The loop's most recent audit events, newest first.
    pub events: Vec<AuditEvent>,
}

impl Store {
    pub fn jobs(&self, include_archived: bool) -> Result<Vec<Job>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {JOB_COLS} FROM jobs WHERE ?1 OR archived_at IS NULL ORDER BY created_at, slug"
        ))?;
        let jobs = stmt
            .query_map([include_archived], load::job)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(jobs)
    }

    pub fn job(&self, slug: &str) -> Result<Job> {
        job_by_slug(&self.conn, slug)
    }

    pub fn cycles(&self, slug: &str) -> Result<Vec<Cycle>> {
        let job = job_by_slug(&self.conn, slug)?;
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {CYCLE_COLS} FROM cycles WHERE job_id = ?1 ORDER BY week"
        ))?;
        let rows = stmt
            .query_map([&job.id], load::cycle)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub fn proofs(&self, slug: &str) -> Result<Vec<Proof>> {
        let job = job_by_slug(&self.conn, slug)?;
        super::write::load_proofs(&self.conn, &job.id)
    }

    pub fn loop_detail(&mut self, slug: &str, kind: LoopKind, events: usize) -> Result<LoopDetail> {
        let tx = self.conn.transaction()?;
        let record = load::loop_record(&tx, slug, kind)?;
        let metric_id = record.metric.as_ref().map(|m| m.id.clone());
        let values = tx
            .prepare(&format!(
                "SELECT {VALUE_COLS} FROM metric_values WHERE metric_id = ?1 ORDER BY at, recorded_at"
            ))?
            .query_map([&metric_id], load::value)?
            .collect::<rusqlite::Result<_>>()?;
        let interventions = tx
            .prepare(&format!(
                "SELECT {INTERVENTION_COLS} FROM interventions WHERE metric_id = ?1 ORDER BY at"
            ))?
            .query_map([&metric_id], load::intervention)?
            .collect::<rusqlite::Result<_>>()?;
        let decisions = tx
            .prepare(&format!(
                "SELECT {DECISION_COLS} FROM decisions WHERE loop_id = ?1 ORDER BY at"
            ))?
            .query_map([&record.lp.id], load::decision)?
            .collect::<rusqlite::Result<_>>()?;
        let events = tx
            .prepare(&format!(
                "SELECT {EVENT_COLS} FROM audit_events WHERE job_id = ?1 AND loop_kind = ?2
                 ORDER BY seq DESC LIMIT ?3"
            ))?
            .query_map(params![record.job.id, kind, events as i64], load::event)?
            .collect::<rusqlite::Result<_>>()?;
        tx.finish()?;
        Ok(LoopDetail {
            record,
            values,
            interventions,
            decisions,
            events,
        })
    }
}
