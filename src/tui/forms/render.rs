//! A form as a modal box over the current screen. Fields scroll when the box is taller than the
//! terminal, so the focused one is always in view.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui_textarea::WrapMode;

use super::{Form, Input};
use crate::display::clean;
use crate::tui::config::Theme;
use crate::tui::views::{fit, wrapped_rows};

/// One block of the form's body, in order: its height and what draws it.
enum Piece<'a> {
    Text(Line<'a>),
    Field(usize),
}

pub fn render(frame: &mut Frame, theme: &Theme, form: &mut Form, area: Rect) {
    let width = area.width.saturating_sub(2).clamp(20, 100);
    let inner_w = width.saturating_sub(2).max(1);
    let label_w = form
        .fields
        .iter()
        .map(|f| f.label.chars().count())
        .max()
        .unwrap_or(8)
        // Up to half the width: a label that names a job, a loop and a metric (the week form)
        // stays readable; short labels take only what they need.
        .min((inner_w / 2) as usize)
        .max(6);
    let value_w = inner_w.saturating_sub(label_w as u16 + 3).max(4);
    let pieces = pieces(theme, form, inner_w);
    let total: u16 = pieces.iter().map(|(_, h)| *h).sum();
    let height = (total + 2).min(area.height);
    let visible = height.saturating_sub(2);
    let skip = scroll_to_focus(&pieces, form.focus, visible);
    let x = area.x + (area.width.saturating_sub(width)) / 2;
    let top = area.y + (area.height.saturating_sub(height)) / 2;
    let rect = Rect::new(x, top, width, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Block::bordered().title(Span::styled(
            fit(&form.title, width.saturating_sub(4) as usize),
            theme.title(),
        )),
        rect,
    );
    let mut y = 0u16;
    let focus = form.focus;
    for (piece, h) in pieces {
        let start = y;
        y += h;
        if start < skip || start - skip >= visible {
            continue;
        }
        let row = rect.y + 1 + start - skip;
        let h = h.min(visible - (start - skip));
        match piece {
            Piece::Text(line) => frame.render_widget(
                Paragraph::new(line).wrap(Wrap { trim: false }),
                Rect::new(rect.x + 1, row, inner_w, h),
            ),
            Piece::Field(i) => {
                let f = &mut form.fields[i];
                let focused = i == focus;
                let marker = if focused { ">" } else { " " };
                let label_style = if focused {
                    theme.selected()
                } else {
                    theme.title()
                };
                frame.render_widget(
                    Paragraph::new(Span::styled(
                        format!("{marker} {:<label_w$}", fit(&f.label, label_w)),
                        label_style,
                    )),
                    Rect::new(rect.x + 1, row, label_w as u16 + 2, 1),
                );
                let value_area = Rect::new(rect.x + 1 + label_w as u16 + 3, row, value_w, h);
                render_value(frame, &mut f.input, focused, value_area);
            }
        }
    }
}

/// The body as pieces with their heights: the leave question, the error, the intro, each field
/// with its error and note, and the keys.
fn pieces(theme: &Theme, form: &Form, inner_w: u16) -> Vec<(Piece<'static>, u16)> {
    let mut pieces: Vec<(Piece, u16)> = Vec::new();
    let text = |pieces: &mut Vec<(Piece, u16)>, line: Line<'static>| {
        let h = wrapped_rows(&line, inner_w);
        pieces.push((Piece::Text(line), h));
    };
    if form.leaving {
        text(
            &mut pieces,
            Line::styled(
                "Throw away what you typed? y throws it away · any other key keeps editing",
                theme.alert(),
            ),
        );
        text(&mut pieces, Line::raw(""));
    }
    if let Some(e) = &form.error {
        text(
            &mut pieces,
            Line::styled(clean(e).into_owned(), theme.alert()),
        );
        text(&mut pieces, Line::raw(""));
    }
    for l in &form.intro {
        text(
            &mut pieces,
            Line::styled(clean(l).into_owned(), theme.muted()),
        );
    }
    if !form.intro.is_empty() && !form.fields.is_empty() {
        text(&mut pieces, Line::raw(""));
    }
    for (i, f) in form.fields.iter().enumerate() {
        let rows = match &f.input {
            Input::Lines(_, rows) => *rows,
            _ => 1,
        };
        pieces.push((Piece::Field(i), rows));
        // A field's error (and note) scrolls into view with it: a refusal at the bottom of a
        // long form is never below the box.
        for msg in [&f.error, &f.note].into_iter().flatten() {
            let style = if f.error.is_some() && Some(msg) == f.error.as_ref() {
                theme.alert()
            } else {
                theme.muted()
            };
            text(
                &mut pieces,
                Line::styled(format!("  {}", clean(msg)), style),
            );
        }
    }
    text(&mut pieces, Line::raw(""));
    let hint = if form.fields.is_empty() {
        "Enter confirm · Esc cancel"
    } else if form.in_lines() {
        "Tab next · Shift-Tab previous · Enter new line · Ctrl-s save · Esc cancel"
    } else {
        "Tab/↓ next · Shift-Tab/↑ previous · Enter save · Esc cancel · ←/→ y/n change a choice"
    };
    text(&mut pieces, Line::styled(hint, theme.muted()));

    pieces
}

/// How many rows to scroll so the focused field (with its messages) is in view.
fn scroll_to_focus(pieces: &[(Piece, u16)], focus: usize, visible: u16) -> u16 {
    let mut y_focus = 0u16;
    let mut h_focus = 1u16;
    let mut y = 0u16;
    let mut in_focus = false;
    for (p, h) in pieces {
        match p {
            Piece::Field(i) if *i == focus => {
                y_focus = y;
                h_focus = *h;
                in_focus = true;
            }
            Piece::Text(_) if in_focus => h_focus += h,
            _ => in_focus = false,
        }
        y += h;
    }
    // The field itself stays in view even when its lines are taller than the box.
    (y_focus + h_focus).saturating_sub(visible).min(y_focus)
}

/// A field's value: a text input with its cursor, a yes/no answer or a choice among options.
fn render_value(frame: &mut Frame, input: &mut Input, focused: bool, value_area: Rect) {
    match input {
        Input::Line(t) | Input::Lines(t, _) => {
            let cursor = if focused {
                Style::new().add_modifier(Modifier::REVERSED)
            } else {
                Style::new()
            };
            t.set_cursor_style(cursor);
            // A selected pre-filled value (typing replaces it) shows as selected
            // only while focused; reversed so it shows without colour too.
            t.set_selection_style(cursor);
            if matches!(input, Input::Lines(..))
                && let Input::Lines(t, _) = input
            {
                t.set_wrap_mode(WrapMode::WordOrGlyph);
            }
            if let Input::Line(t) | Input::Lines(t, _) = &*input {
                frame.render_widget(&**t, value_area);
            }
        }
        Input::Answer(a) => {
            let shown = match a {
                Some(true) => "‹ yes ›",
                Some(false) => "‹ no ›",
                None => "‹ ? › (y/n)",
            };
            frame.render_widget(Paragraph::new(shown), value_area);
        }
        Input::Choice { options, chosen } => {
            let n = options.len();
            let label = options.get(*chosen).map(String::as_str).unwrap_or("");
            let count = if n > 1 {
                format!(" ({}/{n})", *chosen + 1)
            } else {
                String::new()
            };
            let room = (value_area.width as usize).saturating_sub(4 + count.chars().count());
            frame.render_widget(
                Paragraph::new(format!("‹ {} ›{count}", fit(label, room))),
                value_area,
            );
        }
    }
}
