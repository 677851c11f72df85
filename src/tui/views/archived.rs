//! Archived jobs: off the board and the review, every record kept. `Enter` asks to bring the one
//! under the cursor back.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use super::{Go, Shared, fit};
use crate::domain::model::Job;
use crate::tui::keymap::Action;
use crate::tui::worker::Request;

#[derive(Default)]
pub struct Archived {
    /// Newest archived first; `None` while they are read.
    pub jobs: Option<Vec<Job>>,
    pub cursor: usize,
}

impl Archived {
    pub fn load() -> Request {
        Request::Archived
    }

    /// The jobs as read, newest archived first.
    pub fn set(&mut self, mut jobs: Vec<Job>) {
        jobs.sort_by(|a, b| b.archived_at.cmp(&a.archived_at).then(a.slug.cmp(&b.slug)));
        self.cursor = self.cursor.min(jobs.len().saturating_sub(1));
        self.jobs = Some(jobs);
    }

    /// The job under the cursor.
    pub fn target(&self) -> Option<String> {
        self.jobs.as_ref()?.get(self.cursor).map(|j| j.slug.clone())
    }

    pub fn handle(&mut self, action: Action) -> Go {
        let n = self.jobs.as_ref().map_or(0, Vec::len);
        match action {
            Action::Up => self.cursor = self.cursor.saturating_sub(1),
            Action::Down => self.cursor = (self.cursor + 1).min(n.saturating_sub(1)),
            Action::PageUp => self.cursor = self.cursor.saturating_sub(10),
            Action::PageDown => self.cursor = (self.cursor + 10).min(n.saturating_sub(1)),
            // Enter brings the job back: the app opens the confirmation (a form, as every write).
            _ => return Go::Pass,
        }
        Go::Stay
    }

    pub fn render(&self, frame: &mut Frame, s: &Shared, area: Rect) {
        let Some(jobs) = &self.jobs else {
            frame.render_widget(Paragraph::new("Loading…"), area);
            return;
        };
        if jobs.is_empty() {
            frame.render_widget(
                Paragraph::new(format!(
                    "No archived job. {} on the board archives the job under the cursor; nothing is deleted.",
                    s.key(Action::Archive)
                ))
                .wrap(Wrap { trim: false }),
                area,
            );
            return;
        }
        let width = area.width as usize;
        let mut lines = vec![Line::styled(
            fit(
                &format!(
                    "{} archived job{} · {} brings the one under the cursor back, with every record",
                    jobs.len(),
                    if jobs.len() == 1 { "" } else { "s" },
                    s.key(Action::Open)
                ),
                width,
            ),
            s.theme.muted(),
        )];
        let rows = (area.height as usize).saturating_sub(1).max(1);
        let first = self.cursor.saturating_sub(rows - 1);
        for (i, j) in jobs.iter().enumerate().skip(first).take(rows) {
            let when = j
                .archived_at
                .map(|a| format!("archived {}", a.local_date()))
                .unwrap_or_default();
            let marker = if i == self.cursor { ">" } else { " " };
            let text = fit(&format!("{marker} {}  {}  {when}", j.slug, j.title), width);
            lines.push(if i == self.cursor {
                Line::styled(text, s.theme.selected())
            } else {
                Line::raw(text)
            });
        }
        frame.render_widget(Paragraph::new(lines), area);
    }
}
