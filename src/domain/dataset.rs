//! The export format — every record of a database as one JSON document, section by section — and
//! the checks an import makes of each record before it is written: the same limits the CLI and
//! the TUI apply to what people type, measured the same way (characters of trimmed text).

use serde::{Deserialize, Serialize};

use super::job::validate_slug;
use super::loop_record::*;
use super::model::*;
use super::rules::KillRule;
use super::time::Week;

pub const FORMAT: &str = "jobloop-export";

/// The largest record an import accepts, as JSON text: far above what the limits on typed text
/// allow any honest record to be.
pub const MAX_RECORD_BYTES: u64 = 4 << 20;
/// The largest audit event an import accepts (it holds a loop's whole state before and after).
pub const MAX_EVENT_BYTES: u64 = 64 << 20;
/// The largest actor name jobloop records.
pub const MAX_ACTOR: usize = super::text::MAX_PERSON;

/// A whole export in memory: only for small files and tests; import and export stream.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    pub format: String,
    pub schema_version: i64,
    pub jobs: Vec<Job>,
    pub loops: Vec<Loop>,
    pub steps: Vec<Step>,
    pub metrics: Vec<Metric>,
    pub values: Vec<Value>,
    pub interventions: Vec<Intervention>,
    pub kill_signals: Vec<KillSignal>,
    pub decisions: Vec<Decision>,
    pub cycles: Vec<Cycle>,
    #[serde(default)]
    pub tools: Vec<Tool>,
    #[serde(default)]
    pub learnings: Vec<Learning>,
    #[serde(default)]
    pub proofs: Vec<Proof>,
    #[serde(default)]
    pub deviations: Vec<Deviation>,
    #[serde(default)]
    pub flow_steps: Vec<FlowStep>,
    #[serde(default)]
    pub flow_drops: Vec<FlowDrop>,
    #[serde(default)]
    pub governance: Vec<Governance>,
    #[serde(default)]
    pub critic_results: Vec<CriticResult>,
    #[serde(default)]
    pub incidents: Vec<Incident>,
    pub audit_events: Vec<AuditEvent>,
}

/// Checks what people type, the way the intents do: `Err` names the field and the limit.
fn text(field: &str, s: &str, max: usize, required: bool) -> Result<(), String> {
    let t = s.trim();
    if t != s {
        return Err(format!("the {field} has leading or trailing spaces"));
    }
    if required && t.is_empty() {
        return Err(format!("the {field} is empty"));
    }
    let n = t.chars().count();
    if n > max {
        return Err(format!(
            "the {field} is {n} characters long; the limit is {max}"
        ));
    }
    Ok(())
}

fn opt(field: &str, s: &Option<String>, max: usize) -> Result<(), String> {
    match s {
        Some(s) => text(field, s, max, true),
        None => Ok(()),
    }
}

fn actor(field: &str, s: &str) -> Result<(), String> {
    text(field, s, MAX_ACTOR, true)
}

fn void(v: &Option<Void>) -> Result<(), String> {
    match v {
        Some(v) => {
            actor("voider", &v.by)?;
            text("void reason", &v.reason, MAX_REASON, true)
        }
        None => Ok(()),
    }
}

/// A record as an import checks it.
pub trait Checked {
    fn check(&self) -> Result<(), String>;
}

impl Checked for Job {
    fn check(&self) -> Result<(), String> {
        validate_slug(&self.slug).map_err(|e| e.to_string())?;
        text("title", &self.title, MAX_NAME, true)?;
        text("statement", &self.statement, MAX_REASON, false)?;
        let c = &self.canvas;
        for (f, v) in [
            ("performer", &c.performer),
            ("circumstance", &c.circumstance),
            ("workaround", &c.workaround),
            ("functional job", &c.functional_job),
            ("emotional job", &c.emotional_job),
            ("social job", &c.social_job),
            ("competing solutions", &c.competing_solutions),
            ("hiring criteria", &c.hiring_criteria),
        ] {
            text(f, v, MAX_LONG, false)?;
        }
        opt("lead", &self.lead, MAX_NAME)?;
        if self.rev < 1 {
            return Err("the revision is below 1".into());
        }
        Ok(())
    }
}

impl Checked for Loop {
    fn check(&self) -> Result<(), String> {
        opt("owner", &self.owner, MAX_NAME)?;
        text("notes", &self.notes, MAX_NOTES, false)?;
        if self.rev < 1 {
            return Err("the revision is below 1".into());
        }
        Ok(())
    }
}

impl Checked for Step {
    fn check(&self) -> Result<(), String> {
        if !(1..=MAX_STEPS as i64).contains(&self.n) {
            return Err(format!("step number {} is out of range", self.n));
        }
        text("step text", &self.text, MAX_SHORT, true)?;
        opt("evidence", &self.evidence, MAX_LONG)?;
        if let Some(by) = &self.done_by {
            actor("done by", by)?;
        }
        Ok(())
    }
}

impl Checked for Metric {
    fn check(&self) -> Result<(), String> {
        text("metric name", &self.name, MAX_NAME, true)?;
        text("unit", &self.unit, MAX_UNIT, false)?;
        actor("set by", &self.set_by)
    }
}

impl Checked for Value {
    fn check(&self) -> Result<(), String> {
        if !self.value.is_finite() {
            return Err("the value is not a finite number".into());
        }
        text("note", &self.note, MAX_REASON, false)?;
        actor("recorded by", &self.recorded_by)?;
        if let Some(t) = &self.typed {
            // Kept only when it means exactly the value and is not its shortest form.
            match super::num::typed_text(self.value, Some(t)) {
                Ok(Some(kept)) if &kept == t => {}
                Ok(_) => return Err(format!("its typed text `{t}` is not kept that way")),
                Err(e) => return Err(format!("its typed text: {}", e.message)),
            }
        }
        opt("source", &self.source, super::num::MAX_SOURCE)?;
        void(&self.void)
    }
}

impl Checked for Intervention {
    fn check(&self) -> Result<(), String> {
        text("description", &self.description, MAX_REASON, true)?;
        actor("recorded by", &self.recorded_by)?;
        super::plan::check(self)?;
        void(&self.void)
    }
}

impl Checked for Deviation {
    fn check(&self) -> Result<(), String> {
        text("deviation", &self.detail, MAX_SHORT, true)?;
        text("reason", &self.reason, MAX_REASON, true)?;
        opt("value", &self.value, MAX_TAG)?;
        actor("recorded by", &self.recorded_by)
    }
}

impl Checked for FlowStep {
    fn check(&self) -> Result<(), String> {
        text("step name", &self.name, MAX_NAME, true)?;
        if self.gate.is_some() && self.by != Performer::Human {
            return Err("a gate on a step no human does".into());
        }
        if self.role.is_some() && self.by != Performer::Agent {
            return Err("a role on a step no agent does".into());
        }
        if self
            .after
            .iter()
            .any(|a| a.as_str().contains(',') || a == &self.id)
        {
            return Err("its predecessors are malformed".into());
        }
        actor("recorded by", &self.recorded_by)?;
        opt("changed by", &self.changed_by, MAX_ACTOR)?;
        void(&self.void)
    }
}

impl Checked for FlowDrop {
    fn check(&self) -> Result<(), String> {
        text("work removed", &self.name, MAX_NAME, true)?;
        text("why", &self.why, MAX_REASON, true)?;
        actor("recorded by", &self.recorded_by)?;
        void(&self.void)
    }
}

impl Checked for Governance {
    fn check(&self) -> Result<(), String> {
        opt("owner", &self.owner, MAX_ACTOR)?;
        opt("approval threshold", &self.approval, MAX_SHORT)?;
        opt("critic check", &self.critic, MAX_NAME)?;
        if self.critic.is_some() != self.critic_by.is_some() {
            return Err("a critic check without who performs it".into());
        }
        if self.owner.is_none() && self.approval.is_none() && self.critic.is_none() {
            return Err("it governs nothing".into());
        }
        actor("recorded by", &self.recorded_by)?;
        void(&self.void)
    }
}

impl Checked for CriticResult {
    fn check(&self) -> Result<(), String> {
        text("critic check", &self.critic, MAX_NAME, true)?;
        opt("note", &self.note, MAX_REASON)?;
        actor("recorded by", &self.recorded_by)?;
        void(&self.void)
    }
}

impl Checked for Incident {
    fn check(&self) -> Result<(), String> {
        text("incident", &self.what, MAX_LONG, true)?;
        opt("tag", &self.tag, MAX_TAG)?;
        opt("change", &self.change, MAX_LONG)?;
        if self.change.is_some() != self.fixed_at.is_some() {
            return Err("a fix without its change or its time".into());
        }
        actor("recorded by", &self.recorded_by)?;
        void(&self.void)
    }
}

impl Checked for KillSignal {
    fn check(&self) -> Result<(), String> {
        if !(1..=MAX_SIGNALS as i64).contains(&self.n) {
            return Err(format!("kill signal number {} is out of range", self.n));
        }
        text("kill signal", &self.text, MAX_SHORT, true)?;
        if self.state == SignalState::Tripped && self.reason.as_deref().is_none_or(str::is_empty) {
            return Err("it is tripped without a reason".into());
        }
        opt("reason", &self.reason, MAX_REASON)?;
        opt("evidence", &self.evidence, MAX_LONG)?;
        opt("decision reason", &self.decision_reason, MAX_REASON)?;
        if let Some(rule) = &self.rule
            && KillRule::parse(rule).is_err()
        {
            return Err(format!("its rule `{rule}` is malformed"));
        }
        Ok(())
    }
}

impl Checked for Decision {
    fn check(&self) -> Result<(), String> {
        text("decision", &self.text, MAX_REASON, true)?;
        text("decision owner", &self.owner, MAX_NAME, true)?;
        opt("threshold", &self.threshold, MAX_SHORT)?;
        actor("recorded by", &self.recorded_by)?;
        void(&self.void)
    }
}

impl Checked for Cycle {
    fn check(&self) -> Result<(), String> {
        Week::parse(&self.week).map_err(|e| e.to_string())?;
        for (f, v) in [
            ("understanding note", &self.understanding_note),
            ("explanation note", &self.explanation_note),
            ("creation note", &self.creation_note),
            ("distribution note", &self.distribution_note),
            ("note", &self.note),
        ] {
            text(f, v, MAX_REASON, false)?;
        }
        actor("closed by", &self.closed_by)
    }
}

impl Checked for Tool {
    fn check(&self) -> Result<(), String> {
        text("tool name", &self.name, MAX_NAME, true)?;
        actor("recorded by", &self.recorded_by)?;
        void(&self.void)
    }
}

impl Checked for Learning {
    fn check(&self) -> Result<(), String> {
        text("learning", &self.text, MAX_LONG, true)?;
        opt("tag", &self.tag, MAX_TAG)?;
        actor("recorded by", &self.recorded_by)?;
        void(&self.void)
    }
}

impl Checked for Proof {
    fn check(&self) -> Result<(), String> {
        text("proof title", &self.title, MAX_NAME, true)?;
        opt("link", &self.link, MAX_REASON)?;
        if let Some(o) = self.outcome {
            let all = [
                o.replies,
                o.citations,
                o.intros,
                o.bookings,
                o.sales,
                o.reuse,
            ];
            if all
                .iter()
                .any(|c| !(0..=super::evidence::MAX_COUNT).contains(c))
            {
                return Err("an outcome count is out of range".into());
            }
        }
        actor("recorded by", &self.recorded_by)
    }
}

impl Checked for AuditEvent {
    fn check(&self) -> Result<(), String> {
        if self.seq < 1 {
            return Err(format!("sequence number {} is below 1", self.seq));
        }
        text("actor", &self.actor, MAX_ACTOR, true)
    }
}
