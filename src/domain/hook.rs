//! What a committed write did that people outside jobloop may want to hear of: a kill signal
//! tripped, a decision waiting for its sign-off or signed, a cycle closed, a guardrail breached.
//! Derived from the records before and after the write (never from what was asked), so a rule
//! that trips its signal by itself on a measurement is a trip like one typed by hand, and a
//! refused or empty command has nothing to say. Running the programs that listen is the front
//! ends' (`crate::hooks`): nothing here spawns anything.

use serde::Serialize;
use std::collections::BTreeSet;

use super::kind::LoopKind;
use super::loop_record::LoopRecord;
use super::model::{Cycle, Job, SignalState, short_id};
use super::state::LoopState;
use super::time::Stamp;

macro_rules! events {
    ($($variant:ident = $name:literal,)+) => {
        /// The kinds of happening a hook can listen to.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum Event {
            $(#[serde(rename = $name)] $variant,)+
        }

        impl Event {
            pub const ALL: &'static [Event] = &[$(Event::$variant,)+];

            /// The name a config file and a hook's input use (`kill-tripped`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Event::$variant => $name,)+
                }
            }

            pub fn parse(name: &str) -> Option<Event> {
                match name {
                    $($name => Some(Event::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

events! {
    KillTripped = "kill-tripped",
    DecisionPending = "decision-pending",
    DecisionSigned = "decision-signed",
    CycleClosed = "cycle-closed",
    GuardrailBreached = "guardrail-breached",
}

impl std::fmt::Display for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What the happening is about, beyond its job and loop.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Subject {
    Signal {
        signal: i64,
        signal_text: String,
        reason: Option<String>,
    },
    Decision {
        decision: String,
        decision_text: String,
        decision_owner: String,
        /// Who recorded the owner's sign-off on their word (a witnessed sign-off, not the
        /// owner's signature); absent when the owner signed it themselves or it is pending.
        #[serde(skip_serializing_if = "Option::is_none")]
        witnessed_by: Option<String>,
    },
    Cycle {
        week: String,
        compounds: bool,
    },
    Guardrail {
        guardrail: String,
    },
}

/// One happening of a committed write.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Happening {
    pub event: Event,
    /// What happened, in one line.
    pub what: String,
    pub job: String,
    pub job_title: String,
    #[serde(rename = "loop")]
    pub kind: Option<LoopKind>,
    /// Who did it: the person whose command it was, or `jobloop` for a rule that fired by
    /// itself on a local file.
    pub actor: String,
    pub at: Stamp,
    /// The audit event that records it, when one event does.
    pub seq: Option<i64>,
    #[serde(flatten)]
    pub subject: Subject,
}

fn happening(
    event: Event,
    what: String,
    job: &Job,
    kind: Option<LoopKind>,
    actor: &str,
    at: Stamp,
    subject: Subject,
) -> Happening {
    Happening {
        event,
        // One line whatever a reason or a title holds: a line break typed in a reason would
        // otherwise start a new message (or a forged one) in the chat the hook posts to.
        what: super::text::one_line(&what).into_owned(),
        job: job.slug.clone(),
        job_title: job.title.clone(),
        kind,
        actor: actor.to_string(),
        at,
        seq: None,
        subject,
    }
}

/// What a change of one loop did to its kill signals and decisions (`before` as loaded,
/// `after` as written), done by `actor` at `at`.
pub fn of_loop_change(
    before: &LoopRecord,
    after: &LoopRecord,
    actor: &str,
    at: Stamp,
) -> Vec<Happening> {
    let mut out = trips(before, after, actor, at);
    out.extend(decision_changes(before, after, actor, at));
    out
}

/// The kill signals the change tripped (tripped after, not before).
fn trips(before: &LoopRecord, after: &LoopRecord, actor: &str, at: Stamp) -> Vec<Happening> {
    let addr = after.addr();
    let kind = Some(after.lp.kind);
    let mut out = Vec::new();
    for k in &after.kill_signals {
        let was_tripped = before
            .kill_signals
            .iter()
            .any(|b| b.id == k.id && b.state == SignalState::Tripped);
        if k.state == SignalState::Tripped && !was_tripped {
            out.push(happening(
                Event::KillTripped,
                format!(
                    "kill signal {} on {addr} tripped: {}",
                    k.n,
                    k.reason.as_deref().unwrap_or(&k.text)
                ),
                &after.job,
                kind,
                actor,
                at,
                Subject::Signal {
                    signal: k.n,
                    signal_text: k.text.clone(),
                    reason: k.reason.clone(),
                },
            ));
        }
    }
    out
}

/// The decisions the change left waiting for a sign-off, and those it signed.
fn decision_changes(
    before: &LoopRecord,
    after: &LoopRecord,
    actor: &str,
    at: Stamp,
) -> Vec<Happening> {
    let addr = after.addr();
    let kind = Some(after.lp.kind);
    let mut out = Vec::new();
    let pending_before: BTreeSet<&str> = before
        .current_decisions()
        .filter(|d| d.approved_at.is_none())
        .map(|d| d.id.as_str())
        .collect();
    for d in after.current_decisions() {
        let was = before.decisions.iter().find(|b| b.id == d.id);
        let subject = || Subject::Decision {
            decision: short_id(&d.id).to_string(),
            decision_text: d.text.clone(),
            decision_owner: d.owner.clone(),
            witnessed_by: d.witnessed_by.clone().filter(|_| d.approved_at.is_some()),
        };
        if d.approved_at.is_none() && !pending_before.contains(d.id.as_str()) {
            out.push(happening(
                Event::DecisionPending,
                format!(
                    "decision {} on {addr} waits for {}'s sign-off: {}",
                    short_id(&d.id),
                    d.owner,
                    d.text
                ),
                &after.job,
                kind,
                actor,
                at,
                subject(),
            ));
        }
        if d.approved_at.is_some() && was.is_some_and(|b| b.approved_at.is_none()) {
            out.push(happening(
                Event::DecisionSigned,
                match &d.witnessed_by {
                    // Recorded on the owner's word: never announced as their signature.
                    Some(w) => format!(
                        "{w} recorded {}'s sign-off of decision {} on {addr} on their word (witnessed, not signed by them): {}",
                        d.owner,
                        short_id(&d.id),
                        d.text
                    ),
                    None => format!(
                        "{} signed off decision {} on {addr}: {}",
                        d.approved_by.as_deref().unwrap_or(&d.owner),
                        short_id(&d.id),
                        d.text
                    ),
                },
                &after.job,
                kind,
                actor,
                at,
                subject(),
            ));
        }
    }
    out
}

/// The guardrails breached in `after` that were not in `before` (the loop's derived states
/// around a write; `None`: no state was stored yet, so none was breached).
pub fn of_breaches(
    job: &Job,
    before: Option<&LoopState>,
    after: &LoopState,
    actor: &str,
    at: Stamp,
) -> Vec<Happening> {
    let was: BTreeSet<&str> = before
        .iter()
        .flat_map(|s| s.guardrails.iter())
        .filter(|g| g.breached)
        .map(|g| g.name.as_str())
        .collect();
    after
        .guardrails
        .iter()
        .filter(|g| g.breached && !was.contains(g.name.as_str()))
        .map(|g| {
            happening(
                Event::GuardrailBreached,
                format!(
                    "guardrail {} on {}/{} got worse beyond its limit",
                    g.name, job.slug, after.kind
                ),
                job,
                Some(after.kind),
                actor,
                at,
                Subject::Guardrail {
                    guardrail: g.name.clone(),
                },
            )
        })
        .collect()
}

/// A cycle closed: its compound test answered.
pub fn of_cycle(job: &Job, cycle: &Cycle) -> Happening {
    let compounds = cycle.broken_layer().is_none();
    happening(
        Event::CycleClosed,
        format!(
            "{} closed the cycle of {} for {}: {}",
            cycle.closed_by,
            job.slug,
            cycle.week,
            if compounds {
                "it compounds"
            } else {
                "it does not compound"
            }
        ),
        job,
        None,
        &cycle.closed_by,
        cycle.closed_at,
        Subject::Cycle {
            week: cycle.week.clone(),
            compounds,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_reads_back_as_its_event() {
        for e in Event::ALL {
            assert_eq!(Event::parse(e.name()), Some(*e));
            assert_eq!(
                serde_json::to_value(e).unwrap(),
                serde_json::Value::String(e.name().into())
            );
        }
        assert_eq!(Event::parse("kill_tripped"), None);
        assert_eq!(Event::parse("*"), None);
    }
}
