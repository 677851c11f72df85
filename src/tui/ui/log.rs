//! The audit trail, newest first, filterable.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::fit;
use crate::tui::app::App;

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let needle = app.log_filter.to_lowercase();
    let rows: Vec<String> = app
        .log
        .iter()
        .map(|e| {
            format!(
                "{:>6}  {}  {:<12} {:<14} {}",
                e.seq,
                e.at.local_minute(),
                fit(&e.actor, 12),
                e.command,
                e.summary
            )
        })
        .filter(|r| needle.is_empty() || r.to_lowercase().contains(&needle))
        .collect();
    if rows.is_empty() {
        let text = if app.log.is_empty() {
            "No events yet."
        } else {
            "No event matches the filter."
        };
        frame.render_widget(Paragraph::new(text), area);
        return;
    }
    let height = area.height as usize;
    let start = app.log_scroll.min(rows.len().saturating_sub(height.max(1)));
    let lines: Vec<Line> = rows
        .iter()
        .skip(start)
        .take(height)
        .map(|r| Line::raw(fit(r, area.width as usize)))
        .collect();
    frame.render_widget(Paragraph::new(lines), area);
}
