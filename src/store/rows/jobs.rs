//! Jobs, their loops and checklist steps, and weekly cycles.

use super::write;
use crate::domain::model::*;
use crate::store::Result;
use crate::store::sql::{Db, Fields, P, Put, Row};
use crate::store::tables::{self};

/// Writes a changed job — the columns a later command may change — guarded by the revision it
/// was read at; `false` when it changed since.
pub(in crate::store) fn update_job(db: &mut dyn Db, j: &Job, read_rev: i64) -> Result<bool> {
    let def = &tables::JOBS;
    let all = super::shaped::params(j, def)?;
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
