//! One loop with everything its rules need, and the intents that change it. The store loads a
//! `LoopRecord` inside a write transaction, calls one intent, and persists the result; the rules
//! ("no intervention before a baseline") therefore live here once, for the CLI, the TUI and import.

use serde_json::{Value as Json, json};

use super::audit::with_state_hash;
use super::error::Refusal;
use super::kind::LoopKind;
use super::model::*;
use super::rules::KillRule;
use super::text::{optional_text, required_text};
use super::time::Stamp;

/// A row a command adds to a loop's history (values, interventions, decisions are never edited).
#[derive(Clone, Debug, PartialEq)]
pub enum Appended {
    Value(Value),
    Intervention(Intervention),
    Decision(Decision),
    Learning(Learning),
}

impl Appended {
    fn to_json(&self) -> Json {
        match self {
            Appended::Value(v) => json!(v),
            Appended::Intervention(i) => json!(i),
            Appended::Decision(d) => json!(d),
            Appended::Learning(l) => json!(l),
        }
    }
}

/// What an intent did: the audit command name, a one-line acknowledgement, and new rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub command: &'static str,
    pub summary: String,
    pub appended: Option<Appended>,
    /// False when the command asked for the state the loop was already in: nothing is written.
    pub changed: bool,
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
    /// Values of the metric in force, in time order: the proof rules and kill rules read them.
    pub values: Vec<(Phase, Stamp, f64)>,
    pub first_intervention_at: Option<Stamp>,
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
        "metric": metric,
        "steps": steps,
        "kill_signals": kill_signals,
    }))
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
            first_intervention_at: None,
        }
    }

    /// `support-triage/instrument`, the address used in every message.
    pub fn addr(&self) -> String {
        format!("{}/{}", self.job.slug, self.lp.kind)
    }

    fn cmd_args(&self) -> String {
        format!("{} {}", self.job.slug, self.lp.kind)
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

    fn job_live(&self) -> Result<(), Refusal> {
        if self.job.archived_at.is_some() {
            return Err(Refusal::rule(format!(
                "job `{}` is archived: bring it back with `jobloop job unarchive {}` first",
                self.job.slug, self.job.slug
            )));
        }
        Ok(())
    }

    /// Every change needs a live job and a loop that was not retired (owner and reopening aside).
    fn writable(&self) -> Result<(), Refusal> {
        self.job_live()?;
        if self.lp.status == Status::Killed {
            return Err(Refusal::rule(format!(
                "{} was retired (killed): reopen it with `jobloop loop open {}` before recording on it",
                self.addr(),
                self.cmd_args()
            )));
        }
        Ok(())
    }

    /// The first recorded activity on a loop that is not started opens it.
    fn touch(&mut self) {
        if self.lp.status == Status::NotStarted {
            self.lp.status = Status::Open;
        }
    }

    fn done(&self, command: &'static str, summary: String) -> Outcome {
        Outcome {
            command,
            summary,
            appended: None,
            changed: true,
        }
    }

    fn unchanged(command: &'static str, summary: String) -> Outcome {
        Outcome {
            command,
            summary,
            appended: None,
            changed: false,
        }
    }

    pub fn assign_owner(&mut self, owner: &str, _ctx: &Ctx) -> Result<Outcome, Refusal> {
        let owner = required_text("owner", owner, 200)?;
        self.job_live()?;
        if self.lp.owner.as_deref() == Some(owner.as_str()) {
            return Ok(Self::unchanged(
                "loop owner",
                format!("{owner} already owns {}; nothing changed", self.addr()),
            ));
        }
        self.lp.owner = Some(owner.clone());
        Ok(self.done("loop owner", format!("{owner} now owns {}", self.addr())))
    }

    pub fn open(&mut self, _ctx: &Ctx) -> Result<Outcome, Refusal> {
        self.job_live()?;
        if self.lp.status == Status::Open {
            return Ok(Self::unchanged(
                "loop open",
                format!("{} is already open; nothing changed", self.addr()),
            ));
        }
        let was = self.lp.status;
        self.lp.status = Status::Open;
        let verb = if was == Status::NotStarted {
            "opened"
        } else {
            "reopened"
        };
        Ok(self.done("loop open", format!("{verb} {}", self.addr())))
    }

    /// Closing answers the loop's question "yes": refused while a kill signal awaits a decision,
    /// and while checklist steps are undone unless the lead says so explicitly.
    pub fn close(&mut self, force: bool, _ctx: &Ctx) -> Result<Outcome, Refusal> {
        self.writable()?;
        match self.lp.status {
            Status::Closed => {
                return Ok(Self::unchanged(
                    "loop close",
                    format!("{} is already closed; nothing changed", self.addr()),
                ));
            }
            Status::NotStarted => {
                return Err(Refusal::rule(format!(
                    "{} has not started: nothing can be closed yet (open it with `jobloop loop open {}`)",
                    self.addr(),
                    self.cmd_args()
                )));
            }
            _ => {}
        }
        if let Some(k) = self.kill_signals.iter().find(|k| k.awaits_decision()) {
            return Err(Refusal::rule(format!(
                "kill signal {} of {} is tripped and undecided: decide with `jobloop loop retire {} --reason …` or `jobloop loop continue {} --reason …` first",
                k.n,
                self.addr(),
                self.cmd_args(),
                self.cmd_args()
            )));
        }
        let undone: Vec<String> = self
            .steps
            .iter()
            .filter(|s| s.done_at.is_none())
            .map(|s| s.n.to_string())
            .collect();
        if !undone.is_empty() && !force {
            return Err(Refusal::rule(format!(
                "{} has undone steps ({}): mark them with `jobloop loop step {} N --done`, or close anyway with --force",
                self.addr(),
                undone.join(", "),
                self.cmd_args()
            )));
        }
        self.lp.status = Status::Closed;
        Ok(self.done("loop close", format!("closed {}", self.addr())))
    }

    fn step_mut(&mut self, n: i64) -> Result<&mut Step, Refusal> {
        let count = self.steps.len();
        let addr = self.addr();
        self.steps.iter_mut().find(|s| s.n == n).ok_or_else(|| {
            Refusal::not_found(format!(
                "{addr} has no step {n}: its steps are numbered 1 to {count}"
            ))
        })
    }

    pub fn mark_step(
        &mut self,
        n: i64,
        evidence: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let evidence = optional_text("evidence", evidence, 4000)?;
        let addr = self.addr();
        let step = self.step_mut(n)?;
        if step.done_at.is_some() && evidence.is_none() {
            return Ok(Self::unchanged(
                "loop step",
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
        Ok(self.done("loop step", format!("done: step {n} of {addr} ({text})")))
    }

    pub fn undo_step(&mut self, n: i64, _ctx: &Ctx) -> Result<Outcome, Refusal> {
        self.writable()?;
        let addr = self.addr();
        let step = self.step_mut(n)?;
        if step.done_at.is_none() {
            return Ok(Self::unchanged(
                "loop step undo",
                format!("step {n} of {addr} is not done; nothing changed"),
            ));
        }
        step.done_at = None;
        step.done_by = None;
        step.evidence = None;
        Ok(self.done("loop step undo", format!("undone: step {n} of {addr}")))
    }

    pub fn add_step(&mut self, text: &str, _ctx: &Ctx) -> Result<Outcome, Refusal> {
        self.writable()?;
        let text = required_text("step text", text, 500)?;
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
        Ok(self.done(
            "loop step-add",
            format!("added step {n} to {}", self.addr()),
        ))
    }

    /// Replaces the loop's free-text notes (empty text clears them).
    pub fn set_notes(&mut self, notes: &str, _ctx: &Ctx) -> Result<Outcome, Refusal> {
        self.job_live()?;
        let notes = optional_text("notes", Some(notes), 8000)?.unwrap_or_default();
        if notes == self.lp.notes {
            return Ok(Self::unchanged(
                "loop note",
                format!("the notes of {} are unchanged", self.addr()),
            ));
        }
        self.lp.notes = notes;
        Ok(self.done("loop note", format!("updated the notes of {}", self.addr())))
    }

    /// The lead's decision after a tripped kill signal: stop the work.
    pub fn retire(&mut self, reason: &str, ctx: &Ctx) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, 2000)?;
        self.writable()?;
        self.decide_signals(KillDecision::Retire, &reason, ctx);
        self.lp.status = Status::Killed;
        Ok(self.done("loop retire", format!("retired {}: {reason}", self.addr())))
    }

    /// The lead's decision after a tripped kill signal: the work goes on, and why.
    pub fn continue_after_trip(&mut self, reason: &str, ctx: &Ctx) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, 2000)?;
        self.writable()?;
        if !self.kill_signals.iter().any(KillSignal::awaits_decision) {
            return Err(Refusal::rule(format!(
                "{} has no tripped kill signal awaiting a decision: nothing to continue from",
                self.addr()
            )));
        }
        self.decide_signals(KillDecision::Continue, &reason, ctx);
        Ok(self.done(
            "loop continue",
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
    pub fn set_metric(
        &mut self,
        name: &str,
        unit: &str,
        better: Better,
        measures: Measures,
        replace: bool,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let name = required_text("metric name", name, 200)?;
        let unit = unit.trim().to_string();
        if unit.chars().count() > 50 {
            return Err(Refusal::invalid("the unit is longer than 50 characters"));
        }
        if let Some(current) = &self.metric {
            if !replace {
                return Err(Refusal::rule(format!(
                    "{} already has the primary metric `{}` (one per loop): replace it with `jobloop metric replace {} NAME --unit U --better higher|lower`",
                    self.addr(),
                    current.name,
                    self.cmd_args()
                )));
            }
            let mut old = current.clone();
            old.replaced_at = Some(ctx.now);
            self.retired_metric = Some(old);
        } else if replace {
            return Err(Refusal::rule(format!(
                "{} has no primary metric to replace: set one with `jobloop metric set {} NAME --unit U --better higher|lower`",
                self.addr(),
                self.cmd_args()
            )));
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
        });
        self.values.clear();
        self.first_intervention_at = None;
        self.touch();
        let (command, verb) = if replace {
            ("metric replace", "replaced the primary metric of")
        } else {
            ("metric set", "set the primary metric of")
        };
        Ok(self.done(
            command,
            format!("{verb} {} to {name} ({better} is better)", self.addr()),
        ))
    }

    fn require_metric(&self, what: &str) -> Result<&Metric, Refusal> {
        self.metric.as_ref().ok_or_else(|| {
            Refusal::rule(format!(
                "{} has no primary metric, so it cannot take {what}: set one first with `jobloop metric set {} NAME --unit U --better higher|lower`",
                self.addr(),
                self.cmd_args()
            ))
        })
    }

    /// Records a value of the primary metric. A baseline describes the work before any change, so
    /// it must be dated before the first intervention on this metric.
    pub fn record_value(
        &mut self,
        phase: Phase,
        value: f64,
        at: Stamp,
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
            return Err(Refusal::invalid(format!(
                "`{value}` is not a number that can be recorded: give a finite value"
            )));
        }
        let note = optional_text("note", note, 2000)?.unwrap_or_default();
        if phase == Phase::Baseline
            && let Some(first) = self.first_intervention_at
            && at >= first
        {
            return Err(Refusal::rule(format!(
                "a baseline describes the work before any change, but {} had an intervention on {}: backdate the baseline with --at YYYY-MM-DD, or record this value with `jobloop measure`",
                self.addr(),
                first.local_date()
            )));
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
        };
        let pos = self.values.partition_point(|(_, t, _)| *t <= at);
        self.values.insert(pos, (phase, at, value));
        self.touch();
        let (command, label) = match phase {
            Phase::Baseline => ("baseline", "baseline"),
            Phase::Live => ("measure", "measurement"),
        };
        Ok(Outcome {
            command,
            summary: format!(
                "recorded {label} {} {} for {} on {}",
                value,
                metric.unit,
                self.addr(),
                at.local_date()
            )
            .replace("  ", " "),
            appended: Some(Appended::Value(row)),
            changed: true,
        })
    }

    /// Starts an intervention: refused unless the loop has a primary metric and a baseline dated
    /// before it, because without them the change can never be shown to have helped.
    pub fn intervene(
        &mut self,
        description: &str,
        at: Stamp,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let description = required_text("description", description, 2000)?;
        let metric = self.require_metric("an intervention")?.clone();
        match self.first_baseline_at() {
            None => {
                return Err(Refusal::rule(format!(
                    "no baseline recorded for {}: record one with `jobloop baseline {} VALUE` before starting an intervention",
                    self.addr(),
                    self.cmd_args()
                )));
            }
            Some(first) if first >= at => {
                return Err(Refusal::rule(format!(
                    "the first baseline of {} is dated {}, not before this intervention ({}): record an earlier baseline with `jobloop baseline {} VALUE --at YYYY-MM-DD` or date the intervention later",
                    self.addr(),
                    first.local_date(),
                    at.local_date(),
                    self.cmd_args()
                )));
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
        };
        self.first_intervention_at = Some(self.first_intervention_at.map_or(at, |f| f.min(at)));
        self.touch();
        Ok(Outcome {
            command: "intervene",
            summary: format!(
                "started intervention on {} ({}): {description}",
                self.addr(),
                at.local_date()
            ),
            appended: Some(Appended::Intervention(row)),
            changed: true,
        })
    }

    fn first_baseline_at(&self) -> Option<Stamp> {
        self.values
            .iter()
            .find(|(p, _, _)| *p == Phase::Baseline)
            .map(|(_, at, _)| *at)
    }

    /// Adds a kill signal, optionally with a rule the data can check (see `rules`).
    pub fn add_kill_signal(
        &mut self,
        text: &str,
        rule: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let text = required_text("kill signal", text, 500)?;
        let rule = match rule.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(KillRule::parse(r)?.to_string()),
            None => None,
        };
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
        Ok(self.done(
            "kill add",
            format!("armed kill signal {n} on {}{with_rule}", self.addr()),
        ))
    }

    fn signal_index(&self, n: i64) -> Result<usize, Refusal> {
        self.kill_signals
            .iter()
            .position(|k| k.n == n)
            .ok_or_else(|| {
                Refusal::not_found(format!(
                    "{} has no kill signal {n}: see them with `jobloop loop show {}`",
                    self.addr(),
                    self.cmd_args()
                ))
            })
    }

    /// Trips a kill signal (the first armed one when `n` is not given). The loop does not end by
    /// itself: it waits for `loop retire` or `loop continue`.
    pub fn trip(
        &mut self,
        n: Option<i64>,
        reason: &str,
        evidence: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, 2000)?;
        let evidence = optional_text("evidence", evidence, 4000)?;
        self.writable()?;
        if self.lp.status == Status::Closed {
            return Err(Refusal::rule(format!(
                "{} is closed: reopen it with `jobloop loop open {}` to trip one of its kill signals",
                self.addr(),
                self.cmd_args()
            )));
        }
        let idx = match n {
            Some(n) => self.signal_index(n)?,
            None => self
                .kill_signals
                .iter()
                .position(|k| k.state == SignalState::Armed)
                .ok_or_else(|| {
                    Refusal::rule(format!(
                        "{} has no armed kill signal to trip: add one with `jobloop kill add {} TEXT`",
                        self.addr(),
                        self.cmd_args()
                    ))
                })?,
        };
        let args = self.cmd_args();
        let k = &mut self.kill_signals[idx];
        if k.state == SignalState::Tripped {
            return Err(Refusal::rule(format!(
                "kill signal {} is already tripped (\"{}\"): re-arm it with `jobloop kill rearm {} {} --reason …` first",
                k.n,
                k.reason.clone().unwrap_or_default(),
                args,
                k.n
            )));
        }
        k.state = SignalState::Tripped;
        k.reason = Some(reason.clone());
        k.evidence = evidence;
        k.changed_by = Some(ctx.actor.clone());
        k.changed_at = Some(ctx.now);
        k.decision = None;
        k.decision_reason = None;
        k.decided_by = None;
        k.decided_at = None;
        let n = k.n;
        self.touch();
        Ok(self.done(
            "kill trip",
            format!(
                "tripped kill signal {n} on {}: {reason} — decide with `jobloop loop retire` or `jobloop loop continue`",
                self.addr()
            ),
        ))
    }

    pub fn rearm(&mut self, n: i64, reason: &str, ctx: &Ctx) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, 2000)?;
        self.writable()?;
        let idx = self.signal_index(n)?;
        let k = &mut self.kill_signals[idx];
        if k.state == SignalState::Armed {
            return Ok(Self::unchanged(
                "kill rearm",
                format!("kill signal {n} is already armed; nothing changed"),
            ));
        }
        k.state = SignalState::Armed;
        k.reason = Some(reason.clone());
        k.evidence = None;
        k.changed_by = Some(ctx.actor.clone());
        k.changed_at = Some(ctx.now);
        k.decision = None;
        k.decision_reason = None;
        k.decided_by = None;
        k.decided_at = None;
        Ok(self.done(
            "kill rearm",
            format!("re-armed kill signal {n} on {}: {reason}", self.addr()),
        ))
    }

    /// Captures a learning (evidence, a decision, feedback, a correction, an outcome, a mistake
    /// or a change to the system), with an optional tag and capability.
    pub fn learn(
        &mut self,
        text: &str,
        kind: LearningType,
        tag: Option<&str>,
        capability: Option<Capability>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let text = required_text("learning", text, 4000)?;
        let tag = optional_text("tag", tag, 100)?.map(|t| t.to_lowercase());
        let row = Learning {
            id: new_id(),
            loop_id: self.lp.id.clone(),
            text,
            kind,
            tag: tag.clone(),
            capability,
            at: ctx.now,
            recorded_by: ctx.actor.clone(),
        };
        self.touch();
        let tagged = tag.map(|t| format!(" [{t}]")).unwrap_or_default();
        Ok(Outcome {
            command: "learn",
            summary: format!("recorded {kind}{tagged} on {}", self.addr()),
            appended: Some(Appended::Learning(row)),
            changed: true,
        })
    }

    /// Records an irreversible decision and the human who owns it.
    pub fn decide(
        &mut self,
        text: &str,
        owner: &str,
        threshold: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        let text = required_text("decision", text, 2000)?;
        let owner = required_text("decision owner", owner, 200)?;
        let threshold = optional_text("threshold", threshold, 500)?;
        self.writable()?;
        let row = Decision {
            id: new_id(),
            loop_id: self.lp.id.clone(),
            text: text.clone(),
            owner: owner.clone(),
            threshold,
            at: ctx.now,
            recorded_by: ctx.actor.clone(),
        };
        self.touch();
        Ok(Outcome {
            command: "decide",
            summary: format!(
                "recorded decision on {} owned by {owner}: {text}",
                self.addr()
            ),
            appended: Some(Appended::Decision(row)),
            changed: true,
        })
    }

    /// Trips the first armed kill signal whose rule the loop's values break, with a reason that
    /// starts `rule:`; `None` when every rule holds. Call until `None` to fire them all, one
    /// audited trip at a time.
    pub fn fire_next_rule(&mut self, ctx: &Ctx) -> Option<Outcome> {
        let metric = self.metric.clone()?;
        if self.writable().is_err() || self.lp.status == Status::Closed {
            return None;
        }
        let baseline: Vec<f64> = self
            .values
            .iter()
            .filter(|(p, _, _)| *p == Phase::Baseline)
            .map(|(_, _, v)| *v)
            .collect();
        let live: Vec<(Stamp, f64)> = self
            .values
            .iter()
            .filter(|(p, _, _)| *p == Phase::Live)
            .map(|(_, at, v)| (*at, *v))
            .collect();
        let addr = self.addr();
        let k = self.kill_signals.iter_mut().find(|k| {
            k.state == SignalState::Armed
                && k.rule
                    .as_deref()
                    .and_then(|r| KillRule::parse(r).ok())
                    .and_then(|rule| {
                        rule.check(metric.better, &baseline, &live, metric.set_at, ctx.now)
                    })
                    .is_some()
        })?;
        let rule = KillRule::parse(k.rule.as_deref()?).ok()?;
        let reason = rule.check(metric.better, &baseline, &live, metric.set_at, ctx.now)?;
        k.state = SignalState::Tripped;
        k.reason = Some(reason.clone());
        k.evidence = None;
        k.changed_by = Some(ctx.actor.clone());
        k.changed_at = Some(ctx.now);
        Some(Outcome {
            command: "kill trip",
            summary: format!(
                "kill signal {} on {addr} tripped by its rule — {reason}",
                k.n
            ),
            appended: None,
            changed: true,
        })
    }

    /// The audit `after` for an outcome: the changed state plus the appended row.
    pub fn audit_after(&self, outcome: &Outcome) -> Json {
        let mut state = self.audit_state();
        if let (Some(row), Json::Object(map)) = (&outcome.appended, &mut state) {
            map.insert("added".into(), row.to_json());
        }
        state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx {
        Ctx {
            actor: "ana".into(),
            now: Stamp::parse("2026-11-20T12:00:00Z").unwrap(),
        }
    }

    fn at(s: &str) -> Stamp {
        Stamp::parse(&format!("{s}T00:00:00Z")).unwrap()
    }

    fn record(kind: LoopKind) -> LoopRecord {
        let job = Job {
            id: "job1".into(),
            slug: "support-triage".into(),
            title: "Triage support tickets".into(),
            statement: String::new(),
            canvas: Canvas::default(),
            created_at: ctx().now,
            archived_at: None,
            rev: 1,
        };
        LoopRecord::new(&job, kind, None, &ctx())
    }

    fn with_metric() -> LoopRecord {
        let mut r = record(LoopKind::Instrument);
        r.set_metric(
            "time to triage",
            "h",
            Better::Lower,
            Measures::Outcome,
            false,
            &ctx(),
        )
        .unwrap();
        r
    }

    #[test]
    fn a_new_loop_has_its_checklist_and_canonical_kill_signal() {
        let r = record(LoopKind::Govern);
        assert_eq!(r.lp.status, Status::NotStarted);
        assert_eq!(r.steps.len(), 4);
        assert_eq!(r.steps[0].n, 1);
        assert_eq!(r.kill_signals.len(), 1);
        assert!(r.kill_signals[0].canonical);
        assert_eq!(r.kill_signals[0].state, SignalState::Armed);
    }

    #[test]
    fn values_need_a_metric_and_name_the_command_that_sets_one() {
        let mut r = record(LoopKind::Instrument);
        let err = r
            .record_value(Phase::Baseline, 4.0, at("2026-11-01"), None, &ctx())
            .unwrap_err();
        assert!(
            err.message
                .contains("jobloop metric set support-triage instrument")
        );
        assert_eq!(r.lp.status, Status::NotStarted);
    }

    #[test]
    fn intervention_needs_an_earlier_baseline() {
        let mut r = with_metric();
        let err = r
            .intervene("new routing", at("2026-11-10"), &ctx())
            .unwrap_err();
        assert!(err.message.contains("no baseline recorded"), "{err}");
        assert!(
            err.message
                .contains("jobloop baseline support-triage instrument")
        );

        r.record_value(Phase::Baseline, 4.0, at("2026-11-10"), None, &ctx())
            .unwrap();
        let err = r
            .intervene("new routing", at("2026-11-10"), &ctx())
            .unwrap_err();
        assert!(
            err.message.contains("not before this intervention"),
            "{err}"
        );

        r.record_value(Phase::Baseline, 5.0, at("2026-11-02"), None, &ctx())
            .unwrap();
        let out = r
            .intervene("new routing", at("2026-11-10"), &ctx())
            .unwrap();
        assert!(matches!(out.appended, Some(Appended::Intervention(_))));
    }

    #[test]
    fn baselines_after_an_intervention_are_refused() {
        let mut r = with_metric();
        r.record_value(Phase::Baseline, 4.0, at("2026-11-01"), None, &ctx())
            .unwrap();
        r.intervene("new routing", at("2026-11-05"), &ctx())
            .unwrap();
        let err = r
            .record_value(Phase::Baseline, 4.0, at("2026-11-06"), None, &ctx())
            .unwrap_err();
        assert!(err.message.contains("jobloop measure"), "{err}");
        assert!(
            r.record_value(Phase::Baseline, 4.0, at("2026-10-30"), None, &ctx())
                .is_ok()
        );
        assert!(
            r.record_value(Phase::Live, 3.0, at("2026-11-06"), None, &ctx())
                .is_ok()
        );
    }

    #[test]
    fn non_finite_values_are_refused() {
        let mut r = with_metric();
        assert!(
            r.record_value(Phase::Live, f64::NAN, at("2026-11-01"), None, &ctx())
                .is_err()
        );
    }

    #[test]
    fn first_activity_opens_the_loop_but_an_owner_does_not() {
        let mut r = record(LoopKind::Understand);
        r.assign_owner("Ana", &ctx()).unwrap();
        assert_eq!(r.lp.status, Status::NotStarted);
        r.mark_step(1, Some("interviewed 5 agents"), &ctx())
            .unwrap();
        assert_eq!(r.lp.status, Status::Open);
        assert_eq!(r.steps[0].evidence.as_deref(), Some("interviewed 5 agents"));
        r.undo_step(1, &ctx()).unwrap();
        assert!(r.steps[0].done_at.is_none());
        assert!(r.mark_step(9, None, &ctx()).is_err());
    }

    #[test]
    fn one_primary_metric_and_replacing_is_explicit() {
        let mut r = with_metric();
        let err = r
            .set_metric("x", "", Better::Higher, Measures::Outcome, false, &ctx())
            .unwrap_err();
        assert!(err.message.contains("metric replace"), "{err}");
        r.record_value(Phase::Baseline, 4.0, at("2026-11-01"), None, &ctx())
            .unwrap();
        r.set_metric(
            "csat",
            "pts",
            Better::Higher,
            Measures::Outcome,
            true,
            &ctx(),
        )
        .unwrap();
        assert_eq!(r.metric.as_ref().unwrap().name, "csat");
        assert!(r.retired_metric.as_ref().unwrap().replaced_at.is_some());
        // Baselines belong to a metric: the new one starts without any.
        assert!(r.intervene("x", at("2026-11-10"), &ctx()).is_err());
    }

    #[test]
    fn tripping_waits_for_a_decision() {
        let mut r = with_metric();
        assert!(r.trip(None, "  ", None, &ctx()).is_err());
        r.trip(None, "only adoption numbers", Some("deck p.3"), &ctx())
            .unwrap();
        assert!(r.kill_signals[0].awaits_decision());
        assert_eq!(r.lp.status, Status::Open);
        let err = r.close(true, &ctx()).unwrap_err();
        assert!(err.message.contains("tripped and undecided"), "{err}");
        assert!(r.trip(Some(1), "again", None, &ctx()).is_err());
        r.continue_after_trip("measuring outcomes from next week", &ctx())
            .unwrap();
        assert!(!r.kill_signals[0].awaits_decision());
        assert_eq!(r.kill_signals[0].decision, Some(KillDecision::Continue));
        assert!(r.continue_after_trip("again", &ctx()).is_err());
        r.rearm(1, "fixed the metric", &ctx()).unwrap();
        assert_eq!(r.kill_signals[0].state, SignalState::Armed);
    }

    #[test]
    fn retiring_kills_the_loop_and_blocks_further_records() {
        let mut r = with_metric();
        r.trip(None, "no outcome data", None, &ctx()).unwrap();
        r.retire("not worth it", &ctx()).unwrap();
        assert_eq!(r.lp.status, Status::Killed);
        assert_eq!(r.kill_signals[0].decision, Some(KillDecision::Retire));
        let err = r
            .record_value(Phase::Live, 1.0, at("2026-11-01"), None, &ctx())
            .unwrap_err();
        assert!(err.message.contains("loop open"), "{err}");
        r.open(&ctx()).unwrap();
        assert_eq!(r.lp.status, Status::Open);
    }

    #[test]
    fn closing_checks_the_checklist_unless_forced() {
        let mut r = record(LoopKind::Redesign);
        assert!(r.close(false, &ctx()).is_err());
        r.open(&ctx()).unwrap();
        let err = r.close(false, &ctx()).unwrap_err();
        assert!(err.message.contains("undone steps (1, 2, 3, 4)"), "{err}");
        for n in 1..=4 {
            r.mark_step(n, None, &ctx()).unwrap();
        }
        r.close(false, &ctx()).unwrap();
        assert_eq!(r.lp.status, Status::Closed);
    }

    #[test]
    fn decisions_need_an_owner() {
        let mut r = record(LoopKind::Govern);
        let err = r.decide("auto-refund", " ", None, &ctx()).unwrap_err();
        assert!(err.message.contains("decision owner"), "{err}");
        let out = r
            .decide("auto-refund under 50 EUR", "Ben", Some("50 EUR"), &ctx())
            .unwrap();
        assert!(matches!(out.appended, Some(Appended::Decision(_))));
    }

    #[test]
    fn archived_jobs_refuse_changes() {
        let mut r = record(LoopKind::Govern);
        r.job.archived_at = Some(ctx().now);
        assert!(r.assign_owner("Ana", &ctx()).is_err());
        assert!(r.add_kill_signal("x", None, &ctx()).is_err());
    }

    #[test]
    fn a_kill_rule_trips_its_signal_when_the_data_breaks_it() {
        let mut r = with_metric();
        let err = r
            .add_kill_signal("answers slow", Some("below"), &ctx())
            .unwrap_err();
        assert!(
            err.message.contains("worse-than-baseline P% for N"),
            "{err}"
        );
        r.add_kill_signal("answers slow", Some("above 12"), &ctx())
            .unwrap();
        assert_eq!(r.kill_signals[1].rule.as_deref(), Some("above 12"));
        r.record_value(Phase::Live, 11.0, at("2026-11-02"), None, &ctx())
            .unwrap();
        assert!(
            r.fire_next_rule(&ctx()).is_none(),
            "silent while the data holds"
        );
        r.record_value(Phase::Live, 13.0, at("2026-11-03"), None, &ctx())
            .unwrap();
        let bot = Ctx {
            actor: "jobloop".into(),
            now: ctx().now,
        };
        let fired = r.fire_next_rule(&bot);
        assert!(fired.is_some());
        let k = &r.kill_signals[1];
        assert_eq!(k.state, SignalState::Tripped);
        assert!(
            k.reason
                .as_deref()
                .unwrap()
                .starts_with("rule: the latest value 13")
        );
        assert_eq!(k.changed_by.as_deref(), Some("jobloop"));
        assert!(
            r.fire_next_rule(&bot).is_none(),
            "a tripped signal does not trip twice"
        );
    }

    #[test]
    fn notes_are_replaced_and_cleared() {
        let mut r = record(LoopKind::Improve);
        r.set_notes("  retro on Friday ", &ctx()).unwrap();
        assert_eq!(r.lp.notes, "retro on Friday");
        assert!(!r.set_notes("retro on Friday", &ctx()).unwrap().changed);
        r.set_notes("", &ctx()).unwrap();
        assert_eq!(r.lp.notes, "");
    }

    #[test]
    fn unchanged_commands_write_nothing() {
        let mut r = record(LoopKind::Govern);
        r.assign_owner("Ana", &ctx()).unwrap();
        assert!(!r.assign_owner("Ana", &ctx()).unwrap().changed);
    }
}
