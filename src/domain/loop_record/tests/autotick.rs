use super::*;

fn step(r: &LoopRecord, n: i64) -> &Step {
    r.steps.iter().find(|s| s.n == n).unwrap()
}

#[test]
fn a_metric_and_a_first_baseline_tick_their_steps_in_the_same_command() {
    let mut r = record(LoopKind::Instrument);
    let out = r.apply(&metric(Better::Lower), &ctx()).unwrap();
    assert!(
        out.summary.contains("checklist step 1 done"),
        "{}",
        out.summary
    );
    let s = step(&r, 1);
    assert_eq!(s.done_by.as_deref(), Some("ana"));
    let metric_id = r.metric.as_ref().unwrap().id.clone();
    assert_eq!(
        s.evidence.as_deref(),
        Some(
            format!(
                "primary metric “time to triage” set (record {})",
                crate::domain::model::short_id(&metric_id)
            )
            .as_str()
        )
    );
    assert!(step(&r, 2).done_at.is_none());
    let out = r
        .apply(&value(Phase::Baseline, 4.0, "2026-11-01"), &later(1))
        .unwrap();
    assert!(
        out.summary.contains("checklist step 2 done"),
        "{}",
        out.summary
    );
    assert!(
        step(&r, 2)
            .evidence
            .as_deref()
            .unwrap()
            .starts_with("baseline value 4 of 2026-11-01")
    );
    // A second baseline ticks nothing more; steps 3 and 4 are the lead's to judge.
    let out = r
        .apply(&value(Phase::Baseline, 5.0, "2026-11-02"), &later(2))
        .unwrap();
    assert!(!out.summary.contains("checklist"), "{}", out.summary);
    assert!(step(&r, 3).done_at.is_none() && step(&r, 4).done_at.is_none());
}

#[test]
fn an_untick_sticks_while_the_record_stays() {
    let mut r = with_metric();
    r.apply(&value(Phase::Baseline, 4.0, "2026-11-01"), &later(1))
        .unwrap();
    r.apply(&LoopOp::UndoStep { n: 2 }, &later(2)).unwrap();
    r.apply(&value(Phase::Baseline, 5.0, "2026-11-02"), &later(3))
        .unwrap();
    assert!(
        step(&r, 2).done_at.is_none(),
        "a later record does not re-tick"
    );
}

#[test]
fn voiding_the_only_record_unticks_its_step_and_a_persons_tick_stays_theirs() {
    let mut r = with_metric();
    r.apply(&value(Phase::Baseline, 4.0, "2026-11-01"), &later(1))
        .unwrap();
    let id = r.values[0].id.clone();
    let out = r
        .apply(
            &LoopOp::Void {
                record: id.to_string(),
                reason: "typo".into(),
            },
            &later(2),
        )
        .unwrap();
    assert!(
        out.summary.contains("checklist step 2 no longer done"),
        "{}",
        out.summary
    );
    assert!(step(&r, 2).done_at.is_none());
    // A new baseline is a new first record: it ticks again.
    r.apply(&value(Phase::Baseline, 6.0, "2026-11-03"), &later(3))
        .unwrap();
    assert!(step(&r, 2).done_at.is_some());
    // Ticked by hand with the person's own evidence, a void leaves it.
    r.apply(&LoopOp::UndoStep { n: 2 }, &later(4)).unwrap();
    r.apply(
        &LoopOp::MarkStep {
            n: 2,
            evidence: Some("the helpdesk export of October".into()),
        },
        &later(5),
    )
    .unwrap();
    let live = r
        .values
        .iter()
        .find(|v| v.void.is_none())
        .unwrap()
        .id
        .to_string();
    r.apply(
        &LoopOp::Void {
            record: live,
            reason: "typo".into(),
        },
        &later(6),
    )
    .unwrap();
    assert_eq!(
        step(&r, 2).evidence.as_deref(),
        Some("the helpdesk export of October")
    );
}

#[test]
fn an_owned_decision_with_a_threshold_ticks_the_govern_steps_and_custom_steps_never_tick() {
    let mut r = record(LoopKind::Govern);
    r.apply(
        &LoopOp::AddStep {
            text: "Name the human owner of each irreversible decision".into(),
        },
        &ctx(),
    )
    .unwrap();
    let out = r
        .apply(
            &LoopOp::decide("auto-refund under 50 EUR", "Ben", Some("50 EUR")),
            &later(1),
        )
        .unwrap();
    assert!(
        out.summary
            .contains("checklist step 2 done, checklist step 4 done"),
        "{}",
        out.summary
    );
    assert!(
        step(&r, 4)
            .evidence
            .as_deref()
            .unwrap()
            .starts_with("decision owned by Ben recorded")
    );
    assert!(step(&r, 5).done_at.is_none(), "a custom step is the lead's");
    assert!(step(&r, 1).done_at.is_none() && step(&r, 3).done_at.is_none());
    // The same decision on another loop ticks nothing: the rule is the govern loop's.
    let mut other = record(LoopKind::Understand);
    other
        .apply(&LoopOp::decide("stop the pilot", "Ben", None), &ctx())
        .unwrap();
    assert!(other.steps.iter().all(|s| s.done_at.is_none()));
}

#[test]
fn voiding_the_named_record_while_another_proves_the_step_names_that_one() {
    let mut r = with_metric();
    r.apply(&value(Phase::Baseline, 12.0, "2026-11-01"), &later(1))
        .unwrap();
    r.apply(&value(Phase::Baseline, 13.0, "2026-11-02"), &later(2))
        .unwrap();
    let (first, second) = (r.values[0].id.clone(), r.values[1].id.clone());
    let out = r
        .apply(
            &LoopOp::Void {
                record: first.to_string(),
                reason: "typo".into(),
            },
            &later(3),
        )
        .unwrap();
    assert!(
        out.summary.contains("evidence now names"),
        "{}",
        out.summary
    );
    let s = step(&r, 2);
    assert!(s.done_at.is_some());
    let e = s.evidence.as_deref().unwrap();
    assert!(e.starts_with("baseline value 13 of 2026-11-02"), "{e}");
    assert!(
        e.ends_with(&format!(
            "(record {})",
            crate::domain::model::short_id(&second)
        )),
        "{e}"
    );
}
