//! A verdict that survives weekly looks. A lead looks after every new live value and acts on the
//! first "improved"; a test run at 5% at every look would be wrong far more often than 5%. The
//! rule here spends the 5% over the looks of a horizon fixed in advance (the plan's): look k of
//! H may call a change only at level α·((k/H)^ρ − ((k−1)/H)^ρ), and the first look that does
//! decides. The levels add up to α, so by the union bound the chance of any verdict under no
//! change is at most α however the looks depend on each other, and each look's test is the
//! exact permutation test, valid for any distribution when values are exchangeable. Looks past
//! the horizon spend nothing: no new verdict comes after it.
//!
//! ρ > 1 keeps most of the 5% for the later looks, where the counts can show something; early
//! looks with few values could not reach a small level anyway (`min_p`), so little is wasted.

use num_traits::Zero;
use serde::{Deserialize, Serialize};

use super::{
    ALPHA, Dec, Values, Verdict, finest, min_p, permutation_p_typed, serial_lag1, t_quantile, welch,
};
use crate::domain::model::Better;
use crate::domain::num::{decimal, exact_mean};

/// The number of live values the 5% is spent over when the plan has neither a typed horizon
/// nor a target to derive one from: a quarter of weekly values.
pub const DEFAULT_HORIZON: usize = 12;
/// The longest horizon considered: ten years of weekly values.
pub const HORIZON_CAP: usize = 520;
/// The spending exponent ρ (see the module comment); chosen by simulation
/// (`tests/sequential_sim.rs`) for power at 8 baseline values and a 12-value horizon.
const RHO: f64 = 3.0;

/// The most looks whose exact test is run for one comparison. A look is tested only when Welch's
/// interval at its level already excludes 0, so this is reached only by data where the two keep
/// disagreeing (outliers); skipping a look can only withhold a verdict, never make one, so the
/// bound stays and a comparison stays fast whatever was typed.
const MAX_EXACT_LOOKS: usize = 32;

/// Where a horizon came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HorizonFrom {
    /// Typed with `intervene --horizon N` (or by a recorded deviation).
    Typed,
    /// The fewest live values at which the target can be seen with 80% power under this rule.
    Target,
    /// Neither: `DEFAULT_HORIZON`.
    Default,
}

/// The sequential side of a comparison: how the verdict was reached.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sequential {
    /// How many live values the 5% is spent over.
    pub horizon: usize,
    pub horizon_from: HorizonFrom,
    /// The look this comparison is: the number of live values (past the horizon: more).
    pub look: usize,
    /// The share of the 5% this look may spend (0 past the horizon).
    pub level: f64,
    /// The look at which the verdict was reached; null while none has been.
    pub decided_at: Option<usize>,
    /// The exact p-value at the deciding look.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_p: Option<f64>,
    /// True once the horizon has passed without a verdict: the result is final.
    pub past_horizon: bool,
}

/// The level look `k` (from 1) of a horizon of `h` looks may spend.
pub fn level(k: usize, h: usize) -> f64 {
    if k == 0 || k > h || h == 0 {
        return 0.0;
    }
    let f = |i: usize| (i as f64 / h as f64).powf(RHO);
    ALPHA * (f(k) - f(k - 1))
}

/// Whether look `k` could call a change at all with `nb` baseline values: two live values at
/// least, and some arrangement extreme enough for its level.
pub fn possible(nb: usize, k: usize, h: usize) -> bool {
    nb >= 2 && k >= 2 && min_p(nb, k) <= level(k, h)
}

/// The first look at which a verdict becomes possible, from `from` on; `None` within the horizon.
pub fn first_possible(nb: usize, from: usize, h: usize) -> Option<usize> {
    (from.max(1)..=h).find(|&k| possible(nb, k, h))
}

/// Welch's interval for live − baseline at level `a` excludes zero, its spreads floored at the
/// resolution `q` and widened for the weeks that move together (`serial`): the cheap test every
/// look must pass before the exact test is run (both must agree for a verdict).
fn interval_excludes_zero(b: &[f64], l: &[f64], q: f64, a: f64) -> bool {
    let phi = serial_lag1(&[b, l]);
    let Some((se, df)) = welch(b, l, q, phi) else {
        return false;
    };
    let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len() as f64;
    let d = mean(l) - mean(b);
    if !d.is_finite() || !se.is_finite() {
        return false;
    }
    let t = t_quantile(1.0 - a / 2.0, df);
    t.is_finite() && d.abs() > t * se
}

/// The first look within the horizon at which the live values so far differ from the baseline
/// at that look's level: its number, the verdict and the exact p. `None` when no look has. The
/// values are read as their shortest decimals.
pub fn first_crossing(
    baseline: &[f64],
    live: &[f64],
    better: Better,
    h: usize,
) -> Option<(usize, Verdict, f64)> {
    let decimals = |xs: &[f64]| -> Vec<Dec> { xs.iter().map(|v| decimal(*v)).collect() };
    let (db, dl) = (decimals(baseline), decimals(live));
    decide(
        Values {
            x: baseline,
            dec: &db,
        },
        Values { x: live, dec: &dl },
        better,
        h,
    )
}

/// [`first_crossing`] on the decimals as typed. Each look's spreads are floored at the
/// resolution of the values that look saw (the baseline and the live values so far): a later
/// value typed with more decimals (`6.0` after `6`) must not re-decide a look already made.
pub(crate) fn decide(
    baseline: Values,
    live: Values,
    better: Better,
    h: usize,
) -> Option<(usize, Verdict, f64)> {
    let nb = baseline.len();
    let mb = exact_mean(&baseline.exact())?;
    let mut tested = 0;
    for k in 1..=live.len().min(h) {
        let a = level(k, h);
        if !possible(nb, k, h) {
            continue;
        }
        let prefix = live.prefix(k);
        let q = finest(&[baseline.dec, prefix.dec]);
        if !interval_excludes_zero(baseline.x, prefix.x, q, a) {
            continue;
        }
        tested += 1;
        if tested > MAX_EXACT_LOOKS {
            return None;
        }
        let (p, _) = permutation_p_typed(baseline.dec, prefix.dec);
        if p > a {
            continue;
        }
        let delta = exact_mean(&prefix.exact())? - &mb;
        if delta.is_zero() {
            continue;
        }
        let up = num_traits::Signed::is_positive(&delta);
        let verdict = match (better, up) {
            (Better::Higher, true) | (Better::Lower, false) => Verdict::Improved,
            _ => Verdict::Worse,
        };
        return Some((k, verdict, p));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_levels_of_a_horizon_add_up_to_alpha_and_nothing_is_spent_after_it() {
        for h in [1, 2, 5, 12, 40, HORIZON_CAP] {
            let total: f64 = (1..=h).map(|k| level(k, h)).sum();
            assert!((total - ALPHA).abs() < 1e-12, "h = {h}: {total}");
            assert_eq!(level(h + 1, h), 0.0);
            assert_eq!(level(0, h), 0.0);
        }
        // Later looks may spend more than earlier ones.
        assert!(level(12, 12) > level(2, 12));
    }

    #[test]
    fn a_look_is_possible_only_when_an_arrangement_could_reach_its_level() {
        assert!(!possible(3, 3, 12));
        assert!(!possible(8, 1, 12));
        assert!(possible(8, 12, 12));
        assert_eq!(
            first_possible(8, 0, 12).map(|k| possible(8, k, 12)),
            Some(true)
        );
        assert_eq!(first_possible(1, 0, 12), None);
    }

    /// A look is decided by what it saw: a later value typed with more decimals (`6.0` after
    /// `6`, `5.100` after `5.1`) neither removes, creates nor re-dates a verdict of an earlier
    /// look, past the horizon or not.
    #[test]
    fn a_later_value_typed_finer_does_not_re_decide_earlier_looks() {
        use crate::domain::num::decimal_of;
        let run = |b: &[&str], l: &[&str]| {
            let parse = |xs: &[&str]| -> (Vec<f64>, Vec<Dec>) {
                let x: Vec<f64> = xs.iter().map(|t| t.parse().unwrap()).collect();
                let d = xs
                    .iter()
                    .zip(&x)
                    .map(|(t, v)| decimal_of(*v, Some(t)))
                    .collect();
                (x, d)
            };
            let ((xb, db), (xl, dl)) = (parse(b), parse(l));
            decide(
                Values { x: &xb, dec: &db },
                Values { x: &xl, dec: &dl },
                Better::Higher,
                12,
            )
            .map(|(k, v, _)| (k, v))
        };
        let eight = ["6"; 8];
        let before = run(&["5", "5", "5", "5", "4"], &eight);
        assert!(before.is_some());
        let mut nine = eight.to_vec();
        nine.push("6.0");
        assert_eq!(run(&["5", "5", "5", "5", "4"], &nine), before);
        let mut twelve = vec!["5.1"; 12];
        let final_ = run(&["5.0"; 3], &twelve);
        twelve.push("5.100");
        assert_eq!(
            run(&["5.0"; 3], &twelve),
            final_,
            "nothing is decided after the horizon"
        );
    }

    /// With a large baseline and a long horizon the test is estimated by resampling, whose p
    /// never goes below 1/(resamples + 1): the first look promised possible is the one a
    /// complete separation is decided at, never an earlier one no p could reach.
    #[test]
    fn the_first_possible_look_is_one_the_test_as_run_can_decide() {
        for (nb, h) in [(20, 60), (25, 104), (30, 52), (30, 156), (30, 170)] {
            let b: Vec<f64> = (0..nb).map(|i| 10.0 + f64::from(i % 7) * 0.1).collect();
            let l: Vec<f64> = (0..h).map(|i| 100.0 + f64::from(i % 5) * 0.1).collect();
            let promised = first_possible(nb as usize, 0, h as usize);
            let decided = first_crossing(&b, &l, Better::Higher, h as usize).map(|c| c.0);
            assert_eq!(decided, promised, "nb {nb}, h {h}");
        }
    }

    #[test]
    fn a_clear_change_is_decided_at_the_first_look_that_can_show_it() {
        let b = [10.0, 10.2, 9.9, 10.1, 10.0, 9.8, 10.1, 10.0];
        let l = [8.0, 8.1, 7.9, 8.0, 8.2, 7.9, 8.0, 8.1, 8.0, 7.9, 8.1, 8.0];
        let (k, v, p) = first_crossing(&b, &l, Better::Lower, 12).unwrap();
        assert_eq!(v, Verdict::Improved);
        assert_eq!(k, first_possible(8, 0, 12).unwrap());
        assert!(p <= level(k, 12));
        assert_eq!(
            first_crossing(&b, &l, Better::Higher, 12).map(|c| c.1),
            Some(Verdict::Worse)
        );
        // Past the horizon nothing new is decided: the same values after a horizon of 1 look.
        assert_eq!(first_crossing(&b, &l, Better::Lower, 1), None);
    }
}
