//! The detectors of the six canonical kill signals, through the real binary: each shown firing
//! and shown silent, a tripped signal no longer suggested, and recorded proof opening the
//! distribute loop. The detectors also run on PostgreSQL.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::proof::{job, measured};
use common::{Db, suggested};

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

/// A tool recorded by mistake is voided (by name, by id, or by undo): it stays in the job's
/// view and its export with who and why, and nothing reads it as chosen any more. Each refusal
/// leaves the file as it was.
#[test]
fn a_tool_recorded_by_mistake_is_voided_and_counts_for_nothing() {
    let db = Db::new();
    job(&db);
    db.ok(&["tool", "triage", "Zapier", "--at", "2026-10-01"]);
    assert!(suggested(&db, "redesign")[0].contains("`Zapier`"));
    let before = db.ok(&["export"]);
    for (args, code, says) in [
        (vec!["--void"], 2, "--reason"),
        (vec!["--reason", "x"], 2, "--void"),
        (vec!["--void", "--reason", " "], 2, "reason is empty"),
        (
            vec!["--void", "--reason", "x", "--at", "2026-10-02"],
            2,
            "--at",
        ),
    ] {
        let mut cmd = vec!["tool", "triage", "zapier"];
        cmd.extend(args);
        let err = db.refused(&cmd, code);
        assert!(err.contains(says), "{cmd:?}: {err}");
    }
    let err = db.refused(&["tool", "triage", "Zap", "--void", "--reason", "x"], 1);
    assert!(err.contains("no tool named `Zap`"), "{err}");
    assert_eq!(db.ok(&["export"]), before);
    db.ok(&[
        "tool",
        "triage",
        "zapier",
        "--void",
        "--reason",
        "wrong job",
    ]);
    assert!(
        suggested(&db, "redesign").is_empty(),
        "a void tool is not chosen"
    );
    let err = db.refused(&["tool", "triage", "Zapier", "--void", "--reason", "x"], 1);
    assert!(err.contains("already void (wrong job"), "{err}");
    let shown = db.ok(&["job", "show", "triage"]);
    assert!(shown.contains("Zapier  void: wrong job"), "{shown}");
    // Two tools of one name: the one in force is meant; two in force need an id.
    db.ok(&["tool", "triage", "Zapier", "--at", "2026-10-02"]);
    db.ok(&["tool", "triage", "Zapier", "--at", "2026-10-03"]);
    let err = db.refused(&["tool", "triage", "Zapier", "--void", "--reason", "x"], 2);
    assert!(err.contains("more than one tool named `Zapier`"), "{err}");
    let tools = db.json(&["job", "show", "triage", "--json"])["tools"].clone();
    let id = tools[2]["id"].as_str().unwrap().to_string();
    db.ok(&[
        "tool",
        "triage",
        &id[id.len() - 8..],
        "--void",
        "--reason",
        "twice",
    ]);
    // A void is not undone; undo of a tool voids it.
    let err = db.refused(&["undo", "--yes"], 1);
    assert!(err.contains("a void of a tool cannot be undone"), "{err}");
    let tools = db.json(&["job", "show", "triage", "--json"])["tools"].clone();
    assert_eq!(tools[2]["void"]["reason"], "twice");
    db.ok(&["tool", "triage", "Make", "--at", "2026-10-04"]);
    db.ok(&["undo", "--yes"]);
    let tools = db.json(&["job", "show", "triage", "--json"])["tools"].clone();
    assert_eq!(tools[3]["name"], "Make");
    assert!(
        tools[3]["void"]["reason"]
            .as_str()
            .unwrap()
            .contains("undone")
    );
    let err = db.refused(&["undo", "--yes"], 1);
    assert!(err.contains("a void of a tool cannot be undone"), "{err}");
    // A tool named like part of another's id: either could be meant, so neither is voided.
    let short = id[id.len() - 8..].to_string();
    let tools = db.json(&["job", "show", "triage", "--json"])["tools"].clone();
    let in_force = tools
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["void"].is_null())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let twin = in_force[in_force.len() - 8..].to_string();
    db.ok(&["tool", "triage", &twin, "--at", "2026-10-05"]);
    let before = db.ok(&["export"]);
    let err = db.refused(&["tool", "triage", &twin, "--void", "--reason", "x"], 2);
    assert!(err.contains("part of another's id"), "{err}");
    assert_eq!(db.ok(&["export"]), before);
    assert_ne!(short, twin);
    db.ok(&["verify"]);
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
    // A count given later replaces that count only: "one citation came in" keeps the replies.
    let before = db.state();
    let err = db.refused(&["proof", "outcome", "triage", short], 2);
    assert!(err.contains("no count was given"), "{err}");
    assert_eq!(db.state(), before);
    let out = db.ok(&["proof", "outcome", "triage", short, "--citations", "1"]);
    assert!(
        out.contains("3 replies, 1 citations") && out.contains("1 reuse"),
        "{out}"
    );
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

also_on_postgres!(
    understand_detector_needs_a_workaround_once_work_changes,
    redesign_detector_catches_a_tool_chosen_before_the_map,
    instrument_detector_catches_adoption_metrics_and_unproven_interventions,
    govern_detector_catches_decisions_without_thresholds_and_unowned_governance,
    improve_detector_catches_the_same_mistake_twice_without_a_change,
    distribute_detector_catches_proof_without_outcome_after_two_weeks,
    a_tripped_canonical_signal_is_no_longer_suggested,
);
