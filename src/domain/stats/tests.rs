//! Reference numbers come from SciPy 1.17.1 and from exact enumeration in Python with
//! `fractions.Fraction` (every arrangement of the values; |difference of means| ≥ observed), run
//! on 2026-11-29. The script is quoted beside each case.
//!
//! Split by what is promised: `compare`, `process`, `power`, `decimals`; the helpers below serve
//! them all. The tests of what the display says of a comparison stay in this file: the domain's
//! layering check lets a file named `tests.rs` use the display, and no other.

use super::*;

mod compare;
mod decimals;
mod power;
mod process;

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

fn typed_pts(vs: &[f64]) -> Vec<TypedPoint<'static>> {
    vs.iter()
        .enumerate()
        .map(|(i, v)| (7.0 * i as f64, *v, None))
        .collect()
}

fn level_of(k: usize, h: usize) -> f64 {
    sequential::level(k, h)
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

#[test]
fn a_change_below_a_billionth_of_the_values_says_it_is_rounding() {
    #[allow(clippy::excessive_precision)]
    let noisy = 0.30000000000000004;
    let c = cmp(&[0.3; 8], &[noisy; 6], Better::Higher);
    assert!(
        c.caveats.contains(&Caveat::BelowRounding),
        "{:?}",
        c.caveats
    );
    // A real change, however small in the unit, is not rounding.
    let c = cmp(&[0.3, 0.31, 0.29, 0.3], &[0.32, 0.33, 0.31], Better::Higher);
    assert!(
        !c.caveats.contains(&Caveat::BelowRounding),
        "{:?}",
        c.caveats
    );
}
