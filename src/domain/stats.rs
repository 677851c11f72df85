//! Honest numbers for small samples: the comparison of live values with the baseline (Welch's t
//! interval for the difference of means) and the process-behaviour (XmR) limits of the baseline.
//! Leads enter 3–30 weekly values by hand, so every answer carries its uncertainty and can say
//! "not enough data".

use serde::Serialize;

use super::model::Better;
use super::time::Stamp;

pub fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Sample variance (n − 1 in the denominator); `None` below two values.
pub fn variance(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let m = mean(xs)?;
    Some(xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (xs.len() - 1) as f64)
}

/// ln Γ(x) for x > 0 (Lanczos approximation, g = 7, nine coefficients; ~15 significant digits).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularised incomplete beta function I_x(a, b), by its continued fraction (modified Lentz).
fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    // The fraction converges fast for x < (a+1)/(a+b+2); use the symmetry otherwise.
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - incomplete_beta(1.0 - x, b, a);
    }
    let ln_front = a * x.ln() + b * (1.0 - x).ln() - (ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b));
    let front = ln_front.exp() / a;
    let tiny = 1e-300;
    let mut f = 1.0;
    let mut c = 1.0;
    let mut d = 0.0;
    for i in 0..400 {
        let m = (i / 2) as f64;
        let numerator = if i == 0 {
            1.0
        } else if i % 2 == 0 {
            m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m))
        } else {
            -((a + m) * (a + b + m) * x) / ((a + 2.0 * m) * (a + 2.0 * m + 1.0))
        };
        d = 1.0 + numerator * d;
        if d.abs() < tiny {
            d = tiny;
        }
        d = 1.0 / d;
        c = 1.0 + numerator / c;
        if c.abs() < tiny {
            c = tiny;
        }
        let cd = c * d;
        f *= cd;
        if (1.0 - cd).abs() < 1e-15 {
            break;
        }
    }
    front * (f - 1.0)
}

/// P(T ≤ t) for Student's t with `df` degrees of freedom (df may be fractional, as in Welch).
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * incomplete_beta(df / (df + t * t), df / 2.0, 0.5);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// The t value with P(T ≤ t) = p, by bisection on the CDF (monotone, so this always converges),
/// stopped once the bracket is narrower than 1e-10.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    let (mut lo, mut hi) = if p >= 0.5 { (0.0, 1e4) } else { (-1e4, 0.0) };
    while hi - lo > 1e-10 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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

/// Baseline against live values. `ci_low`/`ci_high` bound live − baseline with 95% confidence.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub baseline_n: usize,
    pub baseline_mean: Option<f64>,
    pub live_n: usize,
    pub live_mean: Option<f64>,
    pub delta: Option<f64>,
    pub pct_change: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub verdict: Verdict,
}

pub fn compare(baseline: &[f64], live: &[f64], better: Better) -> Comparison {
    let (bm, lm) = (mean(baseline), mean(live));
    let delta = bm.zip(lm).map(|(b, l)| l - b);
    let pct_change = bm
        .zip(delta)
        .filter(|(b, _)| *b != 0.0)
        .map(|(b, d)| d / b.abs() * 100.0);
    let mut c = Comparison {
        baseline_n: baseline.len(),
        baseline_mean: bm,
        live_n: live.len(),
        live_mean: lm,
        delta,
        pct_change,
        ci_low: None,
        ci_high: None,
        verdict: Verdict::NotEnoughData,
    };
    let (Some(vb), Some(vl), Some(d)) = (variance(baseline), variance(live), delta) else {
        return c;
    };
    let (nb, nl) = (baseline.len() as f64, live.len() as f64);
    let (sb, sl) = (vb / nb, vl / nl);
    let se = (sb + sl).sqrt();
    let (low, high) = if se == 0.0 {
        // Both sides constant: the difference is known exactly.
        (d, d)
    } else {
        let df = (sb + sl).powi(2) / (sb * sb / (nb - 1.0) + sl * sl / (nl - 1.0));
        let t = t_quantile(0.975, df);
        (d - t * se, d + t * se)
    };
    c.ci_low = Some(low);
    c.ci_high = Some(high);
    c.verdict = if low <= 0.0 && high >= 0.0 {
        Verdict::Inconclusive
    } else {
        let up = low > 0.0;
        match (better, up) {
            (Better::Higher, true) | (Better::Lower, false) => Verdict::Improved,
            _ => Verdict::Worse,
        }
    };
    c
}

/// A point outside the natural process limits, or a long run on one side of the centre.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ProcessSignal {
    OutsideLimits { at: Stamp, value: f64 },
    RunOfEight { side: Side, from: Stamp, to: Stamp },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Above,
    Below,
}

/// An XmR chart of the baseline, read against the live values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Process {
    pub center: f64,
    pub lower_limit: f64,
    pub upper_limit: f64,
    pub signals: Vec<ProcessSignal>,
}

/// How many points in a row on one side of the centre make a signal.
pub const RUN_LENGTH: usize = 8;

/// Natural process limits from the baseline (in time order): centre ± 2.66 × the mean moving
/// range. `None` with fewer than two baseline values.
pub fn process(baseline: &[(Stamp, f64)], live: &[(Stamp, f64)]) -> Option<Process> {
    if baseline.len() < 2 {
        return None;
    }
    let values: Vec<f64> = baseline.iter().map(|(_, v)| *v).collect();
    let center = mean(&values)?;
    let ranges: Vec<f64> = values.windows(2).map(|w| (w[1] - w[0]).abs()).collect();
    let mr = mean(&ranges)?;
    let (lower_limit, upper_limit) = (center - 2.66 * mr, center + 2.66 * mr);
    let mut signals: Vec<ProcessSignal> = live
        .iter()
        .filter(|(_, v)| *v < lower_limit || *v > upper_limit)
        .map(|(at, value)| ProcessSignal::OutsideLimits {
            at: *at,
            value: *value,
        })
        .collect();
    let side = |v: f64| {
        if v > center {
            Some(Side::Above)
        } else if v < center {
            Some(Side::Below)
        } else {
            None
        }
    };
    let mut run: Vec<&(Stamp, f64)> = Vec::new();
    let mut run_side = None;
    let flush = |run: &Vec<&(Stamp, f64)>, s: Option<Side>, signals: &mut Vec<ProcessSignal>| {
        if let (Some(s), true) = (s, run.len() >= RUN_LENGTH) {
            signals.push(ProcessSignal::RunOfEight {
                side: s,
                from: run[0].0,
                to: run[run.len() - 1].0,
            });
        }
    };
    for p in live {
        let s = side(p.1);
        if s.is_some() && s == run_side {
            run.push(p);
        } else {
            flush(&run, run_side, &mut signals);
            run = s.map(|_| vec![p]).unwrap_or_default();
            run_side = s;
        }
    }
    flush(&run, run_side, &mut signals);
    Some(Process {
        center,
        lower_limit,
        upper_limit,
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
            if (hi - lo).abs() < f64::EPSILON {
                BARS[3]
            } else {
                BARS[(((v - lo) / (hi - lo)) * 7.0).round() as usize]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() < tol, "{a} vs {b}");
    }

    fn at(day: u32) -> Stamp {
        Stamp::parse(&format!("2026-10-{day:02}T12:00:00Z")).unwrap()
    }

    /// Reference quantiles from SciPy 1.17 `scipy.stats.t.ppf(0.975, df)`.
    #[test]
    fn t_quantiles_match_scipy() {
        close(t_quantile(0.975, 1.0), 12.706204736174694, 1e-6);
        close(t_quantile(0.975, 2.0), 4.302652729749462, 1e-8);
        close(t_quantile(0.975, 5.0), 2.5705818356363146, 1e-8);
        close(t_quantile(0.975, 10.0), 2.228138851986274, 1e-8);
        close(t_quantile(0.975, 30.0), 2.0422724563012378, 1e-8);
        close(t_quantile(0.975, 4.5), 2.6589123472044034, 1e-8);
        close(t_cdf(0.0, 3.0), 0.5, 1e-12);
    }

    /// Reference: SciPy 1.17 `scipy.stats.ttest_ind(live, base, equal_var=False)
    /// .confidence_interval(0.95)` gives (−4.606699062719555, −1.5599676039471118), df 3.959.
    #[test]
    fn welch_interval_matches_scipy_and_lower_is_better_improves() {
        let base = [9.5, 10.5, 10.0, 11.0];
        let live = [7.0, 6.5, 8.0];
        let c = compare(&base, &live, Better::Lower);
        close(c.delta.unwrap(), -3.083333333333333, 1e-12);
        close(c.ci_low.unwrap(), -4.606699062719555, 1e-7);
        close(c.ci_high.unwrap(), -1.5599676039471118, 1e-7);
        close(
            c.pct_change.unwrap(),
            -3.083333333333333 / 10.25 * 100.0,
            1e-9,
        );
        assert_eq!(c.verdict, Verdict::Improved);
        // The same numbers with higher-is-better are a worsening.
        assert_eq!(
            compare(&base, &live, Better::Higher).verdict,
            Verdict::Worse
        );
    }

    /// Reference: SciPy as above for base [41, 43, 40], live [44, 39, 46, 42]: the interval
    /// (−3.1548, 5.9881) crosses zero.
    #[test]
    fn an_interval_across_zero_is_inconclusive() {
        let c = compare(
            &[41.0, 43.0, 40.0],
            &[44.0, 39.0, 46.0, 42.0],
            Better::Higher,
        );
        close(c.ci_low.unwrap(), -3.154805367646567, 1e-7);
        close(c.ci_high.unwrap(), 5.988138700979896, 1e-7);
        assert_eq!(c.verdict, Verdict::Inconclusive);
    }

    #[test]
    fn one_value_on_a_side_is_not_enough() {
        let c = compare(&[10.0], &[5.0, 6.0, 4.0], Better::Lower);
        assert_eq!(c.verdict, Verdict::NotEnoughData);
        assert_eq!(c.delta, Some(-5.0));
        assert_eq!(c.ci_low, None);
        let c = compare(&[], &[], Better::Lower);
        assert_eq!(c.verdict, Verdict::NotEnoughData);
        assert_eq!(c.baseline_mean, None);
    }

    #[test]
    fn zero_variance_and_equal_means() {
        let c = compare(&[5.0, 5.0], &[3.0, 3.0, 3.0], Better::Lower);
        assert_eq!((c.ci_low, c.ci_high), (Some(-2.0), Some(-2.0)));
        assert_eq!(c.verdict, Verdict::Improved);
        let c = compare(&[5.0, 5.0], &[5.0, 5.0], Better::Higher);
        assert_eq!(c.verdict, Verdict::Inconclusive);
        let c = compare(&[4.0, 6.0], &[6.0, 4.0], Better::Higher);
        assert_eq!(c.delta, Some(0.0));
        assert_eq!(c.verdict, Verdict::Inconclusive);
        // A zero baseline has no percentage change.
        assert_eq!(
            compare(&[0.0, 0.0], &[1.0, 2.0], Better::Higher).pct_change,
            None
        );
    }

    /// By hand: baseline 10, 12, 11, 13 → centre 11.5, moving ranges 2, 1, 2 → mean 5/3,
    /// limits 11.5 ± 2.66 × 5/3 = 7.0667 … 15.9333.
    #[test]
    fn process_limits_and_a_point_outside() {
        let base: Vec<(Stamp, f64)> = [10.0, 12.0, 11.0, 13.0]
            .iter()
            .enumerate()
            .map(|(i, v)| (at(i as u32 + 1), *v))
            .collect();
        let live = vec![(at(10), 12.0), (at(11), 17.0), (at(12), 6.0)];
        let p = process(&base, &live).unwrap();
        close(p.center, 11.5, 1e-12);
        close(p.lower_limit, 11.5 - 2.66 * 5.0 / 3.0, 1e-12);
        close(p.upper_limit, 11.5 + 2.66 * 5.0 / 3.0, 1e-12);
        assert_eq!(p.signals.len(), 2);
        assert!(
            matches!(p.signals[0], ProcessSignal::OutsideLimits { value, .. } if value == 17.0)
        );
        assert!(process(&base[..1], &live).is_none());
    }

    #[test]
    fn eight_in_a_row_on_one_side_is_a_signal_and_seven_is_not() {
        let base = vec![(at(1), 10.0), (at(2), 12.0), (at(3), 11.0)];
        let live: Vec<(Stamp, f64)> = (0..8).map(|i| (at(10 + i), 11.5)).collect();
        let p = process(&base, &live).unwrap();
        assert_eq!(p.signals.len(), 1);
        assert!(matches!(
            p.signals[0],
            ProcessSignal::RunOfEight {
                side: Side::Above,
                ..
            }
        ));
        let p = process(&base, &live[..7]).unwrap();
        assert!(p.signals.is_empty());
        // A point on the centre breaks the run.
        let mut broken = live.clone();
        broken[4].1 = 11.0;
        assert!(process(&base, &broken).unwrap().signals.is_empty());
    }

    #[test]
    fn sparklines_scale_between_min_and_max() {
        assert_eq!(sparkline(&[1.0, 2.0, 3.0, 8.0]), "▁▂▃█");
        assert_eq!(sparkline(&[5.0, 5.0]), "▄▄");
        assert_eq!(sparkline(&[]), "");
    }
}
