//! A comparison with the baseline, its caveats and the process chart, in words that never claim
//! more than the data shows.

use super::*;
use crate::domain::model::Better;
use crate::domain::num::estimate;
use crate::domain::stats::{
    Caveat, Comparison, PMethod, Process, ProcessSignal, RUNS_FROM, SERIAL_CAP, SIGNALS_FROM,
    Verdict,
};

/// The verdict in a word or three, naming a target reached or missed: for a table cell or a
/// status line.
pub fn verdict_label(c: &Comparison) -> String {
    verdict_label_naming(c, &|name| clean(name).into_owned())
}

/// The verdict label with each name in it (a guardrail's) written by `name`: the terminal's
/// sanitiser, or a Markdown escape where the label lands in a table cell.
pub fn verdict_label_naming(c: &Comparison, name: &dyn Fn(&str) -> String) -> String {
    let improved = |words: &str| match improved_but(c, name) {
        Some(why) => format!("{words} ({why})"),
        None => words.to_string(),
    };
    match (c.verdict, c.target_met) {
        (Verdict::Improved, Some(true)) => improved("improved, target reached"),
        (Verdict::Improved, Some(false)) => improved("improved, short of target"),
        _ if c.caveats.contains(&Caveat::OutOfRange) => "cannot compute".into(),
        _ if let Some(v) = voided_plan_verdict(c) => format!("{} (its plan voided)", v.as_str()),
        (Verdict::Improved, _) => improved("improved"),
        _ if c.caveats.contains(&Caveat::NoPlan) => "no plan, no verdict".into(),
        (v, _) => v.as_str().into(),
    }
}

/// What an "improved" must carry into a table cell so that it never reads cleaner than the
/// loop's story: an earlier change shown worse or breaching a guardrail, a baseline typed after
/// seeing results, a guardrail this plan never measured.
fn improved_but(c: &Comparison, name: &dyn Fn(&str) -> String) -> Option<String> {
    // In order of weight: harm already shown first.
    let said = |k: &Caveat| match k {
        Caveat::EarlierPlanWorse { version } => Some((0, format!("plan {version} was worse"))),
        Caveat::EarlierPlanBreach { version, guardrail } => {
            Some((1, format!("plan {version} breached {}", clean(guardrail))))
        }
        Caveat::BaselineAfterLooks { .. } => Some((2, "baseline typed after earlier looks".into())),
        Caveat::GuardrailUnmeasured { guardrail } => {
            Some((3, format!("{} unmeasured", name(guardrail))))
        }
        _ => None,
    };
    c.caveats
        .iter()
        .filter_map(said)
        .min_by_key(|(weight, _)| *weight)
        .map(|(_, words)| words)
}

/// The verdict a voided plan had reached, when no plan is in force.
fn voided_plan_verdict(c: &Comparison) -> Option<Verdict> {
    c.caveats.iter().find_map(|k| match k {
        Caveat::VoidedPlanVerdict { verdict, .. } => Some(*verdict),
        _ => None,
    })
}

/// The comparison with the baseline in plain words, never claiming more than the data shows:
/// the headline first, then what would settle it, then the caveats.
pub fn comparison_lines(c: &Comparison, unit: &str, better: Better) -> Vec<String> {
    let (Some(b), Some(l), Some(d)) = (c.baseline_mean, c.live_mean, c.delta) else {
        return vec![one_side_words(c, unit)];
    };
    let mut lines = vec![format!(
        "{} — {}",
        headline(c, unit, (b, l, d)),
        verdict_words(c, unit, better, d)
    )];
    if let Some(power) = power_words(c, unit) {
        lines.push(power);
    }
    for caveat in &c.caveats {
        lines.push(caveat_words(caveat, unit));
    }
    lines
}

/// A value in the metric's unit.
fn in_unit(v: f64, unit: &str) -> String {
    with_unit(num(v), unit)
}

/// A change in the metric's unit of change (a change of a percentage is in percentage points).
fn change_in_unit(v: f64, unit: &str) -> String {
    with_unit(signed(v), change_unit(unit))
}

/// What there is when one side (or the difference) is missing: nothing to compare yet.
fn one_side_words(c: &Comparison, unit: &str) -> String {
    let u = |v: f64| in_unit(v, unit);
    match c.baseline_mean {
        Some(b) if c.caveats.contains(&Caveat::OutOfRange) => format!(
            "live {} (n={}) vs baseline {} (n={}): {OUT_OF_RANGE}",
            c.live_mean.map_or_else(|| "?".into(), u),
            c.live_n,
            u(b),
            c.baseline_n
        ),
        None if c.live_n == 0 => "no values yet: record a baseline before any intervention".into(),
        None => format!(
            "{} live value(s) but no baseline: nothing to compare against",
            c.live_n
        ),
        Some(b) => format!(
            "baseline {} (n={}); no live values to compare yet",
            u(b),
            c.baseline_n
        ),
    }
}

/// The means, their counts and the change: `live 9 (n=6) vs baseline 12 (n=8): -3 (-25%…)`.
fn headline(c: &Comparison, unit: &str, (b, l, d): (f64, f64, f64)) -> String {
    // A percentage's relative change says it is relative (its change is in points).
    let relative = if is_percent(unit) { "relative " } else { "" };
    let percent = match (c.pct_change, c.pct_ci_low, c.pct_ci_high) {
        (Some(p), Some(lo), Some(hi)) => {
            format!(
                " ({relative}{}, 95% interval {} to {})",
                pct(p),
                pct(lo),
                pct(hi)
            )
        }
        (Some(p), _, _) => format!(" ({relative}{})", pct(p)),
        _ => String::new(),
    };
    format!(
        "live {} (n={}) vs baseline {} (n={}): {}{percent}",
        in_unit(l, unit),
        c.live_n,
        in_unit(b, unit),
        c.baseline_n,
        change_in_unit(d, unit)
    )
}

/// The exact test's p value, and how it was computed.
fn test_words(c: &Comparison) -> String {
    match (c.exact_p, c.p_method) {
        (Some(p), Some(PMethod::MonteCarlo)) => format!(
            "exact test p {} (estimated from {} random arrangements)",
            p_value(p),
            crate::domain::stats::RESAMPLES
        ),
        (Some(p), _) => format!("exact test p {}", p_value(p)),
        _ => String::new(),
    }
}

/// The verdict and what it rests on: the look that decided it, or what would settle it.
fn verdict_words(c: &Comparison, unit: &str, better: Better, d: f64) -> String {
    let test = test_words(c);
    let interval = match (c.ci_low, c.ci_high) {
        (Some(lo), Some(hi)) => format!(
            "95% interval {} to {}",
            change_in_unit(lo, unit),
            change_in_unit(hi, unit)
        ),
        _ => String::new(),
    };
    let seq = c.sequential.as_ref();
    let horizon = seq.map_or(0, |s| s.horizon);
    if c.caveats.contains(&Caveat::NoPlan) {
        let figures: Vec<String> = [test, interval]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        return match figures.is_empty() {
            true => "no verdict without a plan".into(),
            false => format!("no verdict without a plan ({})", figures.join("; ")),
        };
    }
    match c.verdict {
        Verdict::Improved | Verdict::Worse => {
            let at = match seq.and_then(|s| s.decided_at.zip(s.decided_p)) {
                Some((k, p)) => format!(
                    "decided at live value {k} of the plan's {horizon} (p {} within that look's share of 5%)",
                    p_value(p)
                ),
                None => String::new(),
            };
            let met = match (c.verdict, c.target) {
                (Verdict::Improved, Some(t)) => match c.target_met {
                    Some(true) => format!(", the {} target reached", change_in_unit(t, unit)),
                    _ => format!(", short of the {} target", change_in_unit(t, unit)),
                },
                _ => String::new(),
            };
            format!(
                "{}{met} ({better} is better): {at}; now {test}, {interval}",
                c.verdict.as_str()
            )
        }
        Verdict::Inconclusive if d == 0.0 => {
            format!("no change: the means are exactly equal ({interval})")
        }
        Verdict::Inconclusive if seq.is_some_and(|s| s.past_horizon) => format!(
            "inconclusive, final: the plan's {horizon} live values passed without a verdict ({test}; the {interval} of the change)"
        ),
        Verdict::Inconclusive => format!(
            "inconclusive so far (live value {} of the plan's {horizon}): {test}; the {interval} of the change",
            c.live_n
        ),
        Verdict::NotEnoughData => not_enough_words(c, horizon, &interval),
    }
}

/// Why there is no verdict yet, and what would make one possible.
fn not_enough_words(c: &Comparison, horizon: usize, interval: &str) -> String {
    match (c.baseline_n, c.values_needed, c.min_p) {
        (0 | 1, _, _) => {
            "not enough data: the baseline needs at least 2 values (dated before the intervention)"
                .into()
        }
        (nb, k, p) => {
            let size = if interval.is_empty() {
                String::new()
            } else {
                format!("; the {interval} of the change is an estimate only")
            };
            let best = p
                .map(|p| format!(" (the best possible p now is {})", estimate(p, 2)))
                .unwrap_or_default();
            match k {
                Some(k) => format!(
                    "not enough data: a lead looks every week, so 5% is shared among the plan's {horizon} live values and no look so far can reach its share{best}; {k} more live value(s) would make a verdict possible{size}"
                ),
                None => format!(
                    "not enough data: with {nb} baseline values no look within the plan's {horizon} live values can reach its share of 5%: more baseline values (dated before the intervention) or a longer horizon would, in a next plan (this plan's baseline and horizon are locked){size}"
                ),
            }
        }
    }
}

/// The power line: the smallest change this look can detect, and what the target needs.
fn power_words(c: &Comparison, unit: &str) -> Option<String> {
    let mut power: Vec<String> = c
        .mde
        .map(|m| {
            format!(
                "smallest change this look can detect (80% power at its share of 5%): {}",
                with_unit(num(m), change_unit(unit))
            )
        })
        .into_iter()
        .collect();
    match (c.target, c.live_needed, &c.live_needed_note) {
        (Some(t), Some(n), _) => {
            let more = n.saturating_sub(c.live_n);
            power.push(format!(
                "the target {} needs {n} live values ({more} more)",
                change_in_unit(t, unit)
            ));
        }
        (_, None, Some(note)) => power.push(note.clone()),
        _ => {}
    }
    (!power.is_empty()).then(|| power.join("; "))
}

/// The comparison in one line (for a digest cell or a status line).
pub fn comparison_words(c: &Comparison, unit: &str, better: Better) -> String {
    comparison_lines(c, unit, better).join(" · ")
}

/// What a comparison whose difference overflows says in place of one.
const OUT_OF_RANGE: &str = "the difference cannot be computed: it lies beyond the largest number a value can hold (about 1.8e308), so there is no interval, test or verdict";

pub fn caveat_words(c: &Caveat, unit: &str) -> String {
    let u = |v: f64| with_unit(signed(v), unit);
    match c {
        Caveat::BaselineTrend {
            slope_per_week,
            low,
            high,
        } => format!(
            "caveat: the baseline drifts by {} per week (95% interval {} to {}): part of any change may be that drift",
            u(*slope_per_week),
            u(*low),
            u(*high)
        ),
        Caveat::BaselineConstant => {
            "caveat: every baseline value is the same: its spread is only the resolution the values were typed with".into()
        }
        // The cap is what too few values are given, not a measurement: say so.
        Caveat::Autocorrelated { lag1, widened } if *lag1 >= SERIAL_CAP => format!(
            "caveat: too few values to estimate how much consecutive weeks move together, so the verdict allows for the most it considers (a lag-1 correlation of {}), with an interval {}× as wide as the 95% interval shown, which assumes independent weeks",
            estimate(*lag1, 2),
            estimate(*widened, 2)
        ),
        Caveat::Autocorrelated { lag1, widened } => format!(
            "caveat: consecutive values move together (lag-1 autocorrelation about {} within each phase): the verdict allows for it, with an interval {}× as wide as the 95% interval shown, which assumes independent weeks",
            estimate(*lag1, 2),
            estimate(*widened, 2)
        ),
        Caveat::IndependenceUntested => {
            "caveat: too few values to rule out that consecutive weeks move together (a lag-1 correlation of 0.5 is not excluded): the verdict allows only for the correlation these values show, and would be too sure if weeks move together more".into()
        }
        Caveat::NormalModel => {
            "caveat: the interval alone would call this a change, but the exact test cannot confirm it: that reading rests on the values being normally distributed".into()
        }
        Caveat::OutOfRange => OUT_OF_RANGE.into(),
        Caveat::NoPlan => NO_PLAN.into(),
        Caveat::EarlierLooks { plans, looks } => format!(
            "caveat: {plans} earlier plan(s) already compared {looks} live value(s) with this baseline: each plan spends its own 5%, so across restarts a verdict under no change is more likely than 5%, the more so the more restarts"
        ),
        Caveat::EarlierPlanWorse { version } => format!(
            "caveat: plan {version}, an earlier change to this metric, was shown worse: this plan's verdict is about its own change only"
        ),
        Caveat::EarlierPlanBreach { version, guardrail } => format!(
            "caveat: under plan {version}, an earlier change, the guardrail `{}` got worse beyond its limit",
            clean(guardrail)
        ),
        Caveat::BaselineAfterLooks { n } => format!(
            "caveat: {n} baseline value(s) were recorded after live values of an earlier change on this loop had been seen: a baseline typed after seeing results can flatter the next change"
        ),
        Caveat::GuardrailUnmeasured { guardrail } => format!(
            "caveat: the guardrail `{}` has no live value under this plan: what the change costs there is unknown",
            clean(guardrail)
        ),
        Caveat::VoidedPlanVerdict { version, verdict } => format!(
            "caveat: plan {version} had reached the verdict {} before its intervention was voided: voiding the change takes back no verdict its looks reached",
            verdict.as_str()
        ),
        Caveat::CountsVoided { n } => format!(
            "caveat: the verdict still counts {n} live value(s) voided after the plan was locked: a look cannot be taken back (the result without them is the amended one)"
        ),
        Caveat::RecordedLate { n } => format!(
            "caveat: {n} live value(s) were recorded after values dated later: the locked plan's looks take values in the order they were recorded, so each was a later look, not a change to the looks already made"
        ),
        Caveat::BelowRounding => "caveat: the change is below a billionth of the values themselves — the last digits of a computed number (0.1 + 0.2 gives 0.30000000000000004), not a change anyone measured".into(),
        Caveat::SharedWeeks { n } => format!(
            "caveat: {n} live values share a week with another: the rule counts each value as one weekly look, and values of the same week are not independent weeks"
        ),
    }
}

/// Why live values with no intervention get no verdict.
const NO_PLAN: &str = "no verdict: no intervention is recorded, so no plan was locked before these live values came in (what counts as a change, and when to decide, must be fixed first); record the change as an intervention and the values after it are judged under its plan";

/// The process limits and what broke them, in one line. Beside a verdict (`comparison`), a
/// signal says which is the stronger evidence: the verdict, whose false verdicts are held to 5%
/// over all the live values, where a chart signal comes by chance in up to 10% of series of
/// symmetric values (more for a skewed metric, such as a time to answer).
pub fn process_words<T>(p: &Process<T>, total: usize, comparison: Option<&Comparison>) -> String {
    let mut s = format!(
        "process limits {} to {} around {}",
        num(p.lower_limit),
        num(p.upper_limit),
        num(p.center)
    );
    if p.provisional {
        s.push_str(&format!(
            " (provisional: {} baseline value(s); signals are judged from {SIGNALS_FROM}, as fewer give limits too narrow)",
            p.baseline_n
        ));
        return s;
    }
    if p.baseline_n < RUNS_FROM {
        s.push_str(&format!(
            " (runs of 8 are judged from {RUNS_FROM} baseline values)"
        ));
    }
    let outside = p
        .signals
        .iter()
        .filter(|s| matches!(s, ProcessSignal::OutsideLimits { .. }))
        .count();
    let runs = p.signals.len() - outside;
    if total > p.signals.len() {
        s.push_str(&format!(
            "; {total} signals, the latest {} kept",
            p.signals.len()
        ));
    } else {
        if outside > 0 {
            s.push_str(&format!("; {outside} live point(s) outside"));
        }
        if runs > 0 {
            s.push_str(&format!("; {runs} run(s) of 8 on one side"));
        }
    }
    if p.signals.is_empty() {
        s.push_str("; no signal");
    } else if let Some(c) = comparison {
        s.push_str(match c.verdict {
            Verdict::Improved | Verdict::Worse => {
                "; the verdict is the stronger evidence of a change: its false verdicts are held to 5% over all the live values, where a chart signal comes by chance in up to 10% of series of symmetric values (more for a skewed metric)"
            }
            Verdict::Inconclusive | Verdict::NotEnoughData => {
                "; weaker evidence than the verdict, which does not show a change: its false verdicts are held to 5% over all the live values, where a chart signal comes by chance in up to 10% of series of symmetric values (more for a skewed metric)"
            }
        });
    }
    s
}

/// The chart's limits phase by phase, when an intervention split it: each phase's own limits
/// (those of fewer than two values, or of values that do not vary, are not drawn yet).
pub fn phase_words(p: &Process<crate::domain::time::When>) -> Option<String> {
    if p.phases.len() < 2 {
        return None;
    }
    let parts: Vec<String> = p
        .phases
        .iter()
        .map(|f| {
            let name = match f.from {
                None => "baseline".to_string(),
                Some(at) => format!("from {at}"),
            };
            match (f.lower_limit, f.center, f.upper_limit) {
                (Some(lo), Some(c), Some(hi)) => format!(
                    "{name} {} to {} around {} ({} value(s){})",
                    num(lo),
                    num(hi),
                    num(c),
                    f.n,
                    if f.provisional { ", provisional" } else { "" }
                ),
                _ => format!("{name} none yet ({} value(s))", f.n),
            }
        })
        .collect();
    Some(format!("limits by phase: {}", parts.join("; ")))
}
