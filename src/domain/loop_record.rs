//! One loop with its whole history, and the intents that change it. The store loads a
//! `LoopRecord` inside a write transaction, applies one `LoopOp`, and persists the result; the
//! rules ("no intervention before a baseline") therefore live here once, for the CLI, the TUI,
//! the demo and import.

use chrono::NaiveDate;
use serde_json::{Map, Value as Json, json};

use super::audit::{row_json, with_state_hash};
use super::command::Command;
use super::error::{At, Fix, Refusal, check_shown};
use super::flow::Flow;
use super::intent::{InterventionSpec, LoopOp};
use super::kind::LoopKind;
use super::model::*;
use super::num::show;
use super::rules::{KillRule, RuleInputs};
use super::stats::Target;
use super::text::{optional_text, person_name, required_text};
use super::time::{Stamp, When};

/// A row a command writes besides the loop's own state: appended (a value, an intervention, a
/// decision, a learning) or updated (voided, signed off, a metric replaced).
#[derive(Clone, Debug, PartialEq)]
pub enum Row {
    Value(Value),
    Intervention(Intervention),
    Decision(Decision),
    Learning(Learning),
    Metric(Metric),
    FlowStep(FlowStep),
    FlowDrop(FlowDrop),
    Governance(Governance),
    CriticResult(CriticResult),
    Incident(Incident),
}

impl Row {
    /// The table the row lives in (its name in the store and in exports).
    pub fn table(&self) -> &'static str {
        match self {
            Row::Value(_) => "values",
            Row::Intervention(_) => "interventions",
            Row::Decision(_) => "decisions",
            Row::Learning(_) => "learnings",
            Row::Metric(_) => "metrics",
            Row::FlowStep(_) => "flow_steps",
            Row::FlowDrop(_) => "flow_drops",
            Row::Governance(_) => "governance",
            Row::CriticResult(_) => "critic_results",
            Row::Incident(_) => "incidents",
        }
    }

    /// The row's id, whatever its kind (as the trail and the store's generic writes name it).
    pub fn id(&self) -> &str {
        match self {
            Row::Value(r) => r.id.as_str(),
            Row::Intervention(r) => r.id.as_str(),
            Row::Decision(r) => r.id.as_str(),
            Row::Learning(r) => r.id.as_str(),
            Row::Metric(r) => r.id.as_str(),
            Row::FlowStep(r) => r.id.as_str(),
            Row::FlowDrop(r) => r.id.as_str(),
            Row::Governance(r) => r.id.as_str(),
            Row::CriticResult(r) => r.id.as_str(),
            Row::Incident(r) => r.id.as_str(),
        }
    }

    pub fn to_json(&self) -> Json {
        match self {
            Row::Value(r) => row_json(r),
            Row::Intervention(r) => row_json(r),
            Row::Decision(r) => row_json(r),
            Row::Learning(r) => row_json(r),
            Row::Metric(r) => row_json(r),
            Row::FlowStep(r) => row_json(r),
            Row::FlowDrop(r) => row_json(r),
            Row::Governance(r) => row_json(r),
            Row::CriticResult(r) => row_json(r),
            Row::Incident(r) => row_json(r),
        }
    }
}

/// What an intent did: the audit command name, a one-line acknowledgement, and rows written.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub command: Command,
    pub summary: String,
    pub appended: Option<Row>,
    pub updated: Vec<Row>,
    /// False when the command asked for the state the loop was already in: nothing is written.
    pub changed: bool,
    /// A change to the locked plan this command made, with its reason.
    pub deviation: Option<Deviation>,
    /// What the lead will likely do next, for each front end to suggest in its own words.
    pub next: Option<Fix>,
}

impl Outcome {
    /// A command's summary is one line: what was typed into it (a title over two lines, a
    /// tab) is made visible rather than printed raw by every front end that shows it.
    pub fn done(command: Command, summary: String) -> Outcome {
        let summary = match super::text::one_line(&summary) {
            std::borrow::Cow::Borrowed(_) => summary,
            std::borrow::Cow::Owned(clean) => clean,
        };
        Outcome {
            command,
            summary,
            appended: None,
            updated: Vec::new(),
            changed: true,
            deviation: None,
            next: None,
        }
    }

    pub fn unchanged(command: Command, summary: String) -> Outcome {
        Outcome {
            changed: false,
            ..Outcome::done(command, summary)
        }
    }

    fn appending(command: Command, summary: String, row: Row) -> Outcome {
        Outcome {
            appended: Some(row),
            ..Outcome::done(command, summary)
        }
    }

    /// One more line of the summary, made of our words (its typed parts made one line too).
    fn and_line(mut self, line: String) -> Outcome {
        self.summary.push('\n');
        self.summary.push_str(&super::text::one_line(&line));
        self
    }

    fn then(mut self, fix: Fix) -> Outcome {
        self.next = Some(fix);
        self
    }

    /// Records `deviation` with the outcome, and says so in its acknowledgement.
    fn deviating(mut self, deviation: Option<Deviation>) -> Outcome {
        if let Some(d) = &deviation {
            self = self.and_line(format!(
                "recorded as a deviation from the locked plan: {} (why: {})",
                d.detail, d.reason
            ));
        }
        self.deviation = deviation;
        self
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct LoopRecord {
    pub job: Job,
    pub lp: Loop,
    pub steps: Vec<Step>,
    /// The primary metric in force.
    pub metric: Option<Metric>,
    /// Set when this command replaced the primary metric, so the old one is kept as replaced.
    pub retired_metric: Option<Metric>,
    pub kill_signals: Vec<KillSignal>,
    /// Values of the metric in force, voided ones included, in time order.
    pub values: Vec<Value>,
    /// Interventions on the metric in force, voided ones included, in time order.
    pub interventions: Vec<Intervention>,
    /// Every decision of the loop (amended and voided ones included), oldest first.
    pub decisions: Vec<Decision>,
    /// Every learning of the loop, oldest first.
    pub learnings: Vec<Learning>,
    /// Every deviation from a locked plan of the loop, oldest first.
    pub deviations: Vec<Deviation>,
    /// Replaced primary metrics with their values and interventions, oldest first: their
    /// plans and last comparisons stay visible.
    pub superseded: Vec<Superseded>,
    /// Guardrail metrics in force (what must not get worse), by name, with their values.
    pub guardrails: Vec<Guardrail>,
    /// Guardrails no longer watched, with their values: a locked plan still judges those it
    /// locked.
    pub removed_guardrails: Vec<Guardrail>,
    /// The job's flow records, every loop's (each loop writes only its own).
    pub flow: Flow,
}

/// A guardrail metric in force with its values (voided ones included), in time order.
#[derive(Clone, Debug, PartialEq)]
pub struct Guardrail {
    pub metric: Metric,
    pub values: Vec<Value>,
}

/// A primary metric that was replaced, with what was measured under it.
#[derive(Clone, Debug, PartialEq)]
pub struct Superseded {
    pub metric: Metric,
    pub values: Vec<Value>,
    pub interventions: Vec<Intervention>,
}

/// A loop's audited state with its hash: what `verify` recomputes from the current rows.
pub fn loop_state(
    lp: &Loop,
    metric: Option<&Metric>,
    steps: &[Step],
    kill_signals: &[KillSignal],
) -> Json {
    with_state_hash(json!({
        "status": lp.status,
        "owner": lp.owner,
        "notes": lp.notes,
        "metric": metric.map(row_json),
        "steps": steps.iter().map(row_json).collect::<Vec<_>>(),
        "kill_signals": kill_signals.iter().map(row_json).collect::<Vec<_>>(),
    }))
}

/// The position of a record in time (see `When::order_key`).
fn key(at: When, recorded_at: Stamp) -> (NaiveDate, Stamp) {
    at.order_key(recorded_at)
}

/// Whether two people's names are the same person: exactly equal, as the shared database's
/// server compares its roles (`Ana` and `ana` are two roles there, so two people here).
pub fn same_person(a: &str, b: &str) -> bool {
    a == b
}

impl LoopRecord {
    /// A loop as a new job creates it: not started, its kind's checklist, its canonical kill signal.
    pub fn new(job: &Job, kind: LoopKind, owner: Option<String>, ctx: &Ctx) -> LoopRecord {
        let loop_id = ctx.new_id();
        let steps = kind
            .checklist()
            .iter()
            .enumerate()
            .map(|(i, text)| Step {
                id: ctx.new_id(),
                loop_id: loop_id.clone(),
                n: i as i64 + 1,
                text: (*text).to_string(),
                custom: false,
                done_at: None,
                done_by: None,
                evidence: None,
            })
            .collect();
        let signal =
            KillSignal::armed(&loop_id, 1, kind.kill_signal().to_string(), true, None, ctx);
        LoopRecord {
            job: job.clone(),
            lp: Loop {
                id: loop_id,
                job_id: job.id.clone(),
                kind,
                status: Status::NotStarted,
                owner,
                notes: String::new(),
                rev: 1,
            },
            steps,
            metric: None,
            retired_metric: None,
            kill_signals: vec![signal],
            values: Vec::new(),
            interventions: Vec::new(),
            decisions: Vec::new(),
            learnings: Vec::new(),
            deviations: Vec::new(),
            superseded: Vec::new(),
            guardrails: Vec::new(),
            removed_guardrails: Vec::new(),
            flow: Flow::default(),
        }
    }

    /// `support-triage/instrument`, the address used in every message.
    pub fn addr(&self) -> String {
        format!("{}/{}", self.job.slug, self.lp.kind)
    }

    fn at(&self) -> At {
        At {
            slug: self.job.slug.clone(),
            kind: self.lp.kind,
        }
    }

    /// The state the audit trail compares before and after a command, with its own hash.
    pub fn audit_state(&self) -> Json {
        loop_state(
            &self.lp,
            self.metric.as_ref(),
            &self.steps,
            &self.kill_signals,
        )
    }

    /// The audit `after` for an outcome: the changed state, the appended row, updated rows.
    pub fn audit_after(&self, outcome: &Outcome) -> Json {
        let mut state = self.audit_state();
        if let Json::Object(map) = &mut state {
            if let Some(row) = &outcome.appended {
                map.insert("added".into(), row.to_json());
            }
            if let Some(d) = &outcome.deviation {
                map.insert("deviation".into(), row_json(d));
            }
            if !outcome.updated.is_empty() {
                let mut tables: Map<String, Json> = Map::new();
                for row in &outcome.updated {
                    let list = tables
                        .entry(row.table())
                        .or_insert_with(|| Json::Array(Vec::new()));
                    if let Json::Array(items) = list {
                        items.push(row.to_json());
                    }
                }
                map.insert("updated".into(), Json::Object(tables));
            }
        }
        state
    }

    fn job_live(&self) -> Result<(), Refusal> {
        if self.job.archived_at.is_some() {
            return Err(
                Refusal::rule(format!("job `{}` is archived", self.job.slug)).fix(Fix::Unarchive {
                    slug: self.job.slug.clone(),
                }),
            );
        }
        Ok(())
    }

    /// Every change needs a live job and a loop that was not retired (owner and reopening aside).
    fn writable(&self) -> Result<(), Refusal> {
        self.job_live()?;
        if self.lp.status == Status::Killed {
            return Err(Refusal::rule(format!(
                "{} was retired (killed), so nothing more is recorded on it",
                self.addr()
            ))
            .fix(Fix::Reopen(self.at())));
        }
        Ok(())
    }

    /// In team mode only the loop's owner and the job's lead record on a loop.
    pub fn authorize(&self, ctx: &Ctx) -> Result<(), Refusal> {
        if !ctx.team {
            return Ok(());
        }
        let owner = self.lp.owner.as_deref();
        let lead = self.job.lead.as_deref();
        if [owner, lead]
            .into_iter()
            .flatten()
            .any(|p| same_person(p, &ctx.actor))
        {
            return Ok(());
        }
        Err(Refusal::forbidden(format!(
            "{} may not record on {}: only its owner and the job's lead may",
            ctx.actor,
            self.addr()
        ))
        .fix(Fix::AskOwner {
            owner: owner.map(str::to_string),
            lead: lead.map(str::to_string),
        }))
    }

    /// The first recorded activity on a loop that is not started opens it.
    fn touch(&mut self) {
        if self.lp.status == Status::NotStarted {
            self.lp.status = Status::Open;
        }
    }

    /// Applies one intent. The team-mode check comes first, except for a sign-off, which belongs
    /// to the decision's named owner whoever owns the loop.
    pub fn apply(&mut self, op: &LoopOp, ctx: &Ctx) -> Result<Outcome, Refusal> {
        if !matches!(op, LoopOp::Approve { .. }) {
            self.authorize(ctx)?;
        }
        if let Some(home) = op.home()
            && home != self.lp.kind
        {
            return Err(Refusal::invalid(format!(
                "that is a record of the {home} loop, not of {}",
                self.addr()
            )));
        }
        // A person ticking or unticking a step decides it themselves.
        let steps_by_hand = matches!(
            op,
            LoopOp::MarkStep { .. } | LoopOp::UndoStep { .. } | LoopOp::AddStep { .. }
        );
        let before = self.autotick_before();
        let mut outcome = self.dispatch(op, ctx)?;
        if outcome.changed && !steps_by_hand {
            let ticks = self.autotick_after(&before, ctx.now, &ctx.actor);
            if !ticks.is_empty() {
                outcome.summary = format!("{} ({})", outcome.summary, ticks.join(", "));
            }
        }
        Ok(outcome)
    }

    // long: one arm per loop operation, each a call to its rule; the exhaustive match is what
    // makes a new operation fail to compile until it has one.
    fn dispatch(&mut self, op: &LoopOp, ctx: &Ctx) -> Result<Outcome, Refusal> {
        match op {
            LoopOp::AssignOwner { name, was } => self.assign_owner(name, was.as_deref(), ctx),
            LoopOp::Open => self.open(),
            LoopOp::Close { force } => self.close(*force),
            LoopOp::MarkStep { n, evidence } => self.mark_step(*n, evidence.as_deref(), ctx),
            LoopOp::UndoStep { n } => self.undo_step(*n),
            LoopOp::AddStep { text } => self.add_step(text, ctx),
            LoopOp::SetNotes { text, was } => self.set_notes(text, was.as_deref()),
            LoopOp::Retire { reason } => self.retire(reason, ctx),
            LoopOp::Continue { reason } => self.continue_after_trip(reason, ctx),
            LoopOp::SetMetric {
                name,
                unit,
                better,
                measures,
                replace,
                target,
                reason,
                shown,
                target_was,
            } => {
                self.check_metric_shown(shown.as_ref())?;
                self.check_target_shown(target_was.as_deref())?;
                self.set_metric(
                    MetricSpec {
                        name,
                        unit,
                        better: *better,
                        measures: *measures,
                        target: *target,
                    },
                    *replace,
                    reason.as_deref(),
                    ctx,
                )
            }
            LoopOp::SetTarget {
                target,
                reason,
                was,
            } => {
                self.check_target_shown(was.as_deref())?;
                self.set_target(*target, reason.as_deref(), ctx)
            }
            LoopOp::RecordValue {
                phase,
                value,
                at,
                note,
                reason,
                guard,
                typed,
                source,
                shown,
            } => self.record_value(
                *phase,
                *value,
                *at,
                ValueNotes {
                    note: note.as_deref(),
                    reason: reason.as_deref(),
                    guard: guard.as_deref(),
                    typed: typed.as_deref(),
                    source: source.as_deref(),
                    shown: shown.as_ref(),
                },
                ctx,
            ),
            LoopOp::AddGuardrail {
                name,
                unit,
                better,
                max_worse,
                reason,
            } => self.add_guardrail(
                MetricSpec {
                    name,
                    unit,
                    better: *better,
                    measures: Measures::Outcome,
                    target: None,
                },
                *max_worse,
                reason.as_deref(),
                ctx,
            ),
            LoopOp::RemoveGuardrail { name, reason } => {
                self.remove_guardrail(name, reason.as_deref(), ctx)
            }
            LoopOp::Intervene(spec) => self.intervene(spec, ctx),
            LoopOp::SetHorizon { horizon, reason } => {
                self.set_horizon(*horizon, reason.as_deref(), ctx)
            }
            LoopOp::AddKillSignal { text, rule, reason } => {
                self.add_kill_signal(text, rule.as_deref(), reason.as_deref(), ctx)
            }
            LoopOp::Trip {
                n,
                reason,
                evidence,
            } => self.trip(*n, reason, evidence.as_deref(), ctx),
            LoopOp::Rearm { n, reason } => self.rearm(*n, reason, ctx),
            LoopOp::Learn {
                text,
                kind,
                tag,
                capability,
                incident,
                about,
            } => {
                let incident = self.incident_id_of(incident.as_deref())?;
                let about = dated(*about, ctx)?;
                self.learn(
                    text,
                    *kind,
                    tag.as_deref(),
                    *capability,
                    incident,
                    about,
                    ctx,
                )
            }
            LoopOp::Decide {
                text,
                owner,
                threshold,
                step,
                about,
            } => {
                let step = self.step_id_of(step.as_deref())?;
                let about = dated(*about, ctx)?;
                self.decide(text, owner, threshold.as_deref(), step, about, ctx)
            }
            LoopOp::Approve {
                decision,
                witnessed,
            } => self.approve(decision, *witnessed, ctx),
            LoopOp::Amend {
                decision,
                owner,
                threshold,
            } => self.amend(decision, owner.as_deref(), threshold.as_deref(), ctx),
            LoopOp::Void { record, reason } => self.void(record, reason, ctx),
            LoopOp::FlowAdd { name, step, at } => self.flow_add(name, step, *at, ctx),
            LoopOp::FlowSet { step, edit } => self.flow_set(step, edit, ctx),
            LoopOp::FlowVoid { step, reason } => self.flow_void(step, reason, ctx),
            LoopOp::FlowDrop { name, why, at } => self.flow_drop(name, why, *at, ctx),
            LoopOp::FlowGovern {
                step,
                owner,
                approval,
                critic,
            } => self.flow_govern(
                step,
                owner.as_deref(),
                approval.as_deref(),
                critic.as_ref(),
                ctx,
            ),
            LoopOp::CriticResult {
                step,
                critic,
                result,
                note,
            } => self.critic_result(step, critic, *result, note.as_deref(), ctx),
            LoopOp::IncidentAdd {
                what,
                step,
                severity,
                tag,
                detected_by,
                at,
            } => self.incident_add(
                what,
                step,
                *severity,
                tag.as_deref(),
                *detected_by,
                *at,
                ctx,
            ),
            LoopOp::IncidentFix { incident, change } => self.incident_fix(incident, change, ctx),
        }
    }
}

/// Length limits of what people type, in characters: the same for the CLI, the TUI and import.
pub const MAX_NAME: usize = 200;
pub const MAX_UNIT: usize = 50;
pub const MAX_TAG: usize = 100;
pub const MAX_SHORT: usize = 500;
pub const MAX_REASON: usize = 2000;
pub const MAX_LONG: usize = 4000;
pub const MAX_NOTES: usize = 8000;
/// Checklist steps and kill signals a loop may hold.
pub const MAX_STEPS: usize = 100;
pub const MAX_SIGNALS: usize = 100;
/// Steps in force a flow may hold.
pub const MAX_FLOW_STEPS: usize = 200;

mod autotick;
mod corrections;
mod decisions;
mod flow;
mod guardrails;
mod lifecycle;
mod measures;
pub use measures::{MetricSpec, ValueNotes};
mod plans;
mod signals;

#[cfg(test)]
mod tests;

/// The day a learning or decision is about, when given: a day that has come (in the actor's
/// time zone) and not before 1970, as for every dated record.
fn dated(about: Option<NaiveDate>, ctx: &Ctx) -> Result<Option<NaiveDate>, Refusal> {
    let Some(day) = about else {
        return Ok(None);
    };
    super::time::parse_when(&day.format("%Y-%m-%d").to_string(), ctx.now)?;
    Ok(Some(day))
}
