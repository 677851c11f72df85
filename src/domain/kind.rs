//! The six loops of an AI-native customer job and the compound-test layers, as the specification
//! names them. Their order matters: it is the order of dependence, and "open now" is the first loop
//! that is not closed.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::error::Refusal;
use super::suggest::nearest;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoopKind {
    Understand,
    Redesign,
    Instrument,
    Govern,
    Improve,
    Distribute,
}

impl LoopKind {
    pub const ALL: [LoopKind; 6] = [
        LoopKind::Understand,
        LoopKind::Redesign,
        LoopKind::Instrument,
        LoopKind::Govern,
        LoopKind::Improve,
        LoopKind::Distribute,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LoopKind::Understand => "understand",
            LoopKind::Redesign => "redesign",
            LoopKind::Instrument => "instrument",
            LoopKind::Govern => "govern",
            LoopKind::Improve => "improve",
            LoopKind::Distribute => "distribute",
        }
    }

    /// 1-based position in the order of dependence.
    pub fn position(self) -> i64 {
        Self::ALL.iter().position(|k| *k == self).unwrap_or(0) as i64 + 1
    }

    /// The review question a closed loop answers "yes" to.
    pub fn question(self) -> &'static str {
        match self {
            LoopKind::Understand => "Is the customer job proven?",
            LoopKind::Redesign => "Is the workflow redesigned?",
            LoopKind::Instrument => "Is the proof instrumented?",
            LoopKind::Govern => "Is the governance inside the flow?",
            LoopKind::Improve => "Did the next run get wiser?",
            LoopKind::Distribute => "Did the proof distribute into value?",
        }
    }

    /// The close-the-loop checklist every new loop of this kind starts with.
    pub fn checklist(self) -> &'static [&'static str] {
        match self {
            LoopKind::Understand => &[
                "Capture the current workaround",
                "Name the cost of leaving it unchanged",
                "Gather evidence outside the building",
                "Decide what proof would change the customer's belief",
            ],
            LoopKind::Redesign => &[
                "Map inputs, decisions, outputs, exceptions and handoffs",
                "Remove artifact work that only exists because old systems were weak",
                "Put agents on repeatable perception, decision, action, memory and escalation",
                "Keep humans at judgment, taste, relationship, exception, approval and liability gates",
            ],
            LoopKind::Instrument => &[
                "Pick one primary metric for the loop",
                "Record a baseline before any intervention",
                "Capture exceptions and review cost",
                "Compare live output to the standard",
            ],
            LoopKind::Govern => &[
                "Classify sensitive inputs and outputs",
                "Define approval thresholds",
                "Add critic checks and audit trails",
                "Name the human owner of each irreversible decision",
            ],
            LoopKind::Improve => &[
                "Capture source evidence, decisions, feedback, corrections and outcomes",
                "Separate REALITY, DREAM and CONSUMED capability",
                "Update the prompt, standard, workflow or instrument",
                "Retire work that fails its kill signal",
            ],
            LoopKind::Distribute => &[
                "Turn proof into a case, diagram, customer story, benchmark or standard",
                "Route private evidence to private memory and public know-how to the playbook",
                "Route public proof to journeys when it is safe to show",
                "Track whether distribution creates replies, citations, intros, bookings, sales or reuse",
            ],
        }
    }

    /// The canonical kill signal every new loop of this kind is armed with.
    pub fn kill_signal(self) -> &'static str {
        match self {
            LoopKind::Understand => {
                "The team can describe an AI feature but not the customer's current workaround"
            }
            LoopKind::Redesign => "A tool was selected before the workflow was redesigned",
            LoopKind::Instrument => "Success is described as adoption, not as measured improvement",
            LoopKind::Govern => "Governance is a policy page that no workflow reads",
            LoopKind::Improve => "The same mistake appears twice with no change to the system",
            LoopKind::Distribute => "Good work ships that nobody can find, trust or act on",
        }
    }

    /// The kind with exactly this name, as stored.
    pub fn from_name(s: &str) -> Option<LoopKind> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }

    /// Accepts a full name or a unique prefix (`instr`, `im`), case-insensitively.
    pub fn parse(input: &str) -> Result<LoopKind, Refusal> {
        let wanted = input.trim().to_ascii_lowercase();
        if wanted.is_empty() {
            return Err(Refusal::invalid(format!(
                "a loop kind is required: one of {}",
                Self::names()
            )));
        }
        let matches: Vec<LoopKind> = Self::ALL
            .into_iter()
            .filter(|k| k.name().starts_with(&wanted))
            .collect();
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => {
                let names: Vec<&str> = Self::ALL.iter().map(|k| k.name()).collect();
                let hint = match nearest(&wanted, &names) {
                    Some(n) => format!("did you mean `{n}`? "),
                    None => String::new(),
                };
                Err(Refusal::not_found(format!(
                    "unknown loop kind `{input}`: {hint}the kinds are {}",
                    Self::names()
                )))
            }
            many => {
                let names: Vec<&str> = many.iter().map(|k| k.name()).collect();
                Err(Refusal::invalid(format!(
                    "loop kind `{input}` is ambiguous: it could be {}; type more letters",
                    names.join(" or ")
                )))
            }
        }
    }

    fn names() -> String {
        Self::ALL.map(|k| k.name()).join(", ")
    }
}

impl fmt::Display for LoopKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The layers of the compound test, asked at the end of every cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    Understanding,
    Explanation,
    Creation,
    Distribution,
}

impl Layer {
    pub const ALL: [Layer; 4] = [
        Layer::Understanding,
        Layer::Explanation,
        Layer::Creation,
        Layer::Distribution,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Layer::Understanding => "understanding",
            Layer::Explanation => "explanation",
            Layer::Creation => "creation",
            Layer::Distribution => "distribution",
        }
    }

    /// When this layer breaks, the loop to work on next.
    pub fn next_loop(self) -> LoopKind {
        match self {
            Layer::Understanding => LoopKind::Understand,
            Layer::Explanation => LoopKind::Instrument,
            Layer::Creation => LoopKind::Redesign,
            Layer::Distribution => LoopKind::Distribute,
        }
    }

    pub fn meaning(self) -> &'static str {
        match self {
            Layer::Understanding => "we know better what matters",
            Layer::Explanation => "we can explain it with less drag",
            Layer::Creation => "we create more value with less waste",
            Layer::Distribution => "the proof reaches better next actors",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_keep_the_spec_order() {
        let names: Vec<_> = LoopKind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(
            names,
            [
                "understand",
                "redesign",
                "instrument",
                "govern",
                "improve",
                "distribute"
            ]
        );
        assert_eq!(LoopKind::Understand.position(), 1);
        assert_eq!(LoopKind::Distribute.position(), 6);
    }

    #[test]
    fn unique_prefixes_parse_and_ambiguous_ones_are_refused() {
        assert_eq!(LoopKind::parse("instr").unwrap(), LoopKind::Instrument);
        assert_eq!(LoopKind::parse("IM").unwrap(), LoopKind::Improve);
        assert_eq!(LoopKind::parse("govern").unwrap(), LoopKind::Govern);
        let err = LoopKind::parse("i").unwrap_err().to_string();
        assert!(err.contains("instrument or improve"), "{err}");
    }

    #[test]
    fn unknown_kind_suggests_the_nearest() {
        let err = LoopKind::parse("instrumnet").unwrap_err().to_string();
        assert!(err.contains("did you mean `instrument`"), "{err}");
    }

    #[test]
    fn every_kind_has_a_checklist_and_kill_signal() {
        for k in LoopKind::ALL {
            assert_eq!(k.checklist().len(), 4);
            assert!(!k.kill_signal().is_empty());
        }
    }

    #[test]
    fn broken_layers_map_to_the_loop_to_work_on() {
        assert_eq!(Layer::Understanding.next_loop(), LoopKind::Understand);
        assert_eq!(Layer::Explanation.next_loop(), LoopKind::Instrument);
        assert_eq!(Layer::Creation.next_loop(), LoopKind::Redesign);
        assert_eq!(Layer::Distribution.next_loop(), LoopKind::Distribute);
    }
}
