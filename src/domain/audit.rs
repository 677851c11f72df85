//! The audit trail's content rules: an event keeps only what changed, and each event's hash chains
//! it to the previous one so that an edited or deleted event is detectable.

use serde_json::{Map, Value as Json};
use sha2::{Digest, Sha256};

use super::LoopKind;

use super::model::{AuditEvent, Ctx, JobId};

/// The hash the first event chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Reduces two states to the parts that differ, so that an event says exactly what changed.
/// Objects are compared key by key, arrays of equal length element by element (keyed by index).
pub fn diff(before: &Json, after: &Json) -> (Json, Json) {
    match (before, after) {
        (Json::Object(b), Json::Object(a)) => {
            let mut ob = Map::new();
            let mut oa = Map::new();
            for key in b.keys().chain(a.keys().filter(|k| !b.contains_key(*k))) {
                let vb = b.get(key).unwrap_or(&Json::Null);
                let va = a.get(key).unwrap_or(&Json::Null);
                if vb != va {
                    let (db, da) = diff(vb, va);
                    ob.insert(key.clone(), db);
                    oa.insert(key.clone(), da);
                }
            }
            (Json::Object(ob), Json::Object(oa))
        }
        (Json::Array(b), Json::Array(a)) if b.len() == a.len() => {
            let mut ob = Map::new();
            let mut oa = Map::new();
            for (i, (vb, va)) in b.iter().zip(a).enumerate() {
                if vb != va {
                    let (db, da) = diff(vb, va);
                    ob.insert(i.to_string(), db);
                    oa.insert(i.to_string(), da);
                }
            }
            (Json::Object(ob), Json::Object(oa))
        }
        _ => (before.clone(), after.clone()),
    }
}

/// An event's diff as the screens show it. `diff` keys an array changed in place by position
/// from 0, so a kill signal changed in place (tripped, re-armed, decided) is stored under
/// `kill_signals` as `"0"`, `"1"`, … while every screen numbers signals from 1. A loop's signals
/// are numbered 1, 2, … in the order they are added and are never removed, so the signal at
/// position `i` is signal `i + 1`: the key is shown as `signal {i + 1}`. Only what is shown
/// changes; the stored event, and its hash, stay as they are.
pub fn as_shown(value: &Json) -> Json {
    match value {
        Json::Object(m) => Json::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Json::Object(by_index) if k == "kill_signals" => Json::Object(
                            by_index
                                .iter()
                                .map(|(i, signal)| {
                                    let key = match i.parse::<usize>() {
                                        Ok(i) => format!("signal {}", i + 1),
                                        Err(_) => i.clone(),
                                    };
                                    (key, as_shown(signal))
                                })
                                .collect(),
                        ),
                        v => as_shown(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Json::Array(items) => Json::Array(items.iter().map(as_shown).collect()),
        v => v.clone(),
    }
}

/// What a command changed, as the audit trail records it.
pub struct Change<'a> {
    pub command: super::command::Command,
    pub job_id: Option<&'a JobId>,
    pub loop_kind: Option<LoopKind>,
    pub summary: &'a str,
    pub before: Json,
    pub after: Json,
}

/// The event that follows `prev` (sequence number and hash) in the chain.
pub fn next_event(prev: Option<(i64, &str)>, ctx: &Ctx, change: Change) -> AuditEvent {
    // A sequence number at its limit (only an edit behind jobloop's back makes one) gives one
    // that `verify` reports as out of sequence, never an overflow.
    let (seq, prev_hash) = match prev {
        Some((seq, h)) => (seq.saturating_add(1), h.to_string()),
        None => (1, GENESIS.to_string()),
    };
    let (before, after) = diff(&change.before, &change.after);
    let mut e = AuditEvent {
        seq,
        id: ctx.new_id(),
        at: ctx.now,
        actor: ctx.actor.clone(),
        command: change.command.name().to_string(),
        job_id: change.job_id.cloned(),
        loop_kind: change.loop_kind,
        summary: change.summary.to_string(),
        before,
        after,
        prev_hash,
        hash: String::new(),
    };
    e.hash = hash(&e);
    e
}

/// Records in an event's `before` the hash of each row it updates as it was before the command
/// (see `verify::ROWS_BEFORE_KEY`); the caller hashes the event again.
pub fn add_rows_before(e: &mut AuditEvent, rows: Map<String, Json>) {
    if rows.is_empty() {
        return;
    }
    if !e.before.is_object() {
        e.before = Json::Object(Map::new());
    }
    if let Json::Object(map) = &mut e.before {
        map.insert(super::verify::ROWS_BEFORE_KEY.into(), Json::Object(rows));
    }
}

/// SHA-256 over the event's content and the previous event's hash, as lowercase hex.
pub fn hash(event: &AuditEvent) -> String {
    hash_parts(&EventText {
        seq: event.seq,
        id: event.id.as_str(),
        at: &event.at.to_text(),
        actor: &event.actor,
        command: &event.command,
        job_id: event.job_id.as_ref().map(JobId::as_str),
        loop_kind: event.loop_kind.map(LoopKind::name),
        summary: &event.summary,
        before: &event.before.to_string(),
        after: &event.after.to_string(),
        prev_hash: &event.prev_hash,
    })
}

/// An audit event as stored: `before` and `after` are the JSON text exactly as kept.
pub struct EventText<'a> {
    pub seq: i64,
    pub id: &'a str,
    pub at: &'a str,
    pub actor: &'a str,
    pub command: &'a str,
    pub job_id: Option<&'a str>,
    pub loop_kind: Option<&'a str>,
    pub summary: &'a str,
    pub before: &'a str,
    pub after: &'a str,
    pub prev_hash: &'a str,
}

/// The hash of an event from exactly what is stored: the content as one JSON object with sorted
/// keys, `before` and `after` spliced in as their stored text (never re-read and re-written, so a
/// number can never change on the way), then SHA-256 as lowercase hex.
pub fn hash_parts(e: &EventText) -> String {
    let s = |v: &str| serde_json::to_string(v).unwrap_or_default();
    let opt = |v: Option<&str>| v.map_or_else(|| "null".to_string(), s);
    let content = format!(
        "{{\"actor\":{},\"after\":{},\"at\":{},\"before\":{},\"command\":{},\"id\":{},\"job_id\":{},\"loop_kind\":{},\"prev_hash\":{},\"seq\":{},\"summary\":{}}}",
        s(e.actor),
        e.after,
        s(e.at),
        e.before,
        s(e.command),
        s(e.id),
        opt(e.job_id),
        opt(e.loop_kind),
        s(e.prev_hash),
        e.seq,
        s(e.summary)
    );
    hex(&Sha256::digest(content.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// A record as JSON with sorted keys: the form that is hashed and compared.
pub fn row_json<T: serde::Serialize>(row: &T) -> Json {
    serde_json::to_value(row).unwrap_or(Json::Null)
}

/// The hash of a record as `verify` compares it.
pub fn row_hash<T: serde::Serialize>(row: &T) -> String {
    digest(&row_json(row))
}

/// SHA-256 of a JSON value as compact text with sorted keys, as lowercase hex.
pub fn digest(value: &Json) -> String {
    hex(&Sha256::digest(value.to_string().as_bytes()))
}

/// `value` (an object) with the hash of its content added under `STATE_KEY`.
pub fn with_state_hash(mut value: Json) -> Json {
    let hash = digest(&value);
    if let Json::Object(map) = &mut value {
        map.insert(STATE_KEY.into(), Json::String(hash));
    }
    value
}

/// The key under which an event records the hash of a record's whole state after the command,
/// so `verify` can tell a record changed behind jobloop's back.
pub const STATE_KEY: &str = "state_sha256";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::Stamp;
    use serde_json::json;

    #[test]
    fn diff_keeps_only_changes() {
        let b = json!({"status": "not_started", "owner": null, "steps": [{"done": false}, {"done": false}]});
        let a =
            json!({"status": "open", "owner": null, "steps": [{"done": false}, {"done": true}]});
        let (db, da) = diff(&b, &a);
        assert_eq!(
            db,
            json!({"status": "not_started", "steps": {"1": {"done": false}}})
        );
        assert_eq!(
            da,
            json!({"status": "open", "steps": {"1": {"done": true}}})
        );
    }

    #[test]
    fn kill_signals_changed_in_place_are_shown_numbered_from_one() {
        let b = json!({"kill_signals": [{"n": 1, "state": "armed"}, {"n": 2, "state": "armed"}]});
        let a = json!({"kill_signals": [{"n": 1, "state": "armed"}, {"n": 2, "state": "tripped"}]});
        let (_, stored) = diff(&b, &a);
        // Stored as diff keys it, by position from 0 …
        assert_eq!(stored, json!({"kill_signals": {"1": {"state": "tripped"}}}));
        // … shown as the signal's number, as every screen numbers it.
        assert_eq!(
            as_shown(&stored),
            json!({"kill_signals": {"signal 2": {"state": "tripped"}}})
        );
        // Other arrays, and whole arrays (a signal added), are shown as stored.
        let steps = json!({"steps": {"0": {"done": true}}, "kill_signals": [{"n": 1}]});
        assert_eq!(as_shown(&steps), steps);
    }

    #[test]
    fn diff_of_grown_array_keeps_whole_arrays() {
        let (db, da) = diff(&json!({"k": [1]}), &json!({"k": [1, 2]}));
        assert_eq!(db, json!({"k": [1]}));
        assert_eq!(da, json!({"k": [1, 2]}));
    }

    /// The hash as version 2 computed it, from a JSON object of the whole event.
    fn legacy_hash(event: &AuditEvent) -> String {
        digest(&json!({
            "seq": event.seq,
            "id": event.id,
            "at": event.at,
            "actor": event.actor,
            "command": event.command,
            "job_id": event.job_id,
            "loop_kind": event.loop_kind,
            "summary": event.summary,
            "before": event.before,
            "after": event.after,
            "prev_hash": event.prev_hash,
        }))
    }

    #[test]
    fn hashing_the_stored_text_gives_the_hash_version_2_wrote() {
        let e = AuditEvent {
            seq: 42,
            id: crate::domain::id::Id::from_text("0193-ab"),
            at: Stamp::parse("2026-11-22T00:00:00.123Z").unwrap(),
            actor: "Ana \"the lead\" \u{1b}[2J Søren 日本".into(),
            command: "measure".into(),
            job_id: Some(crate::domain::id::Id::from_text("j\n1")),
            loop_kind: Some(LoopKind::Instrument),
            summary: "recorded 0.18181818181818182 h\tok \u{2028}".into(),
            before: Json::Null,
            after: json!({"added": {"value": 0.18181818181818182, "big": 1e308, "tiny": 5e-324, "neg": -0.0}}),
            prev_hash: GENESIS.into(),
            hash: String::new(),
        };
        assert_eq!(hash(&e), legacy_hash(&e));
        let mut none = e.clone();
        none.job_id = None;
        none.loop_kind = None;
        assert_eq!(hash(&none), legacy_hash(&none));
    }

    #[test]
    fn hash_changes_with_any_field() {
        let e = AuditEvent {
            seq: 1,
            id: crate::domain::id::Id::from_text("a"),
            at: Stamp::parse("2026-11-22T00:00:00Z").unwrap(),
            actor: "ana".into(),
            command: "baseline".into(),
            job_id: None,
            loop_kind: None,
            summary: "s".into(),
            before: Json::Null,
            after: json!({"value": 1.0}),
            prev_hash: GENESIS.into(),
            hash: String::new(),
        };
        let h = hash(&e);
        assert_eq!(h.len(), 64);
        let mut edited = e.clone();
        edited.after = json!({"value": 2.0});
        assert_ne!(hash(&edited), h);
        let mut rechained = e.clone();
        rechained.prev_hash = "1".repeat(64);
        assert_ne!(hash(&rechained), h);
    }
}
