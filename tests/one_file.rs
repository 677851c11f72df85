//! One file, one name: a database reached through two names (hard links) is refused before
//! anything is read or written, and a write-ahead log that does not belong to its file (a backup
//! restored with `cp` next to the log a killed session left) is refused before it can fold into
//! the file; `doctor` names it and `doctor --repair` moves it aside, deleting nothing.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::file_db::{error_line, names as files};
use common::{Db, companion, jobloop, read, ready};
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// Every kind of command: reads, writes, a backup, the TUI's review path.
const COMMANDS: [&[&str]; 7] = [
    &["review"],
    &["export"],
    &["verify"],
    &["log"],
    &["loop", "show", "t", "instr"],
    &["measure", "t", "instr", "4"],
    &["loop", "note", "t", "instr", "hello"],
];

/// What a session killed mid-way leaves: the file as it was on disk, and beside it a
/// write-ahead log (with its index) holding the session's commits. Copied while another
/// connection keeps the log from being folded in, as a second program would.
struct Leftover {
    main: Vec<u8>,
    wal: Vec<u8>,
    shm: Vec<u8>,
}

fn session(db: &Db, writes: &[&[&str]]) -> Leftover {
    let holder = rusqlite::Connection::open(&db.path).unwrap();
    let _: i64 = holder
        .query_row("SELECT count(*) FROM jobs", [], |r| r.get(0))
        .unwrap();
    for w in writes {
        db.ok(w);
    }
    let left = Leftover {
        main: read(&db.path),
        wal: read(&companion(&db.path, "-wal")),
        shm: read(&companion(&db.path, "-shm")),
    };
    assert!(left.wal.len() > 32, "the session's commits are in its log");
    drop(holder);
    left
}

fn put_log(path: &Path, left: &Leftover) {
    std::fs::write(companion(path, "-wal"), &left.wal).unwrap();
    std::fs::write(companion(path, "-shm"), &left.shm).unwrap();
}

/// Database B's backup restored with `cp` over database A, whose killed session left a log.
fn restored_over_a_leftover() -> (Db, Leftover, Vec<u8>, String) {
    let db = ready();
    let left = session(
        &db,
        &[
            &["baseline", "t", "instr", "9", "--at", "2026-10-01"],
            &["measure", "t", "instr", "5", "--note", "in the log"],
            &["loop", "owner", "t", "instr", "Ana"],
        ],
    );
    let other = Db::new();
    other.ok(&["job", "add", "Only in B", "--slug", "b"]);
    other.ok(&["loop", "note", "b", "govern", "kept in the backup"]);
    let backup = other.dir.path().join("b.bak");
    other.ok(&["backup", backup.to_str().unwrap()]);
    let b_export = other.ok(&["export"]);
    let b_bytes = read(&backup);
    std::fs::copy(&backup, &db.path).unwrap();
    put_log(&db.path, &left);
    (db, left, b_bytes, b_export)
}

// long: one stray log followed through open, doctor and repair in order; each step reads what
// the one before left on disk
#[test]
fn a_log_left_by_another_database_is_refused_named_by_doctor_and_moved_aside_by_repair() {
    let (db, left, b_bytes, b_export) = restored_over_a_leftover();
    let wal = companion(&db.path, "-wal");
    // Every command refuses, says why and what to do, and changes neither file.
    for args in COMMANDS {
        let out = db.run(args);
        let err = error_line(&out, 4, &format!("{args:?}"));
        assert!(err.contains("jobloop.db-wal does not belong to"), "{err}");
        assert!(err.contains("doctor --repair"), "{err}");
        assert!(!err.contains("damaged"), "{err}");
        assert!(out.stdout.is_empty());
        assert_eq!(read(&db.path), b_bytes, "{args:?} changed the file");
        assert_eq!(read(&wal), left.wal, "{args:?} changed the log");
    }
    // doctor names it, checks the file alone, and exits 8.
    let out = db.run(&["doctor"]);
    error_line(&out, 8, "doctor");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| l.starts_with("FAIL wal") && l.contains("does not belong")),
        "{text}"
    );
    assert!(text.contains("ok   integrity"), "{text}");
    assert!(text.contains("doctor --repair"), "{text}");
    assert_eq!(read(&db.path), b_bytes);
    assert_eq!(read(&wal), left.wal);

    // --repair moves the log aside under a new name (nothing is deleted); the file then opens
    // as it was when the backup was made.
    let out = db.run(&["doctor", "--repair"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("ok   wal") && text.contains("moved aside to"),
        "{text}"
    );
    let aside = companion(&db.path, "-wal.foreign");
    assert_eq!(read(&aside), left.wal, "the log is kept, whole");
    assert_eq!(db.ok(&["export"]), b_export);
    assert!(db.ok(&["verify"]).contains("verified"));
    // Nothing of A's log reached the file.
    let review = db.json(&["review", "--json"]);
    let slugs: Vec<&str> = review["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["b"]);

    // The same mistake again: the new log goes to a free name, the first one stays.
    db.ok(&["loop", "note", "b", "govern", "after the repair"]);
    put_log(&db.path, &left);
    let out = db.run(&["doctor", "--repair"]);
    assert!(out.status.success());
    assert_eq!(read(&aside), left.wal);
    assert_eq!(read(&companion(&db.path, "-wal.foreign-2")), left.wal);
    let notes = db.json(&["loop", "show", "b", "govern", "--json"]);
    assert!(notes.to_string().contains("after the repair"), "{notes}");

    // Two repairs at once: both succeed, the log is moved aside once.
    put_log(&db.path, &left);
    let repairs: Vec<_> = (0..2)
        .map(|_| {
            db.cmd()
                .args(["doctor", "--repair"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for r in repairs {
        let out = r.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(read(&companion(&db.path, "-wal.foreign-3")), left.wal);
    assert!(!companion(&db.path, "-wal.foreign-4").exists());
    assert!(
        companion(&db.path, "-shm.foreign-3").exists(),
        "the index went with it"
    );
    assert!(
        db.ok(&["loop", "show", "b", "govern"])
            .contains("after the repair")
    );
}

/// A repair while other commands open the file: each of them either refuses the log or reads
/// the repaired file — none reads through the log, none calls the file damaged.
#[test]
fn a_repair_among_other_commands_never_lets_the_log_through() {
    let (db, left, _, _) = restored_over_a_leftover();
    let out = db.run(&["doctor", "--repair"]);
    assert!(out.status.success());
    let b_export = db.ok(&["export"]);
    for round in 0..6 {
        put_log(&db.path, &left);
        let spawn = |args: &[&str]| {
            db.cmd()
                .args(args)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let mut children = vec![("repair", spawn(&["doctor", "--repair"]))];
        for _ in 0..4 {
            children.push(("export", spawn(&["export"])));
        }
        for (what, child) in children {
            let out = child.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            match (what, out.status.code()) {
                ("repair", Some(0)) => {}
                ("export", Some(0)) => assert!(
                    String::from_utf8_lossy(&out.stdout) == b_export,
                    "round {round}: an export read something else"
                ),
                ("export", Some(4)) => assert!(err.contains("does not belong"), "{err}"),
                _ => panic!(
                    "round {round}: {what} exited {:?}: {err}",
                    out.status.code()
                ),
            }
        }
        assert!(db.ok(&["export"]) == b_export, "round {round}");
    }
    assert!(db.ok(&["verify"]).contains("verified"));
}

#[test]
fn a_log_of_the_same_database_but_older_is_refused_too() {
    let db = ready();
    db.ok(&["baseline", "t", "instr", "9", "--at", "2026-10-01"]);
    let left = session(
        &db,
        &[
            &["measure", "t", "instr", "5", "--note", "first"],
            &["measure", "t", "instr", "6", "--note", "second"],
        ],
    );
    // Later sessions go on; the old log is then put back beside the file.
    db.ok(&["measure", "t", "instr", "7", "--note", "third"]);
    db.ok(&["loop", "note", "t", "instr", "later"]);
    let later = db.ok(&["export"]);
    let bytes = read(&db.path);
    put_log(&db.path, &left);
    let err = db.refused(&["measure", "t", "instr", "8"], 4);
    assert!(err.contains("does not belong"), "{err}");
    assert_eq!(read(&db.path), bytes);
    let out = db.run(&["doctor", "--repair"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(db.ok(&["export"]), later, "nothing later was taken back");
}

#[test]
fn a_killed_sessions_own_log_is_replayed_with_every_commit() {
    let db = ready();
    let left = session(
        &db,
        &[
            &["baseline", "t", "instr", "9", "--at", "2026-10-01"],
            &["measure", "t", "instr", "5", "--note", "only in the log"],
        ],
    );
    // The file as the killed session left it, in a new folder: the log holds the commits.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobloop.db");
    std::fs::write(&path, &left.main).unwrap();
    put_log(&path, &left);
    let out = jobloop(&path).args(["export"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("only in the log"));
    let out = jobloop(&path).args(["doctor"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("wal"));
    // The log was folded in when the last connection closed: one file remains.
    assert_eq!(files(dir.path()), ["jobloop.db"]);
}

#[test]
fn an_empty_log_a_header_alone_or_an_index_without_a_log_change_nothing() {
    let db = ready();
    db.ok(&["measure", "t", "instr", "5"]);
    let wal = companion(&db.path, "-wal");
    let shm = companion(&db.path, "-shm");
    let left = session(&db, &[&["loop", "note", "t", "instr", "x"]]);
    for (what, wal_bytes, shm_bytes) in [
        ("an empty log", Some(Vec::new()), None),
        ("a header alone", Some(left.wal[..32].to_vec()), None),
        ("an index without a log", None, Some(left.shm.clone())),
        (
            "an empty log and a stale index",
            Some(Vec::new()),
            Some(left.shm.clone()),
        ),
    ] {
        let state = db.ok(&["export"]);
        if let Some(w) = wal_bytes {
            std::fs::write(&wal, w).unwrap();
        }
        if let Some(s) = shm_bytes {
            std::fs::write(&shm, s).unwrap();
        }
        assert!(db.ok(&["export"]) == state, "{what} changed the records");
        db.ok(&["loop", "note", "t", "instr", what]);
        assert!(db.ok(&["verify"]).contains("verified"), "{what}");
        assert!(db.ok(&["export"]).contains(what), "{what}");
        let _ = std::fs::remove_file(&wal);
        let _ = std::fs::remove_file(&shm);
    }
}

#[test]
fn a_log_left_without_its_database_is_never_replayed_into_a_new_one() {
    let db = ready();
    let left = session(&db, &[&["measure", "t", "instr", "5", "--note", "old"]]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobloop.db");
    put_log(&path, &left);
    let export = dir.path().join("e.json");
    db.ok(&["export", export.to_str().unwrap()]);
    for (what, empty_file) in [("no file", false), ("an empty file", true)] {
        if empty_file {
            std::fs::write(&path, b"").unwrap();
        }
        for args in [
            &["job", "add", "New"][..],
            &["init"],
            &["demo"],
            &["import", export.to_str().unwrap()],
        ] {
            let out = jobloop(&path).args(args).output().unwrap();
            let err = error_line(&out, 4, &format!("{what}: {args:?}"));
            // Beside an empty file, commands other than init refuse the empty file first.
            if !empty_file || args == ["init"] {
                assert!(err.contains("holds records of one"), "{err}");
                assert!(err.contains("nothing was created"), "{err}");
            }
            assert_eq!(read(&companion(&path, "-wal")), left.wal, "{args:?}");
            let mut expected = vec!["e.json", "jobloop.db-shm", "jobloop.db-wal"];
            if empty_file {
                expected.insert(1, "jobloop.db");
                assert!(read(&path).is_empty());
            }
            assert_eq!(files(dir.path()), expected, "{what}: {args:?}");
        }
    }
    // Moved aside as the message says, a new database is made.
    std::fs::remove_file(&path).unwrap();
    std::fs::rename(companion(&path, "-wal"), dir.path().join("old-wal")).unwrap();
    let out = jobloop(&path).args(["job", "add", "New"]).output().unwrap();
    assert!(out.status.success());
}

#[test]
fn a_log_or_index_that_is_not_a_file_is_refused_and_named() {
    let db = ready();
    let other = ready();
    let bytes = read(&db.path);
    let wal = companion(&db.path, "-wal");
    let shm = companion(&db.path, "-shm");
    type Make<'a> = Box<dyn Fn(&Path) + 'a>;
    let cases: [(&str, &PathBuf, Make); 4] = [
        (
            "a symlink to another database's log",
            &wal,
            Box::new(|p| std::os::unix::fs::symlink(companion(&other.path, "-wal"), p).unwrap()),
        ),
        (
            "a folder",
            &wal,
            Box::new(|p| std::fs::create_dir(p).unwrap()),
        ),
        (
            "a FIFO",
            &wal,
            Box::new(|p| {
                nix::unistd::mkfifo(p, nix::sys::stat::Mode::S_IRWXU).unwrap();
            }),
        ),
        (
            "a folder",
            &shm,
            Box::new(|p| std::fs::create_dir(p).unwrap()),
        ),
    ];
    for (what, target, make) in cases {
        make(target);
        for args in [&["review"][..], &["measure", "t", "instr", "4"]] {
            let out = db.run(args);
            let err = error_line(&out, 4, &format!("{what}: {args:?}"));
            let name = target.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                err.contains(&name) && err.contains("move it aside"),
                "{err}"
            );
        }
        assert_eq!(read(&db.path), bytes, "{what}");
        if std::fs::symlink_metadata(target).unwrap().is_dir() {
            std::fs::remove_dir(target).unwrap();
        } else {
            std::fs::remove_file(target).unwrap();
        }
    }
    db.ok(&["measure", "t", "instr", "4"]);
}

#[test]
fn a_database_with_two_names_is_refused_before_anything_is_read_or_written() {
    let db = ready();
    db.ok(&["measure", "t", "instr", "5"]);
    let second = db.dir.path().join("second.db");
    std::fs::hard_link(&db.path, &second).unwrap();
    let bytes = read(&db.path);
    for name in [&db.path, &second] {
        for args in COMMANDS.iter().copied().chain([
            &["doctor", "--repair"][..],
            &["init"][..],
            &["export", "second.db", "--force"][..],
            &["backup", "jobloop.db", "--force"][..],
        ]) {
            let out = jobloop(name)
                .current_dir(db.dir.path())
                .args(args)
                .output()
                .unwrap();
            let err = error_line(&out, 4, &format!("{args:?}"));
            assert!(err.contains("has 2 names"), "{err}");
            assert!(err.contains("write-ahead log per name"), "{err}");
            let other = if name == &db.path {
                "second.db"
            } else {
                "jobloop.db"
            };
            assert!(err.contains(other), "names the other name: {err}");
            assert_eq!(read(&db.path), bytes);
            // Not even SQLite's companion files were made: nothing was opened.
            assert_eq!(files(db.dir.path()), ["jobloop.db", "second.db"]);
        }
    }
    // Two writers at once, one through each name: both refused, nothing written.
    let writers: Vec<_> = [&db.path, &second]
        .into_iter()
        .map(|name| {
            jobloop(name)
                .args(["measure", "t", "instr", "6"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for w in writers {
        let out = w.wait_with_output().unwrap();
        error_line(&out, 4, "a writer through one of two names");
    }
    assert_eq!(read(&db.path), bytes);

    // A third name, and a symlink to one of them: still refused, with the count.
    let third = db.dir.path().join("third.db");
    std::fs::hard_link(&db.path, &third).unwrap();
    let link = db.dir.path().join("link.db");
    std::os::unix::fs::symlink(&second, &link).unwrap();
    let out = jobloop(&link).args(["review"]).output().unwrap();
    let err = error_line(&out, 4, "through a symlink");
    assert!(err.contains("has 3 names"), "{err}");
    // A name in another folder: the message says how to find it.
    let elsewhere = tempfile::tempdir_in(db.dir.path().parent().unwrap()).unwrap();
    std::fs::remove_file(&second).unwrap();
    std::fs::remove_file(&third).unwrap();
    std::fs::remove_file(&link).unwrap();
    if std::fs::hard_link(&db.path, elsewhere.path().join("far.db")).is_ok() {
        let out = jobloop(&db.path).args(["review"]).output().unwrap();
        let err = error_line(&out, 4, "a name in another folder");
        assert!(err.contains("-samefile"), "{err}");
        std::fs::remove_file(elsewhere.path().join("far.db")).unwrap();
    }
    // With one name again, everything works and nothing was lost.
    db.ok(&["measure", "t", "instr", "7"]);
    assert!(db.ok(&["verify"]).contains("verified"));
}

#[test]
fn two_writers_through_a_symlink_and_the_real_name_share_one_log() {
    let db = ready();
    let link = db.dir.path().join("link.db");
    std::os::unix::fs::symlink(&db.path, &link).unwrap();
    let spawn = |path: PathBuf, who: &'static str| {
        std::thread::spawn(move || {
            for i in 0..10 {
                let out = jobloop(&path)
                    .args(["measure", "t", "instr", "4", "--note"])
                    .arg(format!("{who}-{i}"))
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        })
    };
    let a = spawn(db.path.clone(), "real");
    let b = spawn(link.clone(), "link");
    a.join().unwrap();
    b.join().unwrap();
    let export = db.ok(&["export"]);
    for who in ["real", "link"] {
        for i in 0..10 {
            assert!(export.contains(&format!("\"{who}-{i}\"")), "{who}-{i}");
        }
    }
    assert!(db.ok(&["verify"]).contains("verified"));
}

#[test]
fn a_second_name_left_by_a_killed_placement_is_removed_and_a_live_one_waited_for() {
    let db = ready();
    let state = db.ok(&["export"]);
    // A run killed between linking its new file into place and unlinking its temporary name
    // (the fallback where RENAME_NOREPLACE is missing) left this: its process is gone.
    let dead = db.dir.path().join(".jobloop.db.jobloop-tmp-999999999-1");
    std::fs::hard_link(&db.path, &dead).unwrap();
    assert_eq!(db.ok(&["export"]), state);
    assert!(!dead.exists(), "the killed run's second name is removed");
    // A running placement (this process) unlinks its temporary name a moment later: the
    // command waits for it instead of refusing.
    let live = db
        .dir
        .path()
        .join(format!(".jobloop.db.jobloop-tmp-{}-1", std::process::id()));
    std::fs::hard_link(&db.path, &live).unwrap();
    let child = jobloop(&db.path)
        .args(["measure", "t", "instr", "3"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The placement finishes its rename a little later (well within the 2 s jobloop waits).
    std::thread::sleep(std::time::Duration::from_millis(200));
    std::fs::remove_file(&live).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn jobloops_own_placement_leaves_one_name() {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().unwrap();
    let nlink = |p: &Path| std::fs::metadata(p).unwrap().nlink();
    let created = dir.path().join("created.db");
    let out = jobloop(&created)
        .args(["job", "add", "A"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(nlink(&created), 1);
    let init = dir.path().join("init.db");
    assert!(
        jobloop(&init)
            .arg("init")
            .output()
            .unwrap()
            .status
            .success()
    );
    assert_eq!(nlink(&init), 1);
    let demo = dir.path().join("demo.db");
    assert!(
        jobloop(&demo)
            .arg("demo")
            .output()
            .unwrap()
            .status
            .success()
    );
    assert_eq!(nlink(&demo), 1);
    let export = dir.path().join("e.json");
    assert!(
        jobloop(&demo)
            .args(["export", export.to_str().unwrap()])
            .output()
            .unwrap()
            .status
            .success()
    );
    let imported = dir.path().join("imported.db");
    let out = jobloop(&imported)
        .args(["import", export.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(nlink(&imported), 1);
    assert_eq!(
        files(dir.path()),
        ["created.db", "demo.db", "e.json", "imported.db", "init.db"]
    );
}
