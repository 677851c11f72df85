//! The derived per-loop and per-job state (what the board and the review read, one row per loop)
//! equals a recomputation from the records after an import and after migrations from older
//! files, and `verify` reports a state changed behind jobloop's back. (After random command
//! sequences: `tests/trust.rs`; after a writer killed mid-write: `tests/durability.rs`.)
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Db;

use jobloop::domain::verify::Table;
use jobloop::store::{Missing, Store};

/// The problems `verify` finds with derived state.
fn state_problems(path: &std::path::Path) -> Vec<String> {
    let mut s = Store::open(path, Missing::Refuse).unwrap();
    s.verify()
        .unwrap()
        .problems
        .into_iter()
        .filter(|p| matches!(p.table, Table::LoopState | Table::JobState))
        .map(|p| p.to_string())
        .collect()
}

/// The review (at one moment) as read from the stored state, and as read after rebuilding it
/// from the records.
fn kept_and_rebuilt(path: &std::path::Path) -> (String, String) {
    let mut s = Store::open(path, Missing::Refuse).unwrap();
    let now = jobloop::domain::Stamp::parse("2026-11-29T12:00:00.000Z").unwrap();
    let kept = serde_json::to_string(&s.board().unwrap().review(now)).unwrap();
    s.doctor(true).unwrap();
    let rebuilt = serde_json::to_string(&s.board().unwrap().review(now)).unwrap();
    (kept, rebuilt)
}

#[test]
fn an_import_builds_the_state_its_records_give() {
    let db = Db::new();
    db.ok(&["demo", "--jobs", "5", "--weeks", "12"]);
    let file = db.dir.path().join("e.json");
    db.ok(&["export", file.to_str().unwrap()]);
    let copy = Db::new();
    copy.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(state_problems(&copy.path), Vec::<String>::new());
    let (kept, rebuilt) = kept_and_rebuilt(&copy.path);
    assert_eq!(kept, rebuilt);
    // And the board of the copy is the board of the original.
    let (original, _) = kept_and_rebuilt(&db.path);
    assert_eq!(original, kept);
}

/// A version-`v` file (1 or 2) with a job whose instrument loop has a metric and values.
fn old_file(path: &std::path::Path, v: i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(include_str!("fixtures/schema_v1.sql"))
        .unwrap();
    if v >= 2 {
        conn.execute_batch(include_str!("../src/store/migrations/002.sql"))
            .unwrap();
    }
    conn.execute_batch(
        "INSERT INTO jobs (id, slug, title, created_at, rev) VALUES ('j1', 'old-job', 'Old job', '2026-01-05T09:00:00.000Z', 1);
         INSERT INTO loops (id, job_id, kind, position, status, owner, rev) VALUES
           ('l1', 'j1', 'understand', 1, 'open', 'Ana', 1), ('l2', 'j1', 'redesign', 2, 'not_started', NULL, 1),
           ('l3', 'j1', 'instrument', 3, 'open', 'Ben', 1), ('l4', 'j1', 'govern', 4, 'not_started', NULL, 1),
           ('l5', 'j1', 'improve', 5, 'not_started', NULL, 1), ('l6', 'j1', 'distribute', 6, 'not_started', NULL, 1);
         INSERT INTO kill_signals (id, loop_id, n, text, canonical, state, created_at) VALUES
           ('k1', 'l3', 1, 'old signal', 1, 'armed', '2026-01-05T09:00:00.000Z');
         INSERT INTO metrics (id, loop_id, name, unit, better, measures, set_at, set_by) VALUES
           ('m1', 'l3', 'hours', 'h', 'lower', 'outcome', '2026-01-05T09:00:00.000Z', 'ana');
         INSERT INTO interventions (id, loop_id, metric_id, description, at, recorded_by, recorded_at) VALUES
           ('i1', 'l3', 'm1', 'old change', '2026-01-15T09:00:00.000Z', 'ana', '2026-01-15T09:00:00.000Z');",
    )
    .unwrap();
    for (i, (phase, value)) in [("baseline", 9.5), ("baseline", 10.5), ("live", 7.0)]
        .iter()
        .enumerate()
    {
        conn.execute(
            "INSERT INTO metric_values (id, loop_id, metric_id, phase, value, at, recorded_by, recorded_at)
             VALUES (?1, 'l3', 'm1', ?2, ?3, ?4, 'ana', ?4)",
            rusqlite::params![
                format!("v{i}"),
                phase,
                value,
                format!("2026-01-{:02}T09:00:00.000Z", 6 + 7 * i)
            ],
        )
        .unwrap();
    }
    conn.pragma_update(None, "application_id", jobloop::store::APPLICATION_ID)
        .unwrap();
    conn.pragma_update(None, "user_version", v).unwrap();
}

#[test]
fn a_migrated_file_gets_the_state_its_records_give() {
    for v in [1, 2] {
        let db = Db::new();
        old_file(&db.path, v);
        let review = db.json(&["review", "--json"]);
        let instr = &review["jobs"][0]["loops"][2];
        assert_eq!(instr["baseline"]["n"], 2, "v{v}: {instr}");
        assert_eq!(instr["latest"], 7.0, "v{v}: {instr}");
        assert_eq!(state_problems(&db.path), Vec::<String>::new(), "v{v}");
        let (kept, rebuilt) = kept_and_rebuilt(&db.path);
        assert_eq!(kept, rebuilt, "v{v}");
        // An intervention from before plans existed locked none: its loop is judged as before,
        // and its target changes freely until the next intervention locks a plan.
        assert!(instr["plan"].is_null(), "v{v}: {instr}");
        assert_eq!(instr["comparison"]["live_n"], 1, "v{v}: {instr}");
        db.ok(&["metric", "target", "old-job", "instr", "--", "-20%"]);
        db.ok(&["intervene", "old-job", "instr", "new change"]);
        let review = db.json(&["review", "--json"]);
        assert_eq!(review["jobs"][0]["loops"][2]["plan"]["version"], 1);
    }
}

#[test]
fn a_state_changed_behind_jobloops_back_is_reported_and_repaired() {
    let db = Db::new();
    db.ok(&["demo"]);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute_batch(
        "UPDATE loop_state SET state = replace(state, '\"live_n\":8', '\"live_n\":80')
         WHERE rowid = (SELECT min(rowid) FROM loop_state WHERE state LIKE '%\"live_n\":8%')",
    )
    .unwrap();
    assert_eq!(conn.changes(), 1);
    drop(conn);
    let out = db.run(&["verify"]);
    assert_eq!(out.status.code(), Some(8));
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains("the derived loop_state of `") && listed.contains("differs"),
        "{listed}"
    );
    let doctor = db.run(&["doctor"]);
    assert_eq!(doctor.status.code(), Some(8));
    assert!(String::from_utf8_lossy(&doctor.stdout).contains("doctor --repair"));
    db.ok(&["doctor", "--repair"]);
    assert!(db.ok(&["verify"]).contains("intact"));
}

/// A job row that cannot be read (edited behind jobloop's back) among the first screenful:
/// it is reported, and the first screenful still knows the board has more jobs.
#[test]
fn the_first_screenful_counts_an_unreadable_job_as_a_job() {
    let db = Db::new();
    for i in 0..5 {
        db.ok(&[
            "job",
            "add",
            &format!("Job {i}"),
            "--slug",
            &format!("job-{i}"),
        ]);
    }
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute(
        "UPDATE jobs SET created_at = created_at || 'x' WHERE slug = 'job-3'",
        [],
    )
    .unwrap();
    drop(conn);
    let mut s = Store::open(&db.path, Missing::Refuse).unwrap();
    for (n, more) in [(3, true), (4, true), (5, false)] {
        let (head, has_more) = s.board_first(n).unwrap();
        assert_eq!(has_more, more, "first {n}");
        assert!(head.jobs.iter().all(|j| j.job.slug != "job-3"));
    }
    let (head, _) = s.board_first(4).unwrap();
    assert_eq!(head.jobs.len(), 3);
    assert_eq!(head.unreadable.len(), 1, "{:?}", head.unreadable);
}

/// A job whose stored derived state is missing or cannot be read stays in the review, shown as
/// its records give it (its tripped kill signal with it), with a warning that names it; nothing
/// is dropped from the text, the Markdown digest or the JSON.
#[test]
fn a_damaged_cache_drops_no_job_from_the_review() {
    let pristine = Db::new();
    pristine.ok(&["demo", "--jobs", "3", "--weeks", "8"]);
    // The review as JSON, without the moment it was made.
    let review = |text: &str| {
        let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
        v.as_object_mut().unwrap().remove("generated_at");
        v
    };
    let expected = review(&pristine.ok(&["review", "--json"]));
    for damage in [
        "DELETE FROM job_state WHERE job_id = (SELECT id FROM jobs WHERE slug = 'support-triage')",
        "UPDATE loop_state SET state = 'garbage' WHERE job_id = (SELECT id FROM jobs WHERE slug = 'support-triage') AND rowid = (SELECT min(rowid) FROM loop_state WHERE job_id = (SELECT id FROM jobs WHERE slug = 'support-triage'))",
        "DELETE FROM loop_state WHERE job_id = (SELECT id FROM jobs WHERE slug = 'support-triage')",
    ] {
        let db = Db::new();
        std::fs::copy(&pristine.path, &db.path).unwrap();
        common::file_db::sqlite(&db.path, damage);
        let out = db.run(&["review", "--json"]);
        assert!(out.status.success());
        let warned = String::from_utf8_lossy(&out.stderr);
        assert!(
            warned.contains("`support-triage` is missing or damaged")
                && warned.contains("doctor --repair"),
            "{damage}: {warned}"
        );
        let shown = review(&String::from_utf8_lossy(&out.stdout));
        assert!(shown == expected, "{damage}: the review differs");
        assert!(db.ok(&["review", "--markdown"]).contains("support-triage"));
    }
}
