//! Words and symbols shared by every front end, and the one sanitiser for text shown on a
//! terminal. Stored text can come from anyone (an import, a paste); an escape sequence in a job
//! title must not clear the screen, write the clipboard (OSC 52), reverse the line (bidi
//! overrides) or hide characters (zero-width, line and paragraph separators). Such characters are
//! made visible as `\u{…}` instead of acted on. JSON output is not passed through here: it keeps
//! the text exactly, escaped by the JSON encoder.

use crate::domain::model::{Better, Status};
use crate::domain::num::estimate;
pub use crate::domain::num::show;
use crate::domain::plan::{DeviationView, GuardrailState, PlanState};
use crate::domain::review::{JobReview, LoopReview};
use crate::domain::stats::{
    Caveat, Comparison, HorizonFrom, PMethod, Process, ProcessSignal, RUNS_FROM, SIGNALS_FROM,
    Verdict,
};
use std::fmt::Write as _;

/// The symbol of a loop's status, the same in the CLI, the digest and the TUI.
pub fn status_symbol(s: Status) -> &'static str {
    match s {
        Status::NotStarted => "·",
        Status::Open => "●",
        Status::Closed => "✓",
        Status::Killed => "✗",
    }
}

/// A computed figure (a mean, an interval end): four significant digits.
pub fn num(v: f64) -> String {
    estimate(v, 4)
}

/// Whether a metric's unit is a percentage: its changes are then percentage points.
pub fn is_percent(unit: &str) -> bool {
    matches!(
        unit.trim().to_ascii_lowercase().as_str(),
        "%" | "percent" | "pct" | "per cent"
    )
}

/// The unit of a change of a metric in `unit`: percentage points for a percentage.
pub fn change_unit(unit: &str) -> &str {
    if is_percent(unit) { "pp" } else { unit }
}

/// A target as the lead reads it: on a percentage metric a bare number is percentage points
/// (`-8 pp`) and a percentage is relative (`-20% (relative)`).
pub fn target_words(t: crate::domain::stats::Target, unit: &str) -> String {
    if t.percent {
        if is_percent(unit) {
            format!("{} (relative)", t.to_text())
        } else {
            t.to_text()
        }
    } else {
        with_unit(t.to_text(), change_unit(unit))
    }
}

pub(crate) fn with_unit(v: String, unit: &str) -> String {
    if unit.is_empty() {
        v
    } else {
        format!("{v} {}", clean(unit))
    }
}

fn signed(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", num(v))
    } else {
        num(v)
    }
}

/// A percentage for people: one decimal, signed, never `-0.0%`.
pub fn pct(v: f64) -> String {
    // Beyond a million percent a fixed decimal would print hundreds of digits.
    if v.abs() >= 1e6 {
        let sign = if v > 0.0 { "+" } else { "" };
        return format!("{sign}{}%", estimate(v, 3));
    }
    let s = format!("{v:+.1}%");
    if s == "-0.0%" { "+0.0%".into() } else { s }
}

/// A p-value for people: two significant digits, and a floor below which it is just "< 0.001".
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("= {}", estimate(p, 2))
    }
}

/// The verdict in a word or three, naming a target reached or missed: for a table cell or a
/// status line.
pub fn verdict_label(c: &Comparison) -> String {
    match (c.verdict, c.target_met) {
        (Verdict::Improved, Some(true)) => "improved, target reached".into(),
        (Verdict::Improved, Some(false)) => "improved, short of target".into(),
        _ if c.caveats.contains(&Caveat::OutOfRange) => "cannot compute".into(),
        (v, _) => v.as_str().into(),
    }
}

/// The comparison with the baseline in plain words, never claiming more than the data shows:
/// the headline first, then what would settle it, then the caveats.
pub fn comparison_lines(c: &Comparison, unit: &str, better: Better) -> Vec<String> {
    let u = |v: f64| with_unit(num(v), unit);
    // A change of a percentage is in percentage points; its relative change says so.
    let su = |v: f64| with_unit(signed(v), change_unit(unit));
    let relative = if is_percent(unit) { "relative " } else { "" };
    let (Some(b), Some(l), Some(d)) = (c.baseline_mean, c.live_mean, c.delta) else {
        return vec![match c.baseline_mean {
            Some(b) if c.caveats.contains(&Caveat::OutOfRange) => format!(
                "live {} (n={}) vs baseline {} (n={}): {OUT_OF_RANGE}",
                c.live_mean.map_or_else(|| "?".into(), u),
                c.live_n,
                u(b),
                c.baseline_n
            ),
            None if c.live_n == 0 => {
                "no values yet: record a baseline before any intervention".into()
            }
            None => format!(
                "{} live value(s) but no baseline: nothing to compare against",
                c.live_n
            ),
            Some(b) => format!(
                "baseline {} (n={}); no live values to compare yet",
                u(b),
                c.baseline_n
            ),
        }];
    };
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
    let head = format!(
        "live {} (n={}) vs baseline {} (n={}): {}{percent}",
        u(l),
        c.live_n,
        u(b),
        c.baseline_n,
        su(d)
    );
    let test = match (c.exact_p, c.p_method) {
        (Some(p), Some(PMethod::MonteCarlo)) => format!(
            "exact test p {} (estimated from {} random arrangements)",
            p_value(p),
            crate::domain::stats::RESAMPLES
        ),
        (Some(p), _) => format!("exact test p {}", p_value(p)),
        _ => String::new(),
    };
    let interval = match (c.ci_low, c.ci_high) {
        (Some(lo), Some(hi)) => format!("95% interval {} to {}", su(lo), su(hi)),
        _ => String::new(),
    };
    let seq = c.sequential.as_ref();
    let horizon = seq.map_or(0, |s| s.horizon);
    let target = c.target.map(|t| match c.target_met {
        Some(true) => format!(", the {} target reached", su(t)),
        _ => format!(", short of the {} target", su(t)),
    });
    let verdict = match c.verdict {
        Verdict::Improved | Verdict::Worse => {
            let at = match seq.and_then(|s| s.decided_at.zip(s.decided_p)) {
                Some((k, p)) => format!(
                    "decided at live value {k} of the plan's {horizon} (p {} within that look's share of 5%)",
                    p_value(p)
                ),
                None => String::new(),
            };
            let met = if c.verdict == Verdict::Improved {
                target.unwrap_or_default()
            } else {
                String::new()
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
        Verdict::NotEnoughData => match (c.baseline_n, c.values_needed, c.min_p) {
            (0 | 1, _, _) => "not enough data: the baseline needs at least 2 values (dated before the intervention)".into(),
            (nb, k, p) => {
                let size = if interval.is_empty() {
                    String::new()
                } else {
                    format!("; the {interval} of the change is an estimate only")
                };
                let best = p.map(|p| format!(" (the best possible p now is {})", estimate(p, 2))).unwrap_or_default();
                match k {
                    Some(k) => format!(
                        "not enough data: a lead looks every week, so 5% is shared among the plan's {horizon} live values and no look so far can reach its share{best}; {k} more live value(s) would make a verdict possible{size}"
                    ),
                    None => format!(
                        "not enough data: with {nb} baseline values no look within the plan's {horizon} live values can reach its share of 5%: more baseline values (dated before the intervention) or a longer horizon would{size}"
                    ),
                }
            }
        },
    };
    let mut lines = vec![format!("{head} — {verdict}")];
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
                su(t)
            ));
        }
        (_, None, Some(note)) => power.push(note.clone()),
        _ => {}
    }
    if !power.is_empty() {
        lines.push(power.join("; "));
    }
    for caveat in &c.caveats {
        lines.push(caveat_words(caveat, unit));
    }
    lines
}

/// The plan a loop's verdict is judged by, its deviations, the result under the amended plan
/// where it differs, and replaced metrics with their last verdicts: for `loop show`, `plan
/// show` and the TUI's loop detail alike.
pub fn plan_lines(l: &LoopReview, unit: &str, better: Better) -> Vec<String> {
    let mut lines = Vec::new();
    for g in &l.guardrails {
        lines.push(guardrail_line(g));
    }
    if let Some(p) = &l.plan {
        lines.push(format!(
            "plan {} locked {} by {} with the intervention of {} · hash {}…",
            p.version,
            p.locked_at.local_date(),
            clean(&p.locked_by),
            p.intervention_at,
            &p.hash[..p.hash.len().min(12)]
        ));
        lines.extend(plan_terms(p, unit));
        for d in &p.deviations {
            lines.push(deviation_line(d));
        }
        if let Some(a) = &l.amended_comparison {
            lines.push(format!(
                "  under the amended plan (not the verdict): {}",
                comparison_words(a, unit, better)
            ));
        }
    }
    for e in &l.earlier_plans {
        let voided = if e.voided {
            "its intervention was voided; "
        } else {
            ""
        };
        let how = e.comparison.as_ref().map_or_else(
            || format!("{voided}no verdict"),
            |c| format!("{voided}its verdict: {}", comparison_words(c, unit, better)),
        );
        lines.push(format!(
            "earlier plan {} (intervention of {}, locked {}): {how}",
            e.plan.version,
            e.plan.intervention_at,
            e.plan.locked_at.local_date()
        ));
        for g in &e.guardrails {
            lines.push(format!("  {}", guardrail_line(g)));
        }
        for d in &e.plan.deviations {
            lines.push(deviation_line(d));
        }
    }
    for m in &l.superseded_metrics {
        let replaced = m
            .replaced_at
            .map(|r| format!(", replaced {}", r.local_date()))
            .unwrap_or_default();
        lines.push(format!(
            "replaced metric `{}` (set {}{replaced}): {} baseline, {} live value(s), {} intervention(s)",
            clean(&m.name),
            m.set_at.local_date(),
            m.baseline_n,
            m.live_n,
            m.interventions
        ));
        if let Some(c) = &m.comparison {
            lines.push(format!(
                "  its last verdict{}: {}",
                m.plan
                    .as_ref()
                    .map(|p| format!(" under plan {}", p.version))
                    .unwrap_or_default(),
                comparison_words(c, &m.unit, m.better)
            ));
        }
        for g in &m.guardrails {
            lines.push(format!("  {}", guardrail_line(g)));
        }
    }
    lines
}

/// A change to a locked plan: when, who, what, why.
fn deviation_line(d: &DeviationView) -> String {
    format!(
        "  deviation {} by {}: {} — why: {}",
        d.at.local_date(),
        clean(&d.by),
        clean(&d.detail),
        clean(&d.reason)
    )
}

/// A guardrail, its limit and its verdict in one line; `BREACHED` when it is.
pub fn guardrail_line(g: &GuardrailState) -> String {
    let state = match (g.breached, g.removed) {
        (true, false) => " — BREACHED",
        (true, true) => " — BREACHED (removed after the lock, still judged under the locked plan)",
        (false, true) => " — removed, still judged under the locked plan",
        (false, false) => "",
    };
    let limit = g
        .max_worse
        .map_or_else(String::new, |m| format!(", at most {} worse", m.to_text()));
    let judged = g.comparison.as_ref().map_or_else(
        || "no values yet".to_string(),
        |c| comparison_words(c, &g.unit, g.better),
    );
    let note = g
        .limit_note
        .as_deref()
        .map(|n| format!(" · {n}"))
        .unwrap_or_default();
    format!(
        "guardrail {} ({}{} is better{limit}){state}: {judged}{note}",
        clean(&g.name),
        if g.unit.is_empty() {
            String::new()
        } else {
            format!("{}, ", clean(&g.unit))
        },
        g.better
    )
}

/// What a plan fixed, in words.
pub fn plan_terms(p: &PlanState, unit: &str) -> Vec<String> {
    let target = p.target.map_or_else(
        || "no target".to_string(),
        |t| format!("target {}", target_words(t, unit)),
    );
    let from = match p.horizon_from {
        HorizonFrom::Typed => "as typed",
        HorizonFrom::Target => "from the target",
        HorizonFrom::Default => "the default",
    };
    let rules = if p.kill_rules.is_empty() {
        "no kill rules".to_string()
    } else {
        format!(
            "kill rules {}",
            p.kill_rules
                .iter()
                .map(|r| format!("{}. {}", r.n, clean(&r.rule)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let guards = if p.guardrails.is_empty() {
        String::new()
    } else {
        format!(
            " · guardrails {}",
            p.guardrails
                .iter()
                .map(|g| match g.max_worse {
                    Some(m) => format!("{} (at most {} worse)", clean(&g.name), m.to_text()),
                    None => clean(&g.name).into_owned(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut lines = vec![
        format!(
            "  {} against {} baseline value(s) · {target} · horizon {} live value{} ({from}) · {rules}{guards}",
            clean(&p.metric),
            p.baseline_n,
            p.horizon,
            if p.horizon == 1 { "" } else { "s" }
        ),
        format!(
            "  decided by the {}, {}, {}",
            p.decision_rule.test, p.decision_rule.sides, p.decision_rule.spending
        ),
    ];
    if p.seen_live > 0 {
        lines.push(format!(
            "  {} live value(s) dated after the intervention had been recorded before it was locked",
            p.seen_live
        ));
    }
    lines
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
    }
}

/// The process limits and what broke them, in one line. Beside a verdict (`comparison`), a
/// signal says which is the stronger evidence: the verdict, whose false verdicts are held to 5%
/// over all the live values, where a chart signal comes by chance in up to 10% of series.
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
                "; the verdict is the stronger evidence of a change: its false verdicts are held to 5% over all the live values, where a chart signal comes by chance in up to 10% of series"
            }
            Verdict::Inconclusive | Verdict::NotEnoughData => {
                "; weaker evidence than the verdict, which does not show a change: its false verdicts are held to 5% over all the live values, where a chart signal comes by chance in up to 10% of series"
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

/// Characters that a terminal would act on rather than print (the rule lives with the names
/// people may type).
pub use crate::domain::text::is_unsafe;

/// Text for one line: every unsafe character (newlines and tabs included) made visible.
pub use crate::domain::text::one_line as clean;

/// Text that may span lines (notes, evidence): newlines are kept, tabs become spaces, every other
/// unsafe character is made visible.
pub fn clean_multiline(s: &str) -> String {
    s.split('\n')
        .map(|line| clean(&line.replace('\t', "    ")).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A loop's line in the review, as `jobloop review` prints it (with its newline).
pub fn loop_line(l: &LoopReview) -> String {
    let mut line = format!(
        "    {:<11} {} {:<12} {:<18}",
        l.kind.name(),
        status_symbol(l.status),
        l.status.label(),
        l.owner.as_deref().map(clean).unwrap_or("(no owner)".into()),
    );
    let mut facts = Vec::new();
    if let Some(m) = &l.metric {
        let mut f = clean(&m.name).into_owned();
        if let Some(b) = &l.baseline {
            let _ = write!(
                f,
                ": baseline {} (n={})",
                with_unit(num(b.mean), &m.unit),
                b.n
            );
        }
        if let Some(v) = &l.latest_text {
            let _ = write!(f, " → latest {}", with_unit(clean(v).into_owned(), &m.unit));
        }
        if let Some(c) = &l.comparison
            && c.baseline_n > 0
            && c.live_n > 0
        {
            let _ = write!(f, " [{}]", crate::display::verdict_label(c));
        }
        facts.push(f);
    }
    facts.push(format!("{}/{} steps", l.steps.done, l.steps.total));
    if l.needs_decision() {
        facts.push("KILL SIGNAL TRIPPED — decide".into());
    }
    line.push_str(&facts.join(" · "));
    line.trim_end().to_string() + "\n"
}

/// The line under a job's name in the review: the loop open now, the compound test due, the
/// last one's answer.
pub fn job_head(j: &JobReview) -> String {
    let mut head = vec![format!(
        "open now: {}",
        j.open_now
            .map_or("none (every loop closed or killed)", |k| k.name())
    )];
    if j.cycle.overdue {
        head.push("compound test OVERDUE for last week".into());
    } else if j.cycle.due {
        head.push(format!("compound test due for {}", j.cycle.week));
    }
    if let Some(c) = &j.last_compound {
        head.push(match (c.compounds, j.next_job, j.next_job_status) {
            (true, _, _) => format!("{}: compounds", c.week),
            (false, Some(k), Some(Status::Killed)) => format!(
                "{}: next job is {k}, which was killed — reopen it with `jobloop loop open {} {k}`",
                c.week, j.slug
            ),
            (false, Some(k), _) => format!("{}: next job is {k}", c.week),
            (false, None, _) => c.week.clone(),
        });
    }
    head.join(" · ")
}

#[cfg(test)]
mod tests {
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

    use super::*;

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
}
