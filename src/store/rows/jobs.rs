//! Jobs, their loops and checklist steps, and weekly cycles.

use super::write;
use crate::domain::model::*;
use crate::store::Result;
use crate::store::sql::{Db, Fields, P, Put, Row};
use crate::store::tables::{self};

pub(in crate::store) fn job(r: &dyn Row) -> Result<Job> {
    let f = Fields::new(r, &tables::JOBS)?;
    Ok(Job {
        id: f.own_id(),
        slug: f.text("slug")?,
        title: f.text("title")?,
        statement: f.text("statement")?,
        canvas: Canvas {
            performer: f.text("performer")?,
            circumstance: f.text("circumstance")?,
            workaround: f.text("workaround")?,
            functional_job: f.text("functional_job")?,
            emotional_job: f.text("emotional_job")?,
            social_job: f.text("social_job")?,
            competing_solutions: f.text("competing_solutions")?,
            hiring_criteria: f.text("hiring_criteria")?,
        },
        created_at: f.stamp("created_at")?,
        archived_at: f.opt_stamp("archived_at")?,
        rev: f.int("rev")?,
        lead: f.opt_text("lead")?,
        since: f.opt_date("since")?,
    })
}

/// Every column of a job (destructured, so a new field does not compile until it is written).
fn put_job(j: &Job) -> Put<'_> {
    let Job {
        id,
        slug,
        title,
        statement,
        canvas,
        created_at,
        archived_at,
        rev,
        lead,
        since,
    } = j;
    let Canvas {
        performer,
        circumstance,
        workaround,
        functional_job,
        emotional_job,
        social_job,
        competing_solutions,
        hiring_criteria,
    } = canvas;
    Put::new(&tables::JOBS)
        .put("id", id)
        .put("slug", slug)
        .put("title", title)
        .put("statement", statement)
        .put("performer", performer)
        .put("circumstance", circumstance)
        .put("workaround", workaround)
        .put("functional_job", functional_job)
        .put("emotional_job", emotional_job)
        .put("social_job", social_job)
        .put("competing_solutions", competing_solutions)
        .put("hiring_criteria", hiring_criteria)
        .put("created_at", created_at)
        .put("archived_at", archived_at)
        .put("rev", rev)
        .put("lead", lead)
        .put("since", since)
}

pub(in crate::store) fn insert_job(db: &mut dyn Db, j: &Job) -> Result<()> {
    write(db, &tables::JOBS, false, put_job(j))
}

/// Writes a changed job — the columns a later command may change — guarded by the revision it
/// was read at; `false` when it changed since.
pub(in crate::store) fn update_job(db: &mut dyn Db, j: &Job, read_rev: i64) -> Result<bool> {
    let def = &tables::JOBS;
    let all = put_job(j).params()?;
    let changed: Vec<(usize, &str)> = def
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.changes)
        .map(|(i, c)| (i, c.name))
        .collect();
    let sets: Vec<String> = changed
        .iter()
        .enumerate()
        .map(|(k, (_, name))| format!("{name} = ?{}", k + 3))
        .collect();
    let mut params: Vec<P> = vec![all[0].clone(), P::Int(read_rev)];
    params.extend(changed.iter().map(|(i, _)| all[*i].clone()));
    let n = db.exec(
        &format!(
            "UPDATE jobs SET {} WHERE id = ?1 AND rev = ?2",
            sets.join(", ")
        ),
        &params,
    )?;
    Ok(n == 1)
}

pub(in crate::store) fn loop_row(r: &dyn Row) -> Result<Loop> {
    let f = Fields::new(r, &tables::LOOPS)?;
    Ok(Loop {
        id: f.own_id(),
        job_id: f.id_of("job_id")?,
        kind: f.kind("kind")?,
        status: f.choice("status", Status::from_text)?,
        owner: f.opt_text("owner")?,
        notes: f.text("notes")?,
        rev: f.int("rev")?,
    })
}

pub(in crate::store) fn insert_loop(db: &mut dyn Db, l: &Loop) -> Result<()> {
    let Loop {
        id,
        job_id,
        kind,
        status,
        owner,
        notes,
        rev,
    } = l;
    let position = kind.position();
    let put = Put::new(&tables::LOOPS)
        .put("id", id)
        .put("job_id", job_id)
        .put("kind", kind)
        .put("position", &position)
        .put("status", status)
        .put("owner", owner)
        .put("notes", notes)
        .put("rev", rev);
    write(db, &tables::LOOPS, false, put)
}

pub(in crate::store) fn step(r: &dyn Row) -> Result<Step> {
    let f = Fields::new(r, &tables::STEPS)?;
    Ok(Step {
        id: f.own_id(),
        loop_id: f.id_of("loop_id")?,
        n: f.int("n")?,
        text: f.text("text")?,
        custom: f.bool("custom")?,
        done_at: f.opt_stamp("done_at")?,
        done_by: f.opt_text("done_by")?,
        evidence: f.opt_text("evidence")?,
    })
}

pub(in crate::store) fn upsert_step(db: &mut dyn Db, s: &Step) -> Result<()> {
    let Step {
        id,
        loop_id,
        n,
        text,
        custom,
        done_at,
        done_by,
        evidence,
    } = s;
    let put = Put::new(&tables::STEPS)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("n", n)
        .put("text", text)
        .put("custom", custom)
        .put("done_at", done_at)
        .put("done_by", done_by)
        .put("evidence", evidence);
    write(db, &tables::STEPS, true, put)
}

pub(in crate::store) fn cycle(r: &dyn Row) -> Result<Cycle> {
    let f = Fields::new(r, &tables::CYCLES)?;
    let week = f.text("week")?;
    crate::domain::Week::parse(&week).map_err(|e| {
        crate::store::Error::Undecodable(crate::store::sql::Undecodable {
            table: tables::CYCLES.table,
            id: f.id().to_string(),
            why: format!("its week {}", e.message),
        })
    })?;
    Ok(Cycle {
        id: f.own_id(),
        job_id: f.id_of("job_id")?,
        week,
        understanding: f.bool("understanding")?,
        explanation: f.bool("explanation")?,
        creation: f.bool("creation")?,
        distribution: f.bool("distribution")?,
        understanding_note: f.text("understanding_note")?,
        explanation_note: f.text("explanation_note")?,
        creation_note: f.text("creation_note")?,
        distribution_note: f.text("distribution_note")?,
        note: f.text("note")?,
        closed_at: f.stamp("closed_at")?,
        closed_by: f.text("closed_by")?,
    })
}

pub(in crate::store) fn insert_cycle(db: &mut dyn Db, c: &Cycle) -> Result<()> {
    let Cycle {
        id,
        job_id,
        week,
        understanding,
        explanation,
        creation,
        distribution,
        understanding_note,
        explanation_note,
        creation_note,
        distribution_note,
        note,
        closed_at,
        closed_by,
    } = c;
    let put = Put::new(&tables::CYCLES)
        .put("id", id)
        .put("job_id", job_id)
        .put("week", week)
        .put("understanding", understanding)
        .put("explanation", explanation)
        .put("creation", creation)
        .put("distribution", distribution)
        .put("understanding_note", understanding_note)
        .put("explanation_note", explanation_note)
        .put("creation_note", creation_note)
        .put("distribution_note", distribution_note)
        .put("note", note)
        .put("closed_at", closed_at)
        .put("closed_by", closed_by);
    write(db, &tables::CYCLES, false, put)
}
