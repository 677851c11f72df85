//! The audit trail, newest first, filterable; Enter shows one event in full (who, when, the
//! summary, and what changed before and after).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};

use super::scroll::Scroll;
use super::{Go, Shared, fit};
use crate::display::clean;
use crate::domain::model::AuditEvent;
use crate::tui::keymap::Action;
use crate::tui::worker::Request;

/// How many events the log holds.
pub const LIMIT: usize = 2000;

#[derive(Default)]
pub struct Log {
    pub events: Option<Vec<AuditEvent>>,
    pub cursor: usize,
    pub filter: String,
    pub typing: bool,
    /// The event shown in full, and how far it is scrolled.
    pub open: Option<usize>,
    scroll: Scroll,
}

impl Log {
    pub fn load() -> Request {
        Request::Log { limit: LIMIT }
    }

    fn row(e: &AuditEvent) -> String {
        format!(
            "{:>6}  {}  {:<12} {:<14} {}",
            e.seq,
            e.at.local_minute(),
            fit(&e.actor, 12),
            e.command,
            e.summary.replace('\n', " · ")
        )
    }

    pub fn visible(&self) -> Vec<&AuditEvent> {
        let needle = self.filter.to_lowercase();
        self.events
            .iter()
            .flatten()
            .filter(|e| needle.is_empty() || Self::row(e).to_lowercase().contains(&needle))
            .collect()
    }

    pub fn type_filter(&mut self, text: &str) {
        self.filter
            .extend(text.chars().filter(|c| !crate::display::is_unsafe(*c)));
        self.cursor = 0;
    }

    pub fn handle(&mut self, action: Action) -> Go {
        let n = self.visible().len();
        if self.open.is_some() {
            return match action {
                Action::Back | Action::Open => {
                    self.open = None;
                    Go::Stay
                }
                a if self.scroll.key(a) => Go::Stay,
                _ => Go::Pass,
            };
        }
        match action {
            Action::Down => self.cursor = (self.cursor + 1).min(n.saturating_sub(1)),
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::PageDown => self.cursor = (self.cursor + 10).min(n.saturating_sub(1)),
            Action::PageUp => self.cursor = self.cursor.saturating_sub(10),
            Action::Open if n > 0 => {
                self.open = Some(self.cursor);
                self.scroll.reset();
            }
            Action::Filter => self.typing = true,
            _ => return Go::Pass,
        }
        Go::Stay
    }

    pub fn render(&mut self, frame: &mut Frame, s: &Shared, area: Rect) {
        let rows = self.visible();
        if self.events.is_none() {
            frame.render_widget(Paragraph::new("Loading the audit log…"), area);
            return;
        }
        if rows.is_empty() {
            let text = if self.filter.is_empty() {
                "No events yet."
            } else {
                "No event matches the filter."
            };
            frame.render_widget(Paragraph::new(text), area);
            return;
        }
        let height = area.height as usize;
        let start = self.cursor.saturating_sub(height.saturating_sub(1));
        let lines: Vec<Line> = rows
            .iter()
            .enumerate()
            .skip(start)
            .take(height)
            .map(|(i, e)| {
                let style = if i == self.cursor {
                    s.theme.selected()
                } else {
                    Style::new()
                };
                Line::styled(fit(&Self::row(e), area.width as usize), style)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
        let opened = self.open.and_then(|i| rows.get(i).map(|e| (*e).clone()));
        if let Some(e) = opened {
            let text = event_text(&e, s);
            let rect = Rect::new(
                area.x + 1,
                area.y,
                area.width.saturating_sub(2),
                area.height,
            );
            let block = Block::bordered().title(format!(
                " event {} — {} or {} closes ",
                e.seq,
                s.key(Action::Open),
                s.key(Action::Back)
            ));
            let inner = block.inner(rect);
            frame.render_widget(Clear, rect);
            frame.render_widget(block, rect);
            self.scroll.render(frame, s.theme, &text, inner);
        }
    }
}

/// An event opened whole: who and when, what it did, the records before and after, its hash.
fn event_text(e: &AuditEvent, s: &Shared) -> Vec<(String, Style)> {
    // Kill signals numbered as every screen numbers them (the stored event is unchanged).
    let pretty = |v: &serde_json::Value| {
        serde_json::to_string_pretty(&crate::domain::audit::as_shown(v)).unwrap_or_default()
    };
    let mut text: Vec<(String, Style)> = vec![
        (
            format!(
                "event {} · {} · {}",
                e.seq,
                e.at.local_minute(),
                clean(&e.actor)
            ),
            s.theme.title(),
        ),
        (
            format!("{}: {}", e.command, clean(&e.summary)),
            Style::new(),
        ),
        (String::new(), Style::new()),
        ("before".into(), s.theme.title()),
    ];
    text.extend(
        pretty(&e.before)
            .lines()
            .map(|l| (clean(l).into_owned(), Style::new())),
    );
    text.push((String::new(), Style::new()));
    text.push(("after".into(), s.theme.title()));
    text.extend(
        pretty(&e.after)
            .lines()
            .map(|l| (clean(l).into_owned(), Style::new())),
    );
    text.push((String::new(), Style::new()));
    text.push((format!("hash {}", e.hash), s.theme.muted()));
    text
}
