//! `jobloop publish DIR`: writes the playbook and the journeys into `DIR/playbook/` and
//! `DIR/journeys/`. It owns those two folders only as far as its own files go (their first line
//! is [`MARK`]): it rewrites one of them only when its text changed, removes one whose record is
//! gone or no longer public, and never touches a file it did not write — a page that would
//! replace one stops the run before anything is written.

use std::collections::BTreeSet;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::exit;
use crate::display::clean;
use crate::files::{Protected, io_words, write_file};
use crate::publish::{Folder, MARK, Page};

/// What a run did, file by file (paths relative to the target).
#[derive(Debug, Default)]
pub(super) struct Published {
    pub(super) written: Vec<String>,
    pub(super) removed: Vec<String>,
    pub(super) unchanged: usize,
}

fn show(p: &Path) -> String {
    clean(&p.display().to_string()).into_owned()
}

/// Why a run stopped: the exit code it means, and the one line that says so.
pub(super) type Stop = (i32, String);

fn failed(p: &Path, e: &io::Error) -> Stop {
    let code = if e.kind() == io::ErrorKind::PermissionDenied {
        exit::DENIED
    } else {
        exit::IO
    };
    let message = format!(
        "cannot publish to {}: {}; nothing more was written",
        show(p),
        io_words(e)
    );
    (code, message)
}

/// A target that is not what `publish` may write into: said, with nothing written.
fn refused(message: String) -> Stop {
    (exit::USAGE, message)
}

/// A folder `publish` may write into: an existing folder (not a link to one), or a new one.
fn folder(path: &Path) -> Result<(), Stop> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(refused(format!(
            "{} is a link: publish writes only into a real folder; remove the link or choose another place",
            show(path)
        ))),
        Ok(m) if !m.is_dir() => Err(refused(format!(
            "{} is not a folder: move it away or choose another place",
            show(path)
        ))),
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir(path).map_err(|e| failed(path, &e))
        }
        Err(e) => Err(failed(path, &e)),
    }
}

/// Whether `path` is a page `publish` wrote (its first line is the mark).
fn ours(path: &Path) -> bool {
    fs::read(path).is_ok_and(|bytes| {
        bytes
            .split(|b| *b == b'\n')
            .next()
            .is_some_and(|first| first == MARK.as_bytes())
    })
}

/// The pages `publish` wrote earlier in `dir` (file names, sorted).
fn earlier(dir: &Path) -> Result<BTreeSet<String>, Stop> {
    let mut out = BTreeSet::new();
    for entry in fs::read_dir(dir).map_err(|e| failed(dir, &e))? {
        let entry = entry.map_err(|e| failed(dir, &e))?;
        let path = entry.path();
        let regular = fs::symlink_metadata(&path).is_ok_and(|m| m.is_file());
        if let Some(name) = entry.file_name().to_str()
            && name.ends_with(".md")
            && regular
            && ours(&path)
        {
            out.insert(name.to_string());
        }
    }
    Ok(out)
}

/// Writes `pages` under `target`, rewriting only what changed and removing its own pages that
/// are no longer wanted.
pub(super) fn publish(
    target: &Path,
    pages: &[Page],
    protected: &Protected,
) -> Result<Published, Stop> {
    folder(target)?;
    let mut mine: Vec<(Folder, PathBuf, BTreeSet<String>)> = Vec::new();
    for f in Folder::ALL {
        let dir = target.join(f.name());
        folder(&dir)?;
        let had = earlier(&dir)?;
        mine.push((f, dir, had));
    }
    // Every page is checked before the first is written: a file of someone else's in the way
    // stops the run with nothing changed.
    for p in pages {
        let Some((_, dir, had)) = mine.iter().find(|(f, ..)| *f == p.folder) else {
            continue;
        };
        let path = dir.join(&p.name);
        let exists = fs::symlink_metadata(&path).is_ok();
        if exists && !had.contains(&p.name) {
            return Err(refused(format!(
                "{} was not written by jobloop publish: move it away (publish rewrites only its own pages); nothing was written",
                show(&path)
            )));
        }
    }
    let mut done = Published::default();
    for p in pages {
        let Some((_, dir, _)) = mine.iter().find(|(f, ..)| *f == p.folder) else {
            continue;
        };
        let path = dir.join(&p.name);
        let relative = format!("{}/{}", p.folder.name(), p.name);
        if fs::read(&path).is_ok_and(|old| old == p.text.as_bytes()) {
            done.unchanged += 1;
            continue;
        }
        write_file(&path, true, protected, |w: &mut dyn Write| {
            w.write_all(p.text.as_bytes())
        })
        .map_err(|e| (exit::IO, e.to_string()))?;
        // Pages are for others to read: the private mode of a new file is widened to a
        // document's usual one.
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644))
            .map_err(|e| failed(&path, &e))?;
        done.written.push(relative);
    }
    for (f, dir, had) in &mine {
        for name in had {
            if pages.iter().any(|p| p.folder == *f && &p.name == name) {
                continue;
            }
            let path = dir.join(name);
            fs::remove_file(&path).map_err(|e| failed(&path, &e))?;
            done.removed.push(format!("{}/{name}", f.name()));
        }
    }
    Ok(done)
}
