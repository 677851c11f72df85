//! Real history in: a job's earlier weeks answered (backfill), with their refusals.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Db;
use jobloop::domain::{Stamp, Week};

/// The week `n` weeks before this one, and a day in it (its Monday).
fn weeks_ago(n: u32) -> (String, String) {
    let mut w = Week::containing(Stamp::now());
    for _ in 0..n {
        w = w.previous();
    }
    (w.to_string(), w.monday().to_string())
}

const YES: [&str; 8] = [
    "--understanding",
    "yes",
    "--explanation",
    "yes",
    "--creation",
    "no",
    "--distribution",
    "yes",
];

fn close(slug: &str, week: &str) -> Vec<String> {
    let mut args: Vec<String> = ["cycle", "close", slug, "--week", week]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(YES.iter().map(|s| s.to_string()));
    args
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn a_job_with_an_earlier_start_answers_its_earlier_weeks_and_shows_them_backfilled() {
    let db = Db::new();
    let (w6, monday6) = weeks_ago(6);
    let (w4, _) = weeks_ago(4);
    db.ok(&["job", "add", "Triage", "--slug", "t"]);
    // Recorded today: there is no week 4 weeks ago yet, and the refusal says how to open it.
    let err = db.refused(&strs(&close("t", &w4)), 1);
    assert!(
        err.contains("history begins in") && err.contains("--since"),
        "{err}"
    );
    // A start in the future, or after the day it was recorded, is refused.
    db.refused(&["job", "edit", "t", "--since", "2999-01-01"], 2);
    // Begin its history six weeks ago: weeks 6 and 4 can be answered now.
    db.ok(&["job", "edit", "t", "--since", &monday6]);
    db.ok(&strs(&close("t", &w4)));
    db.ok(&strs(&close("t", &w6)));
    let (w7, _) = weeks_ago(7);
    db.refused(&strs(&close("t", &w7)), 1);
    let shown = db.ok(&["job", "show", "t"]);
    assert!(
        shown.contains(&format!(
            "{w4}  yes yes no  yes  next job: redesign (backfilled on"
        )),
        "{shown}"
    );
    // A later start that would drop a week already answered is refused.
    let (_, monday5) = weeks_ago(5);
    let err = db.refused(&["job", "edit", "t", "--since", &monday5], 1);
    assert!(err.contains(&w6), "{err}");
    // Weeks before the job was recorded are never overdue.
    let review = db.json(&["review", "--json"]);
    assert_eq!(review["jobs"][0]["cycle"]["overdue"], false, "{review}");
    db.ok(&["verify"]);
}

#[test]
fn job_add_since_opens_earlier_weeks_and_its_earliest_record_does_too() {
    let db = Db::new();
    let (w3, monday3) = weeks_ago(3);
    db.ok(&["job", "add", "Old", "--slug", "old", "--since", &monday3]);
    db.ok(&strs(&close("old", &w3)));
    // A job whose earliest dated record is older than the day it was recorded: that week opens.
    db.ok(&["job", "add", "Measured", "--slug", "m"]);
    db.ok(&["metric", "set", "m", "instr", "hours", "--better", "lower"]);
    let (w2, monday2) = weeks_ago(2);
    db.ok(&["baseline", "m", "instr", "5", "--at", &monday2]);
    db.ok(&strs(&close("m", &w2)));
    // Undoing the start puts the job back as it was.
    let db2 = Db::new();
    db2.ok(&["job", "add", "U", "--slug", "u"]);
    let before = db2.state();
    db2.ok(&["job", "edit", "u", "--since", &monday3]);
    db2.ok(&["undo", "--yes"]);
    let after = db2.ok(&["job", "show", "u", "--json"]);
    assert!(!after.contains("\"since\""), "{after}");
    assert_ne!(db2.state(), before, "undo is recorded, not erased");
    db.ok(&["verify"]);
}

also_on_postgres!(
    a_job_with_an_earlier_start_answers_its_earlier_weeks_and_shows_them_backfilled,
    job_add_since_opens_earlier_weeks_and_its_earliest_record_does_too,
);
