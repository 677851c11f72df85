//! What each key does. The app, the help screen and the config file all read this one table, so
//! the help can never disagree with the keys.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    Back,
    Open,
    Left,
    Right,
    Up,
    Down,
    Filter,
    AddJob,
    Owner,
    Metric,
    Baseline,
    Measure,
    Intervene,
    Trip,
    TripSuggested,
    Retire,
    Continue,
    Decide,
    Step,
    CloseLoop,
    EditJob,
    CloseCycle,
    Review,
    Log,
    Digest,
    Demo,
}

impl Action {
    pub const ALL: [Action; 28] = [
        Action::Quit,
        Action::Help,
        Action::Back,
        Action::Open,
        Action::Left,
        Action::Right,
        Action::Up,
        Action::Down,
        Action::Filter,
        Action::AddJob,
        Action::Owner,
        Action::Metric,
        Action::Baseline,
        Action::Measure,
        Action::Intervene,
        Action::Trip,
        Action::TripSuggested,
        Action::Retire,
        Action::Continue,
        Action::Decide,
        Action::Step,
        Action::CloseLoop,
        Action::EditJob,
        Action::CloseCycle,
        Action::Review,
        Action::Log,
        Action::Digest,
        Action::Demo,
    ];

    /// The name used in the config file.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Back => "back",
            Action::Open => "open",
            Action::Left => "left",
            Action::Right => "right",
            Action::Up => "up",
            Action::Down => "down",
            Action::Filter => "filter",
            Action::AddJob => "add_job",
            Action::Owner => "owner",
            Action::Metric => "metric",
            Action::Baseline => "baseline",
            Action::Measure => "measurement",
            Action::Intervene => "intervention",
            Action::Trip => "trip_kill_signal",
            Action::TripSuggested => "trip_suggested",
            Action::Retire => "retire_loop",
            Action::Continue => "continue_loop",
            Action::Decide => "decision",
            Action::Step => "checklist_step",
            Action::CloseLoop => "close_loop",
            Action::EditJob => "edit_job",
            Action::CloseCycle => "close_cycle",
            Action::Review => "weekly_review",
            Action::Log => "log",
            Action::Digest => "write_digest",
            Action::Demo => "demo",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "this help",
            Action::Back => "back / cancel",
            Action::Open => "open the loop under the cursor",
            Action::Left => "previous loop",
            Action::Right => "next loop",
            Action::Up => "previous job (or item)",
            Action::Down => "next job (or item)",
            Action::Filter => "filter jobs by text",
            Action::AddJob => "add a job",
            Action::Owner => "name the loop's owner",
            Action::Metric => "set the primary metric",
            Action::Baseline => "record a baseline",
            Action::Measure => "record a measurement",
            Action::Intervene => "start an intervention",
            Action::Trip => "trip a kill signal",
            Action::TripSuggested => "trip the suggested kill signal",
            Action::Retire => "retire the loop after a tripped signal",
            Action::Continue => "continue the loop after a tripped signal",
            Action::Decide => "record a decision",
            Action::Step => "mark a checklist step done (with evidence)",
            Action::CloseLoop => "close the loop (its question answered yes)",
            Action::EditJob => "edit the job: statement and canvas",
            Action::CloseCycle => "close the cycle (compound test)",
            Action::Review => "weekly review",
            Action::Log => "audit log",
            Action::Digest => "write the weekly digest (Markdown) to a file",
            Action::Demo => "load the demo (empty database only)",
        }
    }

    fn defaults(self) -> &'static [&'static str] {
        match self {
            Action::Quit => &["q"],
            Action::Help => &["?"],
            Action::Back => &["esc"],
            Action::Open => &["enter"],
            Action::Left => &["h", "left"],
            Action::Right => &["l", "right"],
            Action::Up => &["k", "up"],
            Action::Down => &["j", "down"],
            Action::Filter => &["/"],
            Action::AddJob => &["a"],
            Action::Owner => &["o"],
            Action::Metric => &["M"],
            Action::Baseline => &["b"],
            Action::Measure => &["m"],
            Action::Intervene => &["i"],
            Action::Trip => &["x"],
            Action::TripSuggested => &["X"],
            Action::Retire => &["R"],
            Action::Continue => &["C"],
            Action::Decide => &["d"],
            Action::Step => &["s"],
            Action::CloseLoop => &["S"],
            Action::EditJob => &["e"],
            Action::CloseCycle => &["c"],
            Action::Review => &["r"],
            Action::Log => &["L"],
            Action::Digest => &["W"],
            Action::Demo => &["D"],
        }
    }
}

/// A key as written in the config file: `q`, `M`, `?`, `enter`, `esc`, `left`, `ctrl-r`, `f2`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyCodeOrd,
    pub ctrl: bool,
}

/// `KeyCode` subset with an order, so the map is printable in a stable order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCodeOrd {
    Char(char),
    F(u8),
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Left,
    Right,
    Up,
    Down,
    Home,
    End,
    PageUp,
    PageDown,
}

impl Key {
    pub fn parse(s: &str) -> Option<Key> {
        let (ctrl, rest) = match s.strip_prefix("ctrl-") {
            Some(r) => (true, r),
            None => (false, s),
        };
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" => KeyCodeOrd::Enter,
            "esc" => KeyCodeOrd::Esc,
            "tab" => KeyCodeOrd::Tab,
            "backtab" => KeyCodeOrd::BackTab,
            "backspace" => KeyCodeOrd::Backspace,
            "left" => KeyCodeOrd::Left,
            "right" => KeyCodeOrd::Right,
            "up" => KeyCodeOrd::Up,
            "down" => KeyCodeOrd::Down,
            "home" => KeyCodeOrd::Home,
            "end" => KeyCodeOrd::End,
            "pageup" => KeyCodeOrd::PageUp,
            "pagedown" => KeyCodeOrd::PageDown,
            "space" => KeyCodeOrd::Char(' '),
            f if f.len() > 1 && f.starts_with('f') => KeyCodeOrd::F(f[1..].parse().ok()?),
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                KeyCodeOrd::Char(c)
            }
        };
        Some(Key { code, ctrl })
    }

    pub fn from_event(e: &KeyEvent) -> Option<Key> {
        let code = match e.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Enter,
            KeyCode::Esc => KeyCodeOrd::Esc,
            KeyCode::Tab => KeyCodeOrd::Tab,
            KeyCode::BackTab => KeyCodeOrd::BackTab,
            KeyCode::Backspace => KeyCodeOrd::Backspace,
            KeyCode::Left => KeyCodeOrd::Left,
            KeyCode::Right => KeyCodeOrd::Right,
            KeyCode::Up => KeyCodeOrd::Up,
            KeyCode::Down => KeyCodeOrd::Down,
            KeyCode::Home => KeyCodeOrd::Home,
            KeyCode::End => KeyCodeOrd::End,
            KeyCode::PageUp => KeyCodeOrd::PageUp,
            KeyCode::PageDown => KeyCodeOrd::PageDown,
            _ => return None,
        };
        Some(Key {
            code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
        })
    }

    pub fn label(self) -> String {
        let base = match self.code {
            KeyCodeOrd::Char(' ') => "space".to_string(),
            KeyCodeOrd::Char(c) => c.to_string(),
            KeyCodeOrd::F(n) => format!("F{n}"),
            KeyCodeOrd::Enter => "Enter".into(),
            KeyCodeOrd::Esc => "Esc".into(),
            KeyCodeOrd::Tab => "Tab".into(),
            KeyCodeOrd::BackTab => "Shift-Tab".into(),
            KeyCodeOrd::Backspace => "Backspace".into(),
            KeyCodeOrd::Left => "←".into(),
            KeyCodeOrd::Right => "→".into(),
            KeyCodeOrd::Up => "↑".into(),
            KeyCodeOrd::Down => "↓".into(),
            KeyCodeOrd::Home => "Home".into(),
            KeyCodeOrd::End => "End".into(),
            KeyCodeOrd::PageUp => "PgUp".into(),
            KeyCodeOrd::PageDown => "PgDn".into(),
        };
        if self.ctrl {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }
}

#[derive(Clone, Debug)]
pub struct Keymap {
    bindings: BTreeMap<Key, Action>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        let mut bindings = BTreeMap::new();
        for a in Action::ALL {
            for k in a.defaults() {
                if let Some(key) = Key::parse(k) {
                    bindings.insert(key, a);
                }
            }
        }
        Keymap { bindings }
    }
}

impl Keymap {
    /// Replaces the keys of the actions named in `overrides` (config file `[keys]`).
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap, String> {
        let mut map = Keymap::default();
        for (name, keys) in overrides {
            let action = Action::ALL
                .into_iter()
                .find(|a| a.name() == name)
                .ok_or_else(|| format!("unknown action `{name}` in [keys]"))?;
            map.bindings.retain(|_, a| *a != action);
            for k in keys {
                let key = Key::parse(k)
                    .ok_or_else(|| format!("`{k}` is not a key (for `{name}` in [keys])"))?;
                map.bindings.insert(key, action);
            }
        }
        Ok(map)
    }

    pub fn action(&self, e: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(e)?;
        self.bindings.get(&key).copied()
    }

    /// The keys bound to `action`, for help and footers: `h/←`.
    pub fn keys_for(&self, action: Action) -> String {
        let keys: Vec<String> = self
            .bindings
            .iter()
            .filter(|(_, a)| **a == action)
            .map(|(k, _)| k.label())
            .collect();
        if keys.is_empty() {
            "unbound".into()
        } else {
            keys.join("/")
        }
    }

    /// The first key bound to `action`, for the short hints in the footer.
    pub fn key_for(&self, action: Action) -> String {
        self.bindings
            .iter()
            .find(|(_, a)| **a == action)
            .map_or("unbound".into(), |(k, _)| k.label())
    }

    /// The default `[keys]` table of the config file, written out.
    pub fn default_toml() -> String {
        let mut out = String::from("[keys]\n");
        for a in Action::ALL {
            let keys: Vec<String> = a.defaults().iter().map(|k| format!("\"{k}\"")).collect();
            out.push_str(&format!("{} = [{}]\n", a.name(), keys.join(", ")));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventKind;

    fn press(code: KeyCode) -> KeyEvent {
        KeyEvent::new_with_kind(code, KeyModifiers::NONE, KeyEventKind::Press)
    }

    #[test]
    fn defaults_cover_every_action() {
        let m = Keymap::default();
        for a in Action::ALL {
            assert_ne!(m.keys_for(a), "unbound", "{a:?}");
        }
        assert_eq!(m.action(&press(KeyCode::Char('M'))), Some(Action::Metric));
        assert_eq!(m.action(&press(KeyCode::Char('m'))), Some(Action::Measure));
        assert_eq!(m.action(&press(KeyCode::Left)), Some(Action::Left));
        assert_eq!(m.keys_for(Action::Left), "h/←");
    }

    #[test]
    fn overrides_replace_an_actions_keys() {
        let mut o = BTreeMap::new();
        o.insert(
            "quit".to_string(),
            vec!["ctrl-q".to_string(), "Q".to_string()],
        );
        let m = Keymap::with_overrides(&o).unwrap();
        assert_eq!(m.action(&press(KeyCode::Char('q'))), None);
        assert_eq!(m.action(&press(KeyCode::Char('Q'))), Some(Action::Quit));
        assert_eq!(m.keys_for(Action::Quit), "Q/Ctrl-q");
        o.insert("fly".to_string(), vec!["f".to_string()]);
        assert!(Keymap::with_overrides(&o).is_err());
        let mut bad = BTreeMap::new();
        bad.insert("quit".to_string(), vec!["nope".to_string()]);
        assert!(Keymap::with_overrides(&bad).is_err());
    }

    #[test]
    fn the_default_config_parses_back() {
        let text = Keymap::default_toml();
        let parsed: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(parsed["keys"].as_table().unwrap().len(), Action::ALL.len());
    }
}
