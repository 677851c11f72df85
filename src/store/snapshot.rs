//! The review snapshot: a handful of set-based queries, one per kind of row, in one read
//! transaction so every figure comes from the same moment. No query per job or per loop.

use rusqlite::{Connection, OpenFlags, Row};
use std::collections::HashMap;
use std::path::Path;

use super::load::{self, CYCLE_COLS, JOB_COLS, LOOP_COLS, METRIC_COLS, SIGNAL_COLS};
use super::{Result, Store};
use crate::domain::Stamp;
use crate::domain::model::{Job, Phase};
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

type Series = Vec<(Phase, Stamp, f64)>;

/// Values grouped by loop id, and which commit the read saw.
type Values = ((i64, i64), Vec<(String, Series)>);

/// Which commit a read transaction sees: every command appends an audit event, and an import
/// (which may bring no events) adds jobs, so two reads with the same answer see the same file.
fn last_seq(conn: &Connection) -> Result<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT (SELECT coalesce(max(seq), 0) FROM audit_events), (SELECT count(*) FROM jobs)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

/// The values of the metrics in force, grouped by loop. The rows come in the order of the
/// (metric, phase, at) index, so SQLite sorts nothing and each loop's key is copied once.
fn read_values(conn: &Connection) -> Result<Values> {
    let seq = last_seq(conn)?;
    let mut stmt = conn.prepare(
        "SELECT m.loop_id, v.phase, v.at, v.value
         FROM metrics m JOIN metric_values v ON v.metric_id = m.id
         WHERE m.replaced_at IS NULL
         ORDER BY m.id, v.phase, v.at",
    )?;
    let mut rows = stmt.query([])?;
    let mut out: Vec<(String, Series)> = Vec::new();
    while let Some(r) = rows.next()? {
        let id = r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
        if out.last().is_none_or(|(last, _)| last != id) {
            out.push((id.to_string(), Vec::new()));
        }
        if let Some((_, series)) = out.last_mut() {
            series.push((r.get(1)?, r.get(2)?, r.get(3)?));
        }
    }
    Ok((seq, out))
}

/// Reads the values (the largest part of a snapshot) on a second connection in another thread
/// while the caller reads the rest. Its answer is used only if it saw the same last audit event.
fn values_alongside(path: &Path) -> std::thread::JoinHandle<Result<Values>> {
    let path = path.to_path_buf();
    std::thread::spawn(move || {
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_millis(
            super::open::BUSY_TIMEOUT_MS,
        ))?;
        let tx = conn.unchecked_transaction()?;
        read_values(&tx)
    })
}

impl Store {
    /// Every active (not archived) job with its six loops.
    pub fn snapshot(&mut self) -> Result<Snapshot> {
        let values = values_alongside(&self.path);
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
        // The values, read alongside (see `values_alongside`) or here when that read saw another
        // moment of the file.
        let values = match values.join() {
            Ok(Ok((seq, v))) if seq == last_seq(&tx)? => v,
            _ => read_values(&tx)?.1,
        };
        for (loop_id, mut series) in values {
            if let Some(&(j, l)) = loop_index.get(&loop_id) {
                series.sort_by_key(|(_, at, _)| *at);
                jobs[j].loops[l].values = series;
            }
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
