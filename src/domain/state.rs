//! What the board, the review, the digest, `check` and the detectors need of a loop and of a job,
//! computed from the records when they change (in the same transaction) and read as one row each.
//! Nothing here depends on today's date: flags like "no measurement this week", stale rules and
//! overdue cycles are finished at read time (`review`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::kind::LoopKind;
use super::loop_record::{Guardrail, LoopRecord};
use super::model::*;
use super::plan::{
    EarlierPlan, GuardrailState, PlanState, SupersededState, judge, note_baseline_after_looks,
    note_earlier_harm, superseded,
};
use super::rules::RuleInputs;
use super::stats::{Comparison, Process, ProcessPhase, TypedAt, phase, process_typed};
use super::time::{Moment, Stamp, When, epoch_day};

/// Bump when the shape or the computation of the state changes: stored states of another
/// version are recomputed when the file is opened.
pub const STATE_VERSION: u32 = 14;

/// How many of a metric's latest values a sparkline shows.
pub const RECENT: usize = 16;
/// How many process signals are kept (the latest); `signals_total` counts them all.
pub const SIGNALS_KEPT: usize = 12;

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub n: i64,
    pub mean: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepCount {
    pub done: i64,
    pub total: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MetricSummary {
    /// Which metric it is: a form that shows it records under it, or is refused once it is
    /// replaced.
    pub id: MetricId,
    pub name: String,
    pub unit: String,
    pub better: Better,
    pub measures: Measures,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<super::stats::Target>,
    pub set_at: Stamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignalSummary {
    pub n: i64,
    pub text: String,
    pub canonical: bool,
    pub tripped: bool,
    pub reason: Option<String>,
    pub evidence: Option<String>,
    pub changed_by: Option<String>,
    pub changed_at: Option<Stamp>,
    pub decision: Option<KillDecision>,
    pub decision_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Armed again by a decision to continue after its rule tripped it: since when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continued_at: Option<Stamp>,
}

impl SignalSummary {
    pub fn awaits_decision(&self) -> bool {
        self.tripped && self.decision.is_none()
    }
}

/// A sign-off the actor recorded on the named owner's word (witnessed, not signed by them).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Witnessed {
    pub id: DecisionId,
    pub text: String,
    pub owner: String,
    pub witnessed_by: String,
    pub at: Stamp,
}

/// A decision that waits for its named owner's sign-off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    pub id: DecisionId,
    pub text: String,
    pub owner: String,
}

/// What the detectors read of one loop.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LoopFacts {
    /// The first intervention in force with no baseline dated before it (possible by import).
    pub unproven_intervention: Option<When>,
    pub decisions_without_threshold: i64,
    pub pending: Vec<Pending>,
    /// Decisions in force whose sign-off was witnessed rather than signed.
    #[serde(default)]
    pub witnessed: Vec<Witnessed>,
    /// Learnings in force that record a mistake, by tag, and when (the day it is about).
    pub mistakes: Vec<(String, Moment)>,
    /// When changes to the system happened (the day each is about).
    pub changes: Vec<Moment>,
    /// When step 1 was done (for redesign: the workflow mapped).
    pub step1_done: Option<Stamp>,
}

/// A loop's derived state: one row per loop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoopState {
    pub version: u32,
    pub kind: LoopKind,
    pub status: Status,
    pub owner: Option<String>,
    pub metric: Option<MetricSummary>,
    pub baseline: Option<Summary>,
    pub latest: Option<f64>,
    pub latest_at: Option<When>,
    /// The date of the first live value since the latest intervention: with `latest_at`, the
    /// loop's measuring cadence.
    #[serde(default)]
    pub first_live_at: Option<When>,
    /// The latest value's typed text, when it is not its shortest form (`10.00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_typed: Option<String>,
    pub live_n: i64,
    pub interventions: i64,
    pub steps: StepCount,
    pub kill_signals: Vec<SignalSummary>,
    /// Under the locked plan, when an intervention locked one.
    pub comparison: Option<Comparison>,
    /// The plan in force (the latest intervention's), with its deviations.
    #[serde(default)]
    pub plan: Option<PlanState>,
    /// The result under the plan as amended, where it compares something else.
    #[serde(default)]
    pub amended: Option<Comparison>,
    /// Guardrails in force, each judged, breached or not.
    #[serde(default)]
    pub guardrails: Vec<GuardrailState>,
    /// Plans locked before the one in force, or voided, each with its own verdict.
    #[serde(default)]
    pub earlier_plans: Vec<EarlierPlan>,
    /// Replaced primary metrics, with their plans and last comparisons.
    #[serde(default)]
    pub superseded_metrics: Vec<SupersededState>,
    /// When a change to the loop is a deviation from a locked plan (and needs a reason): the
    /// date of the intervention that locked it — also after it was voided, or after its metric
    /// was replaced, until a new intervention locks anew.
    #[serde(default)]
    pub locked_on: Option<When>,
    pub process: Option<Process<When>>,
    pub signals_total: usize,
    pub recent: Vec<f64>,
    pub rules: Option<RuleInputs>,
    pub facts: LoopFacts,
    /// The flow records in force this loop wrote (steps, governance, incidents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<super::flow::FlowFacts>,
    /// The newest value in force of the primary metric and of each guardrail in force, of
    /// either phase: what the week form asks against, and whether the week has one yet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub last_values: Vec<LastValue>,
}

/// The newest value in force of one metric of a loop, of either phase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LastValue {
    /// The guardrail's name; `None` for the primary metric.
    pub guard: Option<String>,
    pub at: When,
    /// As typed.
    pub shown: String,
}

impl LastValue {
    /// The newest of `values` in force (by the day it is about, then when it was entered).
    fn of(guard: Option<&str>, values: &[Value]) -> Option<LastValue> {
        values
            .iter()
            .filter(|v| v.void.is_none())
            .max_by_key(|v| v.at.order_key(v.recorded_at))
            .map(|v| LastValue {
                guard: guard.map(str::to_string),
                at: v.at,
                shown: v.shown(),
            })
    }
}

/// The chart's phases after the baseline: one per intervention in force, in time order, over the
/// live values from it to the next (process-behaviour charts split their limits at each change).
fn intervention_phases(r: &LoopRecord) -> Vec<ProcessPhase<When>> {
    let mut starts: Vec<_> = r
        .active_interventions()
        .map(|i| (i.at, i.at.order_key(i.recorded_at)))
        .collect();
    starts.sort_by_key(|s| s.1);
    (0..starts.len())
        .map(|k| {
            let (at, from) = starts[k];
            let until = starts.get(k + 1).map(|s| s.1);
            let values: Vec<(f64, Option<&str>)> = r
                .live()
                .filter(|v| {
                    let key = v.at.order_key(v.recorded_at);
                    key >= from && until.is_none_or(|u| key < u)
                })
                .map(|v| (v.value, v.typed.as_deref()))
                .collect();
            phase(Some(at), &values)
        })
        .collect()
}

/// A date as a number of days, for trends.
pub fn day_number(at: When) -> f64 {
    (at.date() - epoch_day()).num_days() as f64
}

impl LoopState {
    pub fn compute(r: &LoopRecord) -> LoopState {
        let baseline: Vec<&Value> = r.baselines().collect();
        let live_all: Vec<&Value> = r.live().collect();
        let live: Vec<&Value> = r.live_since_intervention().collect();
        let compared = compared_baseline(r, &baseline);
        let summary = baseline_summary(&compared);
        let latest = live_all.last().map(|v| (v.value, v.at, v.typed.clone()));
        let guards: Vec<&Guardrail> = r.guardrails.iter().chain(&r.removed_guardrails).collect();
        let judged = r
            .metric
            .as_ref()
            .map(|m| judge(m, &r.values, &r.interventions, &r.deviations, &guards));
        let (process, signals_total) = process_of(r, &compared, &live);
        let (mut comparison, plan, amended, earlier_plans, guardrails) = match judged {
            Some(j) => (j.comparison, j.plan, j.amended, j.earlier, j.guardrails),
            None => (None, None, None, Vec::new(), Vec::new()),
        };
        let superseded_metrics = superseded_metrics(r, &guards);
        if let (Some(c), Some(p)) = (comparison.as_mut(), &plan) {
            let seen = r.superseded.iter().flat_map(|s| &s.values);
            note_baseline_after_looks(c, &baseline, r.values.iter().chain(seen), p.locked_at);
            // A replaced metric's plans are earlier changes too: its last and every one before.
            let replaced: Vec<EarlierPlan> = superseded_metrics
                .iter()
                .flat_map(|s| {
                    let last = s.plan.clone().map(|plan| EarlierPlan {
                        plan,
                        voided: false,
                        comparison: s.comparison.clone(),
                        guardrails: s.guardrails.clone(),
                    });
                    s.earlier.iter().cloned().chain(last)
                })
                .collect();
            note_earlier_harm(c, &replaced);
        }
        let in_force: Vec<&Value> = r.values.iter().filter(|v| v.void.is_none()).collect();
        LoopState {
            version: STATE_VERSION,
            kind: r.lp.kind,
            status: r.lp.status,
            owner: r.lp.owner.clone(),
            metric: r.metric.as_ref().map(|m| MetricSummary {
                id: m.id.clone(),
                name: m.name.clone(),
                unit: m.unit.clone(),
                better: m.better,
                measures: m.measures,
                target: m.target,
                set_at: m.set_at,
            }),
            baseline: summary,
            latest: latest.as_ref().map(|l| l.0),
            latest_at: latest.as_ref().map(|l| l.1),
            first_live_at: live.iter().map(|v| v.at).min_by_key(|w| w.date()),
            latest_typed: latest.and_then(|l| l.2),
            live_n: live_all.len() as i64,
            interventions: r.active_interventions().count() as i64,
            steps: StepCount {
                done: r.steps.iter().filter(|s| s.done_at.is_some()).count() as i64,
                total: r.steps.len() as i64,
            },
            kill_signals: signal_summaries(r),
            comparison,
            plan,
            amended,
            earlier_plans,
            guardrails,
            locked_on: r.locking().or_else(|| r.loop_locking()).map(|i| i.at),
            superseded_metrics,
            process,
            signals_total,
            recent: in_force[in_force.len().saturating_sub(RECENT)..]
                .iter()
                .map(|v| v.value)
                .collect(),
            rules: r.rule_inputs(),
            facts: loop_facts(r, &baseline),
            flow: r.flow.facts_of(&r.lp.id),
            last_values: last_values(r),
        }
    }

    pub fn awaits_decision(&self) -> bool {
        self.kill_signals.iter().any(SignalSummary::awaits_decision)
    }
}

/// The baseline every view shows beside the verdict: the locked plan's, when one is.
fn compared_baseline<'a>(r: &'a LoopRecord, baseline: &[&'a Value]) -> Vec<TypedAt<'a, When>> {
    // The plan keeps each baseline value's number; its typed text is the value's own.
    let typed_of = |id: &ValueId| {
        r.values
            .iter()
            .find(|v| v.id == *id)
            .and_then(|v| v.typed.as_deref())
    };
    match r.plan_in_force() {
        Some((_, p)) => p
            .baseline
            .iter()
            .map(|v| (v.at, v.value, typed_of(&v.id)))
            .collect(),
        None => baseline
            .iter()
            .map(|v| (v.at, v.value, v.typed.as_deref()))
            .collect(),
    }
}

/// The compared baseline's count and exact mean (of the values as typed), if it has any.
fn baseline_summary(compared: &[TypedAt<When>]) -> Option<Summary> {
    (!compared.is_empty()).then(|| Summary {
        n: compared.len() as i64,
        mean: super::num::to_f64(
            &super::num::exact_mean(
                &compared
                    .iter()
                    .map(|v| super::num::rational(&super::num::decimal_of(v.1, v.2)))
                    .collect::<Vec<_>>(),
            )
            .unwrap_or_default(),
        ),
    })
}

/// The process-behaviour chart of the primary metric (its latest signals kept, one phase per
/// intervention) and how many signals it found in all.
fn process_of(
    r: &LoopRecord,
    compared: &[TypedAt<When>],
    live: &[&Value],
) -> (Option<Process<When>>, usize) {
    match &r.metric {
        Some(_) if !compared.is_empty() || !live.is_empty() => {
            let timed: Vec<TypedAt<When>> = live
                .iter()
                .map(|v| (v.at, v.value, v.typed.as_deref()))
                .collect();
            let mut p = process_typed(compared, &timed);
            let total = p.as_ref().map_or(0, |p| p.signals.len());
            if let Some(p) = p.as_mut() {
                let keep = p.signals.len().saturating_sub(SIGNALS_KEPT);
                p.signals.drain(..keep);
                p.phases.extend(intervention_phases(r));
            }
            (p, total)
        }
        _ => (None, 0),
    }
}

/// The replaced primary metrics, each judged under its own plans.
fn superseded_metrics(r: &LoopRecord, guards: &[&Guardrail]) -> Vec<SupersededState> {
    r.superseded
        .iter()
        .map(|s| {
            superseded(
                &s.metric,
                &s.values,
                &s.interventions,
                &r.deviations,
                guards,
            )
        })
        .collect()
}

/// The loop's kill signals as every view shows them.
fn signal_summaries(r: &LoopRecord) -> Vec<SignalSummary> {
    r.kill_signals
        .iter()
        .map(|k| SignalSummary {
            n: k.n,
            text: k.text.clone(),
            canonical: k.canonical,
            tripped: k.state == SignalState::Tripped,
            reason: k.reason.clone(),
            evidence: k.evidence.clone(),
            changed_by: k.changed_by.clone(),
            changed_at: k.changed_at,
            decision: k.decision,
            decision_reason: k.decision_reason.clone(),
            rule: k.rule.clone(),
            continued_at: k.continued_at(),
        })
        .collect()
}

/// What the detectors read of the loop: its decisions, learnings and unproven intervention.
fn loop_facts(r: &LoopRecord, baseline: &[&Value]) -> LoopFacts {
    let unproven = r
        .active_interventions()
        .find(|i| {
            !baseline
                .iter()
                .any(|b| b.at.order_key(b.recorded_at) < i.at.order_key(i.recorded_at))
        })
        .map(|i| i.at);
    let decisions: Vec<&Decision> = r.current_decisions().collect();
    let learnings = r.learnings.iter().filter(|l| l.void.is_none());
    LoopFacts {
        unproven_intervention: unproven,
        decisions_without_threshold: decisions
            .iter()
            .filter(|d| d.threshold.as_deref().is_none_or(str::is_empty))
            .count() as i64,
        witnessed: decisions
            .iter()
            .filter_map(|d| {
                Some(Witnessed {
                    id: d.id.clone(),
                    text: d.text.clone(),
                    owner: d.owner.clone(),
                    witnessed_by: d.witnessed_by.clone()?,
                    at: d.approved_at?,
                })
            })
            .collect(),
        pending: decisions
            .iter()
            .filter(|d| d.approved_at.is_none())
            .map(|d| Pending {
                id: d.id.clone(),
                text: d.text.clone(),
                owner: d.owner.clone(),
            })
            .collect(),
        mistakes: learnings
            .clone()
            .filter(|l| l.kind == LearningType::Mistake)
            .filter_map(|l| l.tag.clone().map(|t| (t, l.moment())))
            .collect(),
        changes: learnings
            .filter(|l| l.kind == LearningType::Change)
            .map(Learning::moment)
            .collect(),
        step1_done: r.steps.iter().find(|s| s.n == 1).and_then(|s| s.done_at),
    }
}

/// The newest value in force of the primary metric, then of each guardrail in force.
fn last_values(r: &LoopRecord) -> Vec<LastValue> {
    r.metric
        .as_ref()
        .and_then(|_| LastValue::of(None, &r.values))
        .into_iter()
        .chain(
            r.guardrails
                .iter()
                .filter_map(|g| LastValue::of(Some(&g.metric.name), &g.values)),
        )
        .collect()
}

/// A job's derived state: one row per job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobState {
    pub version: u32,
    pub last_cycle: Option<Cycle>,
    pub tools: Vec<(String, When)>,
    /// Proof artifacts without a tracked outcome: title and when published.
    pub untracked_proofs: Vec<(String, When)>,
    pub proofs: i64,
    /// Every proof artifact: what the review and the digest say of the distribute loop.
    #[serde(default)]
    pub proof_facts: Vec<ProofFact>,
}

/// A proof artifact as the review reads it: what, whether public, when, what it brought back.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProofFact {
    pub title: String,
    pub kind: ProofKind,
    pub public: bool,
    pub at: When,
    pub outcome: Option<ProofOutcome>,
    pub outcome_at: Option<Stamp>,
}

impl JobState {
    pub fn compute(cycles: &[Cycle], tools: &[Tool], proofs: &[Proof]) -> JobState {
        JobState {
            version: STATE_VERSION,
            last_cycle: cycles.iter().max_by(|a, b| a.week.cmp(&b.week)).cloned(),
            tools: tools
                .iter()
                .filter(|t| t.void.is_none())
                .map(|t| (t.name.clone(), t.at))
                .collect(),
            untracked_proofs: proofs
                .iter()
                .filter(|p| p.outcome.is_none())
                .map(|p| (p.title.clone(), p.at))
                .collect(),
            proofs: proofs.len() as i64,
            proof_facts: proofs
                .iter()
                .map(|p| ProofFact {
                    title: p.title.clone(),
                    kind: p.kind,
                    public: p.visibility == Visibility::Public,
                    at: p.at,
                    outcome: p.outcome,
                    outcome_at: p.outcome_at,
                })
                .collect(),
        }
    }
}

/// The local date of `now`, as the reader sees it.
pub fn today(now: Stamp) -> NaiveDate {
    now.local_date()
}
