//! The write-ahead log beside a database file. SQLite replays whatever `-wal` it finds next to a
//! file, whichever database wrote it, and the last connection to close folds it into the file: a
//! log left by another database (a backup restored with `cp` next to a killed session's log)
//! would damage a sound file for good. So a log is judged before anything can fold it in: it
//! *does not belong* when replaying it makes a file that is intact on its own fail its checks.
//!
//! The judgement costs a `quick_check` (a read of the whole file), so it runs only when a log
//! could be foreign: it holds frames and no other process has the file open (a live log is
//! normal while the TUI runs). That happens after a session was killed, or on a read-only disk
//! where nobody can fold the log in.

use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::fs::{self, File};
use std::io::Read;
use std::path::{Path, PathBuf};

use super::open::APPLICATION_ID;

/// The WAL header's magic number (the low bit says the checksums' byte order).
const WAL_MAGIC: u32 = 0x377f_0682;
const WAL_HEADER: usize = 32;
const FRAME_HEADER: usize = 24;
/// The byte of the `-shm` file every connection holds a shared lock on while it has the file
/// open (SQLite's unix VFS, `UNIX_SHM_DMS`).
const SHM_DMS: i64 = 128;

/// A companion file as SQLite names it: beside the file's real path (symlinks resolved).
pub(super) fn companion(path: &Path, suffix: &str) -> PathBuf {
    let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut name = real.into_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

/// Whether the log holds a frame a reader would replay: SQLite replays frames from the start
/// until one does not carry the header's salt, so a log whose first frame does not (an empty
/// log, a header alone, a log reset after a checkpoint) changes nothing.
pub(super) fn has_frames(wal: &Path) -> bool {
    let Ok(mut file) = File::open(wal) else {
        return false;
    };
    let mut head = [0u8; WAL_HEADER + FRAME_HEADER];
    if file.read_exact(&mut head).is_err() {
        return false;
    }
    let word = |at: usize| u32::from_be_bytes([head[at], head[at + 1], head[at + 2], head[at + 3]]);
    if word(0) & !1 != WAL_MAGIC {
        return false;
    }
    let page = word(8);
    if !page.is_power_of_two() || !(512..=65_536).contains(&page) {
        return false;
    }
    let long_enough = file
        .metadata()
        .is_ok_and(|m| m.len() >= (WAL_HEADER + FRAME_HEADER) as u64 + u64::from(page));
    long_enough && head[16..24] == head[WAL_HEADER + 8..WAL_HEADER + 16]
}

/// Whether another process has the database open in write-ahead-log mode: it holds a lock on
/// a byte of the `-shm` file. Read from the kernel's table of locks (`/proc/locks`), never by
/// opening the file: closing any descriptor of a file drops every POSIX lock this process holds
/// on it, SQLite's own included. This process's locks are its own opens, judged then.
pub(super) fn held_elsewhere(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = fs::metadata(companion(path, "-shm")) else {
        // No index: no process has the file open in write-ahead-log mode.
        return false;
    };
    // Without the table nothing can be told: the log is judged (it costs time, never data).
    let Ok(table) = fs::read_to_string("/proc/locks") else {
        return false;
    };
    let file = format!(
        "{:02x}:{:02x}:{}",
        nix::sys::stat::major(meta.dev()),
        nix::sys::stat::minor(meta.dev()),
        meta.ino()
    );
    let me = std::process::id().to_string();
    table.lines().any(|line| {
        // `1: POSIX  ADVISORY  READ 4242 fe:00:10051689 128 128`; a waiter's line has `->`.
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 8 || f[1] == "->" || f[4] == me || f[5] != file {
            return false;
        }
        let start = f[6].parse::<i64>().unwrap_or(i64::MAX);
        let covers_end = f[7] == "EOF" || f[7].parse::<i64>().is_ok_and(|end| end >= SHM_DMS);
        start <= SHM_DMS && covers_end
    })
}

/// The verdict on a log, and the lock it was judged under (see [`judge`]).
pub(super) struct Judged {
    /// Why the log does not belong to its file; `None` when it belongs, is in use by another
    /// process, has no frames, or nothing can be told.
    pub foreign: Option<String>,
    _lock: Option<nix::fcntl::Flock<File>>,
}

/// Judges the log beside `path` when it has frames and no other process uses it (or, with
/// `even_if_held`, when the file's checks already failed). Judging happens under an exclusive
/// `flock` on the file's folder, which never touches SQLite's own locks on the file: the judge's
/// connections hold the log's index as any user of the file does, and another process must not
/// take them for a live session and read through the log unjudged — it waits for the verdict.
/// The lock lasts as long as the returned value (`doctor --repair` moves the log aside under it).
pub(super) fn judge(path: &Path, even_if_held: bool) -> Judged {
    let unjudged = |lock| Judged {
        foreign: None,
        _lock: lock,
    };
    if !has_frames(&companion(path, "-wal")) {
        return unjudged(None);
    }
    let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let folder = real.parent().unwrap_or(Path::new("."));
    let lock = File::open(folder)
        .ok()
        .and_then(|f| nix::fcntl::Flock::lock(f, nix::fcntl::FlockArg::LockExclusive).ok());
    // The verdict of a judge that held the lock before: the log may be gone, or in use.
    if !has_frames(&companion(path, "-wal")) || (!even_if_held && held_elsewhere(path)) {
        return unjudged(lock);
    }
    Judged {
        foreign: foreign(path),
        _lock: lock,
    }
}

/// Keeps a connection from folding its log into the file when it closes: until the file has
/// passed its checks, a log that does not belong must not reach it.
pub(super) fn hold_checkpoints(conn: &Connection, hold: bool) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, hold)
        .map(|_| ())
}

/// Switches off the code a file can carry: jobloop's schema has no trigger and no view, so one
/// found in a file was planted there, and obeyed it would bend every later honest write (a
/// value halved at commit, an acknowledged row dropped, a verdict rewritten in the derived
/// state) while the acknowledgement said otherwise. `doctor` names such objects.
pub(super) fn no_planted_code(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_VIEW, false)?;
    Ok(())
}

/// `file:` URI of `path` with SQLite's query parameters; the path is percent-encoded.
fn uri(path: &Path, params: &str) -> String {
    use std::os::unix::ffi::OsStrExt;
    let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::from("file:");
    for &b in real.as_os_str().as_bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push('?');
    out.push_str(params);
    out
}

/// A read-only connection to the file alone, its log ignored (`immutable=1`): for a file no
/// process can change (a read-only disk or folder), and to judge a log.
pub(super) fn open_alone(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        uri(path, "immutable=1"),
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    no_planted_code(&conn)?;
    Ok(conn)
}

/// What a file's checks say.
enum Health {
    Sound,
    /// It fails them, and why.
    Unsound(String),
    /// They could not run (a lock, a folder SQLite cannot write in): no judgement.
    Unknown,
}

/// jobloop's mark and SQLite's quick check.
fn health(conn: &Connection) -> Health {
    let failed = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => {
            Health::Unsound(e.to_string())
        }
        _ => Health::Unknown,
    };
    match conn.query_row("PRAGMA application_id", [], |r| r.get::<_, i32>(0)) {
        Ok(APPLICATION_ID) => {}
        Ok(_) => return Health::Unsound("it is no longer marked as a jobloop database".into()),
        Err(e) => return failed(e),
    }
    let first = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get::<_, String>(0));
    match first {
        Ok(ok) if ok == "ok" => Health::Sound,
        Ok(problem) => {
            // One line: the check's own heading and line breaks are dropped.
            let said: Vec<&str> = problem
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("***"))
                .collect();
            Health::Unsound(format!("SQLite's check says: {}", said.join("; ")))
        }
        Err(e) => failed(e),
    }
}

/// The last event of the file's audit trail: its number and hash.
fn trail_head(conn: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    use rusqlite::OptionalExtension;
    conn.query_row(
        "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Why the log beside `path` does not belong to it, or `None` when it belongs (or the file is
/// damaged on its own, or nothing can be told); see [`judge`] for when to ask. It does not belong when, replayed, it makes a
/// file that is sound alone fail its checks, or takes back the last event the file's audit
/// trail recorded: a session of the file only ever appends to its trail. Neither connection
/// can fold the log in.
fn foreign(path: &Path) -> Option<String> {
    let with = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()?;
    hold_checkpoints(&with, true).ok()?;
    let replayed = health(&with);
    if matches!(replayed, Health::Unknown) {
        return None;
    }
    let alone = open_alone(path).ok()?;
    if let Health::Unsound(why) = replayed {
        return matches!(health(&alone), Health::Sound).then_some(why);
    }
    let (seq, hash) = trail_head(&alone).ok()??;
    let kept = with.query_row("SELECT hash FROM audit_events WHERE seq = ?1", [seq], |r| {
        r.get::<_, String>(0)
    });
    match kept {
        Ok(same) if same == hash => None,
        Ok(_) | Err(rusqlite::Error::QueryReturnedNoRows) => Some(format!(
            "it takes back event {seq}, the last one the file's audit trail recorded"
        )),
        Err(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uri_escapes_what_sqlite_would_read_as_parameters() {
        let u = uri(Path::new("/tmp/a b?c#d%e.db"), "immutable=1");
        assert_eq!(u, "file:/tmp/a%20b%3Fc%23d%25e.db?immutable=1");
    }

    #[test]
    fn only_a_log_with_a_frame_of_its_own_salt_has_frames() {
        let dir = tempfile::tempdir().unwrap();
        let wal = dir.path().join("x.db-wal");
        assert!(!has_frames(&wal), "no file");
        fs::write(&wal, b"").unwrap();
        assert!(!has_frames(&wal), "empty");
        let mut head = vec![0u8; WAL_HEADER + FRAME_HEADER + 4096];
        head[0..4].copy_from_slice(&WAL_MAGIC.to_be_bytes());
        head[8..12].copy_from_slice(&4096u32.to_be_bytes());
        head[16..24].copy_from_slice(b"saltsalt");
        fs::write(&wal, &head[..WAL_HEADER]).unwrap();
        assert!(!has_frames(&wal), "a header alone");
        fs::write(&wal, &head).unwrap();
        assert!(!has_frames(&wal), "a frame of an earlier salt");
        head[WAL_HEADER + 8..WAL_HEADER + 16].copy_from_slice(b"saltsalt");
        fs::write(&wal, &head).unwrap();
        assert!(has_frames(&wal));
        fs::write(&wal, &head[..head.len() - 1]).unwrap();
        assert!(!has_frames(&wal), "a frame cut short");
    }
}
