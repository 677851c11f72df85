//! Tamper evidence. In one pass over the audit trail, `Verifier` checks the chain and learns what
//! every record should be (the latest event that wrote it); then every record of every table is
//! fed to it and compared. A record that differs (edited), that no event wrote (inserted behind
//! jobloop's back, or whose event is gone), or that an event wrote but is missing (deleted) is a
//! problem, named with its table, its id and the event. Memory grows with the number of records,
//! time with the size of the file.

use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;

use super::audit::{EventText, GENESIS, STATE_KEY, hash_parts, row_json, with_state_hash};
use super::command::{Command, Writes};
use super::kind::LoopKind;
use super::loop_record::loop_state;
use super::model::*;
use super::trail::Said;

mod table;
pub use table::Table;

/// What is wrong with one record or one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Wrong {
    /// Its content differs from what the latest event that wrote it recorded.
    Edited,
    /// An event started from a state other than the one the trail had recorded for it: the
    /// record was changed behind jobloop's back before that event, which hashed the change in.
    EditedBefore,
    /// An event claims a record that is not its to write (another job's or loop's, or — for a
    /// sign-off — anything but the signer's own decision): it teaches `verify` nothing.
    Claimed,
    /// No event wrote it (or its event is gone).
    Inserted,
    /// An event wrote it, but it is not there.
    Deleted,
    /// An audit event is missing from the sequence.
    EventMissing,
    /// An audit event was changed after it was written.
    EventEdited,
    /// The chain breaks: the event before was changed or removed.
    ChainBroken,
    /// The row cannot be read (a value of the wrong type, a date out of range…).
    Unreadable(String),
    /// Derived state that differs from what its records give.
    Stale,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub table: Table,
    /// The record's id (for a loop, `job-id/kind`; for an event, its sequence number).
    pub id: String,
    pub wrong: Wrong,
    /// The event where the trail and the record part ways (its sequence number).
    pub event: Option<i64>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.table.sql_name();
        let id = &self.id;
        match &self.wrong {
            // A loop's audited state covers its row, its primary metric, its checklist steps
            // and its kill signals together.
            Wrong::Edited if self.table == Table::Loops => write!(
                f,
                "loops `{id}` (its row, primary metric, checklist steps or kill signals) is not what the audit trail recorded: it was changed behind jobloop's back"
            ),
            Wrong::Edited => write!(
                f,
                "{t} `{id}` is not what the audit trail recorded: it was changed behind jobloop's back"
            ),
            Wrong::EditedBefore => write!(
                f,
                "{t} `{id}` was changed behind jobloop's back before audit event {}: that event started from a state the trail never recorded",
                self.event
                    .map_or_else(|| "?".to_string(), |s| s.to_string())
            ),
            Wrong::Claimed => write!(
                f,
                "audit event {} claims {t} `{id}`, which is not its to write (a record of another job or loop, or not the signer's own decision): the event was written behind jobloop's back",
                self.event
                    .map_or_else(|| "?".to_string(), |s| s.to_string())
            ),
            Wrong::Inserted => write!(
                f,
                "{t} `{id}` has no audit event: it was added behind jobloop's back, or its event was removed"
            ),
            Wrong::Deleted => write!(
                f,
                "{t} `{id}` is recorded in the audit trail but missing: it was deleted behind jobloop's back"
            ),
            Wrong::EventMissing => write!(f, "audit event {id} is missing: it was deleted"),
            Wrong::EventEdited => write!(f, "audit event {id} was edited after it was written"),
            Wrong::ChainBroken => write!(
                f,
                "the audit chain breaks at event {id}: the event before it was changed or removed"
            ),
            Wrong::Unreadable(why) => write!(f, "{t} `{id}` cannot be read: {why}"),
            Wrong::Stale => write!(
                f,
                "the derived {t} of `{id}` differs from what its records give"
            ),
        }
    }
}

/// What `verify` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub events: usize,
    pub records: usize,
    /// The last event's hash: noted elsewhere, it also shows that no event was cut off the end.
    pub head: Option<String>,
    pub problems: Vec<Problem>,
    /// Problems found beyond the ones kept.
    pub more: usize,
}

/// The most problems kept in a report (the count goes on).
pub const PROBLEMS_KEPT: usize = 200;

type Hash = [u8; 32];

/// SHA-256 of a JSON value's compact text, hashed as it is written (never built as a string).
fn sha(json: &Json) -> Hash {
    struct Hashing(Sha256);
    impl std::io::Write for Hashing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut h = Hashing(Sha256::new());
    // Writing a JSON value to memory cannot fail.
    let _ = serde_json::to_writer(&mut h, json);
    h.0.finalize().into()
}

/// A record id as a map key: a canonical UUID (every id jobloop makes) as its 16 bytes, any
/// other text (a hand-edited file) as itself. A large file's trail expects hundreds of
/// thousands of records; this keeps their map small.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum RowId {
    Uuid(u128),
    Text(Box<str>),
}

impl RowId {
    fn of(id: &str) -> RowId {
        if let Ok(u) = uuid::Uuid::try_parse(id) {
            let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
            if u.hyphenated().encode_lower(&mut buf) == id {
                return RowId::Uuid(u.as_u128());
            }
        }
        RowId::Text(id.into())
    }

    fn text(&self) -> String {
        match self {
            RowId::Uuid(u) => uuid::Uuid::from_u128(*u).hyphenated().to_string(),
            RowId::Text(t) => t.to_string(),
        }
    }
}

fn from_hex(s: &str) -> Option<Hash> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
        let pair = std::str::from_utf8(chunk).ok()?;
        out[i] = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(out)
}

/// What the trail says a record should be.
#[derive(Clone, Debug)]
enum Expect {
    Hash(Hash),
    /// A proof written by an older jobloop: its outcome updates are recorded as changes only, so
    /// the whole row is rebuilt by applying them.
    Json(Json),
}

/// The job (and loop) whose event wrote a record: only that job's (or loop's) events speak for
/// it afterwards.
type Place = (String, Option<LoopKind>);

#[derive(Clone, Debug)]
struct Expected {
    table: Table,
    expect: Expect,
    seq: i64,
    seen: bool,
    place: Option<Place>,
}

/// An audit event as stored, for `Verifier::event`.
pub struct StoredEvent<'a> {
    pub text: EventText<'a>,
    pub hash: &'a str,
}

#[derive(Default)]
pub struct Verifier {
    prev_hash: String,
    next_seq: i64,
    events: usize,
    records: usize,
    head: Option<String>,
    rows: HashMap<RowId, Expected>,
    loops: HashMap<(String, LoopKind), Expected>,
    jobs: HashMap<String, Expected>,
    /// Job ids to slugs, from the events that added the jobs: problems name loops by slug.
    slugs: HashMap<String, String>,
    problems: Vec<Problem>,
    more: usize,
}

/// Recursively applies an event's changes (a diff) to a row rebuilt from earlier events.
fn merge(target: &mut Json, diff: &Json) {
    match (target, diff) {
        (Json::Object(t), Json::Object(d)) => {
            for (k, v) in d {
                match t.get_mut(k) {
                    Some(slot @ Json::Object(_)) if v.is_object() => merge(slot, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, d) => *t = d.clone(),
    }
}

/// The key under which an event's `before` records the hash of each row it updates, as it was
/// before the command: `verify` holds it against what the trail had recorded for that row.
pub const ROWS_BEFORE_KEY: &str = "records_sha256";

impl Verifier {
    pub fn new() -> Verifier {
        Verifier {
            prev_hash: GENESIS.to_string(),
            next_seq: 1,
            ..Verifier::default()
        }
    }

    pub fn problem(
        &mut self,
        table: Table,
        id: impl Into<String>,
        wrong: Wrong,
        event: Option<i64>,
    ) {
        if self.problems.len() < PROBLEMS_KEPT {
            self.problems.push(Problem {
                table,
                id: id.into(),
                wrong,
                event,
            });
        } else {
            self.more += 1;
        }
    }

    /// Feeds the next event, in sequence order.
    pub fn event(&mut self, e: &StoredEvent) {
        self.events += 1;
        let t = &e.text;
        if t.seq != self.next_seq {
            self.problem(
                Table::AuditEvents,
                self.next_seq.to_string(),
                Wrong::EventMissing,
                Some(t.seq),
            );
        } else if t.prev_hash != self.prev_hash {
            self.problem(
                Table::AuditEvents,
                t.seq.to_string(),
                Wrong::ChainBroken,
                Some(t.seq),
            );
        }
        if hash_parts(t) != e.hash {
            self.problem(
                Table::AuditEvents,
                t.seq.to_string(),
                Wrong::EventEdited,
                Some(t.seq),
            );
        }
        self.next_seq = t.seq + 1;
        self.prev_hash = e.hash.to_string();
        self.head = Some(e.hash.to_string());
        let after = serde_json::from_str::<Json>(t.after);
        if let Ok(before) = serde_json::from_str::<Json>(t.before) {
            self.check_before(t, &before, after.as_ref().ok());
        }
        let Ok(after) = after else {
            self.problem(
                Table::AuditEvents,
                t.seq.to_string(),
                Wrong::Unreadable("its `after` is not JSON".into()),
                Some(t.seq),
            );
            return;
        };
        self.learn(t, &after);
    }

    fn expect_row(
        &mut self,
        table: Table,
        id: &str,
        expect: Expect,
        seq: i64,
        place: Option<Place>,
    ) {
        self.rows.insert(
            RowId::of(id),
            Expected {
                table,
                expect,
                seq,
                seen: false,
                place,
            },
        );
    }

    /// Whether an event of `place` may speak for the record `id`: a record first written by
    /// one job's or loop's event belongs to it.
    fn belongs(&self, id: &str, place: &Option<Place>) -> bool {
        match (
            self.rows.get(&RowId::of(id)).and_then(|e| e.place.as_ref()),
            place,
        ) {
            (Some(known), Some(here)) => known == here,
            _ => true,
        }
    }

    fn state_hash(v: &Json) -> Option<Hash> {
        v.get(STATE_KEY).and_then(Json::as_str).and_then(from_hex)
    }

    /// Holds what an event started from against what the trail had recorded: the loop's or the
    /// job's state hash in its `before`, and the hash of every row it updates. A record edited
    /// between two events shows here even when the later event hashed the edit in.
    fn check_before(&mut self, t: &EventText, before: &Json, after: Option<&Json>) {
        let seq = t.seq;
        let Some(job_id) = t.job_id else {
            return;
        };
        let kind = t.loop_kind.and_then(LoopKind::from_name);
        let command = Command::parse(t.command);
        // A sign-off speaks only for the signer's own decision: what it says it started from
        // is no evidence about the loop or any other record (the rows it may speak for are
        // those its `after` writes and may write).
        let own: Option<Vec<String>> = (command.map(Command::writes) == Some(Writes::SignOff))
            .then(|| {
                let said = Said {
                    command,
                    actor: t.actor,
                    job_id: t.job_id,
                    loop_kind: kind,
                    after: after.unwrap_or(&Json::Null),
                };
                said.rows()
                    .into_iter()
                    .filter(|w| w.allowed)
                    .map(|w| w.id.to_string())
                    .collect()
            });
        if let Some(h) = Self::state_hash(before).filter(|_| own.is_none()) {
            let (expected, table, id) = match kind {
                Some(kind) => (
                    self.loops.get(&(job_id.to_string(), kind)),
                    Table::Loops,
                    format!("{job_id}/{kind}"),
                ),
                None => (self.jobs.get(job_id), Table::Jobs, job_id.to_string()),
            };
            if let Some(e) = expected
                && !matches!(e.expect, Expect::Hash(x) if x == h)
            {
                self.problem(table, id, Wrong::EditedBefore, Some(seq));
            }
        }
        for (id, h) in before
            .get(ROWS_BEFORE_KEY)
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
        {
            let Some(h) = h.as_str().and_then(from_hex) else {
                continue;
            };
            let place = Some((job_id.to_string(), kind));
            if !self.belongs(id, &place) || own.as_ref().is_some_and(|o| !o.contains(id)) {
                let table = self
                    .rows
                    .get(&RowId::of(id))
                    .map_or(Table::Values, |e| e.table);
                self.problem(table, id.clone(), Wrong::Claimed, Some(seq));
                continue;
            }
            if let Some(e) = self.rows.get(&RowId::of(id)) {
                let same = match &e.expect {
                    Expect::Hash(x) => *x == h,
                    Expect::Json(j) => sha(j) == h,
                };
                if !same {
                    let table = e.table;
                    self.problem(table, id.clone(), Wrong::EditedBefore, Some(seq));
                }
            }
        }
    }

    /// Learns from one event what the records it wrote must be.
    fn learn(&mut self, t: &EventText, after: &Json) {
        let seq = t.seq;
        let kind = t.loop_kind.and_then(LoopKind::from_name);
        let command = Command::parse(t.command);
        let said = Said {
            command,
            actor: t.actor,
            job_id: t.job_id,
            loop_kind: kind,
            after,
        };
        let place = t.job_id.map(|j| (j.to_string(), kind));
        self.learn_rows(&said, seq, &place);
        let Some(job_id) = t.job_id else {
            return;
        };
        let writes = command.map(Command::writes);
        self.learn_states(&said, seq, job_id, writes);
        if kind.is_none() && writes == Some(Writes::ProofCounts) {
            self.learn_proof_counts(t, after, seq, &place);
        }
    }

    /// The rows an event wrote in full: each must be the event's to write, and is expected as
    /// written (a sign-off that sets a loop's state was not written by jobloop).
    fn learn_rows(&mut self, said: &Said, seq: i64, place: &Option<Place>) {
        if said.oversteps_state() {
            self.problem(
                Table::AuditEvents,
                seq.to_string(),
                Wrong::Unreadable(
                    "a sign-off that sets a loop's state: it was written behind jobloop's back"
                        .into(),
                ),
                Some(seq),
            );
        }
        let sign_off = said.command.map(Command::writes) == Some(Writes::SignOff);
        for w in said.rows() {
            if !w.allowed
                || !self.belongs(w.id, place)
                || (sign_off && !self.only_signed(w.id, w.row))
            {
                self.problem(w.table, w.id, Wrong::Claimed, Some(seq));
                continue;
            }
            // A proof is kept whole: older events record its outcome updates as changes only.
            let expect = if w.table == Table::Proofs && said.command == Some(Command::ProofAdd) {
                Expect::Json(w.row.clone())
            } else {
                Expect::Hash(sha(w.row))
            };
            self.expect_row(w.table, w.id, expect, seq, place.clone());
        }
    }

    /// Whether a signed decision `row` is the decision as the trail last recorded it but for
    /// its sign-off (who signed, when, and a witness): a sign-off that rewrites the decision's
    /// words, owner or threshold speaks for what is not its to write.
    fn only_signed(&self, id: &str, row: &Json) -> bool {
        let Some(e) = self.rows.get(&RowId::of(id)) else {
            return true;
        };
        let mut pending = row.clone();
        if let Some(m) = pending.as_object_mut() {
            for k in ["approved_at", "approved_by", "witnessed_by"] {
                m.remove(k);
            }
        }
        match &e.expect {
            Expect::Hash(x) => sha(&pending) == *x,
            Expect::Json(j) => sha(j) == sha(&pending),
        }
    }

    /// The job's slug (for a new job) and the loop and job state hashes the event recorded.
    fn learn_states(&mut self, said: &Said, seq: i64, job_id: &str, writes: Option<Writes>) {
        if writes == Some(Writes::NewJob)
            && let Some(slug) = said
                .after
                .get("job")
                .and_then(|j| j.get("slug"))
                .and_then(Json::as_str)
        {
            self.slugs.insert(job_id.to_string(), slug.to_string());
        }
        let expected = |hash, table| Expected {
            table,
            expect: Expect::Hash(hash),
            seq,
            seen: false,
            place: None,
        };
        for k in LoopKind::ALL {
            if let Some(h) = said.loop_state(k).and_then(from_hex) {
                self.loops
                    .insert((job_id.to_string(), k), expected(h, Table::Loops));
            }
        }
        if let Some(h) = said.job_state().and_then(from_hex) {
            self.jobs
                .insert(job_id.to_string(), expected(h, Table::Jobs));
        }
    }

    /// A proof's outcome tracked by an older event, which records only the changed counts:
    /// they are applied to the proof's expected row.
    fn learn_proof_counts(&mut self, t: &EventText, after: &Json, seq: i64, place: &Option<Place>) {
        if after.get("updated").is_none()
            && let Ok(before) = serde_json::from_str::<Json>(t.before)
            && let Some(id) = before.get("id").and_then(Json::as_str)
            && let Some(Expected {
                expect: Expect::Json(row),
                seq: s,
                place: p,
                ..
            }) = self.rows.get_mut(&RowId::of(id))
            && p == place
        {
            // Older events record only the changed counts: apply them to the row.
            merge(row, after);
            *s = seq;
        }
    }

    /// Checks a job row.
    pub fn job(&mut self, j: &Job) {
        self.records += 1;
        let current = with_state_hash(row_json(j));
        let current = Self::state_hash(&current);
        match self.jobs.get_mut(j.id.as_str()) {
            None => self.problem(Table::Jobs, &j.slug, Wrong::Inserted, None),
            Some(e) => {
                e.seen = true;
                let seq = e.seq;
                if !matches!(e.expect, Expect::Hash(h) if Some(h) == current) {
                    self.problem(Table::Jobs, &j.slug, Wrong::Edited, Some(seq));
                }
            }
        }
    }

    /// Checks a loop with its metric in force, its steps and its kill signals (what its audited
    /// state covers). `slug` names it in reports.
    pub fn loop_record(
        &mut self,
        slug: &str,
        lp: &Loop,
        metric: Option<&Metric>,
        steps: &[Step],
        signals: &[KillSignal],
    ) {
        self.records += 1 + steps.len() + signals.len() + usize::from(metric.is_some());
        let current = Self::state_hash(&loop_state(lp, metric, steps, signals));
        let name = format!("{slug}/{}", lp.kind);
        // The trail names jobs by the text it stored: compared as text.
        match self.loops.get_mut(&(lp.job_id.to_string(), lp.kind)) {
            None => self.problem(Table::Loops, name, Wrong::Inserted, None),
            Some(e) => {
                e.seen = true;
                let seq = e.seq;
                if !matches!(e.expect, Expect::Hash(h) if Some(h) == current) {
                    self.problem(Table::Loops, name, Wrong::Edited, Some(seq));
                }
            }
        }
    }

    /// Checks a row of an appended-to table (values, interventions, decisions, learnings, cycles,
    /// tools, proofs, replaced metrics).
    pub fn row<T: serde::Serialize>(&mut self, table: Table, id: &str, row: &T) {
        self.records += 1;
        let json = row_json(row);
        let Some(e) = self.rows.get_mut(&RowId::of(id)) else {
            self.problem(table, id, Wrong::Inserted, None);
            return;
        };
        e.seen = true;
        let seq = e.seq;
        let same = e.table == table
            && match &e.expect {
                Expect::Hash(h) => *h == sha(&json),
                Expect::Json(j) => *j == json,
            };
        if !same {
            self.problem(table, id, Wrong::Edited, Some(seq));
        }
    }

    /// Every record the trail expects and nobody fed is missing.
    pub fn finish(mut self) -> Report {
        let mut missing: Vec<Problem> = Vec::new();
        for (id, e) in self.rows.iter().filter(|(_, e)| !e.seen) {
            missing.push(Problem {
                table: e.table,
                id: id.text(),
                wrong: Wrong::Deleted,
                event: Some(e.seq),
            });
        }
        for ((job, kind), e) in self.loops.iter().filter(|(_, e)| !e.seen) {
            missing.push(Problem {
                table: Table::Loops,
                id: format!("{job}/{kind}"),
                wrong: Wrong::Deleted,
                event: Some(e.seq),
            });
        }
        for (job, e) in self.jobs.iter().filter(|(_, e)| !e.seen) {
            missing.push(Problem {
                table: Table::Jobs,
                id: job.clone(),
                wrong: Wrong::Deleted,
                event: Some(e.seq),
            });
        }
        missing.sort_by_key(|p| (p.event, p.id.clone()));
        for p in missing {
            self.problem(p.table, p.id, p.wrong, p.event);
        }
        // Loops and jobs found from the trail alone are named by their job's slug.
        for p in &mut self.problems {
            // A deleted job keeps its id: its slug might be what an edit took over.
            let by_id = p.table == Table::Jobs && p.wrong == Wrong::Deleted;
            if !matches!(p.table, Table::Loops | Table::Jobs) || by_id {
                continue;
            }
            let (job, rest) = match p.id.split_once('/') {
                Some((job, kind)) => (job, Some(kind)),
                None => (p.id.as_str(), None),
            };
            if let Some(slug) = self.slugs.get(job) {
                p.id = match rest {
                    Some(kind) => format!("{slug}/{kind}"),
                    None => slug.clone(),
                };
            }
        }
        Report {
            events: self.events,
            records: self.records,
            head: self.head,
            problems: self.problems,
            more: self.more,
        }
    }
}

#[cfg(test)]
mod tests;
