//! Appending to and reading the audit trail.

use std::collections::HashMap;

use super::Result;
use super::rows::{EVENT_COLS, event, insert_event};
use super::sql::{Db, params};
use crate::domain::LoopKind;
use crate::domain::audit::{Change, next_event};
use crate::domain::model::{AuditEvent, Ctx, JobId};
use crate::domain::time::{Stamp, Week, start_of_day};

/// The last event (sequence number and hash), by the unique index on `seq`. (On PostgreSQL the
/// write transaction already holds the chain-head row's lock, which serialises appends; the row
/// is moved to the new head once, when the transaction commits.)
pub(super) fn head(db: &mut dyn Db) -> Result<Option<(i64, String)>> {
    let sql = "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1";
    db.first(sql, &[], |r| {
        Ok((
            r.int(0)?.unwrap_or(0),
            r.text(1)?.unwrap_or_default().to_string(),
        ))
    })
}

/// Appends one event chained to the last one; call inside the command's transaction.
/// `rows_before` records the hash of each row the command updates, as it was before.
pub(super) fn append(
    db: &mut dyn Db,
    ctx: &Ctx,
    change: Change,
    rows_before: serde_json::Map<String, serde_json::Value>,
) -> Result<AuditEvent> {
    let mut e = prepare(db, ctx, change)?;
    if !rows_before.is_empty() {
        crate::domain::audit::add_rows_before(&mut e, rows_before);
        e.hash = crate::domain::audit::hash(&e);
    }
    insert(db, &e)?;
    Ok(e)
}

/// The event that follows the trail's last one, not yet stored. A trail whose last sequence
/// number is at its limit (an edit behind jobloop's back) takes no more events.
pub(super) fn prepare(db: &mut dyn Db, ctx: &Ctx, change: Change) -> Result<AuditEvent> {
    let last = head(db)?;
    if last.as_ref().is_some_and(|(s, _)| *s == i64::MAX) {
        return Err(super::Error::Unusable(
            "the audit trail's last event has the largest sequence number there can be, which only an edit behind jobloop's back makes: nothing was written".into(),
        )
        .then(super::Next::Verify));
    }
    Ok(next_event(
        last.as_ref().map(|(s, h)| (*s, h.as_str())),
        ctx,
        change,
    ))
}

/// Stores an event as is (append and import).
pub(super) fn insert(db: &mut dyn Db, e: &AuditEvent) -> Result<()> {
    insert_event(db, e)
}

/// The event among `ids` that was committed, if any (a command in doubt after a lost connection
/// looks for its own event this way).
pub(super) fn find_any(db: &mut dyn Db, ids: &[String]) -> Result<Option<AuditEvent>> {
    if ids.is_empty() {
        return Ok(None);
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("?{i}")).collect();
    let params: Vec<super::sql::P> = ids.iter().map(|i| super::sql::ToP::p(i)).collect();
    db.first(
        &format!(
            "SELECT {EVENT_COLS} FROM audit_events WHERE id IN ({})",
            marks.join(", ")
        ),
        &params,
        event,
    )
}

/// What happened to one job in a week: the newest events and how many in all.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub events: Vec<AuditEvent>,
    pub total: i64,
}

/// Per job id, the newest `limit` events dated in `week` (local time), in one windowed query.
pub(super) fn changes_in(
    db: &mut dyn Db,
    week: Week,
    limit: usize,
) -> Result<HashMap<JobId, Changes>> {
    let from = start_of_day(week.monday());
    let to = start_of_day(week.monday() + chrono::Days::new(7));
    let cols = super::rows::prefixed("e", EVENT_COLS);
    let mut out: HashMap<JobId, Changes> = HashMap::new();
    db.each(
        &format!(
            "SELECT {EVENT_COLS}, total FROM (
                SELECT {cols},
                       row_number() OVER (PARTITION BY e.job_id ORDER BY e.seq DESC) AS rn,
                       count(*) OVER (PARTITION BY e.job_id) AS total
                FROM audit_events e
                WHERE e.job_id IS NOT NULL AND e.at >= ?1 AND e.at < ?2
             ) w WHERE rn <= ?3 ORDER BY seq DESC"
        ),
        params![from, to, limit],
        &mut |r| {
            let e = event(r)?;
            let total = r.int(12)?.unwrap_or(0);
            // The query keeps only events that name a job.
            let Some(job_id) = e.job_id.clone() else {
                return Ok(());
            };
            let entry = out.entry(job_id).or_default();
            entry.total = total;
            entry.events.push(e);
            Ok(())
        },
    )?;
    Ok(out)
}

/// The newest `limit` events, newest first, optionally of one job (and one loop kind).
pub(super) fn log(
    db: &mut dyn Db,
    job_id: Option<&JobId>,
    kind: Option<LoopKind>,
    limit: usize,
) -> Result<Vec<AuditEvent>> {
    // A plain `job_id = ?` (no "or any job") lets the index on (job_id, seq) serve a job's
    // newest events without scanning the whole trail.
    let job = if job_id.is_some() {
        "job_id = ?1"
    } else {
        "CAST(?1 AS TEXT) IS NULL"
    };
    db.all(
        &format!(
            "SELECT {EVENT_COLS} FROM audit_events
             WHERE {job} AND (CAST(?2 AS TEXT) IS NULL OR loop_kind = ?2)
             ORDER BY seq DESC LIMIT ?3"
        ),
        params![job_id, kind, limit],
        event,
    )
}

/// A job's events before sequence number `seq`, newest first (what undo needs to know what a
/// record was before a change).
pub(super) fn job_events_before(
    db: &mut dyn Db,
    job_id: &JobId,
    seq: i64,
) -> Result<Vec<AuditEvent>> {
    db.all(
        &format!(
            "SELECT {EVENT_COLS} FROM audit_events WHERE job_id = ?1 AND seq < ?2 ORDER BY seq DESC"
        ),
        params![job_id, seq],
        event,
    )
}

/// The first event after `seq` on the same loop (or, with no kind, the job itself) as `of`,
/// not written at `of`'s instant (those are its own command's, such as a trip its value made):
/// what someone did to the records since `of` (for undo, which must not take it back too).
/// With `whole_job`, any loop of the job counts: the workflow's records refer to each other
/// across loops (a step governed in the govern loop, an incident at it in the improve loop).
pub(super) fn first_since(
    db: &mut dyn Db,
    of: &AuditEvent,
    seq: i64,
    whole_job: bool,
) -> Result<Option<AuditEvent>> {
    let Some(job) = &of.job_id else {
        return Ok(None);
    };
    if whole_job {
        return db.first(
            &format!(
                "SELECT {EVENT_COLS} FROM audit_events WHERE job_id = ?1 AND seq > ?2 AND at <> ?3 ORDER BY seq LIMIT 1"
            ),
            params![job, seq, of.at],
            event,
        );
    }
    db.first(
        &format!(
            "SELECT {EVENT_COLS} FROM audit_events WHERE job_id = ?1 AND loop_kind IS NOT DISTINCT FROM ?2 AND seq > ?3 AND at <> ?4 ORDER BY seq LIMIT 1"
        ),
        params![job, of.loop_kind, seq, of.at],
        event,
    )
}

/// Every event the actor wrote at instant `at`, in order: one command's (for undo).
pub(super) fn all_at(db: &mut dyn Db, actor: &str, at: Stamp) -> Result<Vec<AuditEvent>> {
    db.all(
        &format!("SELECT {EVENT_COLS} FROM audit_events WHERE actor = ?1 AND at = ?2 ORDER BY seq"),
        params![actor, at],
        event,
    )
}

/// The last event the actor wrote (for undo): `None` when they wrote none.
pub(super) fn last_by(db: &mut dyn Db, actor: &str) -> Result<Option<AuditEvent>> {
    db.first(
        &format!(
            "SELECT {EVENT_COLS} FROM audit_events WHERE actor = ?1 ORDER BY seq DESC LIMIT 1"
        ),
        params![actor],
        event,
    )
}

/// The time and command of events by sequence number, for naming them in a report.
pub(super) fn describe(db: &mut dyn Db, seqs: &[i64]) -> Result<HashMap<i64, (Stamp, String)>> {
    let mut out = HashMap::new();
    for seq in seqs {
        if let Some(found) = db.first(
            "SELECT at, command FROM audit_events WHERE seq = ?1",
            params![seq],
            |r| {
                Ok((
                    r.text(0)?.and_then(|t| Stamp::parse(t).ok()),
                    r.text(1)?.unwrap_or_default().to_string(),
                ))
            },
        )? && let (Some(at), command) = found
        {
            out.insert(*seq, (at, command));
        }
    }
    Ok(out)
}
