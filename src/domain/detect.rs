//! Detectors for the spec's six kill signals, computed from the loops' and the job's stored
//! facts. They only suggest: a lead trips a kill signal, jobloop never does so silently on a
//! judgement call.

use chrono::Duration;
use serde::Serialize;

use super::flow::{self, Flow};
use super::kind::LoopKind;
use super::model::{Measures, Performer, Verdict};
use super::review::JobInput;
use super::state::LoopState;
use super::time::{Moment, Stamp};

/// How long a proof artifact may wait for a tracked outcome before distribution looks broken.
pub const PROOF_GRACE_DAYS: i64 = 14;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Suggestion {
    /// The canonical kill signal of the loop's kind.
    pub text: String,
    /// What in the records points at it.
    pub why: String,
    /// What record, besides tripping the signal, makes the suggestion go: the screens offer it
    /// (not in the JSON, which says `why` in words).
    #[serde(skip)]
    pub cure: Cure,
}

/// The record that removes a suggestion's cause. Tripping the signal always answers it too; a
/// cause that is history (`Cure::None`) has no other answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cure {
    /// The record is history: only tripping the signal (or living with it) answers it.
    #[default]
    None,
    /// Record the customer's current workaround on the job's canvas.
    Workaround,
    /// Put a human gate after the agent step in the workflow.
    HumanGate,
    /// Replace the primary metric with one that measures an outcome.
    OutcomeMetric,
    /// Record a baseline dated before the intervention, on the loop of that kind.
    BaselineBefore(LoopKind),
    /// Give the irreversible decisions an approval threshold.
    Threshold,
    /// Name the loop's owner.
    Owner,
    /// Govern the workflow step: owner, approval threshold, critic check.
    GovernStep,
    /// Record a change (a learning) dated between the two occurrences.
    RecordChange,
    /// Track what the proof brought back.
    TrackProof,
    /// A guardrail breached: add a kill signal to trip, or retire the loop.
    WeighBreach,
}

fn suggest(kind: LoopKind, why: String, cure: Cure) -> Suggestion {
    Suggestion {
        text: kind.kill_signal().to_string(),
        why,
        cure,
    }
}

/// What every detector reads: the job, the loop asked about, the job's joined flow, and the
/// interventions recorded across its loops.
struct Seen<'a> {
    job: &'a JobInput,
    l: &'a LoopState,
    flow: &'a Flow,
    interventions: i64,
    now: Stamp,
}

/// The suggested kill signals of one loop of `job`.
pub fn suggestions(job: &JobInput, kind: LoopKind, now: Stamp) -> Vec<Suggestion> {
    let Some(l) = job.loops.iter().find(|l| l.kind == kind) else {
        return Vec::new();
    };
    // Nothing to suggest on a retired loop, or when the canonical signal already tripped. A
    // closed redesign or govern loop still reads the workflow, which goes on changing after the
    // close: ticked boxes must not certify a flow that now has an ungoverned agent step.
    let canonical_armed = l.kill_signals.iter().any(|k| k.canonical && !k.tripped);
    let reads_structure = matches!(kind, LoopKind::Redesign | LoopKind::Govern);
    let closed = l.status == crate::domain::model::Status::Closed;
    if l.status == crate::domain::model::Status::Killed
        || (closed && !reads_structure)
        || !canonical_armed
    {
        return Vec::new();
    }
    let interventions: i64 = job.loops.iter().map(|l| l.interventions).sum();
    let flow = Flow::joined(job.loops.iter().filter_map(|l| l.flow.as_ref()));
    let seen = Seen {
        job,
        l,
        flow: &flow,
        interventions,
        now,
    };
    let mut found = match kind {
        LoopKind::Understand => understand(&seen, kind),
        LoopKind::Redesign => redesign(&seen, kind),
        LoopKind::Instrument => instrument(&seen, kind),
        LoopKind::Govern => govern(&seen, kind),
        LoopKind::Improve => improve(&seen, kind),
        LoopKind::Distribute => distribute(&seen, kind),
    };
    if closed {
        for s in &mut found {
            s.why
                .push_str(" — though the loop was closed: reopen it to weigh the signal");
        }
    }
    found
}

/// Understand: is the agent or the intervention built without knowing today's workaround?
fn understand(seen: &Seen, kind: LoopKind) -> Vec<Suggestion> {
    let mut out = Vec::new();
    let no_workaround = seen.job.job.canvas.workaround.trim().is_empty();
    if let Some(agent) = flow::ordered(&seen.flow.steps)
        .into_iter()
        .find(|s| s.by == Performer::Agent)
        .filter(|_| no_workaround)
    {
        out.push(suggest(
            kind,
            format!(
                "the agent step `{}` is in the flow but the canvas records no current workaround",
                agent.name
            ),
            Cure::Workaround,
        ));
    }
    let interventions = seen.interventions;
    if interventions > 0 && no_workaround {
        out.push(suggest(
            kind,
            format!(
                "{interventions} intervention(s) are recorded but not the customer's current workaround"
            ),
            Cure::Workaround,
        ));
    }
    out
}

/// Redesign: was a tool chosen before the workflow was mapped, and does an agent step reach
/// an output with no human gate after it?
fn redesign(seen: &Seen, kind: LoopKind) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = tool_before_mapping(seen, kind).into_iter().collect();
    let steps = &seen.flow.steps;
    for agent in flow::ordered(steps)
        .into_iter()
        .filter(|s| s.by == Performer::Agent)
    {
        if let Some(output) = flow::ungated_output(steps, agent) {
            let what = if output.kind == crate::domain::model::StepKind::Output {
                "output"
            } else {
                "irreversible step"
            };
            let path = if output.id == agent.id {
                format!("is itself an {what}")
            } else {
                format!("reaches the {what} `{}`", output.name)
            };
            out.push(suggest(
                kind,
                format!(
                    "the agent step `{}` {path} with no human gate after it",
                    agent.name
                ),
                Cure::HumanGate,
            ));
        }
    }
    out
}

/// The earliest tool selected before the workflow was mapped, if any.
fn tool_before_mapping(seen: &Seen, kind: LoopKind) -> Option<Suggestion> {
    // Mapped: the first flow step or redesign step 1 done, whichever is earlier (by
    // the day each is about).
    let first_step = flow::live(&seen.flow.steps).min_by_key(|s| s.at.order_key(s.recorded_at));
    let mapped = [
        seen.l.facts.step1_done.map(|s| s.local_date()),
        first_step.map(|s| s.at.date()),
    ]
    .into_iter()
    .flatten()
    .min();
    let (name, at) = seen
        .job
        .state
        .tools
        .iter()
        // A tool chosen on the day the flow was mapped gets the benefit of the doubt.
        .filter(|(_, at)| mapped.is_none_or(|m| at.date() < m))
        .min_by_key(|(_, at)| at.date())?;
    let when_mapped = match first_step {
        Some(s) if mapped == Some(s.at.date()) => {
            format!("its first step `{}` on {}", s.name, s.at)
        }
        _ => "redesign step 1".to_string(),
    };
    Some(suggest(
        kind,
        format!(
            "the tool `{name}` was selected on {at} before the workflow was mapped ({when_mapped})"
        ),
        Cure::None,
    ))
}

/// Instrument: does the primary metric measure adoption, does an intervention lack a baseline
/// before it, was success redefined after live values came in?
fn instrument(seen: &Seen, kind: LoopKind) -> Vec<Suggestion> {
    let job = seen.job;
    let mut out = Vec::new();
    if let Some(m) = seen
        .l
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
            Cure::OutcomeMetric,
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
            Cure::BaselineBefore(k),
        ));
    }
    out.extend(redefined_success(job, kind));
    out
}

/// A primary metric switched once live values were in: success redefined after the fact (the
/// old metric and its verdict are kept beside the new one).
fn redefined_success(job: &JobInput, kind: LoopKind) -> Vec<Suggestion> {
    let mut out = Vec::new();
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
                Cure::None,
            ));
        }
    }
    out
}

/// Govern: irreversible decisions without a threshold, interventions with no owner, steps
/// whose governance nothing reads.
fn govern(seen: &Seen, kind: LoopKind) -> Vec<Suggestion> {
    let mut out = Vec::new();
    let open: i64 = seen
        .job
        .loops
        .iter()
        .map(|l| l.facts.decisions_without_threshold)
        .sum();
    if open > 0 {
        out.push(suggest(
            kind,
            format!("{open} irreversible decision(s) have no approval threshold"),
            Cure::Threshold,
        ));
    }
    let interventions = seen.interventions;
    if interventions > 0 && seen.l.owner.is_none() {
        out.push(suggest(
            kind,
            format!("{interventions} intervention(s) run while the govern loop has no owner"),
            Cure::Owner,
        ));
    }
    out.extend(
        ungoverned(seen.flow)
            .into_iter()
            .map(|why| suggest(kind, why, Cure::GovernStep)),
    );
    out
}

/// Improve: the same incident or mistake twice with no change recorded between.
fn improve(seen: &Seen, kind: LoopKind) -> Vec<Suggestion> {
    let mut out = Vec::new();
    let changes: Vec<Moment> = seen
        .job
        .loops
        .iter()
        .flat_map(|l| l.facts.changes.iter().copied())
        .collect();
    if let Some(why) = repeated_incident(seen.flow, &changes) {
        out.push(suggest(kind, why, Cure::RecordChange));
    }
    if let Some((tag, first, second)) = repeated_mistake(&seen.job.loops) {
        out.push(suggest(
            kind,
            format!(
                "the mistake `{tag}` was recorded on {} and again on {} with no change recorded between",
                first.0, second.0
            ),
            Cure::RecordChange,
        ));
    }
    out
}

/// Distribute: the oldest proof past its grace period with no tracked outcome.
fn distribute(seen: &Seen, kind: LoopKind) -> Vec<Suggestion> {
    let now = seen.now;
    let cutoff = (now.0 - Duration::days(PROOF_GRACE_DAYS)).date_naive();
    seen.job
        .state
        .untracked_proofs
        .iter()
        .filter(|(_, at)| at.date() < cutoff)
        .min_by_key(|(_, at)| at.date())
        .map(|(title, at)| {
            suggest(
                kind,
                format!(
                    "the proof `{title}` is {} days old with no tracked outcome",
                    (now.local_date() - at.date()).num_days()
                ),
                Cure::TrackProof,
            )
        })
        .into_iter()
        .collect()
}

/// Governance that no step reads: an agent step handling personal or special data, or an
/// irreversible step, without an owner, an approval threshold or a critic check; a critic that
/// failed with nothing changed in its step since.
fn ungoverned(flow: &Flow) -> Vec<String> {
    let mut out = Vec::new();
    for s in flow::ordered(&flow.steps) {
        let sensitive: Vec<&str> = s
            .data
            .iter()
            .filter(|d| d.is_sensitive())
            .map(|d| d.as_str())
            .collect();
        let g = flow::governance_of(&s.id, &flow.governance, &flow.critic_results);
        let agent_on_sensitive = s.by == Performer::Agent && !sensitive.is_empty();
        if s.irreversible || agent_on_sensitive {
            let missing = g.missing();
            if !missing.is_empty() {
                let what = match (s.irreversible, sensitive.is_empty()) {
                    (true, true) => "irreversible".to_string(),
                    (true, false) => format!("irreversible, {} data", sensitive.join(", ")),
                    (false, _) => format!("{} step on {} data", s.by, sensitive.join(", ")),
                };
                out.push(format!(
                    "step `{}` ({what}) lacks {}: governance that no step reads",
                    s.name,
                    join_and(&missing)
                ));
            }
        }
        let changed = flow::last_change(s, &flow.governance, &flow.incidents);
        for c in &g.critics {
            if let Some(latest) = c.latest.as_ref().filter(|l| l.result == Verdict::Fail)
                && changed.is_none_or(|at| at <= latest.at)
            {
                out.push(format!(
                    "the critic `{}` of step `{}` failed on {} and nothing in the step changed since",
                    c.name,
                    s.name,
                    latest.at.local_date()
                ));
            }
        }
    }
    out
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The first incident (by step and tag) recorded twice with no change to the system recorded
/// between: no fix of the first, no change to its step, no learning of a change.
fn repeated_incident(flow: &Flow, learned_changes: &[Moment]) -> Option<String> {
    let mut incidents: Vec<&super::model::Incident> = flow
        .incidents
        .iter()
        .filter(|i| i.void.is_none() && i.tag.is_some())
        .collect();
    incidents.sort_by_key(|i| i.at.order_key(i.recorded_at));
    // The same day in every time zone, as the learned changes' moments are.
    let key = |s: Stamp| (s.0.with_timezone(&chrono::Utc).date_naive(), s);
    incidents.iter().enumerate().find_map(|(n, first)| {
        let second = incidents[n + 1..]
            .iter()
            .find(|i| i.step_id == first.step_id && i.tag == first.tag)?;
        let (from, to) = (
            first.at.order_key(first.recorded_at),
            second.at.order_key(second.recorded_at),
        );
        let step = flow::live(&flow.steps).find(|s| s.id == first.step_id);
        let mut changes = first
            .fixed_at
            .into_iter()
            .chain(step.and_then(|s| s.changed_at))
            .map(key)
            .chain(learned_changes.iter().copied());
        if changes.any(|c| c > from && c < to) {
            return None;
        }
        Some(format!(
            "the incident `{}` at step `{}` happened on {} and again on {} with no change recorded between",
            first.tag.as_deref().unwrap_or(""),
            flow::step_label(&flow.steps, first.step_id.as_str()),
            first.at,
            second.at
        ))
    })
}

/// The first mistake (by tag) recorded twice across the job's loops with no change recorded
/// between the two.
fn repeated_mistake(loops: &[LoopState]) -> Option<(String, Moment, Moment)> {
    let mut mistakes: Vec<&(String, Moment)> =
        loops.iter().flat_map(|l| l.facts.mistakes.iter()).collect();
    mistakes.sort_by_key(|(_, at)| *at);
    let changes: Vec<Moment> = loops
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
