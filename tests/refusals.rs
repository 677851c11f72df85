//! Every refusal: a one-line error, the right exit code, and the data exactly as it was.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Db;

fn ready() -> Db {
    let db = Db::new();
    db.ok(&["job", "add", "Triage support tickets", "--slug", "triage"]);
    db.ok(&[
        "metric",
        "set",
        "triage",
        "instrument",
        "hours",
        "--unit",
        "h",
        "--better",
        "lower",
    ]);
    db
}

#[test]
fn intervention_before_any_baseline() {
    let db = ready();
    let err = db.refused(&["intervene", "triage", "instrument", "new tool"], 1);
    assert!(
        err.contains("no baseline is recorded for triage/instrument"),
        "{err}"
    );
    assert!(
        err.contains("jobloop baseline triage instrument VALUE"),
        "{err}"
    );
}

#[test]
fn intervention_dated_before_the_first_baseline() {
    let db = ready();
    db.ok(&["baseline", "triage", "instr", "5", "--at", "2026-10-10"]);
    let err = db.refused(
        &["intervene", "triage", "instr", "tool", "--at", "2026-10-01"],
        1,
    );
    assert!(err.contains("not before this intervention"), "{err}");
}

#[test]
fn intervention_without_a_metric() {
    let db = ready();
    let err = db.refused(&["intervene", "triage", "govern", "tool"], 1);
    assert!(err.contains("jobloop metric set triage govern"), "{err}");
}

#[test]
fn values_without_a_metric() {
    let db = ready();
    let err = db.refused(&["baseline", "triage", "redesign", "4"], 1);
    assert!(err.contains("no primary metric"), "{err}");
    assert!(err.contains("jobloop metric set triage redesign"), "{err}");
    db.refused(&["measure", "triage", "redesign", "4"], 1);
}

#[test]
fn a_baseline_after_an_intervention() {
    let db = ready();
    db.ok(&["baseline", "triage", "instr", "5", "--at", "2026-10-01"]);
    db.ok(&["intervene", "triage", "instr", "tool", "--at", "2026-10-10"]);
    let err = db.refused(
        &["baseline", "triage", "instr", "5", "--at", "2026-10-12"],
        1,
    );
    assert!(err.contains("jobloop measure"), "{err}");
}

#[test]
fn non_numeric_values() {
    let db = ready();
    for bad in ["4x2", "abc", "", "NaN", "inf", "1,5"] {
        let err = db.refused(&["measure", "triage", "instr", bad], 2);
        assert!(err.contains("is not a number"), "{bad}: {err}");
    }
    // A negative value is a number.
    db.ok(&["baseline", "triage", "instr", "-4", "--at", "2026-10-01"]);
}

#[test]
fn unknown_job_suggests_the_nearest() {
    let db = ready();
    let err = db.refused(&["loop", "owner", "traige", "govern", "Ana"], 1);
    assert!(
        err.contains("no job `traige`: did you mean `triage`?"),
        "{err}"
    );
    let err = db.refused(&["loop", "show", "zzzzzzzz", "govern"], 1);
    assert!(err.contains("jobloop job list"), "{err}");
}

#[test]
fn unknown_or_ambiguous_kind() {
    let db = ready();
    let err = db.refused(&["loop", "owner", "triage", "govren", "Ana"], 2);
    assert!(err.contains("did you mean `govern`"), "{err}");
    let err = db.refused(&["loop", "owner", "triage", "i", "Ana"], 2);
    assert!(err.contains("instrument or improve"), "{err}");
}

#[test]
fn tripping_needs_a_reason() {
    let db = ready();
    let err = db.refused(&["kill", "trip", "triage", "govern"], 2);
    assert!(err.contains("--reason"), "{err}");
    let err = db.refused(&["kill", "trip", "triage", "govern", "--reason", "   "], 2);
    assert!(err.contains("reason is empty"), "{err}");
    db.refused(
        &["kill", "trip", "triage", "govern", "7", "--reason", "x"],
        1,
    );
    db.ok(&[
        "kill",
        "trip",
        "triage",
        "govern",
        "--reason",
        "policy page unread",
    ]);
    let err = db.refused(
        &["kill", "trip", "triage", "govern", "1", "--reason", "again"],
        1,
    );
    assert!(err.contains("already tripped"), "{err}");
    let err = db.refused(&["kill", "rearm", "triage", "govern", "1"], 2);
    assert!(err.contains("--reason"), "{err}");
}

#[test]
fn a_decision_needs_an_owner() {
    let db = ready();
    let err = db.refused(&["decide", "triage", "govern", "Auto-refund"], 2);
    assert!(err.contains("--owner"), "{err}");
    let err = db.refused(
        &["decide", "triage", "govern", "Auto-refund", "--owner", " "],
        2,
    );
    assert!(err.contains("owner is empty"), "{err}");
}

#[test]
fn bad_dates() {
    let db = ready();
    for bad in ["2026-13-01", "2026-02-30", "yesterday", "01/02/2026"] {
        let err = db.refused(&["baseline", "triage", "instr", "4", "--at", bad], 2);
        assert!(err.contains("YYYY-MM-DD"), "{bad}: {err}");
    }
    let err = db.refused(
        &["baseline", "triage", "instr", "4", "--at", "2999-01-01"],
        2,
    );
    assert!(err.contains("in the future"), "{err}");
    let err = db.refused(
        &[
            "cycle",
            "close",
            "triage",
            "--understanding",
            "yes",
            "--explanation",
            "yes",
            "--creation",
            "yes",
            "--distribution",
            "yes",
            "--week",
            "2026-W60",
        ],
        2,
    );
    assert!(err.contains("ISO week"), "{err}");
}

#[test]
fn duplicate_slug() {
    let db = ready();
    let err = db.refused(&["job", "add", "Another triage", "--slug", "triage"], 1);
    assert!(err.contains("already exists"), "{err}");
    let err = db.refused(&["job", "add", "Bad", "--slug", "Not A Slug"], 2);
    assert!(err.contains("not a valid slug"), "{err}");
    let err = db.refused(&["job", "add", "日本語"], 2);
    assert!(err.contains("--slug"), "{err}");
}

#[test]
fn compound_test_answers_and_weeks() {
    let db = ready();
    let args = |d: &'static str| {
        vec![
            "cycle",
            "close",
            "triage",
            "--understanding",
            "yes",
            "--explanation",
            "no",
            "--creation",
            "yes",
            "--distribution",
            d,
        ]
    };
    let err = db.refused(&args("maybe"), 2);
    assert!(err.contains("yes or no"), "{err}");
    db.refused(&["cycle", "close", "triage", "--understanding", "yes"], 2);
    db.ok(&args("yes"));
    let err = db.refused(&args("yes"), 1);
    assert!(err.contains("already closed"), "{err}");
}

#[test]
fn closing_a_loop_with_open_steps_or_an_undecided_trip() {
    let db = ready();
    let err = db.refused(&["loop", "close", "triage", "redesign"], 1);
    assert!(err.contains("has not started"), "{err}");
    db.ok(&["loop", "open", "triage", "redesign"]);
    let err = db.refused(&["loop", "close", "triage", "redesign"], 1);
    assert!(err.contains("--force"), "{err}");
    db.ok(&[
        "kill",
        "trip",
        "triage",
        "redesign",
        "--reason",
        "tool chosen first",
    ]);
    let err = db.refused(&["loop", "close", "triage", "redesign", "--force"], 1);
    assert!(err.contains("loop retire"), "{err}");
    let err = db.refused(
        &["loop", "continue", "triage", "instrument", "--reason", "x"],
        1,
    );
    assert!(err.contains("no tripped kill signal"), "{err}");
}

#[test]
fn steps_out_of_range_and_conflicting_flags() {
    let db = ready();
    let err = db.refused(&["loop", "step", "triage", "govern", "9", "--done"], 1);
    assert!(err.contains("numbered 1 to 4"), "{err}");
    db.refused(&["loop", "step", "triage", "govern", "0", "--done"], 2);
    db.refused(&["loop", "step", "triage", "govern", "1"], 2);
    db.refused(
        &["loop", "step", "triage", "govern", "1", "--done", "--undo"],
        2,
    );
}

#[test]
fn overlong_text_is_refused() {
    let db = ready();
    let long = "x".repeat(5000);
    let err = db.refused(&["loop", "owner", "triage", "govern", &long], 2);
    assert!(err.contains("the limit is 100"), "{err}");
    let err = db.refused(
        &["loop", "note", "triage", "govern", &"y".repeat(20_000)],
        2,
    );
    assert!(err.contains("the limit is"), "{err}");
}

#[test]
fn unknown_commands_and_flags_are_usage_errors() {
    let db = ready();
    db.refused(&["frobnicate"], 2);
    db.refused(&["review", "--yaml"], 2);
    db.refused(&["review", "--json", "--markdown"], 2);
}

// The same tests on the shared PostgreSQL store.
also_on_postgres!(
    intervention_before_any_baseline,
    intervention_dated_before_the_first_baseline,
    intervention_without_a_metric,
    values_without_a_metric,
    a_baseline_after_an_intervention,
    non_numeric_values,
    unknown_job_suggests_the_nearest,
    unknown_or_ambiguous_kind,
    tripping_needs_a_reason,
    a_decision_needs_an_owner,
    bad_dates,
    duplicate_slug,
    compound_test_answers_and_weeks,
    closing_a_loop_with_open_steps_or_an_undecided_trip,
    steps_out_of_range_and_conflicting_flags,
    overlong_text_is_refused,
    unknown_commands_and_flags_are_usage_errors,
);
