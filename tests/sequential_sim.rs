//! The verdict survives weekly looks: simulated with a fixed seed through the real comparison a
//! lead sees (`compare`, the code behind `loop show`, the board and `review --json`), looking
//! after every live value and stopping at the first `improved` or `worse`.
//!
//! The rates are measured on 2,000 series per case (`SEQUENTIAL_SERIES` to change it) through
//! `first_crossing`, the decision `compare` makes, so the bound is not a lottery in the debug
//! profile either; a separate test holds `compare`, looked at after every value, to the same
//! decisions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::sim::{Rng, points, series};

use jobloop::domain::model::Better;
use jobloop::domain::stats::sequential::first_crossing;
use jobloop::domain::stats::{DEFAULT_HORIZON, Target, Verdict, compare};

/// A baseline of `nb` values whose mean and spread are exactly the process's (50 and 5):
/// what a lead would see if the baseline estimated the noise right.
fn typical_baseline(rng: &mut Rng, nb: usize) -> Vec<f64> {
    let z: Vec<f64> = (0..nb).map(|_| rng.normal()).collect();
    let m = z.iter().sum::<f64>() / nb as f64;
    let s = (z.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (nb - 1) as f64).sqrt();
    z.iter()
        .map(|x| ((50.0 + 5.0 * (x - m) / s) * 100.0).round() / 100.0)
        .collect()
}

/// Looks after each of `looks` live values (shifted by `shift` SDs, lower is better) through
/// `compare`, as a lead would, and returns the first verdict seen.
fn first_verdict_looking(
    rng: &mut Rng,
    baseline: &[f64],
    looks: usize,
    shift: f64,
) -> (Option<Verdict>, Vec<f64>) {
    let mut live = Vec::new();
    for _ in 0..looks {
        live.push(rng.value(50.0 - 5.0 * shift, 5.0));
        let c = compare(&points(baseline), &points(&live), Better::Lower, None, None);
        if matches!(c.verdict, Verdict::Improved | Verdict::Worse) {
            return (Some(c.verdict), live);
        }
    }
    (None, live)
}

/// The first verdict over `looks` live values (shifted by `shift` SDs, lower is better) under a
/// horizon of `h`: the decision `compare` makes at each look.
fn first_verdict(
    rng: &mut Rng,
    baseline: &[f64],
    looks: usize,
    h: usize,
    shift: f64,
) -> Option<Verdict> {
    let live: Vec<f64> = (0..looks)
        .map(|_| rng.value(50.0 - 5.0 * shift, 5.0))
        .collect();
    first_crossing(baseline, &live, Better::Lower, h).map(|c| c.1)
}

fn drawn(rng: &mut Rng, nb: usize) -> Vec<f64> {
    (0..nb).map(|_| rng.value(50.0, 5.0)).collect()
}

#[test]
fn looking_after_every_value_sees_the_decision_of_the_rule() {
    let mut rng = Rng(0x5eed_0000);
    for (nb, shift) in [(3, 0.0), (5, 0.0), (8, 1.0), (8, 1.5), (12, -1.0)] {
        for _ in 0..40 {
            let b = drawn(&mut rng, nb);
            let (seen, live) = first_verdict_looking(&mut rng, &b, 12, shift);
            let decided = first_crossing(&b, &live, Better::Lower, DEFAULT_HORIZON);
            assert_eq!(seen, decided.map(|d| d.1), "{b:?} {live:?}");
            if let Some((k, ..)) = decided {
                assert_eq!(
                    k,
                    live.len(),
                    "the look that decided is the one that saw it"
                );
            }
        }
    }
}

#[test]
fn under_no_change_a_lead_who_looks_every_week_sees_a_verdict_in_at_most_5_percent_of_series() {
    let n = series("SEQUENTIAL_SERIES", 2000);
    let mut rng = Rng(0x5eed_0001);
    for nb in [3, 4, 6, 8, 10, 12] {
        let false_verdicts = (0..n)
            .filter(|_| {
                let b = drawn(&mut rng, nb);
                first_verdict(&mut rng, &b, 12, DEFAULT_HORIZON, 0.0).is_some()
            })
            .count();
        let rate = false_verdicts as f64 / n as f64;
        eprintln!("no change, {nb} baseline values, 12 looks: {rate:.3} of {n} series");
        // The bound holds by construction (the levels add up to 5%); the simulation allows its
        // own sampling error of two standard errors above 5%.
        let slack = 2.0 * (0.05 * 0.95 / n as f64).sqrt();
        assert!(rate <= 0.05 + slack, "{nb} baseline values: {rate}");
    }
}

#[test]
fn a_change_of_one_and_a_half_sds_is_found_by_the_twelfth_look_in_at_least_50_percent() {
    let n = series("SEQUENTIAL_SERIES", 2000);
    let mut rng = Rng(0x5eed_0002);
    let found = (0..n)
        .filter(|_| {
            let b = drawn(&mut rng, 8);
            first_verdict(&mut rng, &b, 12, DEFAULT_HORIZON, 1.5) == Some(Verdict::Improved)
        })
        .count();
    let power = found as f64 / n as f64;
    eprintln!("1.5 SD, 8 baseline values, 12 looks: found in {power:.3} of {n} series");
    let slack = 2.0 * (0.5 * 0.5 / n as f64).sqrt();
    assert!(power >= 0.50 - slack, "{power}");
}

#[test]
fn the_live_values_promised_for_a_target_find_it_as_often_as_promised() {
    // A target equal to the true change, against a baseline that estimates the noise right:
    // `live_needed` promises 80% power by that look under the same rule. (How far a noisy
    // estimate of the noise moves the promise is another matter: the baseline's own spread.)
    let n = series("SEQUENTIAL_SERIES", 2000);
    let mut rng = Rng(0x5eed_0003);
    for (nb, shift) in [(8, 3.0), (12, 3.0)] {
        let target = Target::parse(&format!("-{}", 5.0 * shift)).unwrap();
        let runs: Vec<Option<Verdict>> = (0..n)
            .filter_map(|_| {
                let b = typical_baseline(&mut rng, nb);
                let c = compare(&points(&b), &[], Better::Lower, Some(target), None);
                let promised = c.live_needed?;
                // The horizon the plan derives from the target is the promised count.
                assert_eq!(c.sequential.map(|s| s.horizon), Some(promised));
                Some(first_verdict(&mut rng, &b, promised, promised, shift))
            })
            .collect();
        assert_eq!(runs.len(), n, "a promise for every typical baseline");
        let found = runs
            .iter()
            .filter(|v| **v == Some(Verdict::Improved))
            .count();
        let power = found as f64 / n as f64;
        eprintln!(
            "target {shift} SD, {nb} baseline values: found by the promised look in {power:.3} of {n} series"
        );
        let slack = 2.0 * (0.8 * 0.2 / n as f64).sqrt();
        assert!(power >= 0.80 - slack, "{nb} baseline values: {power}");
    }
}
