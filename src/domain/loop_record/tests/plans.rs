use super::*;

#[test]
fn intervention_needs_every_baseline_before_it() {
    let mut r = with_metric();
    let err = r.apply(&intervene("2026-11-10"), &ctx()).unwrap_err();
    assert!(matches!(
        err.remedy,
        Some(Remedy::Do(Fix::RecordBaseline { before: None, .. }))
    ));
    r.apply(&value(Phase::Baseline, 4.0, "2026-11-01"), &ctx())
        .unwrap();
    r.apply(&value(Phase::Baseline, 5.0, "2026-11-10"), &ctx())
        .unwrap();
    // An intervention dated before an existing baseline would make that baseline "before"
    // a change it followed: refused, naming the last baseline's date.
    let err = r.apply(&intervene("2026-11-05"), &later(1)).unwrap_err();
    assert!(
        matches!(&err.remedy, Some(Remedy::Do(Fix::InterveneAfter { after, .. })) if after.to_string() == "2026-11-10"),
        "{err:?}"
    );
    // On the same day, after the baseline was entered: the order of entry decides.
    let out = r.apply(&intervene("2026-11-10"), &later(2)).unwrap();
    assert!(matches!(out.appended, Some(Row::Intervention(_))));
}

#[test]
fn baselines_after_an_intervention_are_refused() {
    let mut r = with_metric();
    r.apply(&value(Phase::Baseline, 4.0, "2026-11-01"), &ctx())
        .unwrap();
    r.apply(&intervene("2026-11-05"), &later(1)).unwrap();
    let err = r
        .apply(&value(Phase::Baseline, 4.0, "2026-11-06"), &later(2))
        .unwrap_err();
    assert!(
        matches!(&err.remedy, Some(Remedy::Do(Fix::RecordBaseline { before: Some(d), .. })) if d.to_string() == "2026-11-05")
    );
    // The same day as the intervention, entered after it: after it.
    assert!(
        r.apply(&value(Phase::Baseline, 4.0, "2026-11-05"), &later(3))
            .is_err()
    );
    // Dated before it, but added after the plan was locked: a deviation, with its reason.
    let err = r
        .apply(&value(Phase::Baseline, 4.0, "2026-10-30"), &later(4))
        .unwrap_err();
    assert!(matches!(
        err.remedy,
        Some(Remedy::Do(Fix::GiveReason { .. }))
    ));
    let out = r
        .apply(
            &LoopOp::RecordValue {
                phase: Phase::Baseline,
                value: 4.0,
                at: day("2026-10-30"),
                note: None,
                reason: Some("found in last month's export".into()),
                guard: None,
                shown: None,
                typed: None,
                source: None,
            },
            &later(4),
        )
        .unwrap();
    let d = out.deviation.expect("a deviation");
    assert_eq!(d.what, DeviationKind::BaselineAdded);
    assert_eq!(d.reason, "found in last month's export");
    assert!(
        r.apply(&value(Phase::Live, 3.0, "2026-11-06"), &later(5))
            .is_ok()
    );
}

// long: one locked plan changed in each way it can be, in turn; each change is checked against
// the deviations the ones before left
/// The plan is locked by the intervention: a switched metric, a changed target or horizon, a
/// new kill rule or a voided baseline each needs a reason and is kept as a deviation; the
/// verdict stays the locked plan's, and a replaced metric keeps its comparison.
#[test]
fn changes_after_the_lock_are_deviations_never_erasures() {
    let mut r = with_metric();
    for (i, v) in [10.0, 11.0, 10.5, 9.5, 10.0, 10.2].iter().enumerate() {
        r.apply(
            &value(Phase::Baseline, *v, &format!("2026-10-0{}", i + 1)),
            &ctx(),
        )
        .unwrap();
    }
    let out = r
        .apply(
            &LoopOp::Intervene(InterventionSpec {
                horizon: Some(8),
                ..InterventionSpec::new("new macro", day("2026-10-10"))
            }),
            &later(1),
        )
        .unwrap();
    let Some(Row::Intervention(i)) = &out.appended else {
        panic!("no intervention")
    };
    let plan = crate::domain::plan::of(i).expect("a plan");
    assert_eq!((plan.version, plan.baseline.len(), plan.horizon), (1, 6, 8));
    assert_eq!(plan.horizon_from, crate::domain::stats::HorizonFrom::Typed);
    for (k, v) in [7.0, 7.5, 6.8, 7.2].iter().enumerate() {
        r.apply(
            &value(Phase::Live, *v, &format!("2026-10-1{}", k + 1)),
            &later(2 + k as i64),
        )
        .unwrap();
    }
    let before = crate::domain::state::LoopState::compute(&r);
    // Each change needs a reason and changes nothing without one.
    let changes: Vec<LoopOp> = vec![
        LoopOp::set_target(
            Some(crate::domain::stats::Target::parse("-10%").unwrap()),
            None,
        ),
        LoopOp::SetHorizon {
            horizon: 20,
            reason: None,
        },
        LoopOp::kill_signal("slides back", Some("above 12")),
        LoopOp::SetMetric {
            name: "other".into(),
            unit: String::new(),
            better: Better::Lower,
            measures: Measures::Outcome,
            replace: true,
            target: None,
            reason: Some("   ".into()),
            shown: None,
            target_was: None,
        },
    ];
    for op in &changes {
        let copy = r.clone();
        let err = r.apply(op, &later(10)).unwrap_err();
        assert!(
            matches!(err.remedy, Some(Remedy::Do(Fix::GiveReason { .. }))),
            "{op:?}: {err}"
        );
        assert_eq!(r, copy, "{op:?} changed the record");
    }
    let err = r
        .apply(
            &LoopOp::Void {
                record: plan.baseline[0].id.to_string(),
                reason: "typo".into(),
            },
            &later(11),
        )
        .map(|o| o.deviation.map(|d| d.what));
    assert_eq!(err, Ok(Some(DeviationKind::BaselineVoided)));
    let out = r
        .apply(
            &LoopOp::set_target(
                Some(crate::domain::stats::Target::parse("-10%").unwrap()),
                Some("the board asked for less".into()),
            ),
            &later(12),
        )
        .unwrap();
    assert_eq!(out.deviation.unwrap().what, DeviationKind::TargetChanged);
    let after = crate::domain::state::LoopState::compute(&r);
    // The verdict is the locked plan's (its 6 baseline values, no target); the amended plan's
    // result is beside it.
    assert_eq!(after.comparison, before.comparison);
    let amended = after.amended.as_ref().expect("an amended result");
    assert_eq!(amended.baseline_n, 5);
    let p = after.plan.as_ref().unwrap();
    assert_eq!(p.deviations.len(), 2);
    assert_eq!(p.deviations[1].reason, "the board asked for less");
    // A replaced metric keeps its plan, its deviations and its last comparison.
    let out = r
        .apply(
            &LoopOp::SetMetric {
                name: "other".into(),
                unit: String::new(),
                better: Better::Lower,
                measures: Measures::Outcome,
                replace: true,
                target: None,
                reason: Some("the old one was gamed".into()),
                shown: None,
                target_was: None,
            },
            &later(13),
        )
        .unwrap();
    assert_eq!(out.deviation.unwrap().what, DeviationKind::MetricReplaced);
    let replaced = crate::domain::state::LoopState::compute(&r);
    assert!(replaced.plan.is_none() && replaced.comparison.is_none());
    let old = &replaced.superseded_metrics[0];
    assert_eq!(old.comparison, before.comparison);
    assert_eq!(old.live_n, 4);
    assert_eq!(old.plan.as_ref().unwrap().deviations.len(), 3);
}
