//! One loop with its whole history, and the intents that change it. The store loads a
//! `LoopRecord` inside a write transaction, applies one `LoopOp`, and persists the result; the
//! rules ("no intervention before a baseline") therefore live here once, for the CLI, the TUI,
//! the demo and import.

use chrono::NaiveDate;
use serde_json::{Map, Value as Json, json};

use super::audit::{row_json, with_state_hash};
use super::command::Command;
use super::error::{At, Fix, Refusal};
use super::intent::LoopOp;
use super::kind::LoopKind;
use super::model::*;
use super::num::show;
use super::rules::{KillRule, RuleCheck, RuleInputs};
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
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Row::Value(r) => &r.id,
            Row::Intervention(r) => &r.id,
            Row::Decision(r) => &r.id,
            Row::Learning(r) => &r.id,
            Row::Metric(r) => &r.id,
        }
    }

    pub fn to_json(&self) -> Json {
        match self {
            Row::Value(r) => row_json(r),
            Row::Intervention(r) => row_json(r),
            Row::Decision(r) => row_json(r),
            Row::Learning(r) => row_json(r),
            Row::Metric(r) => row_json(r),
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
    /// What the lead will likely do next, for each front end to suggest in its own words.
    pub next: Option<Fix>,
}

impl Outcome {
    pub fn done(command: Command, summary: String) -> Outcome {
        Outcome {
            command,
            summary,
            appended: None,
            updated: Vec::new(),
            changed: true,
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

    fn then(mut self, fix: Fix) -> Outcome {
        self.next = Some(fix);
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
        let loop_id = new_id();
        let steps = kind
            .checklist()
            .iter()
            .enumerate()
            .map(|(i, text)| Step {
                id: new_id(),
                loop_id: loop_id.clone(),
                n: i as i64 + 1,
                text: (*text).to_string(),
                custom: false,
                done_at: None,
                done_by: None,
                evidence: None,
            })
            .collect();
        let signal = KillSignal::armed(
            &loop_id,
            1,
            kind.kill_signal().to_string(),
            true,
            None,
            ctx.now,
        );
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
        match op {
            LoopOp::AssignOwner { name } => self.assign_owner(name, ctx),
            LoopOp::Open => self.open(),
            LoopOp::Close { force } => self.close(*force),
            LoopOp::MarkStep { n, evidence } => self.mark_step(*n, evidence.as_deref(), ctx),
            LoopOp::UndoStep { n } => self.undo_step(*n),
            LoopOp::AddStep { text } => self.add_step(text),
            LoopOp::SetNotes { text } => self.set_notes(text),
            LoopOp::Retire { reason } => self.retire(reason, ctx),
            LoopOp::Continue { reason } => self.continue_after_trip(reason, ctx),
            LoopOp::SetMetric {
                name,
                unit,
                better,
                measures,
                replace,
                target,
            } => self.set_metric(name, unit, *better, *measures, *replace, *target, ctx),
            LoopOp::SetTarget { target } => self.set_target(*target),
            LoopOp::RecordValue {
                phase,
                value,
                at,
                note,
            } => self.record_value(*phase, *value, *at, note.as_deref(), ctx),
            LoopOp::Intervene { description, at } => self.intervene(description, *at, ctx),
            LoopOp::AddKillSignal { text, rule } => {
                self.add_kill_signal(text, rule.as_deref(), ctx)
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
            } => self.learn(text, *kind, tag.as_deref(), *capability, ctx),
            LoopOp::Decide {
                text,
                owner,
                threshold,
            } => self.decide(text, owner, threshold.as_deref(), ctx),
            LoopOp::Approve { decision } => self.approve(decision, ctx),
            LoopOp::Amend {
                decision,
                owner,
                threshold,
            } => self.amend(decision, owner.as_deref(), threshold.as_deref(), ctx),
            LoopOp::Void { record, reason } => self.void(record, reason, ctx),
        }
    }

    fn assign_owner(&mut self, owner: &str, ctx: &Ctx) -> Result<Outcome, Refusal> {
        let owner = person_name("owner", owner)?;
        self.job_live()?;
        // In a team, who owns a loop is the lead's call: an owner may not hand it on.
        if ctx.team
            && !self
                .job
                .lead
                .as_deref()
                .is_some_and(|l| same_person(l, &ctx.actor))
        {
            return Err(Refusal::forbidden(format!(
                "{} may not name the owner of {}: only the job's lead names a loop's owner",
                ctx.actor,
                self.addr()
            ))
            .fix(Fix::AskOwner {
                owner: None,
                lead: self.job.lead.clone(),
            }));
        }
        if self.lp.owner.as_deref() == Some(owner.as_str()) {
            return Ok(Outcome::unchanged(
                Command::LoopOwner,
                format!("{owner} already owns {}; nothing changed", self.addr()),
            ));
        }
        self.lp.owner = Some(owner.clone());
        Ok(Outcome::done(
            Command::LoopOwner,
            format!("{owner} now owns {}", self.addr()),
        ))
    }

    fn open(&mut self) -> Result<Outcome, Refusal> {
        self.job_live()?;
        if self.lp.status == Status::Open {
            return Ok(Outcome::unchanged(
                Command::LoopOpen,
                format!("{} is already open; nothing changed", self.addr()),
            ));
        }
        let verb = if self.lp.status == Status::NotStarted {
            "opened"
        } else {
            "reopened"
        };
        self.lp.status = Status::Open;
        Ok(Outcome::done(
            Command::LoopOpen,
            format!("{verb} {}", self.addr()),
        ))
    }

    /// Closing answers the loop's question "yes": refused while a kill signal awaits a decision,
    /// and while checklist steps are undone unless the lead says so explicitly (the summary then
    /// names the steps left undone).
    fn close(&mut self, force: bool) -> Result<Outcome, Refusal> {
        self.writable()?;
        match self.lp.status {
            Status::Closed => {
                return Ok(Outcome::unchanged(
                    Command::LoopClose,
                    format!("{} is already closed; nothing changed", self.addr()),
                ));
            }
            Status::NotStarted => {
                return Err(Refusal::rule(format!(
                    "{} has not started: there is nothing to close yet",
                    self.addr()
                ))
                .advice("record something on it first, or open it"));
            }
            _ => {}
        }
        if let Some(k) = self.kill_signals.iter().find(|k| k.awaits_decision()) {
            return Err(Refusal::rule(format!(
                "kill signal {} of {} is tripped and undecided",
                k.n,
                self.addr()
            ))
            .fix(Fix::DecideAfterTrip(self.at())));
        }
        let undone: Vec<i64> = self
            .steps
            .iter()
            .filter(|s| s.done_at.is_none())
            .map(|s| s.n)
            .collect();
        if !undone.is_empty() && !force {
            return Err(Refusal::rule(format!(
                "{} has undone steps ({})",
                self.addr(),
                join(&undone)
            ))
            .fix(Fix::FinishSteps {
                at: self.at(),
                steps: undone,
            }));
        }
        self.lp.status = Status::Closed;
        let forced = if undone.is_empty() {
            String::new()
        } else {
            format!(" with step {} not done (closed anyway)", join(&undone))
        };
        Ok(Outcome::done(
            Command::LoopClose,
            format!("closed {}{forced}", self.addr()),
        ))
    }

    fn step_mut(&mut self, n: i64) -> Result<&mut Step, Refusal> {
        let count = self.steps.len();
        let (addr, at) = (self.addr(), self.at());
        self.steps.iter_mut().find(|s| s.n == n).ok_or_else(|| {
            Refusal::not_found(format!(
                "{addr} has no step {n}: its steps are numbered 1 to {count}"
            ))
            .fix(Fix::ShowLoop(at))
        })
    }

    fn mark_step(&mut self, n: i64, evidence: Option<&str>, ctx: &Ctx) -> Result<Outcome, Refusal> {
        self.writable()?;
        let evidence = optional_text("evidence", evidence, MAX_LONG)?;
        let addr = self.addr();
        let step = self.step_mut(n)?;
        if step.done_at.is_some() && (evidence.is_none() || evidence == step.evidence) {
            return Ok(Outcome::unchanged(
                Command::LoopStep,
                format!("step {n} of {addr} is already done; nothing changed"),
            ));
        }
        step.done_at = Some(ctx.now);
        step.done_by = Some(ctx.actor.clone());
        if evidence.is_some() {
            step.evidence = evidence;
        }
        let text = step.text.clone();
        self.touch();
        Ok(Outcome::done(
            Command::LoopStep,
            format!("done: step {n} of {addr} ({text})"),
        ))
    }

    fn undo_step(&mut self, n: i64) -> Result<Outcome, Refusal> {
        self.writable()?;
        let addr = self.addr();
        let step = self.step_mut(n)?;
        if step.done_at.is_none() {
            return Ok(Outcome::unchanged(
                Command::LoopStepUndo,
                format!("step {n} of {addr} is not done; nothing changed"),
            ));
        }
        step.done_at = None;
        step.done_by = None;
        step.evidence = None;
        Ok(Outcome::done(
            Command::LoopStepUndo,
            format!("undone: step {n} of {addr}"),
        ))
    }

    fn add_step(&mut self, text: &str) -> Result<Outcome, Refusal> {
        self.writable()?;
        let text = required_text("step text", text, MAX_SHORT)?;
        if self.steps.len() >= MAX_STEPS {
            return Err(Refusal::rule(format!(
                "{} already has {MAX_STEPS} steps, the most a checklist holds",
                self.addr()
            )));
        }
        let n = self.steps.iter().map(|s| s.n).max().unwrap_or(0) + 1;
        self.steps.push(Step {
            id: new_id(),
            loop_id: self.lp.id.clone(),
            n,
            text,
            custom: true,
            done_at: None,
            done_by: None,
            evidence: None,
        });
        self.touch();
        Ok(Outcome::done(
            Command::LoopStepAdd,
            format!("added step {n} to {}", self.addr()),
        ))
    }

    /// Replaces the loop's free-text notes (empty text clears them).
    fn set_notes(&mut self, notes: &str) -> Result<Outcome, Refusal> {
        self.job_live()?;
        let notes = optional_text("notes", Some(notes), MAX_NOTES)?.unwrap_or_default();
        if notes == self.lp.notes {
            return Ok(Outcome::unchanged(
                Command::LoopNote,
                format!("the notes of {} are unchanged", self.addr()),
            ));
        }
        self.lp.notes = notes;
        Ok(Outcome::done(
            Command::LoopNote,
            format!("updated the notes of {}", self.addr()),
        ))
    }

    /// The lead's decision to stop the work (usually after a tripped kill signal).
    fn retire(&mut self, reason: &str, ctx: &Ctx) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, MAX_REASON)?;
        self.writable()?;
        self.decide_signals(KillDecision::Retire, &reason, ctx);
        self.lp.status = Status::Killed;
        Ok(Outcome::done(
            Command::LoopRetire,
            format!("retired {}: {reason}", self.addr()),
        ))
    }

    /// The lead's decision after a tripped kill signal: the work goes on, and why.
    fn continue_after_trip(&mut self, reason: &str, ctx: &Ctx) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, MAX_REASON)?;
        self.writable()?;
        if !self.kill_signals.iter().any(KillSignal::awaits_decision) {
            return Err(Refusal::rule(format!(
                "{} has no tripped kill signal awaiting a decision: there is nothing to continue from",
                self.addr()
            )));
        }
        self.decide_signals(KillDecision::Continue, &reason, ctx);
        Ok(Outcome::done(
            Command::LoopContinue,
            format!("{} continues: {reason}", self.addr()),
        ))
    }

    fn decide_signals(&mut self, decision: KillDecision, reason: &str, ctx: &Ctx) {
        for k in self.kill_signals.iter_mut().filter(|k| k.awaits_decision()) {
            k.decision = Some(decision);
            k.decision_reason = Some(reason.to_string());
            k.decided_by = Some(ctx.actor.clone());
            k.decided_at = Some(ctx.now);
        }
    }

    /// Sets the primary metric. A loop has at most one: replacing it must be asked for, and the
    /// old metric (with its values) is kept as replaced, so baselines start again for the new one.
    #[allow(clippy::too_many_arguments)]
    fn set_metric(
        &mut self,
        name: &str,
        unit: &str,
        better: Better,
        measures: Measures,
        replace: bool,
        target: Option<Target>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let name = required_text("metric name", name, MAX_NAME)?;
        let unit = optional_text("unit", Some(unit), MAX_UNIT)?.unwrap_or_default();
        if let Some(t) = target {
            check_target(t, better)?;
        }
        let mut updated = Vec::new();
        if let Some(current) = &self.metric {
            if !replace {
                return Err(Refusal::rule(format!(
                    "{} already has the primary metric `{}` (one per loop)",
                    self.addr(),
                    current.name
                ))
                .fix(Fix::ReplaceMetric(self.at())));
            }
            let mut old = current.clone();
            old.replaced_at = Some(ctx.now);
            updated.push(Row::Metric(old.clone()));
            self.retired_metric = Some(old);
        } else if replace {
            return Err(
                Refusal::rule(format!("{} has no primary metric to replace", self.addr()))
                    .fix(Fix::SetMetric(self.at())),
            );
        }
        self.metric = Some(Metric {
            id: new_id(),
            loop_id: self.lp.id.clone(),
            name: name.clone(),
            unit,
            better,
            measures,
            set_at: ctx.now,
            set_by: ctx.actor.clone(),
            replaced_at: None,
            target,
        });
        self.values.clear();
        self.interventions.clear();
        self.touch();
        let (command, verb) = if replace {
            (Command::MetricReplace, "replaced the primary metric of")
        } else {
            (Command::MetricSet, "set the primary metric of")
        };
        let mut out = Outcome::done(
            command,
            format!("{verb} {} to {name} ({better} is better)", self.addr()),
        )
        .then(Fix::RecordBaseline {
            at: self.at(),
            before: None,
        });
        out.updated = updated;
        Ok(out)
    }

    fn set_target(&mut self, target: Option<Target>) -> Result<Outcome, Refusal> {
        self.writable()?;
        let at = self.at();
        let addr = self.addr();
        let Some(metric) = self.metric.as_mut() else {
            return Err(
                Refusal::rule(format!("{addr} has no primary metric to set a target for"))
                    .fix(Fix::SetMetric(at)),
            );
        };
        if let Some(t) = target {
            check_target(t, metric.better)?;
        }
        if metric.target == target {
            return Ok(Outcome::unchanged(
                Command::MetricTarget,
                format!("the target of {addr} is unchanged"),
            ));
        }
        metric.target = target;
        let summary = match target {
            Some(t) => format!("set the target change of {addr} to {}", t.to_text()),
            None => format!("cleared the target change of {addr}"),
        };
        Ok(Outcome::done(Command::MetricTarget, summary))
    }

    fn require_metric(&self, what: &str) -> Result<&Metric, Refusal> {
        self.metric.as_ref().ok_or_else(|| {
            Refusal::rule(format!(
                "{} has no primary metric, so it cannot take {what}",
                self.addr()
            ))
            .fix(Fix::SetMetric(self.at()))
        })
    }

    /// Baseline values in force (not voided), in time order.
    pub fn baselines(&self) -> impl Iterator<Item = &Value> {
        self.values
            .iter()
            .filter(|v| v.phase == Phase::Baseline && v.void.is_none())
    }

    /// Interventions in force (not voided), in time order.
    pub fn active_interventions(&self) -> impl Iterator<Item = &Intervention> {
        self.interventions.iter().filter(|i| i.void.is_none())
    }

    /// Live values in force, in time order.
    pub fn live(&self) -> impl Iterator<Item = &Value> {
        self.values
            .iter()
            .filter(|v| v.phase == Phase::Live && v.void.is_none())
    }

    /// Live values since the latest intervention in force (all of them when there is none):
    /// what the comparison and the kill rules read.
    pub fn live_since_intervention(&self) -> impl Iterator<Item = &Value> {
        let latest = self
            .active_interventions()
            .map(|i| key(i.at, i.recorded_at))
            .max();
        self.live()
            .filter(move |v| latest.is_none_or(|l| key(v.at, v.recorded_at) >= l))
    }

    /// Records a value of the primary metric. A baseline describes the work before any change, so
    /// it must be dated before the first intervention on this metric.
    fn record_value(
        &mut self,
        phase: Phase,
        value: f64,
        at: When,
        note: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let what = match phase {
            Phase::Baseline => "a baseline",
            Phase::Live => "a measurement",
        };
        let metric = self.require_metric(what)?.clone();
        if !value.is_finite() {
            return Err(Refusal::invalid(
                "that is not a number that can be recorded: give a finite value",
            ));
        }
        let value = if value == 0.0 { 0.0 } else { value };
        let note = optional_text("note", note, MAX_REASON)?.unwrap_or_default();
        let here = key(at, ctx.now);
        if phase == Phase::Baseline
            && let Some(first) = self
                .active_interventions()
                .min_by_key(|i| key(i.at, i.recorded_at))
            && here >= key(first.at, first.recorded_at)
        {
            return Err(Refusal::rule(format!(
                "a baseline describes the work before any change, but {} had an intervention on {}",
                self.addr(),
                first.at
            ))
            .fix(Fix::RecordBaseline {
                at: self.at(),
                before: Some(first.at.date()),
            }));
        }
        let row = Value {
            id: new_id(),
            loop_id: self.lp.id.clone(),
            metric_id: metric.id.clone(),
            phase,
            value,
            at,
            note,
            recorded_by: ctx.actor.clone(),
            recorded_at: ctx.now,
            void: None,
        };
        let pos = self
            .values
            .partition_point(|v| key(v.at, v.recorded_at) <= here);
        self.values.insert(pos, row.clone());
        self.touch();
        let (command, label) = match phase {
            Phase::Baseline => (Command::Baseline, "baseline"),
            Phase::Live => (Command::Measure, "measurement"),
        };
        let unit = if metric.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", metric.unit)
        };
        Ok(Outcome::appending(
            command,
            format!(
                "recorded {label} {}{unit} for {} on {at}",
                show(value),
                self.addr()
            ),
            Row::Value(row),
        ))
    }

    /// Starts an intervention: refused unless the loop has a primary metric and baselines all
    /// dated before it, because otherwise the change can never be shown to have helped.
    fn intervene(&mut self, description: &str, at: When, ctx: &Ctx) -> Result<Outcome, Refusal> {
        self.writable()?;
        let description = required_text("description", description, MAX_REASON)?;
        let metric = self.require_metric("an intervention")?.clone();
        let here = key(at, ctx.now);
        let last_baseline = self
            .baselines()
            .map(|v| (key(v.at, v.recorded_at), v.at))
            .max_by_key(|(k, _)| *k);
        match last_baseline {
            None => {
                return Err(Refusal::rule(format!(
                    "no baseline is recorded for {}, so the change could never be shown to help",
                    self.addr()
                ))
                .fix(Fix::RecordBaseline {
                    at: self.at(),
                    before: None,
                }));
            }
            Some((last, last_at)) if last >= here => {
                return Err(Refusal::rule(format!(
                    "{} has a baseline dated {last_at}, not before this intervention ({at}): it would count as before the change",
                    self.addr()
                ))
                .fix(Fix::InterveneAfter {
                    at: self.at(),
                    after: last_at.date(),
                }));
            }
            Some(_) => {}
        }
        let row = Intervention {
            id: new_id(),
            loop_id: self.lp.id.clone(),
            metric_id: metric.id,
            description: description.clone(),
            at,
            recorded_by: ctx.actor.clone(),
            recorded_at: ctx.now,
            void: None,
        };
        let pos = self
            .interventions
            .partition_point(|i| key(i.at, i.recorded_at) <= here);
        self.interventions.insert(pos, row.clone());
        self.touch();
        Ok(Outcome::appending(
            Command::Intervene,
            format!(
                "started intervention on {} ({at}): {description}",
                self.addr()
            ),
            Row::Intervention(row),
        )
        .then(Fix::RecordMeasurement(self.at())))
    }

    /// Adds a kill signal, optionally with a rule the data can check (see `rules`).
    fn add_kill_signal(
        &mut self,
        text: &str,
        rule: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let text = required_text("kill signal", text, MAX_SHORT)?;
        let rule = match rule.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(KillRule::parse(r)?.to_string()),
            None => None,
        };
        if self.kill_signals.len() >= MAX_SIGNALS {
            return Err(Refusal::rule(format!(
                "{} already has {MAX_SIGNALS} kill signals, the most a loop holds",
                self.addr()
            )));
        }
        let n = self.kill_signals.iter().map(|k| k.n).max().unwrap_or(0) + 1;
        self.kill_signals.push(KillSignal::armed(
            &self.lp.id,
            n,
            text,
            false,
            rule.clone(),
            ctx.now,
        ));
        self.touch();
        let with_rule = rule.map(|r| format!(" (rule: {r})")).unwrap_or_default();
        Ok(Outcome::done(
            Command::KillAdd,
            format!("armed kill signal {n} on {}{with_rule}", self.addr()),
        ))
    }

    fn signal_index(&self, n: i64) -> Result<usize, Refusal> {
        self.kill_signals
            .iter()
            .position(|k| k.n == n)
            .ok_or_else(|| {
                Refusal::not_found(format!("{} has no kill signal {n}", self.addr()))
                    .fix(Fix::ShowLoop(self.at()))
            })
    }

    /// Trips a kill signal (the first armed one when `n` is not given). The loop does not end by
    /// itself: it waits for the lead to retire it or continue it.
    fn trip(
        &mut self,
        n: Option<i64>,
        reason: &str,
        evidence: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, MAX_REASON)?;
        let evidence = optional_text("evidence", evidence, MAX_LONG)?;
        self.writable()?;
        if self.lp.status == Status::Closed {
            return Err(Refusal::rule(format!(
                "{} is closed, so its kill signals no longer trip",
                self.addr()
            ))
            .fix(Fix::Reopen(self.at())));
        }
        let idx = match n {
            Some(n) => self.signal_index(n)?,
            None => self
                .kill_signals
                .iter()
                .position(|k| k.state == SignalState::Armed)
                .ok_or_else(|| {
                    Refusal::rule(format!("{} has no armed kill signal to trip", self.addr()))
                        .fix(Fix::AddKillSignal(self.at()))
                })?,
        };
        let at = self.at();
        let k = &mut self.kill_signals[idx];
        if k.state == SignalState::Tripped {
            return Err(Refusal::rule(format!(
                "kill signal {} is already tripped (\"{}\")",
                k.n,
                k.reason.clone().unwrap_or_default(),
            ))
            .fix(Fix::Rearm { at, n: k.n }));
        }
        k.change(SignalState::Tripped, reason.clone(), evidence, ctx);
        let n = k.n;
        self.touch();
        Ok(Outcome::done(
            Command::KillTrip,
            format!(
                "tripped kill signal {n} on {}: {reason}; the loop waits for a decision",
                self.addr()
            ),
        )
        .then(Fix::DecideAfterTrip(self.at())))
    }

    fn rearm(&mut self, n: i64, reason: &str, ctx: &Ctx) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, MAX_REASON)?;
        self.writable()?;
        let idx = self.signal_index(n)?;
        let k = &mut self.kill_signals[idx];
        if k.state == SignalState::Armed {
            return Ok(Outcome::unchanged(
                Command::KillRearm,
                format!("kill signal {n} is already armed; nothing changed"),
            ));
        }
        k.change(SignalState::Armed, reason.clone(), None, ctx);
        Ok(Outcome::done(
            Command::KillRearm,
            format!("re-armed kill signal {n} on {}: {reason}", self.addr()),
        ))
    }

    /// Captures a learning (evidence, a decision, feedback, a correction, an outcome, a mistake
    /// or a change to the system), with an optional tag and capability.
    fn learn(
        &mut self,
        text: &str,
        kind: LearningType,
        tag: Option<&str>,
        capability: Option<Capability>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let text = required_text("learning", text, MAX_LONG)?;
        let tag = optional_text("tag", tag, MAX_TAG)?.map(|t| t.to_lowercase());
        let row = Learning {
            id: new_id(),
            loop_id: self.lp.id.clone(),
            text,
            kind,
            tag: tag.clone(),
            capability,
            at: ctx.now,
            recorded_by: ctx.actor.clone(),
            void: None,
        };
        self.learnings.push(row.clone());
        self.touch();
        let tagged = tag.map(|t| format!(" [{t}]")).unwrap_or_default();
        Ok(Outcome::appending(
            Command::Learn,
            format!("recorded {kind}{tagged} on {}", self.addr()),
            Row::Learning(row),
        ))
    }

    /// Records an irreversible decision and the human who owns it; it is pending until that
    /// person signs it off.
    fn decide(
        &mut self,
        text: &str,
        owner: &str,
        threshold: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        let text = required_text("decision", text, MAX_REASON)?;
        let owner = person_name("decision owner", owner)?;
        let threshold = optional_text("threshold", threshold, MAX_SHORT)?;
        self.writable()?;
        let row = Decision {
            id: new_id(),
            loop_id: self.lp.id.clone(),
            text: text.clone(),
            owner: owner.clone(),
            threshold,
            at: ctx.now,
            recorded_by: ctx.actor.clone(),
            supersedes: None,
            approved_at: None,
            approved_by: None,
            void: None,
        };
        self.decisions.push(row.clone());
        self.touch();
        let fix = Fix::SignOffAs {
            at: self.at(),
            owner: owner.clone(),
            decision: Some(short_id(&row.id).to_string()),
            team: ctx.team,
        };
        Ok(Outcome::appending(
            Command::Decide,
            format!(
                "recorded decision {} on {} owned by {owner} (pending their sign-off): {text}",
                short_id(&row.id),
                self.addr()
            ),
            Row::Decision(row),
        )
        .then(fix))
    }

    /// The rows `op` would change besides the loop's own state (the decision it signs off or
    /// amends, the record it voids), as they are now: a write checks them against the audit
    /// trail before applying it. A reference that names nothing gives none (the intent refuses).
    pub fn rows_touched_by(&self, op: &LoopOp) -> Vec<Row> {
        match op {
            LoopOp::Approve { decision } | LoopOp::Amend { decision, .. } => self
                .decision_index(decision)
                .ok()
                .and_then(|i| self.decisions.get(i))
                .map(|d| vec![Row::Decision(d.clone())])
                .unwrap_or_default(),
            LoopOp::Void { record, .. } => {
                let ids = self
                    .values
                    .iter()
                    .map(|r| r.id.as_str())
                    .chain(self.interventions.iter().map(|r| r.id.as_str()))
                    .chain(self.decisions.iter().map(|r| r.id.as_str()))
                    .chain(self.learnings.iter().map(|r| r.id.as_str()));
                let Ok(id) = find_by_ref(ids, record) else {
                    return Vec::new();
                };
                let found = (self
                    .values
                    .iter()
                    .find(|r| r.id == id)
                    .cloned()
                    .map(Row::Value))
                .or_else(|| {
                    self.interventions
                        .iter()
                        .find(|r| r.id == id)
                        .cloned()
                        .map(Row::Intervention)
                })
                .or_else(|| {
                    self.decisions
                        .iter()
                        .find(|r| r.id == id)
                        .cloned()
                        .map(Row::Decision)
                })
                .or_else(|| {
                    self.learnings
                        .iter()
                        .find(|r| r.id == id)
                        .cloned()
                        .map(Row::Learning)
                });
                found.into_iter().collect()
            }
            _ => Vec::new(),
        }
    }

    /// Decisions in force: not voided and not amended by a later version.
    pub fn current_decisions(&self) -> impl Iterator<Item = &Decision> {
        self.decisions.iter().filter(|d| {
            d.void.is_none()
                && !self
                    .decisions
                    .iter()
                    .any(|n| n.supersedes.as_deref() == Some(d.id.as_str()) && n.void.is_none())
        })
    }

    fn decision_index(&self, reference: &str) -> Result<usize, Refusal> {
        let current: Vec<&Decision> = self.current_decisions().collect();
        let found = find_by_ref(current.iter().map(|d| d.id.as_str()), reference).map_err(|e| {
            e.about("decision", &self.addr())
                .fix(Fix::ShowLoop(self.at()))
        })?;
        Ok(self
            .decisions
            .iter()
            .position(|d| d.id == found)
            .unwrap_or(0))
    }

    fn approve(&mut self, reference: &str, ctx: &Ctx) -> Result<Outcome, Refusal> {
        self.writable()?;
        let idx = self.decision_index(reference)?;
        let addr = self.addr();
        let at = self.at();
        let d = &mut self.decisions[idx];
        if !same_person(&d.owner, &ctx.actor) {
            return Err(Refusal::forbidden(format!(
                "decision {} on {addr} is owned by {}; {} cannot sign it off",
                short_id(&d.id),
                d.owner,
                ctx.actor
            ))
            .fix(Fix::SignOffAs {
                at,
                owner: d.owner.clone(),
                decision: Some(short_id(&d.id).to_string()),
                team: ctx.team,
            }));
        }
        if d.approved_at.is_some() {
            return Ok(Outcome::unchanged(
                Command::DecideApprove,
                format!(
                    "decision {} is already signed off; nothing changed",
                    short_id(&d.id)
                ),
            ));
        }
        d.approved_at = Some(ctx.now);
        d.approved_by = Some(ctx.actor.clone());
        let row = d.clone();
        let mut out = Outcome::done(
            Command::DecideApprove,
            format!(
                "{} signed off decision {} on {addr}: {}",
                ctx.actor,
                short_id(&row.id),
                row.text
            ),
        );
        out.updated.push(Row::Decision(row));
        Ok(out)
    }

    fn amend(
        &mut self,
        reference: &str,
        owner: Option<&str>,
        threshold: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let idx = self.decision_index(reference)?;
        let old = self.decisions[idx].clone();
        let owner = match owner {
            Some(o) => person_name("decision owner", o)?,
            None => old.owner.clone(),
        };
        let threshold = match threshold {
            Some(t) => optional_text("threshold", Some(t), MAX_SHORT)?,
            None => old.threshold.clone(),
        };
        if owner == old.owner && threshold == old.threshold {
            return Ok(Outcome::unchanged(
                Command::DecideAmend,
                format!(
                    "decision {} already has this owner and threshold; nothing changed",
                    short_id(&old.id)
                ),
            ));
        }
        let row = Decision {
            id: new_id(),
            loop_id: self.lp.id.clone(),
            text: old.text.clone(),
            owner: owner.clone(),
            threshold,
            at: ctx.now,
            recorded_by: ctx.actor.clone(),
            supersedes: Some(old.id.clone()),
            approved_at: None,
            approved_by: None,
            void: None,
        };
        self.decisions.push(row.clone());
        let fix = Fix::SignOffAs {
            at: self.at(),
            owner: owner.clone(),
            decision: Some(short_id(&row.id).to_string()),
            team: ctx.team,
        };
        Ok(Outcome::appending(
            Command::DecideAmend,
            format!(
                "amended decision {} on {} as {} (owner {owner}, pending their sign-off)",
                short_id(&old.id),
                self.addr(),
                short_id(&row.id)
            ),
            Row::Decision(row),
        )
        .then(fix))
    }

    /// Marks a value, intervention, decision or learning of this loop as entered by mistake.
    fn void(&mut self, reference: &str, reason: &str, ctx: &Ctx) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, MAX_REASON)?;
        self.job_live()?;
        let ids = self
            .values
            .iter()
            .map(|r| r.id.as_str())
            .chain(self.interventions.iter().map(|r| r.id.as_str()))
            .chain(self.decisions.iter().map(|r| r.id.as_str()))
            .chain(self.learnings.iter().map(|r| r.id.as_str()));
        let id = find_by_ref(ids, reference).map_err(|e| {
            e.about("record", &self.addr())
                .fix(Fix::ShowLoop(self.at()))
        })?;
        let void = Void {
            at: ctx.now,
            by: ctx.actor.clone(),
            reason: reason.clone(),
        };
        let addr = self.addr();
        let (what, row) = if let Some(v) = self.values.iter_mut().find(|r| r.id == id) {
            if v.void.is_some() {
                return Ok(already_void(&id));
            }
            v.void = Some(void);
            let what = format!("{} {} of {}", v.phase, show(v.value), v.at);
            (what, Row::Value(v.clone()))
        } else if let Some(i) = self.interventions.iter_mut().find(|r| r.id == id) {
            if i.void.is_some() {
                return Ok(already_void(&id));
            }
            i.void = Some(void);
            (
                format!("intervention of {}", i.at),
                Row::Intervention(i.clone()),
            )
        } else if let Some(d) = self.decisions.iter_mut().find(|r| r.id == id) {
            if d.void.is_some() {
                return Ok(already_void(&id));
            }
            d.void = Some(void);
            (format!("decision \"{}\"", d.text), Row::Decision(d.clone()))
        } else if let Some(l) = self.learnings.iter_mut().find(|r| r.id == id) {
            if l.void.is_some() {
                return Ok(already_void(&id));
            }
            l.void = Some(void);
            (
                format!("{} \"{}\"", l.kind, l.text),
                Row::Learning(l.clone()),
            )
        } else {
            return Err(Refusal::not_found(format!(
                "{addr} has no record `{reference}`"
            )));
        };
        let mut out = Outcome::done(
            Command::Void,
            format!("voided the {what} on {addr} ({}): {reason}", short_id(&id)),
        );
        out.updated.push(row);
        Ok(out)
    }

    /// What the loop's kill rules read now.
    pub fn rule_inputs(&self) -> Option<RuleInputs> {
        let metric = self.metric.as_ref()?;
        let baseline: Vec<f64> = self.baselines().map(|v| v.value).collect();
        let live: Vec<f64> = self.live_since_intervention().map(|v| v.value).collect();
        let last_live = self.live().map(|v| v.at.date()).max();
        let tail = self
            .kill_signals
            .iter()
            .filter_map(|k| k.rule.as_deref().and_then(|r| KillRule::parse(r).ok()))
            .map(|r| r.tail())
            .max()
            .unwrap_or(0);
        Some(RuleInputs::new(
            metric.better,
            &baseline,
            &live,
            last_live,
            metric.set_at,
            tail,
        ))
    }

    /// Each rule of the loop with what it says now: shown on the loop.
    pub fn rule_checks(&self, today: NaiveDate) -> Vec<(i64, String, RuleCheck)> {
        let inputs = self.rule_inputs();
        self.kill_signals
            .iter()
            .filter_map(|k| {
                let text = k.rule.as_deref()?;
                let rule = KillRule::parse(text).ok()?;
                let check = match &inputs {
                    Some(i) => rule.check(i, today),
                    None => RuleCheck::CannotJudge("no primary metric yet".into()),
                };
                Some((k.n, text.to_string(), check))
            })
            .collect()
    }

    /// Trips the first armed kill signal whose rule the loop's values break, with a reason that
    /// starts `rule:`; `None` when every rule holds. Call until `None` to fire them all, one
    /// audited trip at a time.
    pub fn fire_next_rule(&mut self, ctx: &Ctx) -> Option<Outcome> {
        if self.writable().is_err() || self.lp.status == Status::Closed {
            return None;
        }
        let inputs = self.rule_inputs()?;
        let today = ctx.now.local_date();
        let (idx, reason) = self.kill_signals.iter().enumerate().find_map(|(i, k)| {
            if k.state != SignalState::Armed {
                return None;
            }
            let rule = KillRule::parse(k.rule.as_deref()?).ok()?;
            rule.check(&inputs, today)
                .fires()
                .map(|r| (i, r.to_string()))
        })?;
        let addr = self.addr();
        let k = &mut self.kill_signals[idx];
        k.change(SignalState::Tripped, reason.clone(), None, ctx);
        Some(Outcome::done(
            Command::KillTrip,
            format!(
                "kill signal {} on {addr} tripped by its rule — {reason}",
                k.n
            ),
        ))
    }
}

fn already_void(id: &str) -> Outcome {
    Outcome::unchanged(
        Command::Void,
        format!("record {} is already void; nothing changed", short_id(id)),
    )
}

fn check_target(t: Target, better: Better) -> Result<(), Refusal> {
    let wrong = match better {
        Better::Lower => t.change > 0.0,
        Better::Higher => t.change < 0.0,
    };
    if wrong {
        let example = if better == Better::Lower {
            "-20%"
        } else {
            "+20%"
        };
        return Err(Refusal::invalid(format!(
            "a target of {} is a worsening for a metric where {better} is better",
            t.to_text()
        ))
        .advice(format!(
            "give the improvement you want to see, like {example}"
        )));
    }
    Ok(())
}

fn join(ns: &[i64]) -> String {
    ns.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
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

#[cfg(test)]
mod tests;
