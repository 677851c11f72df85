//! Who may write which part of the workflow, and what is refused: a refused flow command says
//! what to do and changes nothing (also on PostgreSQL), and in team mode each loop's owner writes
//! their own part of the flow only.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Db;
use common::flow::{flow, mapped, person};

// long: a table of refused flow commands on one mapped flow, each checked for its words and for
// a file left unchanged; the table is the test
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

// long: each loop owner writing their part of one flow in turn, and refused outside it; each
// write reads the flow the ones before left
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

also_on_postgres!(a_refused_flow_command_says_what_to_do_and_changes_nothing);

/// A step others follow is not removed by any path, so the flow is never cut where it was:
/// `flow void`, a void by the step's id and an undo of its adding are refused alike, naming
/// the steps that follow it.
#[test]
fn no_path_removes_a_step_others_follow() {
    let db = Db::new();
    mapped(&db);
    let steps = db.json(&["flow", "list", "triage", "--json"]);
    let read = steps["flow"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "Read ticket")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let err = db.refused(&["flow", "void", "triage", "read", "--reason", "x"], 1);
    assert!(err.contains("so the flow is not cut"), "{err}");
    let err = db.refused(&["void", "triage", "redesign", &read, "--reason", "x"], 1);
    assert!(
        err.contains("`Draft reply`") && err.contains("so the flow is not cut"),
        "{err}"
    );
    db.ok(&[
        "flow", "add", "triage", "Check", "--kind", "decision", "--by", "human", "--after", "draft",
    ]);
    db.ok(&[
        "--as", "Rita", "flow", "set", "triage", "send", "--after", "check",
    ]);
    db.refused(&["undo", "--yes"], 1);
    // A step its governance acts stand on is not removed from under them either.
    db.ok(&[
        "flow", "add", "triage", "Log", "--kind", "action", "--by", "system", "--after", "send",
    ]);
    db.ok(&[
        "flow",
        "govern",
        "triage",
        "log",
        "--approval",
        "none needed",
    ]);
    let err = db.refused(&["flow", "void", "triage", "log", "--reason", "x"], 1);
    assert!(
        err.contains("step `Log` is governed by 1 act(s) in force"),
        "{err}"
    );
}
