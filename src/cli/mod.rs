//! The command line: parse, turn into an intent, run it through the store, print. No rules here.

mod args;
mod flow;
mod health;
mod intents;
mod publish;
mod remedy;
mod render;
mod transfer;
mod values;

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
use health::{doctor_cmd, verify_cmd};
use intents::intent_of;
use transfer::{demo_cmd, export_cmd, import_cmd};

/// Exit codes: what went wrong, for scripts.
pub mod exit {
    /// A rule of the loops refused the command, or a record does not exist.
    pub const REFUSED: i32 = 1;
    /// The command line is wrong (a bad value, an unknown kind, an empty reason).
    pub const USAGE: i32 = 2;
    /// A command that only reads found no database at the path.
    pub const NO_DATABASE: i32 = 3;
    /// The file is not usable as a jobloop database (not one, newer, damaged, a folder, a FIFO).
    pub const UNUSABLE: i32 = 4;
    /// Another program held the database locked for longer than jobloop waits.
    pub const BUSY: i32 = 5;
    /// Permission denied: a read-only file or folder, someone else's loop or sign-off.
    pub const DENIED: i32 = 6;
    /// Reading or writing failed: a full disk, an output that cannot be written.
    pub const IO: i32 = 7;
    /// `verify` or `doctor` found problems in the file.
    pub const PROBLEMS: i32 = 8;
}

/// A failure as the user sees it: one line and an exit code.
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl From<store::Error> for Failure {
    fn from(e: store::Error) -> Failure {
        use store::Error::*;
        let code = match &e {
            Refused(r) if r.kind == RefusalKind::Invalid => exit::USAGE,
            Refused(r) if r.kind == RefusalKind::Forbidden => exit::DENIED,
            Refused(_) | Storage(_) => exit::REFUSED,
            NoDatabase(_) => exit::NO_DATABASE,
            Unusable(_) | Undecodable(_) => exit::UNUSABLE,
            Busy(_) => exit::BUSY,
            // Not "locked": the server went away (a restart, a failover, the network).
            Lost(_) => exit::IO,
            Tampered(_) => exit::PROBLEMS,
            Denied(_) => exit::DENIED,
            Io(_) => exit::IO,
        };
        let message = match &e {
            Refused(r) => remedy::refusal(r),
            other => other.to_string(),
        };
        Failure { code, message }
    }
}

impl From<FileError> for Failure {
    fn from(e: FileError) -> Failure {
        let code = match &e {
            FileError::IsDatabase(_) | FileError::Exists(_) | FileError::NotAFile(..) => {
                exit::USAGE
            }
            FileError::Io(_, err) if err.kind() == io::ErrorKind::PermissionDenied => exit::DENIED,
            FileError::Io(..) => exit::IO,
        };
        fail(code, e.to_string())
    }
}

fn fail(code: i32, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

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

/// Help and version go to stdout as clap renders them; an error becomes one line on stderr.
fn clap_failure(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            0
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            exit::USAGE
        }
        _ => {
            let rendered = e.render().to_string();
            let first: Vec<&str> = rendered
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let line = first.join(" ");
            let line = line.strip_prefix("error: ").unwrap_or(&line);
            let _ = writeln!(
                io::stderr(),
                "jobloop: error: {} (see --help)",
                clean(line).trim_end_matches('.')
            );
            exit::USAGE
        }
    }
}

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

fn require_actor(cli: &Cli) -> Result<String, Failure> {
    actor(cli.actor.as_deref())?.ok_or_else(|| {
        fail(
            exit::USAGE,
            "who is acting? no account name is available here: give --as NAME or set JOBLOOP_USER",
        )
    })
}

fn db_path(cli: &Cli) -> Result<PathBuf, Failure> {
    match &cli.db {
        Some(p) => Ok(p.clone()),
        None => crate::paths::default_db().map_err(|m| fail(exit::NO_DATABASE, m)),
    }
}

/// A failed write to standard output: a full disk (`/dev/full`), and a closed pipe too (`jobloop
/// export - | head` did not deliver the whole export, so it is not a success). SIGPIPE is
/// ignored (Rust's default), so a closed pipe is this error, never a silent death.
fn out_err(e: io::Error) -> Failure {
    let remedy = if e.kind() == io::ErrorKind::BrokenPipe {
        "let the program read to the end, or write to a file"
    } else {
        "run it again where the output can be written"
    };
    fail(
        exit::IO,
        format!("cannot write the output: {}; {remedy}", io_words(&e)),
    )
}

/// A writer that keeps the error of its failed write, for a caller that gets it in other words.
struct Watched<W> {
    inner: W,
    failed: std::cell::Cell<Option<io::Error>>,
}

impl<W> Watched<W> {
    fn new(inner: W) -> Watched<W> {
        Watched {
            inner,
            failed: std::cell::Cell::new(None),
        }
    }

    fn keep<T>(&self, r: io::Result<T>) -> io::Result<T> {
        r.inspect_err(|e| {
            let again = match e.raw_os_error() {
                Some(code) => io::Error::from_raw_os_error(code),
                None => io::Error::from(e.kind()),
            };
            self.failed.set(Some(again));
        })
    }
}

impl<W: Write> Write for Watched<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.inner.write(buf);
        self.keep(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.inner.flush();
        self.keep(r)
    }
}

fn emit(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(out_err)?;
    out.flush().map_err(out_err)
}

/// JSON for scripts: indented on a terminal, compact when piped.
fn emit_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    // Streamed: a large review is never held twice in memory.
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let written = if io::stdout().is_terminal() {
        serde_json::to_writer_pretty(&mut out, value)
    } else {
        serde_json::to_writer(&mut out, value)
    };
    written.map_err(|e| match e.io_error_kind() {
        Some(kind) => out_err(io::Error::from(kind)),
        None => fail(exit::IO, format!("cannot write JSON: {e}")),
    })?;
    out.write_all(b"\n").map_err(out_err)?;
    out.flush().map_err(out_err)
}

/// An acknowledgement, with the likely next step in the CLI's words, then the hooks of what the
/// write did (its hooks run even when it cannot be printed: the write was committed).
fn ack(a: Ack, store: &mut Store, hooks: &Hooks) -> Result<(), Failure> {
    let printed = say(&a);
    after(store, hooks, &a.happened);
    printed
}

/// An acknowledgement printed. One that cannot be printed is an error that says the command was
/// saved all the same.
fn say(a: &Ack) -> Result<(), Failure> {
    let mut text = crate::display::clean_multiline(&a.summary);
    if let Some(next) = &a.next {
        text.push_str(&format!("\nnext: {}", remedy::words(next)));
    }
    text.push('\n');
    emit(&text).map_err(|mut f| {
        if a.changed {
            f.message = format!("the command was saved, but {}", f.message);
        }
        f
    })
}

/// The config file's hooks, read before a write: hooks that cannot be read refuse the command,
/// so nobody is left believing a hook tells them what it never will.
fn hooks_for_writes() -> Result<Hooks, Failure> {
    Hooks::load().map_err(|m| {
        fail(
            exit::USAGE,
            format!("{m}; fix the config file: nothing was recorded"),
        )
    })
}

/// Runs the hooks listening to what a committed write did and waits for them up to their time
/// limit; each failure is one line on standard error and changes nothing else (the write
/// stands, the exit code is the command's).
fn after(store: &mut Store, hooks: &Hooks, happened: &[Happening]) {
    let launches = crate::hooks::prepare(store, hooks, happened, Stamp::now());
    if launches.is_empty() {
        return;
    }
    let failures = crate::hooks::run_all(launches, hooks.timeout);
    let mut err = io::stderr().lock();
    for line in failures {
        let _ = writeln!(
            err,
            "jobloop: warning: the write was recorded, but {}",
            clean(&line)
        );
    }
}

fn today() -> When {
    When::Day(Stamp::now().local_date())
}

fn run(cli: Cli) -> Result<(), Failure> {
    let Some(command) = cli.command.as_ref() else {
        let path = db_path(&cli)?;
        // On a terminal, the TUI; piped or redirected, the review as text.
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
        return review_cmd(&mut store, false, false, None);
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
    if let Command::Migrate | Command::Team(_) = command {
        return Err(fail(
            exit::USAGE,
            "`migrate` and `team` are for a shared PostgreSQL database (--db postgresql://…); a local file is upgraded when it is opened and has one user",
        ));
    }
    if let Command::Init = command {
        let existed = std::fs::metadata(&path)
            .map(|m| m.len() > 0)
            .unwrap_or(false);
        Store::init(&path)?;
        let verb = if existed {
            "already a jobloop database"
        } else {
            "initialised"
        };
        return emit(&format!(
            "{}: {verb} (schema version {})\n",
            clean(&path.display().to_string()),
            store::SCHEMA_VERSION
        ));
    }
    if let Command::Doctor { repair } = command {
        let (mut store, log) = Store::open_for_doctor(&path, *repair)?;
        return doctor_cmd(&mut store, *repair, log);
    }
    if command.reads_only() {
        let mut store = Store::open(&path, Missing::Refuse)?;
        return read_cmd(&mut store, command);
    }
    let ctx = Ctx::local(require_actor(&cli)?, Stamp::now());
    match command {
        Command::Job(JobCmd::Add {
            title,
            slug,
            statement,
            owner,
            since,
        }) => {
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
            let mut store = Store::open(&path, Missing::Create)?;
            let intent = Intent::AddJob {
                title: title.clone(),
                slug: slug.clone(),
                statement: statement.clone(),
                owner: owner.clone(),
                since: *since,
            };
            let a = store.apply(&ctx, &intent)?;
            ack(a, &mut store, &hooks)
        }
        Command::Import { file } => import_cmd(&path, file),
        Command::Demo { jobs, weeks, seed } => demo_cmd(&path, *jobs as usize, *weeks, *seed),
        _ => {
            let hooks = hooks_for_writes()?;
            let mut store = Store::open(&path, Missing::Refuse)?;
            write_cmd(&mut store, &ctx, command, &hooks)
        }
    }
}

/// A command on the shared PostgreSQL database: the server's identity acts, the schema is
/// created by `migrate` only, and `team` manages the people.
fn shared_cmd(cli: &Cli, path: &Path, command: &Command) -> Result<(), Failure> {
    match command {
        Command::Init => Err(fail(
            exit::USAGE,
            "`init` makes a local file; a shared PostgreSQL database is set up with `jobloop --db URL migrate`",
        )),
        Command::Migrate => {
            let store = Store::migrate(path)?;
            emit(&format!(
                "{}: the shared schema is at version {}; add people with `jobloop --db URL team add NAME`\n",
                clean(&store.path().display().to_string()),
                store::SCHEMA_VERSION
            ))
        }
        Command::Team(TeamCmd::List { json }) => {
            let mut store = Store::open(path, Missing::Refuse)?;
            let members = store.team()?;
            if *json {
                return emit_json(&members);
            }
            let mut text = String::new();
            for m in &members {
                text.push_str(&format!(
                    "{}{}\n",
                    clean(&m.name),
                    if m.can_login { "" } else { " (cannot log in)" }
                ));
            }
            if members.is_empty() {
                text.push_str("nobody yet: add people with `jobloop --db URL team add NAME`\n");
            }
            emit(&text)
        }
        Command::Team(TeamCmd::Add {
            name,
            password_stdin,
        }) => {
            let password = if *password_stdin {
                let mut line = String::new();
                io::stdin()
                    .read_line(&mut line)
                    .map_err(|e| fail(exit::IO, format!("cannot read the password: {e}")))?;
                Some(line.trim_end_matches(['\n', '\r']).to_string())
            } else {
                None
            };
            let mut store = Store::open(path, Missing::Refuse)?;
            let said = store.team_add(name, password.as_deref())?;
            emit(&format!("{said}\n"))
        }
        _ if command.reads_only() => {
            let mut store = Store::open(path, Missing::Refuse)?;
            read_cmd(&mut store, command)
        }
        Command::Import { file } => import_cmd(path, file),
        Command::Demo { jobs, weeks, seed } => demo_cmd(path, *jobs as usize, *weeks, *seed),
        _ => {
            let hooks = hooks_for_writes()?;
            let mut store = Store::open(path, Missing::Refuse)?;
            let ctx = store.ctx(cli.actor.as_deref(), Stamp::now())?;
            match command {
                Command::Job(JobCmd::Add {
                    title,
                    slug,
                    statement,
                    owner,
                    since,
                }) => {
                    let a = store.apply(
                        &ctx,
                        &Intent::AddJob {
                            title: title.clone(),
                            slug: slug.clone(),
                            statement: statement.clone(),
                            owner: owner.clone(),
                            since: *since,
                        },
                    )?;
                    ack(a, &mut store, &hooks)
                }
                _ => write_cmd(&mut store, &ctx, command, &hooks),
            }
        }
    }
}

fn write_cmd(
    store: &mut Store,
    ctx: &Ctx,
    command: &Command,
    hooks: &Hooks,
) -> Result<(), Failure> {
    if let Some(intent) = intent_of(ctx, command) {
        let a = store.apply(ctx, &intent)?;
        return ack(a, store, hooks);
    }
    match command {
        Command::Values(ValuesCmd::Import {
            file,
            dry_run,
            reason,
        }) => values::import(store, ctx, file, *dry_run, reason.as_deref(), hooks),
        Command::Check => {
            let now = Stamp::now();
            let checked = store.check_rules(now)?;
            let printed = check_words(store, now, checked.fired);
            after(store, hooks, &checked.happened);
            printed
        }
        Command::Doctor { repair: true } => doctor_cmd(store, true, None),
        Command::Undo { yes } => undo_cmd(store, ctx, *yes, hooks),
        Command::Incident(IncidentCmd::Fix { id, change }) => {
            let (slug, id) = store.find_incident(id)?;
            let intent = Intent::OnLoop {
                slug,
                kind: crate::domain::LoopKind::Improve,
                op: crate::domain::LoopOp::IncidentFix {
                    incident: id.into_string(),
                    change: change.clone(),
                },
            };
            let a = store.apply(ctx, &intent)?;
            ack(a, store, hooks)
        }
        other => Err(fail(
            exit::USAGE,
            format!("this command cannot run here: {other:?}"),
        )),
    }
}

/// What `check` says: what fired, else what still waits for a decision.
fn check_words(store: &mut Store, now: Stamp, fired: Vec<String>) -> Result<(), Failure> {
    // A rule that tripped its signal earlier still fires until the lead decides: `check`
    // says so, so it never reads "holds" where `loop show` reads "fires".
    let review = store.board()?.review(now);
    let waiting: Vec<String> = review
        .jobs
        .iter()
        .flat_map(|j| {
            j.loops.iter().flat_map(move |l| {
                l.kill_signals
                    .iter()
                    .filter(|k| k.signal.awaits_decision())
                    .map(move |k| {
                        format!(
                            "kill signal {} on {}/{} is tripped and awaits your decision: {}",
                            k.signal.n,
                            j.slug,
                            l.kind,
                            k.signal.reason.as_deref().unwrap_or("")
                        )
                    })
            })
        })
        .collect();
    let out = match (fired.is_empty(), waiting.is_empty()) {
        (true, true) => return emit("every kill rule holds\n"),
        (true, false) => [vec!["no rule tripped anything new".to_string()], waiting].concat(),
        // What just fired awaits a decision too: said once.
        (false, _) => fired,
    };
    // Each line cleaned on its own: the line breaks between them are ours.
    let lines: Vec<String> = out.iter().map(|l| clean(l).into_owned()).collect();
    emit(&format!("{}\n", lines.join("\n")))
}

fn read_cmd(store: &mut Store, command: &Command) -> Result<(), Failure> {
    let now = Stamp::now();
    match command {
        Command::Review {
            json,
            markdown,
            week,
        } => review_cmd(store, *json, *markdown, *week),
        Command::Report {
            html,
            job,
            week,
            force,
        } => report_cmd(store, html, job.as_deref(), *week, *force),
        Command::Verify => verify_cmd(store),
        Command::Doctor { .. } => doctor_cmd(store, false, None),
        Command::Backup { file, force } => {
            store.backup(file, *force)?;
            emit(&format!(
                "backed up {} to {} (checked)\n",
                clean(&store.path().display().to_string()),
                clean(&file.display().to_string())
            ))
        }
        Command::Log {
            job,
            kind,
            limit,
            json,
        } => {
            let events = store.log(job.as_deref(), *kind, *limit)?;
            if *json {
                emit_json(&events)
            } else {
                emit(&render::log(&events))
            }
        }
        Command::Export { file, force } => export_cmd(store, file.as_deref(), *force),
        Command::Values(ValuesCmd::Export { file, force, .. }) => {
            values::export(store, file.as_deref(), *force)
        }
        Command::Values(ValuesCmd::Template { job }) => values::template(store, job),
        Command::Job(JobCmd::List { all, json }) => {
            let jobs = store.jobs(*all)?;
            if *json {
                emit_json(&jobs)
            } else {
                emit(&render::job_list(&jobs))
            }
        }
        Command::Job(JobCmd::Show { job, json }) => {
            let d = store.job_detail(job, now)?;
            if *json {
                emit_json(&serde_json::json!({
                    "job": d.job, "review": d.review, "cycles": d.cycles,
                    "tools": d.tools, "proofs": d.proofs,
                }))
            } else {
                emit(&render::job_show(&d))
            }
        }
        Command::Loop(LoopCmd::Show {
            job,
            kind,
            json,
            all,
        }) => {
            let d = store.loop_detail(job, *kind, 20, now)?;
            if *json {
                emit_json(&render::loop_json(&d))
            } else {
                emit(&render::loop_show(&d, *all))
            }
        }
        Command::Plan(PlanCmd::Show { job, kind, json }) => {
            let d = store.loop_detail(job, *kind, 0, now)?;
            if *json {
                let l = d.review.as_ref();
                emit_json(&serde_json::json!({
                    "plan": l.and_then(|l| l.plan.as_ref()),
                    "comparison": l.and_then(|l| l.comparison.as_ref()),
                    "amended_comparison": l.and_then(|l| l.amended_comparison.as_ref()),
                    "superseded_metrics": l.map(|l| &l.superseded_metrics),
                }))
            } else {
                emit(&render::plan_show(&d))
            }
        }
        Command::Flow(FlowCmd::List { job, json }) => {
            let d = store.flow_detail(job, now)?;
            let view = d.view();
            if *json {
                emit_json(&serde_json::json!({ "job": d.job.slug, "flow": view }))
            } else {
                emit(&flow::flow_list(&d.job.slug, &view))
            }
        }
        Command::Flow(FlowCmd::Export { job, mermaid, .. }) => {
            let d = store.flow_detail(job, now)?;
            let view = d.view();
            let title = format!("{} — {}", d.job.title, d.job.slug);
            emit(&if *mermaid {
                crate::diagram::mermaid(&title, &view)
            } else {
                crate::diagram::dot(&title, &view)
            })
        }
        Command::Incident(IncidentCmd::List { job, json }) => {
            let details = match job {
                Some(slug) => vec![store.flow_detail(slug, now)?],
                None => store.register(now)?,
            };
            let views: Vec<(String, crate::domain::flow::FlowView)> = details
                .iter()
                .map(|d| (d.job.slug.clone(), d.view()))
                .collect();
            if *json {
                let all: Vec<serde_json::Value> = views
                    .iter()
                    .flat_map(|(slug, v)| {
                        v.incidents.iter().map(move |i| {
                            let mut j = serde_json::to_value(i).unwrap_or_default();
                            if let serde_json::Value::Object(m) = &mut j {
                                m.insert("job".into(), serde_json::Value::String(slug.clone()));
                            }
                            j
                        })
                    })
                    .collect();
                emit_json(&all)
            } else {
                emit(&flow::incidents(&views))
            }
        }
        Command::Publish { dir } => {
            let material = store.publish_material(now)?;
            let pages = crate::publish::pages(&material);
            let done = publish::publish(dir, &pages, &store.protected())
                .map_err(|(code, message)| fail(code, message))?;
            let mut out = String::new();
            for w in &done.written {
                out.push_str(&format!("wrote {w}\n"));
            }
            for r in &done.removed {
                out.push_str(&format!("removed {r}\n"));
            }
            out.push_str(&format!(
                "published {} playbook page(s) and {} journey(s) to {}: {} written, {} unchanged, {} removed\n",
                pages.iter().filter(|p| p.folder == crate::publish::Folder::Playbook).count(),
                pages.iter().filter(|p| p.folder == crate::publish::Folder::Journeys).count(),
                clean(&dir.display().to_string()),
                done.written.len(),
                done.unchanged,
                done.removed.len()
            ));
            emit(&out)
        }
        Command::Register { json, markdown } => {
            let details = store.register(now)?;
            let r = crate::register::register(&details, now);
            if *json {
                emit_json(&r)
            } else {
                emit(&crate::register::text(&r, *markdown))
            }
        }
        Command::Calendar { file, force } => calendar_cmd(store, file, *force),
        Command::Cycle(CycleCmd::List { job, json }) => {
            let cycles = store.cycles(job)?;
            if *json {
                emit_json(&cycles)
            } else {
                emit(&render::cycles(&cycles, job))
            }
        }
        Command::Proof(ProofCmd::List { job, json }) => {
            let proofs = store.proofs(job)?;
            if *json {
                emit_json(&proofs)
            } else {
                emit(&render::proofs(&proofs))
            }
        }
        other => Err(fail(
            exit::USAGE,
            format!("this command cannot run here: {other:?}"),
        )),
    }
}

/// `calendar FILE`: the board's dates as iCalendar events, written as exports are.
fn calendar_cmd(store: &mut Store, file: &Path, force: bool) -> Result<(), Failure> {
    let now = Stamp::now();
    let board = store.board()?;
    let review = board.review(now);
    let starts = store.history_starts()?;
    let pairs: Vec<_> = board
        .jobs
        .iter()
        .filter_map(|input| {
            let r = review.jobs.iter().find(|j| j.slug == input.job.slug)?;
            let start = starts.get(&input.job.id).copied();
            Some((input, r, start))
        })
        .collect();
    let entries = crate::domain::calendar::entries(&pairs, now.local_date());
    let events = entries.iter().filter(|e| crate::ics::writable(e)).count();
    if events == 0 {
        // RFC 5545 wants at least one component: an empty calendar is not one to import.
        return Err(fail(
            exit::REFUSED,
            "nothing to put in a calendar yet: no active job (each has a weekly check-in); add one with `jobloop job add TITLE`",
        ));
    }
    let text = crate::ics::calendar(&entries, now);
    if file == Path::new("-") {
        return emit(&text);
    }
    write_file(file, force, &store.protected(), |w| {
        w.write_all(text.as_bytes())
    })?;
    emit(&format!(
        "wrote {} event(s) to {}\n",
        events,
        clean(&file.display().to_string())
    ))
}

fn review_cmd(
    store: &mut Store,
    json: bool,
    markdown: bool,
    week: Option<Week>,
) -> Result<(), Failure> {
    let now = Stamp::now();
    let mut board = store.board()?;
    if let Some(w) = week {
        // The digest of a week leaves out a job whose history begins after it.
        let starts = store.history_starts()?;
        board.jobs.retain(|j| {
            starts
                .get(&j.job.id)
                .is_none_or(|s| crate::domain::as_of::began_by(*s, w))
        });
    }
    let review = board.review(now);
    if !board.unreadable.is_empty() {
        let _ = write!(io::stderr(), "{}", render::unreadable(&board.unreadable));
    }
    if json {
        emit_json(&review)
    } else if markdown {
        let week = week.unwrap_or_else(|| Week::containing(now));
        let changes = store.changes_in(week, crate::digest::CHANGES_SHOWN)?;
        emit(&crate::digest::markdown(&review, week, &changes))
    } else {
        emit(&render::review_text(&review))
    }
}

/// `report --html FILE`: written as an export is (never over the database, an existing file
/// only with --force, all or nothing).
fn report_cmd(
    store: &mut Store,
    file: &Path,
    job: Option<&str>,
    week: Option<Week>,
    force: bool,
) -> Result<(), Failure> {
    let now = Stamp::now();
    let this = Week::containing(now);
    if let Some(w) = week.filter(|w| *w > this) {
        return Err(fail(
            exit::USAGE,
            format!(
                "{w} has not begun yet (this is {this}): give this week or an earlier one, or leave out --week"
            ),
        ));
    }
    // Checked before the records are read: a refused target costs nothing.
    crate::files::check_target(file, force, &store.protected())?;
    let mut jobs = store.records(job)?;
    if let Some(w) = week {
        // A job whose history begins after the week was not there to report on.
        if let (Some(slug), Some(j)) = (job, jobs.first())
            && !crate::domain::as_of::began_by(j.history_start, w)
        {
            return Err(fail(
                exit::REFUSED,
                format!(
                    "`{}`'s history begins in {}: there is nothing of it in {w} to report (give --week {} or later, or an earlier start with `jobloop job edit {} --since DATE`)",
                    clean(slug),
                    j.history_start,
                    j.history_start,
                    clean(slug)
                ),
            ));
        }
        jobs.retain(|j| crate::domain::as_of::began_by(j.history_start, w));
    }
    let scope = crate::report::Scope {
        week,
        generated: now,
        team: store.is_shared(),
    };
    let page = crate::report::page(&jobs, &scope);
    write_file(file, force, &store.protected(), |w| {
        w.write_all(page.as_bytes())
    })?;
    emit(&format!(
        "wrote {} ({} job{}{})\n",
        clean(&file.display().to_string()),
        jobs.len(),
        if jobs.len() == 1 { "" } else { "s" },
        week.map(|w| format!(", as of the end of {w}"))
            .unwrap_or_default()
    ))
}

fn undo_cmd(store: &mut Store, ctx: &Ctx, yes: bool, hooks: &Hooks) -> Result<(), Failure> {
    let Some((event, plan)) = store.undo_plan(&ctx.actor)? else {
        return Err(fail(
            exit::REFUSED,
            format!(
                "{} has recorded nothing yet: there is nothing to undo",
                clean(&ctx.actor)
            ),
        ));
    };
    let intent = plan.map_err(|r| {
        Failure::from(store::Error::Refused(crate::domain::Refusal {
            message: format!(
                "your last command ({}, {}): {}",
                clean(&event.summary.replace('\n', " ")),
                event.at.local_minute(),
                r.message
            ),
            ..r
        }))
    })?;
    if !yes {
        if !io::stdin().is_terminal() {
            return Err(fail(
                exit::USAGE,
                format!(
                    "undo would take back: {} — run `jobloop undo --yes` to do it",
                    clean(&event.summary.replace('\n', " "))
                ),
            ));
        }
        let _ = write!(
            io::stderr(),
            "take back your last command ({}, {})? [y/N] ",
            clean(&event.summary.replace('\n', " ")),
            event.at.local_minute()
        );
        let mut answer = String::new();
        let _ = io::stdin().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return emit("nothing was changed\n");
        }
    }
    let a = store.apply(ctx, &intent)?;
    ack(a, store, hooks)
}
