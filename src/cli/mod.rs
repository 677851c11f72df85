//! The command line: parse, turn into an intent, run it through the store, print. No rules here.

mod args;
mod render;

use clap::{CommandFactory, Parser};
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use crate::display::clean;
use crate::domain::cycle::CompoundAnswers;
use crate::domain::dataset::Dataset;
use crate::domain::job::{CanvasEdit, JobEdit};
use crate::domain::model::{Phase, ProofOutcome};
use crate::domain::review;
use crate::domain::{Ctx, RefusalKind, Stamp};
use crate::store::{self, Ack, Store};
pub use args::Cli;
use args::*;

/// The biggest file `import` reads: far above any real team's history, far below memory.
const MAX_IMPORT_BYTES: u64 = 2 << 30;

/// A failure as the user sees it: one line and an exit code (2 usage, 1 refused or failed).
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl From<store::Error> for Failure {
    fn from(e: store::Error) -> Failure {
        let code = match &e {
            store::Error::Refused(r) if r.kind == RefusalKind::Invalid => 2,
            _ => 1,
        };
        Failure {
            code,
            message: e.to_string(),
        }
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
            eprintln!("jobloop: error: {}", clean(&f.message));
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
            2
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
            eprintln!(
                "jobloop: error: {} (see --help)",
                clean(line).trim_end_matches('.')
            );
            2
        }
    }
}

fn actor(cli: &Cli) -> Result<String, Failure> {
    let name = cli
        .actor
        .clone()
        .or_else(|| std::env::var("JOBLOOP_USER").ok())
        .or_else(|| std::env::var("USER").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    name.ok_or_else(|| fail(2, "who is acting? give --as NAME or set JOBLOOP_USER"))
}

fn db_path(cli: &Cli) -> Result<PathBuf, Failure> {
    match &cli.db {
        Some(p) => Ok(p.clone()),
        None => crate::paths::default_db().map_err(|m| fail(1, m)),
    }
}

/// Writes to standard output; a closed pipe (`jobloop log | head`) ends quietly.
fn emit(text: &str) {
    let mut out = io::stdout().lock();
    let result = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    if let Err(e) = result
        && e.kind() == io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// JSON for scripts: indented on a terminal, compact when piped (a tenth of the bytes to parse).
fn emit_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let text = if io::stdout().is_terminal() {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    let mut text = text.map_err(|e| fail(1, format!("cannot write JSON: {e}")))?;
    text.push('\n');
    emit(&text);
    Ok(())
}

fn ack(a: Ack) -> Result<(), Failure> {
    emit(&format!(
        "{}\n",
        crate::display::clean_multiline(&a.summary)
    ));
    Ok(())
}

fn run(cli: Cli) -> Result<(), Failure> {
    let Some(command) = cli.command.as_ref() else {
        let mut store = Store::open(&db_path(&cli)?)?;
        // On a terminal, the TUI; piped or redirected, the review as text.
        if io::stdout().is_terminal() && io::stdin().is_terminal() {
            return crate::tui::run(store, actor(&cli)?)
                .map_err(|e| fail(1, format!("the terminal failed: {e}")));
        }
        return review_cmd(&mut store, false, false);
    };
    if let Command::Completions { shell } = command {
        let mut script = Vec::new();
        clap_complete::generate(*shell, &mut Cli::command(), "jobloop", &mut script);
        emit(&String::from_utf8_lossy(&script));
        return Ok(());
    }
    let path = db_path(&cli)?;
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
        emit(&format!(
            "{}: {verb} (schema version {})\n",
            clean(&path.display().to_string()),
            store::SCHEMA_VERSION
        ));
        return Ok(());
    }
    let mut store = Store::open(&path)?;
    // Reads need no actor: only a command that writes must say who is acting.
    let ctx = || -> Result<Ctx, Failure> {
        let actor = if command.reads_only() {
            actor(&cli).unwrap_or_default()
        } else {
            actor(&cli)?
        };
        Ok(Ctx {
            actor,
            now: Stamp::now(),
        })
    };
    match command {
        Command::Init | Command::Completions { .. } => Ok(()),
        Command::Job(cmd) => job_cmd(&mut store, &ctx()?, cmd),
        Command::Loop(cmd) => loop_cmd(&mut store, &ctx()?, cmd),
        Command::Metric(cmd) => {
            let (a, replace) = match cmd {
                MetricCmd::Set(a) => (a, false),
                MetricCmd::Replace(a) => (a, true),
            };
            ack(store.on_loop(&ctx()?, &a.job, a.kind, |r, c| {
                r.set_metric(&a.name, &a.unit, a.better, a.measures, replace, c)
            })?)
        }
        Command::Baseline(a) => value_cmd(&mut store, &ctx()?, a, Phase::Baseline),
        Command::Measure(a) => value_cmd(&mut store, &ctx()?, a, Phase::Live),
        Command::Intervene {
            job,
            kind,
            description,
            at,
        } => {
            let ctx = ctx()?;
            let at = at.unwrap_or(ctx.now);
            ack(store.on_loop(&ctx, job, *kind, |r, c| r.intervene(description, at, c))?)
        }
        Command::Kill(cmd) => kill_cmd(&mut store, &ctx()?, cmd),
        Command::Decide {
            job,
            kind,
            text,
            owner,
            threshold,
        } => ack(store.on_loop(&ctx()?, job, *kind, |r, c| {
            r.decide(text, owner, threshold.as_deref(), c)
        })?),
        Command::Verify => match store.verify()? {
            Ok(v) => {
                emit(&format!(
                    "verified: the audit chain of {} events is intact and {} records match it\nhead of the chain: {}\n",
                    v.events,
                    v.records,
                    v.head.as_deref().unwrap_or("(no events yet)")
                ));
                Ok(())
            }
            Err(b) => Err(fail(1, format!("verify failed: {b}"))),
        },
        Command::Doctor => {
            let findings = store.doctor()?;
            let mut text = String::new();
            for f in &findings {
                let mark = if f.ok { "ok  " } else { "FAIL" };
                text.push_str(&format!("{mark} {:<11} {}\n", f.check, clean(&f.detail)));
            }
            emit(&text);
            if findings.iter().all(|f| f.ok) {
                Ok(())
            } else {
                Err(fail(1, "doctor found problems (see above)"))
            }
        }
        Command::Backup { file } => {
            store.backup(file)?;
            emit(&format!(
                "backed up {} to {} (checked)\n",
                clean(&store.path().display().to_string()),
                clean(&file.display().to_string())
            ));
            Ok(())
        }
        Command::Check => {
            let fired = store.check_rules(Stamp::now())?;
            if fired.is_empty() {
                emit("every kill rule holds\n");
            } else {
                emit(&format!("{}\n", clean(&fired.join("\n"))));
            }
            Ok(())
        }
        Command::Tool { job, name, at } => {
            let ctx = ctx()?;
            let at = at.unwrap_or(ctx.now);
            ack(store.select_tool(&ctx, job, name, at)?)
        }
        Command::Learn {
            job,
            kind,
            text,
            kind_of,
            tag,
            capability,
        } => ack(store.on_loop(&ctx()?, job, *kind, |r, c| {
            r.learn(text, *kind_of, tag.as_deref(), *capability, c)
        })?),
        Command::Proof(cmd) => proof_cmd(&mut store, &ctx()?, cmd),
        Command::Cycle(CycleCmd::Close(a)) => {
            let answers = CompoundAnswers {
                understanding: a.understanding,
                explanation: a.explanation,
                creation: a.creation,
                distribution: a.distribution,
                understanding_note: a.understanding_note.clone(),
                explanation_note: a.explanation_note.clone(),
                creation_note: a.creation_note.clone(),
                distribution_note: a.distribution_note.clone(),
                note: a.note.clone(),
            };
            ack(store.close_cycle(&ctx()?, &a.job, a.week, &answers)?)
        }
        Command::Cycle(CycleCmd::List { job, json }) => {
            let cycles = store.cycles(job)?;
            if *json {
                emit_json(&cycles)
            } else {
                emit(&render::cycles(&cycles));
                Ok(())
            }
        }
        Command::Review { json, markdown } => review_cmd(&mut store, *json, *markdown),
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
                emit(&render::log(&events));
                Ok(())
            }
        }
        Command::Export { file } => export_cmd(&mut store, file.as_deref()),
        Command::Import { file } => {
            let ds = read_export(file)?;
            let mut bar = crate::progress::Progress::new("importing");
            let done = store.import_with(&ds, &mut |d, t| bar.set(d, t))?;
            drop(bar);
            ack(done)
        }
        Command::Demo { jobs, weeks, seed } => {
            ack(store.load_demo(*jobs as usize, *weeks, *seed, Stamp::now())?)
        }
    }
}

fn job_cmd(store: &mut Store, ctx: &Ctx, cmd: &JobCmd) -> Result<(), Failure> {
    match cmd {
        JobCmd::Add {
            title,
            slug,
            statement,
            owner,
        } => ack(store.add_job(
            ctx,
            title,
            slug.as_deref(),
            statement.as_deref(),
            owner.as_deref(),
        )?),
        JobCmd::Edit(a) => {
            let edit = JobEdit {
                title: a.title.clone(),
                statement: a.statement.clone(),
                canvas: CanvasEdit {
                    performer: a.performer.clone(),
                    circumstance: a.circumstance.clone(),
                    workaround: a.workaround.clone(),
                    functional_job: a.functional_job.clone(),
                    emotional_job: a.emotional_job.clone(),
                    social_job: a.social_job.clone(),
                    competing_solutions: a.competing_solutions.clone(),
                    hiring_criteria: a.hiring_criteria.clone(),
                },
            };
            ack(store.edit_job(ctx, &a.job, &edit)?)
        }
        JobCmd::List { all, json } => {
            let jobs = store.jobs(*all)?;
            if *json {
                emit_json(&jobs)
            } else {
                emit(&render::job_list(&jobs));
                Ok(())
            }
        }
        JobCmd::Show { job, json } => {
            let j = store.job(job)?;
            let cycles = store.cycles(job)?;
            let snapshot = store.snapshot()?;
            let review = review::build(&snapshot, ctx.now);
            let jr = review.jobs.into_iter().find(|r| r.slug == j.slug);
            if *json {
                emit_json(&serde_json::json!({"job": j, "review": jr, "cycles": cycles}))
            } else {
                emit(&render::job_show(&j, jr.as_ref(), &cycles));
                Ok(())
            }
        }
        JobCmd::Archive { job } => ack(store.set_job_archived(ctx, job, true)?),
        JobCmd::Unarchive { job } => ack(store.set_job_archived(ctx, job, false)?),
    }
}

fn loop_cmd(store: &mut Store, ctx: &Ctx, cmd: &LoopCmd) -> Result<(), Failure> {
    let a = match cmd {
        LoopCmd::Show { job, kind, json } => {
            let detail = store.loop_detail(job, *kind, 20)?;
            let review = review::build(&store.snapshot()?, ctx.now);
            let lr = review
                .jobs
                .iter()
                .find(|j| j.slug == detail.record.job.slug)
                .and_then(|j| j.loops.iter().find(|l| l.kind == *kind));
            return if *json {
                emit_json(&render::loop_json(&detail, lr))
            } else {
                emit(&render::loop_show(&detail, lr));
                Ok(())
            };
        }
        LoopCmd::Owner { job, kind, name } => {
            store.on_loop(ctx, job, *kind, |r, c| r.assign_owner(name, c))?
        }
        LoopCmd::Open { job, kind } => store.on_loop(ctx, job, *kind, |r, c| r.open(c))?,
        LoopCmd::Close { job, kind, force } => {
            store.on_loop(ctx, job, *kind, |r, c| r.close(*force, c))?
        }
        LoopCmd::Step {
            job,
            kind,
            n,
            undo,
            evidence,
            ..
        } => store.on_loop(ctx, job, *kind, |r, c| {
            if *undo {
                r.undo_step(*n, c)
            } else {
                r.mark_step(*n, evidence.as_deref(), c)
            }
        })?,
        LoopCmd::Note { job, kind, text } => {
            store.on_loop(ctx, job, *kind, |r, c| r.set_notes(text, c))?
        }
        LoopCmd::StepAdd { job, kind, text } => {
            store.on_loop(ctx, job, *kind, |r, c| r.add_step(text, c))?
        }
        LoopCmd::Retire { job, kind, reason } => {
            store.on_loop(ctx, job, *kind, |r, c| r.retire(reason, c))?
        }
        LoopCmd::Continue { job, kind, reason } => {
            store.on_loop(ctx, job, *kind, |r, c| r.continue_after_trip(reason, c))?
        }
    };
    ack(a)
}

fn proof_cmd(store: &mut Store, ctx: &Ctx, cmd: &ProofCmd) -> Result<(), Failure> {
    match cmd {
        ProofCmd::Add {
            job,
            title,
            kind,
            visibility,
            link,
            at,
        } => ack(store.add_proof(
            ctx,
            job,
            title,
            *kind,
            *visibility,
            link.as_deref(),
            at.unwrap_or(ctx.now),
        )?),
        ProofCmd::Outcome {
            job,
            id,
            replies,
            citations,
            intros,
            bookings,
            sales,
            reuse,
        } => {
            let counts = ProofOutcome {
                replies: i64::from(*replies),
                citations: i64::from(*citations),
                intros: i64::from(*intros),
                bookings: i64::from(*bookings),
                sales: i64::from(*sales),
                reuse: i64::from(*reuse),
            };
            ack(store.track_proof_outcome(ctx, job, id, counts)?)
        }
        ProofCmd::List { job, json } => {
            let proofs = store.proofs(job)?;
            if *json {
                emit_json(&proofs)
            } else {
                emit(&render::proofs(&proofs));
                Ok(())
            }
        }
    }
}

fn value_cmd(store: &mut Store, ctx: &Ctx, a: &ValueArgs, phase: Phase) -> Result<(), Failure> {
    let at = a.at.unwrap_or(ctx.now);
    ack(store.on_loop(ctx, &a.job, a.kind, |r, c| {
        r.record_value(phase, a.value, at, a.note.as_deref(), c)
    })?)
}

fn kill_cmd(store: &mut Store, ctx: &Ctx, cmd: &KillCmd) -> Result<(), Failure> {
    ack(match cmd {
        KillCmd::Add {
            job,
            kind,
            text,
            rule,
        } => store.on_loop(ctx, job, *kind, |r, c| {
            r.add_kill_signal(text, rule.as_deref(), c)
        })?,
        KillCmd::Trip {
            job,
            kind,
            n,
            reason,
            evidence,
        } => store.on_loop(ctx, job, *kind, |r, c| {
            r.trip(*n, reason, evidence.as_deref(), c)
        })?,
        KillCmd::Rearm {
            job,
            kind,
            n,
            reason,
        } => store.on_loop(ctx, job, *kind, |r, c| r.rearm(*n, reason, c))?,
    })
}

fn review_cmd(store: &mut Store, json: bool, markdown: bool) -> Result<(), Failure> {
    let snapshot = store.snapshot()?;
    let review = review::build(&snapshot, Stamp::now());
    if json {
        emit_json(&review)
    } else if markdown {
        let changes = store.changes_since_last_cycle(crate::digest::CHANGES_SHOWN)?;
        emit(&crate::digest::markdown(&review, &changes));
        Ok(())
    } else {
        emit(&render::review_text(&review));
        Ok(())
    }
}

fn export_cmd(store: &mut Store, file: Option<&Path>) -> Result<(), Failure> {
    let ds = store.export()?;
    let mut text = serde_json::to_string_pretty(&ds)
        .map_err(|e| fail(1, format!("cannot write JSON: {e}")))?;
    text.push('\n');
    let Some(file) = file else {
        emit(&text);
        return Ok(());
    };
    write_atomically(file, text.as_bytes()).map_err(|e| {
        fail(
            1,
            format!("cannot write {}: {e}; nothing was exported", file.display()),
        )
    })?;
    eprintln!(
        "exported {} jobs and {} records to {}",
        ds.jobs.len(),
        ds.rows(),
        clean(&file.display().to_string())
    );
    Ok(())
}

/// Writes beside the target, syncs, then renames: an interrupted export never leaves half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export.json".into());
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn read_export(file: &Path) -> Result<Dataset, Failure> {
    let shown = clean(&file.display().to_string()).into_owned();
    let f = std::fs::File::open(file)
        .map_err(|e| fail(1, format!("cannot read {shown}: {e}; nothing was written")))?;
    let mut text = String::new();
    f.take(MAX_IMPORT_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| fail(1, format!("cannot read {shown}: {e}; nothing was written")))?;
    if text.len() as u64 > MAX_IMPORT_BYTES {
        return Err(fail(
            1,
            format!("{shown} is larger than 2 GiB: not a jobloop export; nothing was written"),
        ));
    }
    serde_json::from_str(&text).map_err(|e| {
        fail(
            1,
            format!("{shown} is not a jobloop export ({e}); nothing was written"),
        )
    })
}
