//! What each key does. One table declares every action — its config name, its words, its
//! default keys, where it applies and whether it records something — and the app, the hint
//! lines, the help screen and the config file all read it, so none can disagree with the keys.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

/// Where an action applies: help lists the actions of the screen you are on first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Anywhere.
    Global,
    /// A loop: the board's cell, the loop detail, a loop in the weekly review.
    Loop,
    /// A job: the board's row, the job view, the loop detail's job.
    Job,
}

macro_rules! actions {
    ($($action:ident: $name:literal, $words:literal, [$($key:literal),*], $scope:ident, $writes:literal;)+) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($action),+ }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$action),+];

            /// The name used in the config file.
            pub fn name(self) -> &'static str {
                match self { $(Action::$action => $name),+ }
            }

            /// What it does, for help.
            pub fn describe(self) -> &'static str {
                match self { $(Action::$action => $words),+ }
            }

            fn defaults(self) -> &'static [&'static str] {
                match self { $(Action::$action => &[$($key),*]),+ }
            }

            pub fn scope(self) -> Scope {
                match self { $(Action::$action => Scope::$scope),+ }
            }

            /// Whether it records something (refused on a read-only database).
            pub fn writes(self) -> bool {
                match self { $(Action::$action => $writes),+ }
            }
        }
    };
}

actions! {
    Quit: "quit", "quit", ["q"], Global, false;
    Help: "help", "help for this screen, then every key", ["?"], Global, false;
    Back: "back", "back / cancel", ["esc"], Global, false;
    Open: "open", "open the loop (or the event, the item) under the cursor", ["enter"], Global, false;
    Left: "left", "previous loop", ["h", "left"], Global, false;
    Right: "right", "next loop", ["l", "right"], Global, false;
    Up: "up", "previous job, line or item", ["k", "up"], Global, false;
    Down: "down", "next job, line or item", ["j", "down"], Global, false;
    PageUp: "page_up", "scroll up a page", ["pageup"], Global, false;
    PageDown: "page_down", "scroll down a page", ["pagedown"], Global, false;
    Filter: "filter", "filter by text (@name: by owner)", ["/"], Global, false;
    FlagFilter: "flag_filter", "next flag filter: none, no owner/metric/baseline, tripped, breach, sign-off, suggested", ["f"], Global, false;
    Review: "weekly_review", "weekly review: walk everything that needs you", ["r"], Global, false;
    Log: "log", "audit log (Enter shows an event in full)", ["L"], Global, false;
    Archived: "archived_jobs", "archived jobs (Enter brings one back, asks first)", ["U"], Global, false;
    Message: "message", "read the last message in full", ["!"], Global, false;
    Digest: "write_digest", "write the weekly digest (Markdown) to a file", ["W"], Global, false;
    WeekValuesAll: "week_values_all", "this week's values of every job, in one form", ["ctrl-n"], Global, true;
    Undo: "undo", "undo your last command (asks first)", ["u"], Global, true;
    Check: "check", "check every kill rule now", ["F"], Global, true;
    Demo: "demo", "load the demo (empty database only)", ["D"], Global, true;
    AddJob: "add_job", "add a job", ["a"], Global, true;
    JobView: "job_view", "the job: statement, canvas, loops, cycles, tools, proof", ["J"], Job, false;
    EditJob: "edit_job", "edit the job: title, statement and canvas", ["e"], Job, true;
    CloseCycle: "close_cycle", "close a week's cycle with the compound test", ["c"], Job, true;
    Tool: "tool", "record a tool selected for the job (from its view: or void one)", ["t"], Job, true;
    FlowAdd: "flow_add", "add a step to the redesigned workflow", ["w"], Job, true;
    FlowSet: "flow_set", "change a workflow step", ["z"], Job, true;
    FlowVoid: "flow_void", "remove a workflow step (kept, with why)", ["v"], Job, true;
    FlowDrop: "flow_drop", "record work the redesign removed, and why", ["B"], Job, true;
    Govern: "govern_step", "govern a workflow step: owner, approval threshold, critic check", ["G"], Job, true;
    CriticResult: "critic_result", "record a critic check's result (pass or fail)", ["H"], Job, true;
    Incident: "incident", "record an incident at a workflow step", ["I"], Job, true;
    AddProof: "add_proof", "add a proof artifact (case, story, benchmark…)", ["p"], Job, true;
    TrackProof: "track_proof", "track what a proof artifact brought back", ["P"], Job, true;
    Archive: "archive_job", "archive the job (asks first)", ["Z"], Job, true;
    WeekValues: "week_values", "this week's values of the job's loops, in one form", ["N"], Job, true;
    Owner: "owner", "name the loop's owner", ["o"], Loop, true;
    Metric: "metric", "set (or replace) the primary metric and its target", ["M"], Loop, true;
    Target: "target", "set the change the metric should be able to show", ["T"], Loop, true;
    Baseline: "baseline", "record a baseline value", ["b"], Loop, true;
    Measure: "measurement", "record a measurement", ["m"], Loop, true;
    Intervene: "intervention", "start an intervention", ["i"], Loop, true;
    Trip: "trip_kill_signal", "trip a kill signal (with a reason)", ["x"], Loop, true;
    TripSuggested: "trip_suggested", "trip the suggested kill signal", ["X"], Loop, true;
    AddSignal: "add_kill_signal", "add a kill signal, with or without a rule", ["K"], Loop, true;
    Rearm: "rearm", "re-arm a tripped kill signal", ["A"], Loop, true;
    Retire: "retire_loop", "retire (kill) the loop", ["R"], Loop, true;
    Continue: "continue_loop", "continue the loop after a tripped signal", ["C"], Loop, true;
    Decide: "decision", "record an irreversible decision and its owner", ["d"], Loop, true;
    SignOff: "sign_off", "sign off a decision you own, or record an owner's sign-off you witnessed (local file)", ["Y"], Loop, true;
    Amend: "amend_decision", "amend a decision's owner or threshold", ["E"], Loop, true;
    Step: "checklist_step", "mark a checklist step done (with evidence)", ["s"], Loop, true;
    UndoStep: "undo_step", "mark a checklist step not done", ["-"], Loop, true;
    AddStep: "add_step", "add a step to the checklist", ["+"], Loop, true;
    Notes: "notes", "edit the loop's notes", ["n"], Loop, true;
    Learn: "learning", "capture a learning (mistake, change, evidence…)", ["g"], Loop, true;
    Void: "void", "void a record entered by mistake", ["V"], Loop, true;
    CloseLoop: "close_loop", "close the loop (its question answered yes)", ["S"], Loop, true;
    Reopen: "reopen", "open or reopen the loop", ["O"], Loop, true;
}

impl Action {
    /// The word or two the hint line shows beside the key.
    pub fn hint(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "help",
            Action::Back => "back",
            Action::Open => "open",
            Action::Left => "previous loop",
            Action::Right => "next loop",
            Action::Up => "up",
            Action::Down => "down",
            Action::Filter => "filter",
            Action::FlagFilter => "flags",
            Action::Review => "weekly review",
            Action::AddJob => "add job",
            Action::JobView => "job",
            Action::EditJob => "edit",
            Action::CloseCycle => "close cycle",
            Action::Tool => "tool",
            Action::FlowAdd => "add step",
            Action::FlowSet => "change step",
            Action::FlowVoid => "remove step",
            Action::FlowDrop => "removed work",
            Action::Govern => "govern",
            Action::CriticResult => "critic result",
            Action::Incident => "incident",
            Action::AddProof => "add proof",
            Action::TrackProof => "track proof",
            Action::Owner => "owner",
            Action::Metric => "metric",
            Action::Baseline => "baseline",
            Action::Measure => "measure",
            Action::Trip => "trip",
            Action::Step => "step",
            Action::Learn => "learning",
            Action::Void => "void",
            Action::Demo => "demo",
            Action::Undo => "undo",
            Action::Archived => "archived",
            Action::WeekValues => "week's values",
            Action::WeekValuesAll => "every job's week",
            _ => self.name(),
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
                    bindings.insert(key, *a);
                }
            }
        }
        Keymap { bindings }
    }
}

impl Keymap {
    /// Replaces the keys of the actions named in `overrides` (config file `[keys]`). A key that
    /// ends up bound to two actions is reported (the one named later in the file wins).
    pub fn with_overrides(
        overrides: &BTreeMap<String, Vec<String>>,
    ) -> Result<(Keymap, Vec<String>), String> {
        let mut map = Keymap::default();
        let mut warnings = Vec::new();
        for (name, keys) in overrides {
            let action = Action::ALL
                .iter()
                .copied()
                .find(|a| a.name() == name)
                .ok_or_else(|| format!("unknown action `{name}` in [keys]"))?;
            map.bindings.retain(|_, a| *a != action);
            for k in keys {
                let key = Key::parse(k)
                    .ok_or_else(|| format!("`{k}` is not a key (for `{name}` in [keys])"))?;
                if let Some(old) = map.bindings.insert(key, action)
                    && old != action
                {
                    warnings.push(format!(
                        "config.toml binds {} to both {} and {}: it does {}",
                        key.label(),
                        old.name(),
                        action.name(),
                        action.name()
                    ));
                }
            }
        }
        Ok((map, warnings))
    }

    pub fn action(&self, e: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(e)?;
        self.bindings.get(&key).copied()
    }

    /// The keys bound to `action`, for help: `h/←`.
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

    /// The first key bound to `action`, for short hints.
    pub fn key_for(&self, action: Action) -> String {
        self.bindings
            .iter()
            .find(|(_, a)| **a == action)
            .map_or("unbound".into(), |(k, _)| k.label())
    }

    /// The README's key table: every action with its default keys, where it applies first.
    pub fn markdown_table() -> String {
        let keys = Keymap::default();
        let mut out = String::from("| key | where | does |\n|---|---|---|\n");
        for scope in [Scope::Loop, Scope::Job, Scope::Global] {
            for a in Action::ALL.iter().filter(|a| a.scope() == scope) {
                let where_ = match scope {
                    Scope::Loop => "a loop",
                    Scope::Job => "a job",
                    Scope::Global => "anywhere",
                };
                let shown = keys.keys_for(*a).replace('|', "\\|");
                out.push_str(&format!("| `{shown}` | {where_} | {} |\n", a.describe()));
            }
        }
        out
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
    fn defaults_cover_every_action_once() {
        let m = Keymap::default();
        for a in Action::ALL {
            assert_ne!(m.keys_for(*a), "unbound", "{a:?}");
        }
        let bound: usize = Action::ALL.iter().map(|a| a.defaults().len()).sum();
        assert_eq!(m.bindings.len(), bound, "a default key is bound twice");
        assert_eq!(m.action(&press(KeyCode::Char('M'))), Some(Action::Metric));
        assert_eq!(m.action(&press(KeyCode::Char('m'))), Some(Action::Measure));
        assert_eq!(m.action(&press(KeyCode::Left)), Some(Action::Left));
        assert_eq!(m.keys_for(Action::Left), "h/←");
    }

    #[test]
    fn overrides_replace_an_actions_keys_and_report_clashes() {
        let mut o = BTreeMap::new();
        o.insert(
            "quit".to_string(),
            vec!["ctrl-q".to_string(), "Q".to_string()],
        );
        let (m, warnings) = Keymap::with_overrides(&o).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(m.action(&press(KeyCode::Char('q'))), None);
        assert_eq!(m.action(&press(KeyCode::Char('Q'))), Some(Action::Quit));
        assert_eq!(m.keys_for(Action::Quit), "Q/Ctrl-q");
        o.insert("help".to_string(), vec!["Q".to_string()]);
        let (_, warnings) = Keymap::with_overrides(&o).unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("Q to both"), "{warnings:?}");
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
