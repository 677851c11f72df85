//! The review snapshot: a handful of set-based queries, one per kind of row, in one read
//! transaction so every figure comes from the same moment. No query per job or per loop.

use rusqlite::{Connection, Row};
use std::collections::HashMap;

use super::load::{self, CYCLE_COLS, JOB_COLS, LOOP_COLS, METRIC_COLS, SIGNAL_COLS};
use super::{Result, Store};
use crate::domain::model::Job;
use crate::domain::review::{JobSnap, LoopSnap, Snapshot};

/// Runs `sql` and hands each row to `f`.
fn each(
    conn: &Connection,
    sql: &str,
    mut f: impl FnMut(&Row) -> rusqlite::Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        f(r)?;
    }
    Ok(())
}

fn loop_mut<'a>(
    jobs: &'a mut [JobSnap],
    index: &HashMap<String, (usize, usize)>,
    id: &str,
) -> Option<&'a mut LoopSnap> {
    let &(j, l) = index.get(id)?;
    jobs.get_mut(j)?.loops.get_mut(l)
}

fn job_mut<'a>(
    jobs: &'a mut [JobSnap],
    index: &HashMap<String, usize>,
    id: &str,
) -> Option<&'a mut JobSnap> {
    jobs.get_mut(*index.get(id)?)
}

impl Store {
    /// Every active (not archived) job with its six loops.
    pub fn snapshot(&mut self) -> Result<Snapshot> {
        let tx = self.conn.transaction()?;
        let mut jobs: Vec<JobSnap> = Vec::new();
        let mut job_index: HashMap<String, usize> = HashMap::new();
        each(
            &tx,
            &format!(
                "SELECT {JOB_COLS} FROM jobs WHERE archived_at IS NULL ORDER BY created_at, slug"
            ),
            |r| {
                let job: Job = load::job(r)?;
                job_index.insert(job.id.clone(), jobs.len());
                jobs.push(JobSnap {
                    job,
                    loops: Vec::new(),
                    last_cycle: None,
                    tools: Vec::new(),
                    learnings: Vec::new(),
                    proofs: Vec::new(),
                });
                Ok(())
            },
        )?;
        // Each loop's place: (job index, loop index), for attaching the rows below.
        let mut loop_index: HashMap<String, (usize, usize)> = HashMap::new();
        each(
            &tx,
            &format!("SELECT {LOOP_COLS} FROM loops ORDER BY job_id, position"),
            |r| {
                let lp = load::loop_row(r)?;
                if let Some(&j) = job_index.get(&lp.job_id) {
                    loop_index.insert(lp.id.clone(), (j, jobs[j].loops.len()));
                    jobs[j].loops.push(LoopSnap {
                        lp,
                        metric: None,
                        steps: Vec::new(),
                        kill_signals: Vec::new(),
                        values: Vec::new(),
                        intervention_dates: Vec::new(),
                        decisions_without_threshold: 0,
                    });
                }
                Ok(())
            },
        )?;

        each(
            &tx,
            "SELECT loop_id, n, done_at FROM steps ORDER BY loop_id, n",
            |r| {
                let id: String = r.get(0)?;
                let step = (r.get(1)?, r.get(2)?);
                if let Some(l) = loop_mut(&mut jobs, &loop_index, &id) {
                    l.steps.push(step);
                }
                Ok(())
            },
        )?;
        each(
            &tx,
            &format!("SELECT {METRIC_COLS} FROM metrics WHERE replaced_at IS NULL"),
            |r| {
                let m = load::metric(r)?;
                if let Some(l) = loop_mut(&mut jobs, &loop_index, &m.loop_id.clone()) {
                    l.metric = Some(m);
                }
                Ok(())
            },
        )?;
        each(
            &tx,
            &format!("SELECT {SIGNAL_COLS} FROM kill_signals ORDER BY loop_id, n"),
            |r| {
                let k = load::signal(r)?;
                if let Some(l) = loop_mut(&mut jobs, &loop_index, &k.loop_id.clone()) {
                    l.kill_signals.push(k);
                }
                Ok(())
            },
        )?;
        // Values of the metrics in force: the domain computes every figure. The rows come in the
        // order of the (metric, phase, at) index, so SQLite sorts nothing and each loop is looked
        // up once, not once per row; each loop's values are put in time order below.
        {
            let mut stmt = tx.prepare(
                "SELECT m.loop_id, v.phase, v.at, v.value
                 FROM metrics m JOIN metric_values v ON v.metric_id = m.id
                 WHERE m.replaced_at IS NULL
                 ORDER BY m.id, v.phase, v.at",
            )?;
            let mut rows = stmt.query([])?;
            let mut current: Option<(String, Option<(usize, usize)>)> = None;
            while let Some(r) = rows.next()? {
                let id = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
                if current.as_ref().is_none_or(|(c, _)| c != id) {
                    current = Some((id.to_string(), loop_index.get(id).copied()));
                }
                if let Some((_, Some((j, l)))) = &current {
                    let value = (r.get(1)?, r.get(2)?, r.get(3)?);
                    jobs[*j].loops[*l].values.push(value);
                }
            }
        }
        for l in jobs.iter_mut().flat_map(|j| j.loops.iter_mut()) {
            l.values.sort_by_key(|(_, at, _)| *at);
        }
        each(
            &tx,
            "SELECT i.loop_id, i.at FROM interventions i
             JOIN metrics m ON m.id = i.metric_id AND m.replaced_at IS NULL ORDER BY i.loop_id, i.at",
            |r| {
                let id: String = r.get(0)?;
                let at = r.get(1)?;
                if let Some(l) = loop_mut(&mut jobs, &loop_index, &id) {
                    l.intervention_dates.push(at);
                }
                Ok(())
            },
        )?;
        each(
            &tx,
            "SELECT loop_id, count(*) FROM decisions WHERE threshold IS NULL OR threshold = ''
             GROUP BY loop_id",
            |r| {
                let id: String = r.get(0)?;
                let n = r.get(1)?;
                if let Some(l) = loop_mut(&mut jobs, &loop_index, &id) {
                    l.decisions_without_threshold = n;
                }
                Ok(())
            },
        )?;
        let mut learnings: Vec<(String, _)> = Vec::new();
        each(
            &tx,
            "SELECT loop_id, type, tag, at FROM learnings ORDER BY at",
            |r| {
                learnings.push((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?)));
                Ok(())
            },
        )?;
        for (loop_id, entry) in learnings {
            if let Some(&(j, _)) = loop_index.get(&loop_id) {
                jobs[j].learnings.push(entry);
            }
        }
        each(&tx, "SELECT job_id, name, at FROM tools ORDER BY at", |r| {
            let id: String = r.get(0)?;
            let tool = (r.get(1)?, r.get(2)?);
            if let Some(j) = job_mut(&mut jobs, &job_index, &id) {
                j.tools.push(tool);
            }
            Ok(())
        })?;
        each(
            &tx,
            "SELECT job_id, title, at, outcome_at IS NOT NULL FROM proofs ORDER BY at",
            |r| {
                let id: String = r.get(0)?;
                let proof = (r.get(1)?, r.get(2)?, r.get(3)?);
                if let Some(j) = job_mut(&mut jobs, &job_index, &id) {
                    j.proofs.push(proof);
                }
                Ok(())
            },
        )?;
        each(
            &tx,
            &format!(
                "SELECT {} FROM cycles c
                 JOIN (SELECT job_id, max(week) AS last FROM cycles GROUP BY job_id) l
                   ON l.job_id = c.job_id AND l.last = c.week",
                load::prefixed("c", CYCLE_COLS)
            ),
            |r| {
                let c = load::cycle(r)?;
                if let Some(j) = job_mut(&mut jobs, &job_index, &c.job_id.clone()) {
                    j.last_cycle = Some(c);
                }
                Ok(())
            },
        )?;
        tx.finish()?;
        Ok(Snapshot { jobs })
    }
}
