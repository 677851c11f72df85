//! Audit events.

use super::write;
use crate::domain::model::*;
use crate::store::Result;
use crate::store::sql::{Db, Fields, Put, Row};
use crate::store::tables::{self};

/// An audit event. Its first column is the sequence number, so errors name it.
pub(in crate::store) fn event(r: &dyn Row) -> Result<AuditEvent> {
    let f = Fields::new(r, &tables::AUDIT_EVENTS)?;
    let seq = f.int("seq")?;
    let bad = |why: String| {
        crate::store::Error::Undecodable(crate::store::sql::Undecodable {
            table: tables::AUDIT_EVENTS.table,
            id: seq.to_string(),
            why,
        })
    };
    let json = |name: &str| -> Result<serde_json::Value> {
        serde_json::from_str(&f.text(name)?)
            .map_err(|e| bad(format!("its {name} is not JSON ({e})")))
    };
    Ok(AuditEvent {
        seq,
        id: f.id_of("id")?,
        at: f.stamp("at")?,
        actor: f.text("actor")?,
        command: f.text("command")?,
        job_id: f.opt_id_of("job_id")?,
        loop_kind: f.opt_kind("loop_kind")?,
        summary: f.text("summary")?,
        before: json("before")?,
        after: json("after")?,
        prev_hash: f.text("prev_hash")?,
        hash: f.text("hash")?,
    })
}

pub(in crate::store) fn insert_event(db: &mut dyn Db, e: &AuditEvent) -> Result<()> {
    let AuditEvent {
        seq,
        id,
        at,
        actor,
        command,
        job_id,
        loop_kind,
        summary,
        before,
        after,
        prev_hash,
        hash,
    } = e;
    // The JSON exactly as hashed: `verify` hashes the stored text.
    let (before, after) = (before.to_string(), after.to_string());
    let put = Put::new(&tables::AUDIT_EVENTS)
        .put("seq", seq)
        .put("id", id)
        .put("at", at)
        .put("actor", actor)
        .put("command", command)
        .put("job_id", job_id)
        .put("loop_kind", loop_kind)
        .put("summary", summary)
        .put("before", &before)
        .put("after", &after)
        .put("prev_hash", prev_hash)
        .put("hash", hash);
    write(db, &tables::AUDIT_EVENTS, false, put)
}
