//! The user's intents: the one API the CLI, the TUI, the demo and undo all speak. Each intent is
//! plain data (it can cross a thread to the TUI's store worker); the rules that apply it live in
//! `loop_record`, `job`, `cycle` and `evidence`, and the store runs it in one transaction.

use super::cycle::CompoundAnswers;
use super::job::JobEdit;
use super::kind::LoopKind;
use super::model::{
    Better, Capability, LearningType, Measures, Phase, ProofKind, ProofOutcome, Visibility,
};
use super::stats::{Limit, Target};
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
        counts: ProofOutcome,
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
}

/// What can be done to one loop.
#[derive(Clone, Debug, PartialEq)]
pub enum LoopOp {
    AssignOwner {
        name: String,
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
    },
    /// Sets (or with `None` clears) the primary metric's target change.
    SetTarget {
        target: Option<Target>,
        reason: Option<String>,
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
    /// Starts an intervention, which locks the plan (`horizon`: the planned live values).
    Intervene {
        description: String,
        at: When,
        horizon: Option<usize>,
    },
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
    },
    Decide {
        text: String,
        owner: String,
        threshold: Option<String>,
    },
    /// The decision's named owner signs it off.
    Approve {
        decision: String,
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
                LoopOp::AssignOwner { name } => vec![name.as_str()],
                LoopOp::Decide { owner, .. } => vec![owner.as_str()],
                LoopOp::Amend { owner, .. } => owner.as_deref().into_iter().collect(),
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
            | Intent::AddProof { slug, .. }
            | Intent::TrackProof { slug, .. }
            | Intent::CloseCycle { slug, .. }
            | Intent::OnLoop { slug, .. } => Some(slug),
        }
    }
}
