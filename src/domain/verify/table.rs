//! The tables jobloop writes, by the names `verify` reports them under and the store stores
//! them under.

/// The tables jobloop writes, as `verify` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Jobs,
    Loops,
    Steps,
    KillSignals,
    Metrics,
    Values,
    Interventions,
    Decisions,
    Learnings,
    Cycles,
    Tools,
    Proofs,
    Deviations,
    FlowSteps,
    FlowDrops,
    Governance,
    CriticResults,
    Incidents,
    AuditEvents,
    LoopState,
    JobState,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Jobs => "jobs",
            Table::Loops => "loops",
            Table::Steps => "steps",
            Table::KillSignals => "kill_signals",
            Table::Metrics => "metrics",
            Table::Values => "values",
            Table::Interventions => "interventions",
            Table::Decisions => "decisions",
            Table::Learnings => "learnings",
            Table::Cycles => "cycles",
            Table::Tools => "tools",
            Table::Proofs => "proofs",
            Table::Deviations => "deviations",
            Table::FlowSteps => "flow_steps",
            Table::FlowDrops => "flow_drops",
            Table::Governance => "governance",
            Table::CriticResults => "critic_results",
            Table::Incidents => "incidents",
            Table::AuditEvents => "audit_events",
            Table::LoopState => "loop_state",
            Table::JobState => "job_state",
        }
    }

    /// The name of its table in the database, for messages (`values` in events and exports is
    /// the `metric_values` table).
    pub fn sql_name(self) -> &'static str {
        match self {
            Table::Values => "metric_values",
            other => other.name(),
        }
    }

    pub fn from_name(s: &str) -> Option<Table> {
        [
            Table::Jobs,
            Table::Loops,
            Table::Steps,
            Table::KillSignals,
            Table::Metrics,
            Table::Values,
            Table::Interventions,
            Table::Decisions,
            Table::Learnings,
            Table::Cycles,
            Table::Tools,
            Table::Proofs,
            Table::Deviations,
            Table::FlowSteps,
            Table::FlowDrops,
            Table::Governance,
            Table::CriticResults,
            Table::Incidents,
        ]
        .into_iter()
        .find(|t| t.name() == s)
    }
}
