//! Rendering: a pure function of the app's state, one file per screen.

pub mod board;
mod detail;
mod form;
mod help;
mod log;
mod walk;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::app::{App, Screen};
use super::keymap::Action;
use crate::display::clean;

/// Header, body and footer of any screen; the body is what the mouse hit-test uses.
pub fn areas(area: Rect) -> (Rect, Rect, Rect) {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(2),
    ])
    .areas(area);
    (header, body, footer)
}

pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < 20 || area.height < 6 {
        frame.render_widget(Paragraph::new("jobloop: window too small"), area);
        return;
    }
    let (header, body, footer) = areas(area);
    render_header(frame, app, header);
    match app.screen {
        Screen::Board => board::render(frame, app, body),
        Screen::Detail => detail::render(frame, app, body),
        Screen::Review => walk::render(frame, app, body),
        Screen::Log => log::render(frame, app, body),
        Screen::Help => help::render(frame, app, body),
    }
    render_footer(frame, app, footer);
    if let Some(f) = &app.form {
        form::render(frame, app, f, area);
    }
}

fn render_header(frame: &mut Frame, app: &App, area: Rect) {
    let screen = match app.screen {
        Screen::Board => "board",
        Screen::Detail => "loop",
        Screen::Review => "weekly review",
        Screen::Log => "audit log",
        Screen::Help => "help",
    };
    let mut spans = vec![
        Span::styled("jobloop", app.theme.title()),
        Span::raw(format!(" · {} · {screen}", app.review.week)),
    ];
    if app.read_only {
        spans.push(Span::styled(" · READ-ONLY", app.theme.alert()));
    }
    let filter = if app.screen == Screen::Log {
        &app.log_filter
    } else {
        &app.filter
    };
    if app.filtering || !filter.is_empty() {
        let cursor = if app.filtering { "▏" } else { "" };
        spans.push(Span::styled(
            format!(" · filter: {}{cursor}", clean(filter)),
            app.theme.accent(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_footer(frame: &mut Frame, app: &App, area: Rect) {
    let t = &app.review.totals;
    let counts = Line::from(vec![
        Span::raw(format!("{} open · ", t.open_loops)),
        Span::styled(
            format!("{} tripped", t.kill_tripped),
            if t.kill_tripped > 0 {
                app.theme.alert()
            } else {
                Style::new()
            },
        ),
        Span::raw(format!(
            " · {} without owner · {} without baseline · {} cycles overdue",
            t.no_owner, t.no_baseline, t.cycles_overdue
        )),
    ]);
    let second = match &app.message {
        Some(m) => Line::styled(
            clean(&m.text).into_owned(),
            if m.error {
                app.theme.alert()
            } else {
                app.theme.accent()
            },
        ),
        None => hints(app),
    };
    frame.render_widget(Paragraph::new(vec![counts, second]), area);
}

/// The most useful keys for the current screen, read from the keymap.
fn hints(app: &App) -> Line<'static> {
    let k = |a: Action| app.keymap.key_for(a);
    let text = if app.filtering {
        "type to filter · Enter keep · Esc clear".to_string()
    } else {
        match app.screen {
            Screen::Board if app.review.jobs.is_empty() => format!(
                "{} add a job · {} load the demo · {} help · {} quit",
                k(Action::AddJob),
                k(Action::Demo),
                k(Action::Help),
                k(Action::Quit)
            ),
            Screen::Board => format!(
                "{} open · {} review · {} add · {} trip · {} filter · {} help · {} quit",
                k(Action::Open),
                k(Action::Review),
                k(Action::AddJob),
                k(Action::Trip),
                k(Action::Filter),
                k(Action::Help),
                k(Action::Quit)
            ),
            Screen::Detail => format!(
                "{} next loop · {} step · {} close · {} owner · {} metric · {} baseline · {} measure · {} back",
                k(Action::Right),
                k(Action::Step),
                k(Action::CloseLoop),
                k(Action::Owner),
                k(Action::Metric),
                k(Action::Baseline),
                k(Action::Measure),
                k(Action::Back)
            ),
            Screen::Review => format!(
                "{} next · {} previous · {} owner · {} metric · {} baseline · {} retire · {} continue · {} back",
                k(Action::Down),
                k(Action::Up),
                k(Action::Owner),
                k(Action::Metric),
                k(Action::Baseline),
                k(Action::Retire),
                k(Action::Continue),
                k(Action::Back)
            ),
            Screen::Log => format!(
                "{} filter · {}/{} scroll · {} back",
                k(Action::Filter),
                k(Action::Down),
                k(Action::Up),
                k(Action::Back)
            ),
            Screen::Help => format!(
                "{} back · {}/{} scroll",
                k(Action::Back),
                k(Action::Down),
                k(Action::Up)
            ),
        }
    };
    Line::styled(text, app.theme.muted())
}

/// Cuts text to `width` chars with an ellipsis, after sanitising it.
pub fn fit(s: &str, width: usize) -> String {
    let s = clean(s);
    if s.chars().count() <= width {
        s.into_owned()
    } else if width == 0 {
        String::new()
    } else {
        let mut out: String = s.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}
