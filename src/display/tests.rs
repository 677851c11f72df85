use super::*;
use crate::domain::stats::Verdict;

/// A chart signal beside a verdict says which is the stronger evidence; limits from a
/// handful of values raise none (the issue's repro: "3 live point(s) outside" next to an
/// inconclusive verdict, from 3 baseline values).
#[test]
fn a_signal_beside_a_verdict_says_which_is_the_stronger_evidence() {
    use crate::domain::model::Better;
    use crate::domain::stats::{SIGNALS_FROM, compare, process};
    let at = |xs: &[f64], from: usize| -> Vec<(f64, f64)> {
        xs.iter()
            .enumerate()
            .map(|(i, x)| ((from + i) as f64 * 7.0, *x))
            .collect()
    };
    let words = |base: &[f64], live: &[f64]| {
        let (b, l) = (at(base, 0), at(live, base.len()));
        let p = process(&b, &l).unwrap();
        let c = compare(&b, &l, Better::Lower, None, None);
        (
            c.verdict,
            super::process_words(&p, p.signals.len(), Some(&c)),
        )
    };
    let (v, w) = words(&[10.0, 9.0, 11.0], &[7.0, 13.0, 6.0]);
    assert!(matches!(v, Verdict::NotEnoughData | Verdict::Inconclusive));
    assert!(
        w.contains("provisional: 3 baseline value(s); signals are judged from 30"),
        "{w}"
    );
    assert!(!w.contains("outside"), "{w}");
    // From 30 baseline values, one wild live week among ordinary ones: a signal, and the
    // verdict (no change shown) is named the stronger evidence.
    let base: Vec<f64> = (0..SIGNALS_FROM)
        .map(|i| [10.0, 9.0, 11.0][i % 3])
        .collect();
    let (v, w) = words(&base, &[10.0, 9.0, 30.0]);
    assert!(
        matches!(v, Verdict::NotEnoughData | Verdict::Inconclusive),
        "{v:?}"
    );
    assert!(w.contains("1 live point(s) outside"), "{w}");
    assert!(
        w.contains("weaker evidence than the verdict, which does not show a change"),
        "{w}"
    );
    // A clear fall: the verdict is the stronger evidence of it.
    let live: Vec<f64> = (0..12).map(|i| [4.0, 3.0, 5.0][i % 3]).collect();
    let (v, w) = words(&base, &live);
    assert_eq!(v, Verdict::Improved);
    assert!(w.contains("12 live point(s) outside"), "{w}");
    assert!(
        w.contains("the verdict is the stronger evidence of a change"),
        "{w}"
    );
    // Without a verdict beside it, a signal stands alone.
    let (b, l) = (at(&base, 0), at(&live, SIGNALS_FROM));
    let p = process(&b, &l).unwrap();
    assert!(!super::process_words(&p, 12, None).contains("evidence"));
}

#[test]
fn a_percentage_metric_changes_in_points_and_says_which_target_is_relative() {
    use crate::domain::stats::Target;
    assert_eq!(super::change_unit("%"), "pp");
    assert_eq!(super::change_unit(" Percent "), "pp");
    assert_eq!(super::change_unit("h"), "h");
    let points = Target::parse("+25").unwrap();
    let relative = Target::parse("-20%").unwrap();
    assert_eq!(super::target_words(points, "%"), "+25 pp");
    assert_eq!(super::target_words(relative, "%"), "-20% (relative)");
    assert_eq!(super::target_words(relative, "h"), "-20%");
    assert_eq!(super::target_words(points, "h"), "+25 h");
}

#[test]
fn escape_sequences_are_made_visible() {
    let osc52 = "title\u{1b}]52;c;ZXZpbA==\u{7}";
    let out = clean(osc52);
    assert!(!out.chars().any(|c| c.is_control()), "{out}");
    assert!(out.contains("\\u{1b}]52"));
    assert_eq!(clean("\u{9b}2J"), "\\u{9b}2J");
    assert_eq!(clean("a\u{7f}"), "a\\u{7f}");
}

#[test]
fn bidi_zero_width_and_separators_are_made_visible() {
    assert_eq!(clean("abc\u{202E}cba"), "abc\\u{202e}cba");
    assert_eq!(clean("x\u{2066}y\u{061C}"), "x\\u{2066}y\\u{61c}");
    assert_eq!(clean("pay\u{200B}pal"), "pay\\u{200b}pal");
    assert_eq!(clean("a\u{2028}b\u{2029}c"), "a\\u{2028}b\\u{2029}c");
    assert_eq!(clean("\u{FEFF}x"), "\\u{feff}x");
    assert_eq!(clean("a\u{2060}b"), "a\\u{2060}b");
}

#[test]
fn numbers_are_short_and_never_negative_zero() {
    assert_eq!(num(9.0), "9");
    assert_eq!(num(9.126), "9.126");
    assert_eq!(num(10.25), "10.25");
    assert_eq!(num(-0.0), "0");
    assert_eq!(num(1e308), "1e308");
    assert_eq!(show(0.004), "0.004");
    assert_eq!(p_value(0.0286), "= 0.029");
    assert_eq!(pct(-17.98), "-18.0%");
    assert_eq!(pct(-0.01), "+0.0%");
    assert_eq!(p_value(0.0001), "< 0.001");
}

#[test]
fn ordinary_text_is_untouched() {
    assert!(matches!(
        clean("Café — ✓ 日本"),
        std::borrow::Cow::Borrowed(_)
    ));
}

#[test]
fn multiline_keeps_newlines_only() {
    assert_eq!(clean_multiline("a\nb\tc\r"), "a\nb    c\\u{d}");
}

#[test]
fn the_verdict_names_the_target_reached_or_missed() {
    use crate::domain::model::Better;
    use crate::domain::stats::{HorizonFrom, Target, compare};
    let pts = |vs: &[f64]| -> Vec<(f64, f64)> {
        vs.iter()
            .enumerate()
            .map(|(i, v)| (7.0 * i as f64, *v))
            .collect()
    };
    let base = pts(&[9.5, 10.5, 10.0, 11.0]);
    let live = pts(&[7.0, 6.5, 8.0, 7.5, 7.0, 6.0, 7.2]);
    let words = |change: f64| {
        let t = Target {
            change,
            percent: false,
        };
        let c = compare(
            &base,
            &live,
            Better::Lower,
            Some(t),
            Some((12, HorizonFrom::Typed)),
        );
        comparison_lines(&c, "h", Better::Lower).join("\n")
    };
    let short = words(-4.0);
    assert!(short.contains("improved, short of the -4 h target (lower is better): decided at live value 7 of the plan's 12"), "{short}");
    let met = words(-3.0);
    assert!(met.contains("improved, the -3 h target reached"), "{met}");
}
