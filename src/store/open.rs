//! Opening a database file: identity checks before anything is written, pragmas, and migrations
//! that run once even when two processes open a new file at the same moment.

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::fs::{self, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

use super::Error;

/// `PRAGMA application_id` of every jobloop database ("JLOP").
pub const APPLICATION_ID: i32 = 0x4A4C_4F50;
/// The schema version this binary writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = include_str!("../../schema.sql");

/// Upgrades from each older version: `(version it produces, SQL)`. A new file gets `schema.sql`,
/// which is always the latest version; a test checks both paths give the same tables.
const MIGRATIONS: &[(i64, &str)] = &[(2, include_str!("migrations/002.sql"))];

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// How long a writer waits for another process's lock before retrying.
pub const BUSY_TIMEOUT_MS: u64 = 5_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    ReadOnly,
}

/// Opens (creating when missing) the database at `path`. `init` also accepts an existing empty
/// file, which otherwise is refused: a 0-byte file is what a failed copy leaves behind.
pub fn open(path: &Path, init: bool) -> Result<(Connection, Access), Error> {
    let shown = path.display();
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(Error::Unusable(format!(
                "{shown} is a directory: give the path of a database file with --db"
            )));
        }
        Ok(meta) if meta.len() == 0 && !init => {
            return Err(Error::Unusable(format!(
                "{shown} is empty (0 bytes), perhaps from a failed copy: if it should be a new database, run `jobloop --db {shown} init`"
            )));
        }
        Ok(meta) if meta.len() == 0 => {}
        Ok(_) => check_magic(path)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_initialised(path)?,
        Err(e) => return Err(Error::Unusable(format!("cannot read {shown}: {e}"))),
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
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA trusted_schema = OFF;",
    )
    .map_err(Error::sqlite)?;
    if access == Access::ReadWrite {
        migrate(&conn, Some(path))?;
    } else if user_version(&conn)? < SCHEMA_VERSION {
        return Err(Error::Unusable(format!(
            "{shown} is read-only and needs an upgrade to schema version {SCHEMA_VERSION}: make it writable once"
        )));
    }
    Ok((conn, access))
}

/// Creates a new database beside `path` and links it into place only once it is complete, so no
/// other process ever sees a half-made file; if another process got there first, its file wins.
fn create_initialised(path: &Path) -> Result<(), Error> {
    let cannot = |what: &str, e: &dyn std::fmt::Display| {
        Error::Unusable(format!("cannot create {}: {what}: {e}", path.display()))
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| cannot(&format!("the folder {}", dir.display()), &e))?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "jobloop.db".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tmp = path.with_file_name(format!(".{name}.new-{}-{nanos}", std::process::id()));
    let result = (|| {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| cannot("a temporary file", &e))?;
        let conn = Connection::open(&tmp).map_err(|e| cannot("SQLite", &e))?;
        conn.execute_batch("PRAGMA synchronous = FULL;")
            .map_err(Error::sqlite)?;
        migrate(&conn, None)?;
        conn.close().map_err(|(_, e)| cannot("SQLite", &e))?;
        fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| cannot("fsync", &e))?;
        match fs::hard_link(&tmp, path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(cannot("link", &e)),
        }
    })();
    let _ = fs::remove_file(&tmp);
    result
}

fn check_magic(path: &Path) -> Result<(), Error> {
    let mut header = [0u8; 16];
    let read = fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .is_ok();
    if !read || &header != SQLITE_MAGIC {
        return Err(Error::Unusable(format!(
            "{} is not a jobloop database (not an SQLite file); it was left untouched",
            path.display()
        )));
    }
    Ok(())
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
        .map_err(|e| Error::Unusable(format!("cannot open {}: {e}", path.display())))
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
            path.display()
        ))
    };
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|_| not_ours("SQLite cannot read it"))?;
    let version = user_version(conn).map_err(|_| not_ours("SQLite cannot read it"))?;
    if app_id == APPLICATION_ID {
        if version > SCHEMA_VERSION {
            return Err(Error::Unusable(format!(
                "{} was written by a newer jobloop (schema version {version}; this one knows up to {SCHEMA_VERSION}): upgrade jobloop to open it; the file was left untouched",
                path.display()
            )));
        }
        return Ok(());
    }
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(|_| not_ours("SQLite cannot read it"))?;
    if app_id != 0 || objects > 0 || version != 0 {
        return Err(not_ours("it belongs to another program"));
    }
    Ok(())
}

/// Copies an older file next to itself (`jobloop.db.v1.bak`) before it is upgraded, so a
/// migration can always be undone by hand.
fn backup_before_migration(conn: &Connection, path: &Path, version: i64) -> Result<(), Error> {
    let mut target = path.with_file_name(format!(
        "{}.v{version}.bak",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    if target.exists() {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        target.set_extension(format!("bak-{secs}"));
    }
    conn.execute("VACUUM INTO ?1", [target.to_string_lossy()])
        .map_err(|e| {
            Error::Unusable(format!(
                "cannot write the backup {} before upgrading the schema ({e}); the file was left untouched",
                target.display()
            ))
        })?;
    Ok(())
}

/// Brings the schema to `SCHEMA_VERSION` inside one `BEGIN IMMEDIATE`, re-reading the version
/// under the lock so that of two processes racing on a new file, exactly one migrates.
fn migrate(conn: &Connection, path: Option<&Path>) -> Result<(), Error> {
    let found = user_version(conn)?;
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    if let (Some(path), true) = (path, found >= 1) {
        backup_before_migration(conn, path, found)?;
    }
    let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)
        .map_err(Error::sqlite)?;
    let version = user_version(&tx)?;
    if version == 0 {
        tx.execute_batch(SCHEMA).map_err(Error::sqlite)?;
    } else {
        for (to, sql) in MIGRATIONS.iter().filter(|(to, _)| *to > version) {
            tx.execute_batch(sql).map_err(Error::sqlite)?;
            tx.pragma_update(None, "user_version", to)
                .map_err(Error::sqlite)?;
        }
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(Error::sqlite)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(Error::sqlite)?;
    tx.commit().map_err(Error::sqlite)
}
