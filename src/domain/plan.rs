//! The plan a comparison is judged by, locked when an intervention starts: what is compared (the
//! metric, the baseline values), against what (the target, the horizon), which kill rules are in
//! force, and by which rule the verdict is reached. It is stored with the intervention as JSON
//! text, exactly as hashed, so `verify` can tell it was never edited; a later change to any of
//! it is a deviation with a reason (`Deviation`), listed beside the verdict, which stays the
//! locked plan's.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::loop_record::Guardrail;
use super::model::{
    Better, Deviation, DeviationKind, Intervention, InterventionId, Measures, Metric, MetricId,
    Phase, Value, ValueId,
};
use super::state::day_number;
use super::stats::{
    ALPHA, Caveat, Comparison, HorizonFrom, Limit, Point, Target, TypedPoint, Verdict, compare,
    compare_typed,
};
use super::time::{Stamp, When};

mod guardrail;
mod looks;
use guardrail::judge_guardrail;
use looks::{
    in_force, locked_comparison, note_looks, note_shared_weeks, recorded_order, typed_points,
    withhold_without_plan,
};

/// The rule every verdict is reached by, in words (the same for every plan of this version).
pub const DECISION_RULE: DecisionRule = DecisionRule {
    test: "exact permutation test of the difference of means",
    sides: "two-sided",
    level: ALPHA,
    spending: "spent over the horizon's looks: look k of H may call a change at 0.05·((k/H)³ − ((k−1)/H)³)",
};

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct DecisionRule {
    pub test: &'static str,
    pub sides: &'static str,
    pub level: f64,
    pub spending: &'static str,
}

/// The plan as stored. Field order is the stored text's order: never reorder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Its number among the loop's plans (each intervention locks the next).
    pub version: u32,
    pub locked_at: Stamp,
    pub locked_by: String,
    pub metric: PlanMetric,
    /// The baseline values compared against, as they were when it was locked.
    pub baseline: Vec<PlanValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// The planned number of live values: the 5% is spent over this many looks.
    pub horizon: usize,
    pub horizon_from: HorizonFrom,
    /// The kill rules in force when it was locked.
    pub kill_rules: Vec<PlanRule>,
    /// The guardrails in force when it was locked, with their limits and baselines.
    #[serde(default)]
    pub guardrails: Vec<PlanGuardrail>,
    pub decision_rule: StoredRule,
    /// Live values dated on or after the intervention that had already been recorded when it
    /// was locked (a back-dated intervention entered after they were seen).
    pub seen_live: Vec<ValueId>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanMetric {
    pub id: MetricId,
    pub name: String,
    pub unit: String,
    pub better: Better,
    pub measures: Measures,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanValue {
    pub id: ValueId,
    pub at: When,
    pub value: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanGuardrail {
    pub id: MetricId,
    pub name: String,
    pub unit: String,
    pub better: Better,
    pub max_worse: Option<Limit>,
    pub baseline: Vec<PlanValue>,
    /// Its live values dated after the intervention but recorded before the lock.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen_live: Vec<ValueId>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanRule {
    pub n: i64,
    pub text: String,
    pub rule: String,
}

/// The decision rule as stored (owned, so a stored plan reads back).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredRule {
    pub test: String,
    pub sides: String,
    pub level: f64,
    pub spending: String,
}

impl From<DecisionRule> for StoredRule {
    fn from(r: DecisionRule) -> StoredRule {
        StoredRule {
            test: r.test.into(),
            sides: r.sides.into(),
            level: r.level,
            spending: r.spending.into(),
        }
    }
}

impl Plan {
    /// The text stored and its hash.
    pub fn seal(&self) -> (String, String) {
        // A plan is plain data: serialising it cannot fail.
        let text = serde_json::to_string(self).unwrap_or_default();
        let hash = hash(&text);
        (text, hash)
    }
}

/// The SHA-256 of a plan's stored text, in lowercase hex.
pub fn hash(text: &str) -> String {
    super::audit::hex(&Sha256::digest(text.as_bytes()))
}

/// Why an intervention's stored plan cannot be trusted, if it cannot.
pub fn check(i: &Intervention) -> Result<(), String> {
    match (&i.plan, &i.plan_hash) {
        (None, None) => Ok(()),
        (Some(text), Some(h)) => {
            if hash(text) != *h {
                return Err("its plan does not match the plan's hash".into());
            }
            serde_json::from_str::<Plan>(text)
                .map(|_| ())
                .map_err(|e| format!("its plan cannot be read ({e})"))
        }
        _ => Err("it has a plan without a hash, or a hash without a plan".into()),
    }
}

/// The plan an intervention locked, when it locked one that reads back.
pub fn of(i: &Intervention) -> Option<Plan> {
    check(i).ok()?;
    serde_json::from_str(i.plan.as_deref()?).ok()
}

/// A plan as the views show it: what was locked, with its hash and the deviations since.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanState {
    pub version: u32,
    /// The intervention that locked it.
    pub intervention: InterventionId,
    pub intervention_at: When,
    pub locked_at: Stamp,
    pub locked_by: String,
    pub hash: String,
    pub metric: String,
    pub baseline_n: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    pub horizon: usize,
    pub horizon_from: HorizonFrom,
    pub kill_rules: Vec<PlanRule>,
    /// The guardrails it locked, with their limits.
    pub guardrails: Vec<GuardrailTerms>,
    pub decision_rule: StoredRule,
    /// How many live values dated after the intervention were recorded before it was locked.
    pub seen_live: usize,
    pub deviations: Vec<DeviationView>,
}

/// A guardrail as a plan locked it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GuardrailTerms {
    pub name: String,
    pub max_worse: Option<Limit>,
    pub baseline_n: usize,
}

/// A guardrail in force, judged: its own comparison (against the locked plan's baseline of it
/// when the plan locked it) and whether it is breached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GuardrailState {
    /// Which guardrail metric it is: a form that shows it records under it, or is refused once
    /// it was removed (and perhaps added again under the same name).
    pub id: MetricId,
    pub name: String,
    pub unit: String,
    pub better: Better,
    pub max_worse: Option<Limit>,
    pub comparison: Option<Comparison>,
    /// Its verdict is `worse` and the estimate is beyond `max_worse`.
    pub breached: bool,
    /// Judged against the baseline the plan locked (false: added after the lock, or no plan).
    pub locked: bool,
    /// No longer watched (removed after the lock, a deviation): the locked plan still judges it.
    pub removed: bool,
    /// When the limit cannot be read as typed (a percentage of a baseline that is not all
    /// positive): why, and how a breach is decided instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_note: Option<String>,
}

/// The position of a record in time (see `When::order_key`).
pub type Key = (chrono::NaiveDate, Stamp);

/// One deviation: when, who, what and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviationView {
    pub at: Stamp,
    pub by: String,
    pub what: DeviationKind,
    pub detail: String,
    pub reason: String,
}

impl From<&Deviation> for DeviationView {
    fn from(d: &Deviation) -> DeviationView {
        DeviationView {
            at: d.at,
            by: d.recorded_by.clone(),
            what: d.what,
            detail: d.detail.clone(),
            reason: d.reason.clone(),
        }
    }
}

/// A primary metric that was replaced, with its plan and its last comparison (under that plan).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SupersededState {
    pub name: String,
    pub unit: String,
    pub better: Better,
    pub set_at: Stamp,
    pub replaced_at: Option<Stamp>,
    pub baseline_n: usize,
    pub live_n: usize,
    pub interventions: usize,
    pub plan: Option<PlanState>,
    pub comparison: Option<Comparison>,
    /// Its guardrails as its plan judged them, up to the replacement.
    pub guardrails: Vec<GuardrailState>,
    /// Its plans before the last one (or voided), each with its own verdict.
    #[serde(default)]
    pub earlier: Vec<EarlierPlan>,
}

/// One metric's values and interventions, judged: under its locked plan when there is one.
pub struct Judged {
    pub plan: Option<PlanState>,
    /// The verdict under the locked plan (or, before any plan, under the records as they are).
    pub comparison: Option<Comparison>,
    /// The result under the plan as amended by its deviations, when that differs in what it
    /// compares (baseline, target or horizon).
    pub amended: Option<Comparison>,
    /// Plans locked before the one in force (and plans whose intervention was voided), each
    /// with the verdict it reached over its own live values.
    pub earlier: Vec<EarlierPlan>,
    /// The guardrails watched (and those removed that the plan in force locked), judged over
    /// the same live window.
    pub guardrails: Vec<GuardrailState>,
}

/// A plan that is no longer in force, kept with its verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EarlierPlan {
    pub plan: PlanState,
    /// Its intervention was voided (a deviation): it judges nothing.
    pub voided: bool,
    /// The verdict over the live values from its intervention to the next one.
    pub comparison: Option<Comparison>,
    /// The guardrails it locked, judged over the same live values.
    pub guardrails: Vec<GuardrailState>,
}

/// Judges `metric`'s `values` (voided ones included, in time order) after its latest
/// intervention in force, under that intervention's plan.
pub fn judge(
    metric: &Metric,
    values: &[Value],
    interventions: &[Intervention],
    deviations: &[Deviation],
    guards: &[&Guardrail],
) -> Judged {
    let t = Timeline::new(metric, values, interventions, guards);
    let baseline: Vec<&Value> = values
        .iter()
        .filter(|v| v.void.is_none() && v.phase == Phase::Baseline)
        .collect();
    let latest = t.active.last().copied();
    let window = t.window(latest);
    let live: Vec<&Value> = in_force(&window);
    let live_points = typed_points(&live);
    let baseline_points = typed_points(&baseline);
    let earlier = t.earlier_plans(interventions, latest, deviations);
    let Some((i, p)) = latest.and_then(|i| Some((i, of(i)?))) else {
        let comparison = (!baseline.is_empty() || !live_points.is_empty()).then(|| {
            let mut c = compare_typed(
                &baseline_points,
                &live_points,
                metric.better,
                metric.target,
                None,
            );
            if latest.is_none() {
                withhold_without_plan(&mut c);
                note_voided_verdict(&mut c, &earlier);
            }
            note_shared_weeks(&mut c, &live);
            c
        });
        return Judged {
            plan: None,
            comparison,
            amended: None,
            guardrails: t.judge_guards(None, latest, None),
            earlier,
        };
    };
    let horizon = horizon_in_force(i, &p, deviations);
    let same_baseline = baseline.len() == p.baseline.len()
        && baseline.iter().zip(&p.baseline).all(|(a, b)| a.id == b.id);
    let amended = (!same_baseline
        || metric.target != p.target
        || horizon.0 != p.horizon
        || !p.seen_live.is_empty()
        || live.len() != window.len())
    .then(|| amended_comparison(metric, &baseline_points, &live, horizon));
    let mut comparison = locked_comparison(&p, values, &window);
    note_earlier_looks(&mut comparison, &earlier);
    note_earlier_harm(&mut comparison, &earlier);
    let guardrails = t.judge_guards(Some(&p), Some(i), None);
    note_unmeasured_guardrails(&mut comparison, &guardrails);
    Judged {
        plan: Some(plan_state(i, &p, deviations)),
        comparison: Some(comparison),
        amended,
        guardrails,
        earlier,
    }
}

/// With no intervention in force, the verdict a voided plan reached stays in sight (its latest
/// such plan): voiding the intervention does not take a reached "worse" off the board.
fn note_voided_verdict(c: &mut Comparison, earlier: &[EarlierPlan]) {
    let reached = earlier.iter().rev().find_map(|e| {
        let v = e.comparison.as_ref()?.verdict;
        (e.voided && matches!(v, Verdict::Improved | Verdict::Worse)).then_some((e.plan.version, v))
    });
    if let Some((version, verdict)) = reached {
        c.caveats
            .push(Caveat::VoidedPlanVerdict { version, verdict });
    }
}

/// The comparison under the plan as amended by its deviations. The looks are still the values
/// in the order they were recorded; what it leaves out is what was voided, and it counts what
/// the lock had seen.
fn amended_comparison(
    metric: &Metric,
    baseline_points: &[TypedPoint<'_>],
    live: &[&Value],
    horizon: (usize, crate::domain::stats::sequential::HorizonFrom),
) -> Comparison {
    let mut amended_live = live.to_vec();
    amended_live.sort_by_key(|v| recorded_order(v));
    let mut c = compare_typed(
        baseline_points,
        &typed_points(&amended_live),
        metric.better,
        metric.target,
        Some(horizon),
    );
    note_shared_weeks(&mut c, live);
    c
}

/// A plan after earlier plans that already compared live values with the same metric's baseline
/// (baseline values come before the first intervention, so every plan of a metric shares it):
/// each plan spends its own 5%, so a lead who restarts the intervention after seeing its looks
/// has more than a 5% chance, over the restarts, of a verdict under no change. Said, not hidden.
fn note_earlier_looks(c: &mut Comparison, earlier: &[EarlierPlan]) {
    let looked: Vec<usize> = earlier
        .iter()
        .filter_map(|e| e.comparison.as_ref().map(|c| c.live_n))
        .filter(|n| *n > 0)
        .collect();
    if !looked.is_empty() {
        c.caveats.push(Caveat::EarlierLooks {
            plans: looked.len(),
            looks: looked.iter().sum(),
        });
    }
}

/// Earlier plans that were shown worse or saw a guardrail breached, voided ones too (voiding a
/// change takes back no verdict its looks reached): a later change, judged on its own, must not
/// read as if they never happened.
pub fn note_earlier_harm(c: &mut Comparison, earlier: &[EarlierPlan]) {
    for e in earlier {
        let version = e.plan.version;
        if e.comparison
            .as_ref()
            .is_some_and(|c| c.verdict == Verdict::Worse)
        {
            c.caveats.push(Caveat::EarlierPlanWorse { version });
        }
        for g in e.guardrails.iter().filter(|g| g.breached) {
            c.caveats.push(Caveat::EarlierPlanBreach {
                version,
                guardrail: g.name.clone(),
            });
        }
    }
}

/// Guardrails the plan locked that have no live value under it: a verdict on the primary metric
/// says nothing of what the change cost there.
fn note_unmeasured_guardrails(c: &mut Comparison, guardrails: &[GuardrailState]) {
    for g in guardrails
        .iter()
        .filter(|g| g.locked && g.comparison.as_ref().is_none_or(|c| c.live_in_force() == 0))
    {
        c.caveats.push(Caveat::GuardrailUnmeasured {
            guardrail: g.name.clone(),
        });
    }
}

/// Baseline values recorded after live values of an earlier attempt on the loop were: `live`
/// are every live value the loop has seen (its metric's and any metric it replaced, voided
/// ones too: a voided value was still seen), `locked_at` the plan in force's lock. Said beside
/// the verdict: a baseline typed after seeing results can be chosen to flatter the next change.
pub fn note_baseline_after_looks<'a>(
    c: &mut Comparison,
    baseline: &[&Value],
    live: impl Iterator<Item = &'a Value>,
    locked_at: Stamp,
) {
    let Some(first_seen) = live
        .filter(|v| v.phase == Phase::Live && v.recorded_at < locked_at)
        .map(|v| v.recorded_at)
        .min()
    else {
        return;
    };
    let n = baseline
        .iter()
        .filter(|b| b.recorded_at > first_seen)
        .count();
    if n > 0 {
        c.caveats.push(Caveat::BaselineAfterLooks { n });
    }
}

/// The position of an intervention in time.
fn key_of(i: &Intervention) -> Key {
    i.at.order_key(i.recorded_at)
}

/// One metric's story in time, as `judge` cuts it: its values, its interventions in force (in
/// time order), the guardrails beside it, and when the story ends.
struct Timeline<'a> {
    values: &'a [Value],
    guards: &'a [&'a Guardrail],
    active: Vec<&'a Intervention>,
    /// A replaced metric's story ends when it was replaced: its guardrails are judged up to then.
    until: Option<Key>,
}

impl<'a> Timeline<'a> {
    fn new(
        metric: &Metric,
        values: &'a [Value],
        interventions: &'a [Intervention],
        guards: &'a [&'a Guardrail],
    ) -> Timeline<'a> {
        let until: Option<Key> = metric.replaced_at.map(|r| (r.local_date(), r));
        let mut active: Vec<&Intervention> =
            interventions.iter().filter(|i| i.void.is_none()).collect();
        active.sort_by_key(|i| key_of(i));
        Timeline {
            values,
            guards,
            active,
            until,
        }
    }

    /// The next intervention in force after the one at `start`.
    fn next_intervention(&self, start: Key) -> Option<&'a Intervention> {
        self.active.iter().copied().find(|i| key_of(i) > start)
    }

    /// The live values of the plan `from` locked (voided ones included): dated from its
    /// intervention up to the next one in force, and also those dated after the next one that
    /// were recorded before the next plan was locked. Those were this plan's looks (the next
    /// plan leaves them out as seen): a back-dated intervention cannot take them away from it.
    fn window(&self, from: Option<&Intervention>) -> Vec<&'a Value> {
        let start = from.map(key_of);
        let next = start.and_then(|s| self.next_intervention(s));
        let end = next.map(key_of);
        let seen_by_next: Vec<ValueId> = next.and_then(of).map(|p| p.seen_live).unwrap_or_default();
        // A voided plan made no look after its void.
        let voided_at = from.and_then(|i| i.void.as_ref()).map(|v| v.at);
        self.values
            .iter()
            .filter(|v| v.phase == Phase::Live)
            .filter(|v| voided_at.is_none_or(|at| v.recorded_at < at))
            .filter(|v| {
                let k = v.at.order_key(v.recorded_at);
                start.is_none_or(|s| k >= s)
                    && (end.is_none_or(|e| k < e) || seen_by_next.contains(&v.id))
            })
            .collect()
    }

    /// The guardrails judged from `from` up to `end` (or the story's end), under plan `p`.
    fn judge_guards(
        &self,
        p: Option<&Plan>,
        from: Option<&Intervention>,
        end: Option<Key>,
    ) -> Vec<GuardrailState> {
        self.guards
            .iter()
            // Those watched, and those removed since the plan locked them: a removal is a
            // deviation, the locked plan still judges them.
            .filter(|g| {
                g.metric.replaced_at.is_none()
                    || p.is_some_and(|p| p.guardrails.iter().any(|x| x.id == g.metric.id))
            })
            .map(|g| {
                judge_guardrail(
                    &g.metric,
                    &g.values,
                    (from.map(key_of), end.or(self.until)),
                    p,
                    &[],
                )
            })
            .collect()
    }

    /// Every plan but the latest in force, each judged over its own live values and with the
    /// guardrails it locked.
    fn earlier_plans(
        &self,
        interventions: &[Intervention],
        latest: Option<&Intervention>,
        deviations: &[Deviation],
    ) -> Vec<EarlierPlan> {
        interventions
            .iter()
            .filter(|j| latest.is_none_or(|i| i.id != j.id))
            .filter_map(|j| {
                let p = of(j)?;
                let voided = j.void.is_some();
                let next = self.next_intervention(key_of(j));
                let next_plan = next.and_then(of);
                let locked_guards: Vec<GuardrailState> = self
                    .guards
                    .iter()
                    .filter(|g| p.guardrails.iter().any(|x| x.id == g.metric.id))
                    .map(|g| {
                        // What the next plan saw of this guardrail before its lock was ours.
                        let seen_by_next = next_plan
                            .as_ref()
                            .and_then(|n| n.guardrails.iter().find(|x| x.id == g.metric.id))
                            .map(|x| x.seen_live.as_slice())
                            .unwrap_or_default();
                        judge_guardrail(
                            &g.metric,
                            &g.values,
                            (Some(key_of(j)), next.map(key_of).or(self.until)),
                            Some(&p),
                            seen_by_next,
                        )
                    })
                    .collect();
                Some(EarlierPlan {
                    comparison: Some(locked_comparison(&p, self.values, &self.window(Some(j)))),
                    plan: plan_state(j, &p, deviations),
                    voided,
                    guardrails: locked_guards,
                })
            })
            .collect()
    }
}

/// The plan `p` that `i` locked, as the views show it, with its deviations.
fn plan_state(i: &Intervention, p: &Plan, deviations: &[Deviation]) -> PlanState {
    PlanState {
        version: p.version,
        intervention: i.id.clone(),
        intervention_at: i.at,
        locked_at: p.locked_at,
        locked_by: p.locked_by.clone(),
        hash: i.plan_hash.clone().unwrap_or_default(),
        metric: p.metric.name.clone(),
        baseline_n: p.baseline.len(),
        target: p.target,
        horizon: p.horizon,
        horizon_from: p.horizon_from,
        kill_rules: p.kill_rules.clone(),
        guardrails: p
            .guardrails
            .iter()
            .map(|g| GuardrailTerms {
                name: g.name.clone(),
                max_worse: g.max_worse,
                baseline_n: g.baseline.len(),
            })
            .collect(),
        decision_rule: p.decision_rule.clone(),
        seen_live: p.seen_live.len(),
        deviations: deviations
            .iter()
            .filter(|d| d.intervention_id == i.id)
            .map(DeviationView::from)
            .collect(),
    }
}

/// The horizon in force for the plan `p` that `i` locked: its latest recorded change, else the
/// plan's own.
pub fn horizon_in_force(
    i: &Intervention,
    p: &Plan,
    deviations: &[Deviation],
) -> (usize, HorizonFrom) {
    deviations
        .iter()
        .filter(|d| d.intervention_id == i.id && d.what == DeviationKind::HorizonChanged)
        .filter_map(|d| d.value.as_deref()?.parse::<usize>().ok())
        .next_back()
        .map_or((p.horizon, p.horizon_from), |h| (h, HorizonFrom::Typed))
}

/// A replaced metric as the views show it.
pub fn superseded(
    metric: &Metric,
    values: &[Value],
    interventions: &[Intervention],
    deviations: &[Deviation],
    guards: &[&Guardrail],
) -> SupersededState {
    let j = judge(metric, values, interventions, deviations, guards);
    let count = |phase: Phase| {
        values
            .iter()
            .filter(|v| v.void.is_none() && v.phase == phase)
            .count()
    };
    SupersededState {
        name: metric.name.clone(),
        unit: metric.unit.clone(),
        better: metric.better,
        set_at: metric.set_at,
        replaced_at: metric.replaced_at,
        baseline_n: count(Phase::Baseline),
        live_n: count(Phase::Live),
        interventions: interventions.iter().filter(|i| i.void.is_none()).count(),
        plan: j.plan,
        comparison: j.comparison,
        guardrails: j.guardrails,
        earlier: j.earlier,
    }
}
