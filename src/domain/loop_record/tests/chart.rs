//! The process chart split at each intervention.

use super::*;
use crate::domain::state::LoopState;

/// Baseline 10, 12, 11, 13; a live value before any intervention (it belongs to the baseline
/// phase and moves none of its limits); then two interventions, each beginning a phase whose
/// limits come from its own live values.
#[test]
fn the_chart_is_split_at_each_intervention() {
    let mut r = with_metric();
    let mut minute = 0;
    let mut add = |r: &mut LoopRecord, op: LoopOp| {
        minute += 1;
        r.apply(&op, &later(minute)).unwrap();
    };
    for (v, at) in [
        (10.0, "2026-09-01"),
        (12.0, "2026-09-08"),
        (11.0, "2026-09-15"),
        (13.0, "2026-09-22"),
    ] {
        add(&mut r, value(Phase::Baseline, v, at));
    }
    add(&mut r, value(Phase::Live, 40.0, "2026-09-25"));
    add(&mut r, intervene("2026-10-01"));
    for (v, at) in [
        (9.0, "2026-10-01"),
        (9.5, "2026-10-02"),
        (8.0, "2026-10-05"),
    ] {
        add(&mut r, value(Phase::Live, v, at));
    }
    add(&mut r, intervene("2026-10-10"));
    for (v, at) in [(7.0, "2026-10-11"), (7.5, "2026-10-12")] {
        add(&mut r, value(Phase::Live, v, at));
    }
    let p = LoopState::compute(&r).process.expect("a chart");
    // Today's fields keep their meaning: the baseline phase's limits.
    assert_eq!(p.center, 11.5);
    assert_eq!(p.baseline_n, 4);
    let summary: Vec<_> = p.phases.iter().map(|f| (f.from, f.n, f.center)).collect();
    assert_eq!(
        summary,
        vec![
            (None, 4, Some(11.5)),
            (Some(day("2026-10-01")), 3, Some(26.5 / 3.0)),
            (Some(day("2026-10-10")), 2, Some(7.25)),
        ]
    );
    let last = &p.phases[2];
    // 7.25 ± 2.66 × 0.5, from the phase's own values, a first guess.
    assert_eq!(
        (last.lower_limit, last.upper_limit),
        (Some(5.92), Some(8.58))
    );
    assert!(p.phases.iter().all(|f| f.provisional));
    // A phase with one value has no limits of its own yet.
    add(&mut r, intervene("2026-10-20"));
    add(&mut r, value(Phase::Live, 6.0, "2026-10-21"));
    let p = LoopState::compute(&r).process.expect("a chart");
    assert_eq!(p.phases.len(), 4);
    assert_eq!((p.phases[3].n, p.phases[3].center), (1, None));
}
