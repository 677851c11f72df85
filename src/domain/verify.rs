//! Tamper evidence: the audit chain must be intact, and every record must be what the latest
//! audited event says it is. Pure: it reads a whole export.

use serde_json::{Value as Json, json};
use std::collections::HashMap;

use super::audit::{GENESIS, STATE_KEY, hash, with_state_hash};
use super::dataset::Dataset;
use super::loop_record::loop_state;
use super::model::AuditEvent;

/// The first problem `verify` found, located in the audit trail where it can be.
#[derive(Clone, Debug, PartialEq)]
pub struct Break {
    pub what: String,
    /// The event where the trail and the records part ways, when there is one.
    pub event: Option<(i64, String, String)>,
}

impl Break {
    fn at(e: &AuditEvent, what: String) -> Break {
        Break {
            what,
            event: Some((e.seq, e.at.to_text(), e.command.clone())),
        }
    }

    fn plain(what: String) -> Break {
        Break { what, event: None }
    }
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.event {
            Some((seq, at, command)) => {
                write!(f, "{} (event {seq}, `{command}` at {at})", self.what)
            }
            None => f.write_str(&self.what),
        }
    }
}

/// What an honest file showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub events: usize,
    pub records: usize,
    /// The last event's hash: noted elsewhere, it also shows that no event was cut off the end.
    pub head: Option<String>,
}

fn chain(events: &[AuditEvent]) -> Result<(), Break> {
    let mut prev = GENESIS.to_string();
    for (i, e) in events.iter().enumerate() {
        let expected = i as i64 + 1;
        if e.seq != expected {
            return Err(Break::at(
                e,
                format!("audit event {expected} is missing: it was deleted"),
            ));
        }
        if e.prev_hash != prev {
            return Err(Break::at(
                e,
                "the audit chain breaks here: the event before it was changed or removed".into(),
            ));
        }
        if hash(e) != e.hash {
            return Err(Break::at(
                e,
                format!("audit event {} was edited after it was written", e.seq),
            ));
        }
        prev = e.hash.clone();
    }
    Ok(())
}

/// Checks the chain, then every record against the latest event that recorded it.
pub fn verify(ds: &Dataset) -> Result<Verified, Break> {
    chain(&ds.audit_events)?;

    // What the trail says each record should be: appended rows by id, states by owner.
    let mut rows: HashMap<&str, (&Json, &AuditEvent)> = HashMap::new();
    let mut loop_hash: HashMap<(String, String), (&str, &AuditEvent)> = HashMap::new();
    let mut job_hash: HashMap<&str, (&str, &AuditEvent)> = HashMap::new();
    for e in &ds.audit_events {
        let Some(job_id) = e.job_id.as_deref() else {
            continue;
        };
        if let Some(added) = e.after.get("added")
            && let Some(id) = added.get("id").and_then(Json::as_str)
        {
            rows.insert(id, (added, e));
        }
        match (e.loop_kind, e.command.as_str()) {
            (Some(kind), _) => {
                if let Some(h) = e.after.get(STATE_KEY).and_then(Json::as_str) {
                    loop_hash.insert((job_id.to_string(), kind.name().to_string()), (h, e));
                }
            }
            (None, "job add") => {
                if let Some(h) = e.after["job"].get(STATE_KEY).and_then(Json::as_str) {
                    job_hash.insert(job_id, (h, e));
                }
                if let Some(loops) = e.after.get("loops").and_then(Json::as_object) {
                    for (kind, h) in loops {
                        if let Some(h) = h.as_str() {
                            loop_hash.insert((job_id.to_string(), kind.clone()), (h, e));
                        }
                    }
                }
            }
            (None, "cycle close" | "tool" | "proof add") => {
                if let Some(id) = e.after.get("id").and_then(Json::as_str) {
                    rows.insert(id, (&e.after, e));
                }
            }
            (None, _) => {
                if let Some(h) = e.after.get(STATE_KEY).and_then(Json::as_str) {
                    job_hash.insert(job_id, (h, e));
                }
            }
        }
    }

    let mut records = 0;
    let mut check_row = |what: &str, id: &str, current: Json| -> Result<(), Break> {
        records += 1;
        match rows.get(id) {
            None => Err(Break::plain(format!(
                "{what} `{id}` has no audit event: it was added behind jobloop's back"
            ))),
            Some((recorded, e)) if **recorded != current => Err(Break::at(
                e,
                format!(
                    "{what} `{id}` is not what the audit trail recorded: it was changed behind jobloop's back"
                ),
            )),
            Some(_) => Ok(()),
        }
    };
    for v in &ds.values {
        check_row("value", &v.id, json!(v))?;
    }
    for i in &ds.interventions {
        check_row("intervention", &i.id, json!(i))?;
    }
    for d in &ds.decisions {
        check_row("decision", &d.id, json!(d))?;
    }
    for l in &ds.learnings {
        check_row("learning", &l.id, json!(l))?;
    }
    for c in &ds.cycles {
        check_row("cycle", &c.id, json!(c))?;
    }
    for t in &ds.tools {
        check_row("tool", &t.id, json!(t))?;
    }
    for p in &ds.proofs {
        // The outcome is updated later; what was published is fixed.
        let mut first = p.clone();
        first.outcome = None;
        first.outcome_at = None;
        check_row("proof", &p.id, json!(first))?;
    }

    let slug_of: HashMap<&str, &str> = ds
        .jobs
        .iter()
        .map(|j| (j.id.as_str(), j.slug.as_str()))
        .collect();
    for j in &ds.jobs {
        records += 1;
        if let Some((h, e)) = job_hash.get(j.id.as_str()) {
            let current = with_state_hash(json!(j));
            if current[STATE_KEY] != **h {
                return Err(Break::at(
                    e,
                    format!(
                        "job `{}` is not what the audit trail recorded: it was changed behind jobloop's back",
                        j.slug
                    ),
                ));
            }
        }
    }
    for l in &ds.loops {
        records += 1;
        let Some((h, e)) = loop_hash.get(&(l.job_id.clone(), l.kind.name().to_string())) else {
            continue;
        };
        let steps: Vec<_> = ds
            .steps
            .iter()
            .filter(|s| s.loop_id == l.id)
            .cloned()
            .collect();
        let signals: Vec<_> = ds
            .kill_signals
            .iter()
            .filter(|k| k.loop_id == l.id)
            .cloned()
            .collect();
        let metric = ds
            .metrics
            .iter()
            .find(|m| m.loop_id == l.id && m.replaced_at.is_none());
        let current = loop_state(l, metric, &steps, &signals);
        if current[STATE_KEY] != **h {
            return Err(Break::at(
                e,
                format!(
                    "loop {}/{} is not what the audit trail recorded: it was changed behind jobloop's back",
                    slug_of.get(l.job_id.as_str()).unwrap_or(&"?"),
                    l.kind
                ),
            ));
        }
    }
    Ok(Verified {
        events: ds.audit_events.len(),
        records,
        head: ds.audit_events.last().map(|e| e.hash.clone()),
    })
}
