//! Words and symbols shared by every front end, and the one sanitiser for text shown on a
//! terminal. Stored text can come from anyone (an import, a paste); an escape sequence in a job
//! title must not clear the screen, write the clipboard (OSC 52), reverse the line (bidi
//! overrides) or hide characters (zero-width, line and paragraph separators). Such characters are
//! made visible as `\u{…}` instead of acted on. JSON output is not passed through here: it keeps
//! the text exactly, escaped by the JSON encoder.

use crate::domain::model::Status;
use crate::domain::num::estimate;
pub use crate::domain::num::show;
use crate::domain::review::{JobReview, LoopReview};
use std::fmt::Write as _;

mod comparison;
mod plan;

pub use comparison::{
    caveat_words, comparison_lines, comparison_words, phase_words, process_words, verdict_label,
    verdict_label_naming,
};
pub use plan::{earlier_lines, guardrail_line, plan_lines, plan_terms};

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
    if !l.open_incidents.is_empty() {
        // An open incident is work waiting for a change to the system: the weekly routine
        // shows it, its severity first.
        let high = l
            .open_incidents
            .iter()
            .filter(|i| i.severity == crate::domain::model::Severity::High)
            .count();
        facts.push(match high {
            0 => format!("{} open incident(s)", l.open_incidents.len()),
            h => format!("{} open incident(s), {h} HIGH", l.open_incidents.len()),
        });
    }
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
mod tests;
