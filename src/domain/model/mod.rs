//! The records of a job and its loops, as stored and exported, by family. Plain data: the rules
//! that change them live in `loop_record`, `job` and `cycle`.
//!
//! Fields added after version 2 of the schema are left out of a record's JSON while they are
//! empty, so a record written before them hashes as it did: the audit trail stays valid.

use serde::{Deserialize, Serialize};

use super::time::Stamp;

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn from_text(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        // `pad`, not `write_str`: a width asked for (`{:<9}`, a column of kinds) is honoured.
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }
    };
}

mod audit;
mod ctx;
mod flow;
mod jobs;
mod measures;
mod signals;

pub use audit::*;
pub use ctx::*;
pub use flow::*;
pub use jobs::*;
pub use measures::*;
pub use signals::*;

pub use crate::domain::id::Id;

// One id type per kind of record that is referred to by id; a new kind of record adds its line.
pub type JobId = Id<Job>;
pub type LoopId = Id<Loop>;
pub type StepId = Id<Step>;
pub type MetricId = Id<Metric>;
pub type ValueId = Id<Value>;
pub type InterventionId = Id<Intervention>;
pub type DeviationId = Id<Deviation>;
pub type SignalId = Id<KillSignal>;
pub type DecisionId = Id<Decision>;
pub type CycleId = Id<Cycle>;
pub type ToolId = Id<Tool>;
pub type LearningId = Id<Learning>;
pub type ProofId = Id<Proof>;
pub type FlowStepId = Id<FlowStep>;
pub type FlowDropId = Id<FlowDrop>;
pub type GovernanceId = Id<Governance>;
pub type CriticResultId = Id<CriticResult>;
pub type IncidentId = Id<Incident>;
pub type EventId = Id<AuditEvent>;

/// The understand loop's canvas of the customer job.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Canvas {
    pub performer: String,
    pub circumstance: String,
    pub workaround: String,
    pub functional_job: String,
    pub emotional_job: String,
    pub social_job: String,
    pub competing_solutions: String,
    pub hiring_criteria: String,
}

/// A record marked as entered by mistake: it stays, with who voided it and why, and counts for
/// nothing (comparisons, rules, detectors).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Void {
    pub at: Stamp,
    pub by: String,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::{ProofKind, Visibility};

    /// A column of closed words lines up: the width a format asks for is honoured.
    #[test]
    fn a_closed_word_fills_the_width_it_is_given() {
        assert_eq!(format!("{:<9}|", ProofKind::Case), "case     |");
        assert_eq!(format!("{:>7}|", Visibility::Public), " public|");
        assert_eq!(ProofKind::Case.to_string(), "case");
    }
}
