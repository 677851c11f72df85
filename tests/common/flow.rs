//! A job's redesigned workflow (a flow of steps) set up through the real binary, and read back
//! from `flow list --json`.

use super::Db;
use serde_json::Value as Json;

/// `triage` with a four-step flow: a system reads the ticket (personal data), an agent drafts
/// the reply, a human approves it (approval gate), a system sends it (irreversible).
pub fn mapped(db: &Db) {
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
pub fn person(db: &Db) -> &'static str {
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

pub fn flow(db: &Db) -> Json {
    db.json(&["flow", "list", "triage", "--json"])["flow"].clone()
}

pub fn step<'a>(f: &'a Json, name: &str) -> &'a Json {
    f["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name} in {f}"))
}
