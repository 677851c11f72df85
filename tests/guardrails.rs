//! Guardrail metrics through the real binary: each with its own baseline rule and comparison, a
//! breach flags the loop (review, board mark, suggested kill signal), adding or removing one
//! after the lock is a deviation, and a removed guardrail the plan locked is still judged.
//! Each test also runs on PostgreSQL.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Db;
use serde_json::Value as Json;

/// `triage/instrument` (lower is better) with the guardrail `cost` (at most 10% worse), six
/// baseline values of each, and an intervention with a horizon of 8.
fn guarded(db: &Db) {
    db.ok(&["job", "add", "Triage tickets", "--slug", "triage"]);
    db.ok(&[
        "metric",
        "set",
        "triage",
        "instr",
        "first answer",
        "--unit",
        "h",
        "--better",
        "lower",
    ]);
    let out = db.ok(&[
        "guard",
        "add",
        "triage",
        "instr",
        "cost",
        "--unit",
        "EUR",
        "--better",
        "lower",
        "--max-worse",
        "10%",
    ]);
    assert!(out.contains("at most 10% worse"), "{out}");
    for (i, (v, c)) in [
        ("10", "5.0"),
        ("11", "5.2"),
        ("10.5", "4.9"),
        ("9.5", "5.1"),
        ("10", "5.0"),
        ("10.2", "4.8"),
    ]
    .iter()
    .enumerate()
    {
        let at = format!("2026-10-0{}", i + 1);
        db.ok(&["baseline", "triage", "instr", v, "--at", &at]);
        db.ok(&[
            "baseline", "triage", "instr", c, "--at", &at, "--guard", "cost",
        ]);
    }
    db.ok(&[
        "intervene",
        "triage",
        "instr",
        "agent drafts",
        "--at",
        "2026-10-10",
        "--horizon",
        "8",
    ]);
}

fn instrument(db: &Db) -> Json {
    db.review_loop("instrument")
}

fn measure(db: &Db, primary: &[&str], cost: &[&str]) {
    for (i, (v, c)) in primary.iter().zip(cost).enumerate() {
        let at = format!("2026-10-{}", 11 + i);
        db.ok(&["measure", "triage", "instr", v, "--at", &at]);
        db.ok(&[
            "measure", "triage", "instr", c, "--at", &at, "--guard", "cost",
        ]);
    }
}

#[test]
fn a_guardrail_that_gets_worse_beyond_its_limit_flags_the_loop() {
    let db = Db::new();
    guarded(&db);
    let l = instrument(&db);
    assert_eq!(l["plan"]["guardrails"][0]["name"], "cost");
    assert_eq!(l["plan"]["guardrails"][0]["max_worse"], "10%");
    assert_eq!(l["plan"]["guardrails"][0]["baseline_n"], 6);
    // Cost up by about 45%: the primary metric improves, the guardrail is breached.
    measure(
        &db,
        &["7", "7.5", "6.8", "7.2", "7.1", "6.9"],
        &["7.2", "7.4", "7.1", "7.3", "7.0", "7.5"],
    );
    let l = instrument(&db);
    let g = &l["guardrails"][0];
    assert_eq!(g["name"], "cost");
    assert_eq!(g["max_worse"], "10%");
    assert_eq!(g["comparison"]["verdict"], "worse");
    assert_eq!(g["breached"], true);
    assert_eq!(l["comparison"]["verdict"], "improved");
    let flags: Vec<&str> = l["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(flags.contains(&"guardrail-breached"), "{flags:?}");
    assert!(
        l["suggested_kill_signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["text"].as_str().unwrap().contains("guardrail `cost`")),
        "{l}"
    );
    let shown = db.ok(&["loop", "show", "triage", "instr"]);
    assert!(
        shown.contains("guardrail cost") && shown.contains("BREACHED"),
        "{shown}"
    );
    // Removing it is a deviation: without a reason nothing changes; with one, the locked plan
    // still judges it, and the breach stands.
    let err = db.refused(&["guard", "remove", "triage", "instr", "cost"], 1);
    assert!(err.contains("--reason"), "{err}");
    db.ok(&[
        "guard",
        "remove",
        "triage",
        "instr",
        "cost",
        "--reason",
        "finance owns it now",
    ]);
    let l = instrument(&db);
    assert_eq!(l["guardrails"][0]["breached"], true);
    assert_eq!(l["guardrails"][0]["removed"], true);
    assert_eq!(l["plan"]["deviations"][0]["what"], "guardrail-removed");
    assert!(db.ok(&["verify"]).contains("intact"));
}

#[test]
fn a_guardrail_within_its_limit_or_not_shown_worse_is_no_breach() {
    let db = Db::new();
    guarded(&db);
    // Cost up about 4%, well within 10%: whatever its verdict, no breach.
    measure(
        &db,
        &["7", "7.5", "6.8", "7.2", "7.1", "6.9", "7.0", "7.3"],
        &["5.2", "5.3", "5.1", "5.2", "5.1", "5.3", "5.2", "5.2"],
    );
    let l = instrument(&db);
    assert_eq!(l["guardrails"][0]["breached"], false);
    assert!(
        !l["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "guardrail-breached")
    );
}

// long: one guardrail's life in order: values before and after the lock, then a new one after
// it; each step needs the plan the one before locked
#[test]
fn guardrail_values_keep_the_baseline_rule_and_adding_one_after_the_lock_needs_a_reason() {
    let db = Db::new();
    guarded(&db);
    // A guardrail baseline dated after the intervention is refused, as for the primary metric.
    let err = db.refused(
        &[
            "baseline",
            "triage",
            "instr",
            "5",
            "--at",
            "2026-10-12",
            "--guard",
            "cost",
        ],
        1,
    );
    assert!(err.contains("before any change"), "{err}");
    // One dated before it but added after the lock is a deviation.
    let err = db.refused(
        &[
            "baseline",
            "triage",
            "instr",
            "5",
            "--at",
            "2026-10-08",
            "--guard",
            "cost",
        ],
        1,
    );
    assert!(err.contains("--reason"), "{err}");
    // An unknown guardrail names the ones there are.
    let err = db.refused(&["measure", "triage", "instr", "5", "--guard", "speed"], 1);
    assert!(err.contains("its guardrails: cost"), "{err}");
    let err = db.refused(
        &[
            "guard",
            "add",
            "triage",
            "instr",
            "complaints",
            "--better",
            "lower",
            "--max-worse",
            "2",
        ],
        1,
    );
    assert!(err.contains("--reason"), "{err}");
    db.ok(&[
        "guard",
        "add",
        "triage",
        "instr",
        "complaints",
        "--better",
        "lower",
        "--max-worse",
        "2",
        "--reason",
        "support asked",
    ]);
    let l = instrument(&db);
    assert_eq!(l["plan"]["deviations"][0]["what"], "guardrail-added");
    // Not in the locked plan: judged against its own baseline, marked as such.
    let added = l["guardrails"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["name"] == "complaints")
        .unwrap();
    assert_eq!(added["locked"], false);
    // A limit must be a size without a sign.
    let err = db.refused(
        &[
            "guard",
            "add",
            "triage",
            "instr",
            "x",
            "--better",
            "lower",
            "--max-worse",
            "-10%",
            "--reason",
            "r",
        ],
        2,
    );
    assert!(err.contains("without a sign"), "{err}");
    // Values of a guardrail can be voided like any value; after the lock a baseline is a
    // deviation with the void's reason.
    let export: Json = serde_json::from_str(&db.ok(&["export"])).unwrap();
    let cost_id = export["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "cost")
        .unwrap()["id"]
        .clone();
    let value = export["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["metric_id"] == cost_id)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = db.ok(&["void", "triage", "instr", &value, "--reason", "typo"]);
    assert!(out.contains("deviation"), "{out}");
    assert!(db.ok(&["verify"]).contains("intact"));
}

/// A breach is never erased: not by a second intervention, not by replacing the primary
/// metric, not by voiding; and the guardrail stays locked across a replaced metric.
#[test]
fn a_breach_stays_on_record_whatever_comes_next() {
    let breached = || {
        let db = Db::new();
        guarded(&db);
        measure(
            &db,
            &["7", "7.5", "6.8", "7.2", "7.1", "6.9"],
            &["7.2", "7.4", "7.1", "7.3", "7.0", "7.5"],
        );
        db
    };
    let db = breached();
    db.ok(&[
        "intervene",
        "triage",
        "instr",
        "second",
        "--at",
        "2026-10-20",
    ]);
    let l = instrument(&db);
    assert_eq!(
        l["earlier_plans"][0]["guardrails"][0]["breached"], true,
        "{l}"
    );
    let shown = db.ok(&["plan", "show", "triage", "instr"]);
    assert!(shown.contains("BREACHED"), "{shown}");

    let db = breached();
    db.ok(&[
        "metric", "replace", "triage", "instr", "p90", "--better", "lower", "--reason", "x",
    ]);
    let l = instrument(&db);
    assert_eq!(
        l["superseded_metrics"][0]["guardrails"][0]["breached"], true,
        "{l}"
    );
    // The guardrail stays locked by the old plan until a new intervention.
    let err = db.refused(&["guard", "remove", "triage", "instr", "cost"], 1);
    assert!(err.contains("--reason"), "{err}");
    let err = db.refused(
        &[
            "baseline",
            "triage",
            "instr",
            "5",
            "--at",
            "2026-11-20",
            "--guard",
            "cost",
        ],
        1,
    );
    assert!(err.contains("before any change"), "{err}");

    let db = breached();
    let id = instrument(&db)["plan"]["intervention"]
        .as_str()
        .unwrap()
        .to_string();
    db.ok(&["void", "triage", "instr", &id, "--reason", "never mind"]);
    let l = instrument(&db);
    assert_eq!(
        l["earlier_plans"][0]["guardrails"][0]["breached"], true,
        "{l}"
    );
}

/// The limit is read exactly as typed: a worsening of exactly the limit is no breach; names
/// that read alike are one guardrail.
#[test]
fn limits_are_exact_and_names_are_not_look_alikes() {
    let db = Db::new();
    db.ok(&["job", "add", "Triage tickets", "--slug", "triage"]);
    db.ok(&[
        "metric", "set", "triage", "instr", "time", "--better", "lower",
    ]);
    db.ok(&[
        "guard",
        "add",
        "triage",
        "instr",
        "cost",
        "--better",
        "lower",
        "--max-worse",
        "7%",
    ]);
    for look_alike in ["Cost", "COST", "c\u{43e}st", "co\u{200b}st", "Time"] {
        let err = db.refused(
            &[
                "guard",
                "add",
                "triage",
                "instr",
                look_alike,
                "--better",
                "lower",
                "--max-worse",
                "1",
            ],
            if look_alike == "Time" { 2 } else { 1 },
        );
        assert!(err.contains("reads as"), "{look_alike}: {err}");
    }
    for (i, v) in [
        "1.01", "0.99", "1.02", "0.98", "1.01", "0.99", "1.01", "0.99",
    ]
    .iter()
    .enumerate()
    {
        let at = format!("2026-10-0{}", i + 1);
        db.ok(&["baseline", "triage", "instr", "10", "--at", &at]);
        db.ok(&[
            "baseline", "triage", "instr", v, "--at", &at, "--guard", "cost",
        ]);
    }
    db.ok(&[
        "intervene",
        "triage",
        "instr",
        "x",
        "--at",
        "2026-10-10",
        "--horizon",
        "12",
    ]);
    for i in 0..12 {
        let at = format!("2026-10-{}", 11 + i);
        db.ok(&["measure", "triage", "instr", "9", "--at", &at]);
        let v = ["1.07", "1.08", "1.06"][i % 3];
        db.ok(&[
            "measure", "triage", "instr", v, "--at", &at, "--guard", "cost",
        ]);
    }
    let g = instrument(&db)["guardrails"][0].clone();
    assert_eq!(g["comparison"]["verdict"], "worse", "{g}");
    assert_eq!(
        g["breached"], false,
        "exactly 7% worse is not beyond 7%: {g}"
    );
}

also_on_postgres!(
    a_guardrail_that_gets_worse_beyond_its_limit_flags_the_loop,
    a_guardrail_within_its_limit_or_not_shown_worse_is_no_breach,
    guardrail_values_keep_the_baseline_rule_and_adding_one_after_the_lock_needs_a_reason,
    a_breach_stays_on_record_whatever_comes_next,
    limits_are_exact_and_names_are_not_look_alikes,
);
