//! Trust that holds against a teammate with `psql` and their own login on a throwaway PostgreSQL
//! cluster: what the server lets a member write, what a forged sign-off or event can claim, who
//! may hand a job on or import, and that a held lock names who holds it. Each attack is run for
//! real, and each checks that nothing changed.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::team::{Check, Team, forge_event, job, job_id, loop_of, refused, team};
use jobloop::store::{Missing, Store};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// A job with a decision on its govern loop owned by `chen`, who owns nothing else.
fn with_decision(t: &Team) -> String {
    t.as_user("tester", &["team", "add", "chen"]).assert_ok();
    job(t);
    let out = t
        .as_user(
            "ana",
            &[
                "decide",
                "mail",
                "govern",
                "Refunds over 500 EUR",
                "--owner",
                "chen",
                "--threshold",
                "over 500 EUR",
            ],
        )
        .assert_ok();
    out.split("decision ").nth(1).unwrap()[..8].to_string()
}

#[test]
fn a_members_temporary_tables_change_no_decision_of_the_server() {
    let Some(t) = team() else { return };
    let id = with_decision(&t);
    let before = t.export();
    // chen owns nothing; in one session he shadows the tables the rules read with his own.
    let mut c = postgres::Client::connect(&t.url("chen"), postgres::NoTls).unwrap();
    c.batch_execute(
        "CREATE TEMP TABLE jobs AS SELECT * FROM public.jobs;
         CREATE TEMP TABLE loops AS SELECT * FROM public.loops;
         CREATE TEMP TABLE decisions AS SELECT * FROM public.decisions;
         UPDATE pg_temp.jobs SET lead = 'chen';
         UPDATE pg_temp.loops SET owner = 'chen';
         UPDATE pg_temp.decisions SET owner = 'chen';
         SET search_path = pg_temp, public;",
    )
    .unwrap();
    let attacks = [
        format!(
            "UPDATE public.loops SET notes = 'rewritten by chen' WHERE id = {}",
            loop_of("instrument")
        ),
        format!(
            "INSERT INTO public.metric_values (id, loop_id, metric_id, phase, value, at, recorded_by, recorded_at)
             SELECT 'forged', {lp}, m.id, 'baseline', 1, '2026-11-02', 'chen', '2026-11-02T00:00:00.000Z'
               FROM public.metrics m WHERE m.loop_id = {lp}",
            lp = loop_of("instrument")
        ),
        format!(
            "UPDATE public.decisions SET text = 'rewritten' WHERE loop_id = {}",
            loop_of("govern")
        ),
        "UPDATE public.jobs SET title = 'taken over by chen'".to_string(),
    ];
    for sql in &attacks {
        let err = refused(c.execute(sql.as_str(), &[]), sql);
        assert!(
            err == "no row" || err.contains("row-level security") || err.contains("jobloop:"),
            "{sql}: {err}"
        );
    }
    // His own decision's sign-off is all he may write, and only as it is recorded.
    let e = c
        .execute(
            "UPDATE public.decisions SET approved_at = '2026-11-03T00:00:00.000Z', approved_by = 'chen', owner = 'chen', text = 'x'",
            &[],
        )
        .unwrap_err();
    assert!(format!("{e:?}").contains("jobloop:"), "{e:?}");
    drop(c);
    assert_eq!(t.export(), before);
    t.as_user("chen", &["decide", "mail", "govern", "--approve", &id])
        .assert_ok();
    t.as_user("tester", &["verify"]).assert_ok();
}

// long: one sign-off forged on a copy and copied back, step by step; each step needs the files
// the one before produced
#[test]
fn a_sign_off_forged_on_a_copy_cannot_be_copied_back() {
    let Some(t) = team() else { return };
    let id = with_decision(&t);
    let before = t.export();
    // ben exports the team's records, imports them into a file of his own and signs the
    // decision off there as chen.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("copy.db");
    let export = dir.path().join("export.json");
    t.as_user("ben", &["export", export.to_str().unwrap()])
        .assert_ok();
    let local = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_jobloop"))
            .arg("--db")
            .arg(&file)
            .args(args)
            .env_remove("JOBLOOP_DB")
            .output()
            .unwrap()
    };
    local(&["import", export.to_str().unwrap()]).assert_ok();
    local(&["--as", "chen", "decide", "mail", "govern", "--approve", &id]).assert_ok();
    let conn = rusqlite::Connection::open(&file).unwrap();
    let event: Vec<String> = conn
        .query_row(
            "SELECT seq, id, at, actor, command, job_id, loop_kind, summary, before, after, prev_hash, hash
               FROM audit_events ORDER BY seq DESC LIMIT 1",
            [],
            |r| {
                Ok(vec![
                    r.get::<_, i64>(0)?.to_string(),
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                    r.get(11)?,
                ])
            },
        )
        .unwrap();
    assert_eq!(event[3], "chen");
    let (approved_at, approved_by): (String, String) = conn
        .query_row(
            "SELECT approved_at, approved_by FROM decisions WHERE approved_by IS NOT NULL",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // …and copies the event and the row back with his own login.
    let mut c = postgres::Client::connect(&t.url("ben"), postgres::NoTls).unwrap();
    let insert = "INSERT INTO audit_events (seq, id, at, actor, command, job_id, loop_kind, summary, before, after, prev_hash, hash)
                  VALUES ($1::text::bigint, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
    let params: Vec<&(dyn postgres::types::ToSql + Sync)> = event
        .iter()
        .map(|v| v as &(dyn postgres::types::ToSql + Sync))
        .collect();
    let e = c.execute(insert, &params).unwrap_err();
    assert!(format!("{e:?}").contains("row-level security"), "{e:?}");
    // Naming himself as the actor does not help: he may not write on that loop at all.
    let mut mine = event.clone();
    mine[3] = "ben".into();
    let params: Vec<&(dyn postgres::types::ToSql + Sync)> = mine
        .iter()
        .map(|v| v as &(dyn postgres::types::ToSql + Sync))
        .collect();
    assert!(c.execute(insert, &params).is_err());
    let sign = c.execute(
        "UPDATE decisions SET approved_at = $1, approved_by = $2",
        &[&approved_at, &approved_by],
    );
    refused(sign, "the copied sign-off");
    drop(c);
    assert_eq!(t.export(), before);
    t.as_user("tester", &["verify"]).assert_ok();
    let log = t.as_user("ana", &["log", "mail"]).assert_ok();
    assert!(!log.contains("signed off"), "{log}");
    let review = t.as_user("ana", &["review", "--json"]).assert_ok();
    assert!(review.contains("decision-pending"), "{review}");
}

#[test]
fn a_decisions_owner_signs_it_off_and_writes_nothing_else_on_the_loop() {
    let Some(t) = team() else { return };
    let id = with_decision(&t);
    let before = t.export();
    let govern = loop_of("govern");
    for sql in [
        format!("UPDATE loops SET notes = 'chen was here' WHERE id = {govern}"),
        format!("UPDATE loops SET owner = 'chen' WHERE id = {govern}"),
        format!("UPDATE loops SET status = 'killed' WHERE id = {govern}"),
        format!("UPDATE kill_signals SET state = 'armed', rule = NULL WHERE loop_id = {govern}"),
        format!(
            "UPDATE decisions SET threshold = 'any amount', approved_at = '2026-11-03T00:00:00.000Z', approved_by = 'chen' WHERE loop_id = {govern}"
        ),
        format!("UPDATE decisions SET owner = 'ben' WHERE loop_id = {govern}"),
    ] {
        refused(t.sql("chen", &sql), &sql);
    }
    assert_eq!(t.export(), before);
    t.as_user("chen", &["decide", "mail", "govern", "--approve", &id])
        .assert_ok();
    t.as_user("tester", &["verify"]).assert_ok();
}

#[test]
fn a_loops_owner_may_not_hand_it_on_or_take_the_job() {
    let Some(t) = team() else { return };
    job(&t);
    let before = t.export();
    // ben owns the instrument loop; ana leads the job.
    let err = t
        .as_user("ben", &["loop", "owner", "mail", "instrument", "chen"])
        .assert_code(6);
    assert!(err.contains("only the job's lead"), "{err}");
    let instrument = loop_of("instrument");
    for sql in [
        format!("UPDATE loops SET owner = 'chen' WHERE id = {instrument}"),
        format!("UPDATE loops SET kind = 'govern' WHERE id = {instrument}"),
        "UPDATE jobs SET lead = 'ben'".to_string(),
        format!("UPDATE metrics SET better = 'higher' WHERE loop_id = {instrument}"),
    ] {
        refused(t.sql("ben", &sql), &sql);
    }
    assert_eq!(t.export(), before);
    // The lead hands it on.
    t.as_user("ana", &["loop", "owner", "mail", "instrument", "ana"])
        .assert_ok();
}

#[test]
fn a_write_waiting_for_the_chain_head_names_who_holds_it() {
    let Some(t) = team() else { return };
    job(&t);
    // ben holds the lock the writers take turns on, in a transaction he leaves open.
    let mut holder = postgres::Client::connect(&t.url("ben"), postgres::NoTls).unwrap();
    let mut tx = holder.transaction().unwrap();
    tx.batch_execute("SELECT seq FROM chain_head WHERE id = 1 FOR UPDATE")
        .unwrap();
    let mut s = Store::open(Path::new(&t.url("ana")), Missing::Refuse).unwrap();
    s.set_patience(Duration::from_millis(300), 0).unwrap();
    let now = jobloop::domain::Stamp::now();
    let ctx = s.ctx(None, now).unwrap();
    let err = s
        .apply(
            &ctx,
            &jobloop::domain::Intent::OnLoop {
                slug: "mail".into(),
                kind: jobloop::domain::LoopKind::Govern,
                op: jobloop::domain::LoopOp::SetNotes {
                    text: "x".into(),
                    was: None,
                },
            },
        )
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, jobloop::store::Error::Busy(_)), "{msg}");
    assert!(msg.contains("ben"), "{msg}");
    assert!(msg.contains("held"), "{msg}");
    tx.rollback().unwrap();
    // Once released, the write goes through.
    s.apply(
        &ctx,
        &jobloop::domain::Intent::OnLoop {
            slug: "mail".into(),
            kind: jobloop::domain::LoopKind::Govern,
            op: jobloop::domain::LoopOp::SetNotes {
                text: "x".into(),
                was: None,
            },
        },
    )
    .unwrap();
}

#[test]
fn only_the_schemas_owner_imports_into_a_shared_database() {
    let Some(t) = team() else { return };
    job(&t);
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.json");
    t.as_user("ana", &["export", export.to_str().unwrap()])
        .assert_ok();
    let Some(empty) = team() else { return };
    let before = empty.export();
    let err = empty
        .as_user("ana", &["import", export.to_str().unwrap()])
        .assert_code(6);
    assert!(err.contains("only the owner of the shared schema"), "{err}");
    assert_eq!(empty.export(), before, "a refused import wrote something");
    empty
        .as_user("tester", &["import", export.to_str().unwrap()])
        .assert_ok();
    assert_eq!(empty.export(), t.export());
}

/// Appends an event chained correctly to the trail, as `user` with psql: what a member who has
/// read the source could write.
// long: one member forging events of each kind in turn, each checked against what the server
// and verify say of it
#[test]
fn events_a_member_forges_speak_only_for_what_they_may_write() {
    let Some(t) = team() else { return };
    let decision = with_decision(&t);
    t.as_user("tester", &["team", "add", "dan"]).assert_ok();
    t.as_user("dan", &["job", "add", "Dan's side job", "--slug", "danjob"])
        .assert_ok();
    t.as_user(
        "dan",
        &["metric", "set", "danjob", "instr", "x", "--better", "lower"],
    )
    .assert_ok();
    t.as_user(
        "ben",
        &["baseline", "mail", "instr", "9", "--at", "2026-11-02"],
    )
    .assert_ok();
    let mail = job_id(&t, "mail");
    let danjob = job_id(&t, "danjob");
    // A value of dan's loop on ben's metric: the server keeps a value to its metric's loop.
    let e = t
        .sql(
            "dan",
            &format!(
                "INSERT INTO metric_values (id, loop_id, metric_id, phase, value, at, recorded_by, recorded_at)
                 SELECT 'cross', {dl}, m.id, 'live', 500, '2026-12-01', 'dan', '2026-12-01T09:00:00.000Z'
                   FROM metrics m WHERE m.loop_id = {bl}",
                dl = "(SELECT l.id FROM loops l JOIN jobs j ON j.id = l.job_id WHERE j.slug = 'danjob' AND l.kind = 'instrument')",
                bl = loop_of("instrument")
            ),
        )
        .unwrap_err();
    assert!(
        format!("{e:?}").contains("belongs to the loop of its metric"),
        "{e:?}"
    );
    // A gap in the chain, or a sequence number that would stop every later write.
    let e = t
        .sql(
            "dan",
            &format!(
                "INSERT INTO audit_events (seq, id, at, actor, command, job_id, summary, before, after, prev_hash, hash)
                 VALUES (9223372036854775807, 'x', '2026-12-01T09:00:00.000Z', 'dan', 'tool', '{danjob}', 's', '{{}}', '{{}}', '', '{h}')",
                h = "0".repeat(64)
            ),
        )
        .unwrap_err();
    assert!(format!("{e:?}").contains("follows the last one"), "{e:?}");
    // chen owns a decision on mail/govern and no loop: he may append its sign-off, nothing else.
    let e = forge_event(
        &t,
        "chen",
        "loop note",
        &mail,
        Some("govern"),
        serde_json::json!({}),
        serde_json::json!({"state_sha256": "0".repeat(64)}),
    )
    .unwrap_err();
    assert!(format!("{e:?}").contains("row-level security"), "{e:?}");
    // A forged sign-off that sets the loop's state and claims a decision that is not chen's own
    // signed one, and dan's event on his own job claiming ben's value: the server lets them in
    // (they name their writers), and they teach verify and the write guard nothing.
    let value: String = {
        let mut c = postgres::Client::connect(&t.url("tester"), postgres::NoTls).unwrap();
        c.query_one("SELECT id FROM metric_values", &[])
            .unwrap()
            .get(0)
    };
    forge_event(
        &t,
        "chen",
        "decide approve",
        &mail,
        Some("govern"),
        serde_json::json!({}),
        serde_json::json!({"state_sha256": "0".repeat(64),
                           "updated": {"decisions": [{"id": "not-a-decision", "owner": "ana"}]}}),
    )
    .unwrap();
    forge_event(
        &t,
        "dan",
        "void",
        &danjob,
        Some("instrument"),
        serde_json::json!({}),
        serde_json::json!({"updated": {"values": [{"id": value, "value": 1}]}}),
    )
    .unwrap();
    let out = t.as_user("tester", &["verify"]);
    assert_eq!(out.status.code(), Some(8));
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(
        report.contains(&format!("claims metric_values `{value}`")),
        "{report}"
    );
    assert!(
        report.contains("a sign-off that sets a loop's state"),
        "{report}"
    );
    assert!(
        !report.contains("changed behind jobloop's back"),
        "an honest record is blamed: {report}"
    );
    // The honest owners write on as before.
    t.as_user("ana", &["loop", "note", "mail", "govern", "still ours"])
        .assert_ok();
    t.as_user(
        "ben",
        &[
            "void",
            "mail",
            "instr",
            &value[value.len() - 8..],
            "--reason",
            "typo",
        ],
    )
    .assert_ok();
    t.as_user(
        "chen",
        &["decide", "mail", "govern", "--approve", &decision],
    )
    .assert_ok();
}

#[test]
fn a_lead_hands_the_job_on() {
    let Some(t) = team() else { return };
    job(&t);
    // ana leads `mail` (she added it) and is not the schema's owner.
    t.as_user("ana", &["job", "lead", "mail", "ben"])
        .assert_ok();
    t.as_user(
        "ben",
        &["job", "edit", "mail", "--workaround", "a spreadsheet"],
    )
    .assert_ok();
    let err = t
        .as_user("ana", &["job", "edit", "mail", "--workaround", "x"])
        .assert_code(6);
    assert!(err.contains("only its lead may"), "{err}");
    t.as_user("tester", &["verify"]).assert_ok();
}

#[test]
fn a_reader_or_a_writer_kept_waiting_is_told_who_holds_the_lock() {
    let Some(t) = team() else { return };
    job(&t);
    // chen reads the chain head in an open transaction (harmless), ben holds it for writing.
    t.as_user("tester", &["team", "add", "chen"]).assert_ok();
    let mut reader = postgres::Client::connect(&t.url("chen"), postgres::NoTls).unwrap();
    let mut rtx = reader.transaction().unwrap();
    rtx.batch_execute("SELECT * FROM chain_head").unwrap();
    let mut holder = postgres::Client::connect(&t.url("ben"), postgres::NoTls).unwrap();
    let mut tx = holder.transaction().unwrap();
    tx.batch_execute("SELECT seq FROM chain_head WHERE id = 1 FOR UPDATE")
        .unwrap();
    let mut s = Store::open(Path::new(&t.url("ana")), Missing::Refuse).unwrap();
    s.set_patience(Duration::from_millis(300), 0).unwrap();
    let ctx = s.ctx(None, jobloop::domain::Stamp::now()).unwrap();
    let note = jobloop::domain::Intent::OnLoop {
        slug: "mail".into(),
        kind: jobloop::domain::LoopKind::Govern,
        op: jobloop::domain::LoopOp::SetNotes {
            text: "x".into(),
            was: None,
        },
    };
    let msg = s.apply(&ctx, &note).unwrap_err().to_string();
    assert!(msg.contains("ben has held the chain-head lock"), "{msg}");
    assert!(!msg.contains("chen"), "{msg}");
    tx.rollback().unwrap();
    rtx.rollback().unwrap();
    // A whole table locked by a member stops reads too; the reader is told who.
    let mut tx = holder.transaction().unwrap();
    tx.batch_execute("LOCK TABLE loop_state IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let msg = s.board().unwrap_err().to_string();
    assert!(msg.contains("ben has held table loop_state"), "{msg}");
    tx.rollback().unwrap();
    s.apply(&ctx, &note).unwrap();
}

/// chen's sign-off, done on the row as the server allows, and its event: the event says it
/// started from ben's value and the loop's state, and that the decision's words changed.
#[test]
fn a_forged_sign_off_is_named_and_blames_no_honest_record() {
    let Some(t) = team() else { return };
    let decision = with_decision(&t);
    t.as_user(
        "ben",
        &["baseline", "mail", "instr", "9", "--at", "2026-11-02"],
    )
    .assert_ok();
    let mail = job_id(&t, "mail");
    let mut c = postgres::Client::connect(&t.url("tester"), postgres::NoTls).unwrap();
    let value: String = c
        .query_one("SELECT id FROM metric_values", &[])
        .unwrap()
        .get(0);
    let row: String = c
        .query_one(
            "SELECT id FROM decisions WHERE id LIKE '%' || $1",
            &[&decision],
        )
        .unwrap()
        .get(0);
    t.sql(
        "chen",
        &format!(
            "UPDATE decisions SET approved_at = '2026-12-01T09:00:00.000Z', approved_by = 'chen' WHERE id = '{row}'"
        ),
    )
    .unwrap();
    let export: serde_json::Value =
        serde_json::from_str(&t.as_user("tester", &["export"]).assert_ok()).unwrap();
    let mut signed = export["decisions"][0].clone();
    signed["text"] = "Refunds over 5000 EUR".into();
    forge_event(
        &t,
        "chen",
        "decide approve",
        &mail,
        Some("govern"),
        serde_json::json!({"records_sha256": {value.clone(): "0".repeat(64)},
                           "state_sha256": "ab".repeat(32)}),
        serde_json::json!({"updated": {"decisions": [signed]}}),
    )
    .unwrap();
    let out = t.as_user("tester", &["verify"]);
    assert_eq!(out.status.code(), Some(8));
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(
        report.contains(&format!("claims metric_values `{value}`")),
        "{report}"
    );
    assert!(
        report.contains(&format!("claims decisions `{row}`")),
        "{report}"
    );
    // ben's value and the loop are not blamed (the decision's row was changed: only its
    // sign-off, by chen, whose event speaks for nothing).
    assert!(
        !report.contains(&format!("metric_values `{value}` was changed"))
            && !report.contains("loops `mail/govern` was changed"),
        "an honest record is blamed: {report}"
    );
    // ben's value stays his to void.
    t.as_user(
        "ben",
        &[
            "void",
            "mail",
            "instr",
            &value[value.len() - 8..],
            "--reason",
            "typo",
        ],
    )
    .assert_ok();
}
