//! Kill rules that fire by themselves, through the real binary: a rule fires on the write that
//! breaks it (or on `check`, when time broke it), stays silent while the data holds, waits for its
//! date, re-arms on continue with every view agreeing, and a malformed rule is refused with the
//! grammar. Each also runs on PostgreSQL.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Db;
use common::proof::{job, measured};

/// Kill signal 2 of `triage/instrument`: "answers get slower", with `rule`.
fn slower_rule(db: &Db, rule: &str) {
    db.ok(&[
        "kill",
        "add",
        "triage",
        "instr",
        "answers get slower",
        "--rule",
        rule,
    ]);
}

fn signal(db: &Db, kind: &str, n: usize) -> serde_json::Value {
    let review = db.json(&["review", "--json"]);
    review["jobs"][0]["loops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == kind)
        .unwrap()["kill_signals"][n - 1]
        .clone()
}

#[test]
fn a_rule_fires_on_the_write_that_breaks_it() {
    let db = Db::new();
    job(&db);
    measured(&db);
    slower_rule(&db, "worse-than-baseline 10% for 2");
    db.ok(&["measure", "triage", "instr", "12", "--at", "2026-10-05"]);
    assert_eq!(
        signal(&db, "instrument", 2)["tripped"],
        false,
        "one bad value is not two"
    );
    let out = db.ok(&["measure", "triage", "instr", "11.5", "--at", "2026-10-06"]);
    assert!(out.contains("tripped by its rule"), "{out}");
    let k = signal(&db, "instrument", 2);
    assert_eq!(k["tripped"], true);
    assert!(
        k["reason"]
            .as_str()
            .unwrap()
            .starts_with("rule: the last 2 values (12, 11.5)")
    );
    // On the file jobloop trips it; on the shared database the server accepts no actor but the
    // role that ran the write, and the event names the rule as the cause.
    let by = if db.shared() { "tester" } else { "jobloop" };
    assert_eq!(k["changed_by"], by);
    let log = db.json(&["log", "--json", "--limit", "2"]);
    assert_eq!(log[0]["actor"], by);
    assert!(
        log[0]["summary"].as_str().unwrap().contains("by its rule"),
        "{log}"
    );
    assert_eq!(log[1]["actor"], "tester");
}

#[test]
fn a_rule_stays_silent_while_the_data_holds() {
    let db = Db::new();
    job(&db);
    measured(&db);
    db.ok(&[
        "kill", "add", "triage", "instr", "too slow", "--rule", "above 15",
    ]);
    db.ok(&["measure", "triage", "instr", "9", "--at", "2026-10-05"]);
    db.ok(&["measure", "triage", "instr", "14.9", "--at", "2026-10-06"]);
    assert_eq!(signal(&db, "instrument", 2)["tripped"], false);
    assert!(db.ok(&["check"]).contains("every kill rule holds"));
}

#[test]
fn adding_a_rule_that_the_data_already_breaks_trips_it() {
    let db = Db::new();
    job(&db);
    measured(&db);
    db.ok(&["measure", "triage", "instr", "9", "--at", "2026-10-05"]);
    db.ok(&[
        "kill",
        "add",
        "triage",
        "instr",
        "nobody measures",
        "--rule",
        "stale 14 days",
    ]);
    let k = signal(&db, "instrument", 2);
    assert_eq!(k["tripped"], true);
    assert!(k["reason"].as_str().unwrap().contains("no live value for"));
}

#[test]
fn check_fires_rules_that_time_broke() {
    // Rules that time breaks (stale, by DATE) fire on `check`: here the records were made 40
    // days ago on a simulated clock, and `check` runs today.
    use jobloop::domain::model::{Better, Phase};
    use jobloop::domain::{Intent, LoopKind, LoopOp, Stamp, When};
    use jobloop::store::{Missing, Store};
    let db = Db::new();
    let mut s = Store::open(&db.path, Missing::Create).unwrap();
    let then = Stamp::from_utc(Stamp::now().0 - chrono::Duration::days(40));
    // On the shared store the server's identity acts (and so may run `check` on its loops).
    let who = s.identity().unwrap_or("lead").to_string();
    let ctx = s.ctx(Some(&who), then).unwrap();
    let on = |op| Intent::OnLoop {
        slug: "triage".into(),
        kind: LoopKind::Instrument,
        op,
    };
    let day = When::Day(then.local_date());
    let deadline = (then.local_date() + chrono::Days::new(10)).format("%Y-%m-%d");
    for intent in [
        Intent::AddJob {
            title: "Triage".into(),
            slug: Some("triage".into()),
            statement: None,
            owner: None,
            since: None,
        },
        on(LoopOp::metric("hours", "", Better::Lower)),
        on(LoopOp::value(Phase::Live, 9.0, day)),
        on(LoopOp::AddKillSignal {
            text: "late proof".into(),
            rule: Some(format!("by {deadline} improved 50%")),
            reason: None,
        }),
        on(LoopOp::kill_signal("still measured", Some("stale 60 days"))),
    ] {
        s.apply(&ctx, &intent).unwrap();
    }
    drop(s);
    assert_eq!(signal(&db, "instrument", 2)["tripped"], false);
    let out = db.ok(&["check"]);
    assert!(out.contains("kill signal 2"), "{out}");
    assert!(!out.contains("kill signal 3"), "{out}");
    assert_eq!(signal(&db, "instrument", 2)["tripped"], true);
    assert_eq!(signal(&db, "instrument", 3)["tripped"], false);
    // Nothing new fires, and `check` still says which signal waits for a decision.
    let again = db.ok(&["check"]);
    assert!(again.starts_with("no rule tripped anything new"), "{again}");
    assert!(
        again.contains("kill signal 2 on triage/instrument is tripped and awaits your decision"),
        "{again}"
    );
    assert!(db.ok(&["verify"]).contains("verified"));
}

#[test]
fn continue_re_arms_a_rule_and_every_view_agrees_when_it_fires_again() {
    let db = Db::new();
    job(&db);
    measured(&db);
    db.ok(&[
        "kill", "add", "triage", "instr", "too slow", "--rule", "above 9",
    ]);
    let out = db.ok(&["measure", "triage", "instr", "9.5", "--at", "2026-10-05"]);
    assert!(out.contains("tripped by its rule"), "{out}");
    let out = db.ok(&[
        "loop",
        "continue",
        "triage",
        "instr",
        "--reason",
        "holiday week",
    ]);
    assert!(out.contains("watches again"), "{out}");
    let k = signal(&db, "instrument", 2);
    assert_eq!(k["tripped"], false);
    assert_eq!(k["decision"], "continue");
    assert_eq!(k["rule_check"]["result"], "holds", "{k}");
    assert!(db.ok(&["check"]).contains("every kill rule holds"));
    assert!(
        db.ok(&["loop", "show", "triage", "instr"])
            .contains("armed again after: continue"),
    );
    // A value that holds trips nothing; the next breach trips it again.
    db.ok(&["measure", "triage", "instr", "8", "--at", "2026-10-06"]);
    assert_eq!(signal(&db, "instrument", 2)["tripped"], false);
    let out = db.ok(&["measure", "triage", "instr", "9.6", "--at", "2026-10-07"]);
    assert!(out.contains("the latest value 9.6 is above 9"), "{out}");
    let k = signal(&db, "instrument", 2);
    assert_eq!(k["tripped"], true);
    assert!(k["decision"].is_null());
    assert_eq!(k["rule_check"]["result"], "fires");
    let review = db.json(&["review", "--json"]);
    let flags = &review["jobs"][0]["loops"][2]["flags"];
    assert!(
        flags
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "kill-tripped"),
        "{flags}"
    );
    let show = db.ok(&["loop", "show", "triage", "instr"]);
    assert!(show.contains("[TRIPPED] too slow"), "{show}");
    assert!(db.ok(&["check"]).contains("awaits your decision"));
    // The first decision stays in the history.
    let log = db.ok(&["log", "triage"]);
    assert!(log.contains("continues: holiday week"), "{log}");
}

#[test]
fn a_dated_rule_before_its_date_waits_and_says_until_when() {
    let db = Db::new();
    job(&db);
    measured(&db);
    db.ok(&[
        "kill",
        "add",
        "triage",
        "instr",
        "no proof by then",
        "--rule",
        "by 2099-12-31 improved 20%",
    ]);
    let k = signal(&db, "instrument", 2);
    assert_eq!(k["tripped"], false, "{k}");
    assert!(
        k["rule_check"]["why"]
            .as_str()
            .unwrap()
            .starts_with("holds until 2099-12-31"),
        "{k}"
    );
    assert!(db.ok(&["check"]).contains("every kill rule holds"));
}

#[test]
fn a_malformed_rule_is_refused_with_the_grammar() {
    let db = Db::new();
    job(&db);
    let err = db.refused(
        &[
            "kill",
            "add",
            "triage",
            "instr",
            "x",
            "--rule",
            "below zero",
        ],
        2,
    );
    assert!(
        err.contains("`below X`") && err.contains("`stale N days`"),
        "{err}"
    );
}

/// A file of values trips a rule exactly as the same values typed one by one: three bad weeks
/// followed by good ones break `worse-than-baseline 10% for 3` at the third bad week, even
/// though the file's last weeks hold.
#[test]
fn a_file_of_values_trips_a_rule_as_the_values_typed_one_by_one_do() {
    let db = Db::new();
    job(&db);
    measured(&db);
    slower_rule(&db, "worse-than-baseline 10% for 3");
    db.ok(&["intervene", "triage", "instr", "bot", "--at", "2026-10-03"]);
    let file = db.dir.path().join("weeks.csv");
    std::fs::write(
        &file,
        "job,kind,date,value\n\
         triage,instr,2026-10-05,15\ntriage,instr,2026-10-12,15\ntriage,instr,2026-10-19,15\n\
         triage,instr,2026-10-26,7\ntriage,instr,2026-11-02,7\ntriage,instr,2026-11-09,7\n",
    )
    .unwrap();
    let out = db.ok(&["values", "import", file.to_str().unwrap()]);
    assert!(out.contains("tripped by its rule"), "{out}");
    let k = signal(&db, "instrument", 2);
    assert_eq!(k["tripped"], true);
    assert!(
        k["reason"]
            .as_str()
            .unwrap()
            .starts_with("rule: the last 3 values (15, 15, 15)"),
        "{k}"
    );
    db.ok(&["verify"]);
}

also_on_postgres!(
    a_rule_fires_on_the_write_that_breaks_it,
    a_rule_stays_silent_while_the_data_holds,
    adding_a_rule_that_the_data_already_breaks_trips_it,
    check_fires_rules_that_time_broke,
    a_malformed_rule_is_refused_with_the_grammar,
    continue_re_arms_a_rule_and_every_view_agrees_when_it_fires_again,
    a_dated_rule_before_its_date_waits_and_says_until_when,
    a_file_of_values_trips_a_rule_as_the_values_typed_one_by_one_do,
);
