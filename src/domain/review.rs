//! The weekly review: from each job's stored state and its loops' stored states, the six questions
//! answered, the loop open now, the flags that need the lead, the compound test — finished with
//! what depends on today's date. `review --json` serialises this structure as is; its field names
//! are a contract (fields are only ever added).

use serde::Serialize;

use super::plan::{EarlierPlan, GuardrailState, PlanState, SupersededState};
use std::collections::BTreeMap;

use super::cycle::cycle_state;
use super::detect::{Suggestion, suggestions};
use super::error::{At, Fix};
use super::flow::{Flow, FlowView, IncidentView};
use super::kind::{Layer, LoopKind};
use super::model::*;
use super::rules::{KillRule, RuleCheck};
use super::state::{
    JobState, LoopState, MetricSummary, Pending, ProofFact, SignalSummary, StepCount, Summary,
};
use super::stats::{Comparison, Process};
use super::time::{Stamp, Week, When};

/// One job as the review reads it: the job row, its state, its six loops' states in order.
#[derive(Clone, Debug)]
pub struct JobInput {
    pub job: Job,
    pub state: JobState,
    pub loops: Vec<LoopState>,
}

/// What needs the lead on a loop, in the order the lead would fix it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    KillTripped,
    NoOwner,
    NoMetric,
    NoBaseline,
    NoMeasurementThisCycle,
    DecisionPending,
    /// A guardrail got worse beyond its limit while the work went on.
    GuardrailBreached,
    /// A baseline is in and no intervention yet, but nothing says what change to look for:
    /// lock the plan (a target, then the intervention with its horizon) before the data comes.
    PlanOpen,
}

impl Flag {
    /// The problem in plain words.
    pub fn problem(self) -> &'static str {
        match self {
            Flag::KillTripped => "kill signal tripped — it waits for a decision",
            Flag::NoOwner => "no human owner",
            Flag::NoMetric => "no primary metric",
            Flag::NoBaseline => "no baseline before intervention",
            Flag::NoMeasurementThisCycle => "no measurement this week",
            Flag::DecisionPending => "a decision waits for its owner's sign-off",
            Flag::GuardrailBreached => "a guardrail got worse beyond its limit",
            Flag::PlanOpen => {
                "no target before the intervention — lock the plan: what change, over how many live values"
            }
        }
    }

    /// What clears the flag, for each front end to name in its own words.
    pub fn fix(
        self,
        slug: &str,
        kind: LoopKind,
        pending: Option<&super::state::Pending>,
        team: bool,
    ) -> Fix {
        let at = At {
            slug: slug.to_string(),
            kind,
        };
        match self {
            Flag::KillTripped => Fix::DecideAfterTrip(at),
            Flag::NoOwner => Fix::AskOwner {
                owner: None,
                lead: None,
            },
            Flag::NoMetric => Fix::SetMetric(at),
            Flag::NoBaseline => Fix::RecordBaseline { at, before: None },
            Flag::NoMeasurementThisCycle => Fix::RecordMeasurement(at),
            Flag::PlanOpen => Fix::LockPlan(at),
            Flag::GuardrailBreached => Fix::WeighBreach(at),
            Flag::DecisionPending => Fix::SignOffAs {
                at,
                owner: pending
                    .map_or("its owner", |p| p.owner.as_str())
                    .to_string(),
                decision: pending.map(|p| super::model::short_id(&p.id).to_string()),
                team,
            },
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Review {
    /// The review of a shared database (remedies never suggest acting as someone else).
    #[serde(skip)]
    pub team: bool,
    pub generated_at: Stamp,
    pub week: String,
    pub jobs: Vec<JobReview>,
    pub totals: Totals,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    pub jobs: usize,
    pub open_loops: usize,
    pub kill_tripped: usize,
    pub no_owner: usize,
    pub no_baseline: usize,
    pub cycles_overdue: usize,
    pub decisions_pending: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct JobReview {
    pub slug: String,
    pub title: String,
    pub statement: String,
    pub lead: Option<String>,
    /// The first loop, in the spec's order, that is neither closed nor killed.
    pub open_now: Option<LoopKind>,
    pub questions: BTreeMap<LoopKind, bool>,
    pub loops: Vec<LoopReview>,
    pub last_compound: Option<CompoundReview>,
    /// The loop the last compound test named as the next job.
    pub next_job: Option<LoopKind>,
    /// That loop's status: a killed next job must be reopened first.
    pub next_job_status: Option<Status>,
    pub cycle: CycleReview,
    /// The redesigned workflow with its governance and incidents (absent while unmapped).
    #[serde(skip_serializing_if = "FlowView::is_empty")]
    pub flow: FlowView,
    /// The distribute loop's proof artifacts and what they brought back.
    pub proof: ProofReview,
}

#[derive(Clone, Debug, Serialize)]
pub struct CycleReview {
    pub week: String,
    pub due: bool,
    pub overdue: bool,
}

impl CycleReview {
    /// The week whose compound test was never answered, when the job is overdue: the one
    /// before the current week (overdue means no week from that one on was closed).
    pub fn overdue_week(&self) -> Option<super::time::Week> {
        if !self.overdue {
            return None;
        }
        super::time::Week::parse(&self.week)
            .ok()
            .map(super::time::Week::previous)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct SignalReview {
    #[serde(flatten)]
    pub signal: SignalSummary,
    /// What the signal's rule says now, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_check: Option<RuleCheck>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LoopReview {
    pub kind: LoopKind,
    pub status: Status,
    pub owner: Option<String>,
    pub metric: Option<MetricSummary>,
    pub baseline: Option<Summary>,
    pub latest: Option<f64>,
    pub latest_at: Option<When>,
    /// The date of the first live value since the latest intervention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_live_at: Option<When>,
    /// The latest value as it was typed (`10.00`), beside the number; null without one.
    pub latest_text: Option<String>,
    pub live_n: i64,
    pub interventions: i64,
    pub steps: StepCount,
    pub kill_signals: Vec<SignalReview>,
    pub flags: Vec<Flag>,
    /// Baseline against the live values since the latest intervention; null without a metric
    /// or values.
    pub comparison: Option<Comparison>,
    /// The plan the latest intervention locked, with its hash and deviations; null before one.
    pub plan: Option<PlanState>,
    /// The result under the plan as amended by its deviations, where it compares something
    /// else than the locked plan (another baseline, target or horizon); null otherwise.
    pub amended_comparison: Option<Comparison>,
    /// Guardrails in force (what must not get worse): each with its own comparison and whether
    /// it is breached (`worse` beyond its `max_worse`).
    pub guardrails: Vec<GuardrailState>,
    /// Plans locked before the one in force (or whose intervention was voided), each with the
    /// verdict it reached over its own live values.
    pub earlier_plans: Vec<EarlierPlan>,
    /// Replaced primary metrics with their plans and last comparisons.
    pub superseded_metrics: Vec<SupersededState>,
    /// The date of the intervention whose plan a change now departs from (a change needs a
    /// reason); null when nothing is locked.
    pub locked_on: Option<When>,
    /// The baseline's natural process limits read against the same live values; `signals` holds
    /// the latest few, `signals_total` counts them all.
    pub process: Option<Process<When>>,
    pub signals_total: usize,
    /// Kill signals the records point at, for the lead to trip.
    pub suggested_kill_signals: Vec<Suggestion>,
    /// The metric's last values (baseline and live) in time order, for a sparkline.
    pub recent: Vec<f64>,
    /// Decisions waiting for their named owner's sign-off.
    pub decisions_pending: Vec<Pending>,
    /// Decisions in force signed off on the owner's word: recorded (witnessed) by someone else,
    /// not signed by the owner.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub witnessed_sign_offs: Vec<super::state::Witnessed>,
    /// The improve loop's incidents not yet fixed, newest first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub open_incidents: Vec<IncidentView>,
    /// The newest value of the primary metric and of each guardrail (for the week form; the
    /// JSON review already says `latest` and each guardrail's comparison).
    #[serde(skip)]
    pub last_values: Vec<super::state::LastValue>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CompoundReview {
    pub week: String,
    pub understanding: bool,
    pub explanation: bool,
    pub creation: bool,
    pub distribution: bool,
    pub note: String,
    pub broken_layer: Option<Layer>,
    pub compounds: bool,
    pub closed_at: Stamp,
    pub closed_by: String,
}

impl LoopReview {
    pub fn needs_decision(&self) -> bool {
        self.flags.contains(&Flag::KillTripped)
    }

    /// The loop's tripped kill signals that still wait for a decision.
    pub fn undecided(&self) -> impl Iterator<Item = &SignalSummary> {
        self.kill_signals
            .iter()
            .map(|k| &k.signal)
            .filter(|k| k.awaits_decision())
    }

    /// Whether the weekly review should stop here.
    pub fn needs_lead(&self) -> bool {
        !self.flags.is_empty() || !self.suggested_kill_signals.is_empty()
    }
}

/// `team`: the review of a shared database, where each person acts as their own login.
pub fn build(jobs: &[JobInput], now: Stamp, team: bool) -> Review {
    let week = Week::containing(now);
    let jobs = jobs.iter().map(|j| job_review(j, now, week)).collect();
    assemble(jobs, now, team)
}

/// The review of jobs already reviewed one by one (`job_review`, which a caller may run on
/// several threads: each job's review is independent).
pub fn assemble(jobs: Vec<JobReview>, now: Stamp, team: bool) -> Review {
    let week = Week::containing(now);
    let mut totals = Totals {
        jobs: jobs.len(),
        ..Totals::default()
    };
    for j in &jobs {
        totals.cycles_overdue += usize::from(j.cycle.overdue);
        for l in &j.loops {
            totals.open_loops += usize::from(l.status == Status::Open);
            totals.decisions_pending += l.decisions_pending.len();
            for f in &l.flags {
                match f {
                    Flag::KillTripped => totals.kill_tripped += 1,
                    Flag::NoOwner => totals.no_owner += 1,
                    Flag::NoBaseline => totals.no_baseline += 1,
                    _ => {}
                }
            }
        }
    }
    Review {
        team,
        generated_at: now,
        week: week.to_string(),
        jobs,
        totals,
    }
}

pub fn job_review(j: &JobInput, now: Stamp, week: Week) -> JobReview {
    let today = now.local_date();
    let flow = FlowView::of(
        &Flow::joined(j.loops.iter().filter_map(|l| l.flow.as_ref())),
        &[],
    );
    let loops: Vec<LoopReview> = j
        .loops
        .iter()
        .map(|l| {
            let mut r = loop_review(l, week, today, suggestions(j, l.kind, now));
            if l.kind == LoopKind::Improve && !l.status.is_finished() {
                r.open_incidents = flow.incidents.iter().filter(|i| i.open).cloned().collect();
            }
            r
        })
        .collect();
    let open_now = loops
        .iter()
        .find(|l| !l.status.is_finished())
        .map(|l| l.kind);
    // A question is answered by a closed loop whose records do not contradict it: a closed
    // govern loop with an ungoverned agent step on personal data answers no.
    let questions = loops
        .iter()
        .map(|l| {
            let answered = l.status == Status::Closed && l.suggested_kill_signals.is_empty();
            (l.kind, answered)
        })
        .collect();
    let last = j.state.last_cycle.as_ref();
    let last_week = last.and_then(|c| Week::parse(&c.week).ok());
    let state = cycle_state(j.job.created_at, last_week, now);
    let next_job = last.and_then(Cycle::next_job);
    JobReview {
        slug: j.job.slug.clone(),
        title: j.job.title.clone(),
        statement: j.job.statement.clone(),
        lead: j.job.lead.clone(),
        open_now,
        questions,
        next_job_status: next_job
            .and_then(|k| loops.iter().find(|l| l.kind == k))
            .map(|l| l.status),
        loops,
        next_job,
        last_compound: last.map(|c| CompoundReview {
            week: c.week.clone(),
            understanding: c.understanding,
            explanation: c.explanation,
            creation: c.creation,
            distribution: c.distribution,
            note: c.note.clone(),
            broken_layer: c.broken_layer(),
            compounds: c.broken_layer().is_none(),
            closed_at: c.closed_at,
            closed_by: c.closed_by.clone(),
        }),
        cycle: CycleReview {
            week: state.current.to_string(),
            due: state.due,
            overdue: state.overdue,
        },
        flow,
        proof: ProofReview::of(&j.state.proof_facts, week),
    }
}

/// The distribute loop's proof: what exists, what is public, what it brought back in all, and
/// what was published or tracked in the review's week.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ProofReview {
    pub artifacts: usize,
    pub public: usize,
    /// Artifacts with a tracked outcome.
    pub tracked: usize,
    /// The tracked outcomes added up.
    pub brought_back: ProofOutcome,
    pub published_this_week: Vec<ProofFact>,
    /// Artifacts whose outcome was tracked (last) in the review's week, with it.
    pub tracked_this_week: Vec<ProofFact>,
}

impl ProofReview {
    pub fn of(facts: &[ProofFact], week: Week) -> ProofReview {
        let mut brought_back = ProofOutcome::default();
        for o in facts.iter().filter_map(|f| f.outcome) {
            brought_back.replies += o.replies;
            brought_back.citations += o.citations;
            brought_back.intros += o.intros;
            brought_back.bookings += o.bookings;
            brought_back.sales += o.sales;
            brought_back.reuse += o.reuse;
        }
        ProofReview {
            artifacts: facts.len(),
            public: facts.iter().filter(|f| f.public).count(),
            tracked: facts.iter().filter(|f| f.outcome.is_some()).count(),
            brought_back,
            published_this_week: facts
                .iter()
                .filter(|f| Week::of(f.at.date()) == week)
                .cloned()
                .collect(),
            tracked_this_week: facts
                .iter()
                .filter(|f| f.outcome_at.is_some_and(|at| Week::containing(at) == week))
                .cloned()
                .collect(),
        }
    }
}

fn loop_review(
    l: &LoopState,
    week: Week,
    today: chrono::NaiveDate,
    suggested: Vec<Suggestion>,
) -> LoopReview {
    let status = l.status;
    let mut flags = flags_of(l, week);
    let mut suggested = suggested;
    if !status.is_finished() {
        let breaches = breached_guardrails(l);
        if !breaches.is_empty() {
            flags.push(Flag::GuardrailBreached);
        }
        suggested.extend(breaches);
    }
    LoopReview {
        kind: l.kind,
        status,
        owner: l.owner.clone(),
        metric: l.metric.clone(),
        baseline: l.baseline,
        latest: l.latest,
        latest_at: l.latest_at,
        first_live_at: l.first_live_at,
        latest_text: l.latest.map(|v| {
            l.latest_typed
                .clone()
                .unwrap_or_else(|| super::num::show(v))
        }),
        live_n: l.live_n,
        interventions: l.interventions,
        steps: l.steps,
        kill_signals: signal_reviews(l, today),
        flags,
        comparison: l.comparison.clone(),
        plan: l.plan.clone(),
        amended_comparison: l.amended.clone(),
        guardrails: l.guardrails.clone(),
        earlier_plans: l.earlier_plans.clone(),
        superseded_metrics: l.superseded_metrics.clone(),
        locked_on: l.locked_on,
        process: l.process.clone(),
        signals_total: l.signals_total,
        suggested_kill_signals: suggested,
        recent: l.recent.clone(),
        decisions_pending: if status.is_finished() {
            Vec::new()
        } else {
            l.facts.pending.clone()
        },
        witnessed_sign_offs: l.facts.witnessed.clone(),
        open_incidents: Vec::new(),
        last_values: l.last_values.clone(),
    }
}

/// The flags that need the lead on the loop this week, in the order the lead would fix them
/// (all but a breached guardrail, which comes last).
fn flags_of(l: &LoopState, week: Week) -> Vec<Flag> {
    let status = l.status;
    let mut flags = Vec::new();
    if !status.is_finished() {
        if l.awaits_decision() {
            flags.push(Flag::KillTripped);
        }
        if l.owner.is_none() {
            flags.push(Flag::NoOwner);
        }
    }
    if status == Status::Open {
        if l.metric.is_none() {
            flags.push(Flag::NoMetric);
        } else {
            // Without a metric the baseline and measurements cannot exist; `no-metric` says so.
            if l.baseline.is_none() {
                flags.push(Flag::NoBaseline);
            } else if l.interventions == 0 && l.metric.as_ref().is_some_and(|m| m.target.is_none())
            {
                flags.push(Flag::PlanOpen);
            }
            if l.latest_at.is_none_or(|at| Week::of(at.date()) != week) {
                flags.push(Flag::NoMeasurementThisCycle);
            }
        }
    }
    if !status.is_finished() && !l.facts.pending.is_empty() {
        flags.push(Flag::DecisionPending);
    }
    flags
}

/// One suggestion per guardrail that got worse beyond its limit, saying by how much.
fn breached_guardrails(l: &LoopState) -> Vec<Suggestion> {
    l.guardrails
        .iter()
        .filter(|g| g.breached)
        .map(|g| {
            let estimate = g.comparison.as_ref().and_then(|c| {
                c.pct_change
                    .map(|p| format!("{p:+.1}%"))
                    .or_else(|| c.delta.map(|d| format!("{d:+}")))
            });
            Suggestion {
                text: format!("the guardrail `{}` got worse beyond its limit", g.name),
                why: format!(
                    "`{}` is shown worse than its baseline ({}), beyond its limit of {}",
                    g.name,
                    estimate.unwrap_or_else(|| "estimate unknown".into()),
                    g.max_worse.map_or_else(|| "none".into(), |m| m.to_text())
                ),
                cure: super::detect::Cure::WeighBreach,
            }
        })
        .collect()
}

/// Each kill signal with its rule (if it has one) checked today.
fn signal_reviews(l: &LoopState, today: chrono::NaiveDate) -> Vec<SignalReview> {
    l.kill_signals
        .iter()
        .map(|k| SignalReview {
            signal: k.clone(),
            rule_check: k
                .rule
                .as_deref()
                .map(|r| match (KillRule::parse(r), &l.rules) {
                    (Ok(rule), Some(inputs)) => rule.check_since(inputs, today, k.continued_at),
                    (Ok(_), None) => RuleCheck::CannotJudge("no primary metric yet".into()),
                    (Err(_), _) => RuleCheck::CannotJudge("the rule cannot be read".into()),
                }),
        })
        .collect()
}

#[cfg(test)]
mod tests;
