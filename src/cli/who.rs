//! Who acts and on which database: `--as` and `--db`, else the environment.

use super::*;

/// The operating system's name for the account running jobloop.
fn os_account() -> Option<String> {
    nix::unistd::User::from_uid(nix::unistd::geteuid())
        .ok()
        .flatten()
        .map(|u| u.name)
}

/// Who is acting: `--as`, else `JOBLOOP_USER`, else `$USER`, else the account's name; `None`
/// when none of them gives a name. A name given but unusable is an error.
pub fn actor(given: Option<&str>) -> Result<Option<String>, Failure> {
    let (name, source) = match given {
        Some(n) => (Some(n.to_string()), "--as"),
        None => match std::env::var("JOBLOOP_USER")
            .ok()
            .filter(|s| !s.trim().is_empty())
        {
            Some(n) => (Some(n), "JOBLOOP_USER"),
            None => match std::env::var("USER").ok().filter(|s| !s.trim().is_empty()) {
                Some(n) => (Some(n), "USER"),
                None => (os_account(), "the account name"),
            },
        },
    };
    let Some(name) = name else {
        return Ok(None);
    };
    // The same rule as every owner and lead name, so an actor can always be named an owner.
    let name = crate::domain::text::person_name(&format!("name given by {source}"), &name)
        .map_err(|r| fail(exit::USAGE, r.to_string()))?;
    Ok(Some(name))
}

pub(super) fn require_actor(cli: &Cli) -> Result<String, Failure> {
    actor(cli.actor.as_deref())?.ok_or_else(|| {
        fail(
            exit::USAGE,
            "who is acting? no account name is available here: give --as NAME or set JOBLOOP_USER",
        )
    })
}

pub(super) fn db_path(cli: &Cli) -> Result<PathBuf, Failure> {
    match &cli.db {
        Some(p) => Ok(p.clone()),
        None => crate::paths::default_db().map_err(|m| fail(exit::NO_DATABASE, m)),
    }
}
