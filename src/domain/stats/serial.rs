//! Weeks that move together. Weekly values of one process are rarely independent: a good week
//! tends to follow a good week. Then the mean of a handful of values varies more than s²/n says,
//! and s² itself comes out too small, so an interval (and a test that assumes exchangeable values,
//! like the permutation test) calls changes that are not there: with a lag-1 correlation of 0.5,
//! a verdict appeared in 11–20% of series under no change.
//!
//! The rule allows for it: the lag-1 autocorrelation of the residuals within each phase (the
//! baseline around its mean, the live values around theirs, so a change of level is not taken
//! for correlation) is pooled, corrected for its small-sample bias (E[r] ≈ φ − (1 + 3φ)/n,
//! Marriott & Pope 1954) and floored at 0; the variance of each side's mean is then widened to
//! what an AR(1) process with that correlation gives, s²·f/(n − f)·(n − 1)/n with
//! f = 1 + 2·Σₖ(1 − k/n)·φᵏ (the variance of the mean and the bias of s² together). Under
//! independence the estimate is 0 about half the time and small otherwise; under a correlation
//! of 0.5 it widens the interval enough to keep false verdicts near 5% (`tests/promises_sim.rs`).
//! A point estimate rather than an upper bound: an upper bound from 10 values would widen every
//! interval by half under independence, and the verdict would come only after twice the values.

/// The largest lag-1 correlation allowed for: beyond it a handful of values says nothing.
pub const SERIAL_CAP: f64 = 0.9;

/// The pooled residuals' raw lag-1 autocorrelation and its bias term c (E[r] ≈ φ − (1 + 3φ)·c);
/// `None` without a phase of two values or without variation.
fn pooled(phases: &[&[f64]]) -> Option<(f64, f64, usize)> {
    let scale = phases
        .iter()
        .flat_map(|p| p.iter())
        .fold(0.0_f64, |a, x| a.max(x.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return None;
    }
    let (mut num, mut den, mut bias, mut pairs) = (0.0, 0.0, 0.0, 0usize);
    for xs in phases.iter().filter(|p| p.len() >= 2) {
        let ys: Vec<f64> = xs.iter().map(|x| x / scale).collect();
        let m = ys.iter().sum::<f64>() / ys.len() as f64;
        num += ys.windows(2).map(|w| (w[0] - m) * (w[1] - m)).sum::<f64>();
        den += ys.iter().map(|y| (y - m).powi(2)).sum::<f64>();
        bias += (ys.len() - 1) as f64 / ys.len() as f64;
        pairs += ys.len() - 1;
    }
    (pairs > 0 && den > 0.0).then(|| (num / den, bias / pairs as f64, pairs))
}

/// The lag-1 correlation the rule allows for: pooled within the phases, bias-corrected, between
/// 0 and `SERIAL_CAP`. Phases too short for the correction to mean anything (3c ≥ 0.95) get the
/// cap: nothing can be concluded from them.
pub fn serial_lag1(phases: &[&[f64]]) -> f64 {
    let Some((r, c, _)) = pooled(phases) else {
        return 0.0;
    };
    let room = 1.0 - 3.0 * c;
    if room <= 0.05 {
        return SERIAL_CAP;
    }
    ((r + c) / room).clamp(0.0, SERIAL_CAP)
}

/// A one-sided 95% upper bound of that correlation (its standard error taken as
/// 1/(√pairs·(1 − 3c))): how much correlation these values cannot exclude.
pub fn serial_upper(phases: &[&[f64]]) -> f64 {
    let Some((r, c, pairs)) = pooled(phases) else {
        return SERIAL_CAP;
    };
    let room = 1.0 - 3.0 * c;
    if room <= 0.05 {
        return SERIAL_CAP;
    }
    ((r + c) / room + 1.645 / ((pairs as f64).sqrt() * room)).clamp(0.0, SERIAL_CAP)
}

/// How much wider a side's variance of the mean is under a lag-1 correlation `phi` than s²/n
/// says: f·(n − 1)/(n − f), with f = 1 + 2·Σₖ(1 − k/n)·φᵏ. 1 without correlation.
pub fn widening(n: usize, phi: f64) -> f64 {
    if n < 2 || phi <= 0.0 {
        return 1.0;
    }
    let nf = n as f64;
    let mut f = 1.0;
    let mut pk = 1.0;
    for k in 1..n {
        pk *= phi;
        f += 2.0 * (1.0 - k as f64 / nf) * pk;
    }
    f * (nf - 1.0) / (nf - f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn independent_values_are_not_widened_and_moving_ones_are() {
        assert_eq!(widening(5, 0.0), 1.0);
        // n = 5, φ = 0.5: f = 2.225, f·4/(5 − f) = 3.2072…
        assert!((widening(5, 0.5) - 2.225 * 4.0 / 2.775).abs() < 1e-12);
        // Alternating values: negative lag-1, floored at 0.
        let alt = [1.0, 3.0, 1.0, 3.0, 1.0, 3.0];
        assert_eq!(serial_lag1(&[&alt, &alt]), 0.0);
        // A slow wave in each phase: strongly positive.
        let wave = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        assert!(serial_lag1(&[&wave, &wave]) > 0.5);
        assert_eq!(serial_lag1(&[&[2.0, 2.0], &[3.0, 3.0]]), 0.0);
        assert!(serial_upper(&[&wave, &wave]) >= serial_lag1(&[&wave, &wave]));
    }
}
