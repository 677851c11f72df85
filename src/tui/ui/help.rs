//! Every key, generated from the keymap the app uses.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::keymap::Action;

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let mut lines: Vec<Line> = Action::ALL
        .iter()
        .map(|a| Line::raw(format!("{:<14} {}", app.keymap.keys_for(*a), a.describe())))
        .collect();
    lines.push(Line::raw("Ctrl-c         quit from anywhere"));
    let forms = vec![
        Line::styled("In a form", app.theme.title()),
        Line::raw("Tab / ↓        next field"),
        Line::raw("Shift-Tab / ↑  previous field"),
        Line::raw("Enter          save"),
        Line::raw("Esc            cancel"),
        Line::raw("←/→, space     change a yes/no or a choice"),
        Line::raw("Ctrl-u         clear the field"),
        Line::raw(""),
        Line::styled("Mouse", app.theme.title()),
        Line::raw("click          select a cell"),
        Line::raw("wheel          move up and down"),
        Line::raw(""),
        Line::raw("Keys and colors: config.toml"),
        Line::raw("under $XDG_CONFIG_HOME/jobloop"),
    ];
    if area.width >= 90 {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(area);
        frame.render_widget(Paragraph::new(lines), left);
        frame.render_widget(Paragraph::new(forms), right);
    } else {
        lines.push(Line::raw(""));
        lines.extend(forms);
        let max = (lines.len() as u16).saturating_sub(area.height);
        frame.render_widget(
            Paragraph::new(lines).scroll((app.help_scroll.min(max), 0)),
            area,
        );
    }
}
