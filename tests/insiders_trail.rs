//! Trust in the trail against the people inside: every row and event names who wrote it, a name
//! means one person (no look-alikes), the next honest write never launders an edit made behind
//! jobloop's back (on a file and on PostgreSQL), and a team database made by an older jobloop is
//! upgraded with every record kept.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::team::{Check, Team, job, loop_of, team};
use common::{Db, pg};
use std::process::{Command, Stdio};

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

// long: one team's names tried in order (bound, look-alike, unbound, made outside jobloop);
// each attempt starts from the roles the last left
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
    // A look-alike (a Cyrillic е) and a role no rule binds, written outside jobloop (on a local
    // copy, then copied back by whoever may write the rows): doctor names them too.
    for (kind, name) in [("redesign", "b\u{0435}n"), ("improve", "tester")] {
        t.sql(
            "tester",
            &format!(
                "UPDATE loops SET owner = '{name}' WHERE id = {}",
                loop_of(kind)
            ),
        )
        .unwrap();
    }
    t.cluster
        .admin()
        .batch_execute("GRANT jobloop_member TO eve")
        .unwrap();
    // Someone not on the team (yet) may be named, but doctor says they can never sign in.
    t.as_user(
        "ana",
        &["loop", "owner", "mail", "distribute", "Outsider Olu"],
    )
    .assert_ok();
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
    assert!(
        out.contains("the owner of mail/redesign is named in a way jobloop refuses")
            && out.contains("looks like the member `ben`")
            && out.contains("the owner of mail/improve is named in a way jobloop refuses"),
        "{out}"
    );
    assert!(
        out.contains("`Outsider Olu`, the owner of mail/distribute, is not on the team"),
        "{out}"
    );
    t.cluster
        .admin()
        .batch_execute("REVOKE jobloop_member FROM eve")
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

// long: one edit behind jobloop's back followed by each honest write that could absorb it, in
// turn on the same database
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

also_on_postgres!(
    the_next_write_never_launders_an_edit,
    an_untouched_database_takes_every_kind_of_write
);
