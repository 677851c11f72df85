//! The redesigned workflow (steps, dropped artifact work) and what governs and improves it
//! (governance, critic results, incidents).

use serde::{Deserialize, Serialize};

use super::{CriticResultId, FlowDropId, FlowStepId, GovernanceId, IncidentId, LoopId};

use super::Void;
use crate::domain::time::{Stamp, When};

text_enum!(
    /// What a step of the redesigned workflow is.
    StepKind {
        Input = "input",
        Decision = "decision",
        Action = "action",
        Output = "output",
        Exception = "exception",
        Handoff = "handoff",
    }
);

text_enum!(
    /// Who does a step: an agent, a system (deterministic software) or a human.
    Performer { Agent = "agent", System = "system", Human = "human" }
);

text_enum!(
    /// What an agent step does.
    AgentRole {
        Perception = "perception",
        Decision = "decision",
        Action = "action",
        Memory = "memory",
        Escalation = "escalation",
    }
);

text_enum!(
    /// Why a human keeps a step: the gate they hold.
    HumanGate {
        Judgment = "judgment",
        Taste = "taste",
        Relationship = "relationship",
        Exception = "exception",
        Approval = "approval",
        Liability = "liability",
    }
);

text_enum!(
    /// How sensitive the data a step handles is.
    DataClass {
        Public = "public",
        Internal = "internal",
        Confidential = "confidential",
        Personal = "personal",
        Special = "special",
    }
);

impl DataClass {
    /// Personal or special-category data: what the govern signal watches.
    pub fn is_sensitive(self) -> bool {
        matches!(self, DataClass::Personal | DataClass::Special)
    }
}

text_enum!(Severity {
    Low = "low",
    Medium = "medium",
    High = "high",
});

text_enum!(
    /// Who noticed an incident.
    DetectedBy {
        Agent = "agent",
        System = "system",
        Human = "human",
        Customer = "customer",
    }
);

text_enum!(
    /// What a critic check found.
    Verdict { Pass = "pass", Fail = "fail" }
);

/// A step of the redesigned workflow (the redesign loop's record): what it is, who does it, the
/// steps it follows, the data it handles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowStep {
    pub id: FlowStepId,
    pub loop_id: LoopId,
    pub name: String,
    pub kind: StepKind,
    pub by: Performer,
    /// An agent step's role.
    pub role: Option<AgentRole>,
    /// A human step's gate.
    pub gate: Option<HumanGate>,
    /// The ids of the steps it follows (its predecessors): the flow is a graph without cycles.
    pub after: Vec<FlowStepId>,
    pub data: Vec<DataClass>,
    pub irreversible: bool,
    pub at: When,
    pub recorded_by: String,
    pub recorded_at: Stamp,
    /// The last `flow set` of it.
    pub changed_at: Option<Stamp>,
    pub changed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
}

/// Artifact work the redesign removed ("the weekly status spreadsheet"), and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowDrop {
    pub id: FlowDropId,
    pub loop_id: LoopId,
    pub name: String,
    pub why: String,
    pub at: When,
    pub recorded_by: String,
    pub recorded_at: Stamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
}

/// One act of governance on a flow step (the govern loop's record): its human owner, its
/// approval threshold, or a critic check, as of `at`. A step's governance is the latest of each
/// across its acts in force.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Governance {
    pub id: GovernanceId,
    pub loop_id: LoopId,
    pub step_id: FlowStepId,
    pub owner: Option<String>,
    pub approval: Option<String>,
    /// A critic check's name, and who performs it.
    pub critic: Option<String>,
    pub critic_by: Option<Performer>,
    pub at: Stamp,
    pub recorded_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
}

/// What a critic check of a step found, at one time (the govern loop's record).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriticResult {
    pub id: CriticResultId,
    pub loop_id: LoopId,
    pub step_id: FlowStepId,
    pub critic: String,
    pub result: Verdict,
    pub note: Option<String>,
    pub at: Stamp,
    pub recorded_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
}

/// Something that went wrong at a step (the improve loop's record), and what changed to fix it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub id: IncidentId,
    pub loop_id: LoopId,
    pub step_id: FlowStepId,
    pub what: String,
    pub severity: Severity,
    pub tag: Option<String>,
    pub detected_by: Option<DetectedBy>,
    pub at: When,
    pub recorded_by: String,
    pub recorded_at: Stamp,
    /// What changed in the prompt, standard, workflow or instrument.
    pub change: Option<String>,
    pub fixed_at: Option<Stamp>,
    pub fixed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
}
