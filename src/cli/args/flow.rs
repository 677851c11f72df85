//! The workflow map: `flow`, `critic` and `incident`.

use clap::Subcommand;

use super::parse::*;
use crate::domain::model::{
    AgentRole, DataClass, DetectedBy, HumanGate, Performer, Severity, StepKind, Verdict,
};
use crate::domain::time::When;

/// Data classes given as `personal,internal` (`none` for none).
#[derive(Clone, Debug, PartialEq)]
pub struct DataClasses(pub Vec<DataClass>);

#[derive(Subcommand, Debug)]
pub enum FlowCmd {
    /// Add a step to a job's redesigned workflow (the redesign loop's record)
    Add {
        job: String,
        /// The step's name, unique in the flow
        name: String,
        /// input, decision, action, output, exception or handoff
        #[arg(long, value_parser = parse_step_kind)]
        kind: StepKind,
        /// Who does it: agent, system or human
        #[arg(long, value_parser = parse_performer)]
        by: Performer,
        /// An agent's role: perception, decision, action, memory or escalation
        #[arg(long, value_parser = parse_role)]
        role: Option<AgentRole>,
        /// A human's gate: judgment, taste, relationship, exception, approval or liability
        #[arg(long, value_parser = parse_gate)]
        gate: Option<HumanGate>,
        /// A step it follows (its name or a unique prefix); give it once per predecessor
        #[arg(long, value_name = "STEP")]
        after: Vec<String>,
        /// The data classes it handles: public, internal, confidential, personal, special
        #[arg(long, value_parser = parse_classes, value_name = "CLASS[,CLASS]")]
        data: Option<DataClasses>,
        /// It cannot be taken back (a payment sent, a message delivered)
        #[arg(long)]
        irreversible: bool,
        /// When it was mapped, YYYY-MM-DD [default: today]
        #[arg(long, value_parser = parse_at, value_name = "DATE")]
        at: Option<When>,
    },
    /// The flow of a job: its steps in order, with governance, critics, incidents and the work
    /// it removed
    List {
        job: String,
        #[arg(long)]
        json: bool,
    },
    /// Change a step (its name, kind, performer, role, gate, predecessors, data, irreversibility)
    Set {
        job: String,
        /// The step's name or a unique prefix
        step: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_parser = parse_step_kind)]
        kind: Option<StepKind>,
        /// Who does it now (a role or gate that no longer fits goes unless given again)
        #[arg(long, value_parser = parse_performer)]
        by: Option<Performer>,
        #[arg(long, value_parser = parse_role)]
        role: Option<AgentRole>,
        #[arg(long, value_parser = parse_gate)]
        gate: Option<HumanGate>,
        /// The steps it follows, all of them (give it once per predecessor)
        #[arg(long, value_name = "STEP", conflicts_with = "first")]
        after: Vec<String>,
        /// It follows no step: the flow starts here
        #[arg(long)]
        first: bool,
        /// Its data classes, all of them (`none` for none)
        #[arg(long, value_parser = parse_classes, value_name = "CLASS[,CLASS]")]
        data: Option<DataClasses>,
        #[arg(long, conflicts_with = "reversible")]
        irreversible: bool,
        #[arg(long)]
        reversible: bool,
    },
    /// Remove a step from the flow: it is voided with the reason and kept in the history
    Void {
        job: String,
        step: String,
        #[arg(long)]
        reason: String,
    },
    /// Record artifact work the redesign removed ("the weekly status spreadsheet"), and why
    Drop {
        job: String,
        /// The work that was removed
        name: String,
        #[arg(long)]
        why: String,
        /// When it was removed, YYYY-MM-DD [default: today]
        #[arg(long, value_parser = parse_at, value_name = "DATE")]
        at: Option<When>,
    },
    /// Govern a step (the govern loop's record): its human owner, its approval threshold, a
    /// critic check
    Govern {
        job: String,
        step: String,
        /// The human who owns the step's outcome
        #[arg(long, value_name = "NAME")]
        owner: Option<String>,
        /// Its approval threshold, e.g. "refunds over 50 EUR wait for the owner"
        #[arg(long, value_name = "TEXT")]
        approval: Option<String>,
        /// A named critic check of the step
        #[arg(long, value_name = "NAME", requires = "critic_by")]
        critic: Option<String>,
        /// Who performs the critic check: agent, system or human
        #[arg(long, value_parser = parse_performer, requires = "critic")]
        critic_by: Option<Performer>,
    },
    /// Write the flow as a diagram with lanes and gates (Mermaid or Graphviz DOT)
    Export {
        job: String,
        #[arg(long, conflicts_with = "dot", required_unless_present = "dot")]
        mermaid: bool,
        #[arg(long)]
        dot: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum CriticCmd {
    /// Record a critic check's result on a step (the govern loop's record)
    Result {
        job: String,
        /// The step's name or a unique prefix
        step: String,
        /// The critic check's name
        critic: String,
        /// pass or fail
        #[arg(value_parser = parse_verdict)]
        result: Verdict,
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum IncidentCmd {
    /// Record an incident at a flow step (the improve loop's record)
    Add {
        job: String,
        /// What happened
        what: String,
        /// The step it happened at (its name or a unique prefix)
        #[arg(long, value_name = "STEP")]
        step: String,
        /// low, medium or high
        #[arg(long, value_parser = parse_severity)]
        severity: Severity,
        /// A short tag; the same incident twice is found by its step and tag
        #[arg(long)]
        tag: Option<String>,
        /// Who noticed: agent, system, human or customer
        #[arg(long, value_parser = parse_detected_by)]
        detected_by: Option<DetectedBy>,
        /// When it happened, YYYY-MM-DD [default: today]
        #[arg(long, value_parser = parse_at, value_name = "DATE")]
        at: Option<When>,
    },
    /// Record what changed to fix an incident (in the prompt, standard, workflow or instrument)
    Fix {
        /// At least 4 characters of the incident's id
        id: String,
        #[arg(long)]
        change: String,
    },
    /// The incidents of one job or of all, open ones first
    List {
        job: Option<String>,
        #[arg(long)]
        json: bool,
    },
}
