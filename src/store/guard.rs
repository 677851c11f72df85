//! Before a write applies an intent, the records it loaded must be what the audit trail last
//! recorded for them. Otherwise an edit made behind jobloop's back (a flipped direction, another
//! owner, a rule switched off) would be hashed into the chain by the next honest command and
//! `verify` could no longer tell. The write is refused instead, naming the record and the event.

use serde_json::Value as Json;

use super::sql::{Db, params};
use super::{Error, Result};
use crate::domain::audit::row_json;
use crate::domain::audit::{STATE_KEY, row_hash, with_state_hash};
use crate::domain::loop_record::LoopRecord;
use crate::domain::model::{Job, JobId};
use crate::domain::trail::Said;
use crate::domain::verify::Table;
use crate::domain::{Command, LoopKind};

/// A record whose stored state is not what the trail last recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disagreement {
    /// The record as messages name it: ``loops `mail/instrument` ``.
    pub record: String,
    /// The event that last recorded it.
    pub seq: i64,
}

impl std::fmt::Display for Disagreement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is not what audit event {} recorded: it was changed behind jobloop's back, so nothing was written",
            self.record, self.seq
        )
    }
}

/// An event's fields a guard reads.
struct Candidate {
    seq: i64,
    command: Option<Command>,
    loop_kind: Option<LoopKind>,
    after: Json,
    actor: String,
}

impl Candidate {
    fn said(&self) -> Said<'_> {
        Said {
            command: self.command,
            actor: &self.actor,
            job_id: Some(""),
            loop_kind: self.loop_kind,
            after: &self.after,
        }
    }
}

/// Candidate events, newest first; `sql` selects `seq, command, loop_kind, after, actor`.
fn candidates(db: &mut dyn Db, sql: &str, params: &[super::sql::P]) -> Result<Vec<Candidate>> {
    db.all(sql, params, |r| {
        Ok(Candidate {
            seq: r.int(0)?.unwrap_or(0),
            command: r.text(1)?.and_then(Command::parse),
            loop_kind: r.text(2)?.and_then(LoopKind::from_name),
            after: serde_json::from_str(r.text(3)?.unwrap_or("null")).unwrap_or(Json::Null),
            actor: r.text(4)?.unwrap_or_default().to_string(),
        })
    })
}

/// Events that record a state hash carry this text (a key of their JSON, never inside a value,
/// where its quotes would be escaped).
const HAS_STATE: &str = "%\"state_sha256\":\"%";

/// The loop's state must be the one its latest state-recording event (or its job's `job add`)
/// recorded. A trail from before state hashes were recorded has nothing to compare with. (A
/// sign-off never records a loop's state, so one forged with a state hash changes nothing.)
pub(super) fn loop_matches(db: &mut dyn Db, record: &LoopRecord) -> Result<()> {
    let kind = record.lp.kind;
    let mut found = candidates(
        db,
        "SELECT seq, command, loop_kind, after, actor FROM audit_events
          WHERE job_id = ?1 AND loop_kind = ?2 AND after LIKE ?3 AND command <> 'decide approve'
          ORDER BY seq DESC LIMIT 1",
        params![record.job.id, kind, HAS_STATE],
    )?;
    if found.is_empty() {
        found = candidates(
            db,
            "SELECT seq, command, loop_kind, after, actor FROM audit_events
              WHERE job_id = ?1 AND loop_kind IS NULL AND command = 'job add'
              ORDER BY seq DESC LIMIT 1",
            params![record.job.id],
        )?;
    }
    let Some(c) = found.first() else {
        return Ok(());
    };
    let Some(recorded) = c.said().loop_state(kind) else {
        return Ok(());
    };
    let current = record.audit_state();
    if current.get(STATE_KEY).and_then(Json::as_str) != Some(recorded) {
        return Err(tampered(
            format!(
                "loops `{}` (its row, primary metric, checklist steps or kill signals)",
                record.addr()
            ),
            c.seq,
        ));
    }
    Ok(())
}

/// The job's row must be the one its latest job event recorded.
pub(super) fn job_matches(db: &mut dyn Db, job: &Job) -> Result<()> {
    let found = candidates(
        db,
        "SELECT seq, command, loop_kind, after, actor FROM audit_events
          WHERE job_id = ?1 AND loop_kind IS NULL AND after LIKE ?2
          ORDER BY seq DESC LIMIT 1",
        params![job.id, HAS_STATE],
    )?;
    let Some(c) = found.first() else {
        return Ok(());
    };
    let Some(recorded) = c.said().job_state() else {
        return Ok(());
    };
    let current = with_state_hash(row_json(job));
    if current.get(STATE_KEY).and_then(Json::as_str) != Some(recorded) {
        return Err(tampered(format!("jobs `{}`", job.slug), c.seq));
    }
    Ok(())
}

/// A row about to be updated (voided, signed off, its outcome tracked) must be the one the
/// latest event that wrote it recorded; its hash as loaded is returned for the new event's
/// `before`. `kind` is its loop (`None` for a job's own rows).
pub(super) fn row_matches<T: serde::Serialize>(
    db: &mut dyn Db,
    job_id: &JobId,
    kind: Option<LoopKind>,
    table: Table,
    id: &str,
    row: &T,
) -> Result<String> {
    let current = row_hash(row);
    let pattern = format!("%\"id\":\"{id}\"%");
    // Newest first: the first event that wrote this row in full, and may speak for it, is the
    // trail's last word on it. An older event that recorded only changed counts (a proof's
    // outcome, before version 3) mentions the row in its `before`: then there is no whole row
    // to compare with.
    let sql = match kind {
        Some(_) => {
            "SELECT seq, command, loop_kind, after, actor FROM audit_events
              WHERE job_id = ?1 AND loop_kind = ?2 AND (after LIKE ?3 OR before LIKE ?3)
              ORDER BY seq DESC"
        }
        None => {
            "SELECT seq, command, loop_kind, after, actor FROM audit_events
              WHERE job_id = ?1 AND loop_kind IS NULL AND CAST(?2 AS TEXT) IS NULL
                AND (after LIKE ?3 OR before LIKE ?3)
              ORDER BY seq DESC"
        }
    };
    for c in candidates(db, sql, params![job_id, kind, pattern])? {
        let written = c.said().rows();
        match written
            .iter()
            .find(|w| w.allowed && w.table == table && w.id == id)
        {
            Some(w) => {
                if crate::domain::audit::digest(w.row) != current {
                    return Err(tampered(format!("{} `{id}`", table.sql_name()), c.seq));
                }
                return Ok(current);
            }
            None if c.command == Some(Command::ProofOutcome) => return Ok(current),
            None => {}
        }
    }
    Ok(current)
}

fn tampered(record: String, seq: i64) -> Error {
    Error::Tampered(Disagreement { record, seq })
}
