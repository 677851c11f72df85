//! Damage is named: an undecodable row, an edited, deleted or inserted record, an export that
//! disagrees with its own trail: `verify`, `doctor` and `import` each say which and what to do.
//! Each fault is caused here, on this machine, against the real binary (or the library where
//! thousands of cases are needed); each test checks the one-line message, the exit code, and
//! that nothing recorded was lost or changed.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::file_db::{FileDb as Db, *};
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

#[test]
fn an_undecodable_value_or_date_is_named_and_doctor_says_what_to_do() {
    let db = Db::measured();
    let id = one(&db.path, "SELECT id FROM metric_values ORDER BY at LIMIT 1");
    for (sql, why) in [
        (
            format!("UPDATE metric_values SET at = '2026-02-30' WHERE id = '{id}'"),
            "is not a date",
        ),
        (
            format!("UPDATE metric_values SET value = 9e999 WHERE id = '{id}'"),
            "not a finite number",
        ),
    ] {
        let copy = Db::new();
        std::fs::copy(&db.path, &copy.path).unwrap();
        sqlite(&copy.path, &sql);
        // The review still works, or names the table and the record.
        for args in [
            vec!["review"],
            vec!["review", "--json"],
            vec!["loop", "show", "t", "instr"],
        ] {
            let out = copy.run(&args);
            if !out.status.success() {
                let err = error_line(&out, 4, &format!("{sql}: {args:?}"));
                assert!(
                    err.contains("values") && err.contains(&id),
                    "{args:?}: {err}"
                );
            }
        }
        let out = copy.run(&["doctor"]);
        let listed = String::from_utf8_lossy(&out.stdout);
        let err = error_line(&out, 8, &format!("doctor after {sql}"));
        assert!(err.contains("doctor found problems"), "{err}");
        assert!(
            listed.contains("FAIL readable")
                && listed.contains("restore those records from a backup"),
            "{sql}: {listed}"
        );
        assert!(
            listed.contains(&format!("metric_values `{id}` cannot be read"))
                && listed.contains(why),
            "{sql}: {listed}"
        );
        let out = copy.run(&["verify"]);
        let err = error_line(&out, 8, &format!("verify after {sql}"));
        assert!(err.contains(&id), "{err}");
    }
}

/// A demo database (3 jobs, 8 weeks) with one replaced metric, as a pristine file to copy.
fn demo_file() -> Db {
    let db = Db::new();
    db.ok(&["demo", "--jobs", "3", "--weeks", "8"]);
    db.ok(&[
        "metric",
        "replace",
        "support-triage",
        "instr",
        "first answer",
        "--reason",
        "the median hid the slow tail",
        "--better",
        "lower",
    ]);
    db
}

/// Copies `pristine`, runs `sql` on the copy with the `sqlite3` shell, and returns the copy.
fn tampered(pristine: &Db, sql: &str) -> Db {
    let copy = Db::new();
    std::fs::copy(&pristine.path, &copy.path).unwrap();
    sqlite(&copy.path, sql);
    copy
}

#[test]
fn doctor_lists_an_undecodable_row_of_any_table() {
    let pristine = demo_file();
    for (table, column) in [
        ("jobs", "created_at"),
        ("steps", "done_at"),
        ("kill_signals", "created_at"),
        ("decisions", "at"),
        ("cycles", "closed_at"),
        ("tools", "at"),
        ("proofs", "at"),
        ("learnings", "at"),
        ("interventions", "at"),
        ("metrics", "set_at"),
    ] {
        let id = one(
            &pristine.path,
            &format!("SELECT id FROM {table} WHERE {column} IS NOT NULL ORDER BY id LIMIT 1"),
        );
        let copy = tampered(
            &pristine,
            &format!("UPDATE {table} SET {column} = 'garbage' WHERE id = '{id}'"),
        );
        let out = copy.run(&["doctor"]);
        let listed = String::from_utf8_lossy(&out.stdout).into_owned();
        error_line(&out, 8, &format!("doctor, {table}.{column}"));
        assert!(
            listed.contains("FAIL readable") && listed.contains(&id),
            "{table}: {listed}"
        );
        let out = copy.run(&["verify"]);
        error_line(&out, 8, &format!("verify, {table}.{column}"));
    }
}

// ---------------------------------------------------------------------------------------------
// 5. verify sees every record.
// ---------------------------------------------------------------------------------------------

/// SQL that inserts a copy of row `id` of `table` under a new id, with `overrides` (column, SQL
/// expression) so that unique constraints hold; returns the SQL and the new id.
fn forge(db: &Path, table: &str, id: &str, overrides: &[(&str, &str)]) -> (String, String) {
    let columns = query(
        db,
        &format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
    );
    let new_id = format!("forged-{id}");
    let values: Vec<String> = columns
        .iter()
        .map(|c| {
            if c == "id" {
                format!("'{new_id}'")
            } else if let Some((_, v)) = overrides.iter().find(|(k, _)| k == c) {
                v.to_string()
            } else {
                c.clone()
            }
        })
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {table} WHERE id = '{id}'",
        columns.join(", "),
        values.join(", ")
    );
    (sql, new_id)
}

/// `slug/kind` of a loop, as verify names it.
fn loop_name(db: &Path, loop_id: &str) -> String {
    one(
        db,
        &format!(
            "SELECT j.slug || '/' || l.kind FROM loops l JOIN jobs j ON j.id = l.job_id WHERE l.id = '{loop_id}'"
        ),
    )
}

// long: a table of edits, deletions and insertions, one per table of the schema, each checked
// for how verify names it; the table is the test
#[test]
fn verify_names_every_edited_deleted_or_inserted_record() {
    let pristine = demo_file();
    let p = &pristine.path;
    assert_eq!(pristine.run(&["verify"]).status.code(), Some(0));
    let first = |table: &str, filter: &str| {
        one(
            p,
            &format!("SELECT id FROM {table} WHERE {filter} ORDER BY id LIMIT 1"),
        )
    };
    let mut cases: Vec<(String, String, Vec<String>)> = Vec::new();
    // Records verify names by their own table and id.
    for (table, filter, edit, overrides) in [
        ("metric_values", "1", "value = value + 1", vec![]),
        (
            "interventions",
            "1",
            "description = 'not what happened'",
            vec![],
        ),
        ("decisions", "1", "owner = 'Mallory'", vec![]),
        (
            "cycles",
            "1",
            "understanding = 1 - understanding",
            vec![("week", "'2001-W01'")],
        ),
        ("tools", "1", "name = 'Other tool'", vec![]),
        ("proofs", "1", "link = 'https://evil.example'", vec![]),
        ("learnings", "1", "text = 'never learnt'", vec![]),
        (
            "metrics",
            "replaced_at IS NOT NULL",
            "better = 'higher'",
            vec![],
        ),
    ] {
        let id = first(table, filter);
        let named = |id: &str| vec![format!("{table} `{id}`")];
        cases.push((
            format!("UPDATE {table} SET {edit} WHERE id = '{id}'"),
            "is not what the audit trail recorded".into(),
            named(&id),
        ));
        cases.push((
            format!("DELETE FROM {table} WHERE id = '{id}'"),
            "was deleted behind jobloop's back".into(),
            named(&id),
        ));
        let (sql, new_id) = forge(p, table, &id, &overrides);
        cases.push((sql, "has no audit event".into(), named(&new_id)));
    }
    // Steps, kill signals and the metric in force are part of their loop's record: verify names
    // the loop.
    for (table, edit, overrides) in [
        (
            "steps",
            "evidence = 'forged evidence'",
            vec![("n", "n + 100")],
        ),
        (
            "kill_signals",
            "text = 'never armed'",
            vec![("n", "n + 100")],
        ),
    ] {
        let id = first(table, "1");
        let lp = loop_name(
            p,
            &one(p, &format!("SELECT loop_id FROM {table} WHERE id = '{id}'")),
        );
        let named = vec![format!("loops `{lp}`")];
        cases.push((
            format!("UPDATE {table} SET {edit} WHERE id = '{id}'"),
            "is not what the audit trail recorded".into(),
            named.clone(),
        ));
        cases.push((
            format!("DELETE FROM {table} WHERE id = '{id}'"),
            "is not what the audit trail recorded".into(),
            named.clone(),
        ));
        let (sql, _) = forge(p, table, &id, &overrides);
        cases.push((sql, "is not what the audit trail recorded".into(), named));
    }
    let current = first("metrics", "replaced_at IS NULL");
    let lp = loop_name(
        p,
        &one(
            p,
            &format!("SELECT loop_id FROM metrics WHERE id = '{current}'"),
        ),
    );
    cases.push((
        format!("UPDATE metrics SET name = 'easier metric' WHERE id = '{current}'"),
        "is not what the audit trail recorded".into(),
        vec![format!("loops `{lp}`")],
    ));
    // Jobs and loops.
    let job = first("jobs", "1");
    let slug = one(p, &format!("SELECT slug FROM jobs WHERE id = '{job}'"));
    cases.push((
        format!("UPDATE jobs SET title = 'Renamed' WHERE id = '{job}'"),
        "is not what the audit trail recorded".into(),
        vec![format!("jobs `{slug}`")],
    ));
    cases.push((
        format!("DELETE FROM jobs WHERE id = '{job}'"),
        "was deleted behind jobloop's back".into(),
        vec![format!("jobs `{job}`"), format!("jobs `{slug}`")],
    ));
    let (sql, _) = forge(p, "jobs", &job, &[("slug", "'forged-job'")]);
    cases.push((
        sql,
        "has no audit event".into(),
        vec!["jobs `forged-job`".into()],
    ));
    let lp_id = first("loops", "owner IS NOT NULL");
    let lp = loop_name(p, &lp_id);
    let (lp_job, lp_kind) = lp.split_once('/').unwrap();
    let lp_job_id = one(p, &format!("SELECT job_id FROM loops WHERE id = '{lp_id}'"));
    cases.push((
        format!("UPDATE loops SET owner = 'Mallory' WHERE id = '{lp_id}'"),
        "is not what the audit trail recorded".into(),
        vec![format!("loops `{lp}`")],
    ));
    cases.push((
        format!("DELETE FROM loops WHERE id = '{lp_id}'"),
        "was deleted behind jobloop's back".into(),
        vec![
            format!("loops `{lp}`"),
            format!("loops `{lp_job_id}/{lp_kind}`"),
        ],
    ));
    let _ = lp_job;

    assert!(cases.len() >= 36, "{}", cases.len());
    for (sql, wrong, named) in &cases {
        let copy = tampered(&pristine, sql);
        let out = copy.run(&["verify"]);
        let listed = String::from_utf8_lossy(&out.stdout).into_owned();
        let err = error_line(&out, 8, sql);
        assert!(err.contains("verify found"), "{sql}: {err}");
        let line = listed
            .lines()
            .find(|l| named.iter().any(|n| l.contains(n.as_str())) && l.contains(wrong.as_str()));
        assert!(
            line.is_some(),
            "{sql}: expected one of {named:?} with `{wrong}` in:\n{listed}"
        );
    }
}

#[test]
fn verify_reports_a_forged_job_with_some_of_its_loops() {
    let pristine = demo_file();
    let copy = tampered(
        &pristine,
        "INSERT INTO jobs (id, slug, title, created_at, rev) VALUES ('jz', 'zz', 'Forged', '2026-01-01T00:00:00.000Z', 1);
         INSERT INTO loops (id, job_id, kind, position, status, rev) VALUES ('lz', 'jz', 'govern', 4, 'open', 1);",
    );
    let out = copy.run(&["verify"]);
    error_line(&out, 8, "verify");
    assert!(String::from_utf8_lossy(&out.stdout).contains("jobs `zz`"));
    let out = copy.run(&["doctor"]);
    error_line(&out, 8, "doctor");
}

#[test]
fn a_demo_of_80_jobs_passes_verify_and_doctor() {
    let db = Db::new();
    let out = db.ok(&["demo", "--jobs", "80", "--weeks", "8"]);
    assert!(out.contains("80 jobs over 8 weeks"), "{out}");
    let verified = db.ok(&["verify"]);
    assert!(verified.starts_with("verified:"), "{verified}");
    let doctor = db.ok(&["doctor"]);
    assert!(doctor.lines().all(|l| l.starts_with("ok")), "{doctor}");
}

// ---------------------------------------------------------------------------------------------
// 6. Import.
// ---------------------------------------------------------------------------------------------

#[test]
fn an_export_that_disagrees_with_its_own_trail_is_refused_and_leaves_nothing() {
    let source = Db::measured();
    let mut doc: serde_json::Value = serde_json::from_str(&source.state()).unwrap();
    let id = doc["values"][0]["id"].as_str().unwrap().to_string();
    let v = doc["values"][0]["value"].as_f64().unwrap();
    doc["values"][0]["value"] = serde_json::json!(v + 1.0);
    let text = doc.to_string();
    let file = source.file("edited.json");
    std::fs::write(&file, &text).unwrap();

    let target = Db::new();
    let check = |err: &str| {
        assert!(
            err.contains("disagree with its own audit trail")
                && err.contains(&format!("metric_values `{id}`"))
                && err.contains("nothing was written"),
            "{err}"
        );
        assert!(
            names(target.dir.path()).is_empty(),
            "{:?}",
            names(target.dir.path())
        );
    };
    check(&target.fails(&["import", file.to_str().unwrap()], 1));
    let mut child = target
        .cmd()
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    check(&error_line(&out, 1, "import - (edited)"));
    // Into an existing empty database: refused, the file unchanged.
    target.ok(&["init"]);
    let bytes = std::fs::read(&target.path).unwrap();
    target.refused(&["import", file.to_str().unwrap()], 1);
    assert_eq!(std::fs::read(&target.path).unwrap(), bytes);
}

#[test]
fn import_dash_reads_standard_input_and_names_the_real_file() {
    let source = Db::measured();
    let text = source.state();
    let target = Db::new();
    let mut child = target
        .cmd()
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!("into {}", target.path.display())) && !said.contains("jobloop-tmp"),
        "the acknowledgement names a temporary file: {said}"
    );
    assert_eq!(target.state(), text);
    assert_eq!(names(target.dir.path()), ["jobloop.db"]);
}

/// Streams `head` then `fill` bytes repeated up to `total` bytes into `import -`; returns the
/// output, how many bytes jobloop took before it stopped reading, and how long it took.
fn stream_import(db: &Db, head: &[u8], fill: u8, total: usize) -> (Output, usize, Duration) {
    let start = Instant::now();
    let mut child = db
        .cmd()
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let head = head.to_vec();
    let writer = std::thread::spawn(move || {
        let mut sent = 0;
        if stdin.write_all(&head).is_err() {
            return sent;
        }
        sent += head.len();
        let chunk = vec![fill; 1 << 16];
        while sent < total {
            match stdin.write(&chunk[..chunk.len().min(total - sent)]) {
                Ok(n) => sent += n,
                Err(_) => break,
            }
        }
        sent
    });
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        out_pipe.read_to_end(&mut stdout).unwrap();
        stdout
    });
    err_pipe.read_to_end(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    let stdout = reader.join().unwrap();
    let sent = writer.join().unwrap();
    (
        Output {
            status,
            stdout,
            stderr,
        },
        sent,
        start.elapsed(),
    )
}

#[test]
fn an_input_far_larger_than_any_export_is_refused_before_it_is_read_whole() {
    const TOTAL: usize = 70 << 20;
    let db = Db::new();
    // 70 MiB of spaces, and a record whose title never ends.
    let cases: [(&[u8], u8); 2] = [
        (b"", b' '),
        (
            b"{\"format\":\"jobloop-export\",\"schema_version\":3,\"jobs\":[{\"id\":\"j\",\"title\":\"",
            b'x',
        ),
    ];
    for (head, fill) in cases {
        let (out, sent, took) = stream_import(&db, head, fill, TOTAL);
        let err = error_line(&out, 1, "import - (70 MiB)");
        assert!(err.contains("larger than any honest export"), "{err}");
        assert!(
            sent < 8 << 20,
            "jobloop read {} MiB of a 70 MiB record before refusing it",
            sent >> 20
        );
        assert!(took < Duration::from_secs(20), "{took:?}");
        assert!(
            names(db.dir.path()).is_empty(),
            "{:?}",
            names(db.dir.path())
        );
    }
    // A file larger than any export is refused by its size, before a byte is read (sparse: it
    // takes no room on disk).
    let big = db.file("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(17 << 30).unwrap();
    let used = std::fs::metadata(&big).unwrap().blocks() * 512;
    if used > 1 << 20 {
        eprintln!("skipped the 17 GiB file: this file system does not make sparse files");
    } else {
        let start = Instant::now();
        let err = db.fails(&["import", big.to_str().unwrap()], 1);
        assert!(err.contains("larger than any honest export"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(5));
        assert_eq!(names(db.dir.path()), ["big.json"]);
    }
}

/// An edit behind jobloop's back refuses the next write on both front ends, and each says what
/// helps in its own words: the store names the step (`verify`), not a command line.
#[test]
fn a_write_after_an_edit_is_refused_and_each_front_end_names_what_helps() {
    use common::screen;
    use jobloop::clock::Clock;
    use jobloop::store::{Missing, Store};
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    let db = Db::measured();
    sqlite(
        &db.path,
        "UPDATE loops SET owner = 'Mallory' WHERE kind = 'instrument'",
    );
    let before = one(&db.path, "SELECT CAST(count(*) AS TEXT) FROM metric_values");

    let out = db.run(&["measure", "t", "instr", "4"]);
    let err = error_line(&out, 8, "measure after an edit");
    assert!(
        err.contains("was changed behind jobloop's back")
            && err.contains("nothing was written: `jobloop verify` names every such record: restore a backup, or ask whoever edited it"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&db.path, Missing::Refuse).unwrap();
    let mut app = screen::app(
        store,
        Some("lead"),
        jobloop::tui::config::Theme::new(false),
        Clock::fixed(jobloop::domain::Stamp::parse("2026-02-02T09:00:00Z").unwrap()),
        (120, 40),
        dir.path(),
    );
    for k in [KeyCode::Right, KeyCode::Right, KeyCode::Char('m')] {
        screen::press(&mut app, k, KeyModifiers::NONE);
    }
    for c in "4".chars() {
        screen::press(&mut app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    screen::press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    let frame = screen::text(&mut app);
    assert!(
        frame.contains("nothing was written: quit, and `jobloop")
            && frame.contains("names every such record; restore a backup"),
        "the TUI names what helps in its words:\n{frame}"
    );
    assert_eq!(
        one(&db.path, "SELECT CAST(count(*) AS TEXT) FROM metric_values"),
        before,
        "nothing was written"
    );
}

/// Code planted in the file (a trigger that halves a value, drops a row or rewrites a verdict in
/// the derived state; a view) is never run by jobloop: an honest write stores what it
/// acknowledged, the board shows what the records say, `doctor` names each planted object and
/// `doctor --repair` drops them, records untouched.
#[test]
fn code_planted_in_the_file_bends_no_write_and_doctor_names_it() {
    let db = Db::measured();
    sqlite(
        &db.path,
        "CREATE TRIGGER bend AFTER INSERT ON metric_values BEGIN UPDATE metric_values SET value = value * 0.5, typed = NULL WHERE id = NEW.id; END;
         CREATE TRIGGER vanish BEFORE INSERT ON metric_values WHEN NEW.value > 90 BEGIN SELECT RAISE(IGNORE); END;
         CREATE TRIGGER deny BEFORE INSERT ON audit_events WHEN NEW.summary LIKE '%note%' BEGIN SELECT RAISE(ABORT, 'disk quota exceeded, call IT'); END;
         CREATE VIEW totals AS SELECT count(*) AS n FROM jobs;",
    );
    let out = db.run(&["doctor"]);
    assert_eq!(out.status.code(), Some(8));
    let doctor = String::from_utf8_lossy(&out.stdout).into_owned();
    for named in [
        "trigger `bend` on `metric_values`",
        "trigger `vanish` on `metric_values`",
        "trigger `deny` on `audit_events`",
        "view `totals`",
        "`jobloop doctor --repair` drops them",
    ] {
        assert!(doctor.contains(named), "{named}: {doctor}");
    }
    db.ok(&["measure", "t", "instr", "8"]);
    db.ok(&["measure", "t", "instr", "99"]);
    db.ok(&["loop", "note", "t", "instr", "a note"]);
    let stored = query(
        &db.path,
        "SELECT printf('%g', value) FROM metric_values WHERE phase = 'live' ORDER BY value",
    );
    assert_eq!(stored, ["8", "99"], "stored as acknowledged");
    db.ok(&["verify"]);
    db.ok(&["doctor", "--repair"]);
    db.ok(&["doctor"]);
    assert_eq!(
        one(
            &db.path,
            "SELECT CAST(count(*) AS TEXT) FROM sqlite_schema WHERE type IN ('trigger', 'view')"
        ),
        "0"
    );
}

/// A table redefined outside jobloop with a conflict clause (`ON CONFLICT REPLACE` deletes an
/// earlier record on a plain INSERT, `IGNORE` drops the new one) bends no write: every write is
/// refused, naming the table, nothing is written, and `doctor` names it.
#[test]
fn a_table_redefined_with_a_conflict_clause_bends_no_write() {
    for clause in ["REPLACE", "IGNORE"] {
        let db = Db::measured();
        let sql = one(
            &db.path,
            "SELECT sql FROM sqlite_schema WHERE name = 'metric_values'",
        );
        let at = sql.rfind(')').unwrap();
        let rebuilt = format!(
            "{}, UNIQUE (metric_id, phase) ON CONFLICT {clause}{}",
            &sql[..at],
            &sql[at..]
        )
        .replacen("CREATE TABLE metric_values", "CREATE TABLE mv_new", 1);
        sqlite(
            &db.path,
            &format!(
                "PRAGMA foreign_keys = OFF; BEGIN; {rebuilt}; INSERT INTO mv_new SELECT * FROM metric_values;
                 DROP TABLE metric_values; ALTER TABLE mv_new RENAME TO metric_values; COMMIT;"
            ),
        );
        let before = query(
            &db.path,
            "SELECT printf('%g', value) FROM metric_values ORDER BY value",
        );
        let err = db.fails(&["baseline", "t", "instr", "7", "--at", "2026-01-19"], 4);
        assert!(
            err.contains("table `metric_values` of the file was redefined outside jobloop")
                && err.contains("nothing was written"),
            "{clause}: {err}"
        );
        assert_eq!(
            query(
                &db.path,
                "SELECT printf('%g', value) FROM metric_values ORDER BY value"
            ),
            before
        );
        let out = db.run(&["doctor"]);
        assert_eq!(out.status.code(), Some(8));
        let doctor = String::from_utf8_lossy(&out.stdout);
        assert!(
            doctor.contains("FAIL tables") && doctor.contains("table `metric_values` redefined"),
            "{doctor}"
        );
    }
}

/// A command recorded with the clock set back is named by `doctor`: a locked plan's looks follow
/// the times values were recorded at, so a clock set back could reorder them unseen. A few
/// minutes back (teammates' clocks) are not.
#[test]
fn a_clock_set_back_is_named_by_doctor() {
    use jobloop::domain::{Ctx, Intent, Stamp, When};
    use jobloop::store::Store;
    let db = Db::new();
    let tool = |s: &mut Store, at: &str, name: &str| {
        let now = Stamp::parse(at).unwrap();
        s.apply(
            &Ctx::local("ana", now),
            &Intent::SelectTool {
                slug: "t".into(),
                name: name.into(),
                at: When::Day(now.local_date()),
            },
        )
        .unwrap();
    };
    db.ok(&["job", "add", "Triage", "--slug", "t"]);
    let mut s = Store::open(&db.path, jobloop::store::Missing::Refuse).unwrap();
    tool(&mut s, "2099-09-07T17:00:00Z", "Zapier");
    tool(&mut s, "2099-09-07T16:56:00Z", "Make");
    drop(s);
    let out = db.run(&["doctor"]);
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "{listed}");
    assert!(listed.contains("ok   times"), "{listed}");
    let mut s = Store::open(&db.path, jobloop::store::Missing::Refuse).unwrap();
    tool(&mut s, "2099-08-04T10:00:00Z", "n8n");
    drop(s);
    let out = db.run(&["doctor"]);
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(8), "{listed}");
    assert!(
        listed.contains("times run back at 1 place(s) (event 4 at 2099-08-04"),
        "{listed}"
    );
}
