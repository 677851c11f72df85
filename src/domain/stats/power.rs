//! How large a change these counts can detect, and how many live values a target needs.

use super::*;

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
