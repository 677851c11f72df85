//! Export and import of a whole database, streamed: export writes one record at a time; import
//! reads one record at a time, checks it as the intents would, writes it, and before committing
//! checks the whole file against its own audit trail exactly as `verify` does. Neither holds the
//! file in memory.

use serde::Serialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use sha2::{Digest, Sha256};
use std::cell::Cell;
use std::io::{self, BufReader, Read, Write};
use std::rc::Rc;

use super::rows::{self, *};
use super::sql::{Db, params};
use super::tables::{self, TableDef};
use super::{Ack, Error, Result, SCHEMA_VERSION, Store};
use crate::domain::Refusal;
use crate::domain::dataset::{Checked, FORMAT, MAX_EVENT_BYTES, MAX_RECORD_BYTES};
use crate::domain::model::*;
use crate::domain::verify::Table;

/// The largest file `import` reads: far above any real team's history.
pub(super) const MAX_IMPORT_BYTES: u64 = 16 << 30;

/// Writes the export document: a fixed framing, one record per line, so the same records always
/// give the same bytes.
struct DocWriter<'w> {
    out: &'w mut dyn Write,
    first_in_section: bool,
    sections: usize,
}

impl<'w> DocWriter<'w> {
    fn new(out: &'w mut dyn Write, schema_version: i64) -> io::Result<DocWriter<'w>> {
        write!(
            out,
            "{{\"format\":\"{FORMAT}\",\"schema_version\":{schema_version}"
        )?;
        Ok(DocWriter {
            out,
            first_in_section: true,
            sections: 0,
        })
    }

    fn section(&mut self, name: &str) -> io::Result<()> {
        if self.sections > 0 {
            self.out.write_all(b"\n]")?;
        }
        self.sections += 1;
        self.first_in_section = true;
        write!(self.out, ",\n\"{name}\":[")
    }

    fn record<T: Serialize>(&mut self, r: &T) -> io::Result<()> {
        self.out
            .write_all(if self.first_in_section { b"\n" } else { b",\n" })?;
        self.first_in_section = false;
        serde_json::to_writer(&mut *self.out, r).map_err(io::Error::other)
    }

    fn end(self) -> io::Result<()> {
        if self.sections > 0 {
            self.out.write_all(b"\n]")?;
        }
        self.out.write_all(b"}\n")?;
        self.out.flush()
    }
}

/// How many jobs and records an export or import moved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub jobs: usize,
    pub records: usize,
}

fn write_err(e: io::Error) -> Error {
    Error::Io(format!(
        "cannot write the export: {}",
        crate::files::io_words(&e)
    ))
}

/// Streams every record of `db` to `out`: each exported table's section, in the declared order.
fn export_to(db: &mut dyn Db, out: &mut dyn Write, tick: &mut dyn FnMut(u64)) -> Result<Counts> {
    let mut w = DocWriter::new(out, SCHEMA_VERSION).map_err(write_err)?;
    let mut counts = Counts::default();
    for def in tables::exported() {
        let Some((section, order)) = def.export else {
            continue;
        };
        w.section(section).map_err(write_err)?;
        let cols: Vec<&str> = def.columns.iter().map(|c| c.name).collect();
        let sql = format!(
            "SELECT {} FROM {} ORDER BY {order}",
            cols.join(", "),
            def.name
        );
        let mut each = |rec: &dyn AnyRecord| -> Result<()> {
            rec.write_to(&mut w).map_err(write_err)?;
            counts.records += 1;
            if counts.records % 4096 == 0 {
                tick(counts.records as u64);
            }
            Ok(())
        };
        stream(db, def, &sql, &mut each)?;
        if def.table == Table::Jobs {
            counts.jobs = counts.records;
        }
    }
    w.end().map_err(write_err)?;
    Ok(counts)
}

/// Reads each row of `def` as its record and hands it on (every table's reader, by table).
fn stream(
    db: &mut dyn Db,
    def: &TableDef,
    sql: &str,
    each: &mut dyn FnMut(&dyn AnyRecord) -> Result<()>,
) -> Result<()> {
    macro_rules! rows_of {
        ($read:expr) => {
            db.each(sql, &[], &mut |r| each(&$read(r)?))
        };
    }
    match def.table {
        Table::Jobs => rows_of!(rows::job),
        Table::Loops => rows_of!(loop_row),
        Table::Steps => rows_of!(step),
        Table::Metrics => rows_of!(rows::metric),
        Table::Values => rows_of!(rows::value),
        Table::Interventions => rows_of!(intervention),
        Table::KillSignals => rows_of!(signal),
        Table::Decisions => rows_of!(decision),
        Table::Cycles => rows_of!(cycle),
        Table::Tools => rows_of!(tool),
        Table::Learnings => rows_of!(learning),
        Table::Proofs => rows_of!(proof),
        Table::Deviations => rows_of!(deviation),
        Table::AuditEvents => rows_of!(event),
        // Derived state is not exported: an import rebuilds it.
        Table::LoopState | Table::JobState => Ok(()),
    }
}

/// A record of any table, written to an export without naming its type.
trait AnyRecord {
    fn write_to(&self, w: &mut DocWriter<'_>) -> io::Result<()>;
}

impl<T: Serialize> AnyRecord for T {
    fn write_to(&self, w: &mut DocWriter<'_>) -> io::Result<()> {
        w.record(self)
    }
}

/// Why an import was refused: the file, not the database, is at fault.
#[derive(Debug)]
pub struct ImportError(pub String);

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A record read from an import, of any section.
enum Record {
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
    Event(AuditEvent),
}

impl Record {
    fn id(&self) -> String {
        match self {
            Record::Job(r) => r.slug.clone(),
            Record::Loop(r) => r.id.clone(),
            Record::Step(r) => r.id.clone(),
            Record::Metric(r) => r.id.clone(),
            Record::Value(r) => r.id.clone(),
            Record::Intervention(r) => r.id.clone(),
            Record::Signal(r) => r.id.clone(),
            Record::Decision(r) => r.id.clone(),
            Record::Cycle(r) => r.id.clone(),
            Record::Tool(r) => r.id.clone(),
            Record::Learning(r) => r.id.clone(),
            Record::Proof(r) => r.id.clone(),
            Record::Deviation(r) => r.id.clone(),
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
            Record::Tool(r) => insert_tool(db, r),
            Record::Learning(r) => insert_learning(db, r),
            Record::Proof(r) => upsert_proof(db, r),
            Record::Deviation(r) => insert_deviation(db, r),
            Record::Event(r) => super::audit::insert(db, r),
        }
    }
}

/// Where records read from a file go: into a database, or into a hash of their export form.
trait Sink {
    /// A section begins (called for empty sections too).
    fn section(&mut self, _name: &str) {}
    fn record(&mut self, section: &str, r: Record) -> std::result::Result<(), String>;
}

struct Inserter<'a> {
    db: &'a mut dyn Db,
    counts: Counts,
    tick: &'a mut dyn FnMut(u64),
    /// A failure of the machine, not of the file (a full disk, no permission): the import stops
    /// and says so as such, never as a bad file.
    fatal: Option<Error>,
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
                crate::display::clean(&id)
            ),
            Error::Storage(m) => format!(
                "{section} `{}` cannot be stored ({m})",
                crate::display::clean(&id)
            ),
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
struct Hasher {
    bytes: Vec<u8>,
    sha: Sha256,
    section: Option<String>,
    /// The next record is the first of its section.
    first: bool,
    doc_started: bool,
    version: i64,
}

impl Hasher {
    fn flush(&mut self) {
        self.sha.update(&self.bytes);
        self.bytes.clear();
    }

    /// The document's opening, as DocWriter writes it, once.
    fn start(&mut self) {
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
struct Counter<R> {
    inner: R,
    pos: Rc<Cell<u64>>,
    limit: Rc<Cell<u64>>,
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
struct DocSeed<'s> {
    sink: &'s mut dyn Sink,
    pos: Rc<Cell<u64>>,
    limit: Rc<Cell<u64>>,
    file_limit: u64,
    header: (Option<String>, Option<i64>),
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
                            crate::display::clean(&f)
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
                        crate::display::clean(other)
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

struct Section<'a, 's> {
    name: &'static str,
    table: Table,
    doc: &'a mut DocSeed<'s>,
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
fn checked<T: Checked>(wrap: fn(T) -> Record) -> impl Fn(T) -> std::result::Result<Record, String> {
    move |r: T| {
        let check = r.check();
        let rec = wrap(r);
        match check {
            Ok(()) => Ok(rec),
            Err(why) => Err(format!("`{}`: {why}", crate::display::clean(&rec.id()))),
        }
    }
}

/// Reads a whole document into `sink`.
fn read_doc(
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

impl Store {
    /// Writes every record, as one JSON document, to `out`.
    pub fn export(&mut self, out: &mut dyn Write, tick: &mut dyn FnMut(u64)) -> Result<Counts> {
        self.read(|db| export_to(db, out, tick))
    }

    /// How many records an export holds (for a progress bar).
    pub fn record_count(&mut self) -> Result<u64> {
        self.read(|db| {
            let mut n = 0;
            for def in tables::exported() {
                n += db.int(&format!("SELECT count(*) FROM {}", def.name), &[])?;
            }
            Ok(n as u64)
        })
    }

    /// Restores an export into an empty database, all or nothing. Every record is checked as the
    /// intents would check it, and the whole file against its own audit trail as `verify` does,
    /// before the commit; the same file imported twice changes nothing.
    pub fn import(
        &mut self,
        input: &mut dyn Read,
        size_hint: Option<u64>,
        tick: &mut dyn FnMut(u64),
    ) -> Result<std::result::Result<Ack, ImportError>> {
        let path = crate::display::clean(&self.path.display().to_string()).into_owned();
        if !self.is_empty()? {
            // Retrying an import that succeeded is safe: compare the file with what is here.
            let mut hasher = Hasher {
                bytes: Vec::new(),
                sha: Sha256::new(),
                section: None,
                first: true,
                doc_started: false,
                version: SCHEMA_VERSION,
            };
            if let Err(e) = read_doc(input, size_hint, &mut hasher) {
                return Ok(Err(e));
            }
            hasher.start();
            if hasher.section.is_some() {
                hasher.bytes.extend_from_slice(b"\n]");
            }
            hasher.bytes.extend_from_slice(b"}\n");
            hasher.flush();
            let theirs = hasher.sha.finalize();
            let mut ours = HashWriter(Sha256::new());
            self.export(&mut ours, &mut |_| {})?;
            if ours.0.finalize() == theirs {
                return Ok(Ok(Ack {
                    summary: format!("{path} already holds exactly these records; nothing changed"),
                    changed: false,
                    seq: None,
                    next: None,
                }));
            }
            return Err(Error::Refused(
                Refusal::rule(format!(
                    "{path} already holds other records: an import fills only an empty database"
                ))
                .advice("import into a new database file"),
            ));
        }
        // Into a shared database only its owner imports: the records name other people, and a
        // member never writes a row or an event naming someone else (the server refuses it).
        if self.is_shared()
            && !self.read(|db| Ok(db.int("SELECT public.jobloop_admin()::int", &[])? == 1))?
        {
            return Err(Error::Denied(format!(
                "only the owner of the shared schema imports into {path}: an export's records name other people, and a member records only as themselves"
            )));
        }
        let mut outcome: Option<std::result::Result<Counts, ImportError>> = None;
        let result = self.write_raw(|db| {
            // References are checked at the end: sections may come in any order.
            match db.engine() {
                super::sql::Engine::Sqlite => db.exec("PRAGMA defer_foreign_keys = ON", &[])?,
                super::sql::Engine::Postgres => db.exec("SET CONSTRAINTS ALL DEFERRED", &[])?,
            };
            let mut inserter = Inserter {
                db,
                counts: Counts::default(),
                tick,
                fatal: None,
            };
            let read = read_doc(input, size_hint, &mut inserter);
            if let Some(e) = inserter.fatal.take() {
                return Err(e);
            }
            let version = match read {
                Ok(v) => v,
                Err(e) => {
                    outcome = Some(Err(e));
                    return Ok(false);
                }
            };
            let counts = inserter.counts;
            if seed_header_missing(version) {
                outcome = Some(Err(ImportError(
                    "it has no `schema_version`: not a jobloop export".into(),
                )));
                return Ok(false);
            }
            if let Some(problem) = consistency(db)? {
                outcome = Some(Err(ImportError(problem)));
                return Ok(false);
            }
            let report = super::health::verify_in(db, false)?;
            if let Some(p) = report.problems.first() {
                outcome = Some(Err(ImportError(format!(
                    "its records disagree with its own audit trail: {p}{}",
                    p.event.map(|s| format!(" (event {s})")).unwrap_or_default()
                ))));
                return Ok(false);
            }
            super::states::rebuild_all(db, &mut |_, _| {})?;
            if version < 3 {
                super::states::after_migration(db, version)?;
            }
            outcome = Some(Ok(counts));
            Ok(true)
        });
        result?;
        Ok(match outcome {
            Some(Ok(counts)) => Ok(Ack {
                summary: format!(
                    "imported {} jobs and {} records into {path}",
                    counts.jobs, counts.records
                ),
                changed: true,
                seq: None,
                next: None,
            }),
            Some(Err(e)) => Err(e),
            None => Err(ImportError("nothing was read".into())),
        })
    }
}

fn seed_header_missing(version: i64) -> bool {
    version == 0
}

/// What a file can break that no single record shows: references that resolve, every job has
/// its six loops, every value and intervention belongs to the loop of its metric.
fn consistency(db: &mut dyn Db) -> Result<Option<String>> {
    let sqlite = db.engine() == super::sql::Engine::Sqlite;
    let broken = if !sqlite {
        // PostgreSQL checks the deferred references now, and names the first broken one.
        if let Err(e) = db.exec("SET CONSTRAINTS ALL IMMEDIATE", &[]) {
            return Ok(Some(format!(
                "it refers to records that are not in the file ({e})"
            )));
        }
        Vec::new()
    } else {
        db.all("PRAGMA foreign_key_check", &[], |r| {
            Ok((
                r.text(0)?.unwrap_or_default().to_string(),
                r.int(1)?.unwrap_or(0),
                r.text(2)?.unwrap_or_default().to_string(),
            ))
        })?
    };
    if let Some((table, rowid, parent)) = broken.first() {
        let id = db
            .first(
                &format!("SELECT id FROM {table} WHERE rowid = ?1"),
                params![rowid],
                |r| Ok(r.text(0)?.unwrap_or_default().to_string()),
            )
            .ok()
            .flatten()
            .unwrap_or_default();
        return Ok(Some(format!(
            "{table} `{}` refers to {parent} that are not in the file",
            crate::display::clean(&id)
        )));
    }
    if let Some(slug) = db.first(
        "SELECT j.slug FROM jobs j WHERE (SELECT count(*) FROM loops l WHERE l.job_id = j.id) <> 6",
        &[],
        |r| Ok(r.text(0)?.unwrap_or_default().to_string()),
    )? {
        return Ok(Some(format!("job `{slug}` does not have its six loops")));
    }
    for table in ["metric_values", "interventions"] {
        if let Some(id) = db.first(
            &format!(
                "SELECT v.id FROM {table} v JOIN metrics m ON m.id = v.metric_id WHERE m.loop_id <> v.loop_id"
            ),
            params![],
            |r| Ok(r.text(0)?.unwrap_or_default().to_string()),
        )? {
            return Ok(Some(format!(
                "{table} `{id}` belongs to a loop that is not its metric's"
            )));
        }
    }
    Ok(None)
}

/// A writer that only hashes.
struct HashWriter(Sha256);

impl Write for HashWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
