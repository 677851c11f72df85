//! Where jobloop keeps its files when not told otherwise (the XDG base directories).

use std::env;
use std::path::PathBuf;

/// `$XDG_DATA_HOME/jobloop/jobloop.db`, else `~/.local/share/jobloop/jobloop.db`.
pub fn default_db() -> Result<PathBuf, String> {
    base("XDG_DATA_HOME", ".local/share")
        .map(|d| d.join("jobloop").join("jobloop.db"))
        .ok_or_else(|| {
            "cannot find a home for the database: set HOME or XDG_DATA_HOME, or give --db PATH"
                .to_string()
        })
}

/// `$XDG_CONFIG_HOME/jobloop`, else `~/.config/jobloop`.
pub fn config_dir() -> Option<PathBuf> {
    base("XDG_CONFIG_HOME", ".config").map(|d| d.join("jobloop"))
}

/// The XDG variable when it holds an absolute path (the spec says to ignore relative ones),
/// else the fallback under `$HOME`.
fn base(var: &str, fallback: &str) -> Option<PathBuf> {
    env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|h| h.join(fallback))
        })
}
