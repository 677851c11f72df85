//! A write never replaces a change its author did not see. A form writes over the value it
//! showed, and an undo over the value its command wrote: when a teammate (or another window)
//! changed that value meanwhile, the write is refused, says what it is now, and leaves every
//! record as it was. Fields nobody changed meanwhile are written as before.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Db;
use common::harness::{Harness, ctx, measured_job, on_loop};
use jobloop::domain::LoopKind;
use jobloop::domain::intent::{Intent, LoopOp};
use jobloop::domain::job::JobEdit;
use jobloop::domain::stats::Target;
use jobloop::store::{Missing, Store};
use ratatui::crossterm::event::KeyCode;

fn target(t: &str) -> Option<Target> {
    Some(Target::parse(t).unwrap())
}

/// What a teammate does while the form is open: the job's title, the loop's owner, the target.
fn title(t: &str) -> Intent {
    Intent::EditJob {
        slug: "job".into(),
        edit: JobEdit {
            title: Some(t.into()),
            ..Default::default()
        },
    }
}

fn instrument(op: LoopOp) -> Intent {
    on_loop("job", LoopKind::Instrument, op)
}

/// Each form that shows a current value and writes it back: the job form (title), the owner
/// form, the target form and the metric replacement (which carries the target it showed).
/// A teammate's change made while it was open is neither overwritten nor undone.
#[test]
fn a_form_does_not_write_over_a_change_made_while_it_was_open() {
    let cases: [(&str, &str, Intent, &str, &str); 4] = [
        (
            "",
            "e",
            title("Ana's title"),
            " (lead)",
            "the title of `job` changed to `Ana's title`",
        ),
        (
            "ll",
            "o",
            instrument(LoopOp::assign_owner("Ben")),
            "",
            "changed to `Ben` after `Ana`",
        ),
        (
            "ll",
            "T",
            instrument(LoopOp::set_target(target("-30%"), None)),
            "-20%",
            "the target of job/instrument changed to `-30%` after nothing",
        ),
        (
            "ll",
            "M",
            instrument(LoopOp::set_target(target("-30%"), None)),
            " v2",
            "changed to `-30%`",
        ),
    ];
    for (open, key, teammate, typed, said) in cases {
        let mut h = Harness::new((120, 40), |s| measured_job(s, &[]));
        h.keys(open).keys(key);
        assert!(h.app.form.is_some(), "{key}: {}", h.screen());
        Store::open(&h.path, Missing::Refuse)
            .unwrap()
            .apply(&ctx(), &teammate)
            .unwrap();
        let before = h.export();
        h.key(KeyCode::End).keys(typed).ctrl('s');
        let error = h.app.form.as_ref().and_then(|f| f.error.clone());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains(said) && e.contains("nothing was written")),
            "{key}: the form stays open and says what changed: {error:?}"
        );
        assert_eq!(h.export(), before, "{key}: nothing was written");
    }
}

/// Without a teammate in between, the same forms write as they always did.
#[test]
fn a_form_writes_when_nothing_changed_meanwhile() {
    let mut h = Harness::new((120, 40), |s| measured_job(s, &[]));
    h.keys("ll").keys("T").keys("-20%").ctrl('s');
    assert!(h.app.form.is_none(), "{}", h.message());
    h.keys("o").key(KeyCode::End).keys("a").ctrl('s');
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Instrument);
    let m = r.metric.as_ref().unwrap();
    assert_eq!(m.target.map(Target::to_text).as_deref(), Some("-20%"));
    assert_eq!(r.lp.owner.as_deref(), Some("Anaa"));
}

/// My command, what a teammate did after it, and what the refusal names of it.
type Case<'a> = (&'a [&'a str], &'a [&'a [&'a str]], &'a str);

/// Undo takes back the author's last command, and only that: once a teammate acted on the same
/// loop (or job) after it, the undo is refused and names what they did (their note, their
/// owner, their target, their title, the step they made follow the added one, the loop they
/// retired, the decision they signed); a field the command did not change (the job's start)
/// is left as it is.
// long: one table of what a teammate did after each kind of command; the table is the test
#[test]
fn undo_takes_back_nothing_a_teammate_did_after_it() {
    let db = Db::new();
    db.ok(&["job", "add", "Job", "--slug", "job"]);
    db.ok(&[
        "metric", "set", "job", "instr", "hours", "--better", "lower",
    ]);
    // Naming the first owner has nothing to take back: the owner is named once before.
    db.ok(&["loop", "owner", "job", "instr", "Zed"]);
    db.ok(&[
        "flow", "add", "job", "Read", "--kind", "input", "--by", "system",
    ]);
    db.ok(&[
        "flow", "add", "job", "Pay", "--kind", "output", "--by", "system", "--after", "Read",
    ]);
    db.ok(&["loop", "open", "job", "understand"]);
    let rita = |args: &[&str]| {
        let mut all = vec!["--as", "Rita"];
        all.extend_from_slice(args);
        db.ok(&all)
    };
    let teammates_change: [Case; 7] = [
        (
            &["loop", "owner", "job", "instr", "Ana"],
            &[&["loop", "owner", "job", "instr", "Ben"]],
            "Ben now owns",
        ),
        (
            &["metric", "target", "job", "instr", "--", "-20%"],
            &[&[
                "metric", "target", "job", "instr", "--reason", "stricter", "--", "-30%",
            ]],
            "-30%",
        ),
        (
            &["loop", "note", "job", "instr", "mine"],
            &[&["loop", "note", "job", "instr", "Rita's"]],
            "`loop note`",
        ),
        (
            &["job", "edit", "job", "--title", "Mine"],
            &[&["job", "edit", "job", "--title", "Rita's"]],
            "title",
        ),
        (
            &[
                "flow",
                "add",
                "job",
                "Check",
                "--kind",
                "decision",
                "--by",
                "human",
                "--gate",
                "liability",
                "--after",
                "Read",
            ],
            &[&["flow", "set", "job", "Pay", "--after", "Check"]],
            "Rita acted on job/redesign",
        ),
        (
            &["loop", "close", "job", "understand", "--force"],
            &[
                &["loop", "open", "job", "understand"],
                &["kill", "add", "job", "understand", "adoption only"],
                &[
                    "kill",
                    "trip",
                    "job",
                    "understand",
                    "1",
                    "--reason",
                    "adoption only",
                ],
                &[
                    "loop",
                    "retire",
                    "job",
                    "understand",
                    "--reason",
                    "stop this work",
                ],
            ],
            "reopened job/understand",
        ),
        (
            &["decide", "job", "govern", "Auto-pay", "--owner", "Rita"],
            &[&["decide", "job", "govern", "--approve", "LAST"]],
            "signed off",
        ),
    ];
    for (mine, theirs, said) in teammates_change {
        let before = db.ok(mine);
        for t in theirs {
            let id;
            let t: Vec<&str> = if t.last() == Some(&"LAST") {
                id = before.split_whitespace().nth(2).unwrap().to_string();
                t[..t.len() - 1]
                    .iter()
                    .copied()
                    .chain([id.as_str()])
                    .collect()
            } else {
                t.to_vec()
            };
            rita(&t);
        }
        let err = db.refused(&["undo", "--yes"], 1);
        assert!(
            err.contains("Rita acted on")
                && err.contains(said)
                && err.contains("nothing was undone"),
            "{mine:?}: {err}"
        );
    }
    // The workflow's records refer to each other across loops: a step governed (govern loop)
    // or named by an incident (improve loop) after it was added is not voided by an undo.
    for (theirs, place) in [
        (
            &["flow", "govern", "job", "Audit", "--approval", "all"][..],
            "Rita acted on job/govern",
        ),
        (
            &[
                "incident",
                "add",
                "job",
                "paid twice",
                "--step",
                "Audit",
                "--severity",
                "high",
            ][..],
            "Rita acted on job/improve",
        ),
    ] {
        db.ok(&[
            "flow", "add", "job", "Audit", "--kind", "action", "--by", "system", "--after", "Pay",
        ]);
        rita(theirs);
        let err = db.refused(&["undo", "--yes"], 1);
        assert!(err.contains(place), "{err}");
        // Put the flow back as it was for the next case, as its author would.
        db.ok(&["--as", "Rita", "undo", "--yes"]);
        db.ok(&["flow", "void", "job", "Audit", "--reason", "test"]);
    }
    // Undoing a title edit leaves the job's start as it is.
    db.ok(&["job", "add", "Old", "--slug", "old"]);
    let start = "2026-01-05";
    db.ok(&["job", "edit", "old", "--since", start]);
    db.ok(&["job", "edit", "old", "--title", "Older"]);
    let out = db.ok(&["undo", "--yes"]);
    assert!(!out.contains("start"), "{out}");
    let job = db.json(&["job", "show", "old", "--json"]);
    assert_eq!(job["job"]["title"], "Old", "{job}");
    assert_eq!(job["job"]["since"], start, "{job}");
    db.ok(&["verify"]);
}

/// Step 1 of `job/understand` ticked by `who` with `evidence`.
fn tick<'a>(who: &'a str, evidence: &'a str) -> [&'a str; 10] {
    [
        "--as",
        who,
        "loop",
        "step",
        "job",
        "understand",
        "1",
        "--done",
        "--evidence",
        evidence,
    ]
}

/// A checklist step already done keeps who ticked it and on what evidence: another person's
/// evidence is refused until the step is unticked; its author may restate theirs, and undoing
/// that puts the earlier evidence back rather than unticking the step.
#[test]
fn a_done_step_keeps_its_tick_and_evidence() {
    let db = Db::new();
    db.ok(&["job", "add", "Job", "--slug", "job"]);
    db.ok(&tick("tester", "interviews 1-5"));
    let err = db.refused(&tick("Rita", "typo fix"), 1);
    assert!(err.contains("already done (by tester on"), "{err}");
    db.ok(&tick("tester", "interviews 1-6"));
    assert!(
        db.ok(&["loop", "show", "job", "understand"])
            .contains("interviews 1-6")
    );
    db.ok(&["undo", "--yes"]);
    let shown = db.ok(&["loop", "show", "job", "understand"]);
    assert!(
        shown.contains("[x] 1.") && shown.contains("interviews 1-5"),
        "{shown}"
    );
}
