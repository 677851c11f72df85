//! Appending to and reading the audit trail.

use rusqlite::{Connection, OptionalExtension, params};

use super::Result;
use super::load::{EVENT_COLS, event, job_by_slug, prefixed};
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

/// What happened to one job since its last closed cycle: the newest events and how many in all.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub events: Vec<AuditEvent>,
    pub total: i64,
}

impl super::Store {
    /// Per job slug, the newest `limit` events since the job's last closed cycle (all events for a
    /// job that never closed one), in one windowed query.
    pub fn changes_since_last_cycle(
        &self,
        limit: usize,
    ) -> Result<std::collections::HashMap<String, Changes>> {
        let cols = prefixed("e", EVENT_COLS);
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {EVENT_COLS}, total FROM (
                SELECT {cols},
                       row_number() OVER (PARTITION BY e.job_id ORDER BY e.seq DESC) AS rn,
                       count(*) OVER (PARTITION BY e.job_id) AS total
                FROM audit_events e
                LEFT JOIN (SELECT job_id, max(closed_at) AS closed FROM cycles GROUP BY job_id) c
                  ON c.job_id = e.job_id
                WHERE e.job_id IS NOT NULL AND (c.closed IS NULL OR e.at > c.closed)
             ) WHERE rn <= ?1 ORDER BY seq DESC"
        ))?;
        let slugs: std::collections::HashMap<String, String> = self
            .conn
            .prepare("SELECT id, slug FROM jobs")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut out: std::collections::HashMap<String, Changes> = Default::default();
        let mut rows = stmt.query([limit as i64])?;
        while let Some(r) = rows.next()? {
            let e = event(r)?;
            let total: i64 = r.get(12)?;
            let slug = e
                .job_id
                .as_ref()
                .and_then(|id| slugs.get(id))
                .cloned()
                .unwrap_or_default();
            let entry = out.entry(slug).or_default();
            entry.total = total;
            entry.events.push(e);
        }
        Ok(out)
    }

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
