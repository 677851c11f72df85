//! Faults caused on purpose: nothing jobloop acknowledged may be lost, nothing it refused may be
//! half written, and no change behind its back may go unnoticed.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{Db, read, ready};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn notes(db: &Db) -> Vec<String> {
    let ex = db.json(&["export"]);
    ex["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["note"].as_str().unwrap().to_string())
        .collect()
}

fn integrity(db: &Db) -> String {
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn writers_killed_at_random_moments_lose_nothing_they_acknowledged() {
    let db = ready();
    let mut acknowledged = Vec::new();
    // A deterministic spread of kill delays from 0 to ~25 ms.
    for i in 0..40u64 {
        let note = format!("ack-{i}");
        let mut child = db
            .cmd()
            .args(["measure", "t", "instr", "5", "--note", &note])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros((i * 7919) % 25_000));
        let _ = child.kill(); // SIGKILL
        let out = child.wait_with_output().unwrap();
        if out.status.success() && String::from_utf8_lossy(&out.stdout).contains("recorded") {
            acknowledged.push(note);
        }
    }
    assert_eq!(integrity(&db), "ok");
    let stored = notes(&db);
    for note in &acknowledged {
        assert!(stored.contains(note), "acknowledged {note} is missing");
    }
    // Whatever landed is whole: each stored value has its audit event, the chain verifies.
    assert!(db.ok(&["verify"]).contains("verified"));
    eprintln!(
        "{} of 40 writes were acknowledged before the kill; {} are stored",
        acknowledged.len(),
        stored.len()
    );
}

#[test]
fn two_writers_and_an_open_reader_lose_nothing_and_see_no_lock_error() {
    let db = ready();
    // The TUI's connection: open, reading, for the whole run.
    let mut tui = jobloop::store::Store::open(&db.path, jobloop::store::Missing::Refuse).unwrap();
    let spawn = |who: &'static str| {
        let path = db.path.clone();
        std::thread::spawn(move || {
            for i in 0..15 {
                let out = Command::new(common::bin())
                    .args(["--db", path.to_str().unwrap(), "--as", who])
                    .args([
                        "measure",
                        "t",
                        "instr",
                        "4",
                        "--note",
                        &format!("{who}-{i}"),
                    ])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{who}-{i}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        })
    };
    let a = spawn("alice");
    let b = spawn("bob");
    for _ in 0..20 {
        tui.board().unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    a.join().unwrap();
    b.join().unwrap();
    let stored = notes(&db);
    assert_eq!(stored.len(), 30);
    for who in ["alice", "bob"] {
        for i in 0..15 {
            assert!(stored.contains(&format!("{who}-{i}")));
        }
    }
    assert!(db.ok(&["verify"]).contains("verified"));
}

#[test]
fn a_write_waits_for_another_programs_lock_and_succeeds() {
    let db = ready();
    let holder = rusqlite::Connection::open(&db.path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let start = Instant::now();
    let child = db
        .cmd()
        .args(["measure", "t", "instr", "3", "--note", "waited"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(2));
    holder.execute_batch("COMMIT").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(start.elapsed() >= Duration::from_secs(2));
    assert!(notes(&db).contains(&"waited".to_string()));
}

#[test]
fn a_read_only_file_can_be_read_and_refuses_writes() {
    let db = ready();
    db.ok(&["baseline", "t", "instr", "5", "--at", "2026-10-01"]);
    let mut perms = std::fs::metadata(&db.path).unwrap().permissions();
    perms.set_mode(0o400);
    std::fs::set_permissions(&db.path, perms).unwrap();
    let review = db.json(&["review", "--json"]);
    assert_eq!(review["jobs"][0]["slug"], "t");
    let before = read(&db.path);
    let err = db.refused(&["measure", "t", "instr", "4"], 6);
    assert!(err.contains("read-only"), "{err}");
    assert_eq!(read(&db.path), before);
}

#[test]
fn tampering_is_detected_and_an_honest_file_passes() {
    let db = Db::new();
    db.ok(&["demo"]);
    db.ok(&[
        "measure",
        "support-triage",
        "instr",
        "6.1",
        "--note",
        "honest",
    ]);
    assert!(db.ok(&["verify"]).contains("verified"));
    let backup = db.dir.path().join("honest.db");
    db.ok(&["backup", backup.to_str().unwrap()]);

    let cases = [
        (
            "UPDATE audit_events SET summary = 'nothing happened' WHERE seq = 12",
            "audit event 12 was edited",
        ),
        (
            "DELETE FROM audit_events WHERE seq = 12",
            "audit event 12 is missing",
        ),
        (
            "UPDATE metric_values SET value = 99 WHERE note = 'honest'",
            "changed behind jobloop's back",
        ),
    ];
    for (sql, expected) in cases {
        let copy = db.dir.path().join("tampered.db");
        std::fs::copy(&backup, &copy).unwrap();
        let conn = rusqlite::Connection::open(&copy).unwrap();
        conn.execute_batch(sql).unwrap();
        drop(conn);
        let out = Command::new(common::bin())
            .args(["--db", copy.to_str().unwrap(), "verify"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let listed = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(8), "{sql}: {err}");
        assert!(err.contains(expected), "{sql}: {err}");
        assert!(
            listed.contains("(event "),
            "the break names its event: {listed}"
        );
        let doctor = Command::new(common::bin())
            .args(["--db", copy.to_str().unwrap(), "doctor"])
            .output()
            .unwrap();
        assert_eq!(doctor.status.code(), Some(8));
        assert!(String::from_utf8_lossy(&doctor.stdout).contains("FAIL audit"));
        std::fs::remove_file(&copy).unwrap();
    }
    let doctor = db.ok(&["doctor"]);
    assert!(doctor.lines().all(|l| l.starts_with("ok")), "{doctor}");
}

#[test]
fn export_and_import_carry_the_chain() {
    let db = Db::new();
    db.ok(&["demo"]);
    let file = db.dir.path().join("x.json");
    db.ok(&["export", file.to_str().unwrap()]);
    let copy = Db::new();
    copy.ok(&["import", file.to_str().unwrap()]);
    let a = db.ok(&["verify"]);
    let b = copy.ok(&["verify"]);
    assert_eq!(a, b, "same chain, same head");
}

#[test]
fn a_backup_is_a_checked_copy() {
    let db = ready();
    db.ok(&["baseline", "t", "instr", "5", "--at", "2026-10-01"]);
    let target = db.dir.path().join("copy.db");
    let out = db.ok(&["backup", target.to_str().unwrap()]);
    assert!(out.contains("(checked)"), "{out}");
    let out = Command::new(common::bin())
        .args(["--db", target.to_str().unwrap(), "export"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), db.ok(&["export"]));
    let err = db.refused(&["backup", "/nonexistent-dir/x.db"], 7);
    assert!(err.contains("the folder does not exist"), "{err}");
}

#[test]
fn control_characters_in_notes_and_reasons_never_reach_the_terminal() {
    let db = ready();
    db.ok(&[
        "loop",
        "note",
        "t",
        "instr",
        "line one\nline \u{1b}[2J two \u{202e}",
    ]);
    db.ok(&[
        "baseline",
        "t",
        "instr",
        "5",
        "--at",
        "2026-10-01",
        "--note",
        "\u{1b}]52;c;eA==\u{7}",
    ]);
    db.ok(&[
        "kill",
        "trip",
        "t",
        "instr",
        "--reason",
        "why\u{9b}6n",
        "--evidence",
        "\u{2066}x",
    ]);
    for args in [
        vec!["loop", "show", "t", "instr"],
        vec!["review"],
        vec!["log"],
        vec!["review", "--markdown"],
    ] {
        let out = db.ok(&args);
        assert!(
            !out.chars()
                .any(|c| c != '\n' && jobloop::display::is_unsafe(c)),
            "{args:?}: {out:?}"
        );
    }
}

/// A small tmpfs mounted on `dir` until the guard is dropped; `None` (the test is skipped, with
/// a printed reason) where mounting needs rights this machine does not grant.
fn small_disk(dir: &std::path::Path, size: &str) -> Option<impl Drop> {
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !mounted {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root and mount rights)");
        return None;
    }
    struct Unmount(std::path::PathBuf);
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(&self.0).status();
        }
    }
    Some(Unmount(dir.to_path_buf()))
}

/// An import that fills the disk half-way is an I/O failure (exit 7), not a bad file, and
/// leaves nothing behind.
#[test]
fn an_import_that_fills_the_disk_is_an_io_failure() {
    let dir = tempfile::tempdir().unwrap();
    let Some(_unmount) = small_disk(dir.path(), "4m") else {
        return;
    };
    let elsewhere = tempfile::tempdir().unwrap();
    let source = elsewhere.path().join("demo.db");
    let export = elsewhere.path().join("demo.json");
    for args in [
        vec!["demo", "--jobs", "40", "--weeks", "52"],
        vec!["export", export.to_str().unwrap()],
    ] {
        let out = Command::new(common::bin())
            .args(["--db", source.to_str().unwrap(), "--as", "t"])
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    let out = Command::new(common::bin())
        .args(["--db", dir.path().join("new.db").to_str().unwrap()])
        .args(["import", export.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(7), "{err}");
    assert!(
        err.contains("disk is full") && !err.contains("not a valid"),
        "{err}"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_full_disk_is_reported_and_the_earlier_data_is_intact() {
    let dir = tempfile::tempdir().unwrap();
    let Some(_unmount) = small_disk(dir.path(), "600k") else {
        return;
    };
    let path = dir.path().join("full.db");
    let run = |args: &[&str]| {
        Command::new(common::bin())
            .args(["--db", path.to_str().unwrap(), "--as", "t"])
            .args(args)
            .output()
            .unwrap()
    };
    assert!(
        run(&["job", "add", "Triage", "--slug", "t"])
            .status
            .success()
    );
    assert!(
        run(&["metric", "set", "t", "instr", "h", "--better", "lower"])
            .status
            .success()
    );
    let big = "x".repeat(1900);
    let mut acknowledged = 0;
    let mut refusal = String::new();
    for _ in 0..2000 {
        let out = run(&["measure", "t", "instr", "1", "--note", &big]);
        if out.status.success() {
            acknowledged += 1;
        } else {
            refusal = String::from_utf8_lossy(&out.stderr).into_owned();
            break;
        }
    }
    assert!(!refusal.is_empty(), "the disk never filled");
    assert!(
        refusal.contains("disk is full") || refusal.contains("database"),
        "{refusal}"
    );
    assert_eq!(refusal.lines().count(), 1, "{refusal}");
    let review = run(&["review", "--json"]);
    assert!(review.status.success());
    let r: serde_json::Value = serde_json::from_slice(&review.stdout).unwrap();
    assert_eq!(r["jobs"][0]["loops"][2]["live_n"], acknowledged);
}

#[test]
fn a_review_taken_during_writes_sees_one_moment_of_the_file() {
    // The review reads values on a second connection; it must never mix two commits. Writer, on
    // fresh jobs: metric `a` with a baseline of 5, then metric `b` (replacing `a`) with a
    // baseline of 7. A mixed read would pair one metric with the other's values.
    use jobloop::domain::model::{Better, Measures, Phase};
    use jobloop::domain::{Ctx, Intent, LoopKind, LoopOp, Stamp, When};
    use jobloop::store::{Missing, Store};
    let db = Db::new();
    db.ok(&["init"]);
    let path = db.path.clone();
    let writer = std::thread::spawn(move || {
        let mut s = Store::open(&path, Missing::Refuse).unwrap();
        let ctx = || Ctx::local("w", Stamp::now());
        let kind = LoopKind::Instrument;
        let at = When::parse("2026-01-05").unwrap();
        for i in 0..150 {
            let slug = format!("job-{i}");
            let add = Intent::AddJob {
                title: format!("Job {i}"),
                slug: Some(slug.clone()),
                statement: None,
                owner: None,
                since: None,
            };
            s.apply(&ctx(), &add).unwrap();
            for (name, value, replace) in [("a", 5.0, false), ("b", 7.0, true)] {
                let on = |op| Intent::OnLoop {
                    slug: slug.clone(),
                    kind,
                    op,
                };
                s.apply(
                    &ctx(),
                    &on(LoopOp::SetMetric {
                        name: name.into(),
                        unit: String::new(),
                        better: Better::Lower,
                        measures: Measures::Outcome,
                        replace,
                        target: None,
                        reason: None,
                        shown: None,
                        target_was: None,
                    }),
                )
                .unwrap();
                s.apply(&ctx(), &on(LoopOp::value(Phase::Baseline, value, at)))
                    .unwrap();
            }
        }
    });
    let mut reader = Store::open(&db.path, Missing::Refuse).unwrap();
    let mut reviews = 0;
    while !writer.is_finished() {
        let r = reader.board().unwrap().review(Stamp::now());
        for j in &r.jobs {
            let l = &j.loops[2];
            if let (Some(m), Some(b)) = (&l.metric, &l.baseline) {
                let expected = if m.name == "a" { 5.0 } else { 7.0 };
                assert_eq!(
                    b.mean, expected,
                    "{}: metric {} with the other metric's values — a mixed read",
                    j.slug, m.name
                );
            }
        }
        reviews += 1;
    }
    writer.join().unwrap();
    assert!(reviews > 0);
}

/// A store kept open (the TUI's) while its file is deleted, or replaced by a restored backup,
/// acknowledges no write it cannot keep: the write is refused, nothing lands in a file nobody
/// can open or beside a file it does not belong to.
#[test]
fn a_file_deleted_or_replaced_while_open_takes_no_write() {
    use jobloop::domain::intent::{Intent, LoopOp};
    use jobloop::domain::{Ctx, LoopKind};
    use jobloop::store::{Missing, Store};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let owner = |name: &str| Intent::OnLoop {
        slug: "job".into(),
        kind: LoopKind::Understand,
        op: LoopOp::assign_owner(name),
    };
    let ctx = || Ctx::local("tester", jobloop::domain::time::Stamp::now());
    let mut s = Store::open(&path, Missing::Create).unwrap();
    s.apply(
        &ctx(),
        &Intent::AddJob {
            title: "Job".into(),
            slug: None,
            statement: None,
            owner: None,
            since: None,
        },
    )
    .unwrap();
    // Replaced: a backup restored over it with `mv`.
    let backup = dir.path().join("b.db");
    Store::open(&path, Missing::Refuse)
        .unwrap()
        .backup(&backup, false)
        .unwrap();
    std::fs::rename(&backup, &path).unwrap();
    let restored = read(&path);
    let err = s.apply(&ctx(), &owner("Ghost")).unwrap_err().to_string();
    assert!(err.contains("replaced while open"), "{err}");
    assert_eq!(
        read(&path),
        restored,
        "nothing was written into the restored file"
    );
    // Deleted.
    for f in ["t.db", "t.db-wal", "t.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(f));
    }
    let err = s.apply(&ctx(), &owner("Ghost")).unwrap_err().to_string();
    assert!(err.contains("moved or deleted while open"), "{err}");
}

/// A backup copied over the open file (same inode, other pages under the open WAL) makes the
/// next write fail as damage; the failed write must not keep the file locked, or every other
/// program (and the `doctor` the message recommends) waits on a lock nobody will release.
#[test]
fn a_write_that_meets_damage_leaves_the_file_unlocked() {
    use jobloop::domain::intent::Intent;
    use jobloop::domain::{Ctx, LoopKind, LoopOp};
    use jobloop::store::{Missing, Store};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let ctx = || Ctx::local("tester", jobloop::domain::time::Stamp::now());
    let job = |title: &str| Intent::AddJob {
        title: title.into(),
        slug: None,
        statement: None,
        owner: None,
        since: None,
    };
    let backup = dir.path().join("b.db");
    {
        let mut first = Store::open(&path, Missing::Create).unwrap();
        for i in 0..20 {
            first.apply(&ctx(), &job(&format!("Job {i}"))).unwrap();
        }
        first.backup(&backup, false).unwrap();
        first.apply(&ctx(), &job("Later")).unwrap();
    }
    // The TUI is open on the file when the backup is copied over it.
    let mut s = Store::open(&path, Missing::Refuse).unwrap();
    std::fs::copy(&backup, &path).unwrap();
    let owner = Intent::OnLoop {
        slug: "job-0".into(),
        kind: LoopKind::Understand,
        op: LoopOp::assign_owner("Ghost"),
    };
    let err = s.apply(&ctx(), &owner);
    // Whatever the write met, the lock is free at once for the next program.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.busy_timeout(std::time::Duration::ZERO).unwrap();
    // Opening it in write-ahead mode again takes the file whole: nobody may hold it.
    let free = other.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0));
    assert!(
        free.is_ok(),
        "after {err:?} the file stays locked: {free:?}"
    );
}

/// A valid backup copied over an open file (same name and inode, no longer in write-ahead
/// mode): the open store notices at its next look, lets go of the file and says so, and every
/// other program can open it at once (switching it back to write-ahead mode needs it alone).
#[test]
fn a_backup_copied_over_an_open_file_is_let_go_at_the_next_look() {
    use jobloop::domain::Ctx;
    use jobloop::domain::intent::Intent;
    use jobloop::store::{Missing, Store};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let ctx = || Ctx::local("tester", jobloop::domain::time::Stamp::now());
    let backup = dir.path().join("b.db");
    {
        let mut first = Store::open(&path, Missing::Create).unwrap();
        first
            .apply(
                &ctx(),
                &Intent::AddJob {
                    title: "Job".into(),
                    slug: None,
                    statement: None,
                    owner: None,
                    since: None,
                },
            )
            .unwrap();
        first.backup(&backup, false).unwrap();
    }
    let mut s = Store::open(&path, Missing::Refuse).unwrap();
    s.data_version().unwrap();
    std::fs::copy(&backup, &path).unwrap();
    let err = s.data_version().unwrap_err().to_string();
    assert!(err.contains("was replaced while open"), "{err}");
    let other = rusqlite::Connection::open(&path).unwrap();
    other.busy_timeout(std::time::Duration::ZERO).unwrap();
    let mode: String = other
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    drop(other);
    Store::open(&path, Missing::Refuse)
        .unwrap()
        .board()
        .unwrap();
}
