//! The database file: where it lives, who may read it, what is refused and left untouched,
//! export and import.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{Db, bin, read};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

#[test]
fn a_new_database_is_private_and_identified() {
    let db = Db::new();
    db.ok(&["job", "add", "Job"]);
    let mode = std::fs::metadata(&db.path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let app: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(app, jobloop::store::APPLICATION_ID);
    assert_eq!(version, jobloop::store::SCHEMA_VERSION);
    assert_eq!(journal, "wal");
}

#[test]
fn the_default_path_follows_xdg_and_can_be_overridden() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let run = |envs: &[(&str, &std::path::Path)], args: &[&str]| {
        let mut c = Command::new(bin());
        c.env_remove("JOBLOOP_DB")
            .env_remove("XDG_DATA_HOME")
            .env("HOME", home.path())
            .env("JOBLOOP_USER", "t");
        for (k, v) in envs {
            c.env(k, v);
        }
        let out = c.args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[], &["job", "add", "In home"]);
    assert!(home.path().join(".local/share/jobloop/jobloop.db").exists());
    let dir_mode = std::fs::metadata(home.path().join(".local/share/jobloop"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(dir_mode, 0o700);
    run(&[("XDG_DATA_HOME", &data)], &["job", "add", "In xdg"]);
    assert!(data.join("jobloop/jobloop.db").exists());
    let explicit = home.path().join("explicit.db");
    run(&[("JOBLOOP_DB", &explicit)], &["job", "add", "In env"]);
    assert!(explicit.exists());
}

#[test]
fn the_actor_comes_from_as_then_jobloop_user_then_user() {
    let db = Db::new();
    db.ok(&["job", "add", "Job"]);
    db.ok(&["--as", "Rita", "loop", "owner", "job", "govern", "A"]);
    let out = db
        .cmd()
        .env_remove("JOBLOOP_USER")
        .env("USER", "unixname")
        .args(["loop", "owner", "job", "govern", "B"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let log = db.json(&["log", "--json"]);
    let actors: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(actors, ["unixname", "Rita", "tester"]);
}

#[test]
fn garbage_is_refused_and_left_untouched() {
    let db = Db::new();
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    std::fs::write(&db.path, &garbage).unwrap();
    let err = db.refused(&["review"], 4);
    assert!(err.contains("not a jobloop database"), "{err}");
    db.refused(&["job", "add", "x"], 4);
    assert_eq!(read(&db.path), garbage);
}

#[test]
fn a_truncated_database_is_refused() {
    let db = Db::new();
    db.ok(&["demo"]);
    let bytes = read(&db.path);
    std::fs::write(&db.path, &bytes[..10]).unwrap();
    db.refused(&["review"], 4);
    assert_eq!(read(&db.path), &bytes[..10]);
}

#[test]
fn another_programs_sqlite_file_is_refused_and_left_untouched() {
    let db = Db::new();
    {
        let conn = rusqlite::Connection::open(&db.path).unwrap();
        conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');")
            .unwrap();
    }
    let before = read(&db.path);
    let err = db.refused(&["job", "add", "x"], 4);
    assert!(err.contains("belongs to another program"), "{err}");
    assert_eq!(read(&db.path), before);
}

#[test]
fn a_newer_schema_is_refused_and_left_untouched() {
    let db = Db::new();
    db.ok(&["job", "add", "Job"]);
    {
        let conn = rusqlite::Connection::open(&db.path).unwrap();
        conn.pragma_update(None, "user_version", jobloop::store::SCHEMA_VERSION + 1)
            .unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = read(&db.path);
    let err = db.refused(&["review"], 4);
    assert!(err.contains("newer jobloop"), "{err}");
    db.refused(&["job", "add", "Other"], 4);
    assert_eq!(read(&db.path), before);
}

#[test]
fn an_empty_file_needs_init() {
    let db = Db::new();
    std::fs::write(&db.path, b"").unwrap();
    let err = db.refused(&["review"], 4);
    assert!(
        err.contains("jobloop --db") && err.contains("init"),
        "{err}"
    );
    assert_eq!(read(&db.path).len(), 0);
    let out = db.ok(&["init"]);
    assert!(out.contains("initialised"), "{out}");
    db.ok(&["job", "add", "Job"]);
    assert!(db.ok(&["init"]).contains("already a jobloop database"));
}

/// The columns of every table, as SQLite reports them: two databases with the same answer have
/// the same schema, however they got there.
fn columns(path: &std::path::Path) -> Vec<(String, String)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables.sort();
    let mut out = Vec::new();
    for t in tables {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT name, type FROM pragma_table_info('{t}') ORDER BY name"
            ))
            .unwrap();
        for c in stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap()
        {
            let (name, ty) = c.unwrap();
            out.push((format!("{t}.{name}"), ty));
        }
    }
    out
}

/// Writes a version-1 database (the first schema, kept in tests/fixtures) with one job in it.
fn version_1_file(path: &std::path::Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(include_str!("fixtures/schema_v1.sql"))
        .unwrap();
    conn.execute_batch(
        "INSERT INTO jobs (id, slug, title, created_at, rev) VALUES ('j1', 'old-job', 'Old job', '2026-01-05T09:00:00.000Z', 1);
         INSERT INTO loops (id, job_id, kind, position, status, owner, rev) VALUES
           ('l1', 'j1', 'understand', 1, 'open', 'Ana', 1), ('l2', 'j1', 'redesign', 2, 'not_started', NULL, 1),
           ('l3', 'j1', 'instrument', 3, 'not_started', NULL, 1), ('l4', 'j1', 'govern', 4, 'not_started', NULL, 1),
           ('l5', 'j1', 'improve', 5, 'not_started', NULL, 1), ('l6', 'j1', 'distribute', 6, 'not_started', NULL, 1);
         INSERT INTO kill_signals (id, loop_id, n, text, canonical, state, created_at) VALUES
           ('k1', 'l1', 1, 'old signal', 1, 'armed', '2026-01-05T09:00:00.000Z');",
    )
    .unwrap();
    conn.pragma_update(None, "application_id", jobloop::store::APPLICATION_ID)
        .unwrap();
    conn.pragma_update(None, "user_version", 1).unwrap();
}

#[test]
fn a_version_1_database_is_migrated_once_with_a_backup_and_keeps_its_records() {
    let db = Db::new();
    version_1_file(&db.path);
    let review = db.json(&["review", "--json"]);
    assert_eq!(review["jobs"][0]["slug"], "old-job");
    assert_eq!(review["jobs"][0]["loops"][0]["owner"], "Ana");
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, jobloop::store::SCHEMA_VERSION);
    // The backup is the untouched version-1 file.
    let backup = db.dir.path().join("jobloop.db.v1.bak");
    let old = rusqlite::Connection::open(&backup).unwrap();
    let v: i64 = old
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 1);
    // Migrated and fresh databases have the same tables and columns.
    let fresh = Db::new();
    fresh.ok(&["init"]);
    assert_eq!(columns(&db.path), columns(&fresh.path));
    // And the new tables work on the migrated file.
    db.ok(&["tool", "old-job", "Zapier"]);
}

#[test]
fn two_processes_migrating_one_old_file_migrate_it_once() {
    for _ in 0..5 {
        let db = Db::new();
        version_1_file(&db.path);
        let children: Vec<_> = (0..2)
            .map(|i| {
                db.cmd()
                    .args(["loop", "owner", "old-job", "govern", &format!("Owner {i}")])
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut c in children {
            assert!(c.wait().unwrap().success());
        }
        let conn = rusqlite::Connection::open(&db.path).unwrap();
        let rule_columns: i64 = conn
            .query_row(
                "SELECT count(*) FROM pragma_table_info('kill_signals') WHERE name = 'rule'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(rule_columns, 1);
        let log = db.json(&["log", "--json"]);
        assert_eq!(log.as_array().unwrap().len(), 2);
        assert_eq!(columns(&db.path), {
            let fresh = Db::new();
            fresh.ok(&["init"]);
            columns(&fresh.path)
        });
    }
}

#[test]
fn many_processes_creating_one_new_file_all_succeed() {
    let db = Db::new();
    let children: Vec<_> = (0..6)
        .map(|i| {
            db.cmd()
                .args(["job", "add", &format!("Job {i}")])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let jobs = db.json(&["job", "list", "--json"]);
    assert_eq!(jobs.as_array().unwrap().len(), 6);
    let log = db.json(&["log", "--json"]);
    assert_eq!(log.as_array().unwrap().len(), 6);
}

#[test]
fn export_then_import_restores_everything() {
    let db = Db::new();
    db.ok(&["demo"]);
    db.ok(&[
        "kill",
        "trip",
        "support-triage",
        "govern",
        "--reason",
        "unread policy",
    ]);
    let first = db.ok(&["export"]);
    // `-` is standard output, as for `import -`.
    assert_eq!(db.ok(&["export", "-"]), first);
    let file = db.dir.path().join("export.json");
    let out = db.run(&["export", file.to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), first);

    let copy = Db::new();
    let out = copy.ok(&["import", file.to_str().unwrap()]);
    assert!(out.contains("imported 3 jobs"), "{out}");
    assert_eq!(copy.ok(&["export"]), first);
    assert_eq!(
        copy.ok(&["review", "--json"]).len(),
        db.ok(&["review", "--json"]).len()
    );

    // Importing the same file again changes nothing; a different file is refused.
    let out = copy.ok(&["import", file.to_str().unwrap()]);
    assert!(out.contains("nothing changed"), "{out}");
    assert_eq!(copy.ok(&["export"]), first);
    let other = Db::new();
    other.ok(&["job", "add", "Other"]);
    let err = other.refused(&["import", file.to_str().unwrap()], 1);
    assert!(err.contains("already holds other records"), "{err}");
}

#[test]
fn malformed_imports_are_refused_whole() {
    let db = Db::new();
    db.ok(&["demo"]);
    let good: serde_json::Value = db.json(&["export"]);
    let target = Db::new();
    target.ok(&["init"]);
    let file = target.dir.path().join("in.json");
    let try_import = |doc: &str| -> String {
        std::fs::write(&file, doc).unwrap();
        target.refused(&["import", file.to_str().unwrap()], 1)
    };

    assert!(try_import("{not json").contains("not a valid jobloop export"));
    assert!(try_import("[]").contains("not a valid jobloop export"));

    let mut wrong_type = good.clone();
    wrong_type["values"][0]["value"] = serde_json::json!("seven");
    assert!(try_import(&wrong_type.to_string()).contains("not a valid jobloop export"));

    let mut dangling = good.clone();
    dangling["steps"][0]["loop_id"] = serde_json::json!("nope");
    assert!(try_import(&dangling.to_string()).contains("not in the file"));

    let mut duplicate = good.clone();
    let first_value = duplicate["values"][0].clone();
    duplicate["values"]
        .as_array_mut()
        .unwrap()
        .push(first_value);
    assert!(try_import(&duplicate.to_string()).contains("appears twice"));

    let mut bad_enum = good.clone();
    bad_enum["loops"][0]["status"] = serde_json::json!("paused");
    assert!(try_import(&bad_enum.to_string()).contains("not a valid jobloop export"));

    let mut tampered = good.clone();
    tampered["audit_events"][3]["summary"] = serde_json::json!("nothing to see");
    assert!(try_import(&tampered.to_string()).contains("audit event 4 was edited"));

    let mut huge = good.clone();
    huge["jobs"][0]["title"] = serde_json::json!("x".repeat(100_000));
    assert!(try_import(&huge.to_string()).contains("the limit is 200"));

    let mut unknown = good.clone();
    unknown["extra"] = serde_json::json!(1);
    assert!(try_import(&unknown.to_string()).contains("`extra` is not a section"));

    std::fs::write(&file, good.to_string()).unwrap();
    target.ok(&["import", file.to_str().unwrap()]);
}

#[test]
fn control_characters_never_reach_the_terminal_but_json_keeps_them() {
    let db = Db::new();
    let title = "Evil\u{1b}]52;c;cHduZWQ=\u{7} \u{1b}[2J title \u{202e}txt.exe";
    db.ok(&["job", "add", title, "--slug", "evil"]);
    db.ok(&[
        "kill",
        "trip",
        "evil",
        "govern",
        "--reason",
        "bad\u{9b}31m\u{7f}",
    ]);
    // An owner's name with control characters is refused as typed; one edited into the file
    // is still shown harmlessly.
    db.refused(&["loop", "owner", "evil", "govern", "Mallory\u{1b}[31m"], 2);
    if !db.shared() {
        rusqlite::Connection::open(&db.path)
            .unwrap()
            .execute_batch(
                "UPDATE loops SET owner = 'Mallory' || char(27) || '[31m' WHERE kind = 'govern'",
            )
            .unwrap();
    }
    for args in [
        vec!["review"],
        vec!["review", "--markdown"],
        vec!["job", "list"],
        vec!["job", "show", "evil"],
        vec!["loop", "show", "evil", "govern"],
        vec!["log"],
    ] {
        let out = db.ok(&args);
        for c in out.chars() {
            assert!(
                c == '\n' || !(c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
                "{args:?} printed {:?}",
                c
            );
        }
        assert!(out.contains("\\u{1b}"), "{args:?}: {out}");
    }
    let json = db.json(&["review", "--json"]);
    assert_eq!(json["jobs"][0]["title"], title);
    // Errors echo user input too.
    let err = db.refused(&["loop", "show", "ev\u{1b}[2Jil", "govern"], 1);
    assert!(!err.trim_end().chars().any(char::is_control), "{err:?}");
}
