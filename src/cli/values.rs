//! `values import | export | template`: values from a file or a pipe, and back out in the same
//! CSV format.

use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;

use super::{Failure, emit, exit, fail, out_err};
use crate::display::clean;
use crate::domain::{Ctx, LoopKind, Stamp};
use crate::files::{io_words, write_file};
use crate::store::Store;
use crate::values_csv::{self, Out};

/// Reads `file` (`-`: standard input) and records its values in one transaction.
pub(super) fn import(
    store: &mut Store,
    ctx: &Ctx,
    file: &Path,
    dry_run: bool,
    reason: Option<&str>,
    hooks: &crate::hooks::Hooks,
) -> Result<(), Failure> {
    let shown = clean(&file.display().to_string()).into_owned();
    let unreadable = |e: io::Error| {
        // A file that is not there is a mistake in the command, not in the database.
        let (code, why) = if e.kind() == io::ErrorKind::NotFound {
            (exit::USAGE, "there is no such file".to_string())
        } else {
            (exit::IO, io_words(&e))
        };
        fail(
            code,
            format!("cannot read {shown}: {why}; nothing was recorded"),
        )
    };
    let input: Box<dyn Read> = if file == Path::new("-") {
        Box::new(io::stdin().lock())
    } else {
        if file.is_dir() {
            return Err(fail(
                exit::USAGE,
                format!("{shown} is a folder, not a CSV file"),
            ));
        }
        Box::new(std::fs::File::open(file).map_err(unreadable)?)
    };
    let rows = values_csv::read(io::BufReader::new(input), ctx.now)
        .map_err(|e| fail(exit::USAGE, format!("{shown}, {e}; nothing was recorded")))?;
    let done = store
        .import_values(ctx, &rows, dry_run, reason)
        .map_err(|e| {
            let f = Failure::from(e);
            Failure {
                message: format!("{shown}, {}; nothing was recorded", f.message),
                ..f
            }
        })?;
    let mut text = String::new();
    if dry_run {
        for line in &done.recorded {
            // The summary's own lines (a deviation) read on one line here.
            text.push_str(&format!(
                "would record: {}\n",
                clean(&line.replace('\n', " · "))
            ));
        }
    }
    for line in &done.fired {
        let then = if dry_run { "would then: " } else { "" };
        text.push_str(&format!("{then}{}\n", clean(line)));
    }
    let verb = if dry_run { "would record" } else { "recorded" };
    text.push_str(&format!(
        "{verb} {} value(s) from {shown}; {} already recorded (skipped){}\n",
        done.recorded.len(),
        done.skipped,
        if dry_run { "; nothing was written" } else { "" }
    ));
    let printed = emit(&text);
    super::after(store, hooks, &done.happened);
    printed
}

/// Every value of every job (archived ones too), in the import's format.
pub(super) fn export(store: &mut Store, file: Option<&Path>, force: bool) -> Result<(), Failure> {
    let now = Stamp::now();
    let mut loops = Vec::new();
    for job in store.jobs(true)? {
        for kind in LoopKind::ALL {
            loops.push((
                job.slug.clone(),
                kind,
                store.loop_detail(&job.slug, kind, 0, now)?.record,
            ));
        }
    }
    let rows = || {
        loops.iter().flat_map(|(slug, kind, r)| {
            let primary = r.values.iter().map(move |v| Out {
                job: slug,
                kind: *kind,
                guard: None,
                value: v,
            });
            let guards = r
                .guardrails
                .iter()
                .chain(&r.removed_guardrails)
                .flat_map(move |g| {
                    g.values.iter().map(move |v| Out {
                        job: slug,
                        kind: *kind,
                        guard: Some(g.metric.name.as_str()),
                        value: v,
                    })
                });
            // A voided value is not a value: it is left out, as from every comparison.
            primary.chain(guards).filter(|o| o.value.void.is_none())
        })
    };
    match file.filter(|f| *f != Path::new("-")) {
        None if io::stdout().is_terminal() => {
            // On a terminal the rows are shown, not kept: a note or source from a helpdesk file
            // must not reach it as live escape sequences (a clipboard write, a cleared screen).
            // To a pipe or a file the text stays exactly as stored.
            let mut csv = Vec::new();
            values_csv::write(&mut csv, rows()).map_err(out_err)?;
            let mut out = io::stdout().lock();
            for line in String::from_utf8_lossy(&csv).split_inclusive('\n') {
                let body = line.trim_end_matches(['\r', '\n']);
                write!(out, "{}{}", clean(body), &line[body.len()..]).map_err(out_err)?;
            }
            out.flush().map_err(out_err)
        }
        None => {
            let mut out = io::stdout().lock();
            values_csv::write(&mut out, rows()).map_err(out_err)?;
            out.flush().map_err(out_err)
        }
        Some(f) => {
            write_file(f, force, &store.protected(), |w| {
                values_csv::write(w, rows())
            })?;
            Ok(())
        }
    }
}

/// A file to fill in: the header, and a row per loop of `job` that has a primary metric (and
/// per guardrail), dated today with an empty value.
pub(super) fn template(store: &mut Store, job: &str) -> Result<(), Failure> {
    let now = Stamp::now();
    let detail = store.job_detail(job, now)?;
    let slug = detail.job.slug.clone();
    let today = now.local_date().to_string();
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = values_csv::REQUIRED
        .iter()
        .chain(values_csv::OPTIONAL.iter());
    let failed = |e: csv::Error| fail(exit::IO, format!("cannot write the template: {e}"));
    w.write_record(header).map_err(failed)?;
    for kind in LoopKind::ALL {
        let r = store.loop_detail(&slug, kind, 0, now)?.record;
        if r.metric.is_some() {
            w.write_record([&slug, kind.name(), &today, "", "", "", "", ""])
                .map_err(failed)?;
        }
        for g in &r.guardrails {
            let guard = values_csv::guard_cell(&g.metric.name);
            w.write_record([&slug, kind.name(), &today, "", "", &guard, "", ""])
                .map_err(failed)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| fail(exit::IO, format!("cannot write the template: {e}")))?;
    emit(&String::from_utf8_lossy(&bytes))
}
