//! What the workflow tells the lead: the understand, redesign, govern and improve kill signals
//! read the flow (each shown firing and shown clearing), the register lists agents, data,
//! overseers, critics, incidents, signals and decisions, and the diagrams read back as the flow.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::flow::{mapped, person};
use common::{Db, suggested};

fn fires(db: &Db, kind: &str, words: &str) -> bool {
    suggested(db, kind).iter().any(|w| w.contains(words))
}

// long: the understand and redesign signals raised and cleared in order on one flow; each step
// changes what the next one detects
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

// long: the govern signal raised by each gap in turn and cleared as each is governed; each step
// changes what the next one detects
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

// long: one incident seen twice with no change between, then after a change; the order is what
// the signal is about
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

/// A closed govern loop still reads the workflow: an agent step on special data added after
/// the close is suggested (the loop must be reopened to weigh it), and the review no longer
/// answers "is the governance inside the flow?" with yes.
#[test]
fn a_closed_govern_loop_still_reads_the_flow() {
    let db = Db::new();
    mapped(&db);
    let ana = person(&db);
    for step in ["send", "draft"] {
        db.ok(&[
            "flow",
            "govern",
            "triage",
            step,
            "--owner",
            ana,
            "--approval",
            "all",
            "--critic",
            "check",
            "--critic-by",
            "human",
        ]);
    }
    for n in ["1", "2", "3", "4"] {
        db.ok(&[
            "loop",
            "step",
            "triage",
            "govern",
            n,
            "--done",
            "--evidence",
            "ok",
        ]);
    }
    db.ok(&["loop", "close", "triage", "govern"]);
    let govern = |db: &Db| db.json(&["review", "--json"])["jobs"][0]["questions"]["govern"].clone();
    assert_eq!(govern(&db), true);
    db.ok(&[
        "flow",
        "add",
        "triage",
        "Read health records",
        "--kind",
        "input",
        "--by",
        "agent",
        "--role",
        "perception",
        "--data",
        "special",
    ]);
    assert!(
        fires(&db, "govern", "`Read health records`") && fires(&db, "govern", "reopen it"),
        "{:?}",
        suggested(&db, "govern")
    );
    assert_eq!(govern(&db), false);
}

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

// long: one register read for each of its sections in turn on the same flow; the sections are
// the test
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
    // A local file's names are typed, not signed in: the register says so.
    assert_eq!(r["names"], "self-declared");
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
    assert!(md.contains("> Names are self-declared"), "{md}");
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
