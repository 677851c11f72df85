//! The redesigned workflow as records, through the real binary: a flow of steps mapped and
//! governed (owners, approval gates, critic checks), kept through export, import and `verify`,
//! voided and undone with its history kept, and shown in each loop's detail. The main tests also
//! run on PostgreSQL.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Db;
use common::flow::{flow, mapped, person, step};
use serde_json::Value as Json;

// long: one flow mapped, governed, exported, imported and verified in that order; each step
// reads what the one before wrote
#[test]
fn a_flow_is_mapped_governed_and_kept_through_export_and_verify() {
    let db = Db::new();
    mapped(&db);
    let f = flow(&db);
    let names: Vec<&str> = f["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Read ticket", "Draft reply", "Approve reply", "Send reply"]
    );
    let draft = step(&f, "Draft reply");
    assert_eq!(draft["by"], "agent");
    assert_eq!(draft["role"], "action");
    assert_eq!(draft["after"], serde_json::json!(["Read ticket"]));
    assert_eq!(draft["data"], serde_json::json!(["personal"]));
    assert_eq!(step(&f, "Send reply")["irreversible"], true);
    assert_eq!(step(&f, "Approve reply")["gate"], "approval");

    // flow set: a new data class, and a rename; the step keeps its place.
    db.ok(&[
        "flow",
        "set",
        "triage",
        "draft",
        "--data",
        "personal,confidential",
    ]);
    db.ok(&["flow", "set", "triage", "send", "--name", "Send the reply"]);
    let f = flow(&db);
    assert_eq!(
        step(&f, "Draft reply")["data"],
        serde_json::json!(["personal", "confidential"])
    );
    assert_eq!(
        step(&f, "Send the reply")["after"],
        serde_json::json!(["Approve reply"])
    );

    // Governance (the govern loop) and critic results over time.
    let ana = person(&db);
    db.ok(&[
        "flow",
        "govern",
        "triage",
        "send",
        "--owner",
        ana,
        "--approval",
        "refunds over 50 EUR wait for the owner",
        "--critic",
        "amount-check",
        "--critic-by",
        "system",
    ]);
    db.ok(&[
        "critic",
        "result",
        "triage",
        "send",
        "amount-check",
        "fail",
        "--note",
        "sent 2x",
    ]);
    db.ok(&["critic", "result", "triage", "send", "amount-check", "pass"]);
    let f = flow(&db);
    let g = &step(&f, "Send the reply")["governance"];
    assert_eq!(g["owner"], ana);
    assert_eq!(g["approval"], "refunds over 50 EUR wait for the owner");
    assert_eq!(g["critics"][0]["name"], "amount-check");
    assert_eq!(g["critics"][0]["by"], "system");
    assert_eq!(g["critics"][0]["results"], 2);
    assert_eq!(g["critics"][0]["latest"]["result"], "pass");
    // Governing it again the same way changes nothing.
    let out = db.ok(&["flow", "govern", "triage", "send", "--owner", ana]);
    assert!(out.contains("nothing changed"), "{out}");

    // Removed work, an incident and its fix, a decision and a learning that cite them.
    db.ok(&[
        "flow",
        "drop",
        "triage",
        "weekly status spreadsheet",
        "--why",
        "the review shows the same",
        "--at",
        "2026-11-03",
    ]);
    let out = db.ok(&[
        "incident",
        "add",
        "triage",
        "Refund sent twice",
        "--step",
        "send",
        "--severity",
        "high",
        "--tag",
        "double-refund",
        "--detected-by",
        "customer",
        "--at",
        "2026-11-04",
    ]);
    assert!(out.contains("high incident"), "{out}");
    let incidents = db.json(&["incident", "list", "--json"]);
    let id = incidents[0]["id"].as_str().unwrap().to_string();
    assert_eq!(incidents[0]["job"], "triage");
    assert_eq!(incidents[0]["open"], true);
    assert_eq!(incidents[0]["detected_by"], "customer");
    let review = db.json(&["review", "--json"]);
    let improve = review["jobs"][0]["loops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "improve")
        .unwrap()
        .clone();
    assert_eq!(improve["open_incidents"][0]["id"], id.as_str(), "{improve}");
    // The weekly routine's text shows it too, its severity first.
    let text = db.ok(&["review"]);
    assert!(text.contains("1 open incident(s), 1 HIGH"), "{text}");
    db.ok(&[
        "learn",
        "triage",
        "improve",
        "Refunds are idempotent now",
        "--type",
        "change",
        "--incident",
        &id[id.len() - 8..],
    ]);
    db.ok(&[
        "incident",
        "fix",
        &id[id.len() - 8..],
        "--change",
        "the send step checks the refund id",
    ]);
    let incidents = db.json(&["incident", "list", "triage", "--json"]);
    assert_eq!(incidents[0]["open"], false);
    assert_eq!(incidents[0]["change"], "the send step checks the refund id");
    db.ok(&[
        "decide",
        "triage",
        "govern",
        "Refunds are sent without review",
        "--owner",
        ana,
        "--threshold",
        "under 50 EUR",
        "--step",
        "send",
    ]);
    let f = flow(&db);
    assert_eq!(
        step(&f, "Send the reply")["decisions"][0]["text"],
        "Refunds are sent without review"
    );
    assert_eq!(f["dropped"][0]["name"], "weekly status spreadsheet");
    assert_eq!(f["dropped"][0]["why"], "the review shows the same");

    // Every record is in the trail, travels through export and import, and verifies.
    assert!(db.ok(&["verify"]).contains("intact"));
    let export = db.ok(&["export"]);
    let doc: Json = serde_json::from_str(&export).unwrap();
    for (section, n) in [
        ("flow_steps", 4),
        ("flow_drops", 1),
        ("governance", 1),
        ("critic_results", 2),
        ("incidents", 1),
    ] {
        assert_eq!(doc[section].as_array().unwrap().len(), n, "{section}");
    }
    assert!(doc["decisions"][0]["step_id"].is_string());
    assert!(doc["learnings"][0]["incident"].is_string());
    let copy = Db::new();
    let file = copy.dir.path().join("export.json");
    std::fs::write(&file, &export).unwrap();
    copy.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(copy.ok(&["export"]), export);
    assert!(copy.ok(&["verify"]).contains("intact"));
    assert_eq!(flow(&copy), flow(&db));
}

// long: each kind of flow record voided and undone in turn on one flow, its history read after
// each; the order is the point
#[test]
fn flow_records_are_voided_and_undone_with_their_history_kept() {
    let db = Db::new();
    mapped(&db);
    // Undo of a new step voids it.
    db.ok(&[
        "flow", "add", "triage", "Oops", "--kind", "input", "--by", "human",
    ]);
    let out = db.ok(&["undo", "--yes"]);
    assert!(out.contains("voided the flow step `Oops`"), "{out}");
    assert!(flow(&db)["steps"].as_array().unwrap().len() == 4);
    // Undo of governance voids the act; the owner is as before.
    let ana = person(&db);
    db.ok(&[
        "flow",
        "govern",
        "triage",
        "send",
        "--approval",
        "over 50 EUR",
    ]);
    db.ok(&[
        "flow",
        "govern",
        "triage",
        "send",
        "--approval",
        "over 10 EUR",
        "--owner",
        ana,
    ]);
    db.ok(&["undo", "--yes"]);
    let f = flow(&db);
    assert_eq!(
        step(&f, "Send reply")["governance"]["approval"],
        "over 50 EUR"
    );
    assert!(step(&f, "Send reply")["governance"]["owner"].is_null());
    // Undo of a change puts the step back as it was, every field of it, as a new change.
    let before = step(&flow(&db), "Read ticket").clone();
    db.ok(&[
        "flow",
        "set",
        "triage",
        "read",
        "--kind",
        "handoff",
        "--name",
        "Read mail",
        "--by",
        "human",
        "--gate",
        "judgment",
        "--data",
        "public",
        "--irreversible",
    ]);
    db.ok(&["undo", "--yes"]);
    let back = step(&flow(&db), "Read ticket").clone();
    for field in [
        "kind",
        "by",
        "role",
        "gate",
        "after",
        "data",
        "irreversible",
    ] {
        assert_eq!(back[field], before[field], "{field}");
    }
    // The undo is itself a change: undoing it again makes the change again.
    assert!(db.ok(&["undo", "--yes"]).contains("Read mail"), "redo");
    db.ok(&["undo", "--yes"]);
    assert_eq!(step(&flow(&db), "Read ticket")["kind"], "input");
    // What an edit cannot take away, undo does not pretend to: a role given to an agent step.
    db.ok(&[
        "flow", "add", "triage", "Tag", "--kind", "action", "--by", "agent",
    ]);
    db.ok(&["flow", "set", "triage", "tag", "--role", "memory"]);
    let err = db.refused(&["undo", "--yes"], 1);
    assert!(err.contains("role it was given"), "{err}");
    assert_eq!(step(&flow(&db), "Tag")["role"], "memory");
    // Nor onto a predecessor someone removed since: the refusal names it. (On a local file one
    // person can act as another; the rule is the domain's, the same on both stores.)
    if !db.shared() {
        db.ok(&[
            "flow", "add", "triage", "Label", "--kind", "action", "--by", "system",
        ]);
        db.ok(&["flow", "set", "triage", "tag", "--after", "label"]);
        db.ok(&["flow", "set", "triage", "tag", "--first"]);
        db.ok(&[
            "--as",
            "Ana",
            "flow",
            "void",
            "triage",
            "label",
            "--reason",
            "merged into tagging",
        ]);
        let err = db.refused(&["undo", "--yes"], 1);
        assert!(err.contains("`Label`, which was removed"), "{err}");
        assert_eq!(step(&flow(&db), "Tag")["after"], Json::Array(vec![]));
    }
    // The generic void reaches flow records by id.
    db.ok(&[
        "incident",
        "add",
        "triage",
        "x",
        "--step",
        "send",
        "--severity",
        "low",
    ]);
    let id = db.json(&["incident", "list", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    db.ok(&[
        "void",
        "triage",
        "improve",
        &id,
        "--reason",
        "entered twice",
    ]);
    assert_eq!(
        db.json(&["incident", "list", "--json"]),
        Json::Array(vec![])
    );
    // The audit trail keeps every intent as one event.
    let log = db.ok(&["log", "triage"]);
    for c in [
        "flow add",
        "flow govern",
        "flow set",
        "incident add",
        "void",
    ] {
        assert!(log.contains(c), "{c}: {log}");
    }
    assert!(db.ok(&["verify"]).contains("intact"));
}

#[test]
fn a_step_edited_behind_jobloops_back_is_named_by_verify() {
    let db = Db::new();
    if db.shared() {
        return;
    }
    mapped(&db);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute(
        "UPDATE flow_steps SET performer = 'system', role = NULL WHERE name = 'Draft reply'",
        [],
    )
    .unwrap();
    drop(conn);
    let out = db.run(&["verify"]);
    assert_eq!(out.status.code(), Some(8));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("flow_steps"), "{text}");
}

/// The redesign, govern and improve loops show their part of the flow in their detail.
#[test]
fn each_loop_detail_shows_its_part_of_the_flow() {
    let db = Db::new();
    db.ok(&["job", "add", "Triage", "--slug", "t"]);
    db.ok(&[
        "flow",
        "add",
        "t",
        "Read",
        "--kind",
        "input",
        "--by",
        "agent",
        "--role",
        "perception",
        "--data",
        "personal",
    ]);
    db.ok(&[
        "flow", "add", "t", "Approve", "--kind", "decision", "--by", "human", "--gate", "approval",
        "--after", "Read",
    ]);
    db.ok(&[
        "flow",
        "govern",
        "t",
        "Read",
        "--owner",
        "Ana",
        "--critic",
        "pii check",
        "--critic-by",
        "system",
    ]);
    db.ok(&[
        "flow",
        "drop",
        "t",
        "weekly spreadsheet",
        "--why",
        "the agent reports",
    ]);
    db.ok(&[
        "incident",
        "add",
        "t",
        "leaked email",
        "--step",
        "Read",
        "--severity",
        "high",
    ]);
    let redesign = db.ok(&["loop", "show", "t", "redesign"]);
    for t in [
        "Workflow (the redesign)",
        "1. Read — input · agent (perception) · data: personal",
        "2. Approve — decision · human (approval gate) · after Read",
        "removed work: weekly spreadsheet",
    ] {
        assert!(redesign.contains(t), "{t} missing in\n{redesign}");
    }
    let govern = db.ok(&["loop", "show", "t", "govern"]);
    assert!(
        govern.contains("owner Ana") && govern.contains("pii check (system) no result yet"),
        "{govern}"
    );
    let improve = db.ok(&["loop", "show", "t", "improve"]);
    assert!(
        improve.contains("Open incidents") && improve.contains("leaked email (high)"),
        "{improve}"
    );
    assert!(
        !db.ok(&["loop", "show", "t", "instrument"])
            .contains("Workflow")
    );
}

/// After a void of a flow record — by `flow void` or by `void JOB KIND ID` — undo names what was
/// voided and says how to put it back as that record is put back, never the words for a value.
#[test]
fn undo_after_a_flow_void_names_the_flow_record_and_how_to_add_it_again() {
    let db = Db::new();
    mapped(&db);
    db.ok(&[
        "flow", "add", "triage", "Oops", "--kind", "input", "--by", "human",
    ]);
    db.ok(&["flow", "void", "triage", "oops", "--reason", "mapped twice"]);
    let err = db.refused(&["undo", "--yes"], 1);
    assert!(
        err.contains("removed step `Oops`") && err.contains("add the step to the flow again"),
        "{err}"
    );
    db.ok(&[
        "flow", "add", "triage", "Again", "--kind", "input", "--by", "human",
    ]);
    let id = step(&flow(&db), "Again")["id"]
        .as_str()
        .unwrap()
        .to_string();
    db.ok(&[
        "void",
        "triage",
        "redesign",
        &id,
        "--reason",
        "mapped twice",
    ]);
    let err = db.refused(&["undo", "--yes"], 1);
    assert!(
        err.contains("a void of a flow step cannot be undone")
            && err.contains("add the step to the flow again"),
        "{err}"
    );
    assert!(!err.contains("value"), "{err}");
}

also_on_postgres!(
    a_flow_is_mapped_governed_and_kept_through_export_and_verify,
    flow_records_are_voided_and_undone_with_their_history_kept,
);

/// An incident at a step that was removed from the flow stays about that step, named as removed
/// in every view — never read as about a new step that reuses its name.
#[test]
fn an_incident_at_a_removed_step_says_so_everywhere() {
    let db = Db::new();
    db.ok(&["job", "add", "Job one", "--slug", "j1"]);
    db.ok(&[
        "flow", "add", "j1", "intake", "--kind", "input", "--by", "system",
    ]);
    db.ok(&[
        "flow", "add", "j1", "send", "--kind", "output", "--by", "agent", "--role", "action",
        "--after", "intake",
    ]);
    db.ok(&[
        "incident",
        "add",
        "j1",
        "leaked data",
        "--step",
        "send",
        "--severity",
        "high",
    ]);
    db.ok(&["flow", "void", "j1", "send", "--reason", "gone"]);
    db.ok(&[
        "flow", "add", "j1", "send", "--kind", "action", "--by", "human",
    ]);
    for args in [
        &["incident", "list", "j1"][..],
        &["register"][..],
        &["loop", "show", "j1", "improve"][..],
    ] {
        let out = db.ok(args);
        assert!(out.contains("at send (removed)"), "{args:?}: {out}");
    }
}

/// A step dated earlier than it was recorded (backfill) says both where the flow is listed:
/// the day changes what the signals read, so it is never invisible.
#[test]
fn a_backdated_step_says_when_it_was_recorded() {
    let db = Db::new();
    db.ok(&["job", "add", "Job", "--slug", "j", "--since", "2026-10-01"]);
    db.ok(&[
        "flow",
        "add",
        "j",
        "first",
        "--kind",
        "input",
        "--by",
        "human",
        "--at",
        "2026-10-02",
    ]);
    let out = db.ok(&["flow", "list", "j"]);
    assert!(out.contains("mapped 2026-10-02 (recorded "), "{out}");
    db.ok(&[
        "flow", "add", "j", "second", "--kind", "input", "--by", "human",
    ]);
    let out = db.ok(&["flow", "list", "j"]);
    assert_eq!(out.matches("mapped ").count(), 1, "{out}");
}
