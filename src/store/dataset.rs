//! Export and import of a whole database, and loading the generated demo through the same path.

use rusqlite::Connection;

use super::load::{self, *};
use super::write::{
    insert_cycle, insert_decision, insert_intervention, insert_job, insert_learning,
    insert_loop_row, insert_tool, insert_value, upsert_metric, upsert_proof, upsert_signal,
    upsert_step,
};
use super::{Ack, Error, Result, SCHEMA_VERSION, Store, audit};
use crate::domain::Refusal;
use crate::domain::dataset::{Dataset, FORMAT};

fn all<T>(
    conn: &Connection,
    sql: &str,
    map: fn(&rusqlite::Row) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], map)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

impl Store {
    /// Every record, in a stable order, read in one transaction.
    pub fn export(&mut self) -> Result<Dataset> {
        let tx = self.conn.transaction()?;
        let ds = Dataset {
            format: FORMAT.to_string(),
            schema_version: SCHEMA_VERSION,
            jobs: all(
                &tx,
                &format!("SELECT {JOB_COLS} FROM jobs ORDER BY created_at, id"),
                load::job,
            )?,
            loops: all(
                &tx,
                &format!(
                    "SELECT {} FROM loops l JOIN jobs j ON j.id = l.job_id ORDER BY j.created_at, j.id, l.position",
                    prefixed("l", LOOP_COLS)
                ),
                load::loop_row,
            )?,
            steps: all(
                &tx,
                &format!("SELECT {STEP_COLS} FROM steps ORDER BY loop_id, n"),
                load::step,
            )?,
            metrics: all(
                &tx,
                &format!("SELECT {METRIC_COLS} FROM metrics ORDER BY loop_id, set_at, id"),
                load::metric,
            )?,
            values: all(
                &tx,
                &format!("SELECT {VALUE_COLS} FROM metric_values ORDER BY loop_id, at, id"),
                load::value,
            )?,
            interventions: all(
                &tx,
                &format!("SELECT {INTERVENTION_COLS} FROM interventions ORDER BY loop_id, at, id"),
                load::intervention,
            )?,
            kill_signals: all(
                &tx,
                &format!("SELECT {SIGNAL_COLS} FROM kill_signals ORDER BY loop_id, n"),
                load::signal,
            )?,
            decisions: all(
                &tx,
                &format!("SELECT {DECISION_COLS} FROM decisions ORDER BY loop_id, at, id"),
                load::decision,
            )?,
            cycles: all(
                &tx,
                &format!("SELECT {CYCLE_COLS} FROM cycles ORDER BY job_id, week"),
                load::cycle,
            )?,
            tools: all(
                &tx,
                &format!("SELECT {TOOL_COLS} FROM tools ORDER BY job_id, at, id"),
                load::tool,
            )?,
            learnings: all(
                &tx,
                &format!("SELECT {LEARNING_COLS} FROM learnings ORDER BY loop_id, at, id"),
                load::learning,
            )?,
            proofs: all(
                &tx,
                &format!("SELECT {PROOF_COLS} FROM proofs ORDER BY job_id, at, id"),
                load::proof,
            )?,
            audit_events: all(
                &tx,
                &format!("SELECT {EVENT_COLS} FROM audit_events ORDER BY seq"),
                load::event,
            )?,
        };
        tx.finish()?;
        Ok(ds)
    }

    /// Restores an export into an empty database, all or nothing. The file's audit trail is
    /// restored as it is (and no event is added), so exporting again gives the same document.
    pub fn import(&mut self, ds: &Dataset) -> Result<Ack> {
        ds.validate(SCHEMA_VERSION)?;
        let path = self.path.display().to_string();
        // Importing the same file again is a no-op, so a retried import is safe.
        if !self.is_empty()? {
            let mut current = self.export()?;
            current.schema_version = ds.schema_version;
            if current == *ds {
                return Ok(Ack {
                    summary: format!("{path} already holds exactly these records; nothing changed"),
                    changed: false,
                    seq: None,
                });
            }
        }
        self.write(|tx| {
            let (jobs, events): (i64, i64) = tx.query_row(
                "SELECT (SELECT count(*) FROM jobs), (SELECT count(*) FROM audit_events)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if jobs > 0 || events > 0 {
                return Err(Error::Refused(Refusal::rule(format!(
                    "{path} already holds records ({jobs} jobs): import into a new database, e.g. `jobloop --db new.db import FILE`; nothing was written"
                ))));
            }
            insert_all(tx, ds)?;
            Ok(Ack {
                summary: format!(
                    "imported {} jobs and {} records into {path}",
                    ds.jobs.len(),
                    ds.rows()
                ),
                changed: true,
                seq: ds.audit_events.last().map(|e| e.seq),
            })
        })
    }

    pub fn is_empty(&self) -> Result<bool> {
        let n: i64 = self.conn.query_row(
            "SELECT (SELECT count(*) FROM jobs) + (SELECT count(*) FROM audit_events)",
            [],
            |r| r.get(0),
        )?;
        Ok(n == 0)
    }
}

fn prefixed(alias: &str, cols: &str) -> String {
    cols.split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn insert_all(tx: &Connection, ds: &Dataset) -> Result<()> {
    for j in &ds.jobs {
        insert_job(tx, j)?;
    }
    for l in &ds.loops {
        insert_loop_row(tx, l)?;
    }
    for s in &ds.steps {
        upsert_step(tx, s)?;
    }
    for m in &ds.metrics {
        upsert_metric(tx, m)?;
    }
    for v in &ds.values {
        insert_value(tx, v)?;
    }
    for i in &ds.interventions {
        insert_intervention(tx, i)?;
    }
    for k in &ds.kill_signals {
        upsert_signal(tx, k)?;
    }
    for d in &ds.decisions {
        insert_decision(tx, d)?;
    }
    for c in &ds.cycles {
        insert_cycle(tx, c)?;
    }
    for t in &ds.tools {
        insert_tool(tx, t)?;
    }
    for l in &ds.learnings {
        insert_learning(tx, l)?;
    }
    for p in &ds.proofs {
        upsert_proof(tx, p)?;
    }
    for e in &ds.audit_events {
        audit::insert(tx, e)?;
    }
    Ok(())
}

impl Store {
    /// Fills an empty database with the generated example (`jobs` jobs, `weeks` weeks of history).
    pub fn load_demo(
        &mut self,
        jobs: usize,
        weeks: u32,
        seed: u64,
        now: crate::domain::Stamp,
    ) -> Result<Ack> {
        let mut ds = crate::domain::demo::generate(jobs, weeks, seed, now);
        ds.schema_version = SCHEMA_VERSION;
        let mut ack = self.import(&ds)?;
        ack.summary = format!(
            "loaded the demo: {} jobs over {weeks} weeks ({} records)",
            ds.jobs.len(),
            ds.rows()
        );
        Ok(ack)
    }
}
