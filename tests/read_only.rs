//! Read-only is not damaged: a database on a read-only disk or in a folder jobloop may not write
//! in is read (`review`, `export`, `verify`, `doctor`, `backup`, the TUI with a note in its
//! header), with or without the `-wal`/`-shm` a killed session left; a write says the file is
//! read-only and why (exit 6); "damaged" (exit 4) is said only of a file that is.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{Db, companion, jobloop, read};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ok(out: Output, what: &str) -> String {
    assert!(
        out.status.success(),
        "{what}: exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A refusal as the user sees it (see `common::file_db::error_line`), with nothing on stdout.
fn error_line(out: &Output, code: i32, what: &str) -> String {
    let err = common::file_db::error_line(out, code, what);
    assert!(out.stdout.is_empty(), "{what}: printed to stdout");
    err
}

/// A tmpfs on a folder of its own, filled by `fill` and then remounted read-only; unmounted
/// when dropped, also when the test fails. `None` (the test is skipped, with a printed reason)
/// where mounting needs rights this machine does not grant.
struct ReadOnlyDisk {
    dir: tempfile::TempDir,
}

impl ReadOnlyDisk {
    fn new(fill: impl FnOnce(&Path)) -> Option<ReadOnlyDisk> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=16m", "tmpfs"])
            .arg(dir.path())
            .output()
            .is_ok_and(|o| o.status.success());
        if !mounted {
            eprintln!("skipped: cannot mount a tmpfs here (needs root and mount rights)");
            return None;
        }
        let disk = ReadOnlyDisk { dir };
        fill(disk.path());
        let ro = Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(disk.path())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ro, "remounting the tmpfs read-only");
        Some(disk)
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for ReadOnlyDisk {
    fn drop(&mut self) {
        let done = Command::new("umount")
            .arg(self.dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !done {
            let _ = Command::new("umount")
                .arg("-l")
                .arg(self.dir.path())
                .status();
        }
    }
}

/// A database with records; when `session` is set, a killed session's leftovers too: the file
/// as it was on disk with a `-wal` (and `-shm`) holding more commits. Returns the files and the
/// export the database must read as.
struct Source {
    _db: Db,
    main: Vec<u8>,
    wal: Option<Vec<u8>>,
    shm: Option<Vec<u8>>,
    export: String,
}

fn source(session: bool) -> Source {
    let db = Db::new();
    db.ok(&["job", "add", "Triage", "--slug", "t"]);
    db.ok(&["metric", "set", "t", "instr", "hours", "--better", "lower"]);
    db.ok(&["baseline", "t", "instr", "9", "--at", "2026-10-01"]);
    if !session {
        return Source {
            main: read(&db.path),
            wal: None,
            shm: None,
            export: db.ok(&["export"]),
            _db: db,
        };
    }
    let holder = rusqlite::Connection::open(&db.path).unwrap();
    let _: i64 = holder
        .query_row("SELECT count(*) FROM jobs", [], |r| r.get(0))
        .unwrap();
    db.ok(&["measure", "t", "instr", "5", "--note", "only in the log"]);
    let left = Source {
        main: read(&db.path),
        wal: Some(read(&companion(&db.path, "-wal"))),
        shm: Some(read(&companion(&db.path, "-shm"))),
        export: db.ok(&["export"]),
        _db: db,
    };
    assert!(left.export.contains("only in the log"));
    drop(holder);
    left
}

/// What a killed session may leave beside the file, and what survives a copy.
#[derive(Clone, Copy, Debug)]
enum Leftover {
    Nothing,
    LogAndIndex,
    EmptyLog,
    IndexAlone,
    EmptyLogAndIndex,
}

const LEFTOVERS: [Leftover; 5] = [
    Leftover::Nothing,
    Leftover::LogAndIndex,
    Leftover::EmptyLog,
    Leftover::IndexAlone,
    Leftover::EmptyLogAndIndex,
];

/// Puts `src` in `dir` with `leftover`; a stale index is another session's.
fn place(dir: &Path, src: &Source, leftover: Leftover, stale: &Source) -> PathBuf {
    let path = dir.join("jobloop.db");
    std::fs::write(&path, &src.main).unwrap();
    let stale_index = || stale.shm.clone().unwrap();
    match leftover {
        Leftover::Nothing => {}
        Leftover::LogAndIndex => {
            std::fs::write(companion(&path, "-wal"), src.wal.as_ref().unwrap()).unwrap();
            std::fs::write(companion(&path, "-shm"), src.shm.as_ref().unwrap()).unwrap();
        }
        Leftover::EmptyLog => std::fs::write(companion(&path, "-wal"), b"").unwrap(),
        Leftover::IndexAlone => std::fs::write(companion(&path, "-shm"), stale_index()).unwrap(),
        Leftover::EmptyLogAndIndex => {
            std::fs::write(companion(&path, "-wal"), b"").unwrap();
            std::fs::write(companion(&path, "-shm"), stale_index()).unwrap();
        }
    }
    path
}

/// A copy of the binary another user may run: the build folder (a clean clone in a private
/// temporary folder, under CI) may be closed to them.
fn binary_for_everyone() -> PathBuf {
    static COPY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("jobloop-ro-bin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let bin = dir.join("jobloop");
        std::fs::copy(common::bin(), &bin).unwrap();
        std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
        bin
    })
    .clone()
}

/// Runs `c`, waiting while its program is busy (ETXTBSY): the copy of the binary may still be
/// open for writing in a child another test forked while it was written, until that child
/// executes its own program. Retried until it runs, with a generous deadline for a loaded
/// machine (the wait is for that condition, never for a fixed time).
fn output_when_executable(c: &mut Command) -> std::process::Output {
    const ETXTBSY: i32 = 26;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        match c.output() {
            Err(e) if e.raw_os_error() == Some(ETXTBSY) && std::time::Instant::now() < deadline => {
                std::thread::yield_now();
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            other => return other.unwrap(),
        }
    }
}

/// Every read works and reads the records; every write is refused with exit 6 and `why`.
fn reads_and_refuses(path: &Path, expected: &str, why: &str, as_user: Option<u32>) {
    let run = |args: &[&str]| {
        let mut c = jobloop(path);
        if let Some(uid) = as_user {
            c = Command::new(binary_for_everyone());
            c.arg("--db").arg(path);
            c.env_remove("JOBLOOP_DB")
                .env("JOBLOOP_USER", "tester")
                .env("NO_COLOR", "1");
            c.uid(uid).gid(uid).env("HOME", "/");
        }
        c.args(args);
        output_when_executable(&mut c)
    };
    let before: Vec<(String, Vec<u8>)> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    assert_eq!(ok(run(&["export"]), "export"), expected);
    let review = ok(run(&["review", "--json"]), "review");
    assert!(review.contains("\"slug\":\"t\""), "{review}");
    assert!(ok(run(&["verify"]), "verify").contains("verified"));
    let doctor = ok(run(&["doctor"]), "doctor");
    assert!(!doctor.contains("FAIL"), "{doctor}");
    ok(run(&["log"]), "log");
    ok(run(&["loop", "show", "t", "instr"]), "loop show");
    let copy_dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(copy_dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let copy = copy_dir.path().join("copy.db");
    ok(run(&["backup", copy.to_str().unwrap()]), "backup");
    let copied = ok(
        jobloop(&copy).arg("export").output().unwrap(),
        "the backup's export",
    );
    assert_eq!(copied, expected, "the backup holds every record");
    for args in [
        &["measure", "t", "instr", "4"][..],
        &["loop", "note", "t", "instr", "hello"],
        &["job", "add", "Another"],
        &["doctor", "--repair"],
    ] {
        let err = error_line(&run(args), 6, &format!("{args:?}"));
        assert!(err.contains(why), "{args:?}: {err}");
        assert!(!err.contains("damaged"), "{args:?}: {err}");
    }
    let after: Vec<(String, Vec<u8>)> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    assert!(before == after, "the folder changed");
}

#[test]
fn a_database_on_a_read_only_disk_is_read_and_a_write_says_the_disk_is_read_only() {
    let clean = source(false);
    let killed = source(true);
    for leftover in LEFTOVERS {
        let src = if matches!(leftover, Leftover::LogAndIndex) {
            &killed
        } else {
            &clean
        };
        let mut path = PathBuf::new();
        let Some(disk) = ReadOnlyDisk::new(|dir| path = place(dir, src, leftover, &killed)) else {
            return;
        };
        eprintln!("{leftover:?}");
        reads_and_refuses(&path, &src.export, "is on a read-only disk", None);
        drop(disk);
    }
}

#[test]
fn a_log_with_records_but_no_index_on_a_read_only_disk_says_what_to_do() {
    let killed = source(true);
    let mut path = PathBuf::new();
    let Some(_disk) = ReadOnlyDisk::new(|dir| {
        path = place(dir, &killed, Leftover::Nothing, &killed);
        std::fs::write(companion(&path, "-wal"), killed.wal.as_ref().unwrap()).unwrap();
    }) else {
        return;
    };
    // SQLite cannot read the log without an index it cannot make here; reading the file alone
    // would hide the log's records. It says so, and what to do (exit 6, not "damaged").
    for args in [
        &["review"][..],
        &["export"],
        &["measure", "t", "instr", "4"],
    ] {
        let out = jobloop(&path).args(args).output().unwrap();
        let err = error_line(&out, 6, &format!("{args:?}"));
        assert!(err.contains("write-ahead log"), "{err}");
        assert!(err.contains("copy the file and its -wal"), "{err}");
    }
}

/// Makes `dir` and the files in it readable and not writable by whoever runs jobloop (as root,
/// the tests run the binary as `nobody`); with `file_writable`, the database file alone may be
/// written. Returns the user to run as.
fn lock_folder(dir: &Path, file_writable: bool) -> Option<u32> {
    let root = nix::unistd::Uid::effective().is_root();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        let writable = file_writable && p.extension().is_some_and(|e| e == "db");
        let mode = match (writable, root) {
            (true, _) => 0o666,
            (false, true) => 0o644,
            (false, false) => 0o444,
        };
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    root.then_some(65_534)
}

/// A folder jobloop may not write in, the file readable: with whatever a killed session left.
#[test]
fn a_database_in_a_read_only_folder_is_read_and_a_write_says_the_file_is_read_only() {
    let clean = source(false);
    let killed = source(true);
    for leftover in LEFTOVERS {
        let src = if matches!(leftover, Leftover::LogAndIndex) {
            &killed
        } else {
            &clean
        };
        let dir = tempfile::tempdir().unwrap();
        let path = place(dir.path(), src, leftover, &killed);
        let user = lock_folder(dir.path(), false);
        eprintln!("{leftover:?}");
        reads_and_refuses(&path, &src.export, "is read-only", user);
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    // The file may be written but not its folder, where SQLite keeps its log: the folder is
    // named as the reason.
    let dir = tempfile::tempdir().unwrap();
    let path = place(dir.path(), &clean, Leftover::Nothing, &killed);
    let user = lock_folder(dir.path(), true);
    reads_and_refuses(
        &path,
        &clean.export,
        "is in a folder jobloop may not write in",
        user,
    );
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn a_read_only_file_in_a_writable_folder_with_a_killed_sessions_log_is_read_whole() {
    let killed = source(true);
    let dir = tempfile::tempdir().unwrap();
    let path = place(dir.path(), &killed, Leftover::LogAndIndex, &killed);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
    let out = jobloop(&path).arg("export").output().unwrap();
    assert_eq!(ok(out, "export"), killed.export);
    let out = jobloop(&path)
        .args(["measure", "t", "instr", "4"])
        .output()
        .unwrap();
    let err = error_line(&out, 6, "measure");
    assert!(
        err.contains("is read-only") && err.contains("chmod u+w"),
        "{err}"
    );
    assert_eq!(read(&path), killed.main);
}

/// "Damaged" is said of a file that is, on a read-only disk as in a writable folder.
#[test]
fn a_file_that_really_is_damaged_still_exits_4_on_a_read_only_disk() {
    let src = source(false);
    let truncated = src.main[..src.main.len() / 2].to_vec();
    let mut scribbled = src.main.clone();
    // Overwrite every page after the schema's with noise: the header still says SQLite.
    for (i, b) in scribbled.iter_mut().enumerate().skip(8192) {
        *b = (i * 7 + 13) as u8;
    }
    let garbage: Vec<u8> = (0..65_536u32).map(|i| (i * 31 % 251) as u8).collect();
    let cases: [(&str, &Vec<u8>); 3] = [
        ("truncated", &truncated),
        ("scribbled", &scribbled),
        ("not SQLite", &garbage),
    ];
    for (what, bytes) in cases {
        let writable = tempfile::tempdir().unwrap();
        let path = writable.path().join("jobloop.db");
        std::fs::write(&path, bytes).unwrap();
        let out = jobloop(&path).arg("export").output().unwrap();
        let in_writable = error_line(&out, 4, what);
        let mut ro_path = PathBuf::new();
        let Some(_disk) = ReadOnlyDisk::new(|dir| {
            ro_path = dir.join("jobloop.db");
            std::fs::write(&ro_path, bytes).unwrap();
        }) else {
            return;
        };
        let out = jobloop(&ro_path).arg("export").output().unwrap();
        let on_ro = error_line(&out, 4, what);
        assert_eq!(
            on_ro.replace(ro_path.to_str().unwrap(), "F"),
            in_writable.replace(path.to_str().unwrap(), "F"),
            "{what}: the same words on a read-only disk"
        );
    }
}

/// The TUI opens a database on a read-only disk read-only: its header says READ-ONLY, its first
/// message says why, and a write key records nothing.
#[test]
fn the_tui_on_a_read_only_disk_says_so_in_its_header() {
    use jobloop::store::{Access, Missing, Store};
    use jobloop::tui::app::App;
    use jobloop::tui::config::Theme;
    use jobloop::tui::keymap::Keymap;
    use jobloop::tui::worker::Worker;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

    let src = source(true);
    let mut path = PathBuf::new();
    let Some(_disk) = ReadOnlyDisk::new(|dir| path = place(dir, &src, Leftover::LogAndIndex, &src))
    else {
        return;
    };
    let store = Store::open(&path, Missing::Create).unwrap();
    assert_eq!(store.access(), Access::ReadOnly);
    let note = store.read_only_note().unwrap();
    let mut app = App::new(
        Worker::inline(store),
        Some("tester".into()),
        Keymap::default(),
        Theme::new(false),
        true,
    );
    app.say(note, true);
    app.size = ratatui::layout::Rect::new(0, 0, 100, 24);
    app.start(true);
    let screen = |app: &mut App| {
        let mut t = Terminal::new(TestBackend::new(100, 24)).unwrap();
        t.draw(|f| jobloop::tui::ui::render(f, app, 0)).unwrap();
        let buf = t.backend().buffer().clone();
        (0..buf.area.height)
            .map(|y| {
                (0..buf.area.width)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
    };
    let lines = screen(&mut app);
    assert!(lines[0].contains("READ-ONLY"), "header: {:?}", lines[0]);
    let all = lines.join("\n");
    assert!(
        lines.iter().any(|l| l.starts_with("t ") && l.contains("●")),
        "the board is read: {all}"
    );
    let message = app
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(message.contains("read-only disk"), "{message}");
    app.handle(Event::Key(KeyEvent::new_with_kind(
        KeyCode::Char('a'),
        KeyModifiers::NONE,
        KeyEventKind::Press,
    )));
    assert!(app.form.is_none());
    assert!(screen(&mut app)[0].contains("READ-ONLY"));
    assert_eq!(read(&path), src.main, "nothing was written");
}

/// A log that does not belong, on a read-only disk: commands refuse it (exit 4), `doctor` names
/// it (exit 8), and `doctor --repair` says it cannot move it there (exit 6) — nothing changes.
#[test]
fn a_log_that_does_not_belong_on_a_read_only_disk_is_named_and_left_alone() {
    let killed = source(true);
    let other = Db::new();
    other.ok(&["job", "add", "Only in B", "--slug", "b"]);
    let backup = other.dir.path().join("b.bak");
    other.ok(&["backup", backup.to_str().unwrap()]);
    let mut path = PathBuf::new();
    let Some(_disk) = ReadOnlyDisk::new(|dir| {
        path = dir.join("jobloop.db");
        std::fs::copy(&backup, &path).unwrap();
        std::fs::write(companion(&path, "-wal"), killed.wal.as_ref().unwrap()).unwrap();
        std::fs::write(companion(&path, "-shm"), killed.shm.as_ref().unwrap()).unwrap();
    }) else {
        return;
    };
    let out = jobloop(&path).arg("review").output().unwrap();
    let err = error_line(&out, 4, "review");
    assert!(err.contains("does not belong"), "{err}");
    let out = jobloop(&path).arg("doctor").output().unwrap();
    assert_eq!(out.status.code(), Some(8));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("FAIL wal"));
    let out = jobloop(&path)
        .args(["doctor", "--repair"])
        .output()
        .unwrap();
    let err = error_line(&out, 6, "doctor --repair");
    assert!(
        err.contains("cannot move") && err.contains("read-only"),
        "{err}"
    );
    assert_eq!(read(&path), read(&backup));
}
