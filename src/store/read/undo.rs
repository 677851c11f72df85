//! The reads behind `undo`: the actor's last command, what would take it back, and whether
//! anyone acted after it where it wrote.

use super::super::rows::{self, JOB_COLS};
use super::super::sql::{Db, params};
use super::super::{Error, Result, Store};
use super::super::{audit, load};
use crate::domain::model::*;

impl Store {
    /// The actor's last command and what would take it back (or why nothing can).
    pub fn undo_plan(
        &mut self,
        actor: &str,
    ) -> Result<
        Option<(
            AuditEvent,
            std::result::Result<crate::domain::Intent, crate::domain::Refusal>,
        )>,
    > {
        self.read(|db| {
            let Some(event) = audit::last_by(db, actor)? else {
                return Ok(None);
            };
            // Many events of one person at one instant are one command that recorded many
            // values (the week form, `values import`): undo takes back the whole command, in
            // one transaction, never part of one.
            let at_once = audit::all_at(db, actor, event.at)?;
            let (shown, plan) = if at_once.len() > 1 {
                undo_whole_command(db, event, &at_once)?
            } else {
                undo_one_event(db, event)?
            };
            if plan.is_err() {
                return Ok(Some((shown, plan)));
            }
            let last = at_once.iter().map(|e| e.seq).max().unwrap_or(shown.seq);
            // One look per place the command wrote (an import writes many values on few loops).
            let mut looked = std::collections::HashSet::new();
            for e in &at_once {
                let whole_job = crate::domain::undo::reaches_whole_job(&e.command);
                let place = (e.job_id.clone(), (!whole_job).then_some(e.loop_kind));
                if !looked.insert(place) {
                    continue;
                }
                if let Some(later) = audit::first_since(db, e, last, whole_job)? {
                    let place = place_of(db, &later)?;
                    return Ok(Some((
                        shown,
                        Err(crate::domain::undo::built_on(&later, &place)),
                    )));
                }
            }
            Ok(Some((shown, plan)))
        })
    }
}

/// Where an event acted, as people name it: `slug/kind`, or the job's `slug`.
fn place_of(db: &mut dyn Db, e: &AuditEvent) -> Result<String> {
    let slug = match &e.job_id {
        Some(id) => db
            .first(
                &format!("SELECT {JOB_COLS} FROM jobs WHERE id = ?1"),
                params![id],
                rows::job,
            )?
            .map(|j| j.slug),
        None => None,
    }
    .unwrap_or_else(|| "the job".into());
    Ok(match e.loop_kind {
        Some(kind) => format!("{slug}/{kind}"),
        None => format!("`{slug}`"),
    })
}

/// What would take back a command, or why nothing can.
type UndoPlan = std::result::Result<crate::domain::Intent, crate::domain::Refusal>;

/// Undo of a command that wrote many events at one instant: all of them, or none (refused when
/// one is on no job). The event shown names every value of the command.
fn undo_whole_command(
    db: &mut dyn Db,
    event: AuditEvent,
    at_once: &[AuditEvent],
) -> Result<(AuditEvent, UndoPlan)> {
    let mut events = Vec::new();
    for e in at_once {
        let job = match &e.job_id {
            Some(id) => db.first(
                &format!("SELECT {JOB_COLS} FROM jobs WHERE id = ?1"),
                params![id],
                rows::job,
            )?,
            None => None,
        };
        match job {
            Some(job) => events.push((e.clone(), job)),
            None => {
                let refusal = crate::domain::Refusal::rule(format!(
                    "your last command wrote {} records at once, one of them on no job: undo takes back a single command whole, never part of one",
                    at_once.len()
                ));
                return Ok((event, Err(refusal)));
            }
        }
    }
    let plan = crate::domain::undo::compensation_of_many(&events);
    if plan.is_err() {
        return Ok((event, plan));
    }
    // What the confirmation names: every value of the command.
    let shown = AuditEvent {
        summary: format!(
            "{} values recorded at once: {}",
            at_once.len(),
            at_once
                .iter()
                .map(|e| e.summary.replace('\n', " "))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        ..event
    };
    Ok((shown, plan))
}

/// Undo of a command that wrote one event: refused when it changed no job; otherwise
/// computed from the job, its loop and (when it needs them) the job's earlier events.
fn undo_one_event(db: &mut dyn Db, event: AuditEvent) -> Result<(AuditEvent, UndoPlan)> {
    let Some(job_id) = event.job_id.clone() else {
        let refusal = crate::domain::Refusal::rule(format!(
            "your last command (`{}`) changed no job, so there is nothing to take back",
            event.command
        ));
        return Ok((event, Err(refusal)));
    };
    let job = db
        .first(
            &format!("SELECT {JOB_COLS} FROM jobs WHERE id = ?1"),
            params![job_id],
            rows::job,
        )?
        .ok_or_else(|| Error::Storage("the job of that command is gone".into()))?;
    let record = match event.loop_kind {
        Some(kind) => Some(load::loop_of(db, job.clone(), kind)?),
        None => None,
    };
    let earlier = if crate::domain::undo::needs_history(&event) {
        audit::job_events_before(db, &job.id, event.seq)?
    } else {
        Vec::new()
    };
    let plan = crate::domain::undo::compensation(&event, &job, record.as_ref(), &earlier);
    Ok((event, plan))
}
