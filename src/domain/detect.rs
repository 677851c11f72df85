//! Detectors for the spec's six kill signals, computed from the loops' and the job's stored
//! facts. They only suggest: a lead trips a kill signal, jobloop never does so silently on a
//! judgement call.

use chrono::Duration;
use serde::Serialize;

use super::kind::LoopKind;
use super::model::Measures;
use super::review::JobInput;
use super::state::LoopState;
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

/// The suggested kill signals of one loop of `job`.
pub fn suggestions(job: &JobInput, kind: LoopKind, now: Stamp) -> Vec<Suggestion> {
    let Some(l) = job.loops.iter().find(|l| l.kind == kind) else {
        return Vec::new();
    };
    // Nothing to suggest on a finished loop, or when the canonical signal already tripped.
    let canonical_armed = l.kill_signals.iter().any(|k| k.canonical && !k.tripped);
    if l.status.is_finished() || !canonical_armed {
        return Vec::new();
    }
    let interventions: i64 = job.loops.iter().map(|l| l.interventions).sum();
    let mut out = Vec::new();
    match kind {
        LoopKind::Understand => {
            if interventions > 0 && job.job.canvas.workaround.trim().is_empty() {
                out.push(suggest(
                    kind,
                    format!(
                        "{interventions} intervention(s) are recorded but not the customer's current workaround"
                    ),
                ));
            }
        }
        LoopKind::Redesign => {
            let mapped = l.facts.step1_done;
            if let Some((name, at)) = job
                .state
                .tools
                .iter()
                // A tool chosen on the day the flow was mapped gets the benefit of the doubt.
                .filter(|(_, at)| mapped.is_none_or(|m| at.date() < m.local_date()))
                .min_by_key(|(_, at)| at.date())
            {
                out.push(suggest(
                    kind,
                    format!(
                        "the tool `{name}` was selected on {at} before the workflow was mapped (redesign step 1)"
                    ),
                ));
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
            if let Some((k, at)) = job
                .loops
                .iter()
                .find_map(|l| l.facts.unproven_intervention.map(|at| (l.kind, at)))
            {
                out.push(suggest(
                    kind,
                    format!(
                        "the intervention of {at} on {}/{k} has no baseline dated before it",
                        job.job.slug
                    ),
                ));
            }
            // A primary metric switched once live values were in: success redefined after
            // the fact (the old metric and its verdict are kept beside the new one).
            for l in &job.loops {
                for m in l.superseded_metrics.iter().filter(|m| m.live_n > 0) {
                    out.push(suggest(
                        kind,
                        format!(
                            "the primary metric `{}` of {}/{} was replaced{} after {} live value(s): success redefined after the fact",
                            m.name,
                            job.job.slug,
                            l.kind,
                            m.replaced_at
                                .map(|r| format!(" on {}", r.local_date()))
                                .unwrap_or_default(),
                            m.live_n
                        ),
                    ));
                }
            }
        }
        LoopKind::Govern => {
            let open: i64 = job
                .loops
                .iter()
                .map(|l| l.facts.decisions_without_threshold)
                .sum();
            if open > 0 {
                out.push(suggest(
                    kind,
                    format!("{open} irreversible decision(s) have no approval threshold"),
                ));
            }
            if interventions > 0 && l.owner.is_none() {
                out.push(suggest(
                    kind,
                    format!(
                        "{interventions} intervention(s) run while the govern loop has no owner"
                    ),
                ));
            }
        }
        LoopKind::Improve => {
            if let Some((tag, first, second)) = repeated_mistake(&job.loops) {
                out.push(suggest(
                    kind,
                    format!(
                        "the mistake `{tag}` was recorded on {} and again on {} with no change recorded between",
                        first.local_date(),
                        second.local_date()
                    ),
                ));
            }
        }
        LoopKind::Distribute => {
            let cutoff = (now.0 - Duration::days(PROOF_GRACE_DAYS)).date_naive();
            if let Some((title, at)) = job
                .state
                .untracked_proofs
                .iter()
                .filter(|(_, at)| at.date() < cutoff)
                .min_by_key(|(_, at)| at.date())
            {
                out.push(suggest(
                    kind,
                    format!(
                        "the proof `{title}` is {} days old with no tracked outcome",
                        (now.local_date() - at.date()).num_days()
                    ),
                ));
            }
        }
    }
    out
}

/// The first mistake (by tag) recorded twice across the job's loops with no change recorded
/// between the two.
fn repeated_mistake(loops: &[LoopState]) -> Option<(String, Stamp, Stamp)> {
    let mut mistakes: Vec<&(String, Stamp)> =
        loops.iter().flat_map(|l| l.facts.mistakes.iter()).collect();
    mistakes.sort_by_key(|(_, at)| *at);
    let changes: Vec<Stamp> = loops
        .iter()
        .flat_map(|l| l.facts.changes.iter().copied())
        .collect();
    mistakes.iter().enumerate().find_map(|(i, (tag, first))| {
        mistakes[i + 1..]
            .iter()
            .find(|(t2, _)| t2 == tag)
            .filter(|(_, second)| !changes.iter().any(|at| at > first && at < second))
            .map(|(_, second)| (tag.clone(), *first, *second))
    })
}
