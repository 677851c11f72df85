//! Loading the aggregates the intents change: a job by its slug, and one loop with its whole
//! history (the only reads a write needs), plus the derived state rows they keep current.

use super::rows::{self, *};
use super::sql::{Db, params};
use super::{Error, Result};
use crate::domain::LoopKind;
use crate::domain::error::{Fix, Refusal};
use crate::domain::flow::Flow;
use crate::domain::loop_record::{Guardrail, LoopRecord, Superseded};
use crate::domain::model::*;
use crate::domain::state::{JobState, LoopState};
use crate::domain::suggest::nearest;
use crate::domain::time::Week;
use chrono::NaiveDate;

/// The job with this slug, or a refusal that suggests the nearest slug.
pub(super) fn job_by_slug(db: &mut dyn Db, slug: &str) -> Result<Job> {
    if let Some(j) = db.first(
        &format!("SELECT {JOB_COLS} FROM jobs WHERE slug = ?1"),
        params![slug],
        rows::job,
    )? {
        return Ok(j);
    }
    let slugs: Vec<String> = db.all(
        "SELECT slug FROM jobs WHERE archived_at IS NULL ORDER BY slug",
        &[],
        |r| Ok(r.text(0)?.unwrap_or_default().to_string()),
    )?;
    let names: Vec<&str> = slugs.iter().map(String::as_str).collect();
    let shown = slug;
    let refusal = if names.is_empty() {
        Refusal::not_found(format!("no job `{shown}`: there are no jobs yet")).fix(Fix::AddJob)
    } else {
        Refusal::not_found(format!("no job `{shown}`")).fix(Fix::ChooseJob {
            nearest: nearest(slug, &names).map(str::to_string),
        })
    };
    Err(Error::Refused(refusal))
}

/// One loop with everything its rules and its derived state need.
pub(super) fn loop_record(db: &mut dyn Db, slug: &str, kind: LoopKind) -> Result<LoopRecord> {
    let job = job_by_slug(db, slug)?;
    loop_of(db, job, kind)
}

/// The loop of kind `kind` of `job`, with its history.
pub(super) fn loop_of(db: &mut dyn Db, job: Job, kind: LoopKind) -> Result<LoopRecord> {
    let lp = db
        .first(
            &format!("SELECT {LOOP_COLS} FROM loops WHERE job_id = ?1 AND kind = ?2"),
            params![job.id, kind],
            loop_row,
        )?
        .ok_or_else(|| {
            Error::Storage(format!(
                "job `{}` has no {kind} loop: the file was edited outside jobloop",
                job.slug
            ))
            .then(super::Next::Doctor)
        })?;
    let steps = db.all(
        &format!("SELECT {STEP_COLS} FROM steps WHERE loop_id = ?1 ORDER BY n"),
        params![lp.id],
        step,
    )?;
    let metric = db.first(
        &format!(
            "SELECT {METRIC_COLS} FROM metrics WHERE loop_id = ?1 AND replaced_at IS NULL AND role = 'primary'"
        ),
        params![lp.id],
        rows::metric,
    )?;
    let kill_signals = db.all(
        &format!("SELECT {SIGNAL_COLS} FROM kill_signals WHERE loop_id = ?1 ORDER BY n"),
        params![lp.id],
        signal,
    )?;
    let (values, interventions) = match &metric {
        None => (Vec::new(), Vec::new()),
        Some(m) => measured(db, &m.id, &lp.id)?,
    };
    let decisions = db.all(
        &format!("SELECT {DECISION_COLS} FROM decisions WHERE loop_id = ?1 ORDER BY at, id"),
        params![lp.id],
        decision,
    )?;
    let learnings = db.all(
        &format!("SELECT {LEARNING_COLS} FROM learnings WHERE loop_id = ?1 ORDER BY at, id"),
        params![lp.id],
        learning,
    )?;
    let deviations = db.all(
        &format!("SELECT {DEVIATION_COLS} FROM deviations WHERE loop_id = ?1 ORDER BY at, id"),
        params![lp.id],
        deviation,
    )?;
    let superseded = superseded_of(db, &lp.id)?;
    let guardrails = guardrails_of(db, &lp.id, false)?;
    let removed_guardrails = guardrails_of(db, &lp.id, true)?;
    let flow = flow_of(db, &lp.job_id)?;
    Ok(LoopRecord {
        job,
        lp,
        steps,
        metric,
        retired_metric: None,
        kill_signals,
        values,
        interventions,
        decisions,
        learnings,
        deviations,
        superseded,
        guardrails,
        removed_guardrails,
        flow,
    })
}

/// The flow records of a job: each table's rows of the one loop that writes them (the steps
/// and drops of its redesign loop, governance and critic results of its govern loop, incidents
/// of its improve loop), oldest first.
pub(super) fn flow_of(db: &mut dyn Db, job_id: &JobId) -> Result<Flow> {
    let of = |kind: &str| format!("(SELECT id FROM loops WHERE job_id = ?1 AND kind = '{kind}')");
    Ok(Flow {
        steps: db.all(
            &format!(
                "SELECT {FLOW_STEP_COLS} FROM flow_steps WHERE loop_id = {} ORDER BY recorded_at, id",
                of("redesign")
            ),
            params![job_id],
            flow_step,
        )?,
        drops: db.all(
            &format!(
                "SELECT {FLOW_DROP_COLS} FROM flow_drops WHERE loop_id = {} ORDER BY recorded_at, id",
                of("redesign")
            ),
            params![job_id],
            flow_drop,
        )?,
        governance: db.all(
            &format!(
                "SELECT {GOVERNANCE_COLS} FROM governance WHERE loop_id = {} ORDER BY at, id",
                of("govern")
            ),
            params![job_id],
            governance,
        )?,
        critic_results: db.all(
            &format!(
                "SELECT {CRITIC_RESULT_COLS} FROM critic_results WHERE loop_id = {} ORDER BY at, id",
                of("govern")
            ),
            params![job_id],
            critic_result,
        )?,
        incidents: db.all(
            &format!(
                "SELECT {INCIDENT_COLS} FROM incidents WHERE loop_id = {} ORDER BY at, recorded_at, id",
                of("improve")
            ),
            params![job_id],
            incident,
        )?,
    })
}

/// The loop's guardrails in force (or, with `removed`, no longer watched), by name, each with
/// its values.
fn guardrails_of(db: &mut dyn Db, loop_id: &LoopId, removed: bool) -> Result<Vec<Guardrail>> {
    let metrics = db.all(
        &format!(
            "SELECT {METRIC_COLS} FROM metrics WHERE loop_id = ?1 AND replaced_at IS {} NULL AND role = 'guardrail' ORDER BY name, id",
            if removed { "NOT" } else { "" }
        ),
        params![loop_id],
        rows::metric,
    )?;
    let mut out = Vec::with_capacity(metrics.len());
    for metric in metrics {
        let (values, _) = measured(db, &metric.id, loop_id)?;
        out.push(Guardrail { metric, values });
    }
    Ok(out)
}

/// The loop's replaced primary metrics, oldest first, each with its values and interventions.
fn superseded_of(db: &mut dyn Db, loop_id: &LoopId) -> Result<Vec<Superseded>> {
    let metrics = db.all(
        &format!(
            "SELECT {METRIC_COLS} FROM metrics WHERE loop_id = ?1 AND replaced_at IS NOT NULL AND role = 'primary' ORDER BY set_at, id"
        ),
        params![loop_id],
        rows::metric,
    )?;
    let mut out = Vec::with_capacity(metrics.len());
    for metric in metrics {
        let (values, interventions) = measured(db, &metric.id, loop_id)?;
        out.push(Superseded {
            metric,
            values,
            interventions,
        });
    }
    Ok(out)
}

/// A metric's values and interventions on its loop, each in time order.
fn measured(
    db: &mut dyn Db,
    metric_id: &MetricId,
    loop_id: &LoopId,
) -> Result<(Vec<Value>, Vec<Intervention>)> {
    // A value is the loop's only when both its loop and its metric say so: a row naming
    // another loop's metric (an edit, refused by the shared server) is not.
    let mut values = db.all(
        &format!("SELECT {VALUE_COLS} FROM metric_values WHERE metric_id = ?1 AND loop_id = ?2"),
        params![metric_id, loop_id],
        rows::value,
    )?;
    let mut interventions = db.all(
        &format!(
            "SELECT {INTERVENTION_COLS} FROM interventions WHERE metric_id = ?1 AND loop_id = ?2"
        ),
        params![metric_id, loop_id],
        intervention,
    )?;
    values.sort_by_key(|v| (v.at.order_key(v.recorded_at), v.id.clone()));
    interventions.sort_by_key(|i| (i.at.order_key(i.recorded_at), i.id.clone()));
    Ok((values, interventions))
}

pub(super) fn cycles_of(db: &mut dyn Db, job_id: &JobId) -> Result<Vec<Cycle>> {
    db.all(
        &format!("SELECT {CYCLE_COLS} FROM cycles WHERE job_id = ?1 ORDER BY week"),
        params![job_id],
        cycle,
    )
}

pub(super) fn tools_of(db: &mut dyn Db, job_id: &JobId) -> Result<Vec<Tool>> {
    db.all(
        &format!("SELECT {TOOL_COLS} FROM tools WHERE job_id = ?1 ORDER BY at, id"),
        params![job_id],
        tool,
    )
}

pub(super) fn proofs_of(db: &mut dyn Db, job_id: &JobId) -> Result<Vec<Proof>> {
    db.all(
        &format!("SELECT {PROOF_COLS} FROM proofs WHERE job_id = ?1 ORDER BY at, id"),
        params![job_id],
        proof,
    )
}

/// Writes a loop's derived state (computed from its record).
pub(super) fn save_loop_state(db: &mut dyn Db, r: &LoopRecord) -> Result<()> {
    let state = LoopState::compute(r);
    put_loop_state(db, &r.lp.id, &r.lp.job_id, &state)
}

/// Writes a loop's derived state and says which guardrails it breaches that the state it
/// replaces did not, as a write by `actor` at `at` (read from the stored state, so nothing is
/// computed twice). A stored state that cannot be read says nothing: a breach is never claimed
/// without the state before it.
pub(super) fn save_loop_state_breaches(
    db: &mut dyn Db,
    r: &LoopRecord,
    actor: &str,
    at: crate::domain::Stamp,
) -> Result<Vec<crate::domain::hook::Happening>> {
    let state = LoopState::compute(r);
    let breached = state.guardrails.iter().any(|g| g.breached);
    let happened = if breached {
        let stored = db.first(
            "SELECT state FROM loop_state WHERE loop_id = ?1",
            params![r.lp.id],
            |row| {
                Ok(serde_json::from_str::<LoopState>(
                    row.text(0)?.unwrap_or_default(),
                ))
            },
        )?;
        match stored {
            None => crate::domain::hook::of_breaches(&r.job, None, &state, actor, at),
            Some(Ok(before)) => {
                crate::domain::hook::of_breaches(&r.job, Some(&before), &state, actor, at)
            }
            Some(Err(_)) => Vec::new(),
        }
    } else {
        Vec::new()
    };
    put_loop_state(db, &r.lp.id, &r.lp.job_id, &state)?;
    Ok(happened)
}

pub(super) fn put_loop_state(
    db: &mut dyn Db,
    loop_id: &LoopId,
    job_id: &JobId,
    s: &LoopState,
) -> Result<()> {
    let json = serde_json::to_string(s).map_err(|e| Error::Storage(e.to_string()))?;
    db.exec(
        "INSERT INTO loop_state (loop_id, job_id, state) VALUES (?1, ?2, ?3)
         ON CONFLICT (loop_id) DO UPDATE SET state = excluded.state",
        params![loop_id, job_id, json],
    )?;
    Ok(())
}

/// Recomputes and writes a job's derived state from its cycles, tools and proofs.
pub(super) fn save_job_state(db: &mut dyn Db, job_id: &JobId) -> Result<()> {
    let state = JobState::compute(
        &cycles_of(db, job_id)?,
        &tools_of(db, job_id)?,
        &proofs_of(db, job_id)?,
    );
    put_job_state(db, job_id, &state)
}

pub(super) fn put_job_state(db: &mut dyn Db, job_id: &JobId, s: &JobState) -> Result<()> {
    let json = serde_json::to_string(s).map_err(|e| Error::Storage(e.to_string()))?;
    db.exec(
        "INSERT INTO job_state (job_id, state) VALUES (?1, ?2)
         ON CONFLICT (job_id) DO UPDATE SET state = excluded.state",
        params![job_id, json],
    )?;
    Ok(())
}

/// The day of the job's earliest dated record that stands (a value, an intervention, a decision or
/// a learning by the day it is about, a tool, a flow step, removed work, an incident): its
/// history begins no later than that day.
pub(super) fn earliest_record(db: &mut dyn Db, job_id: &JobId) -> Result<Option<NaiveDate>> {
    let day = db.first(
        "SELECT MIN(d) FROM (
            SELECT substr(v.at, 1, 10) AS d FROM metric_values v JOIN loops l ON l.id = v.loop_id
                WHERE l.job_id = ?1 AND v.void_at IS NULL
            UNION ALL SELECT substr(i.at, 1, 10) FROM interventions i JOIN loops l ON l.id = i.loop_id
                WHERE l.job_id = ?1 AND i.void_at IS NULL
            UNION ALL SELECT COALESCE(d.about, substr(d.at, 1, 10)) FROM decisions d
                JOIN loops l ON l.id = d.loop_id WHERE l.job_id = ?1 AND d.void_at IS NULL
            UNION ALL SELECT COALESCE(g.about, substr(g.at, 1, 10)) FROM learnings g
                JOIN loops l ON l.id = g.loop_id WHERE l.job_id = ?1 AND g.void_at IS NULL
            UNION ALL SELECT substr(t.at, 1, 10) FROM tools t WHERE t.job_id = ?1
            UNION ALL SELECT substr(f.at, 1, 10) FROM flow_steps f JOIN loops l ON l.id = f.loop_id
                WHERE l.job_id = ?1 AND f.void_at IS NULL
            UNION ALL SELECT substr(f.at, 1, 10) FROM flow_drops f JOIN loops l ON l.id = f.loop_id
                WHERE l.job_id = ?1 AND f.void_at IS NULL
            UNION ALL SELECT substr(n.at, 1, 10) FROM incidents n JOIN loops l ON l.id = n.loop_id
                WHERE l.job_id = ?1 AND n.void_at IS NULL
        ) AS dated",
        params![job_id],
        |r| Ok(r.text(0)?.map(str::to_string)),
    )?;
    Ok(day
        .flatten()
        .and_then(|d| crate::domain::time::parse_typed_day(&d)))
}

/// The week the job's history begins (`job::history_start`): its start, the day it was
/// recorded, its earliest dated record or its earliest answered week, whichever is earliest.
pub(super) fn history_start(db: &mut dyn Db, job: &Job) -> Result<Week> {
    let earliest = earliest_record(db, &job.id)?;
    let answered: Vec<Week> = cycles_of(db, &job.id)?
        .iter()
        .filter_map(|c| Week::parse(&c.week).ok())
        .collect();
    Ok(crate::domain::job::history_start(job, earliest, answered))
}
