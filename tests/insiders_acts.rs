//! No member rewrites another person's act under that person's name, makes a record no one can
//! read, or signs off a decision that is no longer in force: the server refuses each, on a
//! throwaway PostgreSQL cluster with each person logged in as themselves.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::team::{Check, job, job_id, loop_of, refused, team};

#[test]
fn a_trip_or_a_decision_is_not_rewritten_under_its_authors_name() {
    let Some(t) = team() else { return };
    job(&t);
    // ana, the lead, trips ben's signal and decides to retire the loop.
    t.as_user(
        "ana",
        &[
            "kill",
            "trip",
            "mail",
            "instr",
            "--reason",
            "stop the agent",
        ],
    )
    .assert_ok();
    let before = t.export();
    let instrument = loop_of("instrument");
    for sql in [
        // ben turns her trip into a re-arm, her name left on it.
        format!(
            "UPDATE kill_signals SET state = 'armed', reason = 'false alarm', changed_at = '2026-12-01T09:00:00.000Z'
              WHERE loop_id = {instrument} AND state = 'tripped'"
        ),
        // ...or only her words.
        format!("UPDATE kill_signals SET reason = 'all fine' WHERE loop_id = {instrument} AND state = 'tripped'"),
        // ...or clears who acted while keeping what was done.
        format!(
            "UPDATE kill_signals SET reason = 'all fine', changed_by = NULL, changed_at = NULL
              WHERE loop_id = {instrument} AND state = 'tripped'"
        ),
    ] {
        let e = refused(t.sql("ben", &sql), &sql);
        assert!(e.contains("jobloop:"), "{sql}: {e}");
    }
    assert_eq!(t.export(), before);
    t.as_user(
        "ana",
        &[
            "loop",
            "retire",
            "mail",
            "instr",
            "--reason",
            "it made refunds slower",
        ],
    )
    .assert_ok();
    let before = t.export();
    let sql = format!(
        "UPDATE kill_signals SET decision = 'continue', decision_reason = 'keep it running'
          WHERE loop_id = {instrument} AND decision IS NOT NULL"
    );
    let e = refused(t.sql("ben", &sql), &sql);
    assert!(e.contains("decided_by must be ben"), "{e}");
    assert_eq!(t.export(), before);
    // Their own acts, the honest way, go on.
    t.as_user(
        "ana",
        &["loop", "note", "mail", "instr", "retired on purpose"],
    )
    .assert_ok();
    t.as_user("tester", &["verify"]).assert_ok();
}

#[test]
fn dates_and_times_that_do_not_exist_are_refused_by_the_server() {
    let Some(t) = team() else { return };
    job(&t);
    let before = t.export();
    let instrument = loop_of("instrument");
    let value = |at: &str, recorded: &str| {
        format!(
            "INSERT INTO metric_values (id, loop_id, metric_id, phase, value, at, recorded_by, recorded_at)
             SELECT 'bad', {instrument}, m.id, 'baseline', 1, '{at}', 'ben', '{recorded}'
               FROM metrics m WHERE m.loop_id = {instrument}"
        )
    };
    for sql in [
        value("2026-02-31", "2026-12-01T09:00:00.000Z"),
        value("0000-01-01", "2026-12-01T09:00:00.000Z"),
        value("2026-11-02", "2026-12-04T25:61:61Z"),
        value("2026-11-02", "2026-12-04T24:00:00Z"),
    ] {
        let e = t.sql("ben", &sql).unwrap_err();
        assert!(format!("{e:?}").contains("must be a date"), "{sql}: {e:?}");
    }
    // The lead cannot hide the job behind a date no one can read.
    let e = t
        .sql(
            "ana",
            "UPDATE jobs SET since = '2026-02-31' WHERE slug = 'mail'",
        )
        .unwrap_err();
    assert!(format!("{e:?}").contains("must be a date"), "{e:?}");
    // Nor can an event carry one.
    let mail = job_id(&t, "mail");
    let sql = format!(
        "INSERT INTO audit_events (seq, id, at, actor, command, job_id, loop_kind, summary, before, after, prev_hash, hash)
         SELECT (SELECT max(seq) + 1 FROM audit_events), 'e1', '2026-02-31T10:00:00.000Z', 'ben', 'loop note',
                '{mail}', 'instrument', 's', '{{}}', '{{}}',
                (SELECT hash FROM audit_events ORDER BY seq DESC LIMIT 1), repeat('0', 64)"
    );
    let e = t.sql("ben", &sql).unwrap_err();
    assert!(format!("{e:?}").contains("follows the last one"), "{e:?}");
    assert_eq!(t.export(), before);
    t.as_user(
        "ben",
        &["baseline", "mail", "instr", "9", "--at", "2026-11-02"],
    )
    .assert_ok();
}

#[test]
fn only_a_decision_in_force_is_signed_off() {
    let Some(t) = team() else { return };
    t.as_user("tester", &["team", "add", "chen"]).assert_ok();
    job(&t);
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
            ],
        )
        .assert_ok();
    let old = out.split("decision ").nth(1).unwrap()[..8].to_string();
    t.as_user(
        "ana",
        &[
            "decide", "mail", "govern", "--amend", &old, "--owner", "ana",
        ],
    )
    .assert_ok();
    let before = t.export();
    let sql = format!(
        "UPDATE decisions SET approved_at = '2026-12-01T09:00:00.000Z', approved_by = 'chen' WHERE id LIKE '%{old}'"
    );
    let e = t.sql("chen", &sql).unwrap_err();
    assert!(
        format!("{e:?}").contains("only a decision in force"),
        "{e:?}"
    );
    assert_eq!(t.export(), before);
    // jobloop says why, and which version is in force.
    let err = t
        .as_user("chen", &["decide", "mail", "govern", "--approve", &old])
        .assert_code(1);
    assert!(
        err.contains("was amended: the version in force is") && err.contains("owner ana"),
        "{err}"
    );
    assert_eq!(t.export(), before);
}

/// The rules a shared database holds its members to are the ones this jobloop installs: rules
/// left by another version (older, or never recorded) stop every member's jobloop, with the
/// step that renews them, until the database's owner runs `migrate`.
#[test]
fn rules_installed_by_another_version_are_renewed_before_anyone_writes() {
    let Some(t) = team() else { return };
    job(&t);
    let mut c = postgres::Client::connect(&t.url("tester"), postgres::NoTls).unwrap();
    c.execute(
        "UPDATE jobloop_meta SET value = 'older' WHERE key = 'access_sha256'",
        &[],
    )
    .unwrap();
    let err = t
        .as_user(
            "ben",
            &["baseline", "mail", "instr", "9", "--at", "2026-11-02"],
        )
        .assert_code(4);
    assert!(
        err.contains("are not this jobloop's") && err.contains("migrate"),
        "{err}"
    );
    t.as_user("tester", &["migrate"]).assert_ok();
    assert!(
        !t.export().contains("\"phase\":\"baseline\""),
        "nothing was written"
    );
    t.as_user(
        "ben",
        &["baseline", "mail", "instr", "9", "--at", "2026-11-02"],
    )
    .assert_ok();
    assert!(t.export().contains("\"phase\":\"baseline\""));
}

/// No member empties the team's board: the derived state is rewritten by every writer (and
/// compared by `verify`), but a member's `DELETE` of it removes nothing; a member's repair
/// rebuilds it all the same.
#[test]
fn no_member_deletes_the_derived_state() {
    let Some(t) = team() else { return };
    job(&t);
    t.as_user("tester", &["team", "add", "cat"]).assert_ok();
    let review = t.as_user("ana", &["review"]).assert_ok();
    assert!(review.contains("mail"), "{review}");
    for sql in ["DELETE FROM loop_state", "DELETE FROM job_state"] {
        assert_eq!(t.sql("cat", sql).unwrap(), 0, "{sql}");
    }
    assert_eq!(t.as_user("ana", &["review"]).assert_ok(), review);
    // A forged state is still a member's to write, and anyone's to repair.
    t.sql(
        "cat",
        &format!(
            "UPDATE loop_state SET state = replace(state, '\"owner\":\"ben\"', '\"owner\":\"cat\"') WHERE loop_id = {}",
            loop_of("instrument")
        ),
    )
    .unwrap();
    assert_eq!(t.as_user("ana", &["verify"]).status.code(), Some(8));
    t.as_user("ben", &["doctor", "--repair"]).assert_ok();
    t.as_user("ana", &["verify"]).assert_ok();
    assert_eq!(t.as_user("ana", &["review"]).assert_ok(), review);
}

/// What one person recorded, another with the right to change it changes through jobloop: the
/// lead decides on the owner's trip and the owner on the lead's, each changes or removes a flow
/// step the other mapped, and an incident the lead recorded is fixed by the improve loop's
/// owner. Each act names who did it, and the trail verifies.
#[test]
fn each_changes_what_another_recorded_through_jobloop() {
    let Some(t) = team() else { return };
    job(&t);
    t.as_user("tester", &["team", "add", "cat"]).assert_ok();
    t.as_user("ben", &["kill", "add", "mail", "instr", "costs rise"])
        .assert_ok();
    for (n, trips, decides, how) in [
        ("1", "ana", "ben", "continue"),
        ("2", "ben", "ana", "retire"),
    ] {
        t.as_user(
            trips,
            &["kill", "trip", "mail", "instr", n, "--reason", "slower"],
        )
        .assert_ok();
        t.as_user(
            decides,
            &["loop", how, "mail", "instr", "--reason", "decided"],
        )
        .assert_ok();
    }
    t.as_user("ana", &["loop", "owner", "mail", "redesign", "ben"])
        .assert_ok();
    t.as_user("ana", &["loop", "owner", "mail", "improve", "cat"])
        .assert_ok();
    t.as_user(
        "ben",
        &[
            "flow",
            "add",
            "mail",
            "read",
            "--kind",
            "input",
            "--by",
            "agent",
            "--role",
            "perception",
        ],
    )
    .assert_ok();
    t.as_user(
        "ana",
        &[
            "flow", "add", "mail", "pay", "--kind", "action", "--by", "human", "--gate",
            "approval", "--after", "read",
        ],
    )
    .assert_ok();
    t.as_user(
        "ana",
        &["flow", "set", "mail", "read", "--data", "personal"],
    )
    .assert_ok();
    t.as_user(
        "ben",
        &[
            "flow", "set", "mail", "pay", "--by", "agent", "--role", "action",
        ],
    )
    .assert_ok();
    let out = t
        .as_user(
            "ana",
            &[
                "incident",
                "add",
                "mail",
                "paid twice",
                "--step",
                "pay",
                "--severity",
                "high",
            ],
        )
        .assert_ok();
    let id = out.split("incident ").nth(1).unwrap()[..8].to_string();
    t.as_user(
        "cat",
        &["incident", "fix", &id, "--change", "checks prior payment"],
    )
    .assert_ok();
    t.as_user(
        "ben",
        &["flow", "void", "mail", "pay", "--reason", "merged"],
    )
    .assert_ok();
    t.as_user("tester", &["verify"]).assert_ok();
}

/// A moment column takes a moment, not a day, and a void stays as recorded: no member makes a
/// record unreadable with a bare date, or takes back someone else's void.
#[test]
fn a_moment_is_a_time_and_a_void_stays() {
    let Some(t) = team() else { return };
    job(&t);
    t.as_user(
        "ben",
        &["baseline", "mail", "instr", "9", "--at", "2026-11-02"],
    )
    .assert_ok();
    t.as_user(
        "ben",
        &["kill", "trip", "mail", "instr", "--reason", "slower"],
    )
    .assert_ok();
    let export: serde_json::Value =
        serde_json::from_str(&t.as_user("tester", &["export"]).assert_ok()).unwrap();
    let value = export["values"][0]["id"].as_str().unwrap().to_string();
    t.as_user(
        "ana",
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
    let before = t.export();
    let instrument = loop_of("instrument");
    let e = t
        .sql(
            "ben",
            &format!(
                "UPDATE kill_signals SET changed_at = '2026-12-04' WHERE loop_id = {instrument} AND state = 'tripped'"
            ),
        )
        .unwrap_err();
    assert!(format!("{e:?}").contains("must be a date"), "{e:?}");
    for sql in [
        format!(
            "UPDATE metric_values SET void_at = NULL, void_by = NULL, void_reason = NULL WHERE id = '{value}'"
        ),
        format!(
            "UPDATE metric_values SET void_by = 'ben', void_reason = 'mine now' WHERE id = '{value}'"
        ),
    ] {
        let e = t.sql("ben", &sql).unwrap_err();
        assert!(
            format!("{e:?}").contains("a void in metric_values stays"),
            "{sql}: {e:?}"
        );
    }
    assert_eq!(t.export(), before);
}
