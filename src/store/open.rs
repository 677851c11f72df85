//! Opening a database file: what is at the path is checked before anything is written (a folder,
//! a FIFO, another program's file, a newer jobloop's file are refused untouched), then pragmas,
//! then migrations that run once even when many processes open an old file at the same moment.

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::fs::{self, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, OpenOptionsExt};
use std::path::Path;

use super::Error;
use super::sqlite::SqliteDb;
use crate::files::{Protected, free_name, io_words, produce_file};

/// `PRAGMA application_id` of every jobloop database ("JLOP").
pub const APPLICATION_ID: i32 = 0x4A4C_4F50;
/// The schema version this binary writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 4;

pub const SCHEMA: &str = include_str!("../../schema.sql");

/// Upgrades from each older version: `(version it produces, SQL)`. A new file gets `schema.sql`,
/// which is always the latest version; a test checks both paths give the same tables.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (2, include_str!("migrations/002.sql")),
    (3, include_str!("migrations/003.sql")),
    (4, include_str!("migrations/004.sql")),
];

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// How long a writer waits for another process's lock before retrying.
pub const BUSY_TIMEOUT_MS: u64 = 5_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    ReadOnly,
}

/// What may happen to a missing file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// Create it (commands that record, the TUI).
    Create,
    /// Refuse: a command that only reads must not create a database.
    Refuse,
}

fn shown(path: &Path) -> String {
    crate::display::clean(&path.display().to_string()).into_owned()
}

/// Opens (creating when allowed) the database at `path`. `init` also accepts an existing empty
/// file, which otherwise is refused: a 0-byte file is what a failed copy leaves behind.
pub fn open(path: &Path, missing: Missing, init: bool) -> Result<(Connection, Access), Error> {
    let name = shown(path);
    match fs::metadata(path) {
        Ok(meta) => {
            let ft = meta.file_type();
            if ft.is_dir() {
                return Err(Error::Unusable(format!(
                    "{name} is a folder: give the path of a database file with --db"
                )));
            }
            if ft.is_fifo() || ft.is_socket() || ft.is_char_device() || ft.is_block_device() {
                return Err(Error::Unusable(format!(
                    "{name} is a FIFO, socket or device, not a database file: give the path of a file with --db"
                )));
            }
            if meta.len() == 0 && !init {
                return Err(Error::Unusable(format!(
                    "{name} is empty (0 bytes), perhaps from a failed copy: if it should be a new database, run `jobloop --db {name} init`"
                )));
            }
            if meta.len() > 0 {
                check_magic(path)?;
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match missing {
            Missing::Refuse => {
                return Err(Error::NoDatabase(format!(
                    "there is no database at {name}: create one with `jobloop --db {name} init` or by adding a job"
                )));
            }
            Missing::Create => create_initialised(path)?,
        },
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            return Err(Error::Denied(format!(
                "cannot read {name}: permission denied on it or its folder"
            )));
        }
        Err(e) => return Err(Error::Unusable(format!("cannot read {name}: {e}"))),
    }

    let (conn, access) = connect(path)?;
    conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))
        .map_err(Error::sqlite)?;
    check_identity(&conn, path)?;
    if access == Access::ReadWrite {
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;",
        )
        .map_err(Error::sqlite)?;
    }
    // An 8 MiB page cache keeps a large file's hot pages in process instead of re-reading them
    // from the OS on every statement; the statement cache holds every statement jobloop runs
    // (rusqlite's default of 16 re-prepared them in turn).
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA trusted_schema = OFF;
         PRAGMA cache_size = -8192;",
    )
    .map_err(Error::sqlite)?;
    conn.set_prepared_statement_cache_capacity(256);
    if access == Access::ReadWrite {
        migrate(&conn, Some(path))?;
    } else if user_version(&conn)? < SCHEMA_VERSION {
        return Err(Error::Denied(format!(
            "{name} is read-only and needs an upgrade to schema version {SCHEMA_VERSION}: make it writable once"
        )));
    }
    Ok((conn, access))
}

/// Creates a new database beside `path` and links it into place only once it is complete, so no
/// other process ever sees a half-made file; if another process got there first, its file wins.
fn create_initialised(path: &Path) -> Result<(), Error> {
    let name = shown(path);
    let cannot = |what: &str, e: &std::io::Error| {
        let msg = format!("cannot create {name}: {what}: {}", io_words(e));
        if e.kind() == std::io::ErrorKind::PermissionDenied || e.raw_os_error() == Some(30) {
            Error::Denied(msg)
        } else {
            Error::Io(msg)
        }
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| cannot(&format!("the folder {}", shown(dir)), &e))?;
    }
    crate::files::remove_leftovers(path);
    let tmp = crate::files::temp_path(path);
    let result = (|| {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| cannot("a temporary file in its folder", &e))?;
        let conn = Connection::open(&tmp).map_err(Error::sqlite)?;
        conn.execute_batch("PRAGMA synchronous = FULL;")
            .map_err(Error::sqlite)?;
        migrate(&conn, None)?;
        conn.close().map_err(|(_, e)| Error::sqlite(e))?;
        fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| cannot("fsync", &e))?;
        match crate::files::move_new(&tmp, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(cannot("move into place", &e)),
        }
    })();
    let _ = fs::remove_file(&tmp);
    result
}

fn check_magic(path: &Path) -> Result<(), Error> {
    let mut header = [0u8; 16];
    let read = fs::File::open(path).and_then(|mut f| f.read_exact(&mut header));
    match read {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Err(Error::Denied(format!(
            "cannot read {}: permission denied",
            shown(path)
        ))),
        Ok(()) if &header == SQLITE_MAGIC => Ok(()),
        _ => Err(Error::Unusable(format!(
            "{} is not a jobloop database (not an SQLite file); it was left untouched",
            shown(path)
        ))),
    }
}

fn connect(path: &Path) -> Result<(Connection, Access), Error> {
    let rw = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let readonly_file = fs::metadata(path)
        .map(|m| m.permissions().readonly())
        .unwrap_or(false);
    if !readonly_file && let Ok(conn) = Connection::open_with_flags(path, rw) {
        return Ok((conn, Access::ReadWrite));
    }
    let ro = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(path, ro)
        .map(|c| (c, Access::ReadOnly))
        .map_err(|e| Error::Unusable(format!("cannot open {}: {e}", shown(path))))
}

fn user_version(conn: &Connection) -> Result<i64, Error> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(Error::sqlite)
}

/// Refuses another program's SQLite file and a jobloop file from a newer jobloop.
fn check_identity(conn: &Connection, path: &Path) -> Result<(), Error> {
    let not_ours = |what: &str| {
        Error::Unusable(format!(
            "{} is not a jobloop database ({what}); it was left untouched",
            shown(path)
        ))
    };
    // A busy file, a full disk or a failing one is not a damaged file: say what it is.
    let damaged = |e: rusqlite::Error| match Error::sqlite(e) {
        Error::Busy(m) => Error::Busy(m),
        Error::Io(m) => Error::Io(format!("cannot open {}: {m}", shown(path))),
        _ => not_ours("SQLite cannot read it: it may be damaged or truncated"),
    };
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(damaged)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(damaged)?;
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(damaged)?;
    if app_id == APPLICATION_ID {
        if version > SCHEMA_VERSION {
            return Err(Error::Unusable(format!(
                "{} was written by a newer jobloop (schema version {version}; this one knows up to {SCHEMA_VERSION}): upgrade jobloop to open it; the file was left untouched",
                shown(path)
            )));
        }
        return Ok(());
    }
    if app_id != 0 || objects > 0 || version != 0 {
        return Err(not_ours("it belongs to another program"));
    }
    Ok(())
}

/// Copies an older file next to itself (`jobloop.db.v2.bak`, or a free name beside it) before
/// it is upgraded, so a migration can always be undone by hand. Runs while the caller holds the
/// write lock, on a second connection, so the copy is exactly what is migrated and written once.
fn backup_before_migration(path: &Path, version: i64) -> Result<(), Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let target = free_name(&path.with_file_name(format!("{name}.v{version}.bak")));
    let protected = Protected::database(path);
    produce_file(
        &target,
        false,
        &protected,
        |tmp| {
            let reader = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| e.to_string())?;
            reader
                .execute("VACUUM INTO ?1", [tmp.to_string_lossy()])
                .map_err(|e| e.to_string())?;
            Ok(())
        },
        |_| Ok(()),
    )
    .map_err(|e| {
        Error::Io(format!(
            "cannot write the copy {} before upgrading the schema ({e}); the file was left untouched",
            shown(&target)
        ))
    })
}

/// Brings the schema to `SCHEMA_VERSION` inside one `BEGIN IMMEDIATE`. The version is read
/// under the lock, so of many processes opening an old file at once exactly one migrates (and
/// writes the one pre-migration copy); the others wait for its commit and go on.
fn migrate(conn: &Connection, path: Option<&Path>) -> Result<(), Error> {
    if user_version(conn)? == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
        .map_err(Error::sqlite)?;
    let version = user_version(&tx)?;
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    if let (Some(path), true) = (path, version >= 1) {
        backup_before_migration(path, version)?;
    }
    if version == 0 {
        tx.execute_batch(SCHEMA).map_err(Error::sqlite)?;
    } else {
        for (to, sql) in MIGRATIONS.iter().filter(|(to, _)| *to > version) {
            tx.execute_batch(sql).map_err(Error::sqlite)?;
            tx.pragma_update(None, "user_version", to)
                .map_err(Error::sqlite)?;
        }
        // Version 3 keeps derived state and covers replaced metrics in the trail.
        let mut db = SqliteDb(&tx);
        super::states::after_migration(&mut db, version)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(Error::sqlite)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(Error::sqlite)?;
    tx.commit().map_err(Error::sqlite)
}
