//! Reading an import: the document streamed section by section, each record checked as the
//! intents would before it goes to a sink (the inserter, or the hasher that checks the file
//! against its own audit trail), with a byte counter that refuses an input far larger than any
//! honest export before it is read whole.

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use sha2::{Digest, Sha256};
use std::cell::Cell;
use std::io::{BufReader, Read};
use std::rc::Rc;

use super::*;

/// A record read from an import, of any section.
pub(super) enum Record {
    Job(Job),
    Loop(Loop),
    Step(Step),
    Metric(Metric),
    Value(Value),
    Intervention(Intervention),
    Signal(KillSignal),
    Decision(Decision),
    Cycle(Cycle),
    Tool(Tool),
    Learning(Learning),
    Proof(Proof),
    Deviation(Deviation),
    FlowStep(FlowStep),
    FlowDrop(FlowDrop),
    Governance(Governance),
    CriticResult(CriticResult),
    Incident(Incident),
    Event(AuditEvent),
}

impl Record {
    fn id(&self) -> String {
        match self {
            Record::Job(r) => r.slug.clone(),
            Record::Loop(r) => r.id.to_string(),
            Record::Step(r) => r.id.to_string(),
            Record::Metric(r) => r.id.to_string(),
            Record::Value(r) => r.id.to_string(),
            Record::Intervention(r) => r.id.to_string(),
            Record::Signal(r) => r.id.to_string(),
            Record::Decision(r) => r.id.to_string(),
            Record::Cycle(r) => r.id.to_string(),
            Record::Tool(r) => r.id.to_string(),
            Record::Learning(r) => r.id.to_string(),
            Record::Proof(r) => r.id.to_string(),
            Record::Deviation(r) => r.id.to_string(),
            Record::FlowStep(r) => r.id.to_string(),
            Record::FlowDrop(r) => r.id.to_string(),
            Record::Governance(r) => r.id.to_string(),
            Record::CriticResult(r) => r.id.to_string(),
            Record::Incident(r) => r.id.to_string(),
            Record::Event(r) => r.seq.to_string(),
        }
    }

    fn write(&self, w: &mut DocWriter) -> io::Result<()> {
        match self {
            Record::Job(r) => w.record(r),
            Record::Loop(r) => w.record(r),
            Record::Step(r) => w.record(r),
            Record::Metric(r) => w.record(r),
            Record::Value(r) => w.record(r),
            Record::Intervention(r) => w.record(r),
            Record::Signal(r) => w.record(r),
            Record::Decision(r) => w.record(r),
            Record::Cycle(r) => w.record(r),
            Record::Tool(r) => w.record(r),
            Record::Learning(r) => w.record(r),
            Record::Proof(r) => w.record(r),
            Record::Deviation(r) => w.record(r),
            Record::FlowStep(r) => w.record(r),
            Record::FlowDrop(r) => w.record(r),
            Record::Governance(r) => w.record(r),
            Record::CriticResult(r) => w.record(r),
            Record::Incident(r) => w.record(r),
            Record::Event(r) => w.record(r),
        }
    }

    fn insert(&self, db: &mut dyn Db) -> Result<()> {
        match self {
            Record::Job(r) => insert_job(db, r),
            Record::Loop(r) => insert_loop(db, r),
            Record::Step(r) => upsert_step(db, r),
            Record::Metric(r) => upsert_metric(db, r),
            Record::Value(r) => insert_value(db, r),
            Record::Intervention(r) => insert_intervention(db, r),
            Record::Signal(r) => upsert_signal(db, r),
            Record::Decision(r) => insert_decision(db, r),
            Record::Cycle(r) => insert_cycle(db, r),
            Record::Tool(r) => upsert_tool(db, r),
            Record::Learning(r) => insert_learning(db, r),
            Record::Proof(r) => upsert_proof(db, r),
            Record::Deviation(r) => insert_deviation(db, r),
            Record::FlowStep(r) => upsert_flow_step(db, r),
            Record::FlowDrop(r) => upsert_flow_drop(db, r),
            Record::Governance(r) => upsert_governance(db, r),
            Record::CriticResult(r) => upsert_critic_result(db, r),
            Record::Incident(r) => upsert_incident(db, r),
            Record::Event(r) => crate::store::audit::insert(db, r),
        }
    }
}

/// Where records read from a file go: into a database, or into a hash of their export form.
pub(super) trait Sink {
    /// A section begins (called for empty sections too).
    fn section(&mut self, _name: &str) {}
    fn record(&mut self, section: &str, r: Record) -> std::result::Result<(), String>;
}

pub(super) struct Inserter<'a> {
    pub(super) db: &'a mut dyn Db,
    pub(super) counts: Counts,
    pub(super) tick: &'a mut dyn FnMut(u64),
    /// A failure of the machine, not of the file (a full disk, no permission): the import stops
    /// and says so as such, never as a bad file.
    pub(super) fatal: Option<Error>,
}

impl Sink for Inserter<'_> {
    fn record(&mut self, section: &str, r: Record) -> std::result::Result<(), String> {
        let id = r.id();
        r.insert(self.db).map_err(|e| match e {
            // (A busy file or a lost connection stays an import error: a retry of the
            // transaction could not read the input again.)
            e @ (Error::Io(_) | Error::Denied(_)) => {
                let words = e.to_string();
                self.fatal = Some(e);
                words
            }
            Error::Storage(m) if m.contains("UNIQUE") => format!(
                "{section} `{}` appears twice, or clashes with another record",
                id
            ),
            Error::Storage(m) => format!("{section} `{}` cannot be stored ({m})", id),
            other => other.to_string(),
        })?;
        self.counts.records += 1;
        if matches!(r, Record::Job(_)) {
            self.counts.jobs += 1;
        }
        if self.counts.records.is_multiple_of(4096) {
            (self.tick)(self.counts.records as u64);
        }
        Ok(())
    }
}

/// Hashes records in their export form, to compare a file with what a database holds.
pub(super) struct Hasher {
    pub(super) bytes: Vec<u8>,
    pub(super) sha: Sha256,
    pub(super) section: Option<String>,
    /// The next record is the first of its section.
    pub(super) first: bool,
    pub(super) doc_started: bool,
    pub(super) version: i64,
}

impl Hasher {
    pub(super) fn flush(&mut self) {
        self.sha.update(&self.bytes);
        self.bytes.clear();
    }

    /// The document's opening, as DocWriter writes it, once.
    pub(super) fn start(&mut self) {
        if !self.doc_started {
            let _ = write!(
                self.bytes,
                "{{\"format\":\"{FORMAT}\",\"schema_version\":{}",
                self.version
            );
            self.doc_started = true;
        }
    }
}

impl Sink for Hasher {
    /// Rebuilds a section's framing exactly as DocWriter writes it, empty sections included.
    fn section(&mut self, name: &str) {
        self.start();
        if self.section.is_some() {
            self.bytes.extend_from_slice(b"\n]");
        }
        let _ = write!(self.bytes, ",\n\"{name}\":[");
        self.section = Some(name.to_string());
        self.first = true;
    }

    fn record(&mut self, _section: &str, r: Record) -> std::result::Result<(), String> {
        let mut buf = Vec::new();
        {
            let mut w = DocWriter {
                out: &mut buf,
                first_in_section: self.first,
                sections: 0,
            };
            r.write(&mut w).map_err(|e| e.to_string())?;
        }
        self.first = false;
        self.bytes.extend_from_slice(&buf);
        if self.bytes.len() > 1 << 16 {
            self.flush();
        }
        Ok(())
    }
}

/// Counts the bytes read, and fails a read past a limit set for the current record: no single
/// record of a hostile file is ever read whole into memory beyond the limit.
pub(super) struct Counter<R> {
    pub(super) inner: R,
    pub(super) pos: Rc<Cell<u64>>,
    pub(super) limit: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let room = self.limit.get().saturating_sub(self.pos.get());
        if room == 0 {
            return Err(io::Error::other(OVERSIZED));
        }
        let want = buf.len().min(room.min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        self.pos.set(self.pos.get() + n as u64);
        Ok(n)
    }
}

const OVERSIZED: &str = "a record is larger than any honest export holds";

/// The document's top level: its header and its sections.
pub(super) struct DocSeed<'s> {
    pub(super) sink: &'s mut dyn Sink,
    pub(super) pos: Rc<Cell<u64>>,
    pub(super) limit: Rc<Cell<u64>>,
    pub(super) file_limit: u64,
    pub(super) header: (Option<String>, Option<i64>),
}

impl<'de> Visitor<'de> for &mut DocSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a jobloop export (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let mut seen: Vec<String> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                return Err(de::Error::custom(format!("the key `{key}` appears twice")));
            }
            seen.push(key.clone());
            match key.as_str() {
                "format" => {
                    let f: String = map.next_value()?;
                    if f != FORMAT {
                        return Err(de::Error::custom(format!(
                            "the format is `{}`, not `{FORMAT}`",
                            f
                        )));
                    }
                    self.header.0 = Some(f);
                }
                "schema_version" => {
                    let v: i64 = map.next_value()?;
                    if !(1..=SCHEMA_VERSION).contains(&v) {
                        return Err(de::Error::custom(format!(
                            "the file has schema version {v}, this jobloop reads 1 to {SCHEMA_VERSION}"
                        )));
                    }
                    self.header.1 = Some(v);
                }
                s if let Some((name, table)) = tables::exported()
                    .find_map(|t| t.export.filter(|(n, _)| *n == s).map(|(n, _)| (n, t.table))) =>
                {
                    map.next_value_seed(Section {
                        name,
                        table,
                        doc: &mut *self,
                    })?;
                }
                other => {
                    let _: IgnoredAny = map.next_value()?;
                    return Err(de::Error::custom(format!(
                        "`{}` is not a section of an export",
                        other
                    )));
                }
            }
        }
        if self.header.0.is_none() {
            return Err(de::Error::custom(
                "it has no `format`: not a jobloop export",
            ));
        }
        Ok(())
    }
}

pub(super) struct Section<'a, 's> {
    pub(super) name: &'static str,
    pub(super) table: Table,
    pub(super) doc: &'a mut DocSeed<'s>,
}

impl<'de> DeserializeSeed<'de> for Section<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Section<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "a list of {}", self.name)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        let name = self.name;
        let max = if self.table == Table::AuditEvents {
            MAX_EVENT_BYTES
        } else {
            MAX_RECORD_BYTES
        };
        self.doc.sink.section(name);
        loop {
            let limit = (self.doc.pos.get() + max).min(self.doc.file_limit);
            self.doc.limit.set(limit);
            let record = match self.table {
                Table::Jobs => seq.next_element::<Job>()?.map(checked(Record::Job)),
                Table::Loops => seq.next_element::<Loop>()?.map(checked(Record::Loop)),
                Table::Steps => seq.next_element::<Step>()?.map(checked(Record::Step)),
                Table::Metrics => seq.next_element::<Metric>()?.map(checked(Record::Metric)),
                Table::Values => seq.next_element::<Value>()?.map(checked(Record::Value)),
                Table::Interventions => seq
                    .next_element::<Intervention>()?
                    .map(checked(Record::Intervention)),
                Table::KillSignals => seq
                    .next_element::<KillSignal>()?
                    .map(checked(Record::Signal)),
                Table::Decisions => seq
                    .next_element::<Decision>()?
                    .map(checked(Record::Decision)),
                Table::Cycles => seq.next_element::<Cycle>()?.map(checked(Record::Cycle)),
                Table::Tools => seq.next_element::<Tool>()?.map(checked(Record::Tool)),
                Table::Learnings => seq
                    .next_element::<Learning>()?
                    .map(checked(Record::Learning)),
                Table::Proofs => seq.next_element::<Proof>()?.map(checked(Record::Proof)),
                Table::Deviations => seq
                    .next_element::<Deviation>()?
                    .map(checked(Record::Deviation)),
                Table::FlowSteps => seq
                    .next_element::<FlowStep>()?
                    .map(checked(Record::FlowStep)),
                Table::FlowDrops => seq
                    .next_element::<FlowDrop>()?
                    .map(checked(Record::FlowDrop)),
                Table::Governance => seq
                    .next_element::<Governance>()?
                    .map(checked(Record::Governance)),
                Table::CriticResults => seq
                    .next_element::<CriticResult>()?
                    .map(checked(Record::CriticResult)),
                Table::Incidents => seq
                    .next_element::<Incident>()?
                    .map(checked(Record::Incident)),
                Table::AuditEvents => seq
                    .next_element::<AuditEvent>()?
                    .map(checked(Record::Event)),
                // Derived state is no section of an export: an import rebuilds it.
                Table::LoopState | Table::JobState => {
                    return Err(de::Error::custom(format!("`{name}` is not a section")));
                }
            };
            let Some(record) = record else {
                return Ok(());
            };
            let record = record.map_err(|why| de::Error::custom(format!("{name}: {why}")))?;
            self.doc
                .sink
                .record(name, record)
                .map_err(de::Error::custom)?;
        }
    }
}

/// Checks a record as the intents would before it goes anywhere.
pub(super) fn checked<T: Checked>(
    wrap: fn(T) -> Record,
) -> impl Fn(T) -> std::result::Result<Record, String> {
    move |r: T| {
        let check = r.check();
        let rec = wrap(r);
        match check {
            Ok(()) => Ok(rec),
            Err(why) => Err(format!("`{}`: {why}", rec.id())),
        }
    }
}

/// Reads a whole document into `sink`.
pub(super) fn read_doc(
    input: &mut dyn Read,
    size_hint: Option<u64>,
    sink: &mut dyn Sink,
) -> std::result::Result<i64, ImportError> {
    if let Some(n) = size_hint
        && n > MAX_IMPORT_BYTES
    {
        return Err(ImportError(format!(
            "the file is {} GiB, larger than any honest export ({} GiB at most)",
            n >> 30,
            MAX_IMPORT_BYTES >> 30
        )));
    }
    let pos = Rc::new(Cell::new(0));
    let limit = Rc::new(Cell::new(1 << 20));
    // The parser reads a byte at a time: the buffer sits outside the counter, which then
    // sees large reads (and so runs at most one buffer ahead of the record it limits).
    let counter = BufReader::with_capacity(
        1 << 16,
        Counter {
            inner: input,
            pos: pos.clone(),
            limit: limit.clone(),
        },
    );
    let mut seed = DocSeed {
        sink,
        pos,
        limit,
        file_limit: MAX_IMPORT_BYTES,
        header: (None, None),
    };
    let mut de = serde_json::Deserializer::from_reader(counter);
    let parsed = de::Deserializer::deserialize_map(&mut de, &mut seed).and_then(|()| de.end());
    match parsed {
        Ok(()) => Ok(seed.header.1.unwrap_or(0)),
        Err(e) => {
            let msg = e.to_string();
            let msg = if msg.contains(OVERSIZED) {
                format!("{OVERSIZED} (over {} MiB)", MAX_EVENT_BYTES >> 20)
            } else {
                msg
            };
            Err(ImportError(format!("not a valid jobloop export: {msg}")))
        }
    }
}
