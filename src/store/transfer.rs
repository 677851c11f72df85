//! Export and import of a whole database, streamed: export writes one record at a time; import
//! reads one record at a time, checks it as the intents would, writes it, and before committing
//! checks the whole file against its own audit trail exactly as `verify` does. Neither holds the
//! file in memory.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};

use super::rows::{self, *};
use super::sql::{Db, params};
use super::tables::{self, TableDef};
use super::{Ack, Error, Result, SCHEMA_VERSION, Store};
use crate::domain::Refusal;
use crate::domain::dataset::{Checked, FORMAT, MAX_EVENT_BYTES, MAX_RECORD_BYTES};
use crate::domain::model::*;
use crate::domain::verify::Table;

mod import;
use import::*;

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
        Table::FlowSteps => rows_of!(flow_step),
        Table::FlowDrops => rows_of!(flow_drop),
        Table::Governance => rows_of!(governance),
        Table::CriticResults => rows_of!(critic_result),
        Table::Incidents => rows_of!(incident),
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
        let path = self.path.display().to_string();
        if !self.is_empty()? {
            return self.import_again(input, size_hint, &path);
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
            let inserted = insert_checked(db, input, size_hint, tick)?;
            let commit = inserted.is_ok();
            outcome = Some(inserted);
            Ok(commit)
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
                // Restoring an export is not news: no hook runs.
                happened: Vec::new(),
            }),
            Some(Err(e)) => Err(e),
            None => Err(ImportError("nothing was read".into())),
        })
    }

    /// An import into a database that is not empty: retrying an import that succeeded is safe,
    /// so the file is compared with what is here (the same records change nothing; others are
    /// refused).
    fn import_again(
        &mut self,
        input: &mut dyn Read,
        size_hint: Option<u64>,
        path: &str,
    ) -> Result<std::result::Result<Ack, ImportError>> {
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
                happened: Vec::new(),
            }));
        }
        Err(Error::Refused(
            Refusal::rule(format!(
                "{path} already holds other records: an import fills only an empty database"
            ))
            .advice("import into a new database file"),
        ))
    }
}

/// Inside the import's transaction: every record of the file written (each checked as it is
/// read), then the file checked as a whole; the derived state rebuilt if it passes. A fault of
/// the file is the inner error (nothing is to be committed); a fault of the machine the outer.
fn insert_checked(
    db: &mut dyn Db,
    input: &mut dyn Read,
    size_hint: Option<u64>,
    tick: &mut dyn FnMut(u64),
) -> Result<std::result::Result<Counts, ImportError>> {
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
        Err(e) => return Ok(Err(e)),
    };
    let counts = inserter.counts;
    if seed_header_missing(version) {
        return Ok(Err(ImportError(
            "it has no `schema_version`: not a jobloop export".into(),
        )));
    }
    if let Some(problem) = consistency(db)? {
        return Ok(Err(ImportError(problem)));
    }
    let report = super::health::verify_in(db, false)?;
    if let Some(p) = report.problems.first() {
        return Ok(Err(ImportError(format!(
            "its records disagree with its own audit trail: {p}{}",
            p.event.map(|s| format!(" (event {s})")).unwrap_or_default()
        ))));
    }
    super::states::rebuild_all(db, &mut |_, _| {})?;
    if version < 3 {
        super::states::after_migration(db, version)?;
    }
    Ok(Ok(counts))
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
            id
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
