//! Migrations run once, even when many processes open an old file at the same moment; the
//! version of a file is read from its tables as well as its `user_version`, so a number lowered
//! outside jobloop is caught before an upgrade fails half-way. A copy of the file is made first.

use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

use super::*;

/// What a migration leaves in a file: a table or index it creates, a column it adds.
#[derive(Debug, PartialEq)]
pub(super) enum Marker {
    Object(&'static str, String),
    Column(String, String),
}

/// The tables, indexes and columns `sql` (a migration) creates, read from its statements.
pub(super) fn markers(sql: &str) -> Vec<Marker> {
    let code: String = sql
        .lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let name = |t: &str| {
        t.split('(')
            .next()
            .unwrap_or(t)
            .trim_matches('"')
            .to_string()
    };
    code.split(';')
        .filter_map(|statement| {
            let words: Vec<&str> = statement.split_whitespace().collect();
            let upper: Vec<String> = words.iter().map(|w| w.to_ascii_uppercase()).collect();
            let up: Vec<&str> = upper.iter().map(String::as_str).collect();
            match up.as_slice() {
                ["CREATE", "TABLE", ..] => Some(Marker::Object("table", name(words[2]))),
                ["CREATE", "INDEX", ..] => Some(Marker::Object("index", name(words[2]))),
                ["CREATE", "UNIQUE", "INDEX", ..] => Some(Marker::Object("index", name(words[3]))),
                ["ALTER", "TABLE", _, "ADD", "COLUMN", _, ..] => {
                    Some(Marker::Column(name(words[2]), name(words[5])))
                }
                _ => None,
            }
        })
        .collect()
}

/// The schema version a jobloop file's tables are at, read from the tables themselves: the
/// latest version whose migration left something the file has (1 with jobloop's first tables,
/// 0 with none). Asked only when `user_version` says the file is older than this jobloop.
pub(super) fn tables_version(conn: &Connection) -> rusqlite::Result<i64> {
    let has = |marker: &Marker| -> rusqlite::Result<bool> {
        let n: i64 = match marker {
            Marker::Object(kind, name) => conn.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = ?1 AND name = ?2",
                [kind, name.as_str()],
                |r| r.get(0),
            )?,
            Marker::Column(table, column) => conn.query_row(
                "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2",
                [table, column],
                |r| r.get(0),
            )?,
        };
        Ok(n > 0)
    };
    let mut found = i64::from(has(&Marker::Object("table", "jobs".into()))?);
    for (to, sql) in MIGRATIONS {
        for marker in markers(sql) {
            if has(&marker)? {
                found = found.max(*to);
            }
        }
    }
    Ok(found)
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
pub(super) fn migrate(conn: &Connection, path: Option<&Path>) -> Result<(), Error> {
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
        crate::store::states::after_migration(&mut db, version)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(Error::sqlite)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(Error::sqlite)?;
    tx.commit().map_err(Error::sqlite)
}
