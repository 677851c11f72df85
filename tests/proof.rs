//! Kill rules that fire by themselves and the detectors of the six kill signals, through the
//! real binary: each shown firing and shown silent.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Db;

fn job(db: &Db) {
    db.ok(&["job", "add", "Triage", "--owner", "Ana"]);
}

fn suggested(db: &Db, kind: &str) -> Vec<String> {
    let review = db.json(&["review", "--json"]);
    review["jobs"][0]["loops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == kind)
        .unwrap()["suggested_kill_signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["why"].as_str().unwrap().to_string())
        .collect()
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

fn measured(db: &Db) {
    db.ok(&[
        "metric", "set", "triage", "instr", "hours", "--better", "lower",
    ]);
    db.ok(&["baseline", "triage", "instr", "10", "--at", "2026-10-01"]);
    db.ok(&["baseline", "triage", "instr", "10", "--at", "2026-10-02"]);
}

#[test]
fn a_rule_fires_on_the_write_that_breaks_it() {
    let db = Db::new();
    job(&db);
    measured(&db);
    db.ok(&[
        "kill",
        "add",
        "triage",
        "instr",
        "answers get slower",
        "--rule",
        "worse-than-baseline 10% for 2",
    ]);
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
    use jobloop::domain::model::{Better, Measures, Phase};
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
        on(LoopOp::SetMetric {
            name: "hours".into(),
            unit: String::new(),
            better: Better::Lower,
            measures: Measures::Outcome,
            replace: false,
            target: None,
            reason: None,
        }),
        on(LoopOp::RecordValue {
            phase: Phase::Live,
            value: 9.0,
            at: day,
            note: None,
            reason: None,
            guard: None,
            typed: None,
            source: None,
        }),
        on(LoopOp::AddKillSignal {
            text: "late proof".into(),
            rule: Some(format!("by {deadline} improved 50%")),
            reason: None,
        }),
        on(LoopOp::AddKillSignal {
            text: "still measured".into(),
            rule: Some("stale 60 days".into()),
            reason: None,
        }),
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

#[test]
fn understand_detector_needs_a_workaround_once_work_changes() {
    let db = Db::new();
    job(&db);
    measured(&db);
    assert!(suggested(&db, "understand").is_empty());
    db.ok(&[
        "intervene",
        "triage",
        "instr",
        "agent",
        "--at",
        "2026-10-03",
    ]);
    assert!(suggested(&db, "understand")[0].contains("current workaround"));
    db.ok(&["job", "edit", "triage", "--workaround", "spreadsheet"]);
    assert!(suggested(&db, "understand").is_empty());
}

#[test]
fn redesign_detector_catches_a_tool_chosen_before_the_map() {
    let db = Db::new();
    job(&db);
    db.ok(&["tool", "triage", "Zapier", "--at", "2026-10-01"]);
    assert!(suggested(&db, "redesign")[0].contains("`Zapier`"));
    let db = Db::new();
    job(&db);
    db.ok(&["loop", "step", "triage", "redesign", "1", "--done"]);
    db.ok(&["tool", "triage", "Zapier"]);
    assert!(
        suggested(&db, "redesign").is_empty(),
        "mapped first, then chosen"
    );
}

#[test]
fn instrument_detector_catches_adoption_metrics_and_unproven_interventions() {
    let db = Db::new();
    job(&db);
    db.ok(&[
        "metric",
        "set",
        "triage",
        "instr",
        "agent usage",
        "--better",
        "higher",
        "--measures",
        "adoption",
    ]);
    assert!(suggested(&db, "instrument")[0].contains("measures adoption"));
    db.ok(&[
        "metric",
        "replace",
        "triage",
        "instr",
        "answer time",
        "--better",
        "lower",
    ]);
    assert!(suggested(&db, "instrument").is_empty());
    // An intervention left without an earlier baseline: its only baseline was voided.
    db.ok(&["baseline", "triage", "instr", "5", "--at", "2026-10-01"]);
    db.ok(&[
        "intervene",
        "triage",
        "instr",
        "agent",
        "--at",
        "2026-10-05",
    ]);
    let shown = db.json(&["loop", "show", "triage", "instr", "--json"]);
    let id = shown["values"][0]["id"].as_str().unwrap().to_string();
    db.ok(&["void", "triage", "instr", &id, "--reason", "wrong loop"]);
    assert!(suggested(&db, "instrument")[0].contains("no baseline dated before it"));
}

#[test]
fn govern_detector_catches_decisions_without_thresholds_and_unowned_governance() {
    let db = Db::new();
    job(&db);
    db.ok(&[
        "decide",
        "triage",
        "govern",
        "auto-close",
        "--owner",
        "Ben",
        "--threshold",
        "exact duplicates",
    ]);
    assert!(suggested(&db, "govern").is_empty());
    db.ok(&[
        "decide",
        "triage",
        "govern",
        "auto-refund",
        "--owner",
        "Ben",
    ]);
    assert!(suggested(&db, "govern")[0].contains("no approval threshold"));
    let db = Db::new();
    db.ok(&["job", "add", "Triage"]);
    measured(&db);
    db.ok(&[
        "intervene",
        "triage",
        "instr",
        "agent",
        "--at",
        "2026-10-03",
    ]);
    assert!(
        suggested(&db, "govern")
            .iter()
            .any(|w| w.contains("no owner"))
    );
    db.ok(&["loop", "owner", "triage", "govern", "Chen"]);
    assert!(suggested(&db, "govern").is_empty());
}

#[test]
fn improve_detector_catches_the_same_mistake_twice_without_a_change() {
    let db = Db::new();
    job(&db);
    db.ok(&[
        "learn",
        "triage",
        "improve",
        "VIP misrouted",
        "--type",
        "mistake",
        "--tag",
        "vip",
    ]);
    assert!(suggested(&db, "improve").is_empty());
    db.ok(&[
        "learn",
        "triage",
        "improve",
        "VIP misrouted",
        "--type",
        "mistake",
        "--tag",
        "vip",
    ]);
    assert!(suggested(&db, "improve")[0].contains("`vip`"));
    let db = Db::new();
    job(&db);
    db.ok(&[
        "learn",
        "triage",
        "improve",
        "VIP misrouted",
        "--type",
        "mistake",
        "--tag",
        "vip",
        "--capability",
        "REALITY",
    ]);
    db.ok(&[
        "learn",
        "triage",
        "improve",
        "VIP rule added",
        "--type",
        "change",
    ]);
    db.ok(&[
        "learn",
        "triage",
        "improve",
        "VIP misrouted",
        "--type",
        "mistake",
        "--tag",
        "vip",
    ]);
    assert!(
        suggested(&db, "improve").is_empty(),
        "a change was recorded between"
    );
    let err = db.refused(&["learn", "triage", "improve", "x", "--type", "rumour"], 2);
    assert!(err.contains("evidence, decision, feedback"), "{err}");
}

#[test]
fn distribute_detector_catches_proof_without_outcome_after_two_weeks() {
    let db = Db::new();
    job(&db);
    db.ok(&[
        "proof",
        "add",
        "triage",
        "Case study",
        "--kind",
        "case",
        "--visibility",
        "public",
    ]);
    assert!(
        suggested(&db, "distribute").is_empty(),
        "fresh proof has time"
    );
    db.ok(&[
        "proof",
        "add",
        "triage",
        "Old diagram",
        "--kind",
        "diagram",
        "--visibility",
        "private",
        "--at",
        "2026-01-05",
    ]);
    assert!(suggested(&db, "distribute")[0].contains("`Old diagram`"));
    let list = db.json(&["proof", "list", "triage", "--json"]);
    let id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"] == "Old diagram")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let short = &id[id.len() - 8..];
    assert!(db.ok(&["proof", "list", "triage"]).contains(short));
    db.ok(&[
        "proof",
        "outcome",
        "triage",
        short,
        "--replies",
        "3",
        "--reuse",
        "1",
    ]);
    assert!(suggested(&db, "distribute").is_empty());
    db.refused(&["proof", "outcome", "triage", "zz", "--replies", "1"], 2);
    db.refused(
        &["proof", "outcome", "triage", "ffffffff", "--replies", "1"],
        1,
    );
}

#[test]
fn a_tripped_canonical_signal_is_no_longer_suggested() {
    let db = Db::new();
    job(&db);
    db.ok(&["tool", "triage", "Zapier", "--at", "2026-10-01"]);
    assert_eq!(suggested(&db, "redesign").len(), 1);
    db.ok(&[
        "kill",
        "trip",
        "triage",
        "redesign",
        "1",
        "--reason",
        "tool first",
    ]);
    assert!(suggested(&db, "redesign").is_empty());
}

// The same tests on the shared PostgreSQL store.
also_on_postgres!(
    a_rule_fires_on_the_write_that_breaks_it,
    a_rule_stays_silent_while_the_data_holds,
    adding_a_rule_that_the_data_already_breaks_trips_it,
    check_fires_rules_that_time_broke,
    a_malformed_rule_is_refused_with_the_grammar,
    continue_re_arms_a_rule_and_every_view_agrees_when_it_fires_again,
    a_dated_rule_before_its_date_waits_and_says_until_when,
    understand_detector_needs_a_workaround_once_work_changes,
    redesign_detector_catches_a_tool_chosen_before_the_map,
    instrument_detector_catches_adoption_metrics_and_unproven_interventions,
    govern_detector_catches_decisions_without_thresholds_and_unowned_governance,
    improve_detector_catches_the_same_mistake_twice_without_a_change,
    distribute_detector_catches_proof_without_outcome_after_two_weeks,
    a_tripped_canonical_signal_is_no_longer_suggested,
);

fn distribute_status(db: &Db, slug: &str) -> String {
    let review = db.json(&["review", "--json"]);
    review["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["slug"] == slug)
        .unwrap()["loops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "distribute")
        .unwrap()["status"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Proof is the distribute loop's work: recording it on a job whose distribute loop is not
/// started opens that loop in the same transaction, with its own `loop open` event, and the
/// trail still verifies; a loop the lead retired stays retired.
#[test]
fn recording_proof_opens_a_distribute_loop_not_started_and_nothing_else() {
    let db = Db::new();
    job(&db);
    assert_eq!(distribute_status(&db, "triage"), "not_started");
    let out = db.ok(&[
        "proof",
        "add",
        "triage",
        "Case study",
        "--kind",
        "case",
        "--visibility",
        "public",
    ]);
    assert!(
        out.contains("opened triage/distribute") && out.contains("work begun"),
        "{out}"
    );
    assert_eq!(distribute_status(&db, "triage"), "open");
    let log = db.json(&["log", "--json"]);
    let commands: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["command"].as_str().unwrap())
        .collect();
    assert_eq!(&commands[..2], &["loop open", "proof add"], "{commands:?}");
    db.ok(&["verify"]);
    // A second proof changes no loop.
    let out = db.ok(&[
        "proof",
        "add",
        "triage",
        "Diagram",
        "--kind",
        "diagram",
        "--visibility",
        "private",
    ]);
    assert!(!out.contains("opened"), "{out}");
    // A retired distribute loop is the lead's decision: proof does not reopen it.
    db.ok(&["job", "add", "Other", "--owner", "Ana"]);
    db.ok(&[
        "loop",
        "retire",
        "other",
        "distribute",
        "--reason",
        "no audience yet",
    ]);
    let out = db.ok(&[
        "proof",
        "add",
        "other",
        "Benchmark",
        "--kind",
        "benchmark",
        "--visibility",
        "private",
    ]);
    assert!(!out.contains("opened"), "{out}");
    assert_eq!(distribute_status(&db, "other"), "killed");
    db.ok(&["verify"]);
}
