//! Trust that holds against the people inside: a teammate with `psql` and their own login, the
//! next honest write after an edit behind jobloop's back, look-alike names, a held lock, and the
//! upgrade of a team database made by an older jobloop. Each attack is run for real, against a
//! throwaway PostgreSQL cluster and a real file, and each checks that nothing changed.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::team::{Check, Team, job, team};
use common::{Db, pg};
use jobloop::store::{Missing, Store};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The loop `kind` of job `mail`, as SQL.
fn loop_of(kind: &str) -> String {
    format!(
        "(SELECT l.id FROM public.loops l JOIN public.jobs j ON j.id = l.job_id WHERE j.slug = 'mail' AND l.kind = '{kind}')"
    )
}

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

fn refused(result: Result<u64, postgres::Error>, what: &str) -> String {
    match result {
        Err(e) => format!("{e:?}"),
        Ok(0) => "no row".into(),
        Ok(n) => panic!("{what}: the server let it change {n} row(s)"),
    }
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
fn every_row_and_event_a_member_writes_names_them() {
    let Some(t) = team() else { return };
    job(&t);
    let before = t.export();
    let instrument = loop_of("instrument");
    // ben may record on his loop, but only as himself.
    for sql in [
        format!(
            "INSERT INTO metric_values (id, loop_id, metric_id, phase, value, at, recorded_by, recorded_at)
             SELECT 'v1', {instrument}, m.id, 'baseline', 1, '2026-11-02', 'ana', '2026-11-02T00:00:00.000Z'
               FROM metrics m WHERE m.loop_id = {instrument}"
        ),
        format!(
            "UPDATE steps SET done_at = '2026-11-02T00:00:00.000Z', done_by = 'ana' WHERE loop_id = {instrument} AND n = 1"
        ),
        // Chained correctly, so only its actor is wrong.
        format!(
            "INSERT INTO audit_events (seq, id, at, actor, command, job_id, loop_kind, summary, before, after, prev_hash, hash)
             SELECT (SELECT max(seq) + 1 FROM audit_events), 'e1', '2026-11-02T00:00:00.000Z', 'ana', 'baseline',
                    l.job_id, 'instrument', 's', '{{}}', '{{}}',
                    (SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1), repeat('0', 64)
               FROM loops l WHERE l.id = {instrument}"
        ),
    ] {
        let e = t.sql("ben", &sql).unwrap_err();
        let e = format!("{e:?}");
        assert!(
            e.contains("may not write") || e.contains("row-level security"),
            "{sql}: {e}"
        );
    }
    assert_eq!(t.export(), before);
}

#[test]
fn names_mean_one_person() {
    let Some(t) = team() else { return };
    job(&t);
    // zoe's names are this test's own: roles belong to the whole cluster.
    t.as_user("tester", &["team", "add", "zoe"]).assert_ok();
    t.as_user("ana", &["loop", "owner", "mail", "govern", "zoe"])
        .assert_ok();
    t.as_user("tester", &["team", "add", "\u{e9}lodie"])
        .assert_ok();
    // Roles a member could not be bound by: made outside jobloop by the server's superuser.
    t.cluster
        .admin()
        .batch_execute(
            "DO $$ BEGIN CREATE ROLE gus LOGIN IN ROLE tester; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
             DO $$ BEGIN CREATE ROLE frank LOGIN CREATEROLE; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
             DO $$ BEGIN CREATE ROLE eve LOGIN BYPASSRLS; EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
        )
        .unwrap();
    for (name, why) in [
        ("ZOE", "looks like the member `zoe`"),
        ("Ben", "looks like the member `ben`"),
        ("\u{c9}lodie", "looks like the member `\u{e9}lodie`"),
        ("e\u{301}lodie", "looks like the member `\u{e9}lodie`"),
        ("\u{430}na", "looks like the member `ana`"),
        ("postgres", "is a superuser"),
        ("tester", "owns jobloop's tables"),
        ("gus", "member of the role that owns"),
        ("frank", "may create roles"),
        ("eve", "bypasses row-level security"),
        ("jobloop_member", "keeps for itself"),
        ("PUBLIC", "keeps for itself"),
        ("current_user", "keeps for itself"),
    ] {
        let err = t.as_user("tester", &["team", "add", name]).assert_code(1);
        assert!(err.contains(why), "{name}: {err}");
    }
    for name in ["a\u{200b}na", "an\u{202e}a", "b\u{7}en"] {
        let err = t.as_user("tester", &["team", "add", name]).assert_code(2);
        assert!(err.contains("control or invisible"), "{name:?}: {err}");
    }
    let long = "x".repeat(64);
    t.as_user("tester", &["team", "add", &long]).assert_code(2);
    let members = t.as_user("tester", &["team", "list"]).assert_ok();
    for refused in [
        "ZOE", "Ben", "postgres", "tester", "gus", "frank", "eve", "PUBLIC",
    ] {
        assert!(!members.lines().any(|m| m == refused), "{members}");
    }
    // The same rules for the names given to owners.
    for args in [
        vec!["loop", "owner", "mail", "govern", "a\u{200b}na"],
        vec!["decide", "mail", "govern", "x", "--owner", "an\u{202e}a"],
        vec!["job", "add", "Other", "--owner", "b\u{7}en"],
    ] {
        t.as_user("ana", &args).assert_code(2);
    }
    let long = "y".repeat(101);
    t.as_user("ana", &["loop", "owner", "mail", "govern", &long])
        .assert_code(2);
    // A role created outside jobloop whose name differs only by case is another person.
    t.cluster
        .admin()
        .batch_execute(
            "DO $$ BEGIN CREATE ROLE \"ZOE\" LOGIN IN ROLE jobloop_member;
             EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
        )
        .unwrap();
    t.cluster
        .admin()
        .batch_execute(&format!("GRANT CONNECT ON DATABASE {} TO \"ZOE\"", t.db))
        .unwrap();
    let before = t.export();
    let err = t
        .as_user(
            "ZOE",
            &["learn", "mail", "govern", "x", "--type", "evidence"],
        )
        .assert_code(6);
    assert!(err.contains("only its owner and the job's lead"), "{err}");
    let e = t
        .sql(
            "ZOE",
            &format!(
                "UPDATE loops SET notes = 'x' WHERE id = {}",
                loop_of("govern")
            ),
        )
        .unwrap();
    assert_eq!(e, 0);
    assert_eq!(t.export(), before);
    // zoe herself records on her loop.
    t.as_user(
        "zoe",
        &["learn", "mail", "govern", "x", "--type", "evidence"],
    )
    .assert_ok();
    // Owners and leads obey the same rules.
    let before = t.export();
    for args in [
        vec!["loop", "owner", "mail", "govern", "BEN"],
        vec!["loop", "owner", "mail", "govern", "postgres"],
        vec!["loop", "owner", "mail", "govern", "tester"],
        vec!["decide", "mail", "govern", "x", "--owner", "\u{430}na"],
        vec!["decide", "mail", "govern", "x", "--owner", "eve"],
        vec!["job", "add", "Other", "--owner", "ZOE"],
        vec!["job", "lead", "mail", "Ben"],
    ] {
        let err = t.as_user("ana", &args).assert_code(1);
        assert!(
            err.contains("looks like") || err.contains("no rule of the team binds"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(t.export(), before);
    // An owner stored under another case than the role (written before names compared exactly)
    // is listed by doctor, with the fix; and so is a member given rights outside jobloop.
    t.sql(
        "tester",
        &format!(
            "UPDATE loops SET owner = 'Ben' WHERE id = {}",
            loop_of("govern")
        ),
    )
    .unwrap();
    t.cluster
        .admin()
        .batch_execute("GRANT jobloop_member TO eve")
        .unwrap();
    let out = t.as_user("tester", &["doctor"]);
    assert_eq!(out.status.code(), Some(8));
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.contains("`Ben`, the owner of mail/govern, is no role; the role is `ben`")
            && out.contains("`jobloop loop owner mail govern ben`"),
        "{out}"
    );
    assert!(
        out.contains("FAIL roles") && out.contains("`eve` bypasses row-level security"),
        "{out}"
    );
    t.cluster
        .admin()
        .batch_execute("REVOKE jobloop_member FROM eve")
        .unwrap();
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
                op: jobloop::domain::LoopOp::SetNotes { text: "x".into() },
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
            op: jobloop::domain::LoopOp::SetNotes { text: "x".into() },
        },
    )
    .unwrap();
}

/// Restores `tests/fixtures/shared_v3.sql` (a team database written by jobloop with schema 3:
/// a job, a metric with values, a signed-off decision, a learning, a cycle, a tool, a proof)
/// into a new database owned by `tester`; its URL for `user`.
fn schema_3_database(cluster: &pg::Cluster) -> String {
    let admin = &mut cluster.admin();
    admin
        .batch_execute(
            "DO $$ BEGIN
                 IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'jobloop_member') THEN
                     CREATE ROLE jobloop_member NOLOGIN;
                 END IF;
                 IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ana') THEN CREATE ROLE ana LOGIN; END IF;
                 IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ben') THEN CREATE ROLE ben LOGIN; END IF;
                 IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chen') THEN CREATE ROLE chen LOGIN; END IF;
             END $$;
             GRANT jobloop_member TO ana, ben, chen;",
        )
        .unwrap();
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let name = format!("v3_{}", N.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
    admin
        .batch_execute(&format!("CREATE DATABASE {name} OWNER tester"))
        .unwrap();
    // psql meta-commands of newer dumps (`\restrict`) are not needed to restore it.
    let dump: String = include_str!("fixtures/shared_v3.sql")
        .lines()
        .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut psql = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            &cluster.port.to_string(),
            "-U",
            "postgres",
            "-d",
            &name,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("psql");
    use std::io::Write;
    psql.stdin
        .take()
        .unwrap()
        .write_all(dump.as_bytes())
        .unwrap();
    let out = psql.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    name
}

#[test]
fn a_team_database_of_schema_3_is_upgraded_by_migrate_with_everything_intact() {
    let Some(cluster) = pg::require("the upgrade of a schema-3 team database") else {
        return;
    };
    let db = schema_3_database(cluster);
    let t = Team { cluster, db };
    // Before the upgrade every command says what to run.
    let err = t.as_user("ana", &["review"]).assert_code(4);
    assert!(err.contains("migrate"), "{err}");
    // The members cannot upgrade it; its owner can, once.
    t.as_user("ana", &["migrate"]).assert_code(6);
    let out = t.as_user("tester", &["migrate"]).assert_ok();
    let current = format!("version {}", jobloop::store::SCHEMA_VERSION);
    assert!(out.contains(&current), "{out}");
    t.as_user("tester", &["migrate"]).assert_ok();
    let verified = t.as_user("ana", &["verify"]).assert_ok();
    assert!(verified.contains("18 events"), "{verified}");
    let review = t.as_user("ana", &["review", "--json"]).assert_ok();
    let review: serde_json::Value = serde_json::from_str(&review).unwrap();
    let loops = &review["jobs"][0]["loops"];
    let instrument = loops
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "instrument")
        .unwrap();
    assert_eq!(instrument["baseline"]["n"], 3);
    assert_eq!(instrument["live_n"], 2);
    assert_eq!(instrument["owner"], "ben");
    // The records of schema 3 take new writes, under the new rules.
    t.as_user(
        "ben",
        &["measure", "mail", "instr", "6.25", "--at", "2026-11-30"],
    )
    .assert_ok();
    let e = t
        .sql(
            "chen",
            &format!(
                "UPDATE loops SET notes = 'x' WHERE id = {}",
                loop_of("govern")
            ),
        )
        .unwrap();
    assert_eq!(
        e, 0,
        "the old policy let a decision's owner update the loop"
    );
    t.as_user("tester", &["verify"]).assert_ok();
    t.as_user("tester", &["doctor"]).assert_ok();
}

// ---------------------------------------------------------------------------------------------
// The next honest write never launders an edit made behind jobloop's back: on the file and on
// the shared database, the write is refused (exit 8) naming the record and the event, and
// nothing changes; `verify` keeps reporting the edit.
// ---------------------------------------------------------------------------------------------

/// Runs SQL as someone with full access to the store: the file's owner, or the shared
/// database's owner (who is not bound by the members' rules).
fn behind_the_back(db: &Db, sql: &str) {
    if db.shared() {
        let url = db.path.to_str().unwrap();
        let mut c = postgres::Client::connect(url, postgres::NoTls).unwrap();
        c.batch_execute(sql).unwrap();
    } else {
        rusqlite::Connection::open(&db.path)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    }
}

fn measured(db: &Db) {
    db.ok(&["job", "add", "Answer supplier emails", "--slug", "mail"]);
    db.ok(&[
        "metric", "set", "mail", "instr", "hours", "--unit", "h", "--better", "lower",
    ]);
    for (v, at) in [
        ("10", "2026-11-02"),
        ("11", "2026-11-09"),
        ("9.5", "2026-11-16"),
    ] {
        db.ok(&["baseline", "mail", "instr", v, "--at", at]);
    }
    db.ok(&[
        "intervene",
        "mail",
        "instr",
        "Agent drafts",
        "--at",
        "2026-11-17",
    ]);
    db.ok(&["measure", "mail", "instr", "7", "--at", "2026-11-20"]);
    db.ok(&[
        "kill",
        "add",
        "mail",
        "instr",
        "too slow",
        "--rule",
        "above 12",
        "--reason",
        "a ceiling the plan forgot",
    ]);
    // Rita is no role: on the shared database she could never sign it off, but the rules for
    // the record hold all the same (and the schema's owner may not be named: no rule binds it).
    db.ok(&["decide", "mail", "govern", "Refunds", "--owner", "Rita"]);
    db.ok(&["learn", "mail", "instr", "PO numbers", "--type", "mistake"]);
    db.ok(&[
        "proof",
        "add",
        "mail",
        "Case",
        "--kind",
        "case",
        "--visibility",
        "public",
    ]);
}

fn id_of(db: &Db, table: &str) -> String {
    let sql = format!("SELECT id FROM {table} ORDER BY id LIMIT 1");
    if db.shared() {
        let mut c = postgres::Client::connect(db.path.to_str().unwrap(), postgres::NoTls).unwrap();
        c.query_one(sql.as_str(), &[]).unwrap().get(0)
    } else {
        rusqlite::Connection::open(&db.path)
            .unwrap()
            .query_row(&sql, [], |r| r.get(0))
            .unwrap()
    }
}

fn the_next_write_never_launders_an_edit() {
    let instr = "(SELECT l.id FROM loops l JOIN jobs j ON j.id = l.job_id WHERE j.slug = 'mail' AND l.kind = 'instrument')";
    let value = "(SELECT id FROM metric_values ORDER BY at LIMIT 1)";
    // (what is edited, the honest command that would hash it in, what the refusal names)
    let cases: Vec<(String, Vec<String>, &str)> = vec![
        (
            format!("UPDATE metrics SET better = 'higher' WHERE loop_id = {instr}"),
            vec!["loop", "note", "mail", "instr", "weekly"]
                .into_iter()
                .map(String::from)
                .collect(),
            "loops `mail/instrument`",
        ),
        (
            format!("UPDATE loops SET owner = 'mallory' WHERE id = {instr}"),
            vec!["measure", "mail", "instr", "6.5", "--at", "2026-11-27"]
                .into_iter()
                .map(String::from)
                .collect(),
            "loops `mail/instrument`",
        ),
        (
            format!("UPDATE kill_signals SET rule = NULL WHERE loop_id = {instr}"),
            vec!["loop", "step", "mail", "instr", "1", "--done"]
                .into_iter()
                .map(String::from)
                .collect(),
            "loops `mail/instrument`",
        ),
        (
            format!(
                "UPDATE kill_signals SET text = 'never mind' WHERE loop_id = {instr} AND n = 2"
            ),
            vec!["kill", "trip", "mail", "instr", "2", "--reason", "too slow"]
                .into_iter()
                .map(String::from)
                .collect(),
            "loops `mail/instrument`",
        ),
        (
            format!("UPDATE metric_values SET value = 99 WHERE id = {value}"),
            vec![
                "void".to_string(),
                "mail".into(),
                "instr".into(),
                "VALUE".into(),
                "--reason".into(),
                "typo".into(),
            ],
            "metric_values",
        ),
        (
            "UPDATE decisions SET owner = 'mallory', threshold = 'any'".to_string(),
            vec![
                "decide".to_string(),
                "mail".into(),
                "govern".into(),
                "--approve".into(),
                "DECISION".into(),
            ],
            "decisions",
        ),
        (
            "UPDATE learnings SET type = 'change'".to_string(),
            vec![
                "void".to_string(),
                "mail".into(),
                "instr".into(),
                "LEARNING".into(),
                "--reason".into(),
                "x".into(),
            ],
            "learnings",
        ),
        (
            "UPDATE proofs SET visibility = 'private'".to_string(),
            vec![
                "proof".to_string(),
                "outcome".into(),
                "mail".into(),
                "PROOF".into(),
                "--replies".into(),
                "3".into(),
            ],
            "proofs",
        ),
        (
            "UPDATE jobs SET title = 'Renamed behind the back'".to_string(),
            vec!["job", "edit", "mail", "--workaround", "spreadsheet"]
                .into_iter()
                .map(String::from)
                .collect(),
            "jobs `mail`",
        ),
        (
            "UPDATE jobs SET lead = 'mallory'".to_string(),
            vec!["tool", "mail", "Helpdesk agent"]
                .into_iter()
                .map(String::from)
                .collect(),
            "jobs `mail`",
        ),
    ];
    for (edit, args, named) in cases {
        let db = Db::new();
        measured(&db);
        let ids = [
            ("VALUE", id_of(&db, "metric_values")),
            ("DECISION", id_of(&db, "decisions")),
            ("LEARNING", id_of(&db, "learnings")),
            ("PROOF", id_of(&db, "proofs")),
        ];
        let args: Vec<String> = args
            .into_iter()
            .map(|a| {
                ids.iter()
                    .find(|(k, _)| *k == a)
                    .map_or(a, |(_, id)| id[id.len() - 8..].to_string())
            })
            .collect();
        behind_the_back(&db, &edit);
        assert_eq!(db.run(&["verify"]).status.code(), Some(8), "{edit}");
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let err = db.refused(&args, 8);
        assert!(err.contains(named), "{edit} then {args:?}: {err}");
        assert!(err.contains("audit event"), "{err}");
        assert!(err.contains("behind jobloop's back"), "{err}");
        assert!(err.contains("verify"), "{err}");
        // verify still names the edit afterwards.
        let out = db.run(&["verify"]);
        assert_eq!(out.status.code(), Some(8), "{edit}");
    }
}

fn an_untouched_database_takes_every_kind_of_write() {
    let db = Db::new();
    measured(&db);
    let value = id_of(&db, "metric_values");
    let decision = id_of(&db, "decisions");
    let proof = id_of(&db, "proofs");
    db.ok(&[
        "void",
        "mail",
        "instr",
        &value[value.len() - 8..],
        "--reason",
        "typo",
    ]);
    if !db.shared() {
        db.ok(&[
            "--as",
            "Rita",
            "decide",
            "mail",
            "govern",
            "--approve",
            &decision[decision.len() - 8..],
        ]);
    }
    db.ok(&[
        "proof",
        "outcome",
        "mail",
        &proof[proof.len() - 8..],
        "--replies",
        "2",
    ]);
    db.ok(&[
        "proof",
        "outcome",
        "mail",
        &proof[proof.len() - 8..],
        "--replies",
        "5",
    ]);
    db.ok(&["loop", "note", "mail", "instr", "fine"]);
    db.ok(&["job", "edit", "mail", "--workaround", "spreadsheet"]);
    db.ok(&["measure", "mail", "instr", "13", "--at", "2026-11-27"]);
    db.ok(&["verify"]);
}

#[test]
fn the_next_write_never_launders_an_edit_on_a_file() {
    the_next_write_never_launders_an_edit();
}

#[test]
fn an_untouched_file_takes_every_kind_of_write() {
    an_untouched_database_takes_every_kind_of_write();
}

also_on_postgres!(
    the_next_write_never_launders_an_edit,
    an_untouched_database_takes_every_kind_of_write
);

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
fn forge_event(
    t: &Team,
    user: &str,
    command: &str,
    job: &str,
    kind: Option<&str>,
    after: serde_json::Value,
) -> Result<u64, postgres::Error> {
    let mut c = postgres::Client::connect(&t.url(user), postgres::NoTls).unwrap();
    let (seq, prev): (i64, String) = c
        .query_one(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    let seq = seq + 1;
    let id = format!("forged-{seq}");
    let at = "2026-12-01T09:00:00.000Z";
    let (before, after) = ("{}".to_string(), after.to_string());
    let text = jobloop::domain::audit::EventText {
        seq,
        id: &id,
        at,
        actor: user,
        command,
        job_id: Some(job),
        loop_kind: kind,
        summary: "forged",
        before: &before,
        after: &after,
        prev_hash: &prev,
    };
    let hash = jobloop::domain::audit::hash_parts(&text);
    c.execute(
        "INSERT INTO audit_events (seq, id, at, actor, command, job_id, loop_kind, summary, before, after, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'forged', $8, $9, $10, $11)",
        &[&seq, &id, &at, &user, &command, &job, &kind, &before, &after, &prev, &hash],
    )
}

fn job_id(t: &Team, slug: &str) -> String {
    let mut c = postgres::Client::connect(&t.url("tester"), postgres::NoTls).unwrap();
    c.query_one("SELECT id FROM jobs WHERE slug = $1", &[&slug])
        .unwrap()
        .get(0)
}

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
fn who_acted_is_always_named_and_times_are_as_jobloop_writes_them() {
    let Some(t) = team() else { return };
    job(&t);
    t.as_user(
        "ben",
        &["baseline", "mail", "instr", "9", "--at", "2026-11-02"],
    )
    .assert_ok();
    let before = t.export();
    let instrument = loop_of("instrument");
    for sql in [
        "UPDATE metric_values SET void_at = '2026-12-01T09:00:00.000Z', void_reason = 'x'"
            .to_string(),
        format!(
            "UPDATE steps SET done_at = '2026-12-01T09:00:00.000Z' WHERE loop_id = {instrument} AND n = 3"
        ),
        format!(
            "UPDATE kill_signals SET state = 'tripped', reason = 'x', changed_at = '2026-12-01T09:00:00.000Z' WHERE loop_id = {instrument}"
        ),
        format!(
            "UPDATE kill_signals SET state = 'tripped', reason = 'x', changed_by = 'ben', changed_at = 'yesterday' WHERE loop_id = {instrument}"
        ),
    ] {
        let e = t.sql("ben", &sql).unwrap_err();
        let e = format!("{e:?}");
        assert!(
            e.contains("must name who acted") || e.contains("must be a date"),
            "{sql}: {e}"
        );
    }
    assert_eq!(t.export(), before);
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
        op: jobloop::domain::LoopOp::SetNotes { text: "x".into() },
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
