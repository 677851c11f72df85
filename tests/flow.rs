//! The AI-native loops as records, through the real binary: the redesigned workflow (flow
//! steps, removed work), governance inside it (owners, approval thresholds, critic checks and
//! their results), incidents, the register and the diagrams — each intent and its refusals
//! (which change nothing), void and undo, export/import and `verify`. The main tests also run
//! on PostgreSQL.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Db;
use serde_json::Value as Json;

/// `triage` with a four-step flow: a system reads the ticket (personal data), an agent drafts
/// the reply, a human approves it (approval gate), a system sends it (irreversible).
fn mapped(db: &Db) {
    db.ok(&["job", "add", "Triage tickets", "--slug", "triage"]);
    db.ok(&[
        "flow",
        "add",
        "triage",
        "Read ticket",
        "--kind",
        "input",
        "--by",
        "system",
        "--data",
        "personal,internal",
        "--at",
        "2026-11-02",
    ]);
    db.ok(&[
        "flow",
        "add",
        "triage",
        "Draft reply",
        "--kind",
        "action",
        "--by",
        "agent",
        "--role",
        "action",
        "--after",
        "read",
        "--data",
        "personal",
    ]);
    db.ok(&[
        "flow",
        "add",
        "triage",
        "Approve reply",
        "--kind",
        "decision",
        "--by",
        "human",
        "--gate",
        "approval",
        "--after",
        "draft",
    ]);
    db.ok(&[
        "flow",
        "add",
        "triage",
        "Send reply",
        "--kind",
        "output",
        "--by",
        "system",
        "--after",
        "approve",
        "--irreversible",
    ]);
}

/// A person who may own a step or a decision: on the shared database a member of the team
/// (the tables' owner, who runs the tests, may not).
fn person(db: &Db) -> &'static str {
    if db.shared() {
        let out = db.run(&["team", "add", "ana"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    "ana"
}

fn flow(db: &Db) -> Json {
    db.json(&["flow", "list", "triage", "--json"])["flow"].clone()
}

fn step<'a>(f: &'a Json, name: &str) -> &'a Json {
    f["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name} in {f}"))
}

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

#[test]
fn a_refused_flow_command_says_what_to_do_and_changes_nothing() {
    let db = Db::new();
    mapped(&db);
    db.ok(&[
        "flow",
        "govern",
        "triage",
        "send",
        "--critic",
        "amount-check",
        "--critic-by",
        "system",
    ]);
    db.ok(&[
        "flow",
        "add",
        "triage",
        "Approve refund",
        "--kind",
        "decision",
        "--by",
        "human",
        "--after",
        "draft",
    ]);
    person(&db);
    let cases: &[(&[&str], i32, &str)] = &[
        // An unknown step, wherever a step is named.
        (
            &["flow", "set", "triage", "nope", "--kind", "input"],
            1,
            "name one of its steps",
        ),
        (
            &[
                "flow", "add", "triage", "X", "--kind", "input", "--by", "system", "--after",
                "nope",
            ],
            1,
            "has no step `nope`",
        ),
        (
            &["flow", "govern", "triage", "nope", "--owner", "ana"],
            1,
            "has no step",
        ),
        (
            &["flow", "void", "triage", "nope", "--reason", "r"],
            1,
            "has no step",
        ),
        (
            &[
                "incident",
                "add",
                "triage",
                "x",
                "--step",
                "nope",
                "--severity",
                "low",
            ],
            1,
            "has no step",
        ),
        (
            &["critic", "result", "triage", "nope", "amount-check", "pass"],
            1,
            "has no step",
        ),
        (
            &[
                "decide", "triage", "govern", "d", "--owner", "ana", "--step", "nope",
            ],
            1,
            "has no step",
        ),
        // An ambiguous prefix.
        (
            &["flow", "set", "triage", "approve re", "--kind", "input"],
            2,
            "more than one step",
        ),
        // A cycle in --after.
        (
            &["flow", "set", "triage", "read", "--after", "send"],
            1,
            "cycle",
        ),
        (
            &["flow", "set", "triage", "read", "--after", "read"],
            2,
            "cannot follow itself",
        ),
        // A gate on an agent step, a role on a human step.
        (
            &[
                "flow", "add", "triage", "X", "--kind", "decision", "--by", "agent", "--gate",
                "approval",
            ],
            2,
            "only a human holds a gate",
        ),
        (
            &["flow", "set", "triage", "draft", "--gate", "taste"],
            2,
            "only a human holds a gate",
        ),
        (
            &[
                "flow", "add", "triage", "X", "--kind", "decision", "--by", "human", "--role",
                "memory",
            ],
            2,
            "only an agent has a role",
        ),
        // A data class or kind that does not exist.
        (
            &[
                "flow", "add", "triage", "X", "--kind", "input", "--by", "system", "--data",
                "secret",
            ],
            2,
            "public, internal, confidential, personal, special",
        ),
        (
            &[
                "flow", "add", "triage", "X", "--kind", "thinking", "--by", "system",
            ],
            2,
            "input, decision, action, output, exception, handoff",
        ),
        (
            &[
                "flow", "add", "triage", "X", "--kind", "input", "--by", "robot",
            ],
            2,
            "agent, system, human",
        ),
        // A duplicate name, any case.
        (
            &[
                "flow",
                "add",
                "triage",
                "draft REPLY",
                "--kind",
                "input",
                "--by",
                "system",
            ],
            1,
            "already has a step named",
        ),
        (
            &["flow", "set", "triage", "read", "--name", "Send reply"],
            1,
            "already has a step named",
        ),
        // Nothing to change, nothing to govern, a critic the step does not have.
        (&["flow", "set", "triage", "read"], 2, "say what to change"),
        (&["flow", "govern", "triage", "read"], 2, "say what governs"),
        (
            &["critic", "result", "triage", "send", "tone", "pass"],
            1,
            "name one of its critic checks: `amount-check`",
        ),
        (
            &["critic", "result", "triage", "read", "tone", "pass"],
            1,
            "add the critic check",
        ),
        (
            &[
                "critic",
                "result",
                "triage",
                "send",
                "amount-check",
                "maybe",
            ],
            2,
            "pass, fail",
        ),
        (
            &["flow", "govern", "triage", "send", "--critic", "tone"],
            2,
            "critic-by",
        ),
        // Empty text, unknown incidents.
        (&["flow", "drop", "triage", "x", "--why", " "], 2, "empty"),
        (
            &["incident", "fix", "zzzz", "--change", "c"],
            1,
            "no incident",
        ),
        (
            &[
                "incident",
                "add",
                "triage",
                "x",
                "--step",
                "send",
                "--severity",
                "huge",
            ],
            2,
            "low, medium, high",
        ),
    ];
    for (args, code, words) in cases {
        let err = db.refused(args, *code);
        assert!(err.contains(words), "{args:?}: {err}");
    }
    // A step others follow is not removed while they do: the flow would be cut there.
    let err = db.refused(
        &[
            "flow",
            "void",
            "triage",
            "draft",
            "--reason",
            "the agent is gone",
        ],
        1,
    );
    assert!(
        err.contains("`Approve reply`") && err.contains("follow"),
        "{err}"
    );
    db.ok(&["flow", "set", "triage", "Approve reply", "--first"]);
    db.ok(&["flow", "set", "triage", "Approve refund", "--first"]);
    // A step removed from the flow is no longer named; its history stays.
    db.ok(&[
        "flow",
        "void",
        "triage",
        "draft",
        "--reason",
        "the agent is gone",
    ]);
    let err = db.refused(&["flow", "set", "triage", "draft", "--kind", "input"], 1);
    assert!(err.contains("has no step `draft`"), "{err}");
    let f = flow(&db);
    assert_eq!(f["removed_steps"][0]["name"], "Draft reply");
    assert_eq!(f["removed_steps"][0]["reason"], "the agent is gone");
    // An incident fixed once is not fixed again.
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
    db.ok(&["incident", "fix", &id, "--change", "c"]);
    let err = db.refused(&["incident", "fix", &id, "--change", "again"], 1);
    assert!(err.contains("record a new incident"), "{err}");
    assert!(db.ok(&["verify"]).contains("intact"));
}

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

/// Why the review suggests the canonical kill signal of `kind` (one line per reason).
fn suggested(db: &Db, kind: &str) -> Vec<String> {
    db.review_loop(kind)["suggested_kill_signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["why"].as_str().unwrap().to_string())
        .collect()
}

fn fires(db: &Db, kind: &str, words: &str) -> bool {
    suggested(db, kind).iter().any(|w| w.contains(words))
}

#[test]
fn the_understand_and_redesign_signals_read_the_flow_and_clear() {
    let db = Db::new();
    mapped(&db);
    // Agent steps while the canvas has no current workaround.
    assert!(
        fires(
            &db,
            "understand",
            "the agent step `Draft reply` is in the flow but the canvas records no current workaround"
        ),
        "{:?}",
        suggested(&db, "understand")
    );
    db.ok(&[
        "job",
        "edit",
        "triage",
        "--workaround",
        "a shared inbox and a macro",
    ]);
    assert!(!fires(&db, "understand", "agent step"));
    // A tool selected before the workflow was mapped (its first step).
    db.ok(&["tool", "triage", "Zendesk AI", "--at", "2026-10-01"]);
    assert!(
        fires(
            &db,
            "redesign",
            "the tool `Zendesk AI` was selected on 2026-10-01 before the workflow was mapped (its first step `Read ticket` on 2026-11-02)"
        ),
        "{:?}",
        suggested(&db, "redesign")
    );
    db.ok(&[
        "flow",
        "add",
        "triage",
        "Old intake",
        "--kind",
        "input",
        "--by",
        "human",
        "--at",
        "2026-09-30",
    ]);
    assert!(
        !fires(&db, "redesign", "Zendesk"),
        "{:?}",
        suggested(&db, "redesign")
    );
    // An agent step with no human gate on a path to an output.
    assert!(!fires(&db, "redesign", "no human gate"));
    db.ok(&["flow", "set", "triage", "send", "--after", "draft"]);
    assert!(
        fires(
            &db,
            "redesign",
            "the agent step `Draft reply` reaches the output `Send reply` with no human gate after it"
        ),
        "{:?}",
        suggested(&db, "redesign")
    );
    db.ok(&["flow", "set", "triage", "send", "--after", "approve"]);
    assert!(!fires(&db, "redesign", "no human gate"));
    // An agent step that is itself an output.
    db.ok(&[
        "flow",
        "add",
        "triage",
        "Auto-close",
        "--kind",
        "output",
        "--by",
        "agent",
        "--after",
        "draft",
    ]);
    assert!(fires(&db, "redesign", "`Auto-close` is itself an output"));
    db.ok(&[
        "flow",
        "void",
        "triage",
        "auto",
        "--reason",
        "not doing that",
    ]);
    assert!(!fires(&db, "redesign", "Auto-close"));
    // Suggested only: no signal was tripped.
    assert_eq!(
        db.review_loop("redesign")["kill_signals"][0]["tripped"],
        false
    );
}

#[test]
fn the_govern_signal_names_ungoverned_steps_and_failed_critics_and_clears() {
    let db = Db::new();
    mapped(&db);
    let ana = person(&db);
    assert!(
        fires(
            &db,
            "govern",
            "step `Send reply` (irreversible) lacks an owner, an approval threshold and a critic check"
        ),
        "{:?}",
        suggested(&db, "govern")
    );
    assert!(fires(
        &db,
        "govern",
        "step `Draft reply` (agent step on personal data) lacks"
    ));
    assert!(
        !fires(&db, "govern", "`Read ticket`"),
        "a system step on personal data is not an agent's"
    );
    db.ok(&[
        "flow",
        "govern",
        "triage",
        "send",
        "--owner",
        ana,
        "--approval",
        "over 50 EUR",
    ]);
    assert!(fires(
        &db,
        "govern",
        "step `Send reply` (irreversible) lacks a critic check"
    ));
    db.ok(&[
        "flow",
        "govern",
        "triage",
        "send",
        "--critic",
        "amount-check",
        "--critic-by",
        "system",
    ]);
    assert!(
        !fires(&db, "govern", "`Send reply`"),
        "{:?}",
        suggested(&db, "govern")
    );
    db.ok(&[
        "flow",
        "govern",
        "triage",
        "draft",
        "--owner",
        ana,
        "--approval",
        "none sent unread",
        "--critic",
        "tone",
        "--critic-by",
        "agent",
    ]);
    assert!(
        suggested(&db, "govern").is_empty(),
        "{:?}",
        suggested(&db, "govern")
    );
    // A critic that failed, with no later change.
    db.ok(&["critic", "result", "triage", "send", "amount-check", "fail"]);
    assert!(fires(
        &db,
        "govern",
        "the critic `amount-check` of step `Send reply` failed on"
    ));
    db.ok(&["flow", "set", "triage", "send", "--data", "internal"]);
    assert!(
        !fires(&db, "govern", "failed"),
        "{:?}",
        suggested(&db, "govern")
    );
    db.ok(&["critic", "result", "triage", "draft", "tone", "fail"]);
    assert!(fires(&db, "govern", "`tone`"));
    db.ok(&["critic", "result", "triage", "draft", "tone", "pass"]);
    assert!(!fires(&db, "govern", "`tone`"));
}

#[test]
fn the_improve_signal_finds_the_same_incident_twice_with_no_change_between() {
    let db = Db::new();
    mapped(&db);
    let add = |tag: &str| {
        db.ok(&[
            "incident",
            "add",
            "triage",
            "refund sent twice",
            "--step",
            "send",
            "--severity",
            "high",
            "--tag",
            tag,
        ]);
    };
    add("double-refund");
    add("other");
    assert!(!fires(&db, "improve", "incident"));
    add("double-refund");
    assert!(
        fires(
            &db,
            "improve",
            "the incident `double-refund` at step `Send reply` happened on"
        ),
        "{:?}",
        suggested(&db, "improve")
    );
    let newest = db.json(&["incident", "list", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    db.ok(&[
        "void",
        "triage",
        "improve",
        &newest,
        "--reason",
        "the same one",
    ]);
    assert!(
        !fires(&db, "improve", "incident"),
        "{:?}",
        suggested(&db, "improve")
    );
    // Fixed between the two: a change was recorded, nothing is suggested.
    let first = db
        .json(&["incident", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["tag"] == "double-refund")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    db.ok(&[
        "incident",
        "fix",
        &first,
        "--change",
        "the send step checks the refund id",
    ]);
    add("double-refund");
    assert!(
        !fires(&db, "improve", "incident"),
        "{:?}",
        suggested(&db, "improve")
    );
    // A learning of a change between also counts.
    add("late-reply");
    db.ok(&[
        "learn",
        "triage",
        "improve",
        "the agent now drafts within the hour",
        "--type",
        "change",
    ]);
    add("late-reply");
    assert!(
        !fires(&db, "improve", "late-reply"),
        "{:?}",
        suggested(&db, "improve")
    );
    add("late-reply");
    assert!(fires(&db, "improve", "late-reply"));
}

/// The nodes (id, lane, label) and edges of a Mermaid flowchart as `flow export` writes it.
/// A diagram read back: its nodes (id, lane, label) and its edges (from, to).
type Diagram = (Vec<(String, String, String)>, Vec<(String, String)>);

fn parse_mermaid(text: &str) -> Diagram {
    let mut lane = String::new();
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("subgraph lane_") {
            lane = rest.split('[').next().unwrap().to_string();
        } else if line == "end" {
            lane.clear();
        } else if let Some((from, to)) = line.split_once(" --> ") {
            edges.push((from.to_string(), to.to_string()));
        } else if line.starts_with('s') && line.contains('"') {
            let id = line.split(['[', '{']).next().unwrap().to_string();
            let label = line.split('"').nth(1).unwrap().to_string();
            assert!(!lane.is_empty(), "a step outside a lane: {line}");
            nodes.push((id, lane.clone(), label));
        }
    }
    (nodes, edges)
}

fn parse_dot(text: &str) -> Diagram {
    let mut lane = String::new();
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("subgraph cluster_") {
            lane = rest.split(' ').next().unwrap().to_string();
        } else if line == "}" {
            lane.clear();
        } else if let Some((from, to)) = line.trim_end_matches(';').split_once(" -> ") {
            edges.push((from.to_string(), to.to_string()));
        } else if line.starts_with('s') && line.contains("[label=") {
            let id = line.split(' ').next().unwrap().to_string();
            let label = line.split('"').nth(1).unwrap().to_string();
            nodes.push((id, lane.clone(), label));
        }
    }
    (nodes, edges)
}

#[test]
fn the_diagrams_read_back_as_the_flow_with_its_lanes_and_gates() {
    let db = Db::new();
    mapped(&db);
    db.ok(&["flow", "govern", "triage", "send", "--owner", "tester"]);
    let mermaid = db.ok(&["flow", "export", "triage", "--mermaid"]);
    assert!(mermaid.contains("flowchart LR"), "{mermaid}");
    let dot = db.ok(&["flow", "export", "triage", "--dot"]);
    assert!(dot.starts_with("digraph flow {"), "{dot}");
    assert_eq!(dot.matches('{').count(), dot.matches('}').count(), "{dot}");
    for (nodes, edges) in [parse_mermaid(&mermaid), parse_dot(&dot)] {
        let lane_of = |name: &str| {
            nodes
                .iter()
                .find(|(_, _, l)| l.starts_with(name))
                .map(|(id, lane, _)| (id.clone(), lane.clone()))
                .unwrap_or_else(|| panic!("{name} not in {nodes:?}"))
        };
        let (read, read_lane) = lane_of("Read ticket");
        let (draft, draft_lane) = lane_of("Draft reply");
        let (approve, approve_lane) = lane_of("Approve reply");
        let (send, send_lane) = lane_of("Send reply");
        assert_eq!(
            [read_lane, draft_lane, approve_lane, send_lane],
            ["system", "agent", "human", "system"]
        );
        assert_eq!(
            edges,
            [
                (read, draft.clone()),
                (draft, approve.clone()),
                (approve, send)
            ]
        );
        let labels: Vec<&String> = nodes.iter().map(|(_, _, l)| l).collect();
        assert!(
            labels.iter().any(|l| l.contains("approval gate")),
            "{labels:?}"
        );
        assert!(
            labels.iter().any(|l| l.contains("owner: tester")),
            "{labels:?}"
        );
        assert!(
            labels
                .iter()
                .any(|l| l.contains("data: personal, internal")),
            "{labels:?}"
        );
    }
    // Gates are hexagons in both; the irreversible step is doubled.
    assert!(mermaid.contains("{{\"Approve reply"), "{mermaid}");
    assert!(dot.contains("shape=hexagon"), "{dot}");
    assert!(dot.contains("peripheries=2"), "{dot}");
    // A name with quotes cannot break out of its label.
    db.ok(&[
        "flow",
        "add",
        "triage",
        "Say \"hi\" <b>",
        "--kind",
        "output",
        "--by",
        "agent",
    ]);
    let (nodes, _) = parse_mermaid(&db.ok(&["flow", "export", "triage", "--mermaid"]));
    assert!(
        nodes.iter().any(|(_, _, l)| l.starts_with("Say 'hi' ‹b›")),
        "{nodes:?}"
    );
}

#[test]
fn the_register_lists_agents_data_overseers_critics_incidents_signals_and_decisions() {
    let db = Db::new();
    mapped(&db);
    db.ok(&[
        "flow",
        "govern",
        "triage",
        "send",
        "--owner",
        "tester",
        "--approval",
        "over 50 EUR",
        "--critic",
        "amount-check",
        "--critic-by",
        "system",
    ]);
    db.ok(&["critic", "result", "triage", "send", "amount-check", "fail"]);
    db.ok(&[
        "incident",
        "add",
        "triage",
        "Refund sent twice",
        "--step",
        "send",
        "--severity",
        "high",
    ]);
    db.ok(&[
        "decide",
        "triage",
        "govern",
        "Refunds go out",
        "--owner",
        "tester",
        "--step",
        "send",
    ]);
    let r = db.json(&["register", "--json"]);
    assert!(
        r["disclaimer"]
            .as_str()
            .unwrap()
            .contains("not legal advice")
    );
    for key in [
        "agent_steps",
        "data_classes",
        "oversight",
        "approval_thresholds",
        "critic_checks",
        "open_incidents",
        "kill_signals",
        "decisions",
    ] {
        assert!(r["labels"][key]["eu_ai_act"].is_string(), "{key}");
        assert!(r["labels"][key]["nist_ai_rmf"].is_string(), "{key}");
    }
    let j = &r["jobs"][0];
    assert_eq!(j["slug"], "triage");
    assert_eq!(j["agent_steps"][0]["step"], "Draft reply");
    assert_eq!(j["data_classes"][0]["class"], "personal");
    assert_eq!(
        j["data_classes"][0]["steps"],
        serde_json::json!(["Read ticket", "Draft reply"])
    );
    assert_eq!(j["oversight"][0]["step"], "Approve reply");
    assert_eq!(j["oversight"][0]["gate"], "approval");
    assert_eq!(j["oversight"][1]["owner"], "tester");
    assert_eq!(j["approval_thresholds"][0]["approval"], "over 50 EUR");
    assert_eq!(j["critic_checks"][0]["latest"]["result"], "fail");
    assert_eq!(j["open_incidents"][0]["what"], "Refund sent twice");
    assert_eq!(j["decisions"][0]["step"], "Send reply");
    assert!(j["kill_signals"].as_array().unwrap().len() >= 6);
    let md = db.ok(&["register", "--markdown"]);
    assert!(md.starts_with("# AI register"), "{md}");
    assert!(md.contains("not legal advice"), "{md}");
    assert!(md.contains("## Triage tickets (triage)"), "{md}");
    assert!(md.contains("Art. 26(2) human oversight"), "{md}");
    assert!(md.contains("GOVERN"), "{md}");
    assert!(
        md.contains("- Draft reply — action · action · data: personal"),
        "{md}"
    );
    assert!(
        md.contains("amount-check on Send reply (system) — fail"),
        "{md}"
    );
    let text = db.ok(&["register"]);
    assert!(text.contains("AI register"), "{text}");
}

#[test]
fn in_team_mode_each_loop_owner_writes_their_part_of_the_flow() {
    let Some(t) = common::team::team() else {
        return;
    };
    use common::team::Check;
    common::team::job(&t);
    // ana leads `mail`; ben owns the govern loop only.
    t.as_user("ana", &["loop", "owner", "mail", "govern", "ben"])
        .assert_ok();
    let err = t
        .as_user(
            "ben",
            &[
                "flow",
                "add",
                "mail",
                "Read mail",
                "--kind",
                "input",
                "--by",
                "system",
            ],
        )
        .assert_code(6);
    assert!(
        err.contains("only its owner and the job's lead may"),
        "{err}"
    );
    t.as_user(
        "ana",
        &[
            "flow",
            "add",
            "mail",
            "Read mail",
            "--kind",
            "input",
            "--by",
            "system",
        ],
    )
    .assert_ok();
    t.as_user(
        "ben",
        &[
            "flow",
            "govern",
            "mail",
            "read",
            "--critic",
            "spam",
            "--critic-by",
            "agent",
        ],
    )
    .assert_ok();
    let err = t
        .as_user(
            "ben",
            &[
                "incident",
                "add",
                "mail",
                "x",
                "--step",
                "read",
                "--severity",
                "low",
            ],
        )
        .assert_code(6);
    assert!(
        err.contains("only its owner and the job's lead may"),
        "{err}"
    );
    // Behind jobloop's back, the server refuses a step in a loop ben does not own.
    let redesign = "(SELECT l.id FROM loops l JOIN jobs j ON j.id = l.job_id WHERE j.slug = 'mail' AND l.kind = 'redesign')";
    let e = t
        .sql(
            "ben",
            &format!(
                "INSERT INTO flow_steps (id, loop_id, name, kind, performer, irreversible, at, recorded_by, recorded_at) SELECT 'x', {redesign}, 'sneaky', 'input', 'agent', 0, '2026-11-02', 'ben', '2026-11-02T00:00:00.000Z'"
            ),
        )
        .unwrap_err();
    assert!(format!("{e:?}").contains("row-level security"), "{e:?}");
    t.as_user("tester", &["verify"]).assert_ok();
}

also_on_postgres!(
    a_flow_is_mapped_governed_and_kept_through_export_and_verify,
    a_refused_flow_command_says_what_to_do_and_changes_nothing,
    flow_records_are_voided_and_undone_with_their_history_kept,
);

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
