//! The plan locked by an intervention, through the real binary: what it holds, that later
//! changes need a reason and are kept as deviations, that the verdict stays the locked plan's,
//! that a replaced metric keeps its comparison, and that plans travel through export, import
//! and `verify`. Each test also runs on PostgreSQL.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Db;
use serde_json::Value as Json;

/// `triage/instrument` with a target, six baseline values and an intervention that locks a
/// plan of 8 live values; then four live values.
fn locked(db: &Db) {
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
        "--target",
        "-25%",
    ]);
    for (i, v) in ["10", "11", "10.5", "9.5", "10", "10.2"].iter().enumerate() {
        db.ok(&[
            "baseline",
            "triage",
            "instr",
            v,
            "--at",
            &format!("2026-10-0{}", i + 1),
        ]);
    }
    let out = db.ok(&[
        "intervene",
        "triage",
        "instr",
        "agent drafts",
        "--at",
        "2026-10-10",
        "--horizon",
        "8",
    ]);
    assert!(out.contains("locked plan 1"), "{out}");
    for (i, v) in ["7", "7.5", "6.8", "7.2"].iter().enumerate() {
        db.ok(&[
            "measure",
            "triage",
            "instr",
            v,
            "--at",
            &format!("2026-10-1{}", i + 1),
        ]);
    }
}

fn instrument(db: &Db) -> Json {
    db.review_loop("instrument")
}

#[test]
fn the_intervention_locks_the_plan_and_every_view_shows_it() {
    let db = Db::new();
    locked(&db);
    let l = instrument(&db);
    let plan = &l["plan"];
    assert_eq!(plan["version"], 1);
    assert_eq!(plan["horizon"], 8);
    assert_eq!(plan["horizon_from"], "typed");
    assert_eq!(plan["baseline_n"], 6);
    assert_eq!(plan["target"], "-25%");
    assert_eq!(plan["seen_live"], 0);
    assert_eq!(plan["hash"].as_str().unwrap().len(), 64);
    assert!(plan["locked_at"].is_string() && plan["locked_by"] == "tester");
    assert_eq!(plan["deviations"], Json::Array(vec![]));
    assert_eq!(l["comparison"]["sequential"]["horizon"], 8);
    assert!(l["amended_comparison"].is_null());
    assert_eq!(l["superseded_metrics"], Json::Array(vec![]));
    let shown = db.ok(&["plan", "show", "triage", "instr"]);
    assert!(shown.contains("plan 1 locked"), "{shown}");
    assert!(
        shown.contains("horizon 8 live values (as typed)"),
        "{shown}"
    );
    assert!(shown.contains("verdict under the locked plan"), "{shown}");
    let json = db.json(&["plan", "show", "triage", "instr", "--json"]);
    assert_eq!(json["plan"], *plan);
    let detail = db.ok(&["loop", "show", "triage", "instr"]);
    assert!(detail.contains("plan 1 locked"), "{detail}");
    // The horizon comes from the target when none is typed (one these 4 baseline values can
    // be promised: with the upper bound of their spread, a quarter of the mean is too small).
    let other = Db::new();
    other.ok(&["job", "add", "Other", "--slug", "other"]);
    other.ok(&[
        "metric", "set", "other", "instr", "x", "--better", "lower", "--target", "-50%",
    ]);
    for (i, v) in ["10", "11", "10.5", "9.5"].iter().enumerate() {
        other.ok(&[
            "baseline",
            "other",
            "instr",
            v,
            "--at",
            &format!("2026-10-0{}", i + 1),
        ]);
    }
    other.ok(&[
        "intervene",
        "other",
        "instr",
        "change",
        "--at",
        "2026-10-10",
    ]);
    let plan = &instrument(&other)["plan"];
    assert_eq!(plan["horizon_from"], "target");
    // A horizon out of range is refused and nothing is written.
    let err = other.refused(
        &["intervene", "other", "instr", "again", "--horizon", "0"],
        2,
    );
    assert!(err.contains("out of range"), "{err}");
}

// long: one locked plan changed in each way it can be, in turn; each change is checked against
// the deviations the ones before left
#[test]
fn changes_after_the_lock_need_a_reason_and_are_kept_as_deviations() {
    let db = Db::new();
    locked(&db);
    let before = instrument(&db)["comparison"].clone();
    let attempts: [&[&str]; 5] = [
        &["metric", "target", "triage", "instr", "--", "-10%"],
        &["plan", "horizon", "triage", "instr", "20"],
        &[
            "kill", "add", "triage", "instr", "too slow", "--rule", "above 12",
        ],
        &["baseline", "triage", "instr", "12", "--at", "2026-10-08"],
        &[
            "metric", "replace", "triage", "instr", "p90", "--better", "lower",
        ],
    ];
    for args in attempts {
        let err = db.refused(args, 1);
        assert!(err.contains("--reason"), "{args:?}: {err}");
        assert!(err.contains("deviation"), "{args:?}: {err}");
    }
    db.ok(&[
        "metric",
        "target",
        "triage",
        "instr",
        "--reason",
        "the board wants less",
        "--",
        "-10%",
    ]);
    db.ok(&[
        "plan",
        "horizon",
        "triage",
        "instr",
        "20",
        "--reason",
        "more weeks",
    ]);
    db.ok(&[
        "kill",
        "add",
        "triage",
        "instr",
        "too slow",
        "--rule",
        "above 12",
        "--reason",
        "a ceiling",
    ]);
    db.ok(&[
        "baseline",
        "triage",
        "instr",
        "12",
        "--at",
        "2026-10-08",
        "--reason",
        "late export",
    ]);
    // A judgement-call signal (no rule) changes no plan.
    db.ok(&["kill", "add", "triage", "instr", "customers complain"]);
    let l = instrument(&db);
    let whats: Vec<&str> = l["plan"]["deviations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        whats,
        [
            "target-changed",
            "horizon-changed",
            "kill-rule-added",
            "baseline-added"
        ]
    );
    let d = &l["plan"]["deviations"][0];
    assert_eq!(d["by"], "tester");
    assert_eq!(d["reason"], "the board wants less");
    assert!(d["at"].is_string() && d["detail"].as_str().unwrap().contains("-25%"));
    // The verdict is the locked plan's; the amended plan's result is beside it.
    assert_eq!(l["comparison"], before);
    assert_eq!(l["amended_comparison"]["baseline_n"], 7);
    assert_eq!(l["amended_comparison"]["sequential"]["horizon"], 20);
    let shown = db.ok(&["plan", "show", "triage", "instr"]);
    assert!(shown.contains("under the amended plan"), "{shown}");
    assert!(shown.contains("why: late export"), "{shown}");
    // The digest lists the week's deviations.
    let digest = db.ok(&["review", "--markdown"]);
    assert!(digest.contains("Deviations from locked plans"), "{digest}");
    // Voiding the intervention that locked the plan is a deviation too, with the void's reason.
    let id = l["plan"]["intervention"].as_str().unwrap().to_string();
    let out = db.ok(&["void", "triage", "instr", &id, "--reason", "wrong loop"]);
    assert!(out.contains("deviation"), "{out}");
    assert!(db.ok(&["verify"]).contains("intact"));
}

#[test]
fn a_switched_metric_keeps_its_old_comparison_and_is_suggested_as_a_kill_signal() {
    let db = Db::new();
    locked(&db);
    let before = instrument(&db)["comparison"].clone();
    db.ok(&[
        "metric",
        "replace",
        "triage",
        "instr",
        "p90",
        "--unit",
        "h",
        "--better",
        "lower",
        "--reason",
        "the median hid the tail",
    ]);
    let l = instrument(&db);
    assert!(l["comparison"].is_null() && l["plan"].is_null());
    let old = &l["superseded_metrics"][0];
    assert_eq!(old["name"], "first answer");
    assert_eq!(old["live_n"], 4);
    assert_eq!(old["comparison"], before);
    assert_eq!(old["plan"]["deviations"][0]["what"], "metric-replaced");
    let why: Vec<&str> = l["suggested_kill_signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["why"].as_str().unwrap())
        .collect();
    assert!(
        why.iter()
            .any(|w| w.contains("success redefined after the fact")),
        "{why:?}"
    );
    let shown = db.ok(&["loop", "show", "triage", "instr"]);
    assert!(shown.contains("replaced metric `first answer`"), "{shown}");
    assert!(shown.contains("its last verdict under plan 1"), "{shown}");
}

#[test]
fn a_second_intervention_locks_a_new_plan_and_the_first_keeps_its_verdict() {
    let db = Db::new();
    locked(&db);
    let first = instrument(&db)["comparison"].clone();
    let out = db.ok(&[
        "intervene",
        "triage",
        "instr",
        "second change",
        "--at",
        "2026-10-20",
    ]);
    assert!(out.contains("locked plan 2"), "{out}");
    db.ok(&["measure", "triage", "instr", "6", "--at", "2026-10-21"]);
    let l = instrument(&db);
    assert_eq!(l["plan"]["version"], 2);
    assert_eq!(l["comparison"]["live_n"], 1);
    let earlier = &l["earlier_plans"][0];
    assert_eq!(earlier["plan"]["version"], 1);
    assert_eq!(earlier["voided"], false);
    assert_eq!(earlier["comparison"], first);
    // Voiding the second intervention is a deviation of its plan, which stays listed.
    let id = l["plan"]["intervention"].as_str().unwrap().to_string();
    let err = db.refused(&["void", "triage", "instr", &id, "--reason", " "], 2);
    assert!(err.contains("reason"), "{err}");
    db.ok(&["void", "triage", "instr", &id, "--reason", "never happened"]);
    let l = instrument(&db);
    assert_eq!(l["plan"]["version"], 1);
    let voided = &l["earlier_plans"][0];
    assert_eq!(voided["voided"], true);
    assert_eq!(
        voided["plan"]["deviations"][0]["what"],
        "intervention-voided"
    );
    let shown = db.ok(&["plan", "show", "triage", "instr"]);
    assert!(shown.contains("earlier plan 2"), "{shown}");
}

// long: what a lead under pressure tries, one attempt after another on the same locked plan;
// each attempt meets what the ones before left
/// What a lead under pressure would try: a reason nobody can read, a back-dated intervention
/// around values already seen, a baseline that disarms a kill rule, a voided intervention to
/// unlock the plan.
#[test]
fn the_lock_holds_against_a_lead_under_pressure() {
    let db = Db::new();
    locked(&db);
    let verdict = instrument(&db)["comparison"].clone();
    for invisible in ["\u{200b}", "\u{1}\u{2}", " \t "] {
        let err = db.refused(
            &[
                "metric", "target", "triage", "instr", "--reason", invisible, "--", "-10%",
            ],
            1,
        );
        assert!(err.contains("--reason"), "{invisible:?}: {err}");
    }
    // A live measurement takes no reason: it changes no plan.
    let err = db.refused(
        &["measure", "triage", "instr", "7", "--reason", "because"],
        2,
    );
    assert!(err.contains("no reason"), "{err}");
    // A kill rule locked in reads the locked baseline, whatever baseline is added later.
    db.ok(&[
        "kill",
        "add",
        "triage",
        "instr",
        "slides back",
        "--rule",
        "worse-than-baseline 10% for 2",
        "--reason",
        "watch it",
    ]);
    db.ok(&[
        "baseline",
        "triage",
        "instr",
        "500",
        "--at",
        "2026-10-08",
        "--reason",
        "found one",
    ]);
    assert_eq!(instrument(&db)["comparison"], verdict);
    assert_eq!(instrument(&db)["baseline"]["n"], 6, "the locked baseline");
    db.ok(&["measure", "triage", "instr", "13", "--at", "2026-10-20"]);
    let out = db.ok(&["measure", "triage", "instr", "13.5", "--at", "2026-10-21"]);
    assert!(
        out.contains("rule"),
        "the rule fires on the locked baseline: {out}"
    );
    // Voiding the locking intervention keeps its verdict and unlocks nothing.
    let l = instrument(&db);
    let id = l["plan"]["intervention"].as_str().unwrap().to_string();
    db.ok(&["void", "triage", "instr", &id, "--reason", "try again"]);
    let l = instrument(&db);
    assert!(l["plan"].is_null());
    assert_eq!(
        l["locked_on"], "2026-10-10",
        "still locked: changes need a reason"
    );
    assert_eq!(l["earlier_plans"][0]["voided"], true);
    assert_eq!(
        l["earlier_plans"][0]["comparison"]["live_n"], 6,
        "the voided plan keeps its verdict"
    );
    let err = db.refused(&["metric", "target", "triage", "instr", "--", "-1%"], 1);
    assert!(err.contains("--reason"), "{err}");
    // A back-dated intervention around values already seen: they are left out of its verdict.
    let out = db.ok(&[
        "intervene",
        "triage",
        "instr",
        "again",
        "--at",
        "2026-10-09",
    ]);
    assert!(out.contains("already recorded"), "{out}");
    let l = instrument(&db);
    assert_eq!(l["plan"]["seen_live"], 6);
    assert_eq!(l["comparison"]["live_n"], 0);
    assert_eq!(l["amended_comparison"]["live_n"], 6);
}

#[test]
fn plans_and_deviations_travel_through_export_import_and_verify() {
    let db = Db::new();
    locked(&db);
    db.ok(&[
        "metric", "target", "triage", "instr", "--reason", "why not", "--", "-10%",
    ]);
    let export = db.ok(&["export"]);
    let doc: Json = serde_json::from_str(&export).unwrap();
    assert_eq!(doc["deviations"].as_array().unwrap().len(), 1);
    assert!(doc["interventions"][0]["plan"].is_string());
    let copy = Db::new();
    let file = copy.dir.path().join("export.json");
    std::fs::write(&file, &export).unwrap();
    copy.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(copy.ok(&["export"]), export);
    assert!(copy.ok(&["verify"]).contains("intact"));
    assert_eq!(instrument(&copy)["plan"], instrument(&db)["plan"]);
    // An export whose plan was edited (with a hash to match, or not) is refused whole.
    let forged = export.replacen("\\\"horizon\\\":8", "\\\"horizon\\\":80", 1);
    assert_ne!(forged, export);
    let bad = Db::new();
    let file = bad.dir.path().join("forged.json");
    std::fs::write(&file, forged).unwrap();
    let err = bad.refused(&["import", file.to_str().unwrap()], 1);
    assert!(err.contains("plan"), "{err}");
}

/// An export written before plans existed (schema 4, by the jobloop of commit bea5a97) imports,
/// verifies and reads as before; its interventions locked no plan, the next one does.
#[test]
fn an_export_from_before_plans_imports_and_verifies() {
    let db = Db::new();
    let file = db.dir.path().join("export_v4.json");
    std::fs::write(&file, include_str!("fixtures/export_v4.json")).unwrap();
    let out = db.ok(&["import", file.to_str().unwrap()]);
    assert!(out.contains("imported 1 jobs"), "{out}");
    assert!(db.ok(&["verify"]).contains("intact"));
    let l = instrument(&db);
    assert!(l["plan"].is_null() && l["comparison"].is_object(), "{l}");
    assert_eq!(l["guardrails"], Json::Array(vec![]));
    if db.shared() {
        // On the shared database only the loop's owner or the job's lead records: enough.
        return;
    }
    // No plan was locked: the target changes freely, and the next intervention locks one.
    db.ok(&["metric", "target", "support-triage", "instr", "--", "-30%"]);
    db.ok(&["intervene", "support-triage", "instr", "next change"]);
    assert_eq!(instrument(&db)["plan"]["version"], 1);
    assert!(db.ok(&["verify"]).contains("intact"));
}

also_on_postgres!(
    the_intervention_locks_the_plan_and_every_view_shows_it,
    changes_after_the_lock_need_a_reason_and_are_kept_as_deviations,
    a_switched_metric_keeps_its_old_comparison_and_is_suggested_as_a_kill_signal,
    a_second_intervention_locks_a_new_plan_and_the_first_keeps_its_verdict,
    the_lock_holds_against_a_lead_under_pressure,
    an_export_from_before_plans_imports_and_verifies,
    plans_and_deviations_travel_through_export_import_and_verify,
);
