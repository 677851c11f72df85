//! How large a change these counts can detect, and how many live values a target needs.
//!
//! A promise of power is only as good as the spread it is computed with. The baseline's standard
//! deviation from a handful of values is often well below the process's (with 5 values, below
//! 80% of it in a third of baselines), and a target is promised exactly when the baseline looks
//! quiet, so power computed with it fell to 40–60% (issue 19). The spread used here is an upper
//! confidence bound of the process's (`planning_sd`), and each look's level is the largest
//! p-value the exact test can actually reach at these counts (`reachable_level`): the figures are
//! for the rule the verdict uses, and `tests/promises_sim.rs` measures what they deliver.

use statrs::distribution::ChiSquared;

use super::*;

/// The confidence with which the spread used for power bounds the process's spread from above;
/// chosen by simulation (`tests/promises_sim.rs`: the promised count must find a target equal to
/// the true change in at least 75% of whole series, each planned from its own baseline, at every
/// baseline size from 3 to 15, and still be shown in most series from 5 baseline values up; at
/// 0.75 it was, but a target at the edge of what the baseline can show, promised only where the
/// baseline looked quiet, was found in 66–70% of the series promised; at 0.85 mostly in 80% or
/// more, at the price of about half a live value more on targets well within reach).
pub const SPREAD_CONFIDENCE: f64 = 0.85;

/// The spread power is computed with: the upper `SPREAD_CONFIDENCE` bound of the process's
/// standard deviation from the baseline's `s` over `nb` values (chi-square with nb − 1 degrees
/// of freedom, the normal model). `None` below two values.
pub fn planning_sd(s: f64, nb: usize) -> Option<f64> {
    if nb < 2 || !s.is_finite() {
        return None;
    }
    let df = (nb - 1) as f64;
    let chi = ChiSquared::new(df)
        .ok()?
        .inverse_cdf(1.0 - SPREAD_CONFIDENCE);
    (chi > 0.0).then(|| s * (df / chi).sqrt())
}

/// The largest p-value at or below `a` that the exact test can give at these counts: p-values
/// come in steps of `min_p`, so a look whose level is 1.9 steps tests at 1 step. `None` when no
/// p-value reaches it.
pub fn reachable_level(nb: usize, nl: usize, a: f64) -> Option<f64> {
    if nb < 1 || nl < 1 || a <= 0.0 {
        return None;
    }
    let step = min_p(nb, nl);
    // Steps too fine to matter (or below what a number holds, at huge counts): the level itself.
    if step <= 0.0 || a / step >= 1e6 {
        return Some(a);
    }
    // The tolerance keeps a level that is a whole number of steps from losing one to rounding.
    let reach = (a / step * (1.0 + 1e-9)).floor() * step;
    (reach > 0.0).then_some(reach.min(a))
}

/// The smallest change detectable with 80% power by a two-sided test at level `a` with spread
/// `s` (pass `planning_sd`): Welch's t approximation at the level the exact test can reach,
/// times the allowance for weeks that move together.
pub fn mde_at(nb: usize, nl: usize, s: f64, a: f64) -> Option<f64> {
    if nb < 1 || nl < 1 || nb + nl < 3 || a <= 0.0 {
        return None;
    }
    let a = reachable_level(nb, nl, a)?;
    // Welch's degrees of freedom for equal spreads: the interval the verdict also needs has
    // these, fewer than n_b + n_l − 2 when the sides differ in size.
    let (b, l) = (nb as f64, nl as f64);
    let df = if nb < 2 || nl < 2 {
        1.0
    } else {
        (1.0 / b + 1.0 / l).powi(2) / (1.0 / (b * b * (b - 1.0)) + 1.0 / (l * l * (l - 1.0)))
    };
    let factor = t_quantile(1.0 - a / 2.0, df) + t_quantile(POWER, df);
    Some(factor * s * (1.0 / nb as f64 + 1.0 / nl as f64).sqrt() * serial_allowance(nb, nl))
}

/// How much wider the verdict's interval typically is at these counts when weeks are
/// independent: the rule allows for the lag-1 correlation it estimates (`serial`), and with few
/// values that estimate is above 0 about half the time. The allowance is the widening at
/// `ALLOWANCE_SDS` standard errors of the estimate (1/(√pairs·(1 − 3c))), so that the power
/// promised is the power of the rule the verdict uses (`tests/promises_sim.rs` measures it).
pub fn serial_allowance(nb: usize, nl: usize) -> f64 {
    if nb < 2 || nl < 2 {
        return 1.0;
    }
    let pairs = (nb + nl - 2) as f64;
    let c = ((nb - 1) as f64 / nb as f64 + (nl - 1) as f64 / nl as f64) / pairs;
    let room = 1.0 - 3.0 * c;
    let phi = if room <= 0.05 {
        SERIAL_CAP
    } else {
        (ALLOWANCE_SDS / (pairs.sqrt() * room)).min(SERIAL_CAP)
    };
    let (b, l) = (nb as f64, nl as f64);
    ((widening(nb, phi) / b + widening(nl, phi) / l) / (1.0 / b + 1.0 / l)).sqrt()
}

/// See [`serial_allowance`]; chosen by simulation.
const ALLOWANCE_SDS: f64 = 0.3;

/// Fills `live_needed` (or says why not) for a target change, under the sequential rule: the
/// fewest live values at whose look the target is detectable with 80% power at that look's
/// level. Counting the last look alone understates the power the earlier looks add, so the
/// promise is kept, never inflated. With `fixed`, the horizon is the plan's; without, it is
/// derived: the count returned is also the horizon.
pub(super) fn plan(
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
    let here = planning_sd(s, nb);
    let found = match fixed {
        Some(h) => (2..=h).find(|&n| reaches_with(here, nb, n, h, goal)),
        None => derived_horizon(here, nb, goal),
    };
    if let Some(n) = found {
        c.live_needed = Some(n);
        return Some(n);
    }
    if let (Some(h), Some(n)) = (fixed, derived_horizon(here, nb, goal)) {
        c.live_needed_note = Some(format!(
            "the plan's horizon of {h} live values is too short to show this target: a horizon of {n} would (a recorded deviation)"
        ));
        return None;
    }
    let more = more_baseline_needed(s, nb, goal);
    c.baseline_needed = more;
    c.live_needed_note = Some(cannot_promise(more));
    None
}

/// Does a look at `n` of `h` live values detect the target `goal` with 80% power? With `nb`
/// baseline values the spread is bounded from their `s` as if it came from them: more baseline
/// values would tighten the bound too.
fn reaches_with(spread: Option<f64>, nb: usize, n: usize, h: usize, goal: f64) -> bool {
    sequential::possible(nb, n, h)
        && spread
            .and_then(|s| mde_at(nb, n, s, sequential::level(n, h)))
            .is_some_and(|m| m <= goal)
}

/// The horizon a target derives: the fewest live values that detect it when they are also
/// the horizon.
///
/// Linear: the level of a look falls as the horizon grows, so the detectable change is not
/// monotone in the count. It stops once (z₁₋ₐ/₂ + z₀.₈₀)·s/√n_b, below the detectable change
/// at every later horizon (their levels a are smaller, t is above z, the allowance at least
/// 1, and the baseline's own mean is uncertain by s/√n_b whatever the live values), exceeds
/// the target: each step computes t quantiles, and most searches that fail fail early.
fn derived_horizon(here: Option<f64>, nb: usize, goal: f64) -> Option<usize> {
    let spread = here?;
    let floor = |n: usize| {
        (z_quantile(1.0 - sequential::level(n, n) / 2.0) + z_quantile(POWER)) * spread
            / (nb as f64).sqrt()
    };
    (2..=HORIZON_CAP)
        .take_while(|&n| floor(n) <= goal)
        .find(|&n| reaches_with(here, nb, n, n, goal))
}

/// How many more baseline values would let the longest horizon detect the target, if any
/// number up to the search's cap would: the detectable change falls as they grow.
fn more_baseline_needed(s: f64, nb: usize, goal: f64) -> Option<usize> {
    let reaches = |nb: usize, n: usize, h: usize| reaches_with(planning_sd(s, nb), nb, n, h, goal);
    let cap = HORIZON_CAP;
    reaches(SEARCH_CAP, cap, cap).then(|| {
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
    })
}

/// Why a target cannot be promised, and what more baseline values would do.
fn cannot_promise(more: Option<usize>) -> String {
    let cap = HORIZON_CAP;
    match more {
        Some(k) => format!(
            "the target cannot be promised: even {cap} live values would find a change this small in fewer than 80% of series, as the baseline is too short or too noisy; about {k} more baseline values (dated before the intervention) would make it possible"
        ),
        None => "the target cannot be promised: even unlimited live and baseline values would find a change this small in fewer than 80% of series against this much noise".into(),
    }
}
