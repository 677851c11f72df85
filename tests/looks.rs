//! The looks a locked plan made cannot be made again: a live value entered after later-dated
//! ones is the next look, a voided one still counts for the locked verdict, a back-dated second
//! intervention does not take the first plan's values away, live values with no intervention
//! get no verdict, and values that share a week say so. Through the real binary, each test also
//! on PostgreSQL.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Db;
use serde_json::Value as Json;

/// `sup/instrument` (lower is better) with eight weekly baseline values around 10 h.
fn baseline(db: &Db) {
    db.ok(&["job", "add", "Support", "--slug", "sup"]);
    db.ok(&[
        "metric", "set", "sup", "instr", "time", "--unit", "h", "--better", "lower",
    ]);
    let days = ["03", "10", "17", "24", "31"];
    let values = ["10", "11", "9", "10.5", "9.5", "10", "11", "9"];
    let dates: Vec<String> = days
        .iter()
        .map(|d| format!("2026-08-{d}"))
        .chain(["07", "14", "21"].iter().map(|d| format!("2026-09-{d}")))
        .collect();
    for (v, at) in values.iter().zip(&dates) {
        db.ok(&["baseline", "sup", "instr", v, "--at", at]);
    }
}

/// Live values `values`, one a week from 2026-09-28.
fn weekly(db: &Db, values: &[&str]) {
    weekly_of(db, values, &[]);
}

/// Live values `values` of the metric `of` names (`--guard NAME`, or none for the primary),
/// one a week from 2026-09-28.
fn weekly_of(db: &Db, values: &[&str], of: &[&str]) {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 9, 28).unwrap();
    for (i, v) in values.iter().enumerate() {
        let at = (start + chrono::Days::new(7 * i as u64)).to_string();
        let mut args = vec!["measure", "sup", "instr", v, "--at", &at];
        args.extend_from_slice(of);
        db.ok(&args);
    }
}

/// The intervention of 2026-09-28, locking a plan of `horizon` live values.
fn intervene(db: &Db, horizon: &str) {
    intervene_on(db, "bot", "2026-09-28", horizon);
}

/// An intervention `what` on day `at`, locking a plan of `horizon` live values.
fn intervene_on(db: &Db, what: &str, at: &str, horizon: &str) {
    db.ok(&[
        "intervene",
        "sup",
        "instr",
        what,
        "--at",
        at,
        "--horizon",
        horizon,
    ]);
}

/// The guardrail `cost` (EUR, lower is better, at most `max_worse` worse) with six baseline
/// values around 100 from 2026-09-01.
fn cost_guardrail(db: &Db, max_worse: &str) {
    db.ok(&[
        "guard",
        "add",
        "sup",
        "instr",
        "cost",
        "--unit",
        "EUR",
        "--better",
        "lower",
        "--max-worse",
        max_worse,
    ]);
    for (i, v) in ["100", "101", "99", "100.5", "99.5", "100"]
        .iter()
        .enumerate()
    {
        let at = format!("2026-09-0{}", i + 1);
        db.ok(&[
            "baseline", "sup", "instr", v, "--guard", "cost", "--at", &at,
        ]);
    }
}

/// A plan of six live values from 2026-09-28, and six values that end it without a verdict.
fn final_inconclusive(db: &Db) {
    baseline(db);
    intervene(db, "6");
    weekly(db, &["8", "8.2", "12", "7.9", "11.5", "8.1"]);
    let c = comparison(db);
    assert_eq!(c["verdict"], "inconclusive");
    assert_eq!(c["sequential"]["past_horizon"], true);
}

fn instrument(db: &Db) -> Json {
    db.review_loop("instrument")
}

fn comparison(db: &Db) -> Json {
    instrument(db)["comparison"].clone()
}

fn caveat_kinds(c: &Json) -> Vec<String> {
    c["caveats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap().to_string())
        .collect()
}

/// The id of the live value `v` of the instrument loop.
fn live_id(db: &Db, v: f64) -> String {
    let export = db.json(&["export"]);
    export["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["phase"] == "live" && x["value"].as_f64() == Some(v))
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_value_dated_into_weeks_already_looked_at_is_a_later_look_not_a_rewrite() {
    let db = Db::new();
    final_inconclusive(&db);
    // Entered now, dated into the first week: in date order the fourth look would now decide.
    db.ok(&["measure", "sup", "instr", "7.5", "--at", "2026-09-29"]);
    db.ok(&["measure", "sup", "instr", "7.6", "--at", "2026-09-30"]);
    let l = instrument(&db);
    let c = &l["comparison"];
    assert_eq!(c["verdict"], "inconclusive", "{c}");
    assert_eq!(c["sequential"]["past_horizon"], true);
    assert_eq!(c["sequential"]["decided_at"], Json::Null);
    let kinds = caveat_kinds(c);
    assert!(kinds.contains(&"recorded-late".to_string()), "{kinds:?}");
    assert!(kinds.contains(&"shared-weeks".to_string()), "{kinds:?}");
    let shown = db.ok(&["loop", "show", "sup", "instr"]);
    assert!(shown.contains("inconclusive, final"), "{shown}");
    assert!(
        shown.contains("recorded after values dated later"),
        "{shown}"
    );
    let board = db.ok(&["review"]);
    assert!(!board.contains("[improved"), "{board}");
}

#[test]
fn voided_live_values_still_count_for_the_locked_verdict() {
    let db = Db::new();
    final_inconclusive(&db);
    for v in [12.0, 11.5] {
        let id = live_id(&db, v);
        db.ok(&["void", "sup", "instr", &id, "--reason", "typo"]);
    }
    let l = instrument(&db);
    let c = &l["comparison"];
    assert_eq!(c["verdict"], "inconclusive", "{c}");
    assert_eq!(c["live_n"], 6);
    assert!(
        c["caveats"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"kind": "counts-voided", "n": 2})),
        "{c}"
    );
    // Without them is the amended result, labelled, never the verdict.
    assert_eq!(l["amended_comparison"]["live_n"], 4);
    let shown = db.ok(&["loop", "show", "sup", "instr"]);
    assert!(
        shown.contains("under the amended plan (not the verdict)"),
        "{shown}"
    );
    assert!(
        shown.contains("still counts 2 live value(s) voided"),
        "{shown}"
    );
    assert!(db.ok(&["review"]).contains("[inconclusive]"));
    // The digest's figures count them too, and its verdict cell says so.
    let digest = db.ok(&["review", "--markdown"]);
    assert!(
        digest.contains("inconclusive (counts 2 voided value(s); without them"),
        "{digest}"
    );
}

#[test]
fn a_guardrail_breach_is_not_voided_away() {
    let db = Db::new();
    baseline(&db);
    cost_guardrail(&db, "5%");
    intervene(&db, "6");
    weekly_of(
        &db,
        &["120", "121", "119", "122", "120.5", "121.5"],
        &["--guard", "cost"],
    );
    assert_eq!(instrument(&db)["guardrails"][0]["breached"], true);
    let export = db.json(&["export"]);
    let guard_live: Vec<String> = export["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["phase"] == "live" && x["value"].as_f64().unwrap() > 110.0)
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect();
    for id in &guard_live[..5] {
        db.ok(&["void", "sup", "instr", id, "--reason", "typo"]);
    }
    let g = &instrument(&db)["guardrails"][0];
    assert_eq!(g["breached"], true, "{g}");
}

#[test]
fn live_values_without_an_intervention_get_no_verdict_even_after_a_late_target() {
    let db = Db::new();
    baseline(&db);
    weekly(&db, &["9", "8.5", "9.2", "8", "8.8"]);
    db.ok(&["metric", "target", "sup", "instr", "--", "-40%"]);
    let c = comparison(&db);
    assert_eq!(c["verdict"], "inconclusive", "{c}");
    assert_eq!(c["sequential"], Json::Null);
    assert_eq!(c["target_met"], Json::Null);
    assert!(caveat_kinds(&c).contains(&"no-plan".to_string()));
    assert_eq!(c["values_needed"], Json::Null);
    let shown = db.ok(&["loop", "show", "sup", "instr"]);
    assert!(shown.contains("no verdict without a plan"), "{shown}");
    let calendar = db.ok(&["calendar", "-"]);
    assert!(!calendar.contains("Verdict possible"), "{calendar}");
    assert!(db.ok(&["review"]).contains("[no plan, no verdict]"));
    // Once a change is recorded, a live value from before it is refused: it is a baseline.
    db.ok(&["intervene", "sup", "instr", "bot", "--at", "2026-11-02"]);
    let before = db.state();
    let err = db.refused(&["measure", "sup", "instr", "7", "--at", "2026-11-01"], 1);
    assert!(
        err.contains("a value from before it is a baseline"),
        "{err}"
    );
    assert!(err.contains("jobloop baseline sup instrument"), "{err}");
    assert_eq!(db.state(), before);
    db.ok(&["measure", "sup", "instr", "7", "--at", "2026-11-02"]);
}

#[test]
fn a_back_dated_second_intervention_does_not_take_the_first_plans_values() {
    let db = Db::new();
    baseline(&db);
    intervene(&db, "6");
    weekly(&db, &["13", "13.5", "12.8", "13.2", "13.1", "13.4"]);
    let first = comparison(&db);
    assert_eq!(first["verdict"], "worse");
    intervene_on(&db, "bot v2", "2026-10-01", "3");
    let l = instrument(&db);
    let earlier = &l["earlier_plans"][0]["comparison"];
    assert_eq!(earlier["verdict"], "worse", "{earlier}");
    assert_eq!(earlier["live_n"], 6);
    assert_eq!(
        earlier["sequential"]["decided_at"],
        first["sequential"]["decided_at"]
    );
    // The new plan leaves out what it had seen.
    assert_eq!(l["comparison"]["live_n"], 0);
    let shown = db.ok(&["loop", "show", "sup", "instr"]);
    assert!(shown.contains("earlier plan 1"), "{shown}");
    assert!(
        shown.contains("worse (lower is better): decided at live value 4"),
        "{shown}"
    );
}

#[test]
fn values_that_share_a_week_say_the_rule_counts_each_as_a_look() {
    let db = Db::new();
    baseline(&db);
    db.ok(&["intervene", "sup", "instr", "bot", "--at", "2026-11-30"]);
    for _ in 0..6 {
        db.ok(&["measure", "sup", "instr", "8", "--at", "2026-12-01"]);
    }
    let c = comparison(&db);
    assert!(
        c["caveats"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"kind": "shared-weeks", "n": 6})),
        "{c}"
    );
    let shown = db.ok(&["loop", "show", "sup", "instr"]);
    assert!(shown.contains("6 live values share a week"), "{shown}");
}

/// A plan whose intervention was voided made no look after its void: values recorded later
/// give it no verdict.
#[test]
fn a_voided_plan_makes_no_look_after_its_void() {
    let db = Db::new();
    baseline(&db);
    intervene(&db, "4");
    let id = instrument(&db)["plan"]["intervention"]
        .as_str()
        .unwrap()
        .to_string();
    db.ok(&["void", "sup", "instr", &id, "--reason", "wrong start"]);
    weekly(&db, &["8", "8.2", "7.9", "8.1"]);
    let l = instrument(&db);
    let earlier = &l["earlier_plans"][0];
    assert_eq!(earlier["voided"], true);
    assert_eq!(earlier["comparison"]["live_n"], 0, "{earlier}");
    assert_ne!(earlier["comparison"]["verdict"], "improved");
}

/// A guardrail added after the lock (a deviation) is judged over the same looks: its breach
/// is not voided away either.
#[test]
fn a_guardrail_added_after_the_lock_keeps_its_breach() {
    let db = Db::new();
    baseline(&db);
    intervene(&db, "6");
    db.ok(&[
        "guard",
        "add",
        "sup",
        "instr",
        "cost",
        "--unit",
        "EUR",
        "--better",
        "lower",
        "--max-worse",
        "10%",
        "--reason",
        "watch cost too",
    ]);
    for (i, v) in ["100", "102", "98", "101", "99", "100"].iter().enumerate() {
        let at = format!("2026-09-0{}", i + 1);
        db.ok(&[
            "baseline", "sup", "instr", v, "--guard", "cost", "--at", &at, "--reason", "guard",
        ]);
    }
    weekly_of(
        &db,
        &["150", "152", "149", "151", "150", "148"],
        &["--guard", "cost"],
    );
    assert_eq!(instrument(&db)["guardrails"][0]["breached"], true);
    let export = db.json(&["export"]);
    let ids: Vec<String> = export["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["phase"] == "live")
        .map(|x| x["id"].as_str().unwrap().to_string())
        .collect();
    for id in &ids {
        db.ok(&["void", "sup", "instr", id, "--reason", "typo"]);
    }
    let g = &instrument(&db)["guardrails"][0];
    assert_eq!(g["breached"], true, "{g}");
    assert!(
        caveat_kinds(&g["comparison"]).contains(&"counts-voided".to_string()),
        "{g}"
    );
}

/// Voiding the intervention after its plan reached a verdict takes no verdict back: with no
/// plan in force the board, the review and the digest still show the verdict the voided plan
/// reached, named as such.
#[test]
fn voiding_the_intervention_after_a_verdict_keeps_the_verdict_in_sight() {
    let db = Db::new();
    baseline(&db);
    intervene(&db, "6");
    weekly(&db, &["12", "12.1", "12.2", "12", "12.1", "12.2"]);
    assert_eq!(comparison(&db)["verdict"], "worse");
    let export = db.json(&["export"]);
    let id = export["interventions"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    db.ok(&[
        "void",
        "sup",
        "instr",
        &id[id.len() - 8..],
        "--reason",
        "it was not really started",
    ]);
    let c = comparison(&db);
    assert!(
        c["caveats"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kind"] == "voided-plan-verdict"
                && k["verdict"] == "worse"
                && k["version"] == 1),
        "{c}"
    );
    let review = db.ok(&["review"]);
    assert!(review.contains("worse (its plan voided)"), "{review}");
    let digest = db.ok(&["review", "--markdown"]);
    assert!(digest.contains("worse (its plan voided)"), "{digest}");
}

/// A plan started after earlier plans looked at live values with the same baseline says so:
/// each plan spends its own 5%, so restarts are named, never a fresh start unseen.
#[test]
fn a_restarted_plan_names_the_looks_before_it() {
    let db = Db::new();
    baseline(&db);
    intervene(&db, "2");
    weekly(&db, &["10", "10.2"]);
    intervene_on(&db, "bot 2", "2026-10-12", "2");
    db.ok(&["measure", "sup", "instr", "10.1", "--at", "2026-10-12"]);
    let c = comparison(&db);
    let restart = c["caveats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kind"] == "earlier-looks")
        .cloned();
    assert_eq!(
        restart,
        Some(serde_json::json!({"kind": "earlier-looks", "plans": 1, "looks": 2})),
        "{c}"
    );
    assert!(
        db.ok(&["loop", "show", "sup", "instr"])
            .contains("1 earlier plan(s) already compared 2 live value(s)")
    );
}

/// A second change after a first shown worse, with a guardrail breached: its "improved" says so
/// on the board, the review and the playbook, and names the guardrail it never measured.
#[test]
fn a_second_change_never_takes_the_firsts_harm_out_of_sight() {
    let db = Db::new();
    baseline(&db);
    cost_guardrail(&db, "10%");
    intervene(&db, "6");
    weekly(&db, &["12.5", "13.1", "12.8", "13.4", "12.9", "13"]);
    weekly_of(
        &db,
        &["130", "130", "130", "130", "130", "130"],
        &["--guard", "cost"],
    );
    assert_eq!(comparison(&db)["verdict"], "worse");
    // A target set before the second change: its "target reached" keeps the first's harm too.
    db.ok(&[
        "metric",
        "target",
        "sup",
        "instr",
        "-10%",
        "--reason",
        "the next change's goal",
    ]);
    intervene_on(&db, "bot 2", "2026-11-09", "6");
    let start = chrono::NaiveDate::from_ymd_opt(2026, 11, 9).unwrap();
    for (i, v) in ["7.9", "8.2", "7.5", "8.4", "7.7", "8"].iter().enumerate() {
        // Every four days: the weeks after the first plan reach no further than today.
        let at = (start + chrono::Days::new(4 * i as u64)).to_string();
        db.ok(&["measure", "sup", "instr", v, "--at", &at]);
    }
    let c = comparison(&db);
    assert_eq!(c["verdict"], "improved", "{c}");
    let kinds = caveat_kinds(&c);
    for kind in [
        "earlier-plan-worse",
        "earlier-plan-breach",
        "guardrail-unmeasured",
    ] {
        assert!(kinds.contains(&kind.to_string()), "{kind}: {c}");
    }
    let review = db.ok(&["review"]);
    assert!(
        review.contains("[improved, target reached (plan 1 was worse)]"),
        "{review}"
    );
    let digest = db.ok(&["review", "--markdown"]);
    assert!(
        digest.contains("| improved, target reached (plan 1 was worse) |"),
        "{digest}"
    );
    let dir = tempfile::tempdir().unwrap();
    db.ok(&["publish", dir.path().to_str().unwrap()]);
    let page = std::fs::read_to_string(dir.path().join("playbook/sup.md")).unwrap();
    for said in [
        "plan 1, an earlier change",
        "earlier plan 1",
        "BREACHED",
        "guardrail cost",
    ] {
        assert!(page.contains(said), "{said}: {page}");
    }
    // A cost value recorded and voided under the second plan measures nothing.
    db.ok(&[
        "measure",
        "sup",
        "instr",
        "99",
        "--guard",
        "cost",
        "--at",
        "2026-11-30",
    ]);
    let id = live_id(&db, 99.0);
    db.ok(&[
        "void",
        "sup",
        "instr",
        &id,
        "--reason",
        "typed on the wrong day",
    ]);
    assert!(caveat_kinds(&comparison(&db)).contains(&"guardrail-unmeasured".to_string()));
}

/// A replaced metric's earlier changes count too, not only its last: a worse first plan stays
/// in sight after a second plan, a replacement and a third.
#[test]
fn every_plan_of_a_replaced_metric_stays_in_sight() {
    let db = Db::new();
    baseline(&db);
    intervene(&db, "6");
    weekly(&db, &["12.5", "13.1", "12.8", "13.4", "12.9", "13"]);
    intervene_on(&db, "bot 1b", "2026-11-09", "6");
    db.ok(&[
        "metric",
        "replace",
        "sup",
        "instr",
        "time2",
        "--unit",
        "h",
        "--better",
        "lower",
        "--reason",
        "measured differently",
    ]);
    let days = ["2026-08-03", "2026-08-10", "2026-08-17", "2026-08-24"];
    for (v, at) in ["10", "10.5", "9.5", "10"].iter().zip(days) {
        db.ok(&["baseline", "sup", "instr", v, "--at", at]);
    }
    intervene_on(&db, "bot 3", "2026-11-16", "6");
    let start = chrono::NaiveDate::from_ymd_opt(2026, 11, 16).unwrap();
    for (i, v) in ["5", "5.2", "4.9", "5.1", "5", "5.1"].iter().enumerate() {
        let at = (start + chrono::Days::new(3 * i as u64)).to_string();
        db.ok(&["measure", "sup", "instr", v, "--at", &at]);
    }
    let c = comparison(&db);
    assert!(
        c["caveats"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k["kind"] == "earlier-plan-worse" && k["version"] == 1),
        "{c}"
    );
    let review = db.ok(&["review"]);
    assert!(review.contains("(plan 1 was worse)"), "{review}");
}

/// A baseline typed after live values of an earlier change were seen — after voiding the change
/// and re-baselining, or on a metric that replaced the one the change was judged by — is named
/// beside the next plan's verdict, however it was restarted.
#[test]
fn a_baseline_typed_after_earlier_looks_is_named() {
    for replace in [false, true] {
        let db = Db::new();
        baseline(&db);
        intervene(&db, "6");
        weekly(&db, &["12.5", "13.1", "12.8", "13.4", "12.9", "13"]);
        if replace {
            db.ok(&[
                "metric",
                "replace",
                "sup",
                "instr",
                "time",
                "--unit",
                "h",
                "--better",
                "lower",
                "--reason",
                "same metric, new start",
            ]);
        } else {
            let export = db.json(&["export"]);
            let id = export["interventions"][0]["id"]
                .as_str()
                .unwrap()
                .to_string();
            db.ok(&[
                "void",
                "sup",
                "instr",
                &id[id.len() - 8..],
                "--reason",
                "restart",
            ]);
        }
        let days = ["2026-07-06", "2026-07-13", "2026-07-20", "2026-07-27"];
        for (v, at) in ["13", "12.8", "13.2", "12.9"].iter().zip(days) {
            db.ok(&[
                "baseline",
                "sup",
                "instr",
                v,
                "--at",
                at,
                "--reason",
                "more history",
            ]);
        }
        intervene_on(&db, "bot 2", "2026-11-09", "6");
        db.ok(&["measure", "sup", "instr", "10", "--at", "2026-11-09"]);
        let c = comparison(&db);
        assert!(
            caveat_kinds(&c).contains(&"baseline-after-looks".to_string()),
            "replace {replace}: {c}"
        );
    }
    // Never on a first plan, whose baseline came before any live value.
    let db = Db::new();
    baseline(&db);
    intervene(&db, "6");
    weekly(&db, &["8", "8.2"]);
    assert!(!caveat_kinds(&comparison(&db)).contains(&"baseline-after-looks".to_string()));
}

also_on_postgres!(
    a_value_dated_into_weeks_already_looked_at_is_a_later_look_not_a_rewrite,
    voided_live_values_still_count_for_the_locked_verdict,
    a_back_dated_second_intervention_does_not_take_the_first_plans_values,
    live_values_without_an_intervention_get_no_verdict_even_after_a_late_target,
    voiding_the_intervention_after_a_verdict_keeps_the_verdict_in_sight,
    a_second_change_never_takes_the_firsts_harm_out_of_sight,
    a_baseline_typed_after_earlier_looks_is_named,
    every_plan_of_a_replaced_metric_stays_in_sight,
);
