//! The optional config file, `$XDG_CONFIG_HOME/jobloop/config.toml`: key bindings, colors and
//! hooks (`crate::hooks`). A broken file never stops the TUI: the defaults are used and the
//! problem is shown; hooks that are wrong run nothing, and the status line says so.

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::str::FromStr;

use super::keymap::Keymap;
use crate::domain::model::Status;
use crate::hooks::Hooks;

#[derive(Clone, Debug)]
pub struct Theme {
    /// False under `NO_COLOR`: every distinction is then made by symbols, bold and reverse video.
    pub color: bool,
    pub not_started: Color,
    pub open: Color,
    pub closed: Color,
    pub killed: Color,
    pub alert: Color,
    pub accent: Color,
    pub muted: Color,
}

impl Theme {
    pub fn new(color: bool) -> Theme {
        Theme {
            color,
            not_started: Color::DarkGray,
            open: Color::Yellow,
            closed: Color::Green,
            killed: Color::Red,
            alert: Color::LightRed,
            accent: Color::Cyan,
            muted: Color::Gray,
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub fn status(&self, s: Status) -> Style {
        self.fg(match s {
            Status::NotStarted => self.not_started,
            Status::Open => self.open,
            Status::Closed => self.closed,
            Status::Killed => self.killed,
        })
    }

    pub fn alert(&self) -> Style {
        self.fg(self.alert).add_modifier(Modifier::BOLD)
    }

    pub fn accent(&self) -> Style {
        self.fg(self.accent)
    }

    pub fn muted(&self) -> Style {
        self.fg(self.muted)
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    keys: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    colors: BTreeMap<String, String>,
    /// Read by `crate::hooks`, which checks every key of it.
    #[serde(default, rename = "hooks")]
    _hooks: Option<serde::de::IgnoredAny>,
}

#[derive(Debug)]
pub struct Config {
    pub keymap: Keymap,
    pub theme: Theme,
    pub hooks: Hooks,
    /// A problem with the config file, shown once in the status line.
    pub warning: Option<String>,
}

pub fn path() -> Option<PathBuf> {
    crate::paths::config_dir().map(|d| d.join("config.toml"))
}

/// Reads the config file if there is one.
pub fn load(color: bool) -> Config {
    let Some(path) = path() else {
        return load_text(None, "config.toml", color);
    };
    let text = std::fs::read_to_string(&path).ok();
    load_text(text.as_deref(), &path.display().to_string(), color)
}

/// The config of a file's text (`None`: no file). Keys and colors and hooks are read apart, so
/// a mistyped color does not silence a hook, nor a wrong hook the keys.
pub fn load_text(text: Option<&str>, file: &str, color: bool) -> Config {
    let Some(text) = text else {
        return Config {
            keymap: Keymap::default(),
            theme: Theme::new(color),
            hooks: Hooks::default(),
            warning: None,
        };
    };
    let (hooks, hooks_warning) = match Hooks::from_text(text, file) {
        Ok(h) => (h, None),
        Err(e) => (Hooks::default(), Some(format!("no hook runs: {e}"))),
    };
    let mut config = parse(text, color).unwrap_or_else(|e| Config {
        keymap: Keymap::default(),
        theme: Theme::new(color),
        hooks: Hooks::default(),
        warning: Some(format!("config.toml ignored: {e}")),
    });
    config.hooks = hooks;
    if let Some(w) = hooks_warning {
        // A file that does not parse at all is said once.
        config.warning = Some(match config.warning.take() {
            Some(other) if !other.starts_with("config.toml ignored") => format!("{w}; {other}"),
            _ => w,
        });
    }
    config
}

pub fn parse(text: &str, color: bool) -> Result<Config, String> {
    let file: File = toml::from_str(text).map_err(|e| e.message().to_string())?;
    let (keymap, warnings) = Keymap::with_overrides(&file.keys)?;
    let mut theme = Theme::new(color);
    for (name, value) in &file.colors {
        let c = Color::from_str(value)
            .map_err(|_| format!("`{value}` is not a color (for `{name}` in [colors])"))?;
        match name.as_str() {
            "not_started" => theme.not_started = c,
            "open" => theme.open = c,
            "closed" => theme.closed = c,
            "killed" => theme.killed = c,
            "alert" => theme.alert = c,
            "accent" => theme.accent = c,
            "muted" => theme.muted = c,
            other => return Err(format!("unknown color `{other}` in [colors]")),
        }
    }
    Ok(Config {
        keymap,
        theme,
        hooks: Hooks::default(),
        warning: (!warnings.is_empty()).then(|| warnings.join("; ")),
    })
}

/// The whole default config file, as the README documents it.
pub fn default_toml() -> String {
    format!(
        "{}\n[colors]\nnot_started = \"darkgray\"\nopen = \"yellow\"\nclosed = \"green\"\nkilled = \"red\"\nalert = \"lightred\"\naccent = \"cyan\"\nmuted = \"gray\"\n\n[hooks]\ntimeout_seconds = {}\n",
        Keymap::default_toml(),
        crate::hooks::DEFAULT_TIMEOUT.as_secs()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_parses() {
        let c = parse(&default_toml(), true).unwrap();
        assert_eq!(c.theme.open, Color::Yellow);
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(
            parse("[colors]\nopen = \"plaid\"", true)
                .unwrap_err()
                .contains("plaid")
        );
        assert!(
            parse("[keys]\nquit = [\"nope\"]", true)
                .unwrap_err()
                .contains("nope")
        );
        assert!(parse("[wat]", true).is_err());
        let c = parse("[colors]\nopen = \"#ff8800\"", true).unwrap();
        assert_eq!(c.theme.open, Color::Rgb(255, 136, 0));
    }

    #[test]
    fn a_wrong_hook_runs_nothing_and_keeps_the_keys() {
        let c = load_text(
            Some("[colors]\nopen = \"red\"\n[[hooks.run]]\nprogram = \"x\"\nevents = [\"kill\"]\n"),
            "/home/ana/.config/jobloop/config.toml",
            true,
        );
        assert_eq!(c.theme.open, Color::Red);
        assert!(c.hooks.hooks.is_empty());
        let w = c.warning.unwrap();
        assert!(
            w.starts_with("no hook runs: /home/ana/.config/jobloop/config.toml: events of the 1st [[hooks.run]]"),
            "{w}"
        );
        // A wrong color keeps the hooks.
        let c = load_text(
            Some("[colors]\nopen = \"plaid\"\n[[hooks.run]]\nprogram = \"x\"\nevents = [\"*\"]\n"),
            "config.toml",
            true,
        );
        assert_eq!(c.hooks.hooks.len(), 1);
        assert!(c.warning.unwrap().contains("plaid"));
        assert_eq!(
            load_text(Some(&default_toml()), "config.toml", true).hooks,
            Hooks::default()
        );
    }

    #[test]
    fn no_color_keeps_styles_plain_but_selection_visible() {
        let t = Theme::new(false);
        assert_eq!(t.status(Status::Open), Style::new());
        assert!(t.selected().add_modifier.contains(Modifier::REVERSED));
    }
}

#[cfg(test)]
mod readme {
    /// The README shows the default config file; this keeps the two from drifting apart.
    #[test]
    fn the_readme_shows_the_default_config() {
        let readme = include_str!("../../README.md");
        let table = crate::tui::keymap::Keymap::markdown_table();
        assert!(
            readme.contains(&table),
            "README.md must contain the key table:\n{table}"
        );
        assert!(
            readme.contains(&super::default_toml()),
            "README.md must contain the default config:\n{}",
            super::default_toml()
        );
    }
}
