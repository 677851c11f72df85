//! Commands that make or fill a database file: `export`, `import`, `demo`.

use super::*;

pub(super) fn export_cmd(
    store: &mut Store,
    file: Option<&Path>,
    force: bool,
) -> Result<(), Failure> {
    let total = store.record_count()?;
    let bar = crate::progress::Progress::new("exporting");
    let mut tick = |n: u64| bar.set(n, total);
    // `-` is standard output, as `import -` reads standard input (`./-` names a file).
    let Some(file) = file.filter(|f| *f != Path::new("-")) else {
        let mut out = io::BufWriter::with_capacity(1 << 16, Watched::new(io::stdout().lock()));
        return match store.export(&mut out, &mut tick) {
            Ok(_) => out.flush().map_err(out_err),
            // Said as every command says a failed output (a closed pipe, a full disk).
            Err(store::Error::Io(m)) => match out.get_ref().failed.take() {
                Some(e) => Err(out_err(e)),
                None => Err(fail(exit::IO, m)),
            },
            Err(e) => Err(e.into()),
        };
    };
    let mut counts = None;
    let mut failure = None;
    write_file(file, force, &store.protected(), |w| {
        match store.export(w, &mut tick) {
            Ok(c) => {
                counts = Some(c);
                Ok(())
            }
            Err(e) => {
                let msg = e.to_string();
                failure = Some(e);
                Err(io::Error::other(msg))
            }
        }
    })
    .map_err(|e| match failure.take() {
        Some(store::Error::Io(_)) | None => Failure::from(e),
        Some(other) => Failure::from(other),
    })?;
    drop(bar);
    let c = counts.unwrap_or_default();
    let _ = writeln!(
        io::stderr(),
        "exported {} jobs and {} records to {}",
        c.jobs,
        c.records,
        clean(&file.display().to_string())
    );
    Ok(())
}

/// Runs `f` on a new database made beside `path`, and puts it in place only if `f` succeeded:
/// a refused import or demo into a new file leaves nothing behind.
pub(super) fn into_new_database(
    path: &Path,
    f: impl FnMut(&mut Store) -> Result<Ack, Failure>,
) -> Result<Ack, Failure> {
    // A write-ahead log left without its database would be replayed into the new one.
    store::no_orphan_log(path)?;
    // A killed import or demo left its temporary database (and its -wal, -shm) here: remove it.
    crate::files::remove_leftovers(path);
    let tmp = crate::files::temp_path(path);
    let result = build_and_move(path, &tmp, f);
    remove_temp(&tmp);
    // What the store said names the temporary file: name the database instead.
    let named = |text: String| {
        text.replace(
            clean(&tmp.display().to_string()).as_ref(),
            clean(&path.display().to_string()).as_ref(),
        )
    };
    match result {
        Ok(mut done) => {
            done.summary = named(done.summary);
            Ok(done)
        }
        Err(mut failure) => {
            failure.message = named(failure.message);
            Err(failure)
        }
    }
}

/// Builds the new database in `tmp` with `f`, syncs it and moves it to `path` (never over a
/// database that appeared meanwhile).
fn build_and_move(
    path: &Path,
    tmp: &Path,
    mut f: impl FnMut(&mut Store) -> Result<Ack, Failure>,
) -> Result<Ack, Failure> {
    // A private empty file, initialised where it is: no other process knows its name.
    std::os::unix::fs::OpenOptionsExt::mode(
        std::fs::OpenOptions::new().write(true).create_new(true),
        0o600,
    )
    .open(tmp)
    .map_err(|e| {
        fail(
            exit::IO,
            format!(
                "cannot create a temporary file beside {}: {}",
                clean(&path.display().to_string()),
                io_words(&e)
            ),
        )
    })?;
    let mut store = Store::init(tmp)?;
    store.begin_unseen_build()?;
    let done = f(&mut store)?;
    store.end_unseen_build()?;
    drop(store);
    std::fs::File::open(tmp)
        .and_then(|f| f.sync_all())
        .map_err(|e| {
            fail(
                exit::IO,
                format!("cannot sync the new database: {}", io_words(&e)),
            )
        })?;
    match crate::files::move_new(tmp, path) {
        Ok(()) => Ok(done),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(fail(
            exit::REFUSED,
            format!(
                "a database appeared at {} meanwhile; nothing was written",
                clean(&path.display().to_string())
            ),
        )),
        Err(e) => Err(fail(
            exit::IO,
            format!("cannot put the new database in place: {}", io_words(&e)),
        )),
    }
}

/// The temporary database and its companion files, removed whatever happened.
fn remove_temp(tmp: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = tmp.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

pub(super) fn import_cmd(path: &Path, file: &Path) -> Result<(), Failure> {
    let shown = clean(&file.display().to_string()).into_owned();
    let (mut input, size): (Box<dyn io::Read>, Option<u64>) = if file == Path::new("-") {
        (Box::new(io::stdin().lock()), None)
    } else {
        let meta = std::fs::metadata(file).map_err(|e| {
            fail(
                if e.kind() == io::ErrorKind::NotFound {
                    exit::NO_DATABASE
                } else {
                    exit::IO
                },
                format!("cannot read {shown}: {}; nothing was written", io_words(&e)),
            )
        })?;
        if meta.is_dir() {
            return Err(fail(
                exit::USAGE,
                format!("{shown} is a folder, not an export file"),
            ));
        }
        let f = std::fs::File::open(file).map_err(|e| {
            fail(
                exit::IO,
                format!("cannot read {shown}: {}; nothing was written", io_words(&e)),
            )
        })?;
        let size = meta.is_file().then_some(meta.len());
        (Box::new(f), size)
    };
    let run = |store: &mut Store| -> Result<Ack, Failure> {
        let bar = crate::progress::Progress::new("importing");
        let total = size.unwrap_or(0) / 200;
        let result = store.import(&mut input, size, &mut |n| bar.set(n, total.max(n)))?;
        drop(bar);
        result.map_err(|e| {
            fail(
                exit::REFUSED,
                format!("cannot import {shown}: {e}; nothing was written"),
            )
        })
    };
    say(&new_or_existing(path, run)?)
}

/// Runs `f` on a new database built beside `path` and linked into place (a missing file), or
/// on the existing database (a file, the shared store).
pub(super) fn new_or_existing(
    path: &Path,
    mut f: impl FnMut(&mut Store) -> Result<Ack, Failure>,
) -> Result<Ack, Failure> {
    if !store::pg::is_url(path) && std::fs::symlink_metadata(path).is_err() {
        into_new_database(path, f)
    } else {
        let mut store = Store::open(path, Missing::Refuse)?;
        f(&mut store)
    }
}

pub(super) fn demo_cmd(path: &Path, jobs: usize, weeks: u32, seed: u64) -> Result<(), Failure> {
    let run = |store: &mut Store| -> Result<Ack, Failure> {
        let bar = crate::progress::Progress::new("generating");
        let done = crate::demo::load(store, jobs, weeks, seed, Stamp::now(), &mut |d, t| {
            bar.set(d, t)
        })?;
        drop(bar);
        Ok(done)
    };
    say(&new_or_existing(path, run)?)
}
