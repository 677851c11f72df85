//! Comparing baseline and live values: the permutation test's verdicts and intervals checked
//! against SciPy and exact enumeration, weeks that move together, and magnitudes that stay finite.

use super::*;

/// `scipy.stats.t.ppf(q, df)` and `scipy.stats.norm.ppf(q)`.
#[test]
fn quantiles_match_scipy() {
    for (df, t975, t80) in [
        (1.0, 12.706204736174694, 1.3763819204711738),
        (2.0, 4.302652729749462, 1.0606601717798214),
        (4.0, 2.7764451051977934, 0.9409645772351816),
        (10.0, 2.228138851986274, 0.8790578285505889),
        (30.0, 2.0422724563012378, 0.8537672614712979),
    ] {
        close(t_quantile(0.975, df), t975, 1e-9);
        close(t_quantile(0.80, df), t80, 1e-9);
    }
    close(z_quantile(0.975), 1.959963984540054, 1e-9);
    close(z_quantile(0.80), 0.8416212335729143, 1e-9);
}

/// Case A. Enumeration: 1 of 35 arrangements is as extreme → 0.028571428571428571.
/// `ttest_ind(live, base, equal_var=False).confidence_interval(0.95)`:
/// (−4.606699062719555, −1.5599676039471118).
#[test]
fn a_clear_drop_is_improved_when_lower_is_better() {
    let base = [9.5, 10.5, 10.0, 11.0];
    let live = [7.0, 6.5, 8.0];
    let c = cmp(&base, &live, Better::Lower);
    close(c.delta.unwrap(), -3.083333333333333, 1e-12);
    close(c.ci_low.unwrap(), -4.606699062719555, 1e-7);
    close(c.ci_high.unwrap(), -1.5599676039471118, 1e-7);
    close(c.exact_p.unwrap(), 1.0 / 35.0, 1e-15);
    assert_eq!(c.p_method, Some(PMethod::Exact));
    close(c.min_p.unwrap(), 1.0 / 35.0, 1e-15);
    // 1 in 35 would pass a single test at 5%, but a lead looks every week: the rule spends 5%
    // over 12 looks, and no look before the 7th with 4 baseline values can reach its share
    // (min_p(4, 7) = 1/330 ≤ 0.05·((7/12)³ − (6/12)³)).
    assert_eq!(c.verdict, Verdict::NotEnoughData);
    assert_eq!(c.values_needed, Some(4));
    let seq = c.sequential.clone().unwrap();
    assert_eq!((seq.horizon, seq.look, seq.decided_at), (12, 3, None));
    // Four more live values as clear are a verdict, at the first look that could give one.
    let more = [7.0, 6.5, 8.0, 7.5, 7.0, 6.0, 7.2];
    let c = cmp(&base, &more, Better::Lower);
    assert_eq!(c.verdict, Verdict::Improved);
    assert_eq!(c.sequential.unwrap().decided_at, Some(7));
    // The same numbers with higher-is-better are a worsening.
    assert_eq!(cmp(&base, &more, Better::Higher).verdict, Verdict::Worse);
    let c = cmp(&base, &live, Better::Lower);
    // Percent change, and Fieller's interval for the ratio of the means with Welch's t
    // (NumPy/SciPy: the roots of (ml − θ·mb)² = t²(Vl + θ²·Vb), t = t.ppf(0.975, 3.9593…), as a
    // percent change; a grid over θ agrees to 1e-6): −30.081300813008127 (−43.07359857645089 to
    // −16.003162511396095). Dividing the difference's interval by the baseline mean instead
    // would ignore the baseline mean's own uncertainty.
    close(c.pct_change.unwrap(), -30.081300813008127, 1e-9);
    close(c.pct_ci_low.unwrap(), -43.07359857645089, 1e-7);
    close(c.pct_ci_high.unwrap(), -16.003162511396095, 1e-7);
}

/// Case H: enumeration 20 / 35 = 0.5714285714285714; Welch (−3.154805367646567,
/// 5.988138700979896).
#[test]
fn an_overlapping_change_is_inconclusive() {
    let c = cmp(
        &[41.0, 43.0, 40.0],
        &[44.0, 39.0, 46.0, 42.0],
        Better::Higher,
    );
    close(c.exact_p.unwrap(), 20.0 / 35.0, 1e-15);
    close(c.ci_low.unwrap(), -3.154805367646567, 1e-7);
    close(c.ci_high.unwrap(), 5.988138700979896, 1e-7);
    // No look this early can reach its share of 5% with 3 baseline values.
    assert_eq!(c.verdict, Verdict::NotEnoughData);
    assert_eq!(c.values_needed, Some(5));
}

/// Case G (ties): enumeration 13 / 126 = 0.10317460317460317; Welch (−0.12391827072975525,
/// 2.5239182707297556).
#[test]
fn ties_are_counted_as_at_least_as_extreme() {
    let c = cmp(
        &[1.0, 2.0, 2.0, 3.0],
        &[2.0, 3.0, 3.0, 4.0, 4.0],
        Better::Higher,
    );
    close(c.exact_p.unwrap(), 13.0 / 126.0, 1e-15);
    close(c.ci_low.unwrap(), -0.12391827072975525, 1e-7);
    close(c.ci_high.unwrap(), 2.5239182707297556, 1e-7);
    assert_eq!(c.verdict, Verdict::NotEnoughData);
}

/// Case I: enumeration 3 / 462 = 0.006493506493506494; Welch (−4.425184731542057,
/// −1.3748152684579442).
#[test]
fn five_against_six_is_a_look_that_needs_more_than_5_percent() {
    let c = cmp(
        &[12.0, 14.0, 11.0, 13.0, 12.0],
        &[9.0, 10.0, 8.0, 11.0, 9.0, 10.0],
        Better::Lower,
    );
    close(c.exact_p.unwrap(), 3.0 / 462.0, 1e-15);
    close(c.ci_low.unwrap(), -4.425184731542057, 1e-7);
    close(c.ci_high.unwrap(), -1.3748152684579442, 1e-7);
    // The 6th of 12 looks may spend 0.05·((6/12)³ − (5/12)³) = 0.00263: p = 0.0065 is not
    // enough, though 5 against 6 could reach it (min_p = 1/462).
    assert_eq!(c.verdict, Verdict::Inconclusive);
    close(
        c.sequential.unwrap().level,
        0.05 * (0.125 - (5.0f64 / 12.0).powi(3)),
        1e-15,
    );
}

/// 12 against 12 values: 2,704,156 arrangements, more than are counted exactly. Exact reference
/// by dynamic programming over the subset sums in Python: 867650 / 2704156 = 0.3208579682533108.
/// The fixed-seed Monte Carlo estimate lies within four standard errors (0.013) and repeats.
#[test]
fn many_arrangements_are_estimated_by_a_repeatable_monte_carlo() {
    let base = [
        10.0, 10.3, 9.7, 9.1, 9.5, 9.0, 10.1, 11.3, 9.5, 9.4, 10.5, 10.4,
    ];
    let live = [
        11.0, 10.0, 10.9, 11.6, 9.6, 10.4, 9.0, 9.6, 9.1, 10.7, 9.6, 11.2,
    ];
    let c = cmp(&base, &live, Better::Higher);
    assert_eq!(c.p_method, Some(PMethod::MonteCarlo));
    close(c.exact_p.unwrap(), 0.3208579682533108, 0.013);
    assert_eq!(cmp(&base, &live, Better::Higher).exact_p, c.exact_p);
    close(c.ci_low.unwrap(), -0.3278396044691647, 1e-7);
    close(c.ci_high.unwrap(), 0.9778396044691633, 1e-7);
}

/// Two values against two cannot reach 5%: the most extreme of the C(4,2) = 6 arrangements and
/// its mirror give p = 2/6.
#[test]
fn two_against_two_is_not_enough_data_and_says_how_many_more() {
    let c = cmp(&[5.0, 5.0], &[3.0, 3.0], Better::Lower);
    assert_eq!(c.verdict, Verdict::NotEnoughData);
    close(c.min_p.unwrap(), 1.0 / 3.0, 1e-12);
    // The test and the interval are still reported; the interval alone would call a change,
    // which the caveat says rests on the normal model.
    close(c.exact_p.unwrap(), 2.0 / 6.0, 1e-12);
    assert!(c.ci_high.unwrap() < 0.0);
    assert!(c.caveats.contains(&Caveat::NormalModel));
    // With 2 baseline values only the 12th look can: min_p(2, 12) = 2/182 ≤ its share
    // 0.05·(1 − (11/12)³) = 0.01148; the 11th's 2/156 is above its 0.00958.
    assert_eq!(c.values_needed, Some(10));
    // 3 against 3: 2/20 = 0.1; 3 against 4: 1/35.
    assert_eq!(min_p(3, 3), 0.1);
    assert_eq!(sequential::first_possible(3, 3, 12), Some(9));
    assert_eq!(sequential::first_possible(1, 5, 12), None);
}

#[test]
fn identical_values_differ_by_exactly_zero_and_get_no_verdict() {
    let c = cmp(&[0.010; 6], &[0.010; 11], Better::Higher);
    assert_eq!(c.delta, Some(0.0));
    assert_eq!(c.exact_p, Some(1.0));
    assert_eq!(c.verdict, Verdict::Inconclusive);
    let (lo, hi) = (c.ci_low.unwrap(), c.ci_high.unwrap());
    assert!(lo < 0.0 && hi > 0.0, "never zero-wide: {lo} {hi}");
    assert!(c.caveats.contains(&Caveat::BaselineConstant));
    assert!(process(&pts(&[0.010; 6]), &pts(&[0.010; 11])).is_none());
}

/// Four 5s then four 6s: the spread is floored at the resolution 1/√12. NumPy/SciPy from the
/// formula: (0.5005262099271479, 1.499473790072852), df 6; enumeration 2/70.
#[test]
fn constant_sides_get_an_interval_floored_by_the_typed_resolution() {
    let c = cmp(&[5.0; 4], &[6.0; 4], Better::Higher);
    close(c.ci_low.unwrap(), 0.5005262099271479, 1e-7);
    close(c.ci_high.unwrap(), 1.499473790072852, 1e-7);
    close(c.exact_p.unwrap(), 2.0 / 70.0, 1e-15);
    assert_eq!(c.verdict, Verdict::NotEnoughData);
}

#[test]
fn percent_change_only_for_a_positive_baseline() {
    // A baseline whose mean is exactly 0.
    let c = cmp(&[0.1, 0.2, -0.3], &[0.5, 0.6, 0.7, 0.8], Better::Higher);
    assert_eq!(c.baseline_mean, Some(0.0));
    assert_eq!(c.pct_change, None);
    assert!(c.delta.unwrap() > 0.0);
    // A negative baseline: no percentage, whatever the direction.
    let c = cmp(
        &[-2.0, -2.5, -1.5],
        &[-1.0, -1.2, -0.8, -1.1],
        Better::Higher,
    );
    assert_eq!(c.pct_change, None);
    assert_eq!(c.pct_ci_low, None);
}

#[test]
fn one_value_a_side_and_empty_sides() {
    let c = cmp(&[10.0], &[5.0, 6.0, 4.0], Better::Lower);
    assert_eq!(c.verdict, Verdict::NotEnoughData);
    assert_eq!(c.delta, Some(-5.0));
    assert_eq!(c.ci_low, None);
    assert_eq!(
        c.values_needed, None,
        "more live values cannot fix a one-value baseline"
    );
    let c = cmp(&[], &[], Better::Lower);
    assert_eq!(c.verdict, Verdict::NotEnoughData);
    assert_eq!(c.baseline_mean, None);
    assert_eq!(c.min_p, None);
}

/// `scipy.stats.theilslopes(y, x / 7, 0.95)`: slope 0.5 per week, (0.2, 0.7) for the rising
/// series; with tied times and values, slope 0.0, (−0.5, 1.0).
#[test]
fn theil_sen_matches_scipy() {
    let rising = [
        (0.0, 10.0),
        (7.0, 10.4),
        (14.0, 11.1),
        (21.0, 11.3),
        (28.0, 12.2),
        (35.0, 12.4),
    ];
    let (s, lo, hi) = theil_sen(&rising).unwrap();
    close(s, 0.5, 1e-12);
    close(lo, 0.2, 1e-12);
    close(hi, 0.7, 1e-12);
    let tied = [(0.0, 5.0), (7.0, 5.0), (7.0, 6.0), (14.0, 5.5), (21.0, 5.0)];
    let (s, lo, hi) = theil_sen(&tied).unwrap();
    close(s, 0.0, 1e-12);
    close(lo, -0.5, 1e-12);
    close(hi, 1.0, 1e-12);
    // A trending baseline is a caveat.
    let c = compare(&rising, &pts(&[12.0, 12.1]), Better::Higher, None, None);
    assert!(
        c.caveats
            .iter()
            .any(|c| matches!(c, Caveat::BaselineTrend { .. }))
    );
}

/// Lag-1 autocorrelation of 1..10 around its mean, by hand in NumPy: 0.7. Within the phases,
/// pooled and bias-corrected, a steady climb is as correlated as the rule allows for (0.9), and
/// the verdict's interval is widened for it; alternating values are not.
#[test]
fn weeks_that_move_together_widen_the_interval_and_say_so() {
    let xs: Vec<f64> = (1..=10).map(f64::from).collect();
    close(lag1(&xs).unwrap(), 0.7, 1e-12);
    let c = compare(&pts(&[5.0, 6.0]), &pts(&xs), Better::Higher, None, None);
    let widened = c.caveats.iter().find_map(|c| match c {
        Caveat::Autocorrelated { lag1, widened } => Some((*lag1, *widened)),
        _ => None,
    });
    let (phi, w) = widened.unwrap();
    close(phi, SERIAL_CAP, 1e-12);
    assert!(w > 2.0, "{w}");
    let alt: Vec<f64> = (0..10)
        .map(|i| if i % 2 == 0 { 5.0 } else { 6.0 })
        .collect();
    let c = compare(&pts(&alt), &pts(&alt), Better::Higher, None, None);
    assert!(
        !c.caveats
            .iter()
            .any(|c| matches!(c, Caveat::Autocorrelated { .. }))
    );
    // Three values a side cannot exclude a lag-1 correlation of 0.5: the words say so.
    let c = cmp(&[10.0, 12.0, 11.0], &[9.0, 8.0, 9.5], Better::Lower);
    assert!(
        c.caveats.iter().any(|c| matches!(
            c,
            Caveat::IndependenceUntested | Caveat::Autocorrelated { .. }
        )),
        "{:?}",
        c.caveats
    );
}

#[test]
fn the_interval_alone_is_a_caveat_not_a_verdict() {
    // 3 against 4 with a wide-ish gap: Welch excludes 0, but 1 in 35 is needed and ties push the
    // exact p above 5%.
    let c = cmp(
        &[10.0, 10.0, 11.0],
        &[12.0, 12.0, 13.0, 11.0],
        Better::Higher,
    );
    assert!(c.exact_p.unwrap() > ALPHA && c.ci_low.unwrap() > 0.0);
    assert_ne!(c.verdict, Verdict::Improved);
    assert!(c.caveats.contains(&Caveat::NormalModel));
}

#[test]
fn huge_and_tiny_magnitudes_stay_finite() {
    // Scaled, 10 15 20 against 50 60 70 90: only the observed split is as extreme (1/35).
    let c = cmp(
        &[1e300, 1.5e300, 2e300],
        &[5e300, 6e300, 7e300, 9e300],
        Better::Higher,
    );
    close(c.exact_p.unwrap(), 1.0 / 35.0, 1e-15);
    assert!(c.ci_low.unwrap().is_finite() && c.ci_high.unwrap().is_finite());
    // Nine live values: the first look that can reach its share with 3 baseline values.
    let c = cmp(
        &[1e300, 1.5e300, 2e300],
        &[
            5e300, 6e300, 7e300, 9e300, 5.5e300, 6.5e300, 8e300, 7.5e300, 6e300,
        ],
        Better::Higher,
    );
    close(c.exact_p.unwrap(), 1.0 / 220.0, 1e-15);
    assert_eq!(c.verdict, Verdict::Improved);
    let c = cmp(
        &[5e-324, 1.5e-323, 2e-323],
        &[5e-323, 6e-323, 7e-323, 9e-323],
        Better::Higher,
    );
    close(c.exact_p.unwrap(), 1.0 / 35.0, 1e-15);
    assert!(c.ci_low.unwrap().is_finite());
    // Mixed magnitudes go through big-integer arithmetic.
    let c = cmp(
        &[1e300, 1e-300, 5.0],
        &[1e300, 2e300, 3e300, 4e300],
        Better::Higher,
    );
    assert!(c.exact_p.unwrap() > 0.0);
}

#[test]
fn the_verdict_says_whether_the_target_was_reached() {
    let base = pts(&[9.5, 10.5, 10.0, 11.0]);
    let live = pts(&[7.0, 6.5, 8.0, 7.5, 7.0, 6.0, 7.2]); // −3.221 from 10.25
    let with = |change: f64, percent: bool| {
        compare(
            &base,
            &live,
            Better::Lower,
            Some(Target { change, percent }),
            Some((12, HorizonFrom::Typed)),
        )
    };
    let c = with(-3.0, false);
    assert_eq!(c.verdict, Verdict::Improved);
    assert_eq!(c.target_met, Some(true));
    assert_eq!(with(-4.0, false).target_met, Some(false));
    // −25% of 10.25 is −2.5625: reached; −35% (−3.5875) is not.
    assert_eq!(with(-25.0, true).target_met, Some(true));
    assert_eq!(with(-35.0, true).target_met, Some(false));
    // Without a target there is nothing to reach; without a verdict it was not reached.
    assert_eq!(
        cmp(
            &[9.5, 10.5, 10.0, 11.0],
            &[7.0, 6.5, 8.0, 7.5, 7.0, 6.0, 7.2],
            Better::Lower
        )
        .target_met,
        None
    );
    let early = compare(
        &base,
        &live[..3],
        Better::Lower,
        Some(Target {
            change: -1.0,
            percent: false,
        }),
        Some((12, HorizonFrom::Typed)),
    );
    assert_eq!(early.verdict, Verdict::NotEnoughData);
    assert_eq!(early.target_met, Some(false));
}

/// Above 1,000 degrees of freedom the t quantile comes from the Cornish–Fisher expansion around
/// the normal quantile (statrs' inverse loses precision from ~50,000 and returned 0.097 at
/// 109,810): the two agree to 1e-9 where both hold, and the quantile falls steadily to z.
#[test]
fn the_t_quantile_holds_at_any_degrees_of_freedom() {
    let z = z_quantile(0.975);
    let statrs_at = |df: f64| {
        statrs::distribution::StudentsT::new(0.0, 1.0, df)
            .unwrap()
            .inverse_cdf(0.975)
    };
    for df in [1000.0, 2000.0, 5000.0] {
        assert!((t_quantile(0.975, df) - statrs_at(df)).abs() < 1e-9, "{df}");
    }
    assert!((t_quantile(0.975, 109_810.0) - 1.959_985_588).abs() < 1e-8);
    let mut last = f64::INFINITY;
    for df in [
        30.0, 999.0, 1000.0, 1e4, 5e4, 1e5, 109_810.0, 1e6, 1e9, 1e15,
    ] {
        let t = t_quantile(0.975, df);
        assert!(t < last && t > z, "{df}: {t}");
        last = t;
    }
    // Any level, not only 0.975: symmetric around 0.
    assert!((t_quantile(0.1, 2e5) + t_quantile(0.9, 2e5)).abs() < 1e-12);
}
