//! The only code that speaks SQL. A `Store` is one database; every command runs in one
//! transaction that also appends its audit event and updates the derived state, and is
//! acknowledged only after the commit returns. The pipeline and readers are written once over
//! `sql::Db`; `sqlite` implements it.

mod audit;
mod health;
mod load;
mod open;
mod pipeline;
mod read;
mod rows;
pub mod sql;
mod sqlite;
mod states;
mod transfer;

use rusqlite::{Connection, ErrorCode, TransactionBehavior};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::domain::{Ctx, Intent, Refusal, Stamp};
use sql::{Db, Undecodable};
use sqlite::SqliteDb;

pub use audit::Changes;
pub use health::Finding;
pub use open::{APPLICATION_ID, Access, Missing, SCHEMA_VERSION};
pub use pipeline::{Ack, SELF_ACTOR};
pub use read::{Board, JobDetail, LoopDetail};
pub use transfer::ImportError;

#[derive(Debug)]
pub enum Error {
    /// The domain said no: nothing was written.
    Refused(Refusal),
    /// A command that only reads found no database at the path.
    NoDatabase(String),
    /// The file cannot be used as a jobloop database (not ours, newer, damaged, a folder…).
    Unusable(String),
    /// Permission denied: a read-only file or folder.
    Denied(String),
    /// Reading or writing failed (a full disk, an I/O error); the transaction was rolled back.
    Io(String),
    /// SQLite failed; the transaction was rolled back.
    Storage(String),
    /// Another process held the lock for longer than jobloop waits; nothing was written.
    Busy(String),
    /// A row that cannot be read as a record (a file edited outside jobloop).
    Undecodable(Undecodable),
}

impl Error {
    fn sqlite(e: rusqlite::Error) -> Error {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            return match f.code {
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Error::Busy(
                    "the database is busy: another program kept it locked; nothing was written, try again"
                        .to_string(),
                ),
                ErrorCode::DiskFull => Error::Io(
                    "the disk is full: nothing was written and earlier records are intact; free some space and try again".to_string(),
                ),
                ErrorCode::ReadOnly | ErrorCode::PermissionDenied => Error::Denied(
                    "the database is read-only: nothing was written; make the file and its folder writable to record changes".to_string(),
                ),
                ErrorCode::CannotOpen => Error::Denied(format!(
                    "the database cannot be opened for writing ({e}): check the permissions of its folder"
                )),
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => Error::Unusable(format!(
                    "the database file is damaged ({e}): restore it from a backup (`jobloop doctor` says more)"
                )),
                ErrorCode::SystemIoFailure => Error::Io(format!("the disk failed: {e}")),
                _ => Error::Storage(format!("database error: {e}")),
            };
        }
        Error::Storage(format!("database error: {e}"))
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        Error::Refused(r)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::sqlite(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Refused(r) => write!(f, "{r}"),
            Error::Undecodable(u) => write!(
                f,
                "{u}: the file was edited outside jobloop; `jobloop doctor` lists every such row"
            ),
            Error::NoDatabase(m)
            | Error::Unusable(m)
            | Error::Denied(m)
            | Error::Io(m)
            | Error::Storage(m)
            | Error::Busy(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

pub struct Store {
    conn: Connection,
    path: PathBuf,
    access: Access,
    /// How many times a write retries after the busy timeout (see `set_patience`).
    retries: u32,
}

impl Store {
    /// Opens the database at `path`; `missing` says whether a missing file is created.
    pub fn open(path: &Path, missing: Missing) -> Result<Store> {
        Self::open_with(path, missing, false)
    }

    /// Like `open`, and also initialises an existing empty file.
    pub fn init(path: &Path) -> Result<Store> {
        Self::open_with(path, Missing::Create, true)
    }

    fn open_with(path: &Path, missing: Missing, init: bool) -> Result<Store> {
        // Switching a file to WAL or migrating it needs a moment of exclusive access, which
        // SQLite refuses at once (no busy wait) while another process has the file open.
        let mut attempt = 0u32;
        let (conn, access) = loop {
            match open::open(path, missing, init) {
                Err(Error::Busy(_)) if attempt < 40 => {
                    attempt += 1;
                    std::thread::sleep(jitter(1));
                }
                other => break other?,
            }
        };
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            access,
            retries: 4,
        };
        if access == Access::ReadWrite && store.read(|db| states::outdated(db))? {
            store.write_raw(|db| states::repair(db).map(|()| true))?;
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn access(&self) -> Access {
        self.access
    }

    /// The files no command may overwrite: this database and its companions.
    pub fn protected(&self) -> crate::files::Protected {
        crate::files::Protected::database(&self.path)
    }

    /// How long a write waits for another process's lock: the CLI waits long (a script would
    /// rather wait than fail), the TUI briefly (a frozen screen is worse than "busy, retry").
    pub fn set_patience(&mut self, busy_timeout: Duration, retries: u32) -> Result<()> {
        self.conn.busy_timeout(busy_timeout)?;
        self.retries = retries;
        Ok(())
    }

    /// A number that changes whenever another connection commits (SQLite's `data_version`):
    /// the TUI polls it to redraw only when something changed.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// Applies one intent in its own transaction.
    pub fn apply(&mut self, ctx: &Ctx, intent: &Intent) -> Result<Ack> {
        self.write(|db| pipeline::apply(db, ctx, intent, &mut pipeline::States::Now))
    }

    /// Applies many intents in one transaction (the demo): all or nothing. Derived state is
    /// written once per changed loop and job at the end.
    pub fn batch(&mut self, f: &mut dyn FnMut(&mut Batch) -> Result<()>) -> Result<()> {
        self.write_raw(|db| {
            let mut batch = Batch {
                db,
                states: pipeline::States::later(),
            };
            f(&mut batch)?;
            batch.states.finish(batch.db)?;
            Ok(true)
        })
    }

    /// `check`: every armed kill signal with a rule, checked against its loop's data now; the
    /// ones that fire are tripped (each in its own transaction). Returns what fired.
    pub fn check_rules(&mut self, now: Stamp) -> Result<Vec<String>> {
        let due = self.read(|db| read::rules_due(db, now))?;
        let mut all = Vec::new();
        for (slug, kind) in due {
            let fired = self.write(|db| {
                let fired = pipeline::check_loop(db, &slug, kind, now)?;
                Ok(Ack {
                    summary: fired.join("\n"),
                    changed: !fired.is_empty(),
                    seq: None,
                    next: None,
                })
            })?;
            if fired.changed {
                all.push(fired.summary);
            }
        }
        Ok(all)
    }

    fn read_only_refusal(&self) -> Error {
        Error::Denied(format!(
            "{} is read-only: nothing was written; make the file writable to record changes",
            crate::display::clean(&self.path.display().to_string())
        ))
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction, committed when the command changed
    /// something and rolled back otherwise (a refusal, an error, or a no-op). SQLite's lock queue
    /// is not fair, so a writer still refused after the busy timeout retries with jitter.
    fn write(&mut self, mut f: impl FnMut(&mut dyn Db) -> Result<Ack>) -> Result<Ack> {
        let mut ack = None;
        self.write_raw(|db| {
            let a = f(db)?;
            let changed = a.changed;
            ack = Some(a);
            Ok(changed)
        })?;
        ack.ok_or_else(|| Error::Storage("the write produced no acknowledgement".into()))
    }

    /// A write transaction; `f` says whether to commit.
    fn write_raw(&mut self, mut f: impl FnMut(&mut dyn Db) -> Result<bool>) -> Result<()> {
        if self.access == Access::ReadOnly {
            return Err(self.read_only_refusal());
        }
        let mut attempt = 0u32;
        loop {
            let result = (|| {
                let tx = self
                    .conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)?;
                let commit = f(&mut SqliteDb(&tx))?;
                if commit {
                    tx.commit()?;
                }
                Ok(())
            })();
            match result {
                Err(Error::Busy(_)) if attempt < self.retries => {
                    attempt += 1;
                    std::thread::sleep(jitter(attempt));
                }
                other => return other,
            }
        }
    }

    /// Runs `f` in one read transaction: every figure comes from the same moment of the file.
    fn read<T>(&mut self, f: impl FnOnce(&mut dyn Db) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction()?;
        let out = f(&mut SqliteDb(&tx))?;
        tx.finish()?;
        Ok(out)
    }

    pub fn is_empty(&mut self) -> Result<bool> {
        self.read(|db| {
            Ok(db.int(
                "SELECT (SELECT count(*) FROM jobs) + (SELECT count(*) FROM audit_events)",
                &[],
            )? == 0)
        })
    }
}

/// Many intents in one transaction (see `Store::batch`).
pub struct Batch<'a> {
    db: &'a mut dyn Db,
    states: pipeline::States,
}

impl Batch<'_> {
    pub fn apply(&mut self, ctx: &Ctx, intent: &Intent) -> Result<Ack> {
        pipeline::apply(self.db, ctx, intent, &mut self.states)
    }

    /// A loop as the batch has left it so far.
    pub fn loop_record(
        &mut self,
        slug: &str,
        kind: crate::domain::LoopKind,
    ) -> Result<crate::domain::loop_record::LoopRecord> {
        load::loop_record(self.db, slug, kind)
    }

    pub fn proofs(&mut self, slug: &str) -> Result<Vec<crate::domain::model::Proof>> {
        let job = load::job_by_slug(self.db, slug)?;
        load::proofs_of(self.db, &job.id)
    }
}

/// A pause of 20–80 ms times the attempt, varied by the clock so two waiting writers drift apart.
fn jitter(attempt: u32) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    Duration::from_millis(u64::from(attempt) * (20 + u64::from(nanos % 60)))
}
