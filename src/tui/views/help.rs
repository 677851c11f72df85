//! Help for the screen you are on: its keys first, then every other key, the form keys, the
//! mouse and the config file — all from the same keymap as the hint line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::scroll::Scroll;
use super::{Go, Shared};
use crate::tui::keymap::{Action, Scope};

pub struct Help {
    /// The screen help was opened from, and the scopes that apply there.
    pub screen: &'static str,
    pub scopes: Vec<Scope>,
    scroll: Scroll,
}

impl Help {
    pub fn new(screen: &'static str, scopes: Vec<Scope>) -> Help {
        Help {
            screen,
            scopes,
            scroll: Scroll::default(),
        }
    }

    pub fn handle(&mut self, action: Action) -> Go {
        if self.scroll.key(action) {
            return Go::Stay;
        }
        match action {
            Action::Help => Go::Back,
            _ => Go::Pass,
        }
    }

    pub fn render(&mut self, frame: &mut Frame, s: &Shared, area: Rect) {
        let plain = Style::new();
        let entry = |a: &Action| {
            (
                format!("  {:<14} {}", s.keys.keys_for(*a), a.describe()),
                plain,
            )
        };
        let mut lines: Vec<(String, Style)> = vec![(
            format!("Keys on the {} screen", self.screen),
            s.theme.title(),
        )];
        let here: Vec<&Action> = Action::ALL
            .iter()
            .filter(|a| a.scope() != Scope::Global && self.scopes.contains(&a.scope()))
            .collect();
        lines.extend(here.iter().map(|a| entry(a)));
        lines.push((String::new(), plain));
        lines.push(("Everywhere".into(), s.theme.title()));
        lines.extend(
            Action::ALL
                .iter()
                .filter(|a| a.scope() == Scope::Global)
                .map(entry),
        );
        lines.push(("  Ctrl-c         quit from anywhere".into(), plain));
        let other: Vec<&Action> = Action::ALL
            .iter()
            .filter(|a| a.scope() != Scope::Global && !self.scopes.contains(&a.scope()))
            .collect();
        if !other.is_empty() {
            lines.push((String::new(), plain));
            lines.push(("On other screens".into(), s.theme.title()));
            lines.extend(other.iter().map(|a| entry(a)));
        }
        for l in [
            "",
            "In a form",
            "  Tab / ↓        next field (↓ moves within a text area)",
            "  Shift-Tab / ↑  previous field",
            "  Enter          save (a new line in a text area)",
            "  Ctrl-s         save from anywhere in the form",
            "  Esc            cancel (asks first when something was typed)",
            "  ←/→, space     change a choice",
            "  y / n          answer yes or no",
            "  Ctrl-u         clear to the start of the line",
            "",
            "Mouse",
            "  click          select a cell of the board",
            "  wheel          move up and down",
            "",
            "Keys and colors: config.toml under $XDG_CONFIG_HOME/jobloop",
        ] {
            let style = if l.starts_with(' ') || l.is_empty() || l.starts_with("Keys and") {
                plain
            } else {
                s.theme.title()
            };
            lines.push((l.to_string(), style));
        }
        self.scroll.render(frame, s.theme, &lines, area);
    }
}
