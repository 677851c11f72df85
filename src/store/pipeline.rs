//! The write pipeline, written once over `Db`: load the aggregate, apply the intent (the domain
//! decides or refuses), persist what changed, append the chained audit event, fire the kill rules,
//! update the derived state — all inside the caller's transaction.

use serde_json::{Map, Value as Json};

use super::audit::append;
use super::guard;
use super::load::{self, job_by_slug, save_job_state, save_loop_state};
use super::rows::{self, *};
use super::sql::{Db, params};
use super::tables;
use super::{Error, Result};
use crate::domain::audit::{Change, row_json, with_state_hash};
use crate::domain::cycle::{CompoundAnswers, close_cycle};
use crate::domain::error::{Fix, Refusal};
use crate::domain::evidence;
use crate::domain::hook::{self, Happening};
use crate::domain::intent::{Intent, LoopOp};
use crate::domain::job::{self, NewJob};
use crate::domain::loop_record::{LoopRecord, Outcome, Row};
use crate::domain::model::*;
use crate::domain::time::{Week, When};
use crate::domain::verify::Table;
use crate::domain::{Ctx, LoopKind};

mod jobs;
mod rules;
use jobs::*;
pub(super) use rules::{check_loop, rules_after};

/// The acknowledgement of a command: given only after its transaction committed.
#[derive(Clone, Debug, PartialEq)]
pub struct Ack {
    pub summary: String,
    /// False when the command asked for what already was: nothing was written.
    pub changed: bool,
    /// The audit event that records it.
    pub seq: Option<i64>,
    /// What the lead will likely do next.
    pub next: Option<Fix>,
    /// What the committed write did that hooks listen to (empty for a write not committed).
    pub happened: Vec<Happening>,
}

impl Ack {
    fn unchanged(outcome: Outcome) -> Ack {
        Ack {
            summary: outcome.summary,
            changed: false,
            seq: None,
            next: None,
            happened: Vec::new(),
        }
    }

    fn of(outcome: Outcome, seq: i64) -> Ack {
        Ack {
            summary: outcome.summary,
            changed: true,
            seq: Some(seq),
            next: outcome.next,
            happened: Vec::new(),
        }
    }
}

/// The actor of everything jobloop does by itself (kill rules firing).
pub const SELF_ACTOR: &str = "jobloop";

/// When derived state is written: at once (a command), or once per loop and job at the end of
/// a batch of many commands in one transaction (the demo), which gives the same result.
pub(super) enum States {
    Now,
    Later {
        loops: std::collections::BTreeSet<(JobId, LoopKind)>,
        jobs: std::collections::BTreeSet<JobId>,
        /// Who wrote last, and when: a guardrail the batch breached is theirs.
        by: Option<(String, crate::domain::Stamp)>,
    },
}

impl States {
    pub(super) fn later() -> States {
        States::Later {
            loops: Default::default(),
            jobs: Default::default(),
            by: None,
        }
    }

    /// Saves (or, in a batch, notes) a loop's new state; says which guardrails it breached.
    fn loop_changed(
        &mut self,
        db: &mut dyn Db,
        r: &LoopRecord,
        ctx: &Ctx,
    ) -> Result<Vec<Happening>> {
        match self {
            States::Now => load::save_loop_state_breaches(db, r, &ctx.actor, ctx.now),
            States::Later { loops, by, .. } => {
                loops.insert((r.job.id.clone(), r.lp.kind));
                *by = Some((ctx.actor.clone(), ctx.now));
                Ok(Vec::new())
            }
        }
    }

    fn job_changed(&mut self, db: &mut dyn Db, job_id: &JobId) -> Result<()> {
        match self {
            States::Now => save_job_state(db, job_id),
            States::Later { jobs, .. } => {
                jobs.insert(job_id.clone());
                Ok(())
            }
        }
    }

    /// Writes the states a batch left for later; says which guardrails the batch breached
    /// (the stored states are still those from before it).
    pub(super) fn finish(self, db: &mut dyn Db) -> Result<Vec<Happening>> {
        let mut happened = Vec::new();
        if let States::Later { loops, jobs, by } = self {
            for (job_id, kind) in loops {
                let job = db
                    .first(
                        &format!("SELECT {JOB_COLS} FROM jobs WHERE id = ?1"),
                        params![job_id],
                        rows::job,
                    )?
                    .ok_or_else(|| Error::Storage(format!("job {job_id} vanished")))?;
                let record = load::loop_of(db, job, kind)?;
                match &by {
                    Some((actor, at)) => {
                        happened.extend(load::save_loop_state_breaches(db, &record, actor, *at)?)
                    }
                    None => save_loop_state(db, &record)?,
                }
            }
            for job_id in jobs {
                save_job_state(db, &job_id)?;
            }
        }
        Ok(happened)
    }
}

/// Applies one intent inside the caller's transaction: the team's check of the people it names,
/// then the intent's own steps.
pub(super) fn apply(
    db: &mut dyn Db,
    ctx: &Ctx,
    intent: &Intent,
    states: &mut States,
) -> Result<Ack> {
    team_binds_named_people(db, intent)?;
    match intent {
        Intent::AddJob {
            title,
            slug,
            statement,
            owner,
            since,
        } => {
            let (slug, statement, owner) =
                (slug.as_deref(), statement.as_deref(), owner.as_deref());
            let new = new_job(ctx, title, slug, statement, owner, *since)?;
            add_job(db, ctx, new, states)
        }
        Intent::EditJob { slug, edit } => {
            if let Some(since) = edit.since {
                later_start_keeps_answered_weeks(db, slug, since)?;
            }
            on_job(db, ctx, slug, |j| job::edit(j, edit, ctx.now))
        }
        Intent::ArchiveJob { slug, archived } => {
            on_job(db, ctx, slug, |j| Ok(job::set_archived(j, *archived, ctx)))
        }
        Intent::SetLead { slug, lead } => on_job(db, ctx, slug, |j| job::set_lead(j, lead)),
        Intent::SelectTool { slug, name, at } => select_tool(db, ctx, slug, name, *at, states),
        Intent::VoidTool { slug, tool, reason } => {
            change_row(db, ctx, (slug, tool), &TOOL_ROWS, states, |job, t| {
                evidence::void_tool(job, t, reason, ctx)
            })
        }
        Intent::AddProof {
            slug,
            title,
            kind,
            visibility,
            link,
            at,
        } => add_proof(db, ctx, slug, states, |job| {
            evidence::add_proof(job, title, *kind, *visibility, link.as_deref(), *at, ctx)
        }),
        Intent::TrackProof {
            slug,
            proof,
            counts,
            was,
        } => change_proof(db, ctx, (slug, proof), states, true, |job, p| {
            evidence::track_outcome(job, p, *counts, *was, ctx)
        }),
        Intent::SetProofVisibility {
            slug,
            proof,
            visibility,
            reason,
        } => change_proof(db, ctx, (slug, proof), states, false, |job, p| {
            evidence::set_visibility(job, p, *visibility, reason)
        }),
        Intent::CloseCycle {
            slug,
            week,
            answers,
        } => close_cycle_of(db, ctx, slug, *week, answers, states),
        Intent::OnLoop { slug, kind, op } => on_loop(db, ctx, slug, *kind, op, states),
        // Derived state is written once per loop at their end, whatever `states` says.
        Intent::RecordValues { rows, reason } => {
            super::value_import::record_values(db, ctx, rows, reason.as_deref())
        }
        Intent::VoidValues { values, reason } => {
            super::value_import::void_values(db, ctx, values, reason)
        }
    }
}

/// The job (and its loops) a new job's command describes, not yet written.
fn new_job(
    ctx: &Ctx,
    title: &str,
    slug: Option<&str>,
    statement: Option<&str>,
    owner: Option<&str>,
    since: Option<chrono::NaiveDate>,
) -> Result<NewJob> {
    let mut new = NewJob::create(title, slug, statement, owner, ctx)?;
    job::set_since(&mut new.job, since, ctx.now)?;
    Ok(new)
}

/// Is every owner or lead the intent names someone the team's rules bind? Checked before
/// anything else is read or written.
fn team_binds_named_people(db: &mut dyn Db, intent: &Intent) -> Result<()> {
    // On the shared database an owner or lead must be someone the team's rules bind, and no
    // look-alike of a member (names compare exactly there).
    let names = intent.person_names();
    if db.engine() == super::sql::Engine::Postgres && !names.is_empty() {
        let roles = super::pg_schema::role_facts(db)?;
        // A name that is no name at all (empty, control characters) is the intent's to refuse.
        let names = names
            .into_iter()
            .filter_map(|n| crate::domain::text::person_name("name", n).ok());
        for name in names {
            if let Some(r) =
                crate::domain::team::refusal(&name, &roles, super::pg_schema::GROUP, false)
            {
                return Err(r.into());
            }
        }
    }
    Ok(())
}

/// The job a job-level command writes on, once it is known unchanged behind our back and the
/// person may write on it.
fn writable_job(db: &mut dyn Db, ctx: &Ctx, slug: &str) -> Result<Job> {
    let job = job_by_slug(db, slug)?;
    guard::job_matches(db, &job)?;
    job::authorize(&job, ctx)?;
    Ok(job)
}

pub(super) fn on_loop(
    db: &mut dyn Db,
    ctx: &Ctx,
    slug: &str,
    kind: LoopKind,
    op: &LoopOp,
    states: &mut States,
) -> Result<Ack> {
    let before = load::loop_record(db, slug, kind)?;
    guard::job_matches(db, &before.job)?;
    guard::loop_matches(db, &before)?;
    let mut record = before.clone();
    applied(db, ctx, &before, &mut record, op, states, Rules::Fire)
}

/// Whether a loop's kill rules are read after each intent, or once after a batch of them.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Rules {
    Fire,
    Later,
}

/// Applies `op` to `record` (which is `before`, as stored and checked against the trail, or
/// that record with the values of a batch recorded since — `before` then needs no values, as
/// nothing of the trail's state holds them) and writes what it changed with its audit event.
/// On a refusal `record` may be partly changed: a batch is then given up whole.
pub(super) fn applied(
    db: &mut dyn Db,
    ctx: &Ctx,
    before: &LoopRecord,
    record: &mut LoopRecord,
    op: &LoopOp,
    states: &mut States,
    rules: Rules,
) -> Result<Ack> {
    let kind = record.lp.kind;
    let mut rows_before = touched_rows_match(db, before, op)?;
    let outcome = record.apply(op, ctx)?;
    if !outcome.changed {
        return Ok(Ack::unchanged(outcome));
    }
    rows_before.retain(|id, _| outcome.updated.iter().any(|r| r.id() == id));
    if save_loop(db, before, record, &outcome)? {
        record.lp.rev += 1;
    }
    let e = append(
        db,
        ctx,
        Change {
            command: outcome.command,
            job_id: Some(&record.job.id),
            loop_kind: Some(kind),
            summary: &outcome.summary,
            before: before.audit_state(),
            after: record.audit_after(&outcome),
        },
        rows_before,
    )?;
    let mut ack = Ack::of(outcome, e.seq);
    ack.happened = hook::of_loop_change(before, record, &ctx.actor, ctx.now)
        .into_iter()
        .map(|h| Happening {
            seq: Some(e.seq),
            ..h
        })
        .collect();
    if rules == Rules::Fire {
        let fired = rules_after(db, record, ctx, &mut ack.happened)?;
        if !fired.is_empty() {
            ack.summary = format!("{}\n{}", ack.summary, fired.join("\n"));
        }
    }
    let breached = states.loop_changed(db, record, ctx)?;
    ack.happened.extend(breached);
    Ok(ack)
}

/// The rows `op` would update, checked against the audit trail before the intent applies: the
/// hash of each as loaded, by id, for the event's `before`.
fn touched_rows_match(
    db: &mut dyn Db,
    before: &LoopRecord,
    op: &LoopOp,
) -> Result<Map<String, Json>> {
    let mut out = Map::new();
    let (job, kind) = (&before.job.id, Some(before.lp.kind));
    for row in before.rows_touched_by(op) {
        let id = row.id();
        let hash = match &row {
            Row::Value(r) => guard::row_matches(db, job, kind, Table::Values, id, r)?,
            Row::Intervention(r) => guard::row_matches(db, job, kind, Table::Interventions, id, r)?,
            Row::Decision(r) => guard::row_matches(db, job, kind, Table::Decisions, id, r)?,
            Row::Learning(r) => guard::row_matches(db, job, kind, Table::Learnings, id, r)?,
            Row::Metric(m) if !m.role.is_primary() => {
                guard::row_matches(db, job, kind, Table::Metrics, id, m)?
            }
            // The metric in force is part of the loop's state, checked with it.
            Row::Metric(_) => continue,
            Row::FlowStep(r) => guard::row_matches(db, job, kind, Table::FlowSteps, id, r)?,
            Row::FlowDrop(r) => guard::row_matches(db, job, kind, Table::FlowDrops, id, r)?,
            Row::Governance(r) => guard::row_matches(db, job, kind, Table::Governance, id, r)?,
            Row::CriticResult(r) => guard::row_matches(db, job, kind, Table::CriticResults, id, r)?,
            Row::Incident(r) => guard::row_matches(db, job, kind, Table::Incidents, id, r)?,
        };
        out.insert(id.to_string(), Json::String(hash));
    }
    Ok(out)
}

/// Writes a loop after an intent: the loop row (guarded by its `rev`), its changed steps,
/// signals and metrics, the appended row and the updated rows. Says whether the loop row was
/// written.
fn save_loop(
    db: &mut dyn Db,
    before: &LoopRecord,
    after: &LoopRecord,
    outcome: &Outcome,
) -> Result<bool> {
    let wrote_loop = save_small_state(db, before, after)?;
    match &outcome.appended {
        Some(Row::Value(v)) => insert_value(db, v)?,
        Some(Row::Intervention(i)) => insert_intervention(db, i)?,
        Some(Row::Decision(d)) => insert_decision(db, d)?,
        Some(Row::Learning(l)) => insert_learning(db, l)?,
        Some(Row::Metric(m)) => upsert_metric(db, m)?,
        Some(Row::FlowStep(r)) => upsert_flow_step(db, r)?,
        Some(Row::FlowDrop(r)) => upsert_flow_drop(db, r)?,
        Some(Row::Governance(r)) => upsert_governance(db, r)?,
        Some(Row::CriticResult(r)) => upsert_critic_result(db, r)?,
        Some(Row::Incident(r)) => upsert_incident(db, r)?,
        None => {}
    }
    if let Some(d) = &outcome.deviation {
        rows::insert_deviation(db, d)?;
    }
    for row in &outcome.updated {
        match row {
            Row::Value(v) => rows::set_void(db, &tables::VALUES, v.id.as_str(), &v.void)?,
            Row::Intervention(i) => {
                rows::set_void(db, &tables::INTERVENTIONS, i.id.as_str(), &i.void)?
            }
            Row::Learning(l) => rows::set_void(db, &tables::LEARNINGS, l.id.as_str(), &l.void)?,
            Row::Decision(d) => {
                rows::set_void(db, &tables::DECISIONS, d.id.as_str(), &d.void)?;
                rows::set_approval(db, d)?;
            }
            // A guardrail is a row of its own; the replaced primary metric is written with the
            // loop's metrics.
            Row::Metric(m) if !m.role.is_primary() => upsert_metric(db, m)?,
            Row::Metric(_) => {}
            Row::FlowStep(r) => upsert_flow_step(db, r)?,
            Row::FlowDrop(r) => upsert_flow_drop(db, r)?,
            Row::Governance(r) => upsert_governance(db, r)?,
            Row::CriticResult(r) => upsert_critic_result(db, r)?,
            Row::Incident(r) => upsert_incident(db, r)?,
        }
    }
    Ok(wrote_loop)
}

/// The loop row, when it changed, and its small child rows that changed. The row is written
/// only when its own fields change: a decision's owner signs off without touching the loop,
/// which the shared database does not let them change. Says whether the row was written.
fn save_small_state(db: &mut dyn Db, before: &LoopRecord, after: &LoopRecord) -> Result<bool> {
    let lp_changed = (&before.lp.status, &before.lp.owner, &before.lp.notes)
        != (&after.lp.status, &after.lp.owner, &after.lp.notes);
    if lp_changed {
        let n = db.exec(
            "UPDATE loops SET status = ?2, owner = ?3, notes = ?4, rev = rev + 1
             WHERE id = ?1 AND rev = ?5",
            params![
                after.lp.id,
                after.lp.status,
                after.lp.owner,
                after.lp.notes,
                before.lp.rev
            ],
        )?;
        if n != 1 {
            return Err(stale(&after.addr()));
        }
    }
    for s in after.steps.iter().filter(|s| !before.steps.contains(s)) {
        upsert_step(db, s)?;
    }
    for k in after
        .kill_signals
        .iter()
        .filter(|k| !before.kill_signals.contains(k))
    {
        upsert_signal(db, k)?;
    }
    // The replaced metric first: the index allows one metric in force per loop.
    if let Some(old) = &after.retired_metric {
        upsert_metric(db, old)?;
    }
    if after.metric != before.metric
        && let Some(m) = &after.metric
    {
        upsert_metric(db, m)?;
    }
    Ok(lp_changed)
}
