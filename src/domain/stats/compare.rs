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
    /// The live values compared that are in force: a locked verdict also counts values voided
    /// after the lock (`counts-voided`), which measure nothing any more.
    pub fn live_in_force(&self) -> usize {
        let voided = self.caveats.iter().find_map(|k| match k {
            Caveat::CountsVoided { n } => Some(*n),
            _ => None,
        });
        self.live_n.saturating_sub(voided.unwrap_or(0))
    }

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

/// The comparison itself: the figures of each side, the target and the horizon, then (with
/// two baseline values or more) the detectable change, the interval, the test and the verdict.
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
    let (mb, ml) = (exact_mean(&eb), exact_mean(&el));
    let delta = mb.as_ref().zip(ml.as_ref()).map(|(b, l)| l - b);
    let mut c = first_figures(baseline, nl, &mb, &ml, &delta);
    let sb = floored_sd(&b, q);
    let all_positive = !eb.is_empty() && eb.iter().all(|v| v.is_positive());
    c.target = target_in_unit(target, all_positive, c.baseline_mean);
    if all_positive && let (Some(d), Some(b)) = (&delta, &mb) {
        c.pct_change = Some(to_f64(&(d / b)) * 100.0);
    }
    let (h, from) = horizon_of(&mut c, target, sb, all_positive, fixed_horizon);
    if nb < 2 {
        return c;
    }
    // A difference beyond the largest number a value holds (live and baseline near opposite
    // ends of the range) cannot be computed, nor its interval, test or verdict: the comparison
    // says so and shows none of them, never a zero, an infinity or "no live values".
    if delta.as_ref().is_some_and(|d| !to_f64(d).is_finite()) {
        out_of_range(&mut c);
        return c;
    }
    let too_few = look_figures(&mut c, sb, nb, nl, h);
    let seq = Sequential {
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
    serial_caveat(&mut c, &b, &l, q, phi, se);
    let (p, method) = permutation_p_typed(&db, &dl);
    c.exact_p = Some(p);
    c.p_method = Some(method);
    let d = to_f64(&delta);
    let (lo, hi) = interval(&mut c, d, se, df, all_positive);
    if all_positive {
        percent_interval(&mut c, (&b, &l), q, df);
    }
    normal_model_caveat(&mut c, p, &delta, (lo, hi));
    let crossing = sequential::decide(vb, vl, better, h);
    settle(&mut c, seq, crossing, too_few, d);
    below_rounding_caveat(&mut c, d);
    c
}

/// The caveat when a change shown is below a billionth of the means: the digits that differ
/// are a computed number's rounding, kept as typed, but not a measurement.
fn below_rounding_caveat(c: &mut Comparison, d: f64) {
    let scale = c
        .baseline_mean
        .unwrap_or(0.0)
        .abs()
        .max(c.live_mean.unwrap_or(0.0).abs());
    if d != 0.0 && d.abs() < scale * 1e-9 {
        c.caveats.push(Caveat::BelowRounding);
    }
}

/// A difference too large to compute: no difference, no percentage, no verdict but
/// inconclusive, and the caveat that says why.
fn out_of_range(c: &mut Comparison) {
    c.delta = None;
    c.pct_change = None;
    c.verdict = Verdict::Inconclusive;
    c.caveats.push(Caveat::OutOfRange);
}

/// The caveat when the interval excludes no change but the change is not shown (the exact
/// test's p above the level, or no difference at all): the interval leans on the normal model.
fn normal_model_caveat(c: &mut Comparison, p: f64, delta: &BigRational, (lo, hi): (f64, f64)) {
    let interval_excludes_zero = lo > 0.0 || hi < 0.0;
    let shown = p <= ALPHA && !delta.is_zero() && interval_excludes_zero;
    if interval_excludes_zero && !shown {
        c.caveats.push(Caveat::NormalModel);
    }
}

/// The figures every comparison shows, whatever the counts: the sizes, the means and their
/// difference, the smallest p-value possible, and the baseline's caveats.
fn first_figures(
    baseline: &[TypedPoint],
    nl: usize,
    mb: &Option<BigRational>,
    ml: &Option<BigRational>,
    delta: &Option<BigRational>,
) -> Comparison {
    let nb = baseline.len();
    let timed = |ps: &[TypedPoint]| -> Vec<Point> { ps.iter().map(|p| (p.0, p.1)).collect() };
    Comparison {
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
    }
}

/// The target change in the metric's unit: as typed, or a percentage of the baseline mean
/// when every baseline value is positive (none otherwise).
fn target_in_unit(
    target: Option<Target>,
    all_positive: bool,
    baseline_mean: Option<f64>,
) -> Option<f64> {
    target.and_then(|t| {
        if !t.percent {
            Some(t.change)
        } else if all_positive {
            baseline_mean.map(|m| t.change / 100.0 * m)
        } else {
            None
        }
    })
}

/// The horizon the verdict is spent over and where it came from (the plan's, else derived
/// from the target, else the default), with the live values the target needs filled in.
fn horizon_of(
    c: &mut Comparison,
    target: Option<Target>,
    sb: Option<f64>,
    all_positive: bool,
    fixed_horizon: Option<(usize, HorizonFrom)>,
) -> (usize, HorizonFrom) {
    let (h, from) = match (fixed_horizon, target, sb) {
        (Some((h, from)), _, _) => (h.clamp(1, HORIZON_CAP), from),
        (None, Some(t), Some(s)) => plan(c, t, s, all_positive, None)
            .map_or((DEFAULT_HORIZON, HorizonFrom::Default), |h| {
                (h, HorizonFrom::Target)
            }),
        _ => (DEFAULT_HORIZON, HorizonFrom::Default),
    };
    if let (Some(t), Some(s), Some(_)) = (target, sb, fixed_horizon) {
        plan(c, t, s, all_positive, Some(h));
    } else if target.is_some() && c.baseline_n < 2 {
        c.live_needed_note =
            Some("a target needs at least 2 baseline values to judge the noise against".into());
    }
    (h, from)
}

/// The smallest change detectable at this look, and whether too few values are in for any
/// look so far to reach its level (then how many more would); returns that "too few".
fn look_figures(c: &mut Comparison, sb: Option<f64>, nb: usize, nl: usize, h: usize) -> bool {
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
    too_few
}

/// The caveat on weeks that move together: how much the correlation `phi` widened the
/// interval, or that these values could not exclude one of 0.5.
fn serial_caveat(c: &mut Comparison, b: &[f64], l: &[f64], q: f64, phi: f64, se: f64) {
    if phi > 0.0 {
        let wide = welch(b, l, q, phi).map_or(1.0, |w| w.0);
        c.caveats.push(Caveat::Autocorrelated {
            lag1: phi,
            widened: wide / se,
        });
    } else if serial_upper(&[b, l]) >= UNTESTED_FROM {
        c.caveats.push(Caveat::IndependenceUntested);
    }
}

/// The 95% interval of live − baseline (`d`), and the same in percent of the baseline mean;
/// returns its ends.
fn interval(c: &mut Comparison, d: f64, se: f64, df: f64, all_positive: bool) -> (f64, f64) {
    let t = t_quantile(0.975, df);
    let (lo, hi) = (d - t * se, d + t * se);
    c.ci_low = Some(lo);
    c.ci_high = Some(hi);
    if all_positive && let Some(bm) = c.baseline_mean {
        // Where the ratio's own interval cannot be computed (see `percent_interval`): the
        // difference's interval in percent of the baseline mean.
        c.pct_ci_low = Some(lo / bm * 100.0);
        c.pct_ci_high = Some(hi / bm * 100.0);
    }
    (lo, hi)
}

/// The 95% interval of the percent change, as Fieller's interval for the ratio of the means:
/// dividing the difference's interval by the observed baseline mean would ignore that the
/// baseline mean is itself uncertain (a doubling at five baseline values was covered in 77% of
/// series, not 95%). It is the set of ratios θ with (live − θ·baseline)² ≤ t²(Vl + θ²·Vb), so it
/// contains 0% exactly when the difference's interval contains 0: the two never disagree on
/// whether the change could be none. When the baseline mean is not clearly above zero the
/// ratio has no bounded interval, and none is shown.
fn percent_interval(c: &mut Comparison, (b, l): (&[f64], &[f64]), q: f64, df: f64) {
    let (Some(mb), Some(ml), Some(sb), Some(sl)) = (
        c.baseline_mean,
        c.live_mean,
        floored_sd(b, q),
        floored_sd(l, q),
    ) else {
        return;
    };
    let t = t_quantile(0.975, df);
    let (vb, vl) = (sb * sb / b.len() as f64, sl * sl / l.len() as f64);
    let a = mb * mb - t * t * vb;
    let root = (mb * mb * vl + ml * ml * vb - t * t * vb * vl).sqrt();
    if !a.is_finite() || !root.is_finite() {
        // Squares beyond what a number holds: the interval above stays.
        return;
    }
    if a <= 0.0 {
        // The baseline mean could be near zero: the ratio has no bounded interval.
        c.pct_ci_low = None;
        c.pct_ci_high = None;
        return;
    }
    let ends = [(ml * mb - t * root) / a, (ml * mb + t * root) / a];
    c.pct_ci_low = Some((ends[0] - 1.0) * 100.0);
    c.pct_ci_high = Some((ends[1] - 1.0) * 100.0);
}

/// The verdict under the sequential rule (the look where the boundary was crossed, else not
/// enough data or inconclusive), and whether the estimate `d` met the target.
fn settle(
    c: &mut Comparison,
    mut seq: Sequential,
    crossing: Option<(usize, Verdict, f64)>,
    too_few: bool,
    d: f64,
) {
    c.verdict = match crossing {
        Some((k, v, p)) => {
            seq.decided_at = Some(k);
            seq.decided_p = Some(p);
            v
        }
        None if too_few => Verdict::NotEnoughData,
        None => Verdict::Inconclusive,
    };
    seq.past_horizon = crossing.is_none() && seq.look >= seq.horizon;
    c.sequential = Some(seq);
    c.target_met = c.target.map(|goal| {
        c.verdict == Verdict::Improved && goal != 0.0 && d * goal.signum() >= goal.abs()
    });
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
