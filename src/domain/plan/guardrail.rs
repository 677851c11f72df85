//! A guardrail judged under a plan: its own comparison over the plan's looks, and whether the
//! estimated worsening is beyond its limit.

use super::*;

/// Judges guardrail `g` (its `values`, voided ones included) over its live values in `window`
/// (from an intervention, up to the next one, and those of `also`: dated after the next one
/// but seen before it locked its plan), under `plan` when that plan locked this guardrail:
/// against the baseline it locked, over the looks it made as the primary metric's are
/// (`looked_at`: in the order recorded, voided ones still counted, those seen before the lock
/// left out). A guardrail added after the lock is judged over the same looks (its voided live
/// values count too), against the baseline it has.
pub(super) fn judge_guardrail(
    g: &Metric,
    values: &[Value],
    window: (Option<Key>, Option<Key>),
    plan: Option<&Plan>,
    also: &[ValueId],
) -> GuardrailState {
    let locked = plan.and_then(|p| p.guardrails.iter().find(|x| x.id == g.id));
    let (start, end) = window;
    let mut live: Vec<&Value> = values
        .iter()
        .filter(|v| v.phase == Phase::Live)
        .filter(|v| plan.is_some() || v.void.is_none())
        .filter(|v| {
            let k = v.at.order_key(v.recorded_at);
            start.is_none_or(|s| k >= s) && (end.is_none_or(|e| k < e) || also.contains(&v.id))
        })
        .filter(|v| locked.is_none_or(|l| !l.seen_live.contains(&v.id)))
        .collect();
    if plan.is_some() {
        live.sort_by_key(|v| recorded_order(v));
    }
    let looks = live.clone();
    let baseline: Vec<(When, f64)> = match locked {
        Some(l) => l.baseline.iter().map(|v| (v.at, v.value)).collect(),
        None => values
            .iter()
            .filter(|v| v.void.is_none() && v.phase == Phase::Baseline)
            .map(|v| (v.at, v.value))
            .collect(),
    };
    let points = |vs: &[(When, f64)]| -> Vec<Point> {
        vs.iter().map(|(at, v)| (day_number(*at), *v)).collect()
    };
    let live: Vec<(When, f64)> = live.iter().map(|v| (v.at, v.value)).collect();
    let horizon = plan.map(|p| (p.horizon, p.horizon_from));
    let comparison = (!baseline.is_empty() || !live.is_empty()).then(|| {
        let mut c = compare(&points(&baseline), &points(&live), g.better, None, horizon);
        if plan.is_some() {
            note_looks(&mut c, &looks);
        }
        c
    });
    let limit = locked.map_or(g.max_worse, |l| l.max_worse);
    let b: Vec<f64> = baseline.iter().map(|x| x.1).collect();
    let l: Vec<f64> = live.iter().map(|x| x.1).collect();
    let (over, limit_note) = beyond(&b, &l, g.better, limit);
    let breached = comparison
        .as_ref()
        .is_some_and(|c| c.verdict == Verdict::Worse && over);
    GuardrailState {
        id: g.id.clone(),
        name: g.name.clone(),
        unit: g.unit.clone(),
        better: g.better,
        max_worse: limit,
        comparison,
        breached,
        locked: locked.is_some(),
        removed: g.replaced_at.is_some(),
        limit_note,
    }
}

/// Whether the estimated worsening exceeds the limit, computed exactly on the typed values (a
/// worsening of exactly the limit is not beyond it): a percentage of the baseline mean, or an
/// amount in the unit. A percentage of a baseline that is not all positive cannot be taken: then
/// any shown worsening counts as beyond it, and the note says so.
fn beyond(
    baseline: &[f64],
    live: &[f64],
    better: Better,
    limit: Option<Limit>,
) -> (bool, Option<String>) {
    use crate::domain::num::{exact, exact_mean};
    let Some(limit) = limit else {
        return (true, None);
    };
    let eb: Vec<_> = baseline.iter().map(|v| exact(*v)).collect();
    let el: Vec<_> = live.iter().map(|v| exact(*v)).collect();
    let (Some(mb), Some(ml)) = (exact_mean(&eb), exact_mean(&el)) else {
        return (false, None);
    };
    let delta = ml - &mb;
    let worse = match better {
        Better::Lower => delta,
        Better::Higher => -delta,
    };
    let amount = exact(limit.amount);
    if !limit.percent {
        return (worse > amount, None);
    }
    if eb.iter().any(|v| *v <= exact(0.0)) {
        return (
            true,
            Some(
                "a percentage limit needs a baseline of positive values: any shown worsening counts as a breach; give an absolute limit instead"
                    .into(),
            ),
        );
    }
    (worse * exact(100.0) > amount * mb, None)
}
