//! The board: one row per job, one cell per loop, the cursor on a cell.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::fit;
use crate::display::status_symbol;
use crate::domain::LoopKind;
use crate::domain::model::Status;
use crate::domain::review::{Flag, LoopReview};
use crate::tui::app::App;
use crate::tui::keymap::Action;

/// Column geometry for a board of `width` columns: the job column and the six loop cells.
pub struct Columns {
    pub job: u16,
    pub cell: u16,
}

pub fn columns(width: u16) -> Columns {
    // Eleven columns fit the longest kind name and a space; the job column takes the rest.
    let cell = ((width.saturating_sub(14)) / 6).clamp(8, 12);
    Columns {
        job: width.saturating_sub(cell * 6).max(8),
        cell,
    }
}

/// Rows of jobs that fit, leaving the header row and the legend line.
fn visible_rows(area: Rect) -> usize {
    area.height.saturating_sub(2) as usize
}

/// The first job row shown, so that the cursor stays on screen.
fn offset(area: Rect, cursor: usize) -> usize {
    let rows = visible_rows(area).max(1);
    cursor.saturating_sub(rows - 1)
}

/// Which job (and loop column, if on a cell) a click at (x, y) hits.
pub fn hit(
    area: Rect,
    cursor: usize,
    jobs: usize,
    x: u16,
    y: u16,
) -> Option<(usize, Option<usize>)> {
    if x < area.x || x >= area.x + area.width || y <= area.y || y >= area.y + area.height {
        return None;
    }
    let row = (y - area.y - 1) as usize + offset(area, cursor);
    if row >= jobs || row - offset(area, cursor) >= visible_rows(area) {
        return None;
    }
    let c = columns(area.width);
    let dx = x - area.x;
    let col = (dx >= c.job).then(|| (((dx - c.job) / c.cell) as usize).min(5));
    Some((row, col))
}

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    if app.review.jobs.is_empty() {
        return welcome(frame, app, area);
    }
    let jobs = app.visible_jobs();
    if jobs.is_empty() {
        frame.render_widget(
            Paragraph::new("No job matches the filter. Esc clears it; / changes it."),
            area,
        );
        return;
    }
    let c = columns(area.width);
    let theme = &app.theme;
    // Header row.
    let mut x = area.x + c.job;
    frame.render_widget(
        Paragraph::new(Span::styled("job", theme.title())),
        Rect::new(area.x, area.y, c.job, 1),
    );
    for kind in LoopKind::ALL {
        frame.render_widget(
            Paragraph::new(Span::styled(
                fit(kind.name(), c.cell as usize - 1),
                theme.title(),
            )),
            Rect::new(x, area.y, c.cell, 1),
        );
        x += c.cell;
    }
    let first = offset(area, app.cursor_job);
    for (i, job) in jobs.iter().enumerate().skip(first).take(visible_rows(area)) {
        let y = area.y + 1 + (i - first) as u16;
        let on_row = i == app.cursor_job;
        let label = if c.job >= 30 {
            format!("{} {}", job.slug, job.title)
        } else {
            job.slug.clone()
        };
        let mut style = Style::new();
        if on_row {
            style = style.add_modifier(Modifier::BOLD);
        }
        let overdue = if job.cycle.overdue { "*" } else { "" };
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(fit(&label, c.job.saturating_sub(2) as usize), style),
                Span::styled(overdue, theme.alert()),
            ])),
            Rect::new(area.x, y, c.job, 1),
        );
        let mut x = area.x + c.job;
        for (k, l) in job.loops.iter().enumerate() {
            let selected = on_row && k == app.cursor_kind;
            let open_now = job.open_now == Some(l.kind);
            frame.render_widget(
                Paragraph::new(cell(app, l, selected, open_now, c.cell)),
                Rect::new(x, y, c.cell, 1),
            );
            x += c.cell;
        }
    }
    let legend = Line::styled(
        "·new ●open ✓closed ✗killed !tripped ?no owner/metric/baseline ~suggested *overdue",
        theme.muted(),
    );
    frame.render_widget(
        Paragraph::new(legend),
        Rect::new(area.x, area.y + area.height - 1, area.width, 1),
    );
}

fn cell(app: &App, l: &LoopReview, selected: bool, open_now: bool, width: u16) -> Line<'static> {
    let theme = &app.theme;
    let mut marks = String::new();
    if l.flags.contains(&Flag::KillTripped) {
        marks.push('!');
    }
    if l.flags
        .iter()
        .any(|f| matches!(f, Flag::NoOwner | Flag::NoMetric | Flag::NoBaseline))
    {
        marks.push('?');
    }
    if !l.suggested_kill_signals.is_empty() {
        marks.push('~');
    }
    // Two marks fit; the most urgent come first.
    let marks: String = marks.chars().take(2).collect();
    let label = if width >= 11 {
        short_label(l.status)
    } else {
        ""
    };
    let marker = if selected { ">" } else { " " };
    let mut style = theme.status(l.status);
    if open_now {
        style = style.add_modifier(Modifier::UNDERLINED);
    }
    if selected {
        style = style.patch(theme.selected());
    }
    // The marks come before the label so a narrow cell never cuts them off.
    Line::from(vec![
        Span::styled(format!("{marker}{}", status_symbol(l.status)), style),
        Span::styled(format!("{marks:<2}"), theme.alert()),
        Span::styled(format!(" {label}"), style),
    ])
}

fn short_label(s: Status) -> &'static str {
    match s {
        Status::NotStarted => "new",
        Status::Open => "open",
        Status::Closed => "closed",
        Status::Killed => "killed",
    }
}

fn welcome(frame: &mut Frame, app: &App, area: Rect) {
    let k = |a| app.keymap.keys_for(a);
    let lines = vec![
        Line::styled("Welcome to jobloop.", app.theme.title()),
        Line::raw(""),
        Line::raw("Each customer job your team makes AI-native has six loops to close:"),
        Line::raw("understand, redesign, instrument, govern, improve, distribute."),
        Line::raw(
            "Name an owner, record a baseline before changing anything, measure, and stop work whose kill signal trips.",
        ),
        Line::raw(""),
        Line::from(vec![
            Span::styled(format!("  {}  ", k(Action::AddJob)), app.theme.selected()),
            Span::raw(" add your first job"),
        ]),
        Line::from(vec![
            Span::styled(format!("  {}  ", k(Action::Demo)), app.theme.selected()),
            Span::raw(" load a demo: three jobs over eight weeks"),
        ]),
        Line::from(vec![
            Span::styled(format!("  {}  ", k(Action::Help)), app.theme.selected()),
            Span::raw(" every key"),
        ]),
    ];
    frame.render_widget(
        Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
        area,
    );
}
