//! The TUI's weekly routine on ratatui's TestBackend: the review walks what needs the lead, the
//! week form records several loops at once (and undo takes it back whole), a closed week is not
//! offered again, and archived jobs leave the walk and come back.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::harness::{Harness, SIZES, add_job, ctx, on_loop, today};
use common::lower_metric;
use jobloop::domain::LoopKind;
use jobloop::domain::intent::{Intent, LoopOp};
use jobloop::domain::model::{Better, Phase};
use jobloop::domain::time::{Stamp, When};
use jobloop::store::{Missing, Store};
use jobloop::tui::views::View;
use ratatui::crossterm::event::KeyCode;

#[test]
fn the_weekly_review_walks_what_needs_you_and_counts_what_was_fixed() {
    for size in SIZES {
        let mut h = Harness::new(size, |s| add_job(s, "Job", None));
        h.keys("r");
        assert!(matches!(h.app.top(), View::Walk(_)));
        h.shows(&["(0 resolved)", "no human owner"]);
        // The first item is a loop without an owner: name one here.
        h.keys("o").keys("Ana").key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        h.shows(&["(1 resolved)", "✓"]);
        // Stepping away keeps the place; coming back resumes it.
        h.key(KeyCode::Esc).keys("r");
        h.shows(&["(1 resolved)"]);
        for _ in 0..6 {
            h.keys("j");
        }
        h.shows(&["ompound test"]);
        h.keys("j");
        h.shows(&["1 of 7 items resolved", "compound test of job"]);
    }
}

#[test]
fn the_walk_names_the_overdue_week_and_offers_the_fixes_that_resolve() {
    for size in SIZES {
        let mut h = Harness::demo(size);
        let owed = jobloop::domain::time::Week::containing(h.app.clock.now())
            .previous()
            .to_string();
        h.keys("r");
        // The suggested kill signal: not `X` alone, but what decides after it and the record
        // that removes its cause (in the demo, a workflow step nobody governs: `G`).
        let mut walked = 0;
        // A decision waits for its owner: named, with what the lead can do (amend its owner or
        // threshold). Words may wrap anywhere a space is.
        let mut pending = false;
        let mut read = |h: &mut Harness| {
            let words = h.screen().split_whitespace().collect::<Vec<_>>().join(" ");
            pending |= words.contains("signs it with Y on this loop; E amends its owner");
        };
        while !h.screen().contains("suggested kill signal") {
            read(&mut h);
            h.keys("j");
            walked += 1;
            assert!(walked < 40, "the demo has a suggested kill signal");
        }
        h.shows(&[
            "X trips it",
            "R retires",
            "C continues",
            "; or G governs the step",
        ]);
        h.keys("G");
        let form = h
            .app
            .form
            .as_ref()
            .expect("G opens the form that governs a step");
        assert!(form.title.contains("overn"), "{}", form.title);
        h.key(KeyCode::Esc);
        // On to the compound test of the job that owes one.
        while !h.screen().contains("was never answered") {
            read(&mut h);
            h.keys("j");
            walked += 1;
            assert!(walked < 40, "the demo has a job overdue");
        }
        assert!(pending, "{size:?}: the pending sign-off names its fix");
        h.shows(&[&format!("{owed}'s compound test was never answered")]);
        h.shows(&[&format!("opens the test on {owed}")]);
        h.key(KeyCode::Enter);
        assert_eq!(h.field("week"), owed, "the form opens on the week owed");
        h.key(KeyCode::Esc).keys("c");
        assert_eq!(h.field("week"), owed);
        h.key(KeyCode::Esc);
        // The summary names it too.
        for _ in 0..40 {
            h.keys("j");
        }
        h.shows(&[&format!("({owed} overdue)")]);
    }
}

/// Two jobs for the week form, every value dated ten days ago (always an earlier ISO week):
/// `job`'s instrument loop with a guardrail, `other`'s improve loop, `other`'s instrument loop
/// already measured this week and `job`'s closed govern loop (neither asked).
fn week_jobs(s: &mut Store) {
    let ten_days_ago = When::Day(Stamp::now().local_date() - chrono::Days::new(10));
    let metric = lower_metric;
    let value = |v: f64, at: When, guard: Option<&str>| LoopOp::RecordValue {
        phase: Phase::Baseline,
        value: v,
        at,
        note: None,
        reason: None,
        guard: guard.map(str::to_string),
        shown: None,
        typed: None,
        source: None,
    };
    add_job(s, "Job", Some("Ana"));
    add_job(s, "Other", Some("Ana"));
    let (i, m) = (LoopKind::Instrument, LoopKind::Improve);
    for intent in [
        on_loop("job", i, metric("hours")),
        on_loop(
            "job",
            i,
            LoopOp::AddGuardrail {
                name: "errors".into(),
                unit: "count".into(),
                better: Better::Lower,
                max_worse: jobloop::domain::stats::Limit::parse("10%").unwrap(),
                reason: None,
            },
        ),
        on_loop("job", i, value(9.0, ten_days_ago, None)),
        on_loop("job", i, value(3.0, ten_days_ago, Some("errors"))),
        on_loop("other", m, metric("defects")),
        on_loop("other", m, value(12.0, ten_days_ago, None)),
        on_loop("other", i, metric("minutes")),
        on_loop("other", i, value(40.0, today(), None)),
        // A closed loop is measured no more: not asked.
        on_loop("job", LoopKind::Govern, metric("approvals")),
        on_loop("job", LoopKind::Govern, value(2.0, ten_days_ago, None)),
        on_loop("job", LoopKind::Govern, LoopOp::Close { force: true }),
    ] {
        s.apply(&ctx(), &intent).unwrap();
    }
}

/// The `baseline` events of the store, oldest first.
fn value_events(h: &Harness) -> Vec<jobloop::domain::model::AuditEvent> {
    let mut s = Store::open(&h.path, Missing::Refuse).unwrap();
    let mut log = s.log(None, None, 1000).unwrap();
    log.reverse();
    log.into_iter()
        .filter(|e| e.command == "baseline")
        .collect()
}

#[test]
fn the_week_form_records_several_loops_at_once_and_undo_takes_them_all_back() {
    for size in SIZES {
        let mut h = Harness::new(size, week_jobs);
        let before = value_events(&h).len();
        h.ctrl('n');
        assert!(h.app.form.is_some(), "{}", h.message());
        h.shows(&[
            "This week's values for every job",
            "job/instrument hours",
            "baseline 9",
        ])
        .hides(&["other/instrument", "job/govern"]);
        // The first value field has the focus; the guardrail is left empty, then skipped.
        h.keys("5").tab(1).tab(1).keys("7.50").key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        let job = h.record("job", LoopKind::Instrument);
        assert_eq!(job.values.len(), 2);
        assert_eq!(job.values[1].value, 5.0);
        assert_eq!(job.values[1].at, today());
        assert_eq!(
            job.guardrails[0].values.len(),
            1,
            "an empty field is skipped"
        );
        let other = h.record("other", LoopKind::Improve);
        assert_eq!(
            other.values[1].typed.as_deref(),
            Some("7.50"),
            "kept as typed"
        );
        // One audit event per value, each the event a single baseline writes, at one instant.
        let events = value_events(&h);
        assert_eq!(events.len(), before + 2);
        let new = &events[before..];
        assert_eq!(new[0].at, new[1].at);
        assert!(new.iter().all(|e| e.actor == "tester"));
        assert!(
            new[1]
                .summary
                .contains("recorded baseline 7.50 h for other/improve"),
            "{}",
            new[1].summary
        );
        // Undo takes back the whole form, in one transaction.
        h.keys("u");
        h.shows(&["Undo your last command?", "2 values recorded at once"]);
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        assert!(
            h.record("job", LoopKind::Instrument).values[1]
                .void
                .is_some()
        );
        assert!(
            h.record("other", LoopKind::Improve).values[1]
                .void
                .is_some()
        );
        assert!(
            h.record("job", LoopKind::Instrument).values[0]
                .void
                .is_none()
        );
        let mut s = Store::open(&h.path, Missing::Refuse).unwrap();
        assert!(s.verify().unwrap().problems.is_empty());
    }
}

#[test]
fn the_week_form_refuses_a_bad_value_whole_and_keeps_what_was_typed() {
    let mut h = Harness::new((80, 24), week_jobs);
    let before = h.export();
    // On the board's first job: that job's loops only.
    h.keys("N");
    h.shows(&[
        "This week's values for job",
        "instrument hours",
        "instrument errors",
    ])
    .hides(&["improve defects"]);
    h.key(KeyCode::Esc);
    h.ctrl('n').keys("5").tab(2).keys("4,5").key(KeyCode::Enter);
    assert!(h.app.form.is_some());
    h.shows(&[
        "other/improve defects: `4,5` is not a number",
        "nothing was saved",
    ]);
    assert_eq!(h.export(), before);
    assert_eq!(h.field("value"), "5", "what was typed stays");
    // A refusal from the rules, found as the values are written (the job was archived in
    // another window after the form opened), refuses the values before it too.
    let mut other = Store::open(&h.path, Missing::Refuse).unwrap();
    other
        .apply(
            &ctx(),
            &Intent::ArchiveJob {
                slug: "other".into(),
                archived: true,
            },
        )
        .unwrap();
    let before = h.export();
    h.ctrl('u').keys("6").key(KeyCode::Enter);
    assert!(h.app.form.is_some(), "{}", h.message());
    h.shows(&["other/improve defects: job `other` is archived"]);
    assert_eq!(h.export(), before, "nothing saved, not even job's value");
    // Emptied, the field is skipped and the rest is recorded.
    h.ctrl('u').key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    assert_eq!(h.record("job", LoopKind::Instrument).values.len(), 2);
    // From the weekly review: the week's values of the item's job.
    h.keys("r").keys("N");
    h.shows(&["This week's values for job", "instrument errors"])
        .hides(&["instrument hours"]);
}

/// A baseline the week form would add before a locked plan's intervention changes that plan:
/// refused as `baseline` without `--reason` is, naming the form's reason field, and recorded
/// with the reason (as a deviation) once one is typed.
#[test]
fn the_week_form_takes_a_reason_for_a_baseline_that_changes_a_locked_plan() {
    let day = |n: u64| When::Day(Stamp::now().local_date() - chrono::Days::new(n));
    let mut h = Harness::new((100, 30), |s| {
        add_job(s, "Job", Some("Ana"));
        let i = LoopKind::Instrument;
        for op in [
            lower_metric("hours"),
            LoopOp::value(Phase::Baseline, 9.0, day(30)),
            LoopOp::intervene("new routing", day(20)),
        ] {
            s.apply(&ctx(), &on_loop("job", i, op)).unwrap();
        }
    });
    let before = h.export();
    h.keys("N");
    h.shows(&["reason (a baseline that changes a locked plan)"]);
    // Dated before the intervention: a baseline.
    let date = day(25).date().to_string();
    h.key(KeyCode::BackTab)
        .ctrl('u')
        .keys(&date)
        .tab(1)
        .keys("8");
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_some(), "{}", h.message());
    h.shows(&["say why in the reason"]);
    assert_eq!(h.export(), before, "nothing saved without the reason");
    h.tab(1)
        .keys("found in last month's export")
        .key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Instrument);
    assert_eq!(r.values.len(), 2);
    assert_eq!(r.deviations.len(), 1);
    assert_eq!(r.deviations[0].reason, "found in last month's export");
}

#[test]
fn checking_the_rules_on_demand_always_answers() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", None));
    h.keys("F");
    assert!(
        h.message().contains("no kill rule fired"),
        "{}",
        h.message()
    );
}

#[test]
fn a_closed_week_is_not_offered_again() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", None));
    h.keys("c")
        .keys("y")
        .tab(1)
        .keys("y")
        .tab(1)
        .keys("y")
        .tab(1)
        .keys("y");
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.keys("c");
    assert!(
        h.app.form.is_none(),
        "every cycle is closed: the form does not open"
    );
    assert!(h.message().contains("is closed"), "{}", h.message());
}

#[test]
fn archiving_a_job_takes_its_items_out_of_the_walk() {
    let mut h = Harness::new((120, 40), |s| {
        add_job(s, "Job", None);
        add_job(s, "Other", None);
    });
    h.keys("r");
    let total = match h.app.top() {
        View::Walk(w) => w.items.len(),
        _ => panic!("no walk"),
    };
    h.key(KeyCode::Esc).keys("Z").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.keys("r");
    match h.app.top() {
        View::Walk(w) => assert!(w.items.len() < total),
        _ => panic!("no walk"),
    }
    h.shows(&["(0 resolved)"]);
}

/// Archived jobs are listed in the TUI and one is brought back after a confirmation, with its
/// records: it is on the board again, off the list, and `u` archives it again.
#[test]
fn archived_jobs_are_listed_and_one_is_brought_back() {
    let mut h = Harness::new((100, 30), |s| {
        add_job(s, "Job", Some("Ana"));
        add_job(s, "Other", None);
    });
    h.keys("U");
    h.shows(&["No archived job. Z on the board archives"]);
    h.key(KeyCode::Esc).keys("Z").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.hides(&["job Job"]).keys("U");
    h.shows(&["1 archived job", "> job  Job  archived "]);
    // Enter asks first; Esc leaves it archived.
    h.key(KeyCode::Enter);
    h.shows(&["Bring job back?", "every record it had"]);
    h.key(KeyCode::Esc);
    h.shows(&["1 archived job"]);
    h.key(KeyCode::Enter).key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.shows(&["No archived job."]);
    h.key(KeyCode::Esc);
    h.shows(&["job Job", "other Other"]);
    // Its owner came back with it (the cursor stayed on `other`, now below it).
    h.keys("k");
    h.shows(&["owner Ana"]);
}
