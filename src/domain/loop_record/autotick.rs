//! Checklist steps that a record satisfies tick themselves, in the same event as that record.
//!
//! A step ticks when the command brings its first live record (a primary metric, a baseline
//! value, an approval threshold, a critic check, an owned decision) and the step is not done: the
//! evidence names the record. It never ticks afterwards, so a person's untick sticks while such
//! a record stays. Voiding the record a step names unticks it when no other live record satisfies
//! it: the step is no longer true. Custom steps, and canonical steps no record can prove, stay
//! the lead's to tick.

use super::LoopRecord;
use crate::domain::LoopKind;
use crate::domain::model::short_id;
use crate::domain::time::Stamp;

/// A canonical step and the live records that satisfy it: (record id, the record in words).
struct Rule {
    kind: LoopKind,
    /// Its number in the kind's checklist, from 1.
    n: i64,
    records: fn(&LoopRecord) -> Vec<(String, String)>,
}

const RULES: [Rule; 5] = [
    Rule {
        kind: LoopKind::Instrument,
        n: 1,
        records: |r| {
            r.metric
                .iter()
                .map(|m| (m.id.to_string(), format!("primary metric “{}” set", m.name)))
                .collect()
        },
    },
    Rule {
        kind: LoopKind::Instrument,
        n: 2,
        records: |r| {
            r.values
                .iter()
                .filter(|v| v.void.is_none() && v.phase == crate::domain::model::Phase::Baseline)
                .take(1)
                .map(|v| {
                    let day = v.at.date();
                    (
                        v.id.to_string(),
                        format!("baseline value {} of {day} recorded", v.shown()),
                    )
                })
                .collect()
        },
    },
    Rule {
        kind: LoopKind::Govern,
        n: 2,
        records: |r| {
            let steps = r
                .flow
                .governance
                .iter()
                .filter(|g| g.void.is_none())
                .filter_map(|g| {
                    let a = g.approval.as_ref()?;
                    Some((
                        g.id.to_string(),
                        format!("approval threshold “{a}” set on a step"),
                    ))
                });
            let decisions = r
                .decisions
                .iter()
                .filter(|d| d.void.is_none())
                .filter_map(|d| {
                    let t = d.threshold.as_ref()?;
                    Some((
                        d.id.to_string(),
                        format!("decision with approval threshold “{t}”"),
                    ))
                });
            steps.chain(decisions).take(1).collect()
        },
    },
    Rule {
        kind: LoopKind::Govern,
        n: 3,
        records: |r| {
            r.flow
                .governance
                .iter()
                .filter(|g| g.void.is_none())
                .filter_map(|g| {
                    let c = g.critic.as_ref()?;
                    Some((
                        g.id.to_string(),
                        format!("critic check “{c}” added to a step"),
                    ))
                })
                .take(1)
                .collect()
        },
    },
    Rule {
        kind: LoopKind::Govern,
        n: 4,
        records: |r| {
            r.decisions
                .iter()
                .filter(|d| d.void.is_none())
                .take(1)
                .map(|d| {
                    (
                        d.id.to_string(),
                        format!("decision owned by {} recorded", d.owner),
                    )
                })
                .collect()
        },
    },
];

/// The evidence a tick by `record` carries: its words, then the record's short id as every
/// screen shows it (what tells a tick by a record from a person's own evidence).
fn evidence(words: &str, id: &str) -> String {
    format!("{words} (record {})", short_id(id))
}

/// What the records that can tick a step say before a command, for [`after`].
pub(super) struct Before(Vec<bool>);

impl LoopRecord {
    /// Whether each rule of this loop had a live record before the command.
    pub(super) fn autotick_before(&self) -> Before {
        Before(
            RULES
                .iter()
                .map(|rule| rule.kind == self.lp.kind && !(rule.records)(self).is_empty())
                .collect(),
        )
    }

    /// Ticks the steps whose first live record the command brought, and unticks those whose
    /// named record it voided with no other left. Returns what changed, in words.
    pub(super) fn autotick_after(
        &mut self,
        before: &Before,
        now: Stamp,
        actor: &str,
    ) -> Vec<String> {
        let mut changed = Vec::new();
        for (rule, had) in RULES.iter().zip(&before.0) {
            if rule.kind != self.lp.kind {
                continue;
            }
            let records = (rule.records)(self);
            let canonical = self.lp.kind.checklist().get(rule.n as usize - 1).copied();
            let Some(step) = self
                .steps
                .iter_mut()
                .find(|s| s.n == rule.n && !s.custom && Some(s.text.as_str()) == canonical)
            else {
                continue;
            };
            let by_record = |e: &str| e.ends_with(')') && e.contains(" (record ");
            match (step.done_at, records.first()) {
                (None, Some((id, words))) if !had => {
                    step.done_at = Some(now);
                    step.done_by = Some(actor.to_string());
                    step.evidence = Some(evidence(words, id));
                    changed.push(format!("checklist step {} done", rule.n));
                }
                // The record a tick named is gone while another proves the step: the evidence
                // names that one, so it never points at a voided record.
                (Some(_), Some((id, words)))
                    if step.evidence.as_deref().is_some_and(|e| {
                        by_record(e) && !e.ends_with(&format!("(record {})", short_id(id)))
                    }) && !records.iter().any(|(i, _)| {
                        step.evidence
                            .as_deref()
                            .is_some_and(|e| e.ends_with(&format!("(record {})", short_id(i))))
                    }) =>
                {
                    // Whose command renamed the evidence is who the step's evidence is by now
                    // (on a shared database the server holds every change to its actor).
                    step.evidence = Some(evidence(words, id));
                    step.done_by = Some(actor.to_string());
                    changed.push(format!(
                        "checklist step {}'s evidence now names {}",
                        rule.n,
                        short_id(id)
                    ));
                }
                // Untick only a tick that named a record, now voided: a person's own tick with
                // their own evidence stays theirs.
                (Some(_), None) if step.evidence.as_deref().is_some_and(by_record) => {
                    step.done_at = None;
                    step.done_by = None;
                    step.evidence = None;
                    changed.push(format!("checklist step {} no longer done", rule.n));
                }
                _ => {}
            }
        }
        changed
    }
}
