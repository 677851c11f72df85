//! Numbers that keep their promises (issue 19), simulated with fixed seeds through the real
//! comparison a lead sees (`compare`, the code behind `loop show`, the board and `review --json`):
//!
//! - weeks that move together (a lag-1 autocorrelation of 0.5) cannot manufacture a verdict;
//! - with independent weeks, a verdict under no change stays under 5%, and a true change of 1.5
//!   standard deviations at 15 against 15 is still found;
//! - the live values promised for a target (`live_needed`) find it when it is the true change.
//!
//! Each rate of the first two is measured on `PROMISE_SERIES` series per case (400 unless set)
//! and held to its bound with the simulation's own sampling error (two binomial standard errors)
//! allowed; the third says its own margin.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::sim::{Rng, points, series};

use jobloop::domain::model::Better;
use jobloop::domain::stats::sequential::first_crossing;
use jobloop::domain::stats::{DEFAULT_HORIZON, HorizonFrom, Target, Verdict, compare};

/// The share of `n` whole series (n_b baseline weeks, then n_l live weeks shifted by `shift`
/// SDs, lower is better) in which one comparison at the end, under the horizon `h` (None: the
/// default), gives a verdict: the decision `compare` makes (`first_crossing`; the exact test is
/// run only at the looks whose interval already excludes 0, so this is fast in the debug
/// profile too; `compare_decides_as_first_crossing` holds the two together).
fn verdict_rate(
    rng: &mut Rng,
    n: usize,
    (nb, nl): (usize, usize),
    phi: f64,
    shift: f64,
    h: Option<usize>,
) -> f64 {
    let hits = (0..n)
        .filter(|_| {
            let w = rng.weeks(nb + nl, phi);
            let live: Vec<f64> = w[nb..].iter().map(|x| x - 5.0 * shift).collect();
            first_crossing(&w[..nb], &live, Better::Lower, h.unwrap_or(DEFAULT_HORIZON)).is_some()
        })
        .count();
    hits as f64 / n as f64
}

fn slack(bound: f64, n: usize) -> f64 {
    2.0 * (bound * (1.0 - bound) / n as f64).sqrt()
}

#[test]
fn weeks_that_move_together_cannot_manufacture_a_verdict() {
    let n = series("PROMISE_SERIES", 400);
    let mut rng = Rng(0x5eed_1901);
    for size in [5, 8, 15] {
        for h in [Some(size), None] {
            let correlated = verdict_rate(&mut rng, n, (size, size), 0.5, 0.0, h);
            let independent = verdict_rate(&mut rng, n, (size, size), 0.0, 0.0, h);
            eprintln!(
                "no change, {size} vs {size}, horizon {h:?}: a verdict in {correlated:.3} (lag-1 0.5) and {independent:.3} (independent) of {n} series"
            );
            assert!(correlated <= 0.10 + slack(0.10, n), "{size}: {correlated}");
            assert!(
                independent <= 0.05 + slack(0.05, n),
                "{size}: {independent}"
            );
        }
    }
}

#[test]
fn a_change_of_one_and_a_half_sds_at_15_against_15_is_found_in_at_least_70_percent() {
    let n = series("PROMISE_SERIES", 400);
    let mut rng = Rng(0x5eed_1902);
    for h in [Some(15), None] {
        let power = verdict_rate(&mut rng, n, (15, 15), 0.0, 1.5, h);
        eprintln!("1.5 SD, 15 vs 15, horizon {h:?}: found in {power:.3} of {n} series");
        assert!(power >= 0.70 - slack(0.70, n), "{h:?}: {power}");
    }
}

#[test]
fn compare_decides_as_first_crossing() {
    let mut rng = Rng(0x5eed_1903);
    for (size, phi, shift) in [(5, 0.5, 0.0), (8, 0.5, 1.0), (8, 0.0, 1.5), (15, 0.5, 0.0)] {
        for _ in 0..10 {
            let w = rng.weeks(2 * size, phi);
            let live: Vec<f64> = w[size..].iter().map(|x| x - 5.0 * shift).collect();
            for h in [Some(size), None] {
                let c = compare(
                    &points(&w[..size]),
                    &points(&live),
                    Better::Lower,
                    None,
                    h.map(|h| (h, HorizonFrom::Typed)),
                );
                let d = first_crossing(
                    &w[..size],
                    &live,
                    Better::Lower,
                    h.unwrap_or(DEFAULT_HORIZON),
                );
                assert_eq!(
                    d.map(|d| d.1),
                    matches!(c.verdict, Verdict::Improved | Verdict::Worse).then_some(c.verdict)
                );
            }
        }
    }
}

/// The change each baseline size is tested with, in SDs: one that a baseline of that size is
/// promised in most series from 5 values up (measured: 91–99% at 5–12 values, 75–92% at 13–15;
/// at 3 and 4 baseline values in 20% and 66%), so the rate is the promise as leads meet it, not
/// the few series where a quiet baseline made a far-off target look reachable.
fn tested_change(nb: usize) -> f64 {
    match nb {
        ..=6 => 6.0,
        7..=9 => 4.0,
        10..=12 => 3.0,
        _ => 2.0,
    }
}

#[test]
fn the_live_values_promised_for_a_target_find_it_in_at_least_75_percent_of_series() {
    // Whole series as a lead lives them: a baseline of `nb` independent weeks, a target equal
    // to the true change, `live_needed` read from that baseline (its horizon is the one the
    // plan derives from the target), then that many live weeks through the real decision.
    // Series are drawn until `SHOWN` promises were made (at most `DRAWN`); the rate is over
    // the series where a promise was shown. Margin: the rule delivers about 85–93% here (300
    // series per size measured it), so with 60 promised series (a binomial standard error of
    // 3–5 points) 75% sits 2 (at 3 baseline values, where 85% is delivered) to 4 standard errors
    // below; the bound is the promise itself, not loosened, and the fixed seed makes the draw the
    // same every run (measured here: 80% at 3 baseline values, 85–93% from 4 up).
    const SHOWN: usize = 60;
    const DRAWN: usize = 400;
    let mut rng = Rng(0x5eed_1904);
    for nb in 3..=15 {
        let shift = tested_change(nb);
        let target = Target::parse(&format!("-{}", 5.0 * shift)).unwrap();
        let (mut drawn, mut shown, mut found) = (0, 0, 0);
        while shown < SHOWN && drawn < DRAWN {
            drawn += 1;
            let b = rng.weeks(nb, 0.0);
            let c = compare(&points(&b), &[], Better::Lower, Some(target), None);
            let Some(promised) = c.live_needed else {
                // Absent, it says why (and the JSON keeps the key: `null`).
                assert!(c.live_needed_note.is_some(), "{b:?}");
                continue;
            };
            assert_eq!(c.sequential.map(|s| s.horizon), Some(promised));
            shown += 1;
            let live: Vec<f64> = rng
                .weeks(promised, 0.0)
                .iter()
                .map(|x| x - 5.0 * shift)
                .collect();
            let decided = first_crossing(&b, &live, Better::Lower, promised);
            if decided.map(|d| d.1) == Some(Verdict::Improved) {
                found += 1;
            }
        }
        let power = found as f64 / shown.max(1) as f64;
        eprintln!(
            "{nb} baseline values, target = true change of {shift} SD: promised in {shown} of {drawn} series, found by the promised look in {power:.3} of them"
        );
        assert_eq!(shown, SHOWN, "{nb}: too few promises to measure");
        if nb >= 5 {
            assert!(2 * shown > drawn, "{nb}: promised in {shown} of {drawn}");
        }
        assert!(power >= 0.75, "{nb}: {power}");
    }
}

/// The 95% interval of the percent change covers the true percent change about as often as it
/// says, rises and falls alike, also at few baseline values (issue 19: every promised figure
/// checked by simulation). Dividing the difference's interval by the observed baseline mean
/// covered a doubling at 5 baseline values in 77% of series; Fieller's interval allows for the
/// baseline mean's own uncertainty. Measured (20,000 series each, NumPy): 92.6% for a doubling
/// at 5 baseline values, 89% for +60% at 3, 95.6% for −40% at 8 — the README gives these.
#[test]
fn the_percent_interval_covers_the_true_change_as_often_as_it_says() {
    let n = series("PROMISE_SERIES", 400);
    let mut rng = Rng(0x5eed_1907);
    // (baseline values, live values, true change in percent, coefficient of variation, the
    // coverage measured on 20,000 series)
    for (nb, nl, change, cv, measured) in [
        (5, 12, 100.0, 0.3, 0.926),
        (3, 12, 60.0, 0.3, 0.89),
        (8, 12, -40.0, 0.2, 0.956),
        (5, 12, 0.0, 0.3, 0.944),
    ] {
        let (mean, sd) = (100.0, 100.0 * cv);
        let mut covered = 0;
        let mut shown = 0;
        for _ in 0..n {
            let b: Vec<f64> = (0..nb).map(|_| rng.value(mean, sd).max(0.01)).collect();
            let live_mean = mean * (1.0 + change / 100.0);
            let l: Vec<f64> = (0..nl)
                .map(|_| rng.value(live_mean, sd).max(0.01))
                .collect();
            let c = compare(&points(&b), &points(&l), Better::Higher, None, None);
            if let (Some(lo), Some(hi)) = (c.pct_ci_low, c.pct_ci_high) {
                shown += 1;
                covered += usize::from(lo <= change && change <= hi);
            }
        }
        let rate = covered as f64 / shown as f64;
        assert!(shown * 10 >= n * 8, "{nb} vs {nl}: shown in {shown} of {n}");
        assert!(
            rate >= measured - slack(measured, shown) && rate <= 0.99,
            "{nb} vs {nl}, {change:+}%: covered in {rate} of {shown} series"
        );
    }
}
