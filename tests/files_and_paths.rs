//! No command overwrites the database or a file nobody named; output errors are errors; a path
//! that cannot be a database is refused and left alone.
//! Each fault is caused here, on this machine, against the real binary (or the library where
//! thousands of cases are needed); each test checks the one-line message, the exit code, and
//! that nothing recorded was lost or changed.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::file_db::{FileDb as Db, *};
use jobloop::domain::{Stamp, Week};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// 2. No command overwrites the database or a file nobody named.
// ---------------------------------------------------------------------------------------------

#[test]
fn export_and_backup_refuse_the_database_and_its_companions_by_any_name() {
    let db = Db::measured();
    // An open connection keeps the -wal and -shm companions on disk, as a running TUI does.
    let holder = rusqlite::Connection::open(&db.path).unwrap();
    let _: i64 = holder
        .query_row("SELECT count(*) FROM jobs", [], |r| r.get(0))
        .unwrap();
    let wal = db.file("jobloop.db-wal");
    let shm = db.file("jobloop.db-shm");
    assert!(wal.exists() && shm.exists(), "{:?}", names(db.dir.path()));
    std::os::unix::fs::symlink(&db.path, db.file("link.json")).unwrap();
    // (A hard link to the database itself makes every command refuse the file before it reads
    // it: `one_file.rs`.)
    std::fs::hard_link(&wal, db.file("wal-hard.json")).unwrap();
    std::os::unix::fs::symlink(&shm, db.file("shm-link.json")).unwrap();
    std::fs::create_dir(db.file("sub")).unwrap();
    let absolute = db.path.to_str().unwrap().to_string();
    let targets = [
        "jobloop.db",
        "./jobloop.db",
        "sub/../jobloop.db",
        absolute.as_str(),
        "jobloop.db-wal",
        "./jobloop.db-shm",
        "jobloop.db-journal",
        "link.json",
        "wal-hard.json",
        "shm-link.json",
    ];
    let before = db.state();
    let bytes = std::fs::read(&db.path).unwrap();
    let wal_bytes = std::fs::read(&wal).unwrap();
    for target in targets {
        for command in ["export", "backup"] {
            for force in [false, true] {
                let mut args = vec![command, target];
                if force {
                    args.push("--force");
                }
                let err = db.fails(&args, 2);
                assert!(
                    err.contains("is the database itself or one of its files"),
                    "{args:?}: {err}"
                );
            }
        }
    }
    assert_eq!(std::fs::read(&db.path).unwrap(), bytes);
    assert_eq!(std::fs::read(&wal).unwrap(), wal_bytes);
    assert!(!db.file("jobloop.db-journal").exists());
    drop(holder);
    assert_eq!(db.state(), before);

    // The database named through a symlink: its real name is protected too.
    let out = jobloop(&db.file("link.json"))
        .current_dir(db.dir.path())
        .args(["export", "jobloop.db", "--force"])
        .output()
        .unwrap();
    let err = error_line(&out, 2, "export through a linked --db");
    assert!(err.contains("is the database itself"), "{err}");
    assert_eq!(db.state(), before);
}

/// The TUI's digest (W) goes to a fixed name in the folder jobloop was started in: a hard link
/// or a symlink there to the database or its write-ahead log must not be written through.
#[test]
fn the_tui_digest_refuses_hard_links_and_companions_of_the_database() {
    use jobloop::tui::app::App;
    use jobloop::tui::config::Theme;
    use jobloop::tui::keymap::Keymap;
    use jobloop::tui::worker::Worker;
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = measured_store(&path);
    let mut app = App::new(
        Worker::inline(store),
        Some(ACTOR.into()),
        Keymap::default(),
        Theme::new(false),
        false,
    );
    app.digest_dir = dir.path().to_path_buf();
    app.start(true);
    let press = |app: &mut App, code| {
        app.handle(Event::Key(KeyEvent::new_with_kind(
            code,
            KeyModifiers::NONE,
            KeyEventKind::Press,
        )))
    };
    let week = Week::containing(Stamp::now());
    let digest = dir.path().join(format!("jobloop-digest-{week}.md"));
    let wal = dir.path().join("t.db-wal");
    assert!(wal.exists(), "the open store has its write-ahead log");
    for what in [
        "hard link to the database",
        "hard link to the -wal",
        "symlink to the -wal",
    ] {
        match what {
            "hard link to the database" => std::fs::hard_link(&path, &digest).unwrap(),
            "hard link to the -wal" => std::fs::hard_link(&wal, &digest).unwrap(),
            _ => std::os::unix::fs::symlink(&wal, &digest).unwrap(),
        }
        let db_before = std::fs::read(&path).unwrap();
        let wal_before = std::fs::read(&wal).unwrap();
        press(&mut app, KeyCode::Char('W'));
        // If it asks to replace the file, say yes: it must still refuse.
        if app.form.is_some() {
            press(&mut app, KeyCode::Enter);
        }
        let message = app
            .message
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default();
        assert!(
            message.contains("is the database itself or one of its files"),
            "{what}: {message}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), db_before, "{what}");
        assert_eq!(std::fs::read(&wal).unwrap(), wal_before, "{what}");
        std::fs::remove_file(&digest).unwrap();
    }
    // With the name free, the digest is written, private.
    press(&mut app, KeyCode::Char('W'));
    let text = std::fs::read_to_string(&digest).unwrap();
    assert!(text.contains("Weekly review"), "{text}");
    let mode = std::fs::metadata(&digest).unwrap().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn an_existing_file_is_kept_without_force_and_replaced_with_it() {
    let db = Db::measured();
    let state = db.state();
    for (command, name) in [("export", "out.json"), ("backup", "out.db")] {
        let target = db.file(name);
        std::fs::write(&target, "my own notes").unwrap();
        let err = db.refused(&[command, name], 2);
        assert!(
            err.contains("already exists") && err.contains("--force"),
            "{command}: {err}"
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "my own notes");
        db.ok(&[command, name, "--force"]);
        assert_ne!(std::fs::read(&target).unwrap(), b"my own notes");
    }
    assert_eq!(std::fs::read_to_string(db.file("out.json")).unwrap(), state);
    let out = jobloop(&db.file("out.db")).arg("export").output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), state);
    assert_eq!(names(db.dir.path()), ["jobloop.db", "out.db", "out.json"]);
}

#[test]
fn files_written_are_private_whatever_the_umask() {
    let db = Db::measured();
    let under_umask_000 = |args: &[&str]| {
        Command::new("sh")
            .arg("-c")
            .arg("umask 000; exec \"$0\" \"$@\"")
            .arg(bin())
            .arg("--db")
            .arg(&db.path)
            .args(["--as", ACTOR])
            .args(args)
            .current_dir(db.dir.path())
            .env_remove("JOBLOOP_DB")
            .output()
            .unwrap()
    };
    // The umask really is 000 in the child.
    let control = under_umask_000(&["--version"]);
    assert!(control.status.success());
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 000; touch control")
        .current_dir(db.dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        std::fs::metadata(db.file("control")).unwrap().mode() & 0o777,
        0o666
    );
    std::fs::write(db.file("old.json"), "old").unwrap();
    std::fs::set_permissions(db.file("old.json"), std::fs::Permissions::from_mode(0o666)).unwrap();
    for args in [
        vec!["export", "out.json"],
        vec!["backup", "out.db"],
        vec!["export", "old.json", "--force"],
    ] {
        let out = under_umask_000(&args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mode = std::fs::metadata(db.file(args[1])).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o600, "{args:?}");
    }
    // A database created under umask 000 is private as well.
    let fresh = db.file("fresh.db");
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$0\" \"$@\"")
        .arg(bin())
        .arg("--db")
        .arg(&fresh)
        .args(["--as", ACTOR, "demo"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(std::fs::metadata(&fresh).unwrap().mode() & 0o777, 0o600);
}

#[test]
fn leftovers_of_a_killed_export_or_backup_are_removed_by_the_next_one() {
    let db = Db::measured();
    let dead = dead_pid();
    let alive = std::process::id();
    let stale = [
        format!(".out.json.jobloop-tmp-{dead}-12345"),
        format!(".out.db.jobloop-tmp-{dead}-67890"),
    ];
    // A run still going (this test's own process) keeps its temporary file.
    let running = format!(".out.json.jobloop-tmp-{alive}-1");
    for name in stale.iter().chain([&running]) {
        std::fs::write(db.file(name), "half written").unwrap();
    }
    db.ok(&["export", "out.json"]);
    db.ok(&["backup", "out.db"]);
    let left = names(db.dir.path());
    for name in &stale {
        assert!(!left.contains(name), "{name} was left: {left:?}");
    }
    assert!(left.contains(&running), "{left:?}");
}

// long: a demo and an import each killed half-way, then the next run checked for what it
// removed; each step needs the leftovers of the one before
#[test]
fn leftovers_of_a_killed_demo_or_import_into_a_new_file_are_removed_by_the_next_one() {
    let db = Db::new();
    // A demo large enough to be killed half-way: wait for its temporary database, then SIGKILL.
    let mut child = db
        .cmd()
        .args(["demo", "--jobs", "400", "--weeks", "52"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !names(db.dir.path())
        .iter()
        .any(|n| n.contains(".jobloop-tmp-"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no temporary file"
        );
        assert!(child.try_wait().unwrap().is_none(), "the demo ended early");
        std::thread::sleep(Duration::from_millis(5));
    }
    // Killed while it writes: once its temporary files hold records (more than an empty
    // database's pages), not after a fixed time a loaded machine may not honour.
    let written = || -> u64 {
        std::fs::read_dir(db.dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".jobloop-tmp-"))
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    };
    while written() < 256 << 10 {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the demo wrote nothing"
        );
        assert!(child.try_wait().unwrap().is_none(), "the demo ended early");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let left = names(db.dir.path());
    assert!(!db.path.exists(), "{left:?}");
    assert!(
        left.iter()
            .any(|n| n.starts_with(".jobloop.db.jobloop-tmp-")),
        "{left:?}"
    );
    db.ok(&["demo"]);
    assert_eq!(
        names(db.dir.path()),
        ["jobloop.db"],
        "the killed demo's files are still there"
    );

    // The same for an import killed half-way (its files made by hand).
    let source = db.file("x.json");
    db.ok(&["export", "x.json"]);
    let target = db.file("restored.db");
    let dead = dead_pid();
    for suffix in ["", "-wal", "-shm"] {
        std::fs::write(
            db.file(&format!(".restored.db.jobloop-tmp-{dead}-42{suffix}")),
            "half",
        )
        .unwrap();
    }
    let out = jobloop(&target)
        .args(["import", source.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        names(db.dir.path()),
        ["jobloop.db", "restored.db", "x.json"]
    );
    // The restored file is in write-ahead-log mode before anyone opens it (header bytes 18 and
    // 19 are 2), so even a read-only first reader finds it as every open leaves it.
    let header = std::fs::read(&target).unwrap();
    assert_eq!(&header[18..20], &[2, 2], "not in WAL mode");

    // Leftovers of a killed import beside an existing database are removed by the next command
    // that may write there, not only by the next import.
    for suffix in ["", "-journal"] {
        std::fs::write(
            db.file(&format!(".jobloop.db.jobloop-tmp-{dead}-7{suffix}")),
            "half",
        )
        .unwrap();
    }
    db.ok(&["job", "add", "Another"]);
    assert_eq!(
        names(db.dir.path()),
        ["jobloop.db", "restored.db", "x.json"]
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Output errors are errors.
// ---------------------------------------------------------------------------------------------

fn dev_full() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap()
}

#[test]
fn output_that_cannot_be_written_is_an_error() {
    let db = Db::measured();
    let before = db.state();
    for args in [
        vec!["export"],
        vec!["review", "--json"],
        vec!["review"],
        vec!["review", "--markdown"],
        vec!["log", "--json"],
        vec!["loop", "show", "t", "instr"],
        vec!["verify"],
    ] {
        let out = db.cmd().args(&args).stdout(dev_full()).output().unwrap();
        let err = error_line(&out, 7, &format!("{args:?} > /dev/full"));
        assert!(err.contains("the disk is full"), "{args:?}: {err}");
    }
    // A write command's acknowledgement that cannot be printed: the record is kept (it was
    // committed) but the failure is reported.
    let out = db
        .cmd()
        .args(["measure", "t", "instr", "4"])
        .stdout(dev_full())
        .output()
        .unwrap();
    error_line(&out, 7, "measure > /dev/full");
    // As FILE: a device is not a file jobloop replaces.
    for args in [
        vec!["export", "/dev/full"],
        vec!["export", "/dev/full", "--force"],
        vec!["backup", "/dev/full", "--force"],
    ] {
        let err = db.fails(&args, 2);
        assert!(err.contains("is a device, not a file"), "{args:?}: {err}");
    }
    let after = db.state();
    assert_eq!(
        exported_bits(&after).len(),
        exported_bits(&before).len() + 1,
        "only the measurement was added"
    );
}

// ---------------------------------------------------------------------------------------------
// 8. Messages for paths that cannot be a database.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_fifo_a_device_or_a_folder_as_the_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.db");
    nix::unistd::mkfifo(
        &fifo,
        nix::sys::stat::Mode::S_IRUSR | nix::sys::stat::Mode::S_IWUSR,
    )
    .unwrap();
    let folder = dir.path().join("folder.db");
    std::fs::create_dir(&folder).unwrap();
    let backup = dir.path().join("b.db");
    let backup = backup.to_str().unwrap();
    let commands: [&[&str]; 7] = [
        &["review"],
        &["export"],
        &["verify"],
        &["doctor"],
        &["backup", backup],
        &["job", "add", "Job"],
        &["init"],
    ];
    for (db, said) in [
        (
            fifo.as_path(),
            "is a FIFO, socket or device, not a database file",
        ),
        (
            Path::new("/dev/null"),
            "is a FIFO, socket or device, not a database file",
        ),
        (
            folder.as_path(),
            "is a folder: give the path of a database file",
        ),
    ] {
        for args in commands {
            let mut cmd = jobloop(db);
            cmd.args(args);
            let out = within(cmd, Duration::from_secs(10));
            let err = error_line(&out, 4, &format!("--db {} {args:?}", db.display()));
            assert!(err.contains(said) && err.contains("--db"), "{err}");
        }
    }
    let meta = std::fs::metadata(&fifo).unwrap();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type()));
    assert!(names(&folder).is_empty(), "{:?}", names(&folder));
    assert_eq!(names(dir.path()), ["fifo.db", "folder.db"]);
    for companion in ["/dev/null-wal", "/dev/null-shm", "/dev/null-journal"] {
        assert!(!Path::new(companion).exists(), "{companion} was created");
    }
}

#[test]
fn reading_commands_never_create_a_missing_database() {
    let db = Db::new();
    for args in [
        vec!["review"],
        vec!["review", "--json"],
        vec!["export"],
        vec!["export", "out.json"],
        vec!["verify"],
        vec!["doctor"],
        vec!["backup", "out.db"],
        vec!["log"],
        vec!["job", "list"],
        vec!["loop", "show", "t", "instr"],
    ] {
        let err = db.fails(&args, 3);
        assert!(
            err.contains("there is no database at")
                && err.contains(&format!("jobloop --db {} init", db.path.display())),
            "{args:?}: {err}"
        );
        assert!(
            names(db.dir.path()).is_empty(),
            "{args:?}: {:?}",
            names(db.dir.path())
        );
    }
}

#[test]
fn a_folder_without_write_permission_is_reported_as_denied() {
    if nix::unistd::Uid::effective().is_root() {
        eprintln!("skipped: running as root, where permission bits do not refuse anything");
        return;
    }
    let db = Db::measured();
    let locked = db.file("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let inside = locked.join("new.db");
    let out = jobloop(&inside)
        .args(["job", "add", "Job"])
        .output()
        .unwrap();
    let err = error_line(&out, 6, "job add in a read-only folder");
    assert!(err.contains("permission denied"), "{err}");
    let target = locked.join("out.json");
    let err = db.refused(&["export", target.to_str().unwrap()], 6);
    assert!(err.contains("permission denied"), "{err}");
    assert!(names(&locked).is_empty());
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
}
