//! The user's intents: the one API the CLI, the TUI, the demo and undo all speak. Each intent is
//! plain data (it can cross a thread to the TUI's store worker); the rules that apply it live in
//! `loop_record`, `job`, `cycle` and `evidence`, and the store runs it in one transaction.

use super::cycle::CompoundAnswers;
use super::flow::{CriticSpec, StepEdit, StepSpec};
use super::job::JobEdit;
use super::kind::LoopKind;
use super::model::{
    Better, Capability, DetectedBy, LearningType, Measures, MetricId, Phase, ProofCounts,
    ProofKind, ProofOutcome, Severity, Verdict, Visibility,
};
use super::stats::{Limit, Target};
use chrono::NaiveDate;

use super::time::{Week, When};

#[derive(Clone, Debug, PartialEq)]
pub enum Intent {
    AddJob {
        title: String,
        slug: Option<String>,
        statement: Option<String>,
        owner: Option<String>,
        /// The day its history begins, when earlier than the day it is recorded (backfill).
        since: Option<chrono::NaiveDate>,
    },
    EditJob {
        slug: String,
        edit: JobEdit,
    },
    ArchiveJob {
        slug: String,
        archived: bool,
    },
    /// Names the job's lead.
    SetLead {
        slug: String,
        lead: String,
    },
    SelectTool {
        slug: String,
        name: String,
        at: When,
    },
    /// Marks a tool recorded by mistake as void (by its name or id), with why.
    VoidTool {
        slug: String,
        tool: String,
        reason: String,
    },
    AddProof {
        slug: String,
        title: String,
        kind: ProofKind,
        visibility: Visibility,
        link: Option<String>,
        at: When,
    },
    TrackProof {
        slug: String,
        proof: String,
        counts: ProofCounts,
        /// The counts the front end showed before they were edited: refused when they changed
        /// meanwhile (a teammate's count would be written over). `None` from a command line.
        was: Option<ProofOutcome>,
    },
    /// Makes a proof public (it goes to the journeys) or withdraws it (private again), with why.
    SetProofVisibility {
        slug: String,
        proof: String,
        visibility: Visibility,
        reason: String,
    },
    CloseCycle {
        slug: String,
        week: Option<Week>,
        answers: CompoundAnswers,
    },
    OnLoop {
        slug: String,
        kind: LoopKind,
        op: LoopOp,
    },
    /// Values of several loops (the week form), in one transaction: each recorded by the same
    /// rule and with the same audit event as a single value, all or none; a row names no phase
    /// (it is read from its loop as it is written).
    RecordValues {
        rows: Vec<super::value_import::ValueRow>,
        /// Why, for a baseline value that changes a locked plan (as `baseline --reason`).
        reason: Option<String>,
    },
    /// Voids several values of several loops in one transaction, each with its own event, all
    /// or none: undoing a command that recorded many values at once (the week form, an import).
    VoidValues {
        /// Job, loop and the value's id.
        values: Vec<(String, LoopKind, String)>,
        reason: String,
    },
}

/// What can be done to one loop.
#[derive(Clone, Debug, PartialEq)]
pub enum LoopOp {
    AssignOwner {
        name: String,
        /// The owner the front end showed (empty: none), when it showed one: refused when
        /// another named an owner meanwhile. `None` from a command line.
        was: Option<String>,
    },
    Open,
    Close {
        force: bool,
    },
    MarkStep {
        n: i64,
        evidence: Option<String>,
    },
    UndoStep {
        n: i64,
    },
    AddStep {
        text: String,
    },
    SetNotes {
        text: String,
        /// The notes the front end showed before they were edited: refused when they changed
        /// meanwhile, so an edit never writes over a teammate's note it did not show (an undo:
        /// the notes its command wrote). `None` where nothing was shown first (a command line).
        was: Option<String>,
    },
    Retire {
        reason: String,
    },
    Continue {
        reason: String,
    },
    SetMetric {
        name: String,
        unit: String,
        better: Better,
        measures: Measures,
        replace: bool,
        target: Option<Target>,
        /// Why, when it changes a locked plan (a deviation).
        reason: Option<String>,
        /// The metric the front end showed as the one replaced: refused when another replaced
        /// it meanwhile (its records would be thrown out unseen). `None` from a command line.
        shown: Option<MetricId>,
        /// The replaced metric's target the front end showed (`Target::to_text`, empty: none):
        /// refused when another changed it meanwhile. `None` from a command line.
        target_was: Option<String>,
    },
    /// Sets (or with `None` clears) the primary metric's target change.
    SetTarget {
        target: Option<Target>,
        reason: Option<String>,
        /// The target the front end showed (`Target::to_text`, empty: none): refused when
        /// another changed it meanwhile. `None` from a command line.
        was: Option<String>,
    },
    RecordValue {
        phase: Phase,
        value: f64,
        /// The text the value was typed as (`10.00`), when the front end has it: kept when it is
        /// not the number's shortest form.
        typed: Option<String>,
        /// The value's id in the system it came from (a CSV import's `source` column).
        source: Option<String>,
        at: When,
        note: Option<String>,
        reason: Option<String>,
        /// A value of this guardrail instead of the primary metric.
        guard: Option<String>,
        /// The primary metric the front end showed when the value was typed: refused when
        /// it is no longer the loop's (replaced meanwhile), so a number never lands under a
        /// metric and unit nobody saw. `None` where nothing was shown first (a command line).
        shown: Option<MetricId>,
    },
    /// Watches a guardrail metric beside the primary one.
    AddGuardrail {
        name: String,
        unit: String,
        better: Better,
        max_worse: Limit,
        reason: Option<String>,
    },
    RemoveGuardrail {
        name: String,
        reason: Option<String>,
    },
    /// Starts an intervention, which locks the plan.
    Intervene(InterventionSpec),
    /// Changes the locked plan's horizon (a deviation, with its reason).
    SetHorizon {
        horizon: usize,
        reason: Option<String>,
    },
    AddKillSignal {
        text: String,
        rule: Option<String>,
        reason: Option<String>,
    },
    Trip {
        n: Option<i64>,
        reason: String,
        evidence: Option<String>,
    },
    Rearm {
        n: i64,
        reason: String,
    },
    Learn {
        text: String,
        kind: LearningType,
        tag: Option<String>,
        capability: Option<Capability>,
        /// The incident it learns from (at least 4 characters of its id).
        incident: Option<String>,
        /// The day it is about, when not today (backfill).
        about: Option<NaiveDate>,
    },
    Decide {
        text: String,
        owner: String,
        threshold: Option<String>,
        /// The flow step it belongs to, by name or unique prefix.
        step: Option<String>,
        /// The day it was taken, when not today (backfill).
        about: Option<NaiveDate>,
    },
    /// The decision's named owner signs it off.
    Approve {
        decision: String,
        /// The lead records the named owner's sign-off on the owner's word (local files only).
        witnessed: bool,
    },
    /// A new version of a decision with another threshold or owner; the old one is kept.
    Amend {
        decision: String,
        owner: Option<String>,
        threshold: Option<String>,
    },
    /// Marks a value, intervention, decision or learning as entered by mistake.
    Void {
        record: String,
        reason: String,
    },
    /// Adds a step to the redesigned workflow (the redesign loop).
    FlowAdd {
        name: String,
        step: StepSpec,
        at: When,
    },
    /// Changes a step of the flow.
    FlowSet {
        step: String,
        edit: StepEdit,
    },
    /// Removes a step from the flow: it is voided with the reason and kept.
    FlowVoid {
        step: String,
        reason: String,
    },
    /// Records artifact work the redesign removed, and why.
    FlowDrop {
        name: String,
        why: String,
        at: When,
    },
    /// Names a step's human owner, its approval threshold or a critic check (the govern loop).
    FlowGovern {
        step: String,
        owner: Option<String>,
        approval: Option<String>,
        critic: Option<CriticSpec>,
    },
    /// Records what a critic check of a step found (the govern loop).
    CriticResult {
        step: String,
        critic: String,
        result: Verdict,
        note: Option<String>,
    },
    /// Records an incident at a step (the improve loop).
    IncidentAdd {
        what: String,
        step: String,
        severity: Severity,
        tag: Option<String>,
        detected_by: Option<DetectedBy>,
        at: When,
    },
    /// Records what changed to fix an incident (at least 4 characters of its id).
    IncidentFix {
        incident: String,
        change: String,
    },
}

/// What starting an intervention says. The rule takes it whole and names each field, so a field
/// added here is flagged where the rule reads it and where a front end builds it, and the
/// dispatch between them needs nothing.
#[derive(Clone, Debug, PartialEq)]
pub struct InterventionSpec {
    pub description: String,
    pub at: When,
    /// The planned number of live values (`None`: from the target, else 12).
    pub horizon: Option<usize>,
}

impl InterventionSpec {
    /// An intervention that keeps the plan's default horizon (`..InterventionSpec::new(…)`
    /// sets the rest, so a test or the demo that wants one field names only that one).
    pub fn new(description: impl Into<String>, at: When) -> Self {
        InterventionSpec {
            description: description.into(),
            at,
            horizon: None,
        }
    }
}

/// The common intents with only what they require, the rest left unset: what the demo, replays
/// and tests build by hand. An optional field added to one of these variants is then written
/// in the variant and here, and nowhere else that only wants the default (the CLI and the TUI
/// still name every field, so the compiler sends them to it).
impl LoopOp {
    /// A value of the primary metric, typed as its shortest form, with no note.
    pub fn value(phase: Phase, value: f64, at: When) -> Self {
        LoopOp::RecordValue {
            phase,
            value,
            typed: None,
            source: None,
            at,
            note: None,
            reason: None,
            guard: None,
            shown: None,
        }
    }

    /// A primary outcome metric with no target, set on a loop that has none yet.
    pub fn metric(name: impl Into<String>, unit: impl Into<String>, better: Better) -> Self {
        LoopOp::SetMetric {
            name: name.into(),
            unit: unit.into(),
            better,
            measures: Measures::Outcome,
            replace: false,
            target: None,
            reason: None,
            shown: None,
            target_was: None,
        }
    }

    /// Names the loop's owner, whoever owns it now (a command line shows nothing first).
    pub fn assign_owner(name: impl Into<String>) -> Self {
        LoopOp::AssignOwner {
            name: name.into(),
            was: None,
        }
    }

    /// Sets or clears the primary metric's target, whatever it is now.
    pub fn set_target(target: Option<Target>, reason: Option<String>) -> Self {
        LoopOp::SetTarget {
            target,
            reason,
            was: None,
        }
    }

    /// An intervention that keeps the plan's default horizon.
    pub fn intervene(description: impl Into<String>, at: When) -> Self {
        LoopOp::Intervene(InterventionSpec::new(description, at))
    }

    /// Trips the first armed kill signal, with no evidence beside the reason.
    pub fn trip(reason: impl Into<String>) -> Self {
        LoopOp::Trip {
            n: None,
            reason: reason.into(),
            evidence: None,
        }
    }

    /// A kill signal, with a rule jobloop checks (`stale 7 days`) or none.
    pub fn kill_signal(text: impl Into<String>, rule: Option<&str>) -> Self {
        LoopOp::AddKillSignal {
            text: text.into(),
            rule: rule.map(str::to_string),
            reason: None,
        }
    }

    /// A decision and its owner, not tied to a flow step, taken today.
    pub fn decide(
        text: impl Into<String>,
        owner: impl Into<String>,
        threshold: Option<&str>,
    ) -> Self {
        LoopOp::Decide {
            text: text.into(),
            owner: owner.into(),
            threshold: threshold.map(str::to_string),
            step: None,
            about: None,
        }
    }
}

impl LoopOp {
    /// The loop whose records an intent writes, when only one loop's may (the flow is the
    /// redesign loop's, its governance the govern loop's, incidents the improve loop's).
    pub fn home(&self) -> Option<LoopKind> {
        match self {
            LoopOp::FlowAdd { .. }
            | LoopOp::FlowSet { .. }
            | LoopOp::FlowVoid { .. }
            | LoopOp::FlowDrop { .. } => Some(LoopKind::Redesign),
            LoopOp::FlowGovern { .. } | LoopOp::CriticResult { .. } => Some(LoopKind::Govern),
            LoopOp::IncidentAdd { .. } | LoopOp::IncidentFix { .. } => Some(LoopKind::Improve),
            _ => None,
        }
    }
}

impl Intent {
    /// The loop an intent acts on, if it acts on one.
    pub fn target(&self) -> Option<(&str, LoopKind)> {
        match self {
            Intent::OnLoop { slug, kind, .. } => Some((slug, *kind)),
            _ => None,
        }
    }

    /// The people an intent names as an owner or a lead (on a shared database each must be
    /// someone the team's rules bind, and no look-alike of a member).
    pub fn person_names(&self) -> Vec<&str> {
        match self {
            Intent::AddJob { owner, .. } => owner.as_deref().into_iter().collect(),
            Intent::SetLead { lead, .. } => vec![lead.as_str()],
            Intent::OnLoop { op, .. } => match op {
                LoopOp::AssignOwner { name, .. } => vec![name.as_str()],
                LoopOp::Decide { owner, .. } => vec![owner.as_str()],
                LoopOp::Amend { owner, .. } => owner.as_deref().into_iter().collect(),
                LoopOp::FlowGovern { owner, .. } => owner.as_deref().into_iter().collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// The job an intent acts on, if any (adding a job acts on none yet).
    pub fn slug(&self) -> Option<&str> {
        match self {
            Intent::AddJob { .. } => None,
            Intent::EditJob { slug, .. }
            | Intent::ArchiveJob { slug, .. }
            | Intent::SetLead { slug, .. }
            | Intent::SelectTool { slug, .. }
            | Intent::VoidTool { slug, .. }
            | Intent::AddProof { slug, .. }
            | Intent::TrackProof { slug, .. }
            | Intent::SetProofVisibility { slug, .. }
            | Intent::CloseCycle { slug, .. }
            | Intent::OnLoop { slug, .. } => Some(slug),
            // Several jobs' loops, or one job's.
            Intent::RecordValues { rows, .. } => one_job(rows.iter().map(|r| r.job.as_str())),
            Intent::VoidValues { values, .. } => one_job(values.iter().map(|v| v.0.as_str())),
        }
    }
}

/// The job all of `slugs` name, when they name one.
fn one_job<'a>(mut slugs: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let first = slugs.next()?;
    slugs.all(|s| s == first).then_some(first)
}
