//! A form as a modal box over the current screen.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::fit;
use crate::display::clean;
use crate::tui::app::App;
use crate::tui::form::{FieldKind, Form};

pub fn render(frame: &mut Frame, app: &App, form: &Form, area: Rect) {
    let theme = &app.theme;
    let width = area.width.saturating_sub(4).min(76);
    let label_w = form
        .fields
        .iter()
        .map(|f| f.label.chars().count())
        .max()
        .unwrap_or(8)
        .min(24);
    let value_w = (width as usize).saturating_sub(label_w + 6);
    let mut lines = Vec::new();
    if let Some(e) = &form.error {
        lines.push(Line::styled(clean(e).into_owned(), theme.alert()));
        lines.push(Line::raw(""));
    }
    let mut cursor = None;
    for (i, f) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let marker = if focused { ">" } else { " " };
        let label = Span::styled(
            format!("{marker} {:<label_w$} ", fit(f.label, label_w)),
            if focused {
                theme.selected()
            } else {
                theme.title()
            },
        );
        let shown = match &f.kind {
            FieldKind::YesNo => format!("‹ {} ›", f.value),
            FieldKind::Choice(_) => format!("‹ {} ›", f.display()),
            _ => f.value.clone(),
        };
        // Long values scroll so the cursor stays visible.
        let chars: Vec<char> = shown.chars().collect();
        let start = if focused && f.cursor >= value_w {
            f.cursor + 1 - value_w
        } else {
            0
        };
        let visible: String = chars.iter().skip(start).take(value_w).collect();
        if focused
            && matches!(
                f.kind,
                FieldKind::Text { .. } | FieldKind::Number | FieldKind::Date
            )
        {
            cursor = Some((lines.len(), label_w + 3 + f.cursor - start));
        }
        lines.push(Line::from(vec![
            label,
            Span::raw(clean(&visible).into_owned()),
        ]));
        if let Some(e) = &f.error {
            lines.push(Line::styled(format!("  {}", clean(e)), theme.alert()));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "Tab next · Shift-Tab previous · Enter save · Esc cancel",
        theme.muted(),
    ));
    let inner_w = width.saturating_sub(2).max(1);
    let rows = |ls: &[Line]| -> u16 {
        ls.iter()
            .map(|l| (l.width() as u16).div_ceil(inner_w).max(1))
            .sum()
    };
    let height = (rows(&lines) + 2).min(area.height);
    let x = area.x + (area.width.saturating_sub(width)) / 2;
    let y = area.y + (area.height.saturating_sub(height)) / 2;
    let rect = Rect::new(x, y, width, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines.clone())
            .wrap(Wrap { trim: false })
            .block(Block::bordered().title(Span::styled(
                fit(&form.title, width as usize - 4),
                theme.title(),
            ))),
        rect,
    );
    if let Some((line, col)) = cursor {
        // Lines above may wrap (a long refusal): count the rows they take.
        let row = rows(&lines[..line]);
        let pos = Position::new(rect.x + 1 + col as u16, rect.y + 1 + row);
        if pos.x < rect.x + rect.width - 1 && pos.y < rect.y + rect.height - 1 {
            frame.set_cursor_position(pos);
        }
    }
}
