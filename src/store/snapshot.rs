//! The review snapshot: a handful of set-based queries, one per kind of row, in one read
//! transaction so every figure comes from the same moment. No query per job or per loop.

use std::collections::HashMap;

use super::load::{self, CYCLE_COLS, JOB_COLS, LOOP_COLS, METRIC_COLS, SIGNAL_COLS};
use super::{Result, Store};
use crate::domain::model::{Job, KillSignal, Metric};
use crate::domain::review::{JobSnap, LoopSnap, Snapshot};
use crate::domain::time::Stamp;

impl Store {
    /// Every active (not archived) job with its six loops.
    pub fn snapshot(&mut self) -> Result<Snapshot> {
        let tx = self.conn.transaction()?;
        let jobs: Vec<Job> = tx
            .prepare(&format!(
                "SELECT {JOB_COLS} FROM jobs WHERE archived_at IS NULL ORDER BY created_at, slug"
            ))?
            .query_map([], load::job)?
            .collect::<rusqlite::Result<_>>()?;

        let mut loops_by_job: HashMap<String, Vec<LoopSnap>> = HashMap::new();
        let mut stmt = tx.prepare(&format!(
            "SELECT {LOOP_COLS} FROM loops WHERE job_id IN (SELECT id FROM jobs WHERE archived_at IS NULL) ORDER BY job_id, position"
        ))?;
        for lp in stmt.query_map([], load::loop_row)? {
            let lp = lp?;
            loops_by_job
                .entry(lp.job_id.clone())
                .or_default()
                .push(LoopSnap {
                    lp,
                    metric: None,
                    steps_done: 0,
                    steps_total: 0,
                    kill_signals: Vec::new(),
                    values: Vec::new(),
                    interventions: 0,
                    last_intervention_at: None,
                });
        }
        drop(stmt);
        // Index of every loop by id, for attaching the per-loop aggregates below.
        let mut index: HashMap<String, (String, usize)> = HashMap::new();
        for (job_id, loops) in &loops_by_job {
            for (i, l) in loops.iter().enumerate() {
                index.insert(l.lp.id.clone(), (job_id.clone(), i));
            }
        }
        let mut with_loop = |loop_id: &str, f: &mut dyn FnMut(&mut LoopSnap)| {
            if let Some((job_id, i)) = index.get(loop_id)
                && let Some(l) = loops_by_job.get_mut(job_id).and_then(|v| v.get_mut(*i))
            {
                f(l);
            }
        };

        let mut stmt =
            tx.prepare("SELECT loop_id, count(*), count(done_at) FROM steps GROUP BY loop_id")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (id, total, done): (String, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
            with_loop(&id, &mut |l| {
                l.steps_total = total;
                l.steps_done = done;
            });
        }
        drop(rows);
        drop(stmt);

        let mut stmt = tx.prepare(&format!(
            "SELECT {METRIC_COLS} FROM metrics WHERE replaced_at IS NULL"
        ))?;
        for m in stmt.query_map([], load::metric)? {
            let m: Metric = m?;
            with_loop(&m.loop_id.clone(), &mut |l| l.metric = Some(m.clone()));
        }
        drop(stmt);

        let mut stmt = tx.prepare(&format!(
            "SELECT {SIGNAL_COLS} FROM kill_signals ORDER BY loop_id, n"
        ))?;
        for k in stmt.query_map([], load::signal)? {
            let k: KillSignal = k?;
            with_loop(&k.loop_id.clone(), &mut |l| l.kill_signals.push(k.clone()));
        }
        drop(stmt);

        // Values of the metrics in force, in time order: the domain computes every figure.
        let mut stmt = tx.prepare(
            "SELECT v.loop_id, v.phase, v.at, v.value
             FROM metric_values v JOIN metrics m ON m.id = v.metric_id AND m.replaced_at IS NULL
             ORDER BY v.loop_id, v.at, v.recorded_at",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let id: String = r.get(0)?;
            let value = (r.get(1)?, r.get(2)?, r.get(3)?);
            with_loop(&id, &mut |l| l.values.push(value));
        }
        drop(rows);
        drop(stmt);

        let mut stmt = tx.prepare(
            "SELECT i.loop_id, count(*), max(i.at) FROM interventions i
             JOIN metrics m ON m.id = i.metric_id AND m.replaced_at IS NULL GROUP BY i.loop_id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let (id, n, last): (String, i64, Stamp) = (r.get(0)?, r.get(1)?, r.get(2)?);
            with_loop(&id, &mut |l| {
                l.interventions = n;
                l.last_intervention_at = Some(last);
            });
        }
        drop(rows);
        drop(stmt);

        let mut last_cycle = HashMap::new();
        let mut stmt = tx.prepare(&format!(
            "SELECT {CYCLE_COLS} FROM cycles c
             WHERE week = (SELECT max(week) FROM cycles d WHERE d.job_id = c.job_id)"
        ))?;
        for c in stmt.query_map([], load::cycle)? {
            let c = c?;
            last_cycle.insert(c.job_id.clone(), c);
        }
        drop(stmt);
        tx.finish()?;

        let jobs = jobs
            .into_iter()
            .map(|job| JobSnap {
                loops: loops_by_job.remove(&job.id).unwrap_or_default(),
                last_cycle: last_cycle.remove(&job.id),
                job,
            })
            .collect();
        Ok(Snapshot { jobs })
    }
}
