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
        self.import_with(ds, &mut |_, _| {})
    }

    /// `import`, reporting rows written to `progress(done, total)`.
    pub fn import_with(&mut self, ds: &Dataset, progress: &mut dyn FnMut(u64, u64)) -> Result<Ack> {
        self.restore(
            ds,
            progress,
            "import into a new database, e.g. `jobloop --db new.db import FILE`",
        )
    }

    /// Writes `ds` into an empty database in one transaction; `when_full` says what to do when
    /// the database already holds other records.
    fn restore(
        &mut self,
        ds: &Dataset,
        progress: &mut dyn FnMut(u64, u64),
        when_full: &str,
    ) -> Result<Ack> {
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
                    "{path} already holds records ({jobs} jobs): {when_full}; nothing was written"
                ))));
            }
            insert_all(tx, ds, progress)?;
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

fn insert_all(tx: &Connection, ds: &Dataset, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
    let total = ds.rows() as u64;
    let mut done = 0u64;
    let mut tick = |n: usize| {
        done += n as u64;
        progress(done, total);
    };
    for j in &ds.jobs {
        insert_job(tx, j)?;
    }
    tick(ds.jobs.len());
    for l in &ds.loops {
        insert_loop_row(tx, l)?;
    }
    tick(ds.loops.len());
    for s in &ds.steps {
        upsert_step(tx, s)?;
    }
    tick(ds.steps.len());
    for m in &ds.metrics {
        upsert_metric(tx, m)?;
    }
    tick(ds.metrics.len());
    for chunk in ds.values.chunks(5000) {
        for v in chunk {
            insert_value(tx, v)?;
        }
        tick(chunk.len());
    }
    for i in &ds.interventions {
        insert_intervention(tx, i)?;
    }
    tick(ds.interventions.len());
    for k in &ds.kill_signals {
        upsert_signal(tx, k)?;
    }
    tick(ds.kill_signals.len());
    for d in &ds.decisions {
        insert_decision(tx, d)?;
    }
    tick(ds.decisions.len());
    for c in &ds.cycles {
        insert_cycle(tx, c)?;
    }
    tick(ds.cycles.len());
    for t in &ds.tools {
        insert_tool(tx, t)?;
    }
    tick(ds.tools.len());
    for l in &ds.learnings {
        insert_learning(tx, l)?;
    }
    tick(ds.learnings.len());
    for p in &ds.proofs {
        upsert_proof(tx, p)?;
    }
    tick(ds.proofs.len());
    // The trail is the largest table: report it as it goes.
    for chunk in ds.audit_events.chunks(5000) {
        for e in chunk {
            audit::insert(tx, e)?;
        }
        tick(chunk.len());
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
        let when_full = "the demo fills only an empty database (try `jobloop --db demo.db demo`)";
        if !self.is_empty()? {
            return Err(Error::Refused(Refusal::rule(format!(
                "{} already holds records: {when_full}",
                self.path.display()
            ))));
        }
        let mut bar = crate::progress::Progress::new("generating");
        let mut ds = crate::domain::demo::generate_with(jobs, weeks, seed, now, &mut |j| {
            bar.set(j as u64, jobs as u64)
        });
        drop(bar);
        ds.schema_version = SCHEMA_VERSION;
        let mut bar = crate::progress::Progress::new("writing");
        let mut ack = self.restore(&ds, &mut |d, t| bar.set(d, t), when_full)?;
        ack.summary = format!(
            "loaded the demo: {} jobs over {weeks} weeks ({} records)",
            ds.jobs.len(),
            ds.rows()
        );
        Ok(ack)
    }
}
