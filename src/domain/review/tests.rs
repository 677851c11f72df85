use super::*;
use crate::domain::intent::LoopOp;
use crate::domain::job::NewJob;
use crate::domain::loop_record::LoopRecord;
use crate::domain::state::{JobState, LoopState};
use crate::domain::time::When;

fn now() -> Stamp {
    Stamp::parse("2026-11-20T12:00:00Z").unwrap()
}

fn ctx() -> Ctx {
    Ctx::local("ana", Stamp::parse("2026-11-02T12:00:00Z").unwrap())
}

fn job(f: impl FnOnce(&mut Vec<LoopRecord>)) -> JobInput {
    let nj = NewJob::create("Triage", None, None, None, &ctx()).unwrap();
    let mut loops = nj.loops;
    f(&mut loops);
    JobInput {
        job: nj.job,
        state: JobState::compute(&[], &[], &[]),
        loops: loops.iter().map(LoopState::compute).collect(),
    }
}

fn apply(r: &mut LoopRecord, op: LoopOp) {
    r.apply(&op, &ctx()).unwrap();
}

#[test]
fn a_fresh_job_is_open_at_understand_and_needs_owners() {
    let r = build(&[job(|_| {})], now(), false);
    let j = &r.jobs[0];
    assert_eq!(j.open_now, Some(LoopKind::Understand));
    assert!(j.questions.values().all(|v| !v));
    assert_eq!(j.loops[0].flags, vec![Flag::NoOwner]);
    assert_eq!(r.totals.no_owner, 6);
    assert!(j.cycle.due && j.cycle.overdue);
    assert_eq!(j.lead.as_deref(), Some("ana"));
}

#[test]
fn a_killed_loop_is_never_open_now() {
    let r = build(
        &[job(|l| {
            apply(&mut l[0], LoopOp::Open);
            apply(
                &mut l[0],
                LoopOp::Retire {
                    reason: "wrong customer".into(),
                },
            );
            apply(&mut l[1], LoopOp::Open);
            apply(&mut l[1], LoopOp::Close { force: true });
        })],
        now(),
        false,
    );
    let j = &r.jobs[0];
    assert_eq!(j.loops[0].status, Status::Killed);
    assert_eq!(j.open_now, Some(LoopKind::Instrument));
    assert!(!j.questions[&LoopKind::Understand]);
    assert!(j.questions[&LoopKind::Redesign]);
    // Finished loops ask nothing of the lead.
    assert!(j.loops[0].flags.is_empty() && j.loops[1].flags.is_empty());
}

#[test]
fn open_loops_name_the_missing_metric_baseline_measurement_and_sign_off() {
    let r = build(
        &[job(|l| {
            apply(&mut l[2], LoopOp::Open);
            apply(&mut l[2], LoopOp::assign_owner("Ana"));
            apply(&mut l[3], LoopOp::metric("x", "h", Better::Lower));
            apply(
                &mut l[3],
                LoopOp::value(
                    Phase::Live,
                    1.0,
                    When::Day(chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()),
                ),
            );
            apply(
                &mut l[3],
                LoopOp::decide("agent closes duplicates", "Chen", None),
            );
            apply(&mut l[4], LoopOp::trip("same mistake twice"));
        })],
        now(),
        false,
    );
    let j = &r.jobs[0];
    assert_eq!(j.loops[2].flags, vec![Flag::NoMetric]);
    assert_eq!(
        j.loops[3].flags,
        vec![
            Flag::NoOwner,
            Flag::NoBaseline,
            Flag::NoMeasurementThisCycle,
            Flag::DecisionPending
        ]
    );
    assert_eq!(j.loops[3].decisions_pending[0].owner, "Chen");
    assert_eq!(
        j.loops[4].flags,
        vec![Flag::KillTripped, Flag::NoOwner, Flag::NoMetric]
    );
    assert_eq!(r.totals.kill_tripped, 1);
    assert_eq!(r.totals.open_loops, 3);
    assert_eq!(r.totals.decisions_pending, 1);
    // A decision without a threshold is a suggested govern kill signal.
    assert_eq!(j.loops[3].suggested_kill_signals.len(), 1);
}

#[test]
fn the_last_compound_test_names_the_next_job_and_says_when_it_is_killed() {
    let mut input = job(|l| {
        apply(&mut l[2], LoopOp::Open);
        apply(
            &mut l[2],
            LoopOp::Retire {
                reason: "stopped".into(),
            },
        );
    });
    let job_id = input.job.id.clone();
    input.state.last_cycle = Some(Cycle {
        id: Id::from_text("c"),
        job_id,
        week: "2026-W46".into(),
        understanding: true,
        explanation: false,
        creation: true,
        distribution: false,
        understanding_note: String::new(),
        explanation_note: String::new(),
        creation_note: String::new(),
        distribution_note: String::new(),
        note: String::new(),
        closed_at: now(),
        closed_by: "ana".into(),
    });
    let r = build(&[input], now(), false);
    let j = &r.jobs[0];
    assert_eq!(j.next_job, Some(LoopKind::Instrument));
    assert_eq!(j.next_job_status, Some(Status::Killed));
    let c = j.last_compound.as_ref().unwrap();
    assert_eq!(c.broken_layer, Some(Layer::Explanation));
    assert!(!c.compounds);
    assert!(j.cycle.due && !j.cycle.overdue);
}

#[test]
fn rules_are_shown_with_what_they_say_today() {
    let r = build(
        &[job(|l| {
            apply(&mut l[2], LoopOp::metric("x", "", Better::Lower));
            apply(
                &mut l[2],
                LoopOp::kill_signal("nobody measures", Some("stale 7 days")),
            );
        })],
        now(),
        false,
    );
    let k = &r.jobs[0].loops[2].kill_signals[1];
    assert_eq!(k.signal.rule.as_deref(), Some("stale 7 days"));
    // The metric was set on 2026-11-02; on 2026-11-20 that is 18 days without a value.
    assert!(k.rule_check.as_ref().unwrap().fires().is_some());
}

#[test]
fn the_overdue_week_is_the_one_before_the_current_across_a_year() {
    let c = CycleReview {
        week: "2026-W01".into(),
        due: true,
        overdue: true,
    };
    assert_eq!(
        c.overdue_week().map(|w| w.to_string()).as_deref(),
        Some("2025-W52")
    );
    let c = CycleReview {
        overdue: false,
        ..c
    };
    assert!(c.overdue_week().is_none());
}
