//! The frame around every screen: a header (where you are, whether the store is busy), the
//! screen on top, a footer (this week's totals, then the last message or the keys that matter
//! here), and whatever floats above (a form, a message shown in full).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::app::App;
use super::forms;
use super::views::board::FlagFilter;
use super::views::{Shared, View, fit};
use crate::display::clean;

/// The smallest window the screens are drawn in; below it one line says so.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// Header, body and footer; the body is also what the mouse hit-test uses.
pub fn areas(area: Rect) -> (Rect, Rect, Rect) {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(2),
    ])
    .areas(area);
    (header, body, footer)
}

pub fn render(frame: &mut Frame, app: &mut App, tick: usize) {
    let area = frame.area();
    app.size = area;
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        frame.render_widget(
            Paragraph::new(format!(
                "jobloop needs at least {MIN_WIDTH}×{MIN_HEIGHT}; this window is {}×{}",
                area.width, area.height
            ))
            .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let (header, body, footer) = areas(area);
    // Borrowed field by field: the screen on top is drawn mutably (it keeps its scroll) while
    // the review is only read, never copied.
    render_header(frame, app, &app.shared(), header, tick);
    {
        let s = Shared {
            theme: &app.theme,
            keys: &app.keymap,
            review: app.loaded.as_ref().map(|l| &l.review),
            now: app.clock.now(),
        };
        let last = app.views.len() - 1;
        match &mut app.views[last] {
            View::Board(b) => b.render(frame, &s, body),
            View::Detail(d) => d.render(frame, &s, body),
            View::Job(j) => j.render(frame, &s, body),
            View::Walk(w) => w.render(frame, &s, body),
            View::Log(l) => l.render(frame, &s, body),
            View::Help(h) => h.render(frame, &s, body),
            View::Archived(a) => a.render(frame, &s, body),
        }
    }
    render_footer(frame, app, &app.shared(), footer);
    if let Some(f) = app.form.as_mut() {
        forms::render::render(frame, &app.theme, f, area);
    } else if app.message_open
        && let Some(m) = &app.message
    {
        render_message(frame, app, &m.text, m.error, area);
    }
}

const SPINNER: [&str; 4] = ["⠋", "⠙", "⠸", "⠴"];

fn render_header(frame: &mut Frame, app: &App, s: &Shared, area: Rect, tick: usize) {
    let week = s
        .review
        .map(|r| r.week.to_string())
        .unwrap_or_else(|| "loading…".into());
    let mut spans = vec![
        Span::styled("jobloop", s.theme.title()),
        Span::raw(format!(" · {week} · {}", app.top().name())),
    ];
    if let Some(actor) = &app.actor {
        spans.push(Span::styled(
            format!(" · {}", fit(actor, 24)),
            s.theme.muted(),
        ));
    }
    if app.read_only {
        spans.push(Span::styled(" · READ-ONLY", s.theme.alert()));
    }
    let (filter, typing) = match app.top() {
        View::Board(b) => (b.filter.as_str(), b.typing),
        View::Log(l) => (l.filter.as_str(), l.typing),
        _ => ("", false),
    };
    if typing || !filter.is_empty() {
        let cursor = if typing { "▏" } else { "" };
        spans.push(Span::styled(
            format!(" · filter: {}{cursor}", fit(filter, 30)),
            s.theme.accent(),
        ));
    }
    if let View::Board(b) = app.top()
        && b.flags != FlagFilter::All
    {
        spans.push(Span::styled(
            format!(" · only: {}", b.flags.label()),
            s.theme.accent(),
        ));
    }
    if app.busy() {
        spans.push(Span::styled(
            format!(" {}", SPINNER[tick % SPINNER.len()]),
            s.theme.accent(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_footer(frame: &mut Frame, app: &App, s: &Shared, area: Rect) {
    let counts = match s.review {
        None if app.board_failed() => Line::styled(
            "the board could not be read (see the message)",
            s.theme.alert(),
        ),
        None => Line::raw("loading the board…"),
        // The totals of a first screenful would be wrong for the whole board.
        Some(_) if app.board_failed() => Line::styled(
            "the whole board could not be read (see the message): totals, filters and the review cover only the jobs shown",
            s.theme.alert(),
        ),
        Some(_) if !app.board_complete() => {
            Line::raw("showing the first jobs · reading the rest of the board (keys wait for it)…")
        }
        // Narrow terminals get the same counts in fewer words.
        Some(r) => totals_line(&r.totals, s, area.width >= 110),
    };
    let second = message_line(app, s, area.width as usize);
    frame.render_widget(Paragraph::new(vec![counts, second]), area);
}

/// The board's totals in a line; a narrow terminal (`wide` false) gets them in fewer words.
fn totals_line(t: &crate::domain::review::Totals, s: &Shared, wide: bool) -> Line<'static> {
    let warn = |n: usize| if n > 0 { s.theme.alert() } else { Style::new() };
    let words = |long: &'static str, short: &'static str| if wide { long } else { short };
    let mut spans = Vec::new();
    if wide {
        let jobs = if t.jobs == 1 { "job" } else { "jobs" };
        spans.push(Span::raw(format!("{} {jobs} · ", t.jobs)));
    }
    spans.extend([
        Span::raw(format!("{} open · ", t.open_loops)),
        Span::styled(format!("{} tripped", t.kill_tripped), warn(t.kill_tripped)),
        Span::raw(format!(
            " · {} {} · {} {} · ",
            t.no_owner,
            words("without owner", "no owner"),
            t.no_baseline,
            words("without baseline", "no baseline"),
        )),
        Span::styled(
            format!(
                "{} {}",
                t.decisions_pending,
                if t.decisions_pending == 1 {
                    words("sign-off pending", "to sign off")
                } else {
                    words("sign-offs pending", "to sign off")
                }
            ),
            warn(t.decisions_pending),
        ),
        Span::raw(" · "),
        Span::styled(
            format!(
                "{} {}",
                t.cycles_overdue,
                if t.cycles_overdue == 1 {
                    words("cycle overdue", "overdue")
                } else {
                    words("cycles overdue", "overdue")
                }
            ),
            warn(t.cycles_overdue),
        ),
    ]);
    Line::from(spans)
}

/// The message of the moment (cut to the line, with the key that shows it whole), else the
/// keys that matter here.
fn message_line(app: &App, s: &Shared, width: usize) -> Line<'static> {
    match &app.message {
        Some(m) => {
            let text = clean(&m.text).replace('\n', " · ");
            let style = if m.error {
                s.theme.alert()
            } else {
                s.theme.accent()
            };
            if text.chars().count() > width {
                // Too long for one line: the key that shows it whole.
                let more = format!(" ({} shows all)", s.key(super::keymap::Action::Message));
                let room = width.saturating_sub(more.chars().count());
                Line::from(vec![
                    Span::styled(fit(&text, room), style),
                    Span::styled(more, s.theme.muted()),
                ])
            } else {
                Line::styled(text, style)
            }
        }
        None => hints(app, s, width),
    }
}

/// The keys that matter on this screen, from the keymap, as many as fit.
fn hints(app: &App, s: &Shared, width: usize) -> Line<'static> {
    let typing = match app.top() {
        View::Board(b) => b.typing,
        View::Log(l) => l.typing,
        _ => false,
    };
    if typing {
        return Line::styled(
            "type to filter · Enter keeps it · Esc clears it",
            s.theme.muted(),
        );
    }
    let mut text = String::new();
    for a in app.top().hints(s) {
        let piece = format!("{} {}", s.key(a), a.hint());
        let sep = if text.is_empty() { "" } else { " · " };
        if text.chars().count() + sep.len() + piece.chars().count() > width {
            break;
        }
        text.push_str(sep);
        text.push_str(&piece);
    }
    Line::styled(text, s.theme.muted())
}

/// The last message in full, over the screen, until any key.
fn render_message(frame: &mut Frame, app: &App, text: &str, error: bool, area: Rect) {
    let width = area.width.saturating_sub(4).min(90);
    let body: Vec<Line> = clean(text)
        .split('\n')
        .map(|l| Line::raw(l.to_string()))
        .collect();
    let inner = width.saturating_sub(2).max(1);
    let rows: u16 = body
        .iter()
        .map(|l| super::views::wrapped_rows(l, inner))
        .sum();
    let height = (rows + 3).min(area.height.saturating_sub(2));
    let x = area.x + (area.width.saturating_sub(width)) / 2;
    let y = area.y + (area.height.saturating_sub(height)) / 2;
    let rect = Rect::new(x, y, width, height);
    let style = if error {
        app.theme.alert()
    } else {
        app.theme.accent()
    };
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(body).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .title(Span::styled(" message ", style))
                .title_bottom(" any key closes "),
        ),
        rect,
    );
}
