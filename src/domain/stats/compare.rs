//! The comparison of live values with the baseline: the figures, the interval and the verdict.

use super::*;

/// Baseline against live values. Interval ends bound live − baseline with 95% confidence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub baseline_n: usize,
    pub baseline_mean: Option<f64>,
    pub live_n: usize,
    pub live_mean: Option<f64>,
    /// live − baseline, computed exactly on the typed values.
    pub delta: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Only when every baseline value is positive; otherwise null and the absolute change alone.
    pub pct_change: Option<f64>,
    pub pct_ci_low: Option<f64>,
    pub pct_ci_high: Option<f64>,
    /// Two-sided permutation p-value of the difference of means.
    pub exact_p: Option<f64>,
    pub p_method: Option<PMethod>,
    /// The smallest p-value any data of these sizes could give.
    pub min_p: Option<f64>,
    pub verdict: Verdict,
    /// With `not-enough-data`: how many more live values would make a verdict possible at all.
    pub values_needed: Option<usize>,
    /// The smallest change detectable with 80% power at the current counts (metric's unit).
    pub mde: Option<f64>,
    /// The metric's target change in its unit, signed (from a percentage when it was one).
    pub target: Option<f64>,
    /// The fewest live values at which `mde` reaches the target.
    pub live_needed: Option<usize>,
    /// When `live_needed` is null although a target is set: why, and what would help.
    pub live_needed_note: Option<String>,
    /// When unlimited live values cannot reach the target: how many more baseline values would.
    pub baseline_needed: Option<usize>,
    pub caveats: Vec<Caveat>,
    /// How the verdict was reached under the rule that survives weekly looks (`sequential`).
    #[serde(default)]
    pub sequential: Option<Sequential>,
    /// With a target: whether the verdict is `improved` and the estimate reached the target;
    /// null without a target or without live values.
    #[serde(default)]
    pub target_met: Option<bool>,
}

/// One value with its position in time, in days (any origin): for trend and process limits.
pub type Point = (f64, f64);

/// A value in time with, when it is known, the text it was typed as (`10.00`): everything
/// computed exactly is computed on that decimal, and its digits count for the resolution.
pub type TypedPoint<'a> = (f64, f64, Option<&'a str>);

/// Compares `live` against `baseline` (each in time order) for a metric where `better` is the
/// good direction, with an optional target change. The values are read as their shortest
/// decimals; [`compare_typed`] reads them as typed.
pub fn compare(
    baseline: &[Point],
    live: &[Point],
    better: Better,
    target: Option<Target>,
    horizon: Option<(usize, HorizonFrom)>,
) -> Comparison {
    let typed = |ps: &[Point]| -> Vec<TypedPoint<'static>> {
        ps.iter().map(|&(at, v)| (at, v, None)).collect()
    };
    compare_typed(&typed(baseline), &typed(live), better, target, horizon)
}

/// [`compare`] on values with the text they were typed as, where it is known.
pub fn compare_typed(
    baseline: &[TypedPoint],
    live: &[TypedPoint],
    better: Better,
    target: Option<Target>,
    horizon: Option<(usize, HorizonFrom)>,
) -> Comparison {
    let mut c = compare_values(baseline, live, better, target, horizon);
    c.keep_finite();
    c
}

impl Comparison {
    /// Extreme magnitudes can overflow a derived figure (a percentage of a subnormal mean): a
    /// figure that is not a finite number is reported as absent, never as infinity (which JSON
    /// cannot carry), together with the figures computed from it.
    fn keep_finite(&mut self) {
        let keep = |v: &mut Option<f64>| {
            if v.is_some_and(|x| !x.is_finite()) {
                *v = None;
            }
        };
        for v in [
            &mut self.baseline_mean,
            &mut self.live_mean,
            &mut self.delta,
            &mut self.ci_low,
            &mut self.ci_high,
            &mut self.pct_change,
            &mut self.pct_ci_low,
            &mut self.pct_ci_high,
            &mut self.exact_p,
            &mut self.min_p,
            &mut self.mde,
            &mut self.target,
        ] {
            keep(v);
        }
        if self.ci_low.is_none() || self.ci_high.is_none() {
            self.ci_low = None;
            self.ci_high = None;
        }
        if self.pct_change.is_none() || self.pct_ci_low.is_none() || self.pct_ci_high.is_none() {
            self.pct_ci_low = None;
            self.pct_ci_high = None;
        }
        self.caveats.retain(|c| match c {
            Caveat::BaselineTrend {
                slope_per_week,
                low,
                high,
            } => slope_per_week.is_finite() && low.is_finite() && high.is_finite(),
            Caveat::Autocorrelated { lag1, widened } => lag1.is_finite() && widened.is_finite(),
            _ => true,
        });
    }
}

fn compare_values(
    baseline: &[TypedPoint],
    live: &[TypedPoint],
    better: Better,
    target: Option<Target>,
    fixed_horizon: Option<(usize, HorizonFrom)>,
) -> Comparison {
    let b: Vec<f64> = baseline.iter().map(|p| p.1).collect();
    let l: Vec<f64> = live.iter().map(|p| p.1).collect();
    let (nb, nl) = (b.len(), l.len());
    let db: Vec<Dec> = baseline.iter().map(|p| decimal_of(p.1, p.2)).collect();
    let dl: Vec<Dec> = live.iter().map(|p| decimal_of(p.1, p.2)).collect();
    let (vb, vl) = (Values { x: &b, dec: &db }, Values { x: &l, dec: &dl });
    // The resolution that floors a spread: the finest any value was typed with.
    let q = finest(&[&db, &dl]);
    let eb: Vec<BigRational> = vb.exact();
    let el: Vec<BigRational> = vl.exact();
    let timed = |ps: &[TypedPoint]| -> Vec<Point> { ps.iter().map(|p| (p.0, p.1)).collect() };
    let (mb, ml) = (exact_mean(&eb), exact_mean(&el));
    let delta = mb.as_ref().zip(ml.as_ref()).map(|(b, l)| l - b);
    let mut c = Comparison {
        baseline_n: nb,
        baseline_mean: mb.as_ref().map(to_f64),
        live_n: nl,
        live_mean: ml.as_ref().map(to_f64),
        delta: delta.as_ref().map(to_f64),
        ci_low: None,
        ci_high: None,
        pct_change: None,
        pct_ci_low: None,
        pct_ci_high: None,
        exact_p: None,
        p_method: None,
        min_p: (nb > 0 && nl > 0).then(|| min_p(nb, nl)),
        verdict: Verdict::NotEnoughData,
        values_needed: None,
        mde: None,
        target: None,
        live_needed: None,
        live_needed_note: None,
        baseline_needed: None,
        caveats: caveats(&timed(baseline)),
        sequential: None,
        target_met: None,
    };
    let sb = floored_sd(&b, q);
    let all_positive = !eb.is_empty() && eb.iter().all(|v| v.is_positive());
    c.target = target.and_then(|t| {
        if !t.percent {
            Some(t.change)
        } else if all_positive {
            c.baseline_mean.map(|m| t.change / 100.0 * m)
        } else {
            None
        }
    });
    if all_positive && let (Some(d), Some(b)) = (&delta, &mb) {
        c.pct_change = Some(to_f64(&(d / b)) * 100.0);
    }
    let (h, from) = match (fixed_horizon, target, sb) {
        (Some((h, from)), _, _) => (h.clamp(1, HORIZON_CAP), from),
        (None, Some(t), Some(s)) => plan(&mut c, t, s, all_positive, None)
            .map_or((DEFAULT_HORIZON, HorizonFrom::Default), |h| {
                (h, HorizonFrom::Target)
            }),
        _ => (DEFAULT_HORIZON, HorizonFrom::Default),
    };
    if let (Some(t), Some(s), Some(_)) = (target, sb, fixed_horizon) {
        plan(&mut c, t, s, all_positive, Some(h));
    } else if target.is_some() && nb < 2 {
        c.live_needed_note =
            Some("a target needs at least 2 baseline values to judge the noise against".into());
    }
    if nb < 2 {
        return c;
    }
    // A difference beyond the largest number a value holds (live and baseline near opposite
    // ends of the range) cannot be computed, nor its interval, test or verdict: the comparison
    // says so and shows none of them, never a zero, an infinity or "no live values".
    if delta.as_ref().is_some_and(|d| !to_f64(d).is_finite()) {
        c.delta = None;
        c.pct_change = None;
        c.verdict = Verdict::Inconclusive;
        c.caveats.push(Caveat::OutOfRange);
        return c;
    }
    let look = nl.min(h);
    if sequential::possible(nb, look, h) {
        c.mde = sb
            .and_then(|s| planning_sd(s, nb))
            .and_then(|s| mde_at(nb, look, s, sequential::level(look, h)));
    }
    // Too few values for any look so far to reach its level: the interval is still reported,
    // as the estimate of the size of the change, but the verdict says what more data would
    // settle it.
    let too_few = !(1..=look).any(|k| sequential::possible(nb, k, h));
    if too_few {
        c.values_needed = sequential::first_possible(nb, nl, h).map(|k| k - nl);
    }
    let mut seq = Sequential {
        horizon: h,
        horizon_from: from,
        look: nl,
        level: sequential::level(nl, h),
        decided_at: None,
        decided_p: None,
        past_horizon: false,
    };
    // Weeks that move together: the correlation allowed for at this look, and whether these
    // values could exclude a correlation of 0.5 at all.
    let phi = serial_lag1(&[&b, &l]);
    let (Some(delta), Some((se, df))) = (delta, welch(&b, &l, q, 0.0)) else {
        c.sequential = Some(seq);
        return c;
    };
    if phi > 0.0 {
        let wide = welch(&b, &l, q, phi).map_or(1.0, |w| w.0);
        c.caveats.push(Caveat::Autocorrelated {
            lag1: phi,
            widened: wide / se,
        });
    } else if serial_upper(&[&b, &l]) >= UNTESTED_FROM {
        c.caveats.push(Caveat::IndependenceUntested);
    }
    let (p, method) = permutation_p_typed(&db, &dl);
    c.exact_p = Some(p);
    c.p_method = Some(method);
    let t = t_quantile(0.975, df);
    let d = to_f64(&delta);
    let (lo, hi) = (d - t * se, d + t * se);
    c.ci_low = Some(lo);
    c.ci_high = Some(hi);
    if all_positive && let Some(bm) = c.baseline_mean {
        // The same interval in percent of the baseline mean, so the two can never disagree on
        // whether the change could be none (a separate interval for the ratio of means could).
        c.pct_ci_low = Some(lo / bm * 100.0);
        c.pct_ci_high = Some(hi / bm * 100.0);
    }
    let interval_excludes_zero = lo > 0.0 || hi < 0.0;
    let shown = p <= ALPHA && !delta.is_zero() && interval_excludes_zero;
    if interval_excludes_zero && !shown {
        c.caveats.push(Caveat::NormalModel);
    }
    let crossing = sequential::decide(vb, vl, q, better, h);
    c.verdict = match crossing {
        Some((k, v, p)) => {
            seq.decided_at = Some(k);
            seq.decided_p = Some(p);
            v
        }
        None if too_few => Verdict::NotEnoughData,
        None => Verdict::Inconclusive,
    };
    seq.past_horizon = crossing.is_none() && nl >= h;
    c.sequential = Some(seq);
    c.target_met = c.target.map(|goal| {
        c.verdict == Verdict::Improved && goal != 0.0 && d * goal.signum() >= goal.abs()
    });
    c
}

/// The sample standard deviation, floored by the resolution `q` the values of the metric were
/// typed with (the spread of a rounding error, q/√12): identical values still leave room for
/// what rounding hid.
pub fn floored_sd(xs: &[f64], q: f64) -> Option<f64> {
    let s = sd(xs)?;
    Some(s.max(q / 12f64.sqrt()))
}

/// A lag-1 correlation that the caveat says these values cannot exclude.
pub const UNTESTED_FROM: f64 = 0.5;

/// Welch's standard error and degrees of freedom for live − baseline: each spread floored at the
/// resolution `q`, each side's variance of the mean widened for a lag-1 correlation `phi`
/// (`serial::widening`), scaled by the larger spread so nothing overflows at extreme
/// magnitudes. `None` below two values a side.
pub(crate) fn welch(b: &[f64], l: &[f64], q: f64, phi: f64) -> Option<(f64, f64)> {
    let (sb, sl) = (floored_sd(b, q)?, floored_sd(l, q)?);
    let (nb, nl) = (b.len(), l.len());
    let m = sb.max(sl);
    if m == 0.0 || !m.is_finite() {
        return None;
    }
    let ub = (sb / m).powi(2) * widening(nb, phi) / nb as f64;
    let ul = (sl / m).powi(2) * widening(nl, phi) / nl as f64;
    let se = m * (ub + ul).sqrt();
    let df = (ub + ul).powi(2) / (ub * ub / (nb - 1) as f64 + ul * ul / (nl - 1) as f64);
    Some((se, df))
}
