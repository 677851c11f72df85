//! What one job's row says: a cell per loop (status and marks), the loop open now, the last
//! compound test, the next job it named, and one loop's metric against its baseline and target.

use ratatui::style::Modifier;
use ratatui::text::Span;

use super::super::{Shared, fit, pad};
use super::layout::Columns;
use crate::display::{clean, num, status_symbol, target_words, with_unit};
use crate::domain::LoopKind;
use crate::domain::model::Status;
use crate::domain::review::{Flag, JobReview, LoopReview};
use crate::domain::stats::sparkline;

/// Every mark a cell can carry, most urgent first, with its words for the legend (long and
/// short). A cell shows the first three (four with words) that apply.
pub(super) const MARKS: [(char, &str, &str); 5] = [
    ('!', "kill signal tripped", "tripped"),
    ('#', "guardrail breached", "breach"),
    ('✎', "sign-off pending", "sign-off"),
    ('?', "no owner/metric/baseline", "missing"),
    ('~', "kill signal suggested", "suggested"),
];

/// The legend: every symbol and mark the board draws, in the board's own glyphs, as two lines
/// (statuses and marks; the job-level columns). Narrow boards get the short words.
pub(super) fn legend(c: &Columns, width: u16) -> [String; 2] {
    let short = width < 160;
    let mut marks: Vec<String> = [
        Status::NotStarted,
        Status::Open,
        Status::Closed,
        Status::Killed,
    ]
    .into_iter()
    .map(|s| format!("{}{}", status_symbol(s), status_word(s)))
    .collect();
    marks.extend(
        MARKS
            .iter()
            .map(|(m, long, brief)| format!("{m}{}", if short { brief } else { long })),
    );
    let mut job = vec![if short { "*overdue" } else { "*week overdue" }.to_string()];
    job.push("underline: open now".into());
    if c.last > 0 {
        job.push(
            if short {
                "last: compound test ✓/✗"
            } else {
                "last: compound test ✓ or ✗ (broken layer)"
            }
            .into(),
        );
        job.push(
            if short {
                "next: the job it names"
            } else {
                "next: the job the test names"
            }
            .into(),
        );
    }
    let gap = if short { " " } else { "  " };
    [marks.join(gap), job.join(if short { "  " } else { "   " })]
}

/// What the marks on a loop mean, in words: the legend's, but for `?`, which names exactly what
/// is missing.
pub(super) fn mark_words(l: &LoopReview) -> Vec<&'static str> {
    let on = marks(l);
    MARKS
        .iter()
        .filter(|(m, _, _)| on.contains(*m))
        .flat_map(|(m, long, _)| match m {
            '?' => [Flag::NoOwner, Flag::NoMetric, Flag::NoBaseline]
                .into_iter()
                .filter(|f| l.flags.contains(f))
                .map(Flag::problem)
                .collect::<Vec<_>>(),
            _ => vec![*long],
        })
        .collect()
}

/// The marks that apply to a loop, most urgent first.
pub(super) fn marks(l: &LoopReview) -> String {
    let has = |f: Flag| l.flags.contains(&f);
    let applies = [
        has(Flag::KillTripped),
        has(Flag::GuardrailBreached),
        has(Flag::DecisionPending) || !l.decisions_pending.is_empty(),
        has(Flag::NoOwner) || has(Flag::NoMetric) || has(Flag::NoBaseline),
        !l.suggested_kill_signals.is_empty(),
    ];
    MARKS
        .iter()
        .zip(applies)
        .filter(|(_, on)| *on)
        .map(|((m, _, _), _)| *m)
        .collect()
}

fn status_word(s: Status) -> &'static str {
    match s {
        Status::NotStarted => "new",
        Status::Open => "open",
        Status::Closed => "closed",
        Status::Killed => "killed",
    }
}

/// A loop's name in a column header: whole on a wide board, else cut short enough
/// to leave the gap between columns.
pub(super) fn loop_name(k: LoopKind, words: bool) -> &'static str {
    if words {
        return k.name();
    }
    match k {
        LoopKind::Understand => "under",
        LoopKind::Redesign => "redes",
        LoopKind::Instrument => "instr",
        LoopKind::Govern => "gov",
        LoopKind::Improve => "impr",
        LoopKind::Distribute => "distr",
    }
}

/// One loop's cell: the cursor mark, the status symbol and the marks (the legend says what
/// each means; the status in words is on the selected loop's line).
pub(super) fn cell(
    s: &Shared,
    l: &LoopReview,
    selected: bool,
    open_now: bool,
    c: &Columns,
) -> Vec<Span<'static>> {
    let theme = s.theme;
    let room = if c.words { 4 } else { 3 };
    let marks: String = marks(l).chars().take(room).collect();
    let mut style = theme.status(l.status);
    if open_now {
        style = style.add_modifier(Modifier::UNDERLINED);
    }
    if selected {
        style = style.patch(theme.selected());
    }
    let marker = if selected { ">" } else { " " };
    // The whole selected cell is in reverse video, so the cursor shows without colour.
    let mark_style = if selected {
        theme.alert().patch(theme.selected())
    } else {
        theme.alert()
    };
    vec![
        Span::styled(format!("{marker}{}", status_symbol(l.status)), style),
        Span::styled(pad(&marks, room), mark_style),
        Span::raw(" ".repeat((c.cell as usize).saturating_sub(2 + room))),
    ]
}

/// The job-level answers: the loop open now, the last compound test and the next job it named,
/// each cut to its column.
pub(super) fn answers(j: &JobReview, c: &Columns) -> [String; 3] {
    let now = match j.open_now {
        Some(k) => loop_name(k, c.words).to_string(),
        None => "done".into(),
    };
    let last = match &j.last_compound {
        None => "—".to_string(),
        Some(t) => {
            // The week alone within this year; with its year otherwise, so a test answered a
            // year ago never reads as this week's.
            let year = |w: &str| w.split_once('-').map(|(y, _)| y.to_string());
            let week = match t.week.split_once('-') {
                Some((_, w)) if year(&t.week) == year(&j.cycle.week) => w,
                _ => t.week.as_str(),
            };
            match (t.compounds, t.broken_layer) {
                (true, _) => format!("✓ {week}"),
                (false, Some(layer)) if c.words => format!("✗ {week} {}", layer.name()),
                (false, _) => format!("✗ {week}"),
            }
        }
    };
    let next = match (j.next_job, j.next_job_status) {
        (Some(k), Some(Status::Killed)) => format!("{}✗", loop_name(k, c.words)),
        (Some(k), _) => loop_name(k, c.words).to_string(),
        (None, _) => "—".into(),
    };
    [
        pad(&now, c.now.saturating_sub(1) as usize),
        pad(&last, c.last.saturating_sub(1) as usize),
        pad(&next, c.next.saturating_sub(1) as usize),
    ]
}

/// The metric the row shows: the cursor column's loop's, or else the first loop (in the
/// spec's order) that has one, so the column is never empty while the job measures something.
pub(super) fn metric_loop(j: &JobReview, cursor: LoopKind) -> Option<&LoopReview> {
    j.loops
        .iter()
        .find(|l| l.kind == cursor && l.metric.is_some())
        .or_else(|| j.loops.iter().find(|l| l.metric.is_some()))
}

/// One loop's metric in `width` cells, named by its loop: the richest of — sparkline, metric
/// name, latest value as typed, baseline mean, target — that fits, dropping the least needed
/// first.
pub(super) fn metric(l: &LoopReview, width: usize) -> String {
    let Some(m) = &l.metric else {
        return fit("no metric", width);
    };
    let kind = loop_name(l.kind, false);
    let latest = match &l.latest_text {
        Some(v) => with_unit(v.clone(), &m.unit),
        None => "no value yet".into(),
    };
    let base = l.baseline.as_ref().map(|b| format!("base {}", num(b.mean)));
    let target = m
        .target
        .map(|t| format!("target {}", target_words(t, &m.unit)));
    let figures = |with_target: bool| {
        std::iter::once(latest.clone())
            .chain(base.clone())
            .chain(target.clone().filter(|_| with_target))
            .collect::<Vec<_>>()
            .join(" · ")
    };
    let spark = sparkline(&l.recent);
    let all = figures(true);
    let candidates = [
        format!("{kind} {spark} {}: {all}", m.name),
        format!("{kind} {spark} {all}"),
        format!("{kind} {}: {all}", m.name),
        format!("{kind} {all}"),
        format!("{kind} {}", figures(false)),
        format!("{kind} {latest}"),
    ];
    let first = candidates
        .iter()
        .map(|t| t.replace("  ", " "))
        .find(|t| unicode_width::UnicodeWidthStr::width(clean(t).as_ref()) <= width);
    fit(first.as_deref().unwrap_or(&candidates[5]), width)
}
