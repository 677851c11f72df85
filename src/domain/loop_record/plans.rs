//! The plan an intervention locks, and the changes to it that are deviations: allowed only with
//! a reason, recorded beside the verdict, never an edit of the plan.

use super::*;
use crate::domain::plan::{
    self, DECISION_RULE, Plan, PlanGuardrail, PlanMetric, PlanRule, PlanValue,
};
use crate::domain::state::day_number;
use crate::domain::stats::{self, DEFAULT_HORIZON, HORIZON_CAP, HorizonFrom};

impl LoopRecord {
    /// The plan the verdict is judged by: the latest intervention in force's, when it locked
    /// one (interventions from before version 5 locked none).
    pub fn plan_in_force(&self) -> Option<(&Intervention, Plan)> {
        let i = self
            .active_interventions()
            .max_by_key(|i| key(i.at, i.recorded_at))?;
        Some((i, plan::of(i)?))
    }

    /// The intervention whose plan a change departs from: the latest one that locked a plan,
    /// even voided (voiding it is a deviation and unlocks nothing: what it locked stays locked
    /// until the next intervention locks anew); none when the latest in force locked none.
    pub fn locking(&self) -> Option<&Intervention> {
        self.interventions
            .iter()
            .filter(|i| i.void.is_none() || i.plan.is_some())
            .max_by_key(|i| key(i.at, i.recorded_at))
            .filter(|i| i.plan.is_some())
    }

    /// The intervention whose plan a change to the loop's guardrails or kill rules departs from:
    /// as `locking`, across replaced metrics too (replacing the primary metric unlocks nothing
    /// the loop watches until an intervention on the new one locks a new plan).
    pub fn loop_locking(&self) -> Option<&Intervention> {
        if self
            .interventions
            .iter()
            .any(|i| i.void.is_none() || i.plan.is_some())
        {
            return self.locking();
        }
        self.superseded
            .iter()
            .rev()
            .flat_map(|s| &s.interventions)
            .filter(|i| i.void.is_none() || i.plan.is_some())
            .max_by_key(|i| key(i.at, i.recorded_at))
            .filter(|i| i.plan.is_some())
    }

    /// A change to what the loop watches (guardrails, kill rules) under `loop_locking`.
    pub(super) fn loop_deviation(
        &self,
        what: DeviationKind,
        detail: String,
        reason: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Option<Deviation>, Refusal> {
        match self.loop_locking() {
            Some(i) => self
                .deviation_from(i, what, detail, None, reason, ctx)
                .map(Some),
            None => Ok(None),
        }
    }

    /// The first intervention in force on the loop, across replaced metrics: a guardrail's
    /// baseline describes the work before it.
    pub fn first_intervention(&self) -> Option<&Intervention> {
        self.interventions
            .iter()
            .chain(self.superseded.iter().flat_map(|s| &s.interventions))
            .filter(|i| i.void.is_none())
            .min_by_key(|i| key(i.at, i.recorded_at))
    }

    /// A change to the plan in force, as a deviation: refused without a reason, `None` when no
    /// plan is locked (then the change is an ordinary one).
    pub(super) fn deviation(
        &self,
        what: DeviationKind,
        detail: String,
        value: Option<String>,
        reason: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Option<Deviation>, Refusal> {
        let Some(i) = self.locking() else {
            return Ok(None);
        };
        self.deviation_from(i, what, detail, value, reason, ctx)
            .map(Some)
    }

    pub(super) fn deviation_from(
        &self,
        i: &Intervention,
        what: DeviationKind,
        detail: String,
        value: Option<String>,
        reason: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Deviation, Refusal> {
        let Some(reason) = reason.filter(|r| crate::domain::text::has_visible(r)) else {
            return Err(Refusal::rule(format!(
                "{} has a plan locked by its intervention of {}: this change ({detail}) is a deviation from it",
                self.addr(),
                i.at
            ))
            .fix(Fix::GiveReason {
                locked: i.at.date(),
            }));
        };
        Ok(Deviation {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            intervention_id: i.id.clone(),
            what,
            detail,
            value,
            reason: required_text("reason", reason, MAX_REASON)?,
            at: ctx.now,
            recorded_by: ctx.actor.clone(),
        })
    }

    /// The plan an intervention dated `at` locks now: the metric, the baseline in force, the
    /// target, the horizon (typed, else from the target, else the default), the kill rules in
    /// force, the decision rule, and the live values already seen.
    pub(super) fn lock_plan(
        &self,
        metric: &Metric,
        at: When,
        typed_horizon: Option<usize>,
        ctx: &Ctx,
    ) -> Plan {
        let baseline: Vec<&Value> = self.baselines().collect();
        let (horizon, horizon_from) = planned_horizon(metric, &baseline, typed_horizon);
        let here = key(at, ctx.now);
        Plan {
            version: self.next_plan_version(),
            locked_at: ctx.now,
            locked_by: ctx.actor.clone(),
            metric: plan_metric(metric),
            baseline: baseline.iter().map(|v| plan_value(v)).collect(),
            target: metric.target,
            horizon,
            horizon_from,
            kill_rules: self.armed_plan_rules(),
            guardrails: self
                .guardrails
                .iter()
                .map(|g| plan_guardrail(g, here))
                .collect(),
            decision_rule: DECISION_RULE.into(),
            seen_live: self
                .live()
                .filter(|v| key(v.at, v.recorded_at) >= here)
                .map(|v| v.id.clone())
                .collect(),
        }
    }

    /// The version the next locked plan takes: one more than the plans locked before it, on
    /// this metric or a superseded one.
    fn next_plan_version(&self) -> u32 {
        let earlier = self
            .interventions
            .iter()
            .chain(self.superseded.iter().flat_map(|s| &s.interventions))
            .filter(|i| i.plan.is_some())
            .count();
        earlier as u32 + 1
    }

    /// The kill rules armed now, as the plan keeps them (a rule that cannot be read stays out).
    fn armed_plan_rules(&self) -> Vec<PlanRule> {
        self.kill_signals
            .iter()
            .filter(|k| k.state == SignalState::Armed)
            .filter_map(|k| {
                Some(PlanRule {
                    n: k.n,
                    text: k.text.clone(),
                    rule: k.rule.clone()?,
                })
            })
            .collect()
    }

    /// Changes the plan's horizon (the number of live values its 5% is spent over): always a
    /// deviation, so there must be a locked plan and a reason.
    pub(super) fn set_horizon(
        &mut self,
        horizon: usize,
        reason: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        if !(1..=HORIZON_CAP).contains(&horizon) {
            return Err(Refusal::invalid(format!(
                "a horizon of {horizon} live values is out of range: give 1 to {HORIZON_CAP}"
            )));
        }
        let Some(i) = self.locking().cloned() else {
            return Err(Refusal::rule(format!(
                "{} has no locked plan: the horizon is set when an intervention starts",
                self.addr()
            ))
            .advice("give it with the intervention's --horizon"));
        };
        let Some(p) = plan::of(&i) else {
            return Err(Refusal::rule(format!(
                "the plan of {}'s intervention of {} cannot be read",
                self.addr(),
                i.at
            )));
        };
        let (now, _) = plan::horizon_in_force(&i, &p, &self.deviations);
        if now == horizon {
            return Ok(Outcome::unchanged(
                Command::PlanHorizon,
                format!("the horizon of {} is already {horizon}", self.addr()),
            ));
        }
        let d = self.deviation_from(
            &i,
            DeviationKind::HorizonChanged,
            format!("horizon {now} → {horizon} live value(s)"),
            Some(horizon.to_string()),
            reason,
            ctx,
        )?;
        self.deviations.push(d.clone());
        Ok(Outcome::done(
            Command::PlanHorizon,
            format!(
                "changed the horizon of {} to {horizon} live value(s)",
                self.addr()
            ),
        )
        .deviating(Some(d)))
    }
}

/// The horizon a plan locks, and where it came from: the sequential test's (from the target),
/// else the typed one, else the default.
fn planned_horizon(
    metric: &Metric,
    baseline: &[&Value],
    typed_horizon: Option<usize>,
) -> (usize, HorizonFrom) {
    let points: Vec<(f64, f64)> = baseline
        .iter()
        .map(|v| (day_number(v.at), v.value))
        .collect();
    let typed = typed_horizon.map(|h| (h, HorizonFrom::Typed));
    stats::compare(&points, &[], metric.better, metric.target, typed)
        .sequential
        .map(|s| (s.horizon, s.horizon_from))
        .or(typed)
        .unwrap_or((DEFAULT_HORIZON, HorizonFrom::Default))
}

/// The metric as the plan keeps it.
fn plan_metric(metric: &Metric) -> PlanMetric {
    PlanMetric {
        id: metric.id.clone(),
        name: metric.name.clone(),
        unit: metric.unit.clone(),
        better: metric.better,
        measures: metric.measures,
    }
}

/// A baseline value as the plan keeps it.
fn plan_value(v: &Value) -> PlanValue {
    PlanValue {
        id: v.id.clone(),
        at: v.at,
        value: v.value,
    }
}

/// A guardrail as the plan keeps it: its metric, its baseline in force and the live values
/// already seen at `here`.
fn plan_guardrail(g: &Guardrail, here: (NaiveDate, Stamp)) -> PlanGuardrail {
    PlanGuardrail {
        id: g.metric.id.clone(),
        name: g.metric.name.clone(),
        unit: g.metric.unit.clone(),
        better: g.metric.better,
        max_worse: g.metric.max_worse,
        baseline: g
            .values
            .iter()
            .filter(|v| v.void.is_none() && v.phase == Phase::Baseline)
            .map(plan_value)
            .collect(),
        seen_live: g
            .values
            .iter()
            .filter(|v| v.void.is_none() && v.phase == Phase::Live)
            .filter(|v| key(v.at, v.recorded_at) >= here)
            .map(|v| v.id.clone())
            .collect(),
    }
}
