//! Where jobloop keeps its files when not told otherwise (the XDG base directories).

use etcetera::BaseStrategy;
use std::path::PathBuf;

fn xdg() -> Result<etcetera::base_strategy::Xdg, String> {
    etcetera::base_strategy::Xdg::new().map_err(|_| {
        "cannot find a home for the database: set HOME or XDG_DATA_HOME, or give --db PATH"
            .to_string()
    })
}

/// `$XDG_DATA_HOME/jobloop/jobloop.db`, else `~/.local/share/jobloop/jobloop.db`.
pub fn default_db() -> Result<PathBuf, String> {
    Ok(xdg()?.data_dir().join("jobloop").join("jobloop.db"))
}

/// `$XDG_CONFIG_HOME/jobloop`, else `~/.config/jobloop`.
pub fn config_dir() -> Option<PathBuf> {
    xdg().ok().map(|x| x.config_dir().join("jobloop"))
}
