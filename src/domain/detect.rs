//! Detectors for the spec's six kill signals, computed from the records. They only suggest:
//! a lead trips a kill signal, jobloop never does so silently on a judgement call.

use chrono::Duration;
use serde::Serialize;

use super::kind::LoopKind;
use super::model::{LearningType, Measures, Phase};
use super::review::JobSnap;
use super::time::Stamp;

/// How long a proof artifact may wait for a tracked outcome before distribution looks broken.
pub const PROOF_GRACE_DAYS: i64 = 14;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suggestion {
    /// The canonical kill signal of the loop's kind.
    pub text: String,
    /// What in the records points at it.
    pub why: String,
}

fn suggest(kind: LoopKind, why: String) -> Suggestion {
    Suggestion {
        text: kind.kill_signal().to_string(),
        why,
    }
}

/// Interventions (any loop of the job) with no baseline value of their metric dated before them.
fn unproven_interventions(job: &JobSnap) -> Vec<(LoopKind, Stamp)> {
    job.loops
        .iter()
        .flat_map(|l| {
            l.intervention_dates.iter().filter_map(move |i| {
                let proven = l
                    .values
                    .iter()
                    .any(|(p, at, _)| *p == Phase::Baseline && at < i);
                (!proven).then_some((l.lp.kind, *i))
            })
        })
        .collect()
}

/// The suggested kill signals of one loop of `job`.
pub fn suggestions(job: &JobSnap, kind: LoopKind, now: Stamp) -> Vec<Suggestion> {
    let Some(l) = job.loops.iter().find(|l| l.lp.kind == kind) else {
        return Vec::new();
    };
    // Nothing to suggest on a finished loop, or when the canonical signal already tripped.
    let canonical_armed = l
        .kill_signals
        .iter()
        .any(|k| k.canonical && k.state == super::model::SignalState::Armed);
    if l.lp.status.is_finished() || !canonical_armed {
        return Vec::new();
    }
    let interventions: usize = job.loops.iter().map(|l| l.intervention_dates.len()).sum();
    let slug = &job.job.slug;
    let mut out = Vec::new();
    match kind {
        LoopKind::Understand => {
            if interventions > 0 && job.job.canvas.workaround.trim().is_empty() {
                out.push(suggest(kind, format!(
                    "{interventions} intervention(s) are recorded but not the customer's current workaround (`jobloop job edit {slug} --workaround …`)"
                )));
            }
        }
        LoopKind::Redesign => {
            let mapped = l.steps.iter().find(|(n, _)| *n == 1).and_then(|(_, d)| *d);
            if let Some((name, at)) = job
                .tools
                .iter()
                .filter(|(_, at)| mapped.is_none_or(|m| *at < m))
                .min_by_key(|(_, at)| *at)
            {
                out.push(suggest(kind, format!(
                    "the tool `{name}` was selected on {} before the workflow was mapped (redesign step 1)",
                    at.local_date()
                )));
            }
        }
        LoopKind::Instrument => {
            if let Some(m) = l
                .metric
                .as_ref()
                .filter(|m| m.measures == Measures::Adoption)
            {
                out.push(suggest(
                    kind,
                    format!(
                        "the primary metric `{}` measures adoption, not an outcome",
                        m.name
                    ),
                ));
            }
            if let Some((k, at)) = unproven_interventions(job).first() {
                out.push(suggest(
                    kind,
                    format!(
                        "the intervention of {} on {slug}/{k} has no baseline dated before it",
                        at.local_date()
                    ),
                ));
            }
        }
        LoopKind::Govern => {
            let open: i64 = job
                .loops
                .iter()
                .map(|l| l.decisions_without_threshold)
                .sum();
            if open > 0 {
                out.push(suggest(
                    kind,
                    format!("{open} irreversible decision(s) have no approval threshold"),
                ));
            }
            if interventions > 0 && l.lp.owner.is_none() {
                out.push(suggest(
                    kind,
                    format!(
                        "{interventions} intervention(s) run while the govern loop has no owner"
                    ),
                ));
            }
        }
        LoopKind::Improve => {
            let mut mistakes: Vec<&(LearningType, Option<String>, Stamp)> = job
                .learnings
                .iter()
                .filter(|(t, tag, _)| *t == LearningType::Mistake && tag.is_some())
                .collect();
            mistakes.sort_by_key(|(_, _, at)| *at);
            let repeat = mistakes
                .iter()
                .enumerate()
                .find_map(|(i, (_, tag, first))| {
                    mistakes[i + 1..]
                        .iter()
                        .find(|(_, t2, _)| t2 == tag)
                        .filter(|(_, _, second)| {
                            !job.learnings.iter().any(|(t, _, at)| {
                                *t == LearningType::Change && at > first && at < second
                            })
                        })
                        .map(|(_, _, second)| (tag.clone().unwrap_or_default(), *first, *second))
                });
            if let Some((tag, first, second)) = repeat {
                out.push(suggest(kind, format!(
                    "the mistake `{tag}` was recorded on {} and again on {} with no change recorded between",
                    first.local_date(),
                    second.local_date()
                )));
            }
        }
        LoopKind::Distribute => {
            let cutoff = Stamp::from_utc(now.0 - Duration::days(PROOF_GRACE_DAYS));
            if let Some((title, at)) = job
                .proofs
                .iter()
                .filter(|(_, at, tracked)| !tracked && *at < cutoff)
                .map(|(title, at, _)| (title, at))
                .min_by_key(|(_, at)| **at)
            {
                out.push(suggest(kind, format!(
                    "the proof `{title}` is {} days old with no tracked outcome (`jobloop proof outcome {slug} ID …`)",
                    (now.0 - at.0).num_days()
                )));
            }
        }
    }
    out
}
