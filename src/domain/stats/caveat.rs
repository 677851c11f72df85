//! What a statistician would point out: a drifting baseline, no variation, weeks that move
//! together.

use super::*;

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

/// How many baseline values a trend needs before it is looked for.
pub const TREND_FROM: usize = 4;

/// The most baseline values a trend is looked for in: Theil–Sen takes every pair (n² slopes, 8
/// bytes each), so a longer baseline (a history imported whole) is thinned to this many values
/// evenly spread over it. Fewer values give a wider interval: a trend is then claimed less
/// readily, never more.
pub const TREND_POINTS: usize = 1_500;

/// `points` thinned to at most `most`, evenly spread, first and last kept, in order.
fn thinned(points: &[Point], most: usize) -> Vec<Point> {
    if points.len() <= most || most < 2 {
        return points.to_vec();
    }
    let last = points.len() - 1;
    (0..most).map(|k| points[k * last / (most - 1)]).collect()
}

pub(super) fn caveats(baseline: &[Point]) -> Vec<Caveat> {
    let mut out = Vec::new();
    if baseline.len() >= TREND_FROM
        && let Some((slope, low, high)) = theil_sen(&thinned(baseline, TREND_POINTS))
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
    out
}

#[cfg(test)]
mod thinning {
    use super::*;

    #[test]
    fn a_long_baseline_is_thinned_evenly_keeping_its_ends() {
        let points: Vec<Point> = (0..10_000)
            .map(|i| (f64::from(i), f64::from(i % 7)))
            .collect();
        let t = thinned(&points, TREND_POINTS);
        assert_eq!(t.len(), TREND_POINTS);
        assert_eq!(t[0], points[0]);
        assert_eq!(t[TREND_POINTS - 1], points[9_999]);
        assert!(t.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(thinned(&points[..10], TREND_POINTS), points[..10].to_vec());
        // A trend in a long history is still found from the thinned values.
        let rising: Vec<Point> = (0..5_000)
            .map(|i| (f64::from(i), f64::from(i) * 0.01))
            .collect();
        assert!(
            caveats(&rising)
                .iter()
                .any(|c| matches!(c, Caveat::BaselineTrend { .. }))
        );
    }
}
