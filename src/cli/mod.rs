//! The command line: parse, turn into an intent, run it through the store, print. No rules here.
//!
//! This file dispatches; each group of commands lives in its own module: `reads` (commands that
//! only read), `writes` (one intent each), `shared` (the PostgreSQL store's `migrate` and `team`),
//! `transfer`, `values`, `health`, `publish`; `failure`, `output` and `who` are what they share.

mod args;
mod failure;
mod flow;
mod health;
mod intents;
mod output;
mod publish;
mod reads;
mod remedy;
mod render;
mod shared;
mod transfer;
mod values;
mod who;
mod writes;

use clap::{CommandFactory, Parser};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::display::clean;
use crate::domain::hook::Happening;
use crate::domain::intent::Intent;
use crate::domain::job::NewJob;
use crate::domain::time::{Week, When};
use crate::domain::{Ctx, RefusalKind, Stamp};
use crate::files::{FileError, io_words, write_file};
use crate::hooks::Hooks;
use crate::store::{self, Ack, Missing, Store};
pub use args::Cli;
use args::*;
pub use failure::{Failure, exit};
use failure::{clap_failure, fail};
use health::{doctor_cmd, verify_cmd};
use intents::intent_of;
use output::{Watched, ack, after, emit, emit_json, hooks_for_writes, out_err, say};
use reads::{read_cmd, review_cmd};
use shared::shared_cmd;
use transfer::{demo_cmd, export_cmd, import_cmd};
pub use who::actor;
use who::{db_path, require_actor};
use writes::write_cmd;

/// Runs the program and returns its exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_failure(e),
    };
    match run(cli) {
        Ok(()) => 0,
        Err(f) => {
            let _ = writeln!(io::stderr(), "jobloop: error: {}", clean(&f.message));
            f.code
        }
    }
}

fn today() -> When {
    When::Day(Stamp::now().local_date())
}

fn run(cli: Cli) -> Result<(), Failure> {
    let Some(command) = cli.command.as_ref() else {
        return no_command(&cli);
    };
    if let Command::Completions { shell } = command {
        let mut script = Vec::new();
        clap_complete::generate(*shell, &mut Cli::command(), "jobloop", &mut script);
        return emit(&String::from_utf8_lossy(&script));
    }
    let path = db_path(&cli)?;
    if store::pg::is_url(&path) {
        return shared_cmd(&cli, &path, command);
    }
    local_cmd(&cli, &path, command)
}

/// No command: on a terminal, the TUI; piped or redirected, the review as text.
fn no_command(cli: &Cli) -> Result<(), Failure> {
    let path = db_path(cli)?;
    if io::stdout().is_terminal() && io::stdin().is_terminal() {
        let store = Store::open(&path, Missing::Create)?;
        // On the shared store the server says who is acting.
        let who = match store.identity() {
            Some(me) => {
                store.ctx(cli.actor.as_deref(), Stamp::now())?;
                Some(me.to_string())
            }
            None => actor(cli.actor.as_deref())?,
        };
        return crate::tui::run(store, who)
            .map_err(|e| fail(exit::IO, format!("the terminal failed: {e}")));
    }
    let mut store = Store::open(&path, Missing::Refuse)?;
    review_cmd(&mut store, false, false, None)
}

/// A command on a local database file.
fn local_cmd(cli: &Cli, path: &Path, command: &Command) -> Result<(), Failure> {
    match command {
        Command::Migrate | Command::Team(_) => Err(fail(
            exit::USAGE,
            "`migrate` and `team` are for a shared PostgreSQL database (--db postgresql://…); a local file is upgraded when it is opened and has one user",
        )),
        Command::Init => init_cmd(path),
        Command::Doctor { repair } => {
            let (mut store, log) = Store::open_for_doctor(path, *repair)?;
            doctor_cmd(&mut store, *repair, log)
        }
        _ if command.reads_only() => {
            let mut store = Store::open(path, Missing::Refuse)?;
            read_cmd(&mut store, command)
        }
        Command::Job(JobCmd::Add {
            title,
            slug,
            statement,
            owner,
            ..
        }) => {
            let ctx = Ctx::local(require_actor(cli)?, Stamp::now());
            let hooks = hooks_for_writes()?;
            // Checked before the file is touched: a refused command creates nothing.
            NewJob::create(
                title,
                slug.as_deref(),
                statement.as_deref(),
                owner.as_deref(),
                &ctx,
            )
            .map_err(|r| Failure::from(store::Error::Refused(r)))?;
            let mut store = Store::open(path, Missing::Create)?;
            write_cmd(&mut store, &ctx, command, &hooks)
        }
        _ => {
            let ctx = Ctx::local(require_actor(cli)?, Stamp::now());
            match command {
                Command::Import { file } => import_cmd(path, file),
                Command::Demo { jobs, weeks, seed } => {
                    demo_cmd(path, *jobs as usize, *weeks, *seed)
                }
                _ => {
                    let hooks = hooks_for_writes()?;
                    let mut store = Store::open(path, Missing::Refuse)?;
                    write_cmd(&mut store, &ctx, command, &hooks)
                }
            }
        }
    }
}

/// `init`: a new database, or an existing one left as it is.
fn init_cmd(path: &Path) -> Result<(), Failure> {
    let existed = std::fs::metadata(path)
        .map(|m| m.len() > 0)
        .unwrap_or(false);
    Store::init(path)?;
    let verb = if existed {
        "already a jobloop database"
    } else {
        "initialised"
    };
    emit(&format!(
        "{}: {verb} (schema version {})\n",
        clean(&path.display().to_string()),
        store::SCHEMA_VERSION
    ))
}

/// A command that cannot run where it was given (a bug: the dispatch let it through).
fn not_here(command: &Command) -> Failure {
    fail(
        exit::USAGE,
        format!("this command cannot run here: {command:?}"),
    )
}
