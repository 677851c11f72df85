//! The only module that speaks SQL. A `Store` is one SQLite file; every command runs in one
//! `BEGIN IMMEDIATE` transaction that also appends its audit event, and is acknowledged only
//! after the commit returns.

mod audit;
mod dataset;
mod health;
mod load;
mod open;
mod read;
mod snapshot;
mod sqlmap;
mod write;

use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::domain::Refusal;

pub use audit::Changes;
pub use health::Finding;
pub use open::{APPLICATION_ID, Access, SCHEMA_VERSION};
pub use read::LoopDetail;
pub use write::Ack;

#[derive(Debug)]
pub enum Error {
    /// The domain said no: nothing was written.
    Refused(Refusal),
    /// The file cannot be used as a jobloop database (not ours, newer, empty, unreadable).
    Unusable(String),
    /// SQLite failed while reading or writing; the transaction was rolled back.
    Storage(String),
    /// Another process held the lock for longer than jobloop waits; nothing was written.
    Busy(String),
}

impl Error {
    fn sqlite(e: rusqlite::Error) -> Error {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            let msg = match f.code {
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                    return Error::Busy(
                        "the database is busy: another program kept it locked; nothing was written, try again"
                            .to_string(),
                    );
                }
                ErrorCode::DiskFull => {
                    "the disk is full: nothing was written and earlier records are intact; free some space and try again".to_string()
                }
                ErrorCode::ReadOnly => {
                    "the database is read-only: nothing was written".to_string()
                }
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => format!(
                    "the database file is damaged ({e}): restore it from a backup"
                ),
                _ => format!("database error: {e}"),
            };
            return Error::Storage(msg);
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
            Error::Refused(r) => f.write_str(&r.message),
            Error::Unusable(m) | Error::Storage(m) | Error::Busy(m) => f.write_str(m),
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
    /// Opens the database at `path`, creating it (and its folder) when missing.
    pub fn open(path: &Path) -> Result<Store> {
        Self::open_with(path, false)
    }

    /// Like `open`, and also initialises an existing empty file.
    pub fn init(path: &Path) -> Result<Store> {
        Self::open_with(path, true)
    }

    fn open_with(path: &Path, init: bool) -> Result<Store> {
        // Switching a file to WAL or migrating it needs a moment of exclusive access, which
        // SQLite refuses at once (no busy wait) while another process has the file open.
        let mut attempt = 0u32;
        let (conn, access) = loop {
            match open::open(path, init) {
                Err(Error::Busy(_)) if attempt < 40 => {
                    attempt += 1;
                    std::thread::sleep(jitter(1));
                }
                other => break other?,
            }
        };
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            access,
            retries: 4,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn access(&self) -> Access {
        self.access
    }

    /// How long a write waits for another process's lock: the CLI waits long (a script would
    /// rather wait than fail), the TUI briefly (a frozen screen is worse than "busy, retry").
    pub fn set_patience(&mut self, busy_timeout: Duration, retries: u32) -> Result<()> {
        self.conn.busy_timeout(busy_timeout)?;
        self.retries = retries;
        Ok(())
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction, committed when the command changed
    /// something and rolled back otherwise (a refusal, an error, or a no-op). SQLite's lock queue
    /// is not fair, so a writer still refused after the busy timeout retries with jitter.
    fn write(&mut self, mut f: impl FnMut(&Transaction) -> Result<Ack>) -> Result<Ack> {
        if self.access == Access::ReadOnly {
            return Err(Error::Unusable(format!(
                "{} is read-only: nothing was written; make the file writable to record changes",
                self.path.display()
            )));
        }
        let mut attempt = 0u32;
        loop {
            match self.try_write(&mut f) {
                Err(Error::Busy(_)) if attempt < self.retries => {
                    attempt += 1;
                    std::thread::sleep(jitter(attempt));
                }
                other => return other,
            }
        }
    }

    fn try_write(&mut self, f: &mut impl FnMut(&Transaction) -> Result<Ack>) -> Result<Ack> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let ack = f(&tx)?;
        if ack.changed {
            tx.commit()?;
        }
        Ok(ack)
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
