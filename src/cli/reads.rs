//! Commands that only read: reviews, reports, records as text or JSON.

use super::*;

/// A command that only reads, by group.
pub(super) fn read_cmd(store: &mut Store, command: &Command) -> Result<(), Failure> {
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
        Command::Backup { file, force } => backup_cmd(store, file, *force),
        Command::Log {
            job,
            kind,
            limit,
            json,
        } => {
            let events = store.log(job.as_deref(), *kind, *limit)?;
            json_or_text(*json, &events, |e| render::log(e))
        }
        Command::Export { file, force } => export_cmd(store, file.as_deref(), *force),
        Command::Values(ValuesCmd::Export { file, force, .. }) => {
            values::export(store, file.as_deref(), *force)
        }
        Command::Values(ValuesCmd::Template { job }) => values::template(store, job),
        Command::Job(JobCmd::List { all, json }) => {
            json_or_text(*json, &store.jobs(*all)?, |j| render::job_list(j))
        }
        Command::Job(JobCmd::Show { job, json }) => job_show_cmd(store, job, *json, now),
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
            plan_show_cmd(store, job, *kind, *json, now)
        }
        Command::Flow(FlowCmd::List { .. } | FlowCmd::Export { .. }) => {
            flow_read_cmd(store, command, now)
        }
        Command::Incident(IncidentCmd::List { job, json }) => {
            incident_list_cmd(store, job.as_deref(), *json, now)
        }
        Command::Publish { dir } => publish_cmd(store, dir, now),
        Command::Register { json, markdown } => {
            let details = store.register(now)?;
            let r = crate::register::register(&details, now, store.is_shared());
            json_or_text(*json, &r, |r| crate::register::text(r, *markdown))
        }
        Command::Calendar { file, force } => calendar_cmd(store, file, *force),
        Command::Cycle(CycleCmd::List { job, json }) => {
            json_or_text(*json, &store.cycles(job)?, |c| render::cycles(c, job))
        }
        Command::Proof(ProofCmd::List { job, json }) => {
            json_or_text(*json, &store.proofs(job)?, |p| render::proofs(p))
        }
        other => Err(not_here(other)),
    }
}

/// The value as JSON (`--json`), else as the text `words` makes of it.
fn json_or_text<T: serde::Serialize>(
    json: bool,
    value: &T,
    words: impl FnOnce(&T) -> String,
) -> Result<(), Failure> {
    if json {
        emit_json(value)
    } else {
        emit(&words(value))
    }
}

/// `backup FILE`: a checked copy of the database.
fn backup_cmd(store: &mut Store, file: &Path, force: bool) -> Result<(), Failure> {
    store.backup(file, force)?;
    emit(&format!(
        "backed up {} to {} (checked)\n",
        clean(&store.path().display().to_string()),
        clean(&file.display().to_string())
    ))
}

/// `job show JOB`: the job, its review, cycles, tools and proofs.
fn job_show_cmd(store: &mut Store, job: &str, json: bool, now: Stamp) -> Result<(), Failure> {
    let d = store.job_detail(job, now)?;
    if json {
        emit_json(&serde_json::json!({
            "job": d.job, "review": d.review, "cycles": d.cycles,
            "tools": d.tools, "proofs": d.proofs,
        }))
    } else {
        emit(&render::job_show(&d))
    }
}

/// `plan show JOB KIND`: the loop's plan and its comparisons.
fn plan_show_cmd(
    store: &mut Store,
    job: &str,
    kind: crate::domain::LoopKind,
    json: bool,
    now: Stamp,
) -> Result<(), Failure> {
    let d = store.loop_detail(job, kind, 0, now)?;
    if json {
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

/// `flow list` and `flow export`: a job's workflow map as text, JSON, DOT or Mermaid.
fn flow_read_cmd(store: &mut Store, command: &Command, now: Stamp) -> Result<(), Failure> {
    match command {
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
        other => Err(not_here(other)),
    }
}

/// `incident list [JOB]`: the incidents of one job or of every job.
fn incident_list_cmd(
    store: &mut Store,
    job: Option<&str>,
    json: bool,
    now: Stamp,
) -> Result<(), Failure> {
    let details = match job {
        Some(slug) => vec![store.flow_detail(slug, now)?],
        None => store.register(now)?,
    };
    let views: Vec<(String, crate::domain::flow::FlowView)> = details
        .iter()
        .map(|d| (d.job.slug.clone(), d.view()))
        .collect();
    if !json {
        return emit(&flow::incidents(&views));
    }
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
}

/// `publish DIR`: the playbook and the journeys as Markdown pages.
fn publish_cmd(store: &mut Store, dir: &Path, now: Stamp) -> Result<(), Failure> {
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

pub(super) fn review_cmd(
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
    for slug in &board.recomputed {
        let _ = writeln!(
            io::stderr(),
            "warning: the stored derived state of `{}` is missing or damaged: shown as computed from its records — `jobloop doctor --repair` rebuilds it",
            crate::display::clean(slug)
        );
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
