//! The TUI's loop detail and job view on ratatui's TestBackend: what the lead records there
//! (measurements, proof, kill signals, sign-offs, steps, learnings, the workflow) is checked in
//! the store, and read back on the chart, in the log and in the digest; undo takes back the last
//! command.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::harness::{Harness, SIZES, add_job, ctx, measured_job, on_loop, today};
use jobloop::domain::LoopKind;
use jobloop::domain::intent::LoopOp;
use jobloop::domain::model::Phase;
use jobloop::store::{Missing, Store};
use jobloop::tui::views::View;
use ratatui::crossterm::event::KeyCode;

#[test]
fn the_loop_detail_shows_metric_chart_signals_and_activity() {
    for size in SIZES {
        let mut h = Harness::demo(size);
        h.keys("ll").key(KeyCode::Enter);
        h.shows(&["support-triage/instrument", "median time to first answer"]);
        let text = h.scrolled(KeyCode::PageDown, 8);
        for t in [
            "Checklist",
            "baseline 9.25",
            "Kill signals",
            "Learnings",
            "Recent activity",
        ] {
            assert!(text.contains(t), "the loop detail misses {t}");
        }
        h.key(KeyCode::Esc);
        assert!(matches!(h.app.top(), View::Board(_)));
    }
}

#[test]
fn voiding_a_measurement_marks_it_and_takes_it_out_of_the_numbers() {
    let mut h = Harness::new((120, 40), |s| measured_job(s, &[4.0, 5.0, 400.0]));
    h.keys("ll").key(KeyCode::Enter);
    h.shows(&["n=3"]);
    h.keys("V");
    // The newest record first: the 400 typed by mistake.
    h.shows(&["baseline 400"]);
    h.tab(1).keys("typed 400 for 4.00").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.shows(&["VOID", "n=2"]);
    let r = h.record("job", LoopKind::Instrument);
    let voided: Vec<_> = r.values.iter().filter(|v| v.void.is_some()).collect();
    assert_eq!(voided.len(), 1);
    assert_eq!(voided[0].value, 400.0);
    assert_eq!(voided[0].void.as_ref().unwrap().by, "tester");
}

#[test]
fn the_job_view_shows_everything_and_takes_the_job_keys() {
    for size in SIZES {
        let mut h = Harness::demo(size);
        h.keys("J");
        assert!(matches!(h.app.top(), View::Job(_)));
        h.shows(&["Triage support tickets", "When"]);
        let text = h.scrolled(KeyCode::Char('j'), 80);
        for t in [
            "Current workaround",
            "understand",
            "distribute",
            "Cycles",
            "Tools",
            "Proof",
        ] {
            assert!(text.contains(t), "the job view misses {t}");
        }
        h.keys("t").keys("Zendesk AI").key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        h.shows(&["Zendesk AI"]);
    }
}

#[test]
fn proof_is_added_and_tracked_from_the_job_view() {
    let mut h = Harness::new((120, 40), |s| add_job(s, "Job", Some("Ana")));
    h.keys("J")
        .keys("p")
        .keys("Case study: triage")
        .key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.keys("P");
    h.shows(&["Case study: triage"]);
    // proof choice, then the counts: inbound, referral, sales, hiring, feedback
    h.ctrl('u').keys("3").tab(1).ctrl('u').keys("1");
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let mut s = Store::open(&h.path, Missing::Refuse).unwrap();
    let proofs = s.proofs("job").unwrap();
    assert_eq!(proofs.len(), 1);
    let outcome = proofs[0].outcome.unwrap();
    assert_eq!((outcome.replies, outcome.citations), (3, 1));
}

#[test]
fn trip_then_retire_or_continue_and_rearm() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", Some("Ana")));
    h.keys("l")
        .keys("x")
        .keys("the tool came first")
        .key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    assert_eq!(h.totals().kill_tripped, 1);
    assert!(h.message().contains("next: press R"), "{}", h.message());
    h.keys("C").keys("redesigned since").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.keys("A").keys("watch it again").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    assert_eq!(h.totals().kill_tripped, 0);
}

#[test]
fn decisions_are_signed_off_by_their_owner_only() {
    let mut h = Harness::new((120, 40), |s| add_job(s, "Job", Some("Ana")));
    h.keys("lll")
        .keys("d")
        .keys("Agents may refund up to 50 EUR")
        .tab(1);
    h.keys("Emil").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    assert_eq!(h.totals().decisions_pending, 1);
    // In team mode only Emil signs.
    h.app.team = true;
    h.keys("Y");
    h.shows(&["Emil"]);
    assert!(h.app.form.is_none(), "only Emil can sign it off");
    h.app.team = false;
    // Emil signs his own.
    h.app.actor = Some("Emil".into());
    h.keys("Y").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    assert_eq!(h.totals().decisions_pending, 0);
}

#[test]
fn on_a_local_file_the_lead_records_a_sign_off_witnessed_with_its_threshold() {
    let mut h = Harness::new((120, 40), |s| add_job(s, "Job", Some("Ana")));
    h.keys("lll").keys("d").keys("Agents may refund").tab(1);
    h.keys("Emil")
        .tab(1)
        .keys("up to 50 EUR")
        .key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.app.actor = Some("Ana".into());
    h.keys("Y");
    h.shows(&[
        "Record a sign-off you witnessed",
        "owner: Emil — threshold: up to 50 EUR",
        "mark it witnessed by",
    ]);
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    assert_eq!(h.totals().decisions_pending, 0);
    let d = h.record("job", LoopKind::Govern).decisions[0].clone();
    assert_eq!(d.approved_by.as_deref(), Some("Emil"));
    assert_eq!(d.witnessed_by.as_deref(), Some("Ana"));
    let mut store = Store::open(&h.path, Missing::Refuse).unwrap();
    let log = store.log(None, None, 5).unwrap();
    assert_eq!(log[0].command, "decide witness");
}

#[test]
fn checklist_steps_notes_and_closing_a_loop() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", Some("Ana")));
    for _ in 0..3 {
        h.keys("s").keys("interviews").key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
    }
    h.keys("-").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.keys("+")
        .keys("Read the last 50 tickets")
        .key(KeyCode::Enter);
    h.keys("n")
        .keys("line one")
        .key(KeyCode::Enter)
        .keys("line two")
        .ctrl('s');
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Understand);
    assert_eq!(r.lp.notes, "line one\nline two");
    assert_eq!(r.steps.len(), 5);
    h.keys("S");
    h.shows(&["not done", "close anyway"]);
    h.key(KeyCode::Enter);
    assert!(
        h.app.form.is_some(),
        "closing with undone steps needs an answer"
    );
    h.keys("y").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Understand);
    assert_eq!(r.lp.status, jobloop::domain::model::Status::Closed);
    h.keys("O").key(KeyCode::Enter);
    let r = h.record("job", LoopKind::Understand);
    assert_eq!(r.lp.status, jobloop::domain::model::Status::Open);
}

#[test]
fn a_learning_is_captured_with_its_type() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", None));
    h.keys("g")
        .keys("Customers read the first line only")
        .tab(1)
        .key(KeyCode::Right);
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Understand);
    assert_eq!(r.learnings.len(), 1);
    assert_eq!(r.learnings[0].text, "Customers read the first line only");
}

#[test]
fn undo_asks_then_takes_back_the_last_command() {
    let mut h = Harness::new((80, 24), |s| measured_job(s, &[]));
    h.keys("ll").keys("b").keys("7").key(KeyCode::Enter);
    h.keys("u");
    h.shows(&["Undo your last command?", "baseline 7"]);
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Instrument);
    assert!(
        r.values[0].void.is_some(),
        "undo voids the value, which stays"
    );
}

#[test]
fn the_log_opens_an_event_in_full() {
    let mut h = Harness::demo((120, 40));
    h.keys("L");
    h.shows(&["cycle close"]);
    h.key(KeyCode::Enter);
    h.shows(&["before", "after", "hash"]);
    h.key(KeyCode::Esc).keys("/tripped").key(KeyCode::Enter);
    h.shows(&["tripped"]);
}

#[test]
fn the_digest_is_written_and_never_overwritten_without_asking() {
    let mut h = Harness::demo((80, 24));
    h.keys("W");
    let week = h.app.loaded.as_ref().unwrap().review.week.clone();
    let file = h.dir.path().join(format!("jobloop-digest-{week}.md"));
    let first = std::fs::read_to_string(&file).unwrap();
    assert!(first.contains("Weekly review"), "{first}");
    std::fs::write(&file, "my own notes").unwrap();
    h.keys("W");
    h.shows(&["Replace the digest?"]);
    h.key(KeyCode::Esc);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "my own notes");
    h.keys("W").key(KeyCode::Enter);
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("Weekly review")
    );
}

#[test]
fn the_digest_refuses_to_write_over_the_database() {
    let mut h = Harness::demo((80, 24));
    let week = h.app.loaded.as_ref().unwrap().review.week.clone();
    let link = h.dir.path().join(format!("jobloop-digest-{week}.md"));
    std::os::unix::fs::symlink(&h.path, &link).unwrap();
    let before = std::fs::read(&h.path).unwrap();
    h.keys("W");
    if h.app.form.is_some() {
        h.key(KeyCode::Enter);
    }
    assert!(h.message().contains("database"), "{}", h.message());
    assert_eq!(std::fs::read(&h.path).unwrap(), before);
}

#[test]
fn a_chart_of_values_near_the_largest_number_is_drawn() {
    let mut h = Harness::new((120, 40), |s| {
        measured_job(s, &[5.0, 6.0]);
        s.apply(
            &ctx(),
            &on_loop("job", LoopKind::Instrument, LoopOp::intervene("x", today())),
        )
        .unwrap();
        for v in [1e307, -1.7e308, 1e-300] {
            s.apply(
                &ctx(),
                &on_loop(
                    "job",
                    LoopKind::Instrument,
                    LoopOp::value(Phase::Live, v, today()),
                ),
            )
            .unwrap();
        }
    });
    h.keys("ll").key(KeyCode::Enter);
    h.shows(&["drawn ÷"]);
}

/// The redesigned workflow is edited from the job view: add steps, govern one, record a critic's
/// result and an incident, remove a step; each is the same record as its command.
#[test]
fn the_job_view_edits_the_workflow_with_forms() {
    for size in SIZES {
        let mut h = Harness::new(size, |s| add_job(s, "Job", Some("Ana")));
        h.keys("J");
        assert!(matches!(h.app.top(), View::Job(_)));
        // No step yet: the forms that need one say so.
        h.keys("G");
        assert!(h.app.form.is_none());
        assert!(h.message().contains("no step yet"), "{}", h.message());
        h.keys("w").keys("Read ticket");
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        // An agent step after it, handling personal data.
        h.keys("w").keys("Draft reply");
        h.tab(4).keys("personal");
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        let flow = h.record("job", LoopKind::Redesign).flow;
        let names: Vec<&str> = flow.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Read ticket", "Draft reply"], "{size:?}");
        // Govern the second: choose it, name an owner and a critic.
        h.keys("G")
            .key(KeyCode::Right)
            .tab(1)
            .keys("Ana")
            .tab(2)
            .keys("tone check");
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        h.keys("H").tab(1).key(KeyCode::Right);
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        h.keys("I")
            .keys("Wrong refund promised")
            .tab(1)
            .key(KeyCode::Right);
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        let govern = h.record("job", LoopKind::Govern).flow;
        assert_eq!(govern.critic_results.len(), 1, "{size:?}");
        assert_eq!(h.record("job", LoopKind::Improve).flow.incidents.len(), 1);
        let text = h.scrolled(KeyCode::Char('j'), 60);
        assert!(
            text.contains("Draft reply") && text.contains("tone check"),
            "{text}"
        );
        // The first step is followed by the second: removing it is refused, the form stays.
        h.keys("v").tab(1).keys("merged into intake");
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_some(), "{size:?}");
        h.key(KeyCode::Esc).keys("y");
        assert!(h.app.form.is_none(), "{size:?}");
        // The second is followed by nothing but governed: removing it is refused until its
        // governance is voided (it ticks the govern checklist), the form stays and says so.
        h.keys("v")
            .key(KeyCode::Right)
            .tab(1)
            .keys("the agent is gone");
        h.key(KeyCode::Enter);
        let error = h.app.form.as_ref().and_then(|f| f.error.clone());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("is governed by")),
            "{size:?}: {error:?}"
        );
        h.key(KeyCode::Esc).keys("y");
        let steps = h.record("job", LoopKind::Redesign).flow.steps;
        assert!(steps.iter().all(|s| s.void.is_none()), "{size:?}");
    }
}

#[test]
fn the_logs_event_diffs_number_kill_signals_from_one() {
    let mut h = Harness::demo((120, 40));
    h.keys("L").keys("/kill trip").key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    let screen = h.screen();
    // The newest trip changed the first signal of its loop, stored at position 0.
    assert!(screen.contains("\"signal 1\": {"), "{screen}");
    assert!(!screen.contains("\"0\": {"), "{screen}");
}

/// A workflow form acts on the step it picked, never on whichever step bears that name when it
/// is saved: renamed by a teammate meanwhile (and another step given its old name), the picked
/// step is the one removed. A step whose name holds a comma, prefilled as what a new step
/// follows, is that one step.
#[test]
fn a_workflow_form_acts_on_the_step_it_picked() {
    use jobloop::domain::flow::{StepEdit, StepSpec};
    use jobloop::domain::model::{HumanGate, Performer, StepKind};
    let mut h = Harness::new((120, 40), |s| add_job(s, "Job", Some("Ana")));
    h.keys("J");
    for name in ["Read ticket", "Check, then pay"] {
        h.keys("w").keys(name).key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
    }
    // The comma step was added after the first as one step (the prefilled default).
    let flow = h.record("job", LoopKind::Redesign).flow;
    assert_eq!(flow.steps[1].after, [flow.steps[0].id.to_string()]);
    // A third step after it, with the prefill: it follows the comma step, not two others.
    h.keys("w").keys("Log it").key(KeyCode::Enter);
    let flow = h.record("job", LoopKind::Redesign).flow;
    assert_eq!(
        flow.steps[2].after,
        [flow.steps[1].id.to_string()],
        "{}",
        h.message()
    );
    // Ana picks "Log it" to remove; meanwhile it is renamed and a new gate takes its name.
    h.keys("v")
        .key(KeyCode::Right)
        .key(KeyCode::Right)
        .tab(1)
        .keys("merged");
    let picked = flow.steps[2].id.clone();
    {
        let mut other = Store::open(&h.path, Missing::Refuse).unwrap();
        let redesign = |op| on_loop("job", LoopKind::Redesign, op);
        other
            .apply(
                &ctx(),
                &redesign(LoopOp::FlowSet {
                    step: "Log it".into(),
                    edit: StepEdit {
                        name: Some("Audit log".into()),
                        ..Default::default()
                    },
                }),
            )
            .unwrap();
        other
            .apply(
                &ctx(),
                &redesign(LoopOp::FlowAdd {
                    name: "Log it".into(),
                    step: StepSpec {
                        kind: StepKind::Decision,
                        by: Performer::Human,
                        role: None,
                        gate: Some(HumanGate::Liability),
                        after: vec!["Read ticket".into()],
                        data: Vec::new(),
                        irreversible: false,
                    },
                    at: today(),
                }),
            )
            .unwrap();
    }
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let steps = h.record("job", LoopKind::Redesign).flow.steps;
    let removed: Vec<&str> = steps
        .iter()
        .filter(|s| s.void.is_some())
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(removed, ["Audit log"]);
    assert!(steps.iter().any(|s| s.id == picked && s.void.is_some()));
    assert!(steps.iter().any(|s| s.name == "Log it" && s.void.is_none()));
}
