use super::*;
use crate::domain::{RefusalKind, Remedy};

/// Kill rules, continuing after a trip, notes and what the summary shows.
mod signals;

/// The process chart split at each intervention.
mod chart;

fn now() -> Stamp {
    Stamp::parse("2026-11-20T12:00:00Z").unwrap()
}

fn ctx() -> Ctx {
    Ctx::local("ana", now())
}

fn later(minutes: i64) -> Ctx {
    Ctx::local(
        "ana",
        Stamp::from_utc(now().0 + chrono::Duration::minutes(minutes)),
    )
}

fn day(s: &str) -> When {
    When::Day(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}

fn record(kind: LoopKind) -> LoopRecord {
    let job = Job {
        id: Id::from_text("job1"),
        slug: "support-triage".into(),
        title: "Triage support tickets".into(),
        statement: String::new(),
        canvas: Canvas::default(),
        created_at: now(),
        archived_at: None,
        rev: 1,
        lead: Some("lea".into()),
        since: None,
    };
    LoopRecord::new(&job, kind, None, &ctx())
}

fn metric(better: Better) -> LoopOp {
    LoopOp::metric("time to triage", "h", better)
}

fn with_metric() -> LoopRecord {
    let mut r = record(LoopKind::Instrument);
    r.apply(&metric(Better::Lower), &ctx()).unwrap();
    r
}

fn value(phase: Phase, v: f64, at: &str) -> LoopOp {
    LoopOp::value(phase, v, day(at))
}

fn intervene(at: &str) -> LoopOp {
    LoopOp::intervene("new routing", day(at))
}

fn trip(reason: &str) -> LoopOp {
    LoopOp::trip(reason)
}

#[test]
fn a_new_loop_has_its_checklist_and_canonical_kill_signal() {
    let r = record(LoopKind::Govern);
    assert_eq!(r.lp.status, Status::NotStarted);
    assert_eq!(r.steps.len(), 4);
    assert_eq!(r.steps[0].n, 1);
    assert_eq!(r.kill_signals.len(), 1);
    assert!(r.kill_signals[0].canonical);
    assert_eq!(r.kill_signals[0].state, SignalState::Armed);
}

#[test]
fn values_need_a_metric_and_the_remedy_says_so_without_syntax() {
    let mut r = record(LoopKind::Instrument);
    let err = r
        .apply(&value(Phase::Baseline, 4.0, "2026-11-01"), &ctx())
        .unwrap_err();
    assert_eq!(err.remedy, Some(Remedy::Do(Fix::SetMetric(r.at()))));
    assert!(!err.message.contains("jobloop"), "{err}");
    assert!(!err.message.contains('`') || err.message.contains("support-triage"));
    assert_eq!(r.lp.status, Status::NotStarted);
}

// long: one record of each kind voided in turn, each checked against everything that counts it;
// the order is the point
#[test]
fn voiding_removes_a_record_from_everything_but_keeps_it() {
    let mut r = with_metric();
    r.apply(&value(Phase::Baseline, 4.0, "2026-11-01"), &ctx())
        .unwrap();
    let wrong = r
        .apply(&value(Phase::Baseline, 40.0, "2026-11-02"), &ctx())
        .unwrap();
    let Some(Row::Value(v)) = wrong.appended else {
        panic!()
    };
    let out = r
        .apply(
            &LoopOp::Void {
                record: short_id(&v.id).into(),
                reason: "typo: 4.0".into(),
            },
            &later(1),
        )
        .unwrap();
    assert_eq!(out.updated.len(), 1);
    assert_eq!(r.values.len(), 2, "the record stays");
    assert_eq!(r.baselines().count(), 1);
    let voided = r.values.iter().find(|x| x.id == v.id).unwrap();
    assert_eq!(voided.void.as_ref().unwrap().reason, "typo: 4.0");
    // Twice is a no-op; an unknown id is refused with where to look.
    let again = r
        .apply(
            &LoopOp::Void {
                record: v.id.to_string(),
                reason: "x".into(),
            },
            &ctx(),
        )
        .unwrap();
    assert!(!again.changed);
    let err = r
        .apply(
            &LoopOp::Void {
                record: "zzzzzzzz".into(),
                reason: "x".into(),
            },
            &ctx(),
        )
        .unwrap_err();
    assert_eq!(err.kind, RefusalKind::NotFound);
    // A voided intervention no longer blocks a baseline dated after it; but what its plan
    // locked stays locked, so the baseline is a deviation, with its reason.
    let i = r.apply(&intervene("2026-11-05"), &later(2)).unwrap();
    let Some(Row::Intervention(i)) = i.appended else {
        panic!()
    };
    assert!(
        r.apply(&value(Phase::Baseline, 4.5, "2026-11-06"), &later(3))
            .is_err()
    );
    r.apply(
        &LoopOp::Void {
            record: i.id.to_string(),
            reason: "wrong loop".into(),
        },
        &later(4),
    )
    .unwrap();
    let err = r
        .apply(&value(Phase::Baseline, 4.5, "2026-11-06"), &later(5))
        .unwrap_err();
    assert!(matches!(
        err.remedy,
        Some(Remedy::Do(Fix::GiveReason { .. }))
    ));
    let out = r
        .apply(
            &LoopOp::RecordValue {
                phase: Phase::Baseline,
                value: 4.5,
                at: day("2026-11-06"),
                note: None,
                reason: Some("the pilot never ran".into()),
                guard: None,
                shown: None,
                typed: None,
                source: None,
            },
            &later(5),
        )
        .unwrap();
    assert_eq!(out.deviation.unwrap().intervention_id, i.id);
}

#[test]
fn decisions_are_pending_until_their_owner_signs_off_and_amendments_keep_the_old() {
    let mut r = record(LoopKind::Govern);
    let out = r
        .apply(
            &LoopOp::decide("auto-refund under 50 EUR", "Ben", Some("50 EUR")),
            &ctx(),
        )
        .unwrap();
    let id = r.decisions[0].id.to_string();
    assert_eq!(
        out.next,
        Some(Fix::SignOffAs {
            at: r.at(),
            owner: "Ben".into(),
            decision: Some(short_id(&id).to_string()),
            team: false,
        })
    );
    let approve = LoopOp::Approve {
        decision: short_id(&id).into(),
        witnessed: false,
    };
    let err = r.apply(&approve, &ctx()).unwrap_err();
    assert_eq!(err.kind, RefusalKind::Forbidden);
    // Names are compared exactly: `ben` is not the `Ben` who owns it.
    let err = r.apply(&approve, &Ctx::local("ben", now())).unwrap_err();
    assert_eq!(err.kind, RefusalKind::Forbidden);
    let ben = Ctx::local("Ben", now());
    let out = r.apply(&approve, &ben).unwrap();
    assert_eq!(out.updated.len(), 1);
    assert_eq!(r.decisions[0].approved_by.as_deref(), Some("Ben"));
    assert!(!r.apply(&approve, &ben).unwrap().changed);
    // Amending makes a new version, pending again; the old one stays as it was.
    r.apply(
        &LoopOp::Amend {
            decision: id.clone(),
            owner: None,
            threshold: Some("30 EUR".into()),
        },
        &ctx(),
    )
    .unwrap();
    assert_eq!(r.decisions.len(), 2);
    assert_eq!(r.decisions[0].threshold.as_deref(), Some("50 EUR"));
    let current: Vec<&Decision> = r.current_decisions().collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].threshold.as_deref(), Some("30 EUR"));
    assert!(current[0].approved_at.is_none());
    assert_eq!(
        current[0].supersedes.as_ref().map(DecisionId::as_str),
        Some(id.as_str())
    );
    // The old version can no longer be amended or signed off.
    assert!(r.apply(&approve, &ben).is_err());
}

#[test]
fn a_target_must_point_the_way_of_improvement() {
    let mut r = with_metric();
    let bad = LoopOp::set_target(Some(Target::parse("+20%").unwrap()), None);
    let err = r.apply(&bad, &ctx()).unwrap_err();
    assert!(err.message.contains("worsening"), "{err}");
    let good = LoopOp::set_target(Some(Target::parse("-20%").unwrap()), None);
    r.apply(&good, &ctx()).unwrap();
    assert_eq!(r.metric.as_ref().unwrap().target.unwrap().to_text(), "-20%");
    assert!(!r.apply(&good, &ctx()).unwrap().changed);
}

#[test]
fn in_team_mode_only_the_owner_and_the_lead_record_on_a_loop() {
    let mut r = with_metric();
    r.apply(&LoopOp::assign_owner("Olga"), &ctx()).unwrap();
    let team = |who: &str| Ctx {
        team: true,
        ..Ctx::local(who, now())
    };
    let op = value(Phase::Baseline, 4.0, "2026-11-01");
    let err = r.apply(&op, &team("mallory")).unwrap_err();
    assert_eq!(err.kind, RefusalKind::Forbidden);
    assert!(matches!(err.remedy, Some(Remedy::Do(Fix::AskOwner { .. }))));
    // Names are compared exactly, as the server compares its roles.
    let err = r.apply(&op, &team("olga")).unwrap_err();
    assert_eq!(err.kind, RefusalKind::Forbidden);
    r.apply(&op, &team("Olga")).unwrap();
    r.apply(&op, &team(&r.job.lead.clone().unwrap())).unwrap();
    // Locally anyone records: the file has one user.
    r.apply(&op, &Ctx::local("mallory", now())).unwrap();
}

#[test]
fn non_finite_values_are_refused() {
    let mut r = with_metric();
    assert!(
        r.apply(&value(Phase::Live, f64::NAN, "2026-11-01"), &ctx())
            .is_err()
    );
    assert!(
        r.apply(&value(Phase::Live, f64::INFINITY, "2026-11-01"), &ctx())
            .is_err()
    );
}

#[test]
fn first_activity_opens_the_loop_but_an_owner_does_not() {
    let mut r = record(LoopKind::Understand);
    r.apply(&LoopOp::assign_owner("Ana"), &ctx()).unwrap();
    assert_eq!(r.lp.status, Status::NotStarted);
    r.apply(
        &LoopOp::MarkStep {
            n: 1,
            evidence: Some("interviewed 5 agents".into()),
        },
        &ctx(),
    )
    .unwrap();
    assert_eq!(r.lp.status, Status::Open);
    assert_eq!(r.steps[0].evidence.as_deref(), Some("interviewed 5 agents"));
    r.apply(&LoopOp::UndoStep { n: 1 }, &ctx()).unwrap();
    assert!(r.steps[0].done_at.is_none());
    let err = r
        .apply(
            &LoopOp::MarkStep {
                n: 9,
                evidence: None,
            },
            &ctx(),
        )
        .unwrap_err();
    assert!(matches!(err.remedy, Some(Remedy::Do(Fix::ShowLoop(_)))));
}

#[test]
fn one_primary_metric_and_replacing_is_explicit() {
    let mut r = with_metric();
    let err = r.apply(&metric(Better::Higher), &ctx()).unwrap_err();
    assert!(matches!(
        err.remedy,
        Some(Remedy::Do(Fix::ReplaceMetric(_)))
    ));
    r.apply(&value(Phase::Baseline, 4.0, "2026-11-01"), &ctx())
        .unwrap();
    let out = r
        .apply(
            &LoopOp::SetMetric {
                name: "csat".into(),
                unit: "pts".into(),
                better: Better::Higher,
                measures: Measures::Outcome,
                replace: true,
                target: None,
                reason: None,
                shown: None,
                target_was: None,
            },
            &ctx(),
        )
        .unwrap();
    assert_eq!(r.metric.as_ref().unwrap().name, "csat");
    assert!(r.retired_metric.as_ref().unwrap().replaced_at.is_some());
    assert!(matches!(&out.updated[..], [Row::Metric(m)] if m.replaced_at.is_some()));
    // Baselines belong to a metric: the new one starts without any.
    assert!(r.apply(&intervene("2026-11-10"), &ctx()).is_err());
}

#[test]
fn tripping_waits_for_a_decision() {
    let mut r = with_metric();
    assert!(r.apply(&trip("  "), &ctx()).is_err());
    let out = r
        .apply(
            &LoopOp::Trip {
                n: None,
                reason: "only adoption numbers".into(),
                evidence: Some("deck p.3".into()),
            },
            &ctx(),
        )
        .unwrap();
    assert!(
        !out.summary.contains("jobloop "),
        "no CLI text in the trail"
    );
    assert!(matches!(out.next, Some(Fix::DecideAfterTrip(_))));
    assert!(r.kill_signals[0].awaits_decision());
    assert_eq!(r.lp.status, Status::Open);
    let err = r.apply(&LoopOp::Close { force: true }, &ctx()).unwrap_err();
    assert!(err.message.contains("tripped and undecided"), "{err}");
    assert!(
        r.apply(
            &LoopOp::Trip {
                n: Some(1),
                reason: "again".into(),
                evidence: None
            },
            &ctx()
        )
        .is_err()
    );
    r.apply(
        &LoopOp::Continue {
            reason: "measuring outcomes from next week".into(),
        },
        &ctx(),
    )
    .unwrap();
    assert!(!r.kill_signals[0].awaits_decision());
    assert_eq!(r.kill_signals[0].decision, Some(KillDecision::Continue));
    assert!(
        r.apply(
            &LoopOp::Continue {
                reason: "again".into()
            },
            &ctx()
        )
        .is_err()
    );
    r.apply(
        &LoopOp::Rearm {
            n: 1,
            reason: "fixed the metric".into(),
        },
        &ctx(),
    )
    .unwrap();
    assert_eq!(r.kill_signals[0].state, SignalState::Armed);
}

#[test]
fn retiring_kills_the_loop_and_blocks_further_records() {
    let mut r = with_metric();
    r.apply(&trip("no outcome data"), &ctx()).unwrap();
    r.apply(
        &LoopOp::Retire {
            reason: "not worth it".into(),
        },
        &ctx(),
    )
    .unwrap();
    assert_eq!(r.lp.status, Status::Killed);
    assert_eq!(r.kill_signals[0].decision, Some(KillDecision::Retire));
    let err = r
        .apply(&value(Phase::Live, 1.0, "2026-11-01"), &ctx())
        .unwrap_err();
    assert!(matches!(err.remedy, Some(Remedy::Do(Fix::Reopen(_)))));
    r.apply(&LoopOp::Open, &ctx()).unwrap();
    assert_eq!(r.lp.status, Status::Open);
}

#[test]
fn closing_checks_the_checklist_unless_forced_and_names_what_was_left() {
    let mut r = record(LoopKind::Redesign);
    assert!(r.apply(&LoopOp::Close { force: false }, &ctx()).is_err());
    r.apply(&LoopOp::Open, &ctx()).unwrap();
    let err = r
        .apply(&LoopOp::Close { force: false }, &ctx())
        .unwrap_err();
    assert!(err.message.contains("undone steps (1, 2, 3, 4)"), "{err}");
    r.apply(
        &LoopOp::MarkStep {
            n: 1,
            evidence: None,
        },
        &ctx(),
    )
    .unwrap();
    let out = r.apply(&LoopOp::Close { force: true }, &ctx()).unwrap();
    assert!(
        out.summary.contains("step 2, 3, 4 not done"),
        "{}",
        out.summary
    );
    assert_eq!(r.lp.status, Status::Closed);
}

#[test]
fn archived_jobs_refuse_changes() {
    let mut r = record(LoopKind::Govern);
    r.job.archived_at = Some(now());
    let err = r.apply(&LoopOp::assign_owner("Ana"), &ctx()).unwrap_err();
    assert!(matches!(
        err.remedy,
        Some(Remedy::Do(Fix::Unarchive { .. }))
    ));
}

/// Checklist steps a record satisfies tick in the same command.
mod autotick;
/// The locked plan: what must come before an intervention, and what changes after it are.
mod plans;
