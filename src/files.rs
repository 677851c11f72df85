//! Writing files that hold the team's records (exports, backups, the pre-migration copy, the
//! digest) without ever destroying one the user did not name: a target that is the database or
//! one of its companion files — by identity, so symlinks and hard links too — is refused; an
//! existing file is replaced only when asked (`--force`); the content goes to a temporary file in
//! the target's folder, is synced, then put in place in one step; the file is private (0600)
//! whatever the umask; and a killed run's leftovers are removed by the next one.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Files a write must never touch: a database and its companions.
#[derive(Clone, Debug, Default)]
pub struct Protected {
    /// (folder, file name) of each protected file, existing or not.
    names: Vec<(PathBuf, String)>,
    /// (device, inode) of each protected file that exists.
    ids: Vec<(u64, u64)>,
}

/// SQLite's companion files of a database.
const COMPANIONS: [&str; 4] = ["", "-wal", "-shm", "-journal"];

fn folder_of(path: &Path) -> PathBuf {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    let parent = parent.unwrap_or(Path::new("."));
    fs::canonicalize(parent).unwrap_or_else(|_| parent.to_path_buf())
}

impl Protected {
    pub fn nothing() -> Protected {
        Protected::default()
    }

    /// The database at `db` and its companions, as named and, when a symlink, as resolved.
    pub fn database(db: &Path) -> Protected {
        let mut p = Protected::default();
        let mut bases = vec![db.to_path_buf()];
        if let Ok(real) = fs::canonicalize(db) {
            bases.push(real);
        }
        for base in bases {
            let name = base
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            for suffix in COMPANIONS {
                let path = base.with_file_name(format!("{name}{suffix}"));
                p.names.push((folder_of(&path), format!("{name}{suffix}")));
                if let Ok(m) = fs::metadata(&path) {
                    p.ids.push((m.dev(), m.ino()));
                }
            }
        }
        p
    }

    fn covers(&self, target: &Path) -> bool {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let folder = folder_of(target);
        if self.names.iter().any(|(f, n)| *f == folder && *n == name) {
            return true;
        }
        fs::metadata(target).is_ok_and(|m| self.ids.contains(&(m.dev(), m.ino())))
    }
}

/// Why a file was not written.
#[derive(Debug)]
pub enum FileError {
    /// The target is the database or one of its companion files.
    IsDatabase(PathBuf),
    /// The target exists and replacing it was not asked for.
    Exists(PathBuf),
    /// The target is not a regular file (a folder, a FIFO, a device).
    NotAFile(PathBuf, &'static str),
    /// Writing failed; nothing was put in place.
    Io(PathBuf, io::Error),
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |p: &Path| crate::display::clean(&p.display().to_string()).into_owned();
        match self {
            FileError::IsDatabase(p) => write!(
                f,
                "{} is the database itself or one of its files: choose another file name",
                show(p)
            ),
            FileError::Exists(p) => write!(
                f,
                "{} already exists: choose another name, or replace it with --force",
                show(p)
            ),
            FileError::NotAFile(p, what) => {
                write!(f, "{} is {what}, not a file: give a file name", show(p))
            }
            FileError::Io(p, e) => write!(
                f,
                "cannot write {}: {}; nothing was written there",
                show(p),
                io_words(e)
            ),
        }
    }
}

impl std::error::Error for FileError {}

/// An I/O error in plain words.
pub fn io_words(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(28) => "the disk is full".into(),
        Some(13) | Some(1) => "permission denied".into(),
        Some(30) => "the file system is read-only".into(),
        Some(2) => "the folder does not exist".into(),
        None if e.kind() == io::ErrorKind::NotFound => "the folder does not exist".into(),
        Some(20) => "a part of the path is not a folder".into(),
        Some(36) => "the name is too long".into(),
        Some(32) => {
            "the program reading it stopped before the end (a closed pipe, as with `| head`)".into()
        }
        _ => e.to_string(),
    }
}

/// Checks a target before anything is written.
pub fn check_target(target: &Path, force: bool, protected: &Protected) -> Result<(), FileError> {
    if target.file_name().is_none() {
        return Err(FileError::NotAFile(target.to_path_buf(), "a folder"));
    }
    if protected.covers(target) {
        return Err(FileError::IsDatabase(target.to_path_buf()));
    }
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(parent) = parent
        && !fs::metadata(parent).is_ok_and(|m| m.is_dir())
    {
        return Err(FileError::Io(
            target.to_path_buf(),
            io::Error::from(io::ErrorKind::NotFound),
        ));
    }
    let Ok(link) = fs::symlink_metadata(target) else {
        return Ok(());
    };
    let meta = fs::metadata(target).unwrap_or(link);
    let ft = meta.file_type();
    let kind = if ft.is_dir() {
        Some("a folder")
    } else if ft.is_fifo() {
        Some("a FIFO")
    } else if ft.is_socket() {
        Some("a socket")
    } else if ft.is_char_device() || ft.is_block_device() {
        Some("a device")
    } else {
        None
    };
    if let Some(kind) = kind {
        return Err(FileError::NotAFile(target.to_path_buf(), kind));
    }
    if !force {
        return Err(FileError::Exists(target.to_path_buf()));
    }
    Ok(())
}

const TMP_MARK: &str = ".jobloop-tmp-";

/// A private temporary name beside `target`, marked with this process's id so a later run can
/// tell a killed run's leftovers ([`remove_leftovers`]).
pub fn temp_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    target.with_file_name(format!(".{name}{TMP_MARK}{}-{nanos}", std::process::id()))
}

/// Removes temporary files a killed run left beside `target` (their process is gone).
pub fn remove_leftovers(target: &Path) {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}{TMP_MARK}");
    let Ok(entries) = fs::read_dir(folder_of(target)) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            continue;
        };
        let pid: Option<i32> = rest.split('-').next().and_then(|p| p.parse().ok());
        if pid.is_some_and(|pid| !alive(pid)) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether a running jobloop is putting `target` in place through a hard link it is about to
/// remove (see [`move_new`]): a temporary name beside it, of a live process, is the same file.
pub fn being_placed(target: &Path) -> bool {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}{TMP_MARK}");
    let Ok(id) = fs::metadata(target).map(|m| (m.dev(), m.ino())) else {
        return false;
    };
    let Ok(entries) = fs::read_dir(folder_of(target)) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let file = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&prefix) else {
            return false;
        };
        let same = fs::symlink_metadata(entry.path()).is_ok_and(|m| (m.dev(), m.ino()) == id);
        let pid: Option<i32> = rest.split('-').next().and_then(|p| p.parse().ok());
        same && pid.is_some_and(alive)
    })
}

/// The other names `target` has in its own folder (hard links), sorted.
pub fn other_names(target: &Path) -> Vec<PathBuf> {
    let Ok(meta) = fs::metadata(target) else {
        return Vec::new();
    };
    let own = target.file_name().map(|n| n.to_owned());
    let Ok(entries) = fs::read_dir(folder_of(target)) else {
        return Vec::new();
    };
    let mut names: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| Some(e.file_name()) != own)
        .filter(|e| {
            fs::symlink_metadata(e.path())
                .is_ok_and(|m| m.is_file() && (m.dev(), m.ino()) == (meta.dev(), meta.ino()))
        })
        .map(|e| target.with_file_name(e.file_name()))
        .collect();
    names.sort();
    names
}

fn alive(pid: i32) -> bool {
    if pid == std::process::id() as i32 {
        return true;
    }
    // Signal 0 checks that the process exists; EPERM means it exists but is not ours.
    match nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None) {
        Ok(()) => true,
        Err(e) => e == nix::errno::Errno::EPERM,
    }
}

fn sync_folder(target: &Path) {
    if let Ok(dir) = File::open(folder_of(target)) {
        let _ = dir.sync_all();
    }
}

/// Moves a complete temporary file to `target`, failing with `AlreadyExists` if the target
/// appeared meanwhile, then syncs the folder. One atomic rename that refuses to replace
/// (`RENAME_NOREPLACE`), so no moment leaves the file under two names. A file system without it
/// (NFS, some FUSE file systems) gets a hard link and an unlink: a database with two names is
/// refused, so opening one waits while a running jobloop is between the two steps, and removes
/// the temporary name a killed one left ([`remove_leftovers`]) before it counts the names.
pub fn move_new(tmp: &Path, target: &Path) -> io::Result<()> {
    use nix::fcntl::{AT_FDCWD, RenameFlags, renameat2};
    match renameat2(
        AT_FDCWD,
        tmp,
        AT_FDCWD,
        target,
        RenameFlags::RENAME_NOREPLACE,
    ) {
        Ok(()) => {}
        Err(nix::errno::Errno::EINVAL | nix::errno::Errno::ENOSYS) => {
            fs::hard_link(tmp, target)?;
            let _ = fs::remove_file(tmp);
        }
        Err(e) => return Err(io::Error::from(e)),
    }
    sync_folder(target);
    Ok(())
}

/// Puts a complete temporary file in place: replacing the target only when `force`, never
/// through a race (without `force`, it fails if the target appeared meanwhile).
fn put_in_place(tmp: &Path, target: &Path, force: bool) -> Result<(), FileError> {
    let io = |e| FileError::Io(target.to_path_buf(), e);
    if force {
        fs::rename(tmp, target).map_err(io)?;
        sync_folder(target);
        return Ok(());
    }
    move_new(tmp, target).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            FileError::Exists(target.to_path_buf())
        } else {
            io(e)
        }
    })
}

/// Writes a new private file at `target` with `fill`, all or nothing.
pub fn write_file(
    target: &Path,
    force: bool,
    protected: &Protected,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), FileError> {
    check_target(target, force, protected)?;
    remove_leftovers(target);
    let tmp = temp_path(target);
    let io = |e| FileError::Io(target.to_path_buf(), e);
    let result = (|| {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io)?;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io)?;
        let mut out = BufWriter::with_capacity(1 << 16, file);
        fill(&mut out).map_err(io)?;
        let file = out.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        put_in_place(&tmp, target, force)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Like `write_file` for a producer that writes the file itself (SQLite's `VACUUM INTO`): it gets
/// a path that does not exist yet, and `check` may inspect the finished file before it is put in
/// place.
pub fn produce_file(
    target: &Path,
    force: bool,
    protected: &Protected,
    produce: impl FnOnce(&Path) -> Result<(), String>,
    check: impl FnOnce(&Path) -> Result<(), String>,
) -> Result<(), FileError> {
    check_target(target, force, protected)?;
    remove_leftovers(target);
    let tmp = temp_path(target);
    let fail = |what: String| FileError::Io(target.to_path_buf(), io::Error::other(what));
    let result = (|| {
        produce(&tmp).map_err(fail)?;
        fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600))
            .map_err(|e| FileError::Io(target.to_path_buf(), e))?;
        File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| FileError::Io(target.to_path_buf(), e))?;
        check(&tmp).map_err(fail)?;
        put_in_place(&tmp, target, force)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A file name beside `base` that does not exist yet: `base`, else `base` with `-2`, `-3`…
/// before its extension.
pub fn free_name(base: &Path) -> PathBuf {
    if fs::symlink_metadata(base).is_err() {
        return base.to_path_buf();
    }
    let name = base
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (2..)
        .map(|i| base.with_file_name(format!("{name}-{i}")))
        .find(|p| fs::symlink_metadata(p).is_err())
        .unwrap_or_else(|| base.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn write(target: &Path, force: bool, protected: &Protected) -> Result<(), FileError> {
        write_file(target, force, protected, |w| w.write_all(b"new"))
    }

    #[test]
    fn the_database_and_its_companions_are_refused_by_name_and_identity() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("e.db");
        fs::write(&db, b"db").unwrap();
        let p = Protected::database(&db);
        for t in ["e.db", "e.db-wal", "e.db-shm", "e.db-journal"] {
            let err = write(&dir.path().join(t), true, &p).unwrap_err();
            assert!(matches!(err, FileError::IsDatabase(_)), "{t}: {err}");
        }
        symlink(&db, dir.path().join("link.json")).unwrap();
        fs::hard_link(&db, dir.path().join("hard.json")).unwrap();
        for t in ["link.json", "hard.json"] {
            let err = write(&dir.path().join(t), true, &p).unwrap_err();
            assert!(matches!(err, FileError::IsDatabase(_)), "{t}: {err}");
        }
        // Through another spelling of the folder.
        let sub = dir.path().join("sub");
        fs::create_dir(&sub).unwrap();
        let err = write(&sub.join("../e.db"), true, &p).unwrap_err();
        assert!(matches!(err, FileError::IsDatabase(_)));
        assert_eq!(fs::read(&db).unwrap(), b"db");
    }

    #[test]
    fn existing_files_are_kept_unless_forced_and_new_files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("out.json");
        fs::write(&t, b"old").unwrap();
        assert!(matches!(
            write(&t, false, &Protected::nothing()),
            Err(FileError::Exists(_))
        ));
        assert_eq!(fs::read(&t).unwrap(), b"old");
        write(&t, true, &Protected::nothing()).unwrap();
        assert_eq!(fs::read(&t).unwrap(), b"new");
        let fresh = dir.path().join("fresh.json");
        let old_umask = nix::sys::stat::umask(nix::sys::stat::Mode::empty());
        write(&fresh, false, &Protected::nothing()).unwrap();
        nix::sys::stat::umask(old_umask);
        assert_eq!(fs::metadata(&fresh).unwrap().mode() & 0o777, 0o600);
        let err = write(dir.path(), true, &Protected::nothing()).unwrap_err();
        assert!(matches!(err, FileError::NotAFile(..)), "{err}");
    }

    #[test]
    fn a_failed_write_leaves_nothing_and_leftovers_are_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("out.json");
        let err = write_file(&t, false, &Protected::nothing(), |_| {
            Err(io::Error::from_raw_os_error(28))
        })
        .unwrap_err();
        assert!(err.to_string().contains("the disk is full"), "{err}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        // A leftover of a process that no longer exists.
        let stale = dir.path().join(format!(".out.json{TMP_MARK}999999999-1"));
        fs::write(&stale, b"half").unwrap();
        write(&t, false, &Protected::nothing()).unwrap();
        assert!(!stale.exists());
    }
}
