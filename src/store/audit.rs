//! Appending to and reading the audit trail.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use super::load::{EVENT_COLS, event, job_by_slug};
use crate::domain::LoopKind;
use crate::domain::audit::{Change, next_event};
use crate::domain::model::{AuditEvent, Ctx};

/// Appends one event chained to the last one; call inside the command's transaction.
pub fn append(conn: &Connection, ctx: &Ctx, change: Change) -> Result<i64> {
    let last: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let e = next_event(last.as_ref().map(|(s, h)| (*s, h.as_str())), ctx, change);
    insert(conn, &e)?;
    Ok(e.seq)
}

pub fn insert(conn: &Connection, e: &AuditEvent) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO audit_events ({EVENT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    ))?
    .execute(params![
        e.seq,
        e.id,
        e.at,
        e.actor,
        e.command,
        e.job_id,
        e.loop_kind,
        e.summary,
        e.before.to_string(),
        e.after.to_string(),
        e.prev_hash,
        e.hash
    ])?;
    Ok(())
}

impl super::Store {
    /// The newest `limit` events, newest first, optionally of one job (and one loop kind).
    pub fn log(
        &self,
        job: Option<&str>,
        kind: Option<LoopKind>,
        limit: usize,
    ) -> Result<Vec<AuditEvent>> {
        let job_id = match job {
            Some(slug) => Some(job_by_slug(&self.conn, slug)?.id),
            None => None,
        };
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {EVENT_COLS} FROM audit_events
             WHERE (?1 IS NULL OR job_id = ?1) AND (?2 IS NULL OR loop_kind = ?2)
             ORDER BY seq DESC LIMIT ?3"
        ))?;
        let rows = stmt
            .query_map(params![job_id, kind, limit as i64], event)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
