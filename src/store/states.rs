//! The derived per-loop and per-job state as a whole: rebuilt after an import or a migration,
//! compared with the records by `verify`, repaired by `doctor --repair`.

use serde_json::{Map, Value as Json};

use super::load;
use super::rows::{self, JOB_COLS, METRIC_COLS};
use super::sql::{Db, params};
use super::{Error, Result};
use crate::domain::LoopKind;
use crate::domain::audit::{Change, row_json};
use crate::domain::loop_record::LoopRecord;
use crate::domain::model::{Ctx, Job, Metric};
use crate::domain::state::{JobState, LoopState};
use crate::domain::time::Stamp;
use crate::domain::verify::{Table, Verifier, Wrong};

/// Every job that can be read, in a stable order. A row that cannot be read is reported by
/// `verify`'s pass over its table; the states that depend on it are left out rather than
/// stopping the whole rebuild or check.
fn jobs(db: &mut dyn Db) -> Result<Vec<Job>> {
    let mut readable = Vec::new();
    db.each(
        &format!("SELECT {JOB_COLS} FROM jobs ORDER BY created_at, id"),
        &[],
        &mut |r| {
            match rows::job(r) {
                Ok(j) => readable.push(j),
                Err(Error::Undecodable(_)) => {}
                Err(e) => return Err(e),
            }
            Ok(())
        },
    )?;
    Ok(readable)
}

/// Jobs whose states are computed together (on every core) between reads and writes.
const BATCH: usize = 64;

/// The states of `records`, computed on the machine's cores: the exact tests of the
/// comparisons dominate a rebuild or a check of a large file.
fn compute_all(records: &[LoopRecord]) -> Vec<LoopState> {
    crate::par::map(records, LoopState::compute)
}

/// The six loops of each job of `batch` that can be read. A job whose records cannot be read
/// (a file edited behind jobloop's back) is left out: `verify` reports its records, and the
/// board reports the job.
fn readable_loops(db: &mut dyn Db, batch: &[Job]) -> Result<Vec<(Job, Vec<LoopRecord>)>> {
    let mut out = Vec::new();
    for job in batch {
        let loops = LoopKind::ALL
            .iter()
            .map(|k| load::loop_of(db, job.clone(), *k))
            .collect::<Result<Vec<_>>>();
        match loops {
            Ok(l) => out.push((job.clone(), l)),
            Err(e) if matches!(e.bare(), Error::Undecodable(_) | Error::Storage(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// One batch of jobs with the states of their readable loops, freshly computed.
struct Computed<'a> {
    /// Every job of the batch.
    batch: &'a [Job],
    /// The jobs whose six loops could be read, and those loops with their states, in order.
    readable: Vec<Job>,
    records: Vec<LoopRecord>,
    states: Vec<LoopState>,
}

/// The batch a computing thread returns (its panic goes on in the caller).
fn finish<'a>(handle: std::thread::ScopedJoinHandle<'_, Computed<'a>>) -> Computed<'a> {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Calls `done` with each batch of `jobs` and its computed states, in order. The next batch is
/// read on this thread while the batch before is computed on the others, so reading (one
/// connection, in turn) and the exact tests overlap instead of taking turns.
fn computed_batches(
    db: &mut dyn Db,
    jobs: &[Job],
    done: &mut dyn FnMut(&mut dyn Db, Computed) -> Result<()>,
) -> Result<()> {
    std::thread::scope(|scope| {
        let mut pending: Option<std::thread::ScopedJoinHandle<'_, Computed>> = None;
        for batch in jobs.chunks(BATCH) {
            let loaded = readable_loops(db, batch)?;
            let next = scope.spawn(move || {
                let (readable, loops): (Vec<Job>, Vec<Vec<LoopRecord>>) =
                    loaded.into_iter().unzip();
                let records: Vec<LoopRecord> = loops.into_iter().flatten().collect();
                let states = compute_all(&records);
                Computed {
                    batch,
                    readable,
                    records,
                    states,
                }
            });
            if let Some(before) = pending.replace(next) {
                done(db, finish(before))?;
            }
        }
        match pending {
            Some(last) => done(db, finish(last)),
            None => Ok(()),
        }
    })
}

/// Recomputes the derived state of every loop and job and writes it; `progress(done, total)`
/// reports jobs done.
pub(super) fn rebuild_all(db: &mut dyn Db, progress: &mut dyn FnMut(u64, u64)) -> Result<()> {
    let all = jobs(db)?;
    let total = all.len() as u64;
    let mut done = 0;
    computed_batches(db, &all, &mut |db, c| {
        for (record, state) in c.records.iter().zip(&c.states) {
            load::put_loop_state(db, &record.lp.id, &record.lp.job_id, state)?;
        }
        for job in &c.readable {
            match load::save_job_state(db, &job.id) {
                Ok(()) => {}
                Err(e) if matches!(e.bare(), Error::Undecodable(_) | Error::Storage(_)) => {}
                Err(e) => return Err(e),
            }
        }
        done += c.batch.len() as u64;
        progress(done, total);
        Ok(())
    })
}

/// What version 3 adds to an older file, inside its migration: the derived state of every loop
/// and job, and one audit event that records the metrics replaced before version 3 (earlier
/// events did not record their final state, so `verify` could not account for them).
pub(super) fn after_migration(db: &mut dyn Db, from_version: i64) -> Result<()> {
    if from_version >= 3 {
        return Ok(());
    }
    rebuild_all(db, &mut |_, _| {})?;
    let replaced: Vec<Metric> = db.all(
        &format!("SELECT {METRIC_COLS} FROM metrics WHERE replaced_at IS NOT NULL ORDER BY id"),
        &[],
        rows::metric,
    )?;
    if replaced.is_empty() {
        return Ok(());
    }
    let mut after = Map::new();
    let mut tables = Map::new();
    tables.insert(
        "metrics".into(),
        Json::Array(replaced.iter().map(row_json).collect()),
    );
    after.insert("updated".into(), Json::Object(tables));
    let ctx = Ctx::local(super::pipeline::SELF_ACTOR, Stamp::now());
    super::audit::append(
        db,
        &ctx,
        Change {
            command: crate::domain::Command::Migrate,
            job_id: None,
            loop_kind: None,
            summary: &format!(
                "upgraded the schema from version {from_version} to 3; recorded {} replaced metric(s)",
                replaced.len()
            ),
            before: Json::Null,
            after: Json::Object(after),
        },
        Map::new(),
    )?;
    Ok(())
}

/// Compares every stored derived state with a recomputation from the records; differences and
/// missing or unreadable states go to the verifier's report.
pub(super) fn check_all(db: &mut dyn Db, v: &mut Verifier) -> Result<()> {
    let all = jobs(db)?;
    computed_batches(db, &all, &mut |db, c| {
        // The stored states are read batch by batch (by the job index), never all at once.
        let mut stored_loops = std::collections::HashMap::new();
        for job in c.batch {
            db.each(
                "SELECT loop_id, state FROM loop_state WHERE job_id = ?1",
                params![job.id],
                &mut |r| {
                    let state = serde_json::from_str::<LoopState>(r.text(1)?.unwrap_or_default());
                    stored_loops.insert(r.text(0)?.unwrap_or_default().to_string(), state);
                    Ok(())
                },
            )?;
        }
        for (record, fresh) in c.records.iter().zip(c.states) {
            let same = stored_loops
                .get(record.lp.id.as_str())
                .and_then(|s| s.as_ref().ok())
                .is_some_and(|s| *s == fresh);
            if !same {
                v.problem(
                    Table::LoopState,
                    format!("{}/{}", record.job.slug, record.lp.kind),
                    Wrong::Stale,
                    None,
                );
            }
        }
        for job in c.batch {
            let parts = (|| {
                Ok((
                    load::cycles_of(db, &job.id)?,
                    load::tools_of(db, &job.id)?,
                    load::proofs_of(db, &job.id)?,
                ))
            })();
            let (cycles, tools, proofs) = match parts {
                Ok(p) => p,
                Err(Error::Undecodable(_)) => continue,
                Err(e) => return Err(e),
            };
            let fresh = JobState::compute(&cycles, &tools, &proofs);
            let stored = db.first(
                "SELECT state FROM job_state WHERE job_id = ?1",
                params![job.id],
                |r| Ok(r.text(0)?.unwrap_or_default().to_string()),
            )?;
            let same = stored
                .and_then(|s| serde_json::from_str::<JobState>(&s).ok())
                .is_some_and(|s| s == fresh);
            if !same {
                v.problem(Table::JobState, job.slug.clone(), Wrong::Stale, None);
            }
        }
        Ok(())
    })
}

/// Rewrites every derived state from the records (`doctor --repair`).
pub(super) fn repair(db: &mut dyn Db) -> Result<()> {
    db.exec("DELETE FROM loop_state", params![])?;
    db.exec("DELETE FROM job_state", params![])?;
    rebuild_all(db, &mut |_, _| {})
}

/// A derived state of an older format is recomputed when the file is opened for writing. (A
/// missing one is not: jobloop writes every loop's state with the loop, so a missing state
/// means an edit behind its back, which `verify` reports and `doctor --repair` rebuilds.)
///
/// Every state is rewritten together (in one transaction) when the format changes, so the first
/// and the last by key stand for all: opening a large file reads two rows, not every state.
pub(super) fn outdated(db: &mut dyn Db) -> Result<bool> {
    let current = format!("{{\"version\":{},", crate::domain::state::STATE_VERSION);
    for order in ["ASC", "DESC"] {
        let state = db.first(
            &format!("SELECT state FROM loop_state ORDER BY loop_id {order} LIMIT 1"),
            &[],
            |r| Ok(r.text(0)?.unwrap_or_default().to_string()),
        )?;
        if state.is_some_and(|s| !s.starts_with(&current)) {
            return Ok(true);
        }
    }
    Ok(false)
}
