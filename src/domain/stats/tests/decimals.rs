//! Values computed as the decimals typed: identical values and exact counts hold for any typed
//! form (property tests), a rounded zero or baseline value changes no verdict, and an overflow
//! says so and shows nothing it did not compute.

use super::*;

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
