//! Honest numbers for small samples. Leads enter 2–30 weekly values by hand, so every comparison
//! says how sure it is and when the data cannot tell yet:
//!
//! - the difference of means is computed exactly on the typed decimals (`num`), so identical
//!   values differ by exactly 0 and never get a verdict;
//! - an exact permutation test (`exact_p`) that assumes nothing about the shape of the data, and
//!   the smallest p-value the sample sizes allow at all (`min_p`);
//! - Welch's 95% interval for the size of the change, with each spread floored by the resolution
//!   the values were typed with, so it is never zero-wide;
//! - a verdict only when both agree; the smallest detectable change at these counts (`mde`) and
//!   how many live values a target change needs (`live_needed`);
//! - caveats a statistician would raise (trend, no variation, autocorrelation, normal model);
//! - natural process limits (an XmR chart) of the baseline, computed exactly.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use super::model::{Better, splitmix};
use super::num::{exact, exact_mean, quantum, to_f64};

pub mod sequential;
pub use sequential::{DEFAULT_HORIZON, HORIZON_CAP, HorizonFrom, Sequential};

/// The level at which a change counts as shown.
pub const ALPHA: f64 = 0.05;
/// Arrangements enumerated exactly; above this the exact test is estimated by resampling.
pub const EXACT_LIMIT: f64 = 200_000.0;
/// Resamples of the Monte Carlo estimate, drawn from a fixed seed so the answer is repeatable.
pub const RESAMPLES: usize = 20_000;
const RESAMPLE_SEED: u64 = 0x6a6f_626c_6f6f_7031;
/// The power `mde` and `live_needed` are computed for.
pub const POWER: f64 = 0.80;
/// The largest count the "how many more values" searches consider.
const SEARCH_CAP: usize = 100_000;

pub fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// The sample standard deviation (n − 1 in the denominator), computed on the values scaled by
/// their largest magnitude so that squares neither overflow nor underflow; `None` below two
/// values.
pub fn sd(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let scale = xs.iter().fold(0.0_f64, |a, x| a.max(x.abs()));
    if scale == 0.0 {
        return Some(0.0);
    }
    let ys: Vec<f64> = xs.iter().map(|x| x / scale).collect();
    let m = mean(&ys)?;
    let var = ys.iter().map(|y| (y - m).powi(2)).sum::<f64>() / (ys.len() - 1) as f64;
    Some(var.sqrt() * scale)
}

/// Student's t quantile: the t with P(T ≤ t) = p for `df` degrees of freedom (df may be
/// fractional, as in Welch's test). From 1,000 degrees of freedom on, the Cornish–Fisher
/// expansion around the normal quantile (three terms: error below 1e-11 there): statrs' inverse
/// loses precision from about 50,000 and fails outright near 110,000.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if df >= 1000.0 {
        let z = z_quantile(p);
        let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
        return z
            + (z3 + z) / (4.0 * df)
            + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
            + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3));
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// The standard normal quantile.
pub fn z_quantile(p: f64) -> f64 {
    Normal::new(0.0, 1.0).map_or(f64::NAN, |n| n.inverse_cdf(p))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Improved,
    Worse,
    Inconclusive,
    NotEnoughData,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Improved => "improved",
            Verdict::Worse => "worse",
            Verdict::Inconclusive => "inconclusive",
            Verdict::NotEnoughData => "not-enough-data",
        }
    }
}

/// How `exact_p` was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PMethod {
    /// Every arrangement of the values into the two groups was counted.
    Exact,
    /// Too many arrangements to count: `RESAMPLES` random ones from a fixed seed.
    MonteCarlo,
}

/// What a statistician would point out before trusting the comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Caveat {
    /// The baseline drifts: its Theil–Sen slope per week has a 95% interval that excludes 0.
    BaselineTrend {
        slope_per_week: f64,
        low: f64,
        high: f64,
    },
    /// Every baseline value is the same: its spread is only the typing resolution.
    BaselineConstant,
    /// Consecutive values of one side move together (lag-1 autocorrelation beyond 2/√n).
    Autocorrelated { side: Side2, lag1: f64, n: usize },
    /// The interval alone would call a change that the exact test cannot confirm.
    NormalModel,
}

/// A side of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side2 {
    Baseline,
    Live,
}

/// A change the lead wants to be able to see: a percentage of the baseline mean, or an absolute
/// change in the metric's unit. Its sign is the direction of improvement. Written as typed:
/// `-20%` or `-1.5`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    pub change: f64,
    pub percent: bool,
}

impl Target {
    pub fn parse(input: &str) -> Result<Target, super::Refusal> {
        let text = input.trim();
        let (number, percent) = match text.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (text, false),
        };
        let change = super::num::parse(number).map_err(|_| {
            super::Refusal::invalid(format!(
                "`{}` is not a target change: write a percentage like -20% or a change in the metric's unit like -1.5",
                input
            ))
        })?;
        if change == 0.0 {
            return Err(super::Refusal::invalid(
                "a target change of zero cannot be detected: give the change you want to see, like -20%",
            ));
        }
        Ok(Target { change, percent })
    }

    pub fn to_text(self) -> String {
        let n = super::num::show(self.change);
        let n = if self.change > 0.0 {
            format!("+{n}")
        } else {
            n
        };
        if self.percent { format!("{n}%") } else { n }
    }
}

impl Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Target, D::Error> {
        let s = String::deserialize(d)?;
        Target::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// How much worse a guardrail may get: a percentage of its baseline mean, or an amount in its
/// unit. Written as typed, without a sign: `10%` or `0.5`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit {
    pub amount: f64,
    pub percent: bool,
}

impl Limit {
    pub fn parse(input: &str) -> Result<Limit, super::Refusal> {
        let text = input.trim();
        let (number, percent) = match text.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (text, false),
        };
        let amount = super::num::parse(number)
            .ok()
            .filter(|a| *a >= 0.0 && !number.starts_with(['+', '-']))
            .ok_or_else(|| {
                super::Refusal::invalid(format!(
                    "`{input}` is not a limit: write how much worse it may get, without a sign, as a percentage like 10% or an amount in its unit like 0.5"
                ))
            })?;
        let amount = if amount == 0.0 { 0.0 } else { amount };
        Ok(Limit { amount, percent })
    }

    pub fn to_text(self) -> String {
        let n = super::num::show(self.amount);
        if self.percent { format!("{n}%") } else { n }
    }
}

impl Serialize for Limit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Limit, D::Error> {
        let s = String::deserialize(d)?;
        Limit::parse(&s).map_err(serde::de::Error::custom)
    }
}

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

/// Compares `live` against `baseline` (each in time order) for a metric where `better` is the
/// good direction, with an optional target change.
pub fn compare(
    baseline: &[Point],
    live: &[Point],
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
            Caveat::Autocorrelated { lag1, .. } => lag1.is_finite(),
            _ => true,
        });
    }
}

fn compare_values(
    baseline: &[Point],
    live: &[Point],
    better: Better,
    target: Option<Target>,
    fixed_horizon: Option<(usize, HorizonFrom)>,
) -> Comparison {
    let b: Vec<f64> = baseline.iter().map(|p| p.1).collect();
    let l: Vec<f64> = live.iter().map(|p| p.1).collect();
    let (nb, nl) = (b.len(), l.len());
    let eb: Vec<BigRational> = b.iter().map(|v| exact(*v)).collect();
    let el: Vec<BigRational> = l.iter().map(|v| exact(*v)).collect();
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
        caveats: caveats(baseline, live),
        sequential: None,
        target_met: None,
    };
    let sb = floored_sd(&b);
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
    let look = nl.min(h);
    if sequential::possible(nb, look, h) {
        c.mde = sb.and_then(|s| mde_at(nb, look, s, sequential::level(look, h)));
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
    let (Some(delta), Some(sb), Some(sl)) = (delta, sb, floored_sd(&l)) else {
        c.sequential = Some(seq);
        return c;
    };
    let (p, method) = permutation_p(&b, &l);
    c.exact_p = Some(p);
    c.p_method = Some(method);
    // Welch's interval, scaled by the larger spread so nothing overflows at extreme magnitudes.
    let m = sb.max(sl);
    let (ub, ul) = ((sb / m).powi(2) / nb as f64, (sl / m).powi(2) / nl as f64);
    let se = m * (ub + ul).sqrt();
    let df = (ub + ul).powi(2) / (ub * ub / (nb - 1) as f64 + ul * ul / (nl - 1) as f64);
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
    let crossing = sequential::first_crossing(&b, &l, better, h);
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

/// The sample standard deviation, floored by the resolution the values were typed with (the
/// spread of a rounding error, q/√12): identical values still leave room for what rounding hid.
pub fn floored_sd(xs: &[f64]) -> Option<f64> {
    let s = sd(xs)?;
    let q = xs.iter().map(|x| quantum(*x)).fold(0.0, f64::max);
    Some(s.max(q / 12f64.sqrt()))
}

/// The smallest two-sided p-value an exact permutation test can give with these group sizes:
/// only the observed arrangement (and, with equal sizes, its mirror) can be as extreme.
pub fn min_p(nb: usize, nl: usize) -> f64 {
    let extremes: f64 = if nb == nl { 2.0 } else { 1.0 };
    (extremes / choose(nb + nl, nl)).min(1.0)
}

/// C(n, k), exact while it fits 128 bits, else from the log-gamma function.
fn choose(n: usize, k: usize) -> f64 {
    let k = k.min(n - k.min(n));
    let mut c: u128 = 1;
    for i in 1..=k as u128 {
        match c.checked_mul(n as u128 - k as u128 + i) {
            Some(v) => c = v / i,
            None => return statrs::function::factorial::ln_binomial(n as u64, k as u64).exp(),
        }
    }
    c as f64
}

/// The smallest change detectable with 80% power by a two-sided test at level `a`.
pub fn mde_at(nb: usize, nl: usize, s: f64, a: f64) -> Option<f64> {
    if nb < 1 || nl < 1 || nb + nl < 3 || a <= 0.0 {
        return None;
    }
    // Welch's degrees of freedom for equal spreads: the interval the verdict also needs has
    // these, fewer than n_b + n_l − 2 when the sides differ in size.
    let (b, l) = (nb as f64, nl as f64);
    let df = if nb < 2 || nl < 2 {
        1.0
    } else {
        (1.0 / b + 1.0 / l).powi(2) / (1.0 / (b * b * (b - 1.0)) + 1.0 / (l * l * (l - 1.0)))
    };
    let factor = t_quantile(1.0 - a / 2.0, df) + t_quantile(POWER, df);
    Some(factor * s * (1.0 / nb as f64 + 1.0 / nl as f64).sqrt())
}

/// Fills `live_needed` (or says why not) for a target change, under the sequential rule: the
/// fewest live values at whose look the target is detectable with 80% power at that look's
/// level. Counting the last look alone understates the power the earlier looks add, so the
/// promise is kept, never inflated. With `fixed`, the horizon is the plan's; without, it is
/// derived: the count returned is also the horizon.
fn plan(
    c: &mut Comparison,
    t: Target,
    s: f64,
    all_positive: bool,
    fixed: Option<usize>,
) -> Option<usize> {
    let nb = c.baseline_n;
    let Some(goal) = c.target.map(f64::abs) else {
        if t.percent && !all_positive {
            c.live_needed_note = Some(
                "a percentage target needs a baseline of positive values: set an absolute target instead"
                    .into(),
            );
        }
        return None;
    };
    if goal == 0.0 {
        return None;
    }
    let reaches = |nb: usize, n: usize, h: usize| {
        sequential::possible(nb, n, h)
            && mde_at(nb, n, s, sequential::level(n, h)).is_some_and(|m| m <= goal)
    };
    // Linear: the level of a look falls as the horizon grows, so the detectable change is not
    // monotone in the count.
    let derived = || (2..=HORIZON_CAP).find(|&n| reaches(nb, n, n));
    let found = match fixed {
        Some(h) => (2..=h).find(|&n| reaches(nb, n, h)),
        None => derived(),
    };
    if let Some(n) = found {
        c.live_needed = Some(n);
        return Some(n);
    }
    if let (Some(h), Some(n)) = (fixed, derived()) {
        c.live_needed_note = Some(format!(
            "the plan's horizon of {h} live values is too short to show this target: a horizon of {n} would (a recorded deviation)"
        ));
        return None;
    }
    // More baseline values at the longest horizon: the detectable change falls as they grow.
    let cap = HORIZON_CAP;
    let more = reaches(SEARCH_CAP, cap, cap).then(|| {
        let (mut lo, mut hi) = (nb + 1, SEARCH_CAP);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if reaches(mid, cap, cap) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        hi - nb
    });
    c.baseline_needed = more;
    c.live_needed_note = Some(match more {
        Some(k) => format!(
            "even {cap} live values cannot show a change this small: the baseline is too short or too noisy; about {k} more baseline values (dated before the intervention) would make it possible"
        ),
        None => "even unlimited live and baseline values cannot show a change this small against this much noise".into(),
    });
    None
}

/// The two-sided exact permutation p-value of the difference of means: the share of all ways to
/// split the values into groups of these sizes whose difference is at least as large (in absolute
/// value) as the observed one. Beyond `EXACT_LIMIT` arrangements, a fixed-seed Monte Carlo
/// estimate ((hits + 1) / (resamples + 1)).
pub fn permutation_p(baseline: &[f64], live: &[f64]) -> (f64, PMethod) {
    let (nb, nl) = (baseline.len(), live.len());
    // Enumerate subsets of the smaller group: for a group of size k with sum S out of N values
    // summing to T, the difference of means is proportional to S·N − T·k.
    let (group, rest) = if nl <= nb {
        (live, baseline)
    } else {
        (baseline, live)
    };
    let k = group.len();
    let values: Vec<f64> = group.iter().chain(rest).copied().collect();
    let scaled = scale(&values);
    let arrangements = choose(nb + nl, k);
    let exhaustive = arrangements <= EXACT_LIMIT;
    let method = if exhaustive {
        PMethod::Exact
    } else {
        PMethod::MonteCarlo
    };
    let p = match scaled {
        Scaled::Small(v) => tail::<i128>(&v, k, exhaustive, arrangements),
        Scaled::Big(v) => tail::<BigInt>(&v, k, exhaustive, arrangements),
    };
    (p.min(1.0), method)
}

/// The values as integers of one common decimal scale (`v × 10^-e`), small when they fit i128
/// arithmetic with room for the sums and products of the test.
enum Scaled {
    Small(Vec<i128>),
    Big(Vec<BigInt>),
}

fn scale(values: &[f64]) -> Scaled {
    let decs: Vec<(i64, i32)> = values
        .iter()
        .map(|v| super::num::small_decimal(*v))
        .collect();
    let e = decs.iter().map(|(_, e)| *e).min().unwrap_or(0);
    // Machine integers when every scaled value fits with room to spare (the usual case: values
    // typed with a few decimals); big integers otherwise.
    let limit = 1i128 << 90;
    let small: Option<Vec<i128>> = decs
        .iter()
        .map(|(m, ei)| {
            10i128
                .checked_pow(u32::try_from(ei - e).ok()?)
                .and_then(|p| i128::from(*m).checked_mul(p))
                .filter(|v| v.abs() < limit)
        })
        .collect();
    match small {
        Some(v) if values.len() < (1 << 16) => Scaled::Small(v),
        _ => Scaled::Big(
            decs.into_iter()
                .map(|(m, ei)| {
                    BigInt::from(m) * num_traits::pow(BigInt::from(10), (ei - e) as usize)
                })
                .collect(),
        ),
    }
}

/// Integer arithmetic the permutation test needs, for i128 and for big integers.
trait Acc: Clone + Ord {
    fn zero() -> Self;
    fn plus(&self, o: &Self) -> Self;
    fn minus(&self, o: &Self) -> Self;
    fn times(&self, k: usize) -> Self;
    fn magnitude(&self) -> Self;
}

impl Acc for i128 {
    fn zero() -> Self {
        0
    }
    fn plus(&self, o: &Self) -> Self {
        self + o
    }
    fn minus(&self, o: &Self) -> Self {
        self - o
    }
    fn times(&self, k: usize) -> Self {
        self * k as i128
    }
    fn magnitude(&self) -> Self {
        self.abs()
    }
}

impl Acc for BigInt {
    fn zero() -> Self {
        <BigInt as Zero>::zero()
    }
    fn plus(&self, o: &Self) -> Self {
        self + o
    }
    fn minus(&self, o: &Self) -> Self {
        self - o
    }
    fn times(&self, k: usize) -> Self {
        self * BigInt::from(k)
    }
    fn magnitude(&self) -> Self {
        self.abs()
    }
}

/// The share of k-subsets of `values` whose statistic |S·N − T·k| is at least the observed one,
/// where the observed subset is the first k values.
fn tail<A: Acc>(values: &[A], k: usize, exhaustive: bool, arrangements: f64) -> f64 {
    let n = values.len();
    let total = values.iter().fold(A::zero(), |a, v| a.plus(v));
    let tk = total.times(k);
    let observed_sum = values[..k].iter().fold(A::zero(), |a, v| a.plus(v));
    let observed = observed_sum.times(n).minus(&tk).magnitude();
    if observed == A::zero() {
        // Every arrangement is at least as extreme as no difference at all.
        return 1.0;
    }
    // Extreme: S·N at least T·k + observed, or at most T·k − observed (disjoint, observed > 0).
    let hi = tk.plus(&observed);
    let lo = tk.minus(&observed);
    let extreme = |sum: &A| {
        let s = sum.times(n);
        s >= hi || s <= lo
    };
    if exhaustive {
        let mut sorted = values.to_vec();
        sorted.sort();
        let count = count_tail(&sorted, n, 0, k, &A::zero(), &hi, &lo);
        return count as f64 / arrangements.round();
    }
    let mut state = RESAMPLE_SEED;
    let mut order: Vec<usize> = (0..n).collect();
    let mut hits = 0usize;
    for _ in 0..RESAMPLES {
        let mut sum = A::zero();
        for j in 0..k {
            let (r, next) = splitmix(state);
            state = next;
            let pick = j + (r % (n - j) as u64) as usize;
            order.swap(j, pick);
            sum = sum.plus(&values[order[j]]);
        }
        if extreme(&sum) {
            hits += 1;
        }
    }
    (hits + 1) as f64 / (RESAMPLES + 1) as f64
}

/// How many `left`-subsets of the ascending `values[start..]`, added to `sum`, have a scaled sum
/// `S·n` of at least `hi` or at most `lo` (`lo < hi`). The last member of a subset is counted by
/// binary search over the sorted rest instead of one by one, so the work is that of the
/// (k−1)-subsets: the exact test stays exact at a fraction of the cost.
fn count_tail<A: Acc>(
    values: &[A],
    n: usize,
    start: usize,
    left: usize,
    sum: &A,
    hi: &A,
    lo: &A,
) -> u64 {
    if left == 0 {
        let s = sum.times(n);
        return u64::from(s >= *hi || s <= *lo);
    }
    if left == 1 {
        let rest = &values[start..];
        let base = sum.times(n);
        // (sum + v)·n ≥ hi ⟺ v·n ≥ hi − sum·n; v·n grows with v.
        let need_hi = hi.minus(&base);
        let need_lo = lo.minus(&base);
        let below_hi = rest.partition_point(|v| v.times(n) < need_hi);
        let up_to_lo = rest.partition_point(|v| v.times(n) <= need_lo);
        return ((rest.len() - below_hi) + up_to_lo) as u64;
    }
    (start..=values.len() - left)
        .map(|i| count_tail(values, n, i + 1, left - 1, &sum.plus(&values[i]), hi, lo))
        .sum()
}

/// The Theil–Sen slope of `points` (x in days) per week, with its 95% interval by Sen's method —
/// the same computation as SciPy's `theilslopes(y, x, 0.95)`. `None` without two distinct times.
pub fn theil_sen(points: &[Point]) -> Option<(f64, f64, f64)> {
    let xs: Vec<f64> = points.iter().map(|p| p.0 / 7.0).collect();
    // Slopes are taken on values scaled by their largest magnitude, then scaled back.
    let scale = points
        .iter()
        .fold(0.0_f64, |a, p| a.max(p.1.abs()))
        .max(f64::MIN_POSITIVE);
    let ys: Vec<f64> = points.iter().map(|p| p.1 / scale).collect();
    let mut slopes = Vec::new();
    for i in 0..xs.len() {
        for j in 0..xs.len() {
            let dx = xs[i] - xs[j];
            if dx > 0.0 {
                slopes.push((ys[i] - ys[j]) / dx);
            }
        }
    }
    if slopes.is_empty() {
        return None;
    }
    slopes.sort_by(f64::total_cmp);
    let nt = slopes.len();
    let median = if nt % 2 == 1 {
        slopes[nt / 2]
    } else {
        (slopes[nt / 2 - 1] + slopes[nt / 2]) / 2.0
    };
    let ties = |v: &[f64]| -> f64 {
        let mut sorted = v.to_vec();
        sorted.sort_by(f64::total_cmp);
        let mut sum = 0.0;
        let mut i = 0;
        while i < sorted.len() {
            let mut j = i;
            while j < sorted.len() && sorted[j] == sorted[i] {
                j += 1;
            }
            let k = (j - i) as f64;
            if k > 1.0 {
                sum += k * (k - 1.0) * (2.0 * k + 5.0);
            }
            i = j;
        }
        sum
    };
    let ny = ys.len() as f64;
    let sigsq = (ny * (ny - 1.0) * (2.0 * ny + 5.0) - ties(&xs) - ties(&ys)) / 18.0;
    let z = z_quantile(0.025);
    let sigma = sigsq.sqrt();
    if !sigma.is_finite() {
        return Some((median * scale, f64::NAN, f64::NAN));
    }
    let ru = (((nt as f64 - z * sigma) / 2.0).round_ties_even() as i64).min(nt as i64 - 1);
    let rl = ((((nt as f64 + z * sigma) / 2.0).round_ties_even() as i64) - 1).max(0);
    let at = |i: i64| slopes[i.clamp(0, nt as i64 - 1) as usize] * scale;
    Some((median * scale, at(rl), at(ru)))
}

/// The lag-1 autocorrelation of `xs` around their mean.
pub fn lag1(xs: &[f64]) -> Option<f64> {
    let scale = xs.iter().fold(0.0_f64, |a, x| a.max(x.abs()));
    if scale == 0.0 {
        return None;
    }
    let xs: Vec<f64> = xs.iter().map(|x| x / scale).collect();
    let m = mean(&xs)?;
    let den: f64 = xs.iter().map(|x| (x - m).powi(2)).sum();
    if den == 0.0 || xs.len() < 3 {
        return None;
    }
    let num: f64 = xs.windows(2).map(|w| (w[0] - m) * (w[1] - m)).sum();
    Some(num / den)
}

/// How many baseline values a trend needs before it is looked for; and values an
/// autocorrelation.
pub const TREND_FROM: usize = 4;
pub const AUTOCORRELATION_FROM: usize = 8;

fn caveats(baseline: &[Point], live: &[Point]) -> Vec<Caveat> {
    let mut out = Vec::new();
    if baseline.len() >= TREND_FROM
        && let Some((slope, low, high)) = theil_sen(baseline)
        && (low > 0.0 || high < 0.0)
    {
        out.push(Caveat::BaselineTrend {
            slope_per_week: slope,
            low,
            high,
        });
    }
    if baseline.len() >= 2 && baseline.iter().all(|p| p.1 == baseline[0].1) {
        out.push(Caveat::BaselineConstant);
    }
    for (side, points) in [(Side2::Baseline, baseline), (Side2::Live, live)] {
        if points.len() >= AUTOCORRELATION_FROM {
            let xs: Vec<f64> = points.iter().map(|p| p.1).collect();
            if let Some(r) = lag1(&xs)
                && r.abs() > 2.0 / (xs.len() as f64).sqrt()
            {
                out.push(Caveat::Autocorrelated {
                    side,
                    lag1: r,
                    n: xs.len(),
                });
            }
        }
    }
    out
}

/// A point outside the natural process limits, or a long run on one side of the centre.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[serde(try_from = "FlatSignal<T>")]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub enum ProcessSignal<T> {
    OutsideLimits { at: T, value: f64 },
    RunOfEight { side: Side, from: T, to: T },
}

/// A signal read field by field: serde reads an internally tagged enum through a buffer of
/// its whole content, which made these a tenth of reading a large board. The JSON is the same.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct FlatSignal<T> {
    kind: SignalKind,
    at: Option<T>,
    value: Option<f64>,
    side: Option<Side>,
    from: Option<T>,
    to: Option<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum SignalKind {
    OutsideLimits,
    RunOfEight,
}

impl<T> TryFrom<FlatSignal<T>> for ProcessSignal<T> {
    type Error = &'static str;

    fn try_from(f: FlatSignal<T>) -> Result<Self, Self::Error> {
        match (f.kind, f.at, f.value, f.side, f.from, f.to) {
            (SignalKind::OutsideLimits, Some(at), Some(value), ..) => {
                Ok(ProcessSignal::OutsideLimits { at, value })
            }
            (SignalKind::RunOfEight, _, _, Some(side), Some(from), Some(to)) => {
                Ok(ProcessSignal::RunOfEight { side, from, to })
            }
            _ => Err("a process signal is missing a field"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Above,
    Below,
}

/// An XmR chart of the baseline, read against the live values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Process<T> {
    pub center: f64,
    pub lower_limit: f64,
    pub upper_limit: f64,
    /// Fewer than `PROCESS_FIRM` baseline values: the limits are a first guess.
    pub provisional: bool,
    pub signals: Vec<ProcessSignal<T>>,
}

/// How many points in a row on one side of the centre make a signal.
pub const RUN_LENGTH: usize = 8;
/// Baseline values from which process limits are no longer provisional.
pub const PROCESS_FIRM: usize = 12;

/// Natural process limits from the baseline (in time order): centre ± 2.66 × the mean moving
/// range, computed and compared exactly. `None` with fewer than two baseline values or when the
/// baseline does not vary (every different value would otherwise be a "signal").
pub fn process<T: Copy>(baseline: &[(T, f64)], live: &[(T, f64)]) -> Option<Process<T>> {
    if baseline.len() < 2 || baseline.iter().all(|p| p.1 == baseline[0].1) {
        return None;
    }
    let values: Vec<BigRational> = baseline.iter().map(|p| exact(p.1)).collect();
    let center = exact_mean(&values)?;
    let ranges: Vec<BigRational> = values.windows(2).map(|w| (&w[1] - &w[0]).abs()).collect();
    let mr = exact_mean(&ranges)?;
    let spread = mr * BigRational::new(266.into(), 100.into());
    let (lower, upper) = (&center - &spread, &center + &spread);
    let mut signals: Vec<ProcessSignal<T>> = Vec::new();
    let mut run: Vec<T> = Vec::new();
    let mut run_side = None;
    let flush = |run: &[T], side: Option<Side>, signals: &mut Vec<ProcessSignal<T>>| {
        if let (Some(side), true) = (side, run.len() >= RUN_LENGTH) {
            signals.push(ProcessSignal::RunOfEight {
                side,
                from: run[0],
                to: run[run.len() - 1],
            });
        }
    };
    for &(at, value) in live {
        let v = exact(value);
        if v < lower || v > upper {
            signals.push(ProcessSignal::OutsideLimits { at, value });
        }
        let side = match v.cmp(&center) {
            std::cmp::Ordering::Greater => Some(Side::Above),
            std::cmp::Ordering::Less => Some(Side::Below),
            std::cmp::Ordering::Equal => None,
        };
        if side.is_some() && side == run_side {
            run.push(at);
        } else {
            flush(&run, run_side, &mut signals);
            run = if side.is_some() { vec![at] } else { Vec::new() };
            run_side = side;
        }
    }
    flush(&run, run_side, &mut signals);
    // Limits of values near the largest number can lie beyond it: they are shown at the edge
    // of what a number can hold (the signals were judged exactly above).
    let bounded = |r: &BigRational| to_f64(r).clamp(-f64::MAX, f64::MAX);
    Some(Process {
        center: bounded(&center),
        lower_limit: bounded(&lower),
        upper_limit: bounded(&upper),
        provisional: baseline.len() < PROCESS_FIRM,
        signals,
    })
}

/// A one-line sparkline of values: ▁▂▃▄▅▆▇█ scaled between their min and max.
pub fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (lo, hi) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(*v), h.max(*v)));
    values
        .iter()
        .map(|v| {
            let span = hi - lo;
            if span <= 0.0 || !span.is_finite() {
                BARS[3]
            } else {
                BARS[(((v - lo) / span) * 7.0).round().clamp(0.0, 7.0) as usize]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
