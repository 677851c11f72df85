//! `verify`: every table's rows against the audit trail, through the `Verifier` of the domain,
//! reading on past a row that cannot be read and reporting it.

use super::super::rows::{self, *};
use super::super::sql::Db;
use super::super::tables;
use super::super::{Error, Result};
use crate::domain::audit::EventText;
use crate::domain::model::*;
use crate::domain::verify::{Report, StoredEvent, Table, Verifier, Wrong};
use std::collections::HashMap;

/// Feeds rows of one table to `f`, reporting rows that cannot be read and going on.
fn rows_of<T>(
    db: &mut dyn Db,
    v: &mut Verifier,
    sql: &str,
    map: fn(&dyn super::super::sql::Row) -> Result<T>,
    mut f: impl FnMut(&mut Verifier, T),
) -> Result<()> {
    let mut bad = Vec::new();
    let mut good = |r: &dyn super::super::sql::Row| -> Result<()> {
        match map(r) {
            Ok(rec) => f(v, rec),
            Err(Error::Undecodable(u)) => bad.push(u),
            Err(e) => return Err(e),
        }
        Ok(())
    };
    db.each(sql, &[], &mut good)?;
    for u in bad {
        v.problem(u.table, u.id, Wrong::Unreadable(u.why), None);
    }
    Ok(())
}

/// Verifies everything in one pass over the trail and one over each table. With `states`, the
/// derived per-loop and per-job state is recomputed and compared too.
pub(in crate::store) fn verify_in(db: &mut dyn Db, states: bool) -> Result<Report> {
    let mut v = Verifier::new();
    trail(db, &mut v)?;
    jobs_and_loops(db, &mut v)?;
    accounted_rows(db, &mut v)?;
    if states {
        super::super::states::check_all(db, &mut v)?;
    }
    Ok(v.finish())
}

/// The audit trail, event by event in order: is the chain whole?
fn trail(db: &mut dyn Db, v: &mut Verifier) -> Result<()> {
    db.each(
        &format!("SELECT {EVENT_COLS} FROM audit_events ORDER BY seq"),
        &[],
        &mut |r| {
            let seq = r.int(0)?.unwrap_or(0);
            let t = |i: usize| r.text(i).map(|t| t.unwrap_or_default());
            let text = EventText {
                seq,
                id: t(1)?,
                at: t(2)?,
                actor: t(3)?,
                command: t(4)?,
                job_id: r.text(5)?,
                loop_kind: r.text(6)?,
                summary: t(7)?,
                before: t(8)?,
                after: t(9)?,
                prev_hash: t(10)?,
            };
            v.event(&StoredEvent { text, hash: t(11)? });
            Ok(())
        },
    )?;
    Ok(())
}

/// Jobs, then loops with what their audited state covers.
fn jobs_and_loops(db: &mut dyn Db, v: &mut Verifier) -> Result<()> {
    let mut slugs: HashMap<JobId, String> = HashMap::new();
    rows_of(
        db,
        v,
        &format!("SELECT {JOB_COLS} FROM jobs"),
        rows::job,
        |v, j| {
            slugs.insert(j.id.clone(), j.slug.clone());
            v.job(&j);
        },
    )?;
    let (mut steps, mut signals, mut metrics) = loop_parts(db, v)?;
    rows_of(
        db,
        v,
        &format!("SELECT {LOOP_COLS} FROM loops ORDER BY job_id, position"),
        rows::loop_row,
        |v, l| {
            let slug = slugs
                .get(&l.job_id)
                .cloned()
                .unwrap_or_else(|| l.job_id.to_string());
            v.loop_record(
                &slug,
                &l,
                metrics.remove(&l.id).as_ref(),
                &steps.remove(&l.id).unwrap_or_default(),
                &signals.remove(&l.id).unwrap_or_default(),
            );
        },
    )?;
    no_loop_rows(v, steps, signals, metrics);
    Ok(())
}

/// Each loop's steps, kill signals and primary metric, by loop.
type LoopParts = (
    HashMap<LoopId, Vec<Step>>,
    HashMap<LoopId, Vec<KillSignal>>,
    HashMap<LoopId, Metric>,
);

/// The rows a loop's audited state covers, by loop: its steps, its kill signals, its primary
/// metric (other metrics are checked as rows of their own here).
fn loop_parts(db: &mut dyn Db, v: &mut Verifier) -> Result<LoopParts> {
    let mut steps: HashMap<LoopId, Vec<Step>> = HashMap::new();
    rows_of(
        db,
        v,
        &format!("SELECT {STEP_COLS} FROM steps ORDER BY loop_id, n"),
        rows::step,
        |_, s| steps.entry(s.loop_id.clone()).or_default().push(s),
    )?;
    let mut signals: HashMap<LoopId, Vec<KillSignal>> = HashMap::new();
    rows_of(
        db,
        v,
        &format!("SELECT {SIGNAL_COLS} FROM kill_signals ORDER BY loop_id, n"),
        rows::signal,
        |_, k| signals.entry(k.loop_id.clone()).or_default().push(k),
    )?;
    let mut metrics: HashMap<LoopId, Metric> = HashMap::new();
    rows_of(
        db,
        v,
        &format!("SELECT {METRIC_COLS} FROM metrics ORDER BY id"),
        rows::metric,
        |v, m| {
            // Replaced metrics and guardrails are rows of their own, written whole by an event.
            if m.replaced_at.is_some() || !m.role.is_primary() {
                v.row(Table::Metrics, m.id.as_str(), &m);
            } else {
                metrics.insert(m.loop_id.clone(), m);
            }
        },
    )?;
    Ok((steps, signals, metrics))
}

/// Rows that belong to no loop were added behind jobloop's back.
fn no_loop_rows(
    v: &mut Verifier,
    steps: HashMap<LoopId, Vec<Step>>,
    signals: HashMap<LoopId, Vec<KillSignal>>,
    metrics: HashMap<LoopId, Metric>,
) {
    for s in steps.into_values().flatten() {
        v.problem(Table::Steps, s.id.into_string(), Wrong::Inserted, None);
    }
    for k in signals.into_values().flatten() {
        v.problem(
            Table::KillSignals,
            k.id.into_string(),
            Wrong::Inserted,
            None,
        );
    }
    for m in metrics.into_values() {
        v.problem(Table::Metrics, m.id.into_string(), Wrong::Inserted, None);
    }
}

/// Every table whose rows the trail accounts for one by one, as its declaration says.
fn accounted_rows(db: &mut dyn Db, v: &mut Verifier) -> Result<()> {
    for def in tables::TABLES
        .into_iter()
        .filter(|t| t.accounted == tables::Accounted::Rows)
    {
        let sql = format!(
            "SELECT {} FROM {}",
            def.columns
                .iter()
                .map(|c| c.name)
                .collect::<Vec<_>>()
                .join(", "),
            def.name
        );
        macro_rules! rows {
            ($map:expr) => {
                rows_of(db, v, &sql, $map, |v, r| {
                    v.row(def.table, r.id.as_str(), &r)
                })?
            };
        }
        match def.table {
            Table::Values => rows!(rows::value),
            // Each plan also against its own hash: a plan and hash edited together still
            // differ from the trail, and say which it is.
            Table::Interventions => rows_of(db, v, &sql, rows::intervention, |v, r| {
                if let Err(why) = crate::domain::plan::check(&r) {
                    v.problem(
                        Table::Interventions,
                        r.id.to_string(),
                        Wrong::Unreadable(why),
                        None,
                    );
                }
                v.row(def.table, r.id.as_str(), &r)
            })?,
            Table::Decisions => rows!(rows::decision),
            Table::Learnings => rows!(rows::learning),
            Table::Cycles => rows!(rows::cycle),
            Table::Tools => rows!(rows::tool),
            Table::Proofs => rows!(rows::proof),
            Table::Deviations => rows!(rows::deviation),
            Table::FlowSteps => rows!(rows::flow_step),
            Table::FlowDrops => rows!(rows::flow_drop),
            Table::Governance => rows!(rows::governance),
            Table::CriticResults => rows!(rows::critic_result),
            Table::Incidents => rows!(rows::incident),
            // Accounted for above, with the loops' and jobs' states, or by the chain itself.
            Table::Jobs
            | Table::Loops
            | Table::Steps
            | Table::KillSignals
            | Table::Metrics
            | Table::AuditEvents
            | Table::LoopState
            | Table::JobState => {}
        }
    }
    Ok(())
}
