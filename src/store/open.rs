//! Opening a database file: what is at the path is checked before anything is written (a folder,
//! a FIFO, another program's file, a newer jobloop's file are refused untouched), then pragmas,
//! then migrations that run once even when many processes open an old file at the same moment.

use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};
use std::fs::{self, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use super::sqlite::SqliteDb;
use super::wal;
use super::{Error, Next};
use crate::files::{Protected, free_name, io_words, produce_file};

/// `PRAGMA application_id` of every jobloop database ("JLOP").
pub const APPLICATION_ID: i32 = 0x4A4C_4F50;
/// The schema version this binary writes (`PRAGMA user_version`): the one its last migration
/// produces, so adding a migration is one line in `MIGRATIONS`.
pub const SCHEMA_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

pub(super) const SCHEMA: &str = include_str!("../../schema.sql");

/// Upgrades from each older version: `(version it produces, SQL)`. A new file gets `schema.sql`,
/// which is always the latest version; a test checks both paths give the same tables.
pub(super) const MIGRATIONS: &[(i64, &str)] = &[
    (2, include_str!("migrations/002.sql")),
    (3, include_str!("migrations/003.sql")),
    (4, include_str!("migrations/004.sql")),
    (5, include_str!("migrations/005.sql")),
    (6, include_str!("migrations/006.sql")),
    (7, include_str!("migrations/007.sql")),
    (8, include_str!("migrations/008.sql")),
    (9, include_str!("migrations/009.sql")),
];

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// How long a writer waits for another process's lock before retrying.
pub(super) const BUSY_TIMEOUT_MS: u64 = 5_000;

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

/// Files this process has open through a store, by (device, inode). Another open of one of them
/// in this process (the TUI's start-up check beside its worker) must not open and close the file
/// itself — closing any descriptor of a file drops every POSIX lock the process holds on it,
/// SQLite's included, and another program could then fold in and delete a log still in use —
/// and its log was judged when the first open checked it.
static OPEN_HERE: Mutex<Vec<(FileId, Weak<()>)>> = Mutex::new(Vec::new());

/// A file's (device, inode).
type FileId = (u64, u64);

/// This process's hold on a file it opened; the store keeps it as long as its connection.
#[derive(Debug)]
pub(super) struct Held {
    _token: Arc<()>,
}

fn open_here(id: FileId) -> bool {
    let mut open = OPEN_HERE.lock().unwrap_or_else(|p| p.into_inner());
    open.retain(|(_, w)| w.strong_count() > 0);
    open.iter().any(|(i, _)| *i == id)
}

fn hold(path: &Path) -> Option<Held> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(path).ok()?;
    let token = Arc::new(());
    let mut open = OPEN_HERE.lock().unwrap_or_else(|p| p.into_inner());
    open.push(((meta.dev(), meta.ino()), Arc::downgrade(&token)));
    Some(Held { _token: token })
}

pub(super) fn shown(path: &Path) -> String {
    path.display().to_string()
}

/// Opens (creating when allowed) the database at `path`. `init` also accepts an existing empty
/// file, which otherwise is refused: a 0-byte file is what a failed copy leaves behind.
///
/// Until the file has passed its checks, the connection never folds its write-ahead log into
/// the file (not even when it closes): a log that does not belong is refused before it can do
/// any harm, and so is a file with a second name, before anything is read.
pub(super) fn open(
    path: &Path,
    missing: Missing,
    init: bool,
) -> Result<(Connection, Access, Option<Held>), Error> {
    use std::os::unix::fs::MetadataExt;
    let name = shown(path);
    let mut here = false;
    match fs::metadata(path) {
        Ok(meta) => {
            let ft = meta.file_type();
            if ft.is_dir() {
                return Err(Error::Unusable(format!("{name} is a folder")).then(Next::GiveFile));
            }
            if ft.is_fifo() || ft.is_socket() || ft.is_char_device() || ft.is_block_device() {
                return Err(Error::Unusable(format!(
                    "{name} is a FIFO, socket or device, not a database file"
                ))
                .then(Next::GiveFile));
            }
            check_one_name(path, &meta)?;
            here = open_here((meta.dev(), meta.ino()));
            if meta.len() == 0 && !init {
                return Err(Error::Unusable(format!(
                    "{name} is empty (0 bytes), perhaps from a failed copy"
                ))
                .then(Next::Init { db: name }));
            }
            if meta.len() == 0 {
                no_orphan_log(path)?;
            }
            if meta.len() > 0 && !here {
                check_magic(path)?;
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match missing {
            Missing::Refuse => {
                return Err(Error::NoDatabase(format!("there is no database at {name}"))
                    .then(Next::Init { db: name }));
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

    check_companions(path)?;
    // A log nobody else is using may be another database's: it is judged before any connection
    // of this process reads through it (and so before another process could take that
    // connection for a live session's).
    if !here && let Some(why) = wal::judge(path, false).foreign {
        return Err(foreign_wal(path, &why));
    }
    let (conn, access) = connect(path)?;
    match checked(&conn, access, path, here) {
        Ok(()) => {
            // The file passed its checks: closing the last connection folds the log in again.
            wal::hold_checkpoints(&conn, false).map_err(Error::sqlite)?;
            Ok((conn, access, hold(path)))
        }
        Err(e) => {
            // A refused file keeps its log; an empty one SQLite made is removed again on close.
            if !wal::has_frames(&wal::companion(path, "-wal")) {
                let _ = wal::hold_checkpoints(&conn, false);
            }
            Err(e)
        }
    }
}

/// The checks, pragmas and migrations of `open`, on a connection that holds its log.
fn checked(conn: &Connection, access: Access, path: &Path, here: bool) -> Result<(), Error> {
    if let Err(e) = check_identity(conn, path) {
        // A log that makes the file look damaged or foreign may be the one to blame.
        if !here && let Some(why) = wal::judge(path, true).foreign {
            return Err(foreign_wal(path, &why));
        }
        return Err(e);
    }
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
        migrate(conn, Some(path))?;
    } else if user_version(conn)? < SCHEMA_VERSION {
        return Err(Error::Denied(format!(
            "{} is read-only and needs an upgrade to schema version {SCHEMA_VERSION}: make it writable once",
            shown(path)
        )));
    }
    Ok(())
}

/// A companion file's name as the user would spell it: beside the name given, unless that name
/// is a symlink (SQLite keeps the companions beside the real file).
pub(super) fn shown_companion(path: &Path, suffix: &str) -> String {
    let linked = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if linked {
        shown(&wal::companion(path, suffix))
    } else {
        format!("{}{suffix}", shown(path))
    }
}

/// Why the file at `path`, opened read-only, cannot be written, and what would let it be:
/// `(why, remedy)`, worded to follow the file's name.
pub(super) fn read_only_why(path: &Path) -> (String, String) {
    use nix::sys::statvfs::{FsFlags, statvfs};
    use nix::unistd::{AccessFlags, access};
    let name = shown(path);
    // SQLite keeps the log beside the real file, whatever name it was opened by.
    let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let folder = real
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let disk_read_only = statvfs(path).is_ok_and(|s| s.flags().contains(FsFlags::ST_RDONLY));
    let file_read_only = fs::metadata(path).is_ok_and(|m| m.permissions().readonly())
        || access(path, AccessFlags::W_OK).is_err();
    let folder_read_only = access(folder, AccessFlags::W_OK).is_err();
    if disk_read_only {
        (
            "is on a read-only disk (its file system is mounted read-only)".into(),
            "copy it to a writable disk, or mount this one read-write, to record changes".into(),
        )
    } else if file_read_only {
        (
            "is read-only".into(),
            format!("make it writable (`chmod u+w {name}`) to record changes"),
        )
    } else if folder_read_only {
        (
            format!(
                "is in a folder jobloop may not write in ({}), and SQLite keeps its write-ahead log beside the file",
                shown(folder)
            ),
            "make the folder writable to record changes".into(),
        )
    } else {
        (
            "is read-only".into(),
            "make the file and its folder writable to record changes".into(),
        )
    }
}

/// A write refused on a file opened read-only (exit 6): why, and what would let it be written.
pub(super) fn read_only_refusal(path: &Path) -> Error {
    let (why, remedy) = read_only_why(path);
    Error::Denied(format!(
        "{} {why}: nothing was written; {remedy}",
        shown(path)
    ))
}

/// The refusal of a log that does not belong to its file.
fn foreign_wal(path: &Path, why: &str) -> Error {
    Error::Unusable(format!(
        "{} does not belong to {}: replayed, it makes the file fail its checks ({why}) while the file alone is sound (a backup copied over a file whose session was killed?); nothing was changed",
        shown_companion(path, "-wal"),
        shown(path),
    ))
    .then(Next::MoveLogAside { db: shown(path) })
}

/// The verdict on the log beside the file at `path`, when a file with one name is there (see
/// `wal::judge`): `doctor` names a log that does not belong, and moves it aside under the lock
/// the verdict holds.
pub(super) fn judge_log(path: &Path) -> Option<wal::Judged> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(path).ok()?;
    if !meta.is_file() || meta.nlink() > 1 || meta.len() == 0 {
        return None;
    }
    Some(wal::judge(path, false))
}

/// The file alone, its log ignored and never folded in, read-only: what `doctor` checks while
/// a log that does not belong is still beside it.
pub(super) fn open_alone(path: &Path) -> Result<Connection, Error> {
    let conn = wal::open_alone(path)
        .map_err(|e| Error::Unusable(format!("cannot open {}: {e}", shown(path))))?;
    check_identity(&conn, path)?;
    if user_version(&conn)? < SCHEMA_VERSION {
        return Err(Error::Denied(format!(
            "{} needs an upgrade to schema version {SCHEMA_VERSION}, which waits until the log beside it is moved aside",
            shown(path),
        ))
        .then(Next::MoveLogAside { db: shown(path) }));
    }
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;")
        .map_err(Error::sqlite)?;
    Ok(conn)
}

/// Moves the log beside `path` aside, under a free name beside it (`jobloop.db-wal.foreign`,
/// then `-2`, `-3`…), and returns that name as shown: nothing is deleted. `None` when the log
/// is gone already (another `doctor --repair` moved it meanwhile).
pub(super) fn move_log_aside(path: &Path) -> Result<Option<String>, Error> {
    let log = wal::companion(path, "-wal");
    let fail = |e: std::io::Error| {
        let msg = format!(
            "cannot move {} aside: {}; nothing was changed",
            shown_companion(path, "-wal"),
            io_words(&e)
        );
        if e.kind() == std::io::ErrorKind::PermissionDenied || e.raw_os_error() == Some(30) {
            Error::Denied(msg)
        } else {
            Error::Io(msg)
        }
    };
    let mut aside = log.clone().into_os_string();
    aside.push(".foreign");
    let aside = PathBuf::from(aside);
    for _ in 0..100 {
        let target = free_name(&aside);
        match crate::files::move_new(&log, &target) {
            Ok(()) => {
                let added = target
                    .as_os_str()
                    .to_string_lossy()
                    .strip_prefix(log.as_os_str().to_string_lossy().as_ref())
                    .map(str::to_string)
                    .unwrap_or_default();
                // Its index goes with it: a session still judging may hold the old one, and the
                // next opener must build a new one, not read the moved log's.
                let index = wal::companion(path, "-shm");
                if index.exists() {
                    let mut beside = index.clone().into_os_string();
                    beside.push(&added);
                    let mut moved = false;
                    for _ in 0..100 {
                        match crate::files::move_new(&index, &free_name(Path::new(&beside))) {
                            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                            Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                            Err(e) => return Err(fail(e)),
                            Ok(()) => {
                                moved = true;
                                break;
                            }
                        }
                    }
                    if !moved && index.exists() {
                        return Err(fail(std::io::Error::from(
                            std::io::ErrorKind::AlreadyExists,
                        )));
                    }
                }
                return Ok(Some(shown_companion(path, &format!("-wal{added}"))));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !log.exists() => {
                return Ok(None);
            }
            Err(e) => return Err(fail(e)),
        }
    }
    Err(fail(std::io::Error::from(
        std::io::ErrorKind::AlreadyExists,
    )))
}

/// Refuses a file with more than one name (hard link): SQLite names the write-ahead log after
/// the name a program opened, so two programs writing through two names keep two logs and lose
/// each other's records. A second name jobloop's own placement left (a killed run that linked a
/// new file into place and did not unlink its temporary name) is removed first; one a running
/// jobloop is about to unlink is waited for.
fn check_one_name(path: &Path, meta: &fs::Metadata) -> Result<(), Error> {
    use std::os::unix::fs::MetadataExt;
    if meta.nlink() <= 1 {
        return Ok(());
    }
    let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    crate::files::remove_leftovers(&real);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    let links = loop {
        let links = fs::metadata(&real).map(|m| m.nlink()).unwrap_or(1);
        if links <= 1 {
            return Ok(());
        }
        if !crate::files::being_placed(&real) || std::time::Instant::now() > deadline {
            break links;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let others: Vec<String> = crate::files::other_names(&real)
        .iter()
        .map(|p| shown(p))
        .collect();
    let where_ = if others.is_empty() {
        format!(
            "the others are in other folders (`find / -xdev -samefile {}` lists them)",
            shown(path)
        )
    } else {
        format!("the others here: {}", others.join(", "))
    };
    Err(Error::Unusable(format!(
        "{} has {links} names (hard links; {where_}): SQLite keeps a write-ahead log per name, so programs writing through different names lose each other's records; keep one name (`rm` the others, or `cp` to make a separate copy); nothing was read or written",
        shown(path)
    )))
}

/// Refuses to make a new database where a write-ahead log with records is left without its file
/// (the database was deleted, moved or emptied after a session was killed): SQLite would replay
/// that log into the new file, or delete it beside an empty one. Checked before anything is
/// created.
pub fn no_orphan_log(path: &Path) -> Result<(), Error> {
    let has_file = fs::metadata(path).is_ok_and(|m| m.len() > 0);
    if has_file || !wal::has_frames(&wal::companion(path, "-wal")) {
        return Ok(());
    }
    let name = shown(path);
    let here = if fs::symlink_metadata(path).is_ok() {
        format!("{name} is empty")
    } else {
        format!("there is no database at {name}")
    };
    Err(Error::Unusable(format!(
        "{here}, but {} beside it holds records of one (left when its database was deleted or moved?): put that database back, or move {} and {} aside; nothing was created",
        shown_companion(path, "-wal"),
        shown_companion(path, "-wal"),
        shown_companion(path, "-shm"),
    )))
}

/// Creates a new database beside `path` and links it into place only once it is complete, so no
/// other process ever sees a half-made file; if another process got there first, its file wins.
fn create_initialised(path: &Path) -> Result<(), Error> {
    no_orphan_log(path)?;
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

/// Opens the file read-write when it may be written, else read-only (a read-only file, folder
/// or disk). The connection holds its log until the open checks pass (see `open`).
fn connect(path: &Path) -> Result<(Connection, Access), Error> {
    let rw = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let ro = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let readonly_file = fs::metadata(path)
        .map(|m| m.permissions().readonly())
        .unwrap_or(false);
    let writable = (!readonly_file)
        .then(|| Connection::open_with_flags(path, rw).ok())
        .flatten();
    let conn = match writable {
        Some(conn) => conn,
        None => Connection::open_with_flags(path, ro)
            .map_err(|e| Error::Unusable(format!("cannot open {}: {e}", shown(path))))?,
    };
    wal::hold_checkpoints(&conn, true).map_err(Error::sqlite)?;
    wal::no_planted_code(&conn).map_err(Error::sqlite)?;
    conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS))
        .map_err(Error::sqlite)?;
    // SQLite opens a file read-only by itself when it cannot be written (a read-only disk).
    let access = match conn.is_readonly(rusqlite::MAIN_DB) {
        Ok(false) => Access::ReadWrite,
        _ => Access::ReadOnly,
    };
    // The first read opens the write-ahead log and its index; in a folder nobody may write in,
    // SQLite cannot create them and refuses the file. Such a file can change only through its
    // own log: without one holding frames, it is read as it is on disk.
    match conn.query_row("PRAGMA schema_version", [], |r| r.get::<_, i64>(0)) {
        Err(e)
            if matches!(
                e.sqlite_error_code(),
                Some(ErrorCode::CannotOpen | ErrorCode::ReadOnly)
            ) =>
        {
            drop(conn);
            if !cannot_write_beside(path) {
                return Err(Error::Denied(format!(
                    "cannot open {} ({e}): check the permissions of the file, of its -wal and -shm, and of its folder",
                    shown(path)
                )));
            }
            if wal::has_frames(&wal::companion(path, "-wal")) {
                return Err(Error::Denied(format!(
                    "{} has records in its write-ahead log {}, which SQLite reads only with an index ({}) that cannot be made in this read-only folder or disk: copy the file and its -wal to a writable folder and open the copy; nothing was changed",
                    shown(path),
                    shown_companion(path, "-wal"),
                    shown_companion(path, "-shm")
                )));
            }
            let alone = wal::open_alone(path)
                .map_err(|e| Error::Unusable(format!("cannot open {}: {e}", shown(path))))?;
            Ok((alone, Access::ReadOnly))
        }
        _ => Ok((conn, access)),
    }
}

/// Refuses a `-wal` or `-shm` that is not a regular file (a folder, a symlink, a FIFO): SQLite
/// would not use it as it should (it does not follow symlinks there, and reads a folder as an
/// index it may not write).
fn check_companions(path: &Path) -> Result<(), Error> {
    for (suffix, what) in [("-wal", "write-ahead log"), ("-shm", "log's index")] {
        let kind = match fs::symlink_metadata(wal::companion(path, suffix)) {
            Ok(m) if m.is_dir() => "a folder",
            Ok(m) if m.file_type().is_symlink() => "a symlink",
            Ok(m) if !m.is_file() => "not a regular file",
            _ => continue,
        };
        return Err(Error::Unusable(format!(
            "{} is {kind}, which SQLite cannot use as the {what} of {}: move it aside; nothing was changed",
            shown_companion(path, suffix),
            shown(path)
        )));
    }
    Ok(())
}

/// Whether nothing can be created beside the file: its folder may not be written, or its disk is
/// read-only.
fn cannot_write_beside(path: &Path) -> bool {
    use nix::sys::statvfs::{FsFlags, statvfs};
    let real = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let folder = real.parent().unwrap_or(Path::new("."));
    statvfs(folder).is_ok_and(|s| s.flags().contains(FsFlags::ST_RDONLY))
        || nix::unistd::access(folder, nix::unistd::AccessFlags::W_OK).is_err()
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
    // Nor is a file SQLite may not read: "damaged" is said only of a file that is.
    let damaged = |e: rusqlite::Error| {
        let said = e.to_string();
        match Error::sqlite(e) {
            Error::Busy(m) => Error::Busy(m),
            Error::Io(m) => Error::Io(format!("cannot open {}: {m}", shown(path))),
            Error::Denied(_) => Error::Denied(format!(
                "cannot read {} ({said}): check the permissions of the file and its folder",
                shown(path)
            )),
            _ => not_ours("SQLite cannot read it: it may be damaged or truncated"),
        }
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
        if version < SCHEMA_VERSION {
            // The number and the tables from one moment: another process may be migrating.
            let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Deferred)
                .map_err(damaged)?;
            let version: i64 = tx
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .map_err(damaged)?;
            let actual = tables_version(&tx).map_err(damaged)?;
            tx.finish().map_err(damaged)?;
            if actual > version {
                let name = shown(path);
                return Err(Error::Unusable(format!(
                    "{name} claims an older schema than it has: its user_version says {version}, its tables are version {actual} (the number was lowered outside jobloop, and upgrading it again would fail half-way); put it back with `sqlite3 {name} 'PRAGMA user_version = {actual}'` or restore a backup; the file was left untouched"
                )));
            }
        }
        return Ok(());
    }
    if app_id != 0 || objects > 0 || version != 0 {
        return Err(not_ours("it belongs to another program"));
    }
    Ok(())
}

mod migrate;
#[cfg(test)]
mod tests;

use migrate::{migrate, tables_version};
