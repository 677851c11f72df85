//! Text that scrolls: the loop detail, the job view, help and an audit event shown in full keep
//! where they are in one `Scroll`, and draw through it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::tui::config::Theme;
use crate::tui::keymap::Action;

/// Where a scrolling text is, and how much of it there was at the last draw (for paging and
/// keeping the position inside the text).
#[derive(Clone, Debug)]
pub struct Scroll {
    top: usize,
    height: usize,
    lines: usize,
}

impl Default for Scroll {
    fn default() -> Scroll {
        Scroll {
            top: 0,
            height: 10,
            lines: 0,
        }
    }
}

impl Scroll {
    /// Moves for a scrolling key; `false` for any other key.
    pub fn key(&mut self, action: Action) -> bool {
        let page = self.height.max(2) - 1;
        match action {
            Action::Down => self.top += 1,
            Action::Up => self.top = self.top.saturating_sub(1),
            Action::PageDown => self.top += page,
            Action::PageUp => self.top = self.top.saturating_sub(page),
            _ => return false,
        }
        self.top = clamp_scroll(self.top, self.lines, self.height);
        true
    }

    /// Back to the top (another loop, another event).
    pub fn reset(&mut self) {
        self.top = 0;
    }

    /// Draws the rows of `text` that fit in `area`, wrapped to its width. When there is more,
    /// the last row says where the view is, on a row of its own.
    pub fn render(
        &mut self,
        frame: &mut Frame,
        theme: &Theme,
        text: &[(String, Style)],
        area: Rect,
    ) {
        let rows = wrap(text, area.width.max(10) as usize);
        self.lines = rows.len();
        let more = self.lines > area.height as usize && area.height > 1;
        self.height = area.height as usize - usize::from(more);
        self.top = clamp_scroll(self.top, self.lines, self.height);
        let shown: Vec<Line> = rows
            .into_iter()
            .skip(self.top)
            .take(self.height)
            .map(|(t, st)| Line::styled(t, st))
            .collect();
        frame.render_widget(Paragraph::new(shown), area);
        if more {
            let end = self.top + self.height;
            let arrows = match (self.top > 0, end < self.lines) {
                (true, true) => " ↑↓",
                (true, false) => " ↑",
                _ => " ↓",
            };
            let mark = format!("{}/{}{arrows}", end.min(self.lines), self.lines);
            frame.render_widget(
                Paragraph::new(Line::styled(mark, theme.muted())).right_aligned(),
                Rect::new(area.x, area.y + area.height - 1, area.width, 1),
            );
        }
    }
}

/// Logical lines wrapped at `width` cells (words kept whole where they fit).
pub fn wrap(lines: &[(String, Style)], width: usize) -> Vec<(String, Style)> {
    use unicode_width::UnicodeWidthChar;
    let mut out = Vec::new();
    for (text, style) in lines {
        let mut row = String::new();
        let mut used = 0;
        let mut word = String::new();
        let mut word_w = 0;
        let flush_word = |row: &mut String,
                          used: &mut usize,
                          word: &mut String,
                          word_w: &mut usize,
                          out: &mut Vec<(String, Style)>| {
            if *used + *word_w > width && *used > 0 {
                out.push((std::mem::take(row), *style));
                *used = 0;
                let trimmed = word.trim_start().to_string();
                *word_w = unicode_width::UnicodeWidthStr::width(trimmed.as_str());
                *word = trimmed;
            }
            while *word_w > width {
                let mut part = String::new();
                let mut pw = 0;
                let mut rest = String::new();
                for c in word.chars() {
                    let cw = c.width().unwrap_or(0);
                    if pw + cw <= width && rest.is_empty() {
                        part.push(c);
                        pw += cw;
                    } else {
                        rest.push(c);
                    }
                }
                out.push((part, *style));
                *word_w -= pw;
                *word = rest;
            }
            row.push_str(word);
            *used += *word_w;
            word.clear();
            *word_w = 0;
        };
        for c in text.chars() {
            if c == ' ' && !word.is_empty() {
                flush_word(&mut row, &mut used, &mut word, &mut word_w, &mut out);
            }
            word.push(c);
            word_w += c.width().unwrap_or(0);
        }
        flush_word(&mut row, &mut used, &mut word, &mut word_w, &mut out);
        out.push((row, *style));
    }
    out
}

/// A scroll offset kept within the text: `lines` lines in `height` rows.
fn clamp_scroll(scroll: usize, lines: usize, height: usize) -> usize {
    scroll.min(lines.saturating_sub(height.max(1)))
}
