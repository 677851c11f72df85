//! The commands the audit trail records, one variant each. The trail stores each by its name
//! (hashed into the chain, so the names never change); everything that reads the trail — undo,
//! the log, `verify`, import — matches the variant exhaustively, so a new command does not
//! compile until each of them says what it means for it.

use super::verify::Table;

macro_rules! commands {
    ($($variant:ident = $name:literal,)+) => {
        /// A command as the audit trail records it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Command {
            $($variant,)+
        }

        impl Command {
            /// Every command, in the order of this list.
            pub const ALL: &'static [Command] = &[$(Command::$variant,)+];

            /// The name stored in the trail (`loop note`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Command::$variant => $name,)+
                }
            }

            /// The command of a stored name; `None` for a name no jobloop wrote.
            pub fn parse(name: &str) -> Option<Command> {
                match name {
                    $($name => Some(Command::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

commands! {
    JobAdd = "job add",
    JobEdit = "job edit",
    JobArchive = "job archive",
    JobUnarchive = "job unarchive",
    JobLead = "job lead",
    LoopOwner = "loop owner",
    LoopOpen = "loop open",
    LoopClose = "loop close",
    LoopStep = "loop step",
    LoopStepUndo = "loop step undo",
    LoopStepAdd = "loop step-add",
    LoopNote = "loop note",
    LoopRetire = "loop retire",
    LoopContinue = "loop continue",
    MetricSet = "metric set",
    MetricReplace = "metric replace",
    MetricTarget = "metric target",
    Baseline = "baseline",
    Measure = "measure",
    Intervene = "intervene",
    PlanHorizon = "plan horizon",
    GuardAdd = "guard add",
    GuardRemove = "guard remove",
    KillAdd = "kill add",
    KillTrip = "kill trip",
    KillRearm = "kill rearm",
    Decide = "decide",
    DecideApprove = "decide approve",
    DecideWitness = "decide witness",
    DecideAmend = "decide amend",
    Void = "void",
    Learn = "learn",
    Tool = "tool",
    ToolVoid = "tool void",
    ProofAdd = "proof add",
    ProofOutcome = "proof outcome",
    ProofVisibility = "proof visibility",
    CycleClose = "cycle close",
    Migrate = "migrate",
    FlowAdd = "flow add",
    FlowSet = "flow set",
    FlowVoid = "flow void",
    FlowDrop = "flow drop",
    FlowGovern = "flow govern",
    CriticResult = "critic result",
    IncidentAdd = "incident add",
    IncidentFix = "incident fix",
}

/// What an event of a command wrote besides the rows it lists under `added` and `updated`:
/// the whole new row of a job's own table (its `after` is the row), or the states of a new job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writes {
    /// The new job's row and its six loops' states.
    NewJob,
    /// A new row of this job-level table, as the event's `after`.
    JobRow(Table),
    /// A proof's outcome counts: as a whole row under `updated` (from version 3), or as the
    /// changed counts only (older events).
    ProofCounts,
    /// The signer's own decision, under `updated`, and nothing else.
    SignOff,
    /// The job's state hash, or a loop's, in the event's own `after`; or nothing of its own.
    State,
}

impl Command {
    /// What the trail learns from an event of this command, beyond `added` and `updated`.
    pub fn writes(self) -> Writes {
        match self {
            Command::JobAdd => Writes::NewJob,
            Command::CycleClose => Writes::JobRow(Table::Cycles),
            Command::Tool => Writes::JobRow(Table::Tools),
            Command::ProofAdd => Writes::JobRow(Table::Proofs),
            Command::ProofOutcome => Writes::ProofCounts,
            Command::DecideApprove | Command::DecideWitness => Writes::SignOff,
            Command::ProofVisibility
            | Command::JobEdit
            | Command::JobArchive
            | Command::JobUnarchive
            | Command::JobLead
            | Command::LoopOwner
            | Command::LoopOpen
            | Command::LoopClose
            | Command::LoopStep
            | Command::LoopStepUndo
            | Command::LoopStepAdd
            | Command::LoopNote
            | Command::LoopRetire
            | Command::LoopContinue
            | Command::MetricSet
            | Command::MetricReplace
            | Command::MetricTarget
            | Command::Baseline
            | Command::Measure
            | Command::Intervene
            | Command::PlanHorizon
            | Command::GuardAdd
            | Command::GuardRemove
            | Command::KillAdd
            | Command::KillTrip
            | Command::KillRearm
            | Command::Decide
            | Command::DecideAmend
            | Command::Void
            | Command::Learn
            | Command::Migrate
            | Command::FlowAdd
            | Command::FlowSet
            | Command::FlowVoid
            | Command::FlowDrop
            | Command::FlowGovern
            | Command::CriticResult
            | Command::IncidentAdd
            | Command::IncidentFix
            | Command::ToolVoid => Writes::State,
        }
    }
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_as_its_command() {
        for c in Command::ALL {
            assert_eq!(Command::parse(c.name()), Some(*c));
        }
        assert_eq!(Command::parse("loop notes"), None);
        let mut names: Vec<&str> = Command::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Command::ALL.len(), "two commands share a name");
    }
}
