//! Reference numbers come from SciPy 1.17.1 and from exact enumeration in Python with
//! `fractions.Fraction` (every arrangement of the values; |difference of means| ≥ observed), run
//! on 2026-11-29. The script is quoted beside each case.

use super::*;

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b}");
}

fn pts(vs: &[f64]) -> Vec<Point> {
    vs.iter()
        .enumerate()
        .map(|(i, v)| (7.0 * i as f64, *v))
        .collect()
}

fn cmp(b: &[f64], l: &[f64], better: Better) -> Comparison {
    compare(&pts(b), &pts(l), better, None, None)
}

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
    // Percent change, and the same Welch interval in percent of the baseline mean 10.25
    // (Python: −4.606699062719555 / 10.25 × 100, −1.5599676039471118 / 10.25 × 100):
    // −30.081300813008127 (−44.943405489946876 to −15.219196136069382).
    close(c.pct_change.unwrap(), -30.081300813008127, 1e-9);
    close(c.pct_ci_low.unwrap(), -44.943405489946876, 1e-9);
    close(c.pct_ci_high.unwrap(), -15.219196136069382, 1e-9);
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

/// Under the rule that survives weekly looks (`/work/notes/seq_ref.py` in SciPy 1.17.1, extended
/// for issue 19: look k of h spends 0.05·((k/h)³ − ((k−1)/h)³); mde = (t₁₋ₐ/₂,ν + t₀.₈₀,ν)·s⁺·
/// √(1/n_b + 1/n_l)·κ with Welch's ν for equal spreads, a the largest multiple of min_p at or
/// below the look's share, κ the serial allowance (the widening at φ = min(0.9,
/// 0.3/(√pairs·(1 − 3c)))) and s⁺ = s·√((n_b − 1)/χ²₀.₁₅,ₙ_b₋₁) = 1.2517447051931831, the 85%
/// upper bound of the spread from s = 0.6454972243679028): a change of 5 is promised at 5 live
/// values (the horizon derived from it), mde there 4.638642220697711; 3, 1, 1.5 and 0.8 cannot
/// be seen with 4 baseline values at any horizon up to 520 — 4, 15, 9 and 22 more baseline
/// values would; under a fixed horizon of 12, 5 is promised at 8.
#[test]
fn detectable_change_and_how_many_live_values_a_target_needs() {
    let base = pts(&[9.5, 10.5, 10.0, 11.0]);
    let live = pts(&[7.0, 6.5, 8.0]);
    let with_horizon = |change: f64, h: Option<usize>| {
        compare(
            &base,
            &live,
            Better::Lower,
            Some(Target {
                change,
                percent: false,
            }),
            h.map(|h| (h, HorizonFrom::Typed)),
        )
    };
    let with = |change: f64| with_horizon(change, None);
    let c = with(-5.0);
    assert_eq!(c.live_needed, Some(5));
    let seq = c.sequential.clone().unwrap();
    assert_eq!((seq.horizon, seq.horizon_from), (5, HorizonFrom::Target));
    // The look is the 3rd of 5, which cannot reach its share: no mde at this look.
    assert_eq!(c.mde, None);
    let at_five = compare(
        &base,
        &pts(&[7.0, 6.5, 8.0, 7.5, 7.0]),
        Better::Lower,
        Some(Target {
            change: -5.0,
            percent: false,
        }),
        None,
    );
    close(at_five.mde.unwrap(), 4.638642220697711, 1e-8);
    for (change, more) in [(-3.0, 4), (-1.0, 15), (-1.5, 9), (-0.8, 22)] {
        let c = with(change);
        assert_eq!(c.live_needed, None, "{change}");
        assert_eq!(c.baseline_needed, Some(more), "{change}");
        assert!(
            c.live_needed_note
                .unwrap()
                .contains(&format!("{more} more baseline values"))
        );
        assert_eq!(c.sequential.unwrap().horizon_from, HorizonFrom::Default);
    }
    let c = with_horizon(-5.0, Some(12));
    assert_eq!(c.live_needed, Some(8));
    let seq = c.sequential.unwrap();
    assert_eq!((seq.horizon, seq.horizon_from), (12, HorizonFrom::Typed));
    // A typed horizon too short for the target says which would do.
    let c = with_horizon(-5.0, Some(2));
    assert_eq!(c.live_needed, None);
    assert!(c.live_needed_note.unwrap().contains("horizon of 5 would"));
    // A percentage target is a share of the baseline mean (10.25): −10% is −1.025.
    let c = compare(
        &base,
        &live,
        Better::Lower,
        Some(Target {
            change: -10.0,
            percent: true,
        }),
        None,
    );
    close(c.target.unwrap(), -1.025, 1e-12);
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

/// By hand: baseline 10, 12, 11, 13 → centre 11.5, moving ranges 2, 1, 2 → mean 5/3,
/// limits 11.5 ± 2.66 × 5/3 = 7.0667 … 15.9333. Four values are a first guess: no signal.
#[test]
fn process_limits_and_a_point_outside() {
    let base = pts(&[10.0, 12.0, 11.0, 13.0]);
    let live = vec![(50.0, 12.0), (51.0, 17.0), (52.0, 6.0)];
    let p = process(&base, &live).unwrap();
    close(p.center, 11.5, 1e-12);
    close(p.lower_limit, 11.5 - 2.66 * 5.0 / 3.0, 1e-12);
    close(p.upper_limit, 11.5 + 2.66 * 5.0 / 3.0, 1e-12);
    assert!(p.provisional);
    assert_eq!(p.baseline_n, 4);
    assert!(p.signals.is_empty(), "{:?}", p.signals);
    assert!(process(&base[..1], &live).is_none());
    // The same pattern over `SIGNALS_FROM` values (10, 12, 11, 13, 10, 12, …): centre 11.5,
    // moving ranges 2, 1, 2, 3, 2, 1, 2, 3, … The points beyond the limits are signals.
    let cycle = [10.0, 12.0, 11.0, 13.0];
    let long: Vec<f64> = (0..SIGNALS_FROM).map(|i| cycle[i % 4]).collect();
    let p = process(&pts(&long), &live).unwrap();
    assert!(!p.provisional);
    assert_eq!(p.signals.len(), 2, "{:?}", p.signals);
    // A value exactly on a limit is inside: alternating 10 and 12 give limits 11 ± 5.32.
    let flip: Vec<f64> = (0..SIGNALS_FROM).map(|i| [10.0, 12.0][i % 2]).collect();
    let p = process(&pts(&flip), &[(900.0, 16.32), (901.0, 5.68)]).unwrap();
    close(p.upper_limit, 16.32, 1e-12);
    assert!(p.signals.is_empty(), "{:?}", p.signals);
    let p = process(&pts(&flip), &[(900.0, 16.33), (901.0, 5.67)]).unwrap();
    assert_eq!(p.signals.len(), 2, "{:?}", p.signals);
}

/// Runs are judged from `RUNS_FROM` baseline values: the centre of fewer is too far off.
#[test]
fn eight_in_a_row_on_one_side_is_a_signal_and_seven_is_not() {
    let cycle = [10.0, 12.0, 11.0];
    let base = |n: usize| pts(&(0..n).map(|i| cycle[i % 3]).collect::<Vec<_>>());
    let live: Vec<Point> = (0..8).map(|i| (5000.0 + i as f64, 11.5)).collect();
    let p = process(&base(RUNS_FROM), &live).unwrap();
    assert_eq!(p.signals.len(), 1);
    assert!(matches!(
        p.signals[0],
        ProcessSignal::RunOfEight {
            side: Side::Above,
            ..
        }
    ));
    assert!(
        process(&base(RUNS_FROM), &live[..7])
            .unwrap()
            .signals
            .is_empty()
    );
    let mut broken = live.clone();
    broken[4].1 = 11.0;
    assert!(
        process(&base(RUNS_FROM), &broken)
            .unwrap()
            .signals
            .is_empty()
    );
    // Below it, points outside are judged and runs are not.
    assert!(
        process(&base(RUNS_FROM - 1), &live)
            .unwrap()
            .signals
            .is_empty()
    );
}

/// Limits are computed from the decimals as typed and shown as the nearest number of the exact
/// result: no float noise (0.1 and 0.2 → centre 0.15, limits 0.15 ± 0.266).
#[test]
fn process_limits_read_the_decimals_as_typed() {
    let p = process_typed(&[(0, 0.1, Some("0.10")), (1, 0.2, Some("0.2"))], &[]).unwrap();
    assert_eq!(p.center, 0.15);
    assert_eq!(p.lower_limit, -0.116);
    assert_eq!(p.upper_limit, 0.416);
    let json = serde_json::to_string(&p).unwrap();
    assert!(
        json.contains("\"lower_limit\":-0.116,\"upper_limit\":0.416"),
        "{json}"
    );
    // A 17-significant-digit value is the decimal typed, not the other one of the same length
    // that reads back as the same number: 0.10000000000000001 typed is 0.1 kept.
    let typed = "0.10000000000000001";
    assert_eq!(typed.parse::<f64>().unwrap(), 0.1);
    let base = [(0, 0.1, Some(typed)), (1, 0.1, None)];
    let p = process_typed(&base, &[]).unwrap();
    assert!(p.lower_limit < 0.1 && p.upper_limit > 0.1, "{p:?}");
}

/// The phases of a chart: the baseline phase's limits are the chart's; a phase of fewer than two
/// values, or of values that do not vary, has none (`null`, its key kept).
#[test]
fn each_phase_has_its_own_limits() {
    let p = phase(
        Some(7),
        &[(10.0, None), (12.0, None), (11.0, None), (13.0, None)],
    );
    assert_eq!((p.from, p.n, p.provisional), (Some(7), 4, true));
    close(p.center.unwrap(), 11.5, 1e-12);
    close(p.upper_limit.unwrap(), 11.5 + 2.66 * 5.0 / 3.0, 1e-12);
    let one = phase(Some(8), &[(10.0, None)]);
    assert_eq!(
        (one.center, one.lower_limit, one.upper_limit),
        (None, None, None)
    );
    let json = serde_json::to_value(&one).unwrap();
    assert!(json["lower_limit"].is_null() && json.get("lower_limit").is_some());
    assert!(
        phase::<u8>(None, &[(3.0, None), (3.0, Some("3.00"))])
            .center
            .is_none()
    );
    let chart = process(&pts(&[10.0, 12.0]), &[]).unwrap();
    assert_eq!(chart.phases.len(), 1);
    assert_eq!(chart.phases[0].from, None::<f64>);
    assert_eq!(chart.phases[0].center, Some(chart.center));
}

#[test]
fn sparklines_scale_between_min_and_max() {
    assert_eq!(sparkline(&[1.0, 2.0, 3.0, 8.0]), "▁▂▃█");
    assert_eq!(sparkline(&[5.0, 5.0]), "▄▄");
    assert_eq!(sparkline(&[]), "");
    assert_eq!(sparkline(&[-1e308, 1e308]), "▄▄");
}

mod identical {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    /// A decimal as a lead types it: up to 9 significant digits, a power of ten from −12 to 12.
    fn typed() -> impl Strategy<Value = f64> {
        (-999_999_999i64..=999_999_999, -12i32..=12).prop_map(|(m, e)| {
            crate::domain::num::parse(&format!("{m}e{e}")).expect("a typed decimal parses")
        })
    }

    /// Identical typed values — one value everywhere, or the live side a reordering of the
    /// baseline — never get a verdict, a nonzero difference or a process signal, for any counts.
    #[test]
    fn identical_typed_values_never_get_a_verdict_or_a_signal() {
        let mut runner = TestRunner::new_with_rng(
            Config {
                cases: 300,
                failure_persistence: None,
                ..Config::default()
            },
            TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
        );
        let case = (
            typed(),
            proptest::collection::vec(typed(), 1..12),
            1usize..30,
            1usize..30,
            any::<bool>(),
        );
        runner
            .run(&case, |(v, mix, nb, nl, higher)| {
                let better = if higher {
                    Better::Higher
                } else {
                    Better::Lower
                };
                let c = cmp(&vec![v; nb], &vec![v; nl], better);
                prop_assert_eq!(c.delta, Some(0.0));
                prop_assert!(
                    !matches!(c.verdict, Verdict::Improved | Verdict::Worse),
                    "{v} ×{nb} vs ×{nl}: {:?}",
                    c.verdict
                );
                prop_assert!(process(&pts(&vec![v; nb]), &pts(&vec![v; nl])).is_none());
                let mut reordered = mix.clone();
                reordered.reverse();
                let c = cmp(&mix, &reordered, better);
                prop_assert_eq!(c.delta, Some(0.0), "{:?}", mix);
                prop_assert!(!matches!(c.verdict, Verdict::Improved | Verdict::Worse));
                Ok(())
            })
            .unwrap();
    }
}

mod exact_count {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    /// The permutation test's p-value by brute force: every split of the values into groups of
    /// the two sizes, counted with integers (the values are integers here, ties included).
    fn brute_force(baseline: &[i64], live: &[i64]) -> f64 {
        let all: Vec<i128> = baseline.iter().chain(live).map(|v| *v as i128).collect();
        let n = all.len();
        let k = baseline.len();
        let total: i128 = all.iter().sum();
        let stat = |s: i128| (s * n as i128 - total * k as i128).abs();
        let observed = stat(baseline.iter().map(|v| *v as i128).sum());
        let (mut hits, mut splits) = (0u64, 0u64);
        for mask in 0u32..(1 << n) {
            if mask.count_ones() as usize != k {
                continue;
            }
            splits += 1;
            let s: i128 = (0..n)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| all[i])
                .sum();
            hits += u64::from(stat(s) >= observed);
        }
        hits as f64 / splits as f64
    }

    /// Counting the last member of each subset by binary search gives exactly the brute-force
    /// count, for either group being the smaller, ties, negatives and identical values.
    #[test]
    fn the_exact_test_counts_what_brute_force_counts() {
        let mut runner = TestRunner::new_with_rng(
            Config {
                cases: 400,
                failure_persistence: None,
                ..Config::default()
            },
            TestRng::from_seed(RngAlgorithm::ChaCha, &[11; 32]),
        );
        let side = || proptest::collection::vec(-6i64..6, 1..9);
        runner
            .run(&(side(), side()), |(b, l)| {
                let fb: Vec<f64> = b.iter().map(|v| *v as f64).collect();
                let fl: Vec<f64> = l.iter().map(|v| *v as f64).collect();
                let (p, method) = permutation_p(&fb, &fl);
                prop_assert_eq!(method, PMethod::Exact);
                prop_assert_eq!(p, brute_force(&b, &l), "{:?} vs {:?}", b, l);
                Ok(())
            })
            .unwrap();
    }
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

/// Issue 19's repro: an error rate falling from 5% to 1%, typed as fractions; one live week
/// typed `0` must not floor the spread at the resolution of a whole number. All six live values
/// lie below all five baseline values: p = 1/462 ≈ 0.0022, and the 6th look of 12 may spend
/// 0.00263.
#[test]
fn one_round_zero_changes_no_verdict() {
    let base = [0.052, 0.048, 0.051, 0.049, 0.053];
    let live = [0.011, 0.009, 0.012, 0.0, 0.010, 0.008];
    let c = cmp(&base, &live, Better::Lower);
    close(c.exact_p.unwrap(), 1.0 / 462.0, 1e-15);
    assert_eq!(c.verdict, Verdict::Improved, "{c:?}");
    assert!(c.pct_ci_low.unwrap() > -100.0 && c.pct_ci_high.unwrap() < 0.0);
    // The same weeks with the zero typed as 0.000: the same verdict and interval.
    let typed = |vs: &[f64], zero: &'static str| -> Vec<TypedPoint<'static>> {
        vs.iter()
            .enumerate()
            .map(|(i, v)| (7.0 * i as f64, *v, (*v == 0.0).then_some(zero)))
            .collect()
    };
    let t = compare_typed(
        &typed(&base, "0"),
        &typed(&live, "0.000"),
        Better::Lower,
        None,
        None,
    );
    assert_eq!(
        (t.verdict, t.ci_low, t.ci_high),
        (c.verdict, c.ci_low, c.ci_high)
    );
}

/// Issue 19's repro: one baseline value typed `10.00` (kept as 10) among values typed to two
/// decimals changes neither the verdict nor the smallest detectable change.
#[test]
fn one_round_baseline_value_changes_no_verdict_or_mde() {
    let live = [9.41, 9.52, 9.38, 9.47, 9.55, 9.44];
    let fine = [10.25, 10.31, 10.04, 10.18, 10.27];
    let round = [10.25, 10.31, 10.0, 10.18, 10.27];
    let (a, b) = (
        cmp(&fine, &live, Better::Lower),
        cmp(&round, &live, Better::Lower),
    );
    assert_eq!(a.verdict, Verdict::Improved);
    assert_eq!(b.verdict, Verdict::Improved);
    let target = Some(Target::parse("-0.5").unwrap());
    let mde = |base: &[f64]| {
        compare(&pts(base), &pts(&live), Better::Lower, target, None)
            .mde
            .unwrap()
    };
    assert!(
        mde(&round) < 1.5 * mde(&fine),
        "{} {}",
        mde(&round),
        mde(&fine)
    );
    // Typed as 10.00, the text says its resolution too.
    let typed: Vec<TypedPoint> = round
        .iter()
        .enumerate()
        .map(|(i, v)| (7.0 * i as f64, *v, (*v == 10.0).then_some("10.00")))
        .collect();
    let c = compare_typed(&typed, &typed_pts(&live), Better::Lower, None, None);
    assert_eq!((c.verdict, c.ci_low), (b.verdict, b.ci_low));
}

fn typed_pts(vs: &[f64]) -> Vec<TypedPoint<'static>> {
    vs.iter()
        .enumerate()
        .map(|(i, v)| (7.0 * i as f64, *v, None))
        .collect()
}

/// A 17-significant-digit value is computed as the decimal typed, not as the other decimal of
/// the same length that reads back as the same f64: 0.30000000000000003 and
/// 0.30000000000000004 are one f64, and their difference is exactly 1e-17.
#[test]
fn a_value_is_computed_as_the_decimal_typed_however_many_digits() {
    let (a, b) = ("0.30000000000000004", "0.30000000000000003");
    let v = crate::domain::num::parse(a).unwrap();
    let base: Vec<TypedPoint> = vec![(0.0, v, Some(a)), (7.0, v, Some(a))];
    let live: Vec<TypedPoint> = vec![(14.0, v, Some(b)), (21.0, v, Some(b))];
    let c = compare_typed(&base, &live, Better::Higher, None, None);
    close(c.delta.unwrap(), -1e-17, 1e-30);
    // Read as the f64 alone, the two are one value and differ by exactly 0.
    let plain = cmp(&[v, v], &[v, v], Better::Higher);
    assert_eq!(plain.delta, Some(0.0));
}

/// Issue 19, point 6: live values near the top of the range against a baseline near the bottom
/// differ by more than a number holds. The comparison says it cannot compute the difference
/// and shows nothing it did not compute: no difference, interval, test, verdict or widening,
/// and never "no live values to compare yet"; JSON keeps the keys, null.
#[test]
fn a_difference_that_overflows_says_so_and_shows_nothing_it_did_not_compute() {
    let c = cmp(
        &[-1.5e308, -1.6e308, -1.4e308, -1.55e308],
        &[1.5e308, 1.6e308, 1.4e308, 1.45e308, 1.55e308],
        Better::Higher,
    );
    close(c.baseline_mean.unwrap(), -1.5125e308, 1e293);
    close(c.live_mean.unwrap(), 1.5e308, 1e293);
    assert_eq!(c.delta, None);
    assert_eq!(
        (c.ci_low, c.ci_high, c.exact_p, c.mde),
        (None, None, None, None)
    );
    assert_eq!(c.pct_change, None);
    assert_eq!(c.verdict, Verdict::Inconclusive);
    assert_eq!(c.target_met, None);
    assert_eq!(c.caveats, vec![Caveat::OutOfRange]);
    let json = serde_json::to_value(&c).unwrap();
    for key in [
        "delta",
        "ci_low",
        "ci_high",
        "exact_p",
        "mde",
        "live_needed",
    ] {
        assert!(json[key].is_null(), "{key}: {}", json[key]);
        assert!(json.as_object().unwrap().contains_key(key), "{key}");
    }
    let words = crate::display::comparison_lines(&c, "h", Better::Higher).join("\n");
    assert!(
        words.contains("the difference cannot be computed"),
        "{words}"
    );
    assert!(!words.contains("no live values"), "{words}");
    assert!(
        !words.contains("interval -") && !words.contains("inf"),
        "{words}"
    );
    assert_eq!(crate::display::verdict_label(&c), "cannot compute");
    // The same values a side apart are compared as usual.
    let near = cmp(
        &[1.5e308, 1.6e308, 1.4e308, 1.55e308],
        &[1.5e308, 1.6e308],
        Better::Higher,
    );
    assert!(near.delta.is_some() && near.caveats.iter().all(|c| *c != Caveat::OutOfRange));
    // Limits beyond the range are not drawn at its edge: there are none.
    assert!(process(&pts(&[-1.7e308, 1.7e308]), &pts(&[0.0])).is_none());
}

/// Issue 19, point 3: at 3 against 3 no look can reach its share of 5% (the best p is 0.1), so
/// no change is "detectable with 80% power": `mde` is null (its key kept) and the words say why
/// rather than promise. A target no count of live values can deliver from 3 baseline values is
/// null with the reason and what would help.
#[test]
fn no_power_is_promised_where_no_count_can_deliver_it() {
    let target = Some(Target::parse("-20%").unwrap());
    let c = compare(
        &pts(&[9.0, 10.0, 11.0]),
        &pts(&[6.0, 7.0, 8.0]),
        Better::Lower,
        target,
        None,
    );
    assert_eq!(c.verdict, Verdict::NotEnoughData);
    assert_eq!((c.mde, c.live_needed), (None, None));
    assert_eq!(c.baseline_needed, Some(12));
    let json = serde_json::to_value(&c).unwrap();
    assert!(json["mde"].is_null() && json["live_needed"].is_null());
    let words = crate::display::comparison_lines(&c, "h", Better::Lower).join("\n");
    assert!(!words.contains("80% power"), "{words}");
    assert!(
        words.contains("no look so far can reach its share"),
        "{words}"
    );
    assert!(words.contains("about 12 more baseline values"), "{words}");
    // A look that can reach its share but whose exact test could only reach a smaller p than
    // the share is computed at that smaller p: 3 against 4 under a horizon of 4 spends
    // 0.0289 at the 4th look, and the best p there is 1/35 = 0.0286.
    close(
        reachable_level(3, 4, level_of(4, 4)).unwrap(),
        1.0 / 35.0,
        1e-15,
    );
    assert_eq!(reachable_level(3, 3, 0.05), None);
    // 5 values with s = 1: the 85% upper bound √(4/χ²₀.₁₅,₄) = 1.7109… (SciPy: chi2.ppf(0.15, 4)
    // = 1.366477226141881).
    close(
        planning_sd(1.0, 5).unwrap(),
        (4.0f64 / 1.366477226141881).sqrt(),
        1e-9,
    );
}

fn level_of(k: usize, h: usize) -> f64 {
    sequential::level(k, h)
}
