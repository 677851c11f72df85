//! The job-level steps of the write pipeline: a new job, a tool, a proof, a cycle, a job's own
//! fields, each with its audit event.

use super::*;

/// Records the tool a job's proof is made with.
pub(super) fn select_tool(
    db: &mut dyn Db,
    ctx: &Ctx,
    slug: &str,
    name: &str,
    at: When,
    states: &mut States,
) -> Result<Ack> {
    let job = writable_job(db, ctx, slug)?;
    let (tool, outcome) = evidence::select_tool(&job, name, at, ctx)?;
    upsert_tool(db, &tool)?;
    let ack = job_event(db, ctx, &job, outcome, Json::Null, row_json(&tool))?;
    states.job_changed(db, &job.id)?;
    Ok(ack)
}

/// Records a new proof (`make` builds it from the job); it may open the distribute loop.
pub(super) fn add_proof(
    db: &mut dyn Db,
    ctx: &Ctx,
    slug: &str,
    states: &mut States,
    make: impl FnOnce(&Job) -> std::result::Result<(Proof, Outcome), Refusal>,
) -> Result<Ack> {
    let job = writable_job(db, ctx, slug)?;
    let (proof, outcome) = make(&job)?;
    upsert_proof(db, &proof)?;
    let mut ack = job_event(db, ctx, &job, outcome, Json::Null, row_json(&proof))?;
    states.job_changed(db, &job.id)?;
    proof_opens_distribute(db, ctx, slug, states, &mut ack)?;
    Ok(ack)
}

/// A job-level table whose rows a later command changes (a proof's outcome or visibility, a
/// tool's void): how to read the job's rows, find the one a person named, and write it back.
pub(super) struct JobRows<T> {
    table: Table,
    load: fn(&mut dyn Db, &JobId) -> Result<Vec<T>>,
    find: for<'a> fn(&'a mut [T], &str, &str) -> std::result::Result<&'a mut T, Refusal>,
    write: fn(&mut dyn Db, &T) -> Result<()>,
    id: fn(&T) -> &str,
}

pub(super) const PROOF_ROWS: JobRows<Proof> = JobRows {
    table: Table::Proofs,
    load: load::proofs_of,
    find: evidence::find_proof,
    write: upsert_proof,
    id: |p| p.id.as_str(),
};

pub(super) const TOOL_ROWS: JobRows<Tool> = JobRows {
    table: Table::Tools,
    load: load::tools_of,
    find: evidence::find_tool,
    write: upsert_tool,
    id: |t| t.id.as_str(),
};

/// Changes the row of `rows` that `reference` names (`change` decides, or says nothing
/// changed); the event keeps the row's hash from before and lists the row as updated.
pub(super) fn change_row<T: serde::Serialize>(
    db: &mut dyn Db,
    ctx: &Ctx,
    (slug, reference): (&str, &str),
    rows: &JobRows<T>,
    states: &mut States,
    change: impl FnOnce(&Job, &mut T) -> std::result::Result<Outcome, Refusal>,
) -> Result<Ack> {
    let job = writable_job(db, ctx, slug)?;
    let mut all = (rows.load)(db, &job.id)?;
    let r = (rows.find)(&mut all, reference, slug)?;
    let before = row_json(r);
    let hash_before = guard::row_matches(db, &job.id, None, rows.table, (rows.id)(r), &*r)?;
    let outcome = change(&job, r)?;
    if !outcome.changed {
        return Ok(Ack::unchanged(outcome));
    }
    (rows.write)(db, r)?;
    let row = row_json(r);
    let rows_before = [((rows.id)(r).to_string(), Json::String(hash_before))]
        .into_iter()
        .collect();
    let ack = job_event_with(
        db,
        ctx,
        &job,
        outcome,
        (before, row.clone()),
        rows_before,
        |after| updated(after, rows.table.sql_name(), vec![row]),
    )?;
    states.job_changed(db, &job.id)?;
    Ok(ack)
}

/// Changes one recorded proof; tracking its outcome may open the distribute loop (`opens`).
pub(super) fn change_proof(
    db: &mut dyn Db,
    ctx: &Ctx,
    (slug, proof): (&str, &str),
    states: &mut States,
    opens: bool,
    change: impl FnOnce(&Job, &mut Proof) -> std::result::Result<Outcome, Refusal>,
) -> Result<Ack> {
    let mut ack = change_row(db, ctx, (slug, proof), &PROOF_ROWS, states, change)?;
    if opens && ack.changed {
        proof_opens_distribute(db, ctx, slug, states, &mut ack)?;
    }
    Ok(ack)
}

/// Closes a week's cycle of a job (the current week unless one is named).
pub(super) fn close_cycle_of(
    db: &mut dyn Db,
    ctx: &Ctx,
    slug: &str,
    week: Option<Week>,
    answers: &CompoundAnswers,
    states: &mut States,
) -> Result<Ack> {
    let job = writable_job(db, ctx, slug)?;
    let closed: Vec<Week> = load::cycles_of(db, &job.id)?
        .iter()
        .filter_map(|c| Week::parse(&c.week).ok())
        .collect();
    let week = week.unwrap_or_else(|| Week::containing(ctx.now));
    let earliest = load::earliest_record(db, &job.id)?;
    let (cycle, outcome) = close_cycle(&job, &closed, earliest, week, answers, ctx)?;
    insert_cycle(db, &cycle)?;
    let mut ack = job_event(db, ctx, &job, outcome, Json::Null, row_json(&cycle))?;
    states.job_changed(db, &job.id)?;
    ack.happened.push(Happening {
        seq: ack.seq,
        ..hook::of_cycle(&job, &cycle)
    });
    Ok(ack)
}

/// A later start is refused while a week before it was answered: its compound test would fall
/// outside the job's history.
pub(super) fn later_start_keeps_answered_weeks(
    db: &mut dyn Db,
    slug: &str,
    since: Option<chrono::NaiveDate>,
) -> Result<()> {
    let job = job_by_slug(db, slug)?;
    let earliest = load::earliest_record(db, &job.id)?;
    let first = job::first_week(
        &crate::domain::model::Job {
            since,
            ..job.clone()
        },
        earliest,
    );
    let before: Vec<String> = load::cycles_of(db, &job.id)?
        .into_iter()
        .filter(|c| Week::parse(&c.week).is_ok_and(|w| w < first))
        .map(|c| c.week)
        .collect();
    if let Some(w) = before.first() {
        return Err(Refusal::rule(format!(
            "the compound test of {w} was answered for `{slug}`: its history cannot begin after that week"
        ))
        .into());
    }
    Ok(())
}

pub(super) fn add_job(db: &mut dyn Db, ctx: &Ctx, new: NewJob, states: &mut States) -> Result<Ack> {
    if let Some((existing, title)) = db.first(
        "SELECT slug, title FROM jobs WHERE slug = ?1",
        params![new.job.slug],
        |r| {
            Ok((
                r.text(0)?.unwrap_or_default().to_string(),
                r.text(1)?.unwrap_or_default().to_string(),
            ))
        },
    )? {
        return Err(Refusal::rule(format!(
            "a job with the slug `{existing}` already exists (\"{title}\")"
        ))
        .advice("choose another slug")
        .into());
    }
    insert_job(db, &new.job)?;
    for r in &new.loops {
        insert_loop(db, &r.lp)?;
        for s in &r.steps {
            upsert_step(db, s)?;
        }
        for k in &r.kill_signals {
            upsert_signal(db, k)?;
        }
    }
    let ack = job_event(
        db,
        ctx,
        &new.job,
        new.outcome(),
        Json::Null,
        new.audit_after(),
    )?;
    for r in &new.loops {
        states.loop_changed(db, r, ctx)?;
    }
    states.job_changed(db, &new.job.id)?;
    Ok(ack)
}

pub(super) fn on_job(
    db: &mut dyn Db,
    ctx: &Ctx,
    slug: &str,
    intent: impl FnOnce(&mut Job) -> std::result::Result<Outcome, Refusal>,
) -> Result<Ack> {
    let before = job_by_slug(db, slug)?;
    guard::job_matches(db, &before)?;
    job::authorize(&before, ctx)?;
    let mut after = before.clone();
    let outcome = intent(&mut after)?;
    if !outcome.changed {
        return Ok(Ack::unchanged(outcome));
    }
    // The event first: on the shared database the server lets only the job's lead append it,
    // and a lead handing the job on is no longer its lead once the row is written.
    let ack = job_event(
        db,
        ctx,
        &after,
        outcome,
        with_state_hash(row_json(&before)),
        with_state_hash(row_json(&after)),
    )?;
    if !update_job(db, &after, before.rev)? {
        return Err(stale(slug));
    }
    Ok(ack)
}

pub(super) fn stale(what: &str) -> Error {
    Error::Refused(
        Refusal::conflict(format!(
            "{what} changed while this command ran: nothing was written"
        ))
        .advice("look again and retry"),
    )
}

/// Adds updated rows of `table` to an event's `after` (so `verify` knows their new content).
fn updated(after: &mut Json, table: &str, rows: Vec<Json>) {
    if let Json::Object(map) = after {
        let mut tables = Map::new();
        tables.insert(table.to_string(), Json::Array(rows));
        map.insert("updated".into(), Json::Object(tables));
    }
}

fn job_event(
    db: &mut dyn Db,
    ctx: &Ctx,
    job: &Job,
    outcome: Outcome,
    before: Json,
    after: Json,
) -> Result<Ack> {
    job_event_with(db, ctx, job, outcome, (before, after), Map::new(), |_| {})
}

/// Appends the audit event of a job-level command; `extend` adds to its (diffed) `after`, and
/// `rows_before` records the hash of each row it updates as it was before.
fn job_event_with(
    db: &mut dyn Db,
    ctx: &Ctx,
    job: &Job,
    outcome: Outcome,
    (before, after): (Json, Json),
    rows_before: Map<String, Json>,
    extend: impl FnOnce(&mut Json),
) -> Result<Ack> {
    let mut e = crate::store::audit::prepare(
        db,
        ctx,
        Change {
            command: outcome.command,
            job_id: Some(&job.id),
            loop_kind: None,
            summary: &outcome.summary,
            before,
            after,
        },
    )?;
    extend(&mut e.after);
    crate::domain::audit::add_rows_before(&mut e, rows_before);
    e.hash = crate::domain::audit::hash(&e);
    crate::store::audit::insert(db, &e)?;
    Ok(Ack::of(outcome, e.seq))
}

/// Applies one intent to one loop.
/// Proof recorded on a job whose distribute loop is not started opens that loop in the same
/// transaction, with its own `loop open` event after the proof's (the loop's state is written by
/// loop events only, so the trail accounts for it). In team mode only when the person may record
/// on that loop; otherwise it stays as it was and the proof is recorded all the same.
fn proof_opens_distribute(
    db: &mut dyn Db,
    ctx: &Ctx,
    slug: &str,
    states: &mut States,
    ack: &mut Ack,
) -> Result<()> {
    let record = load::loop_record(db, slug, LoopKind::Distribute)?;
    if !evidence::proof_opens(&record, ctx) {
        return Ok(());
    }
    let opened = on_loop(db, ctx, slug, LoopKind::Distribute, &LoopOp::Open, states)?;
    if opened.changed {
        ack.summary = format!(
            "{}\n{} (proof is the distribute loop's work begun)",
            ack.summary, opened.summary
        );
        ack.happened.extend(opened.happened);
    }
    Ok(())
}
