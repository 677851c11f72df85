//! A job's records as they stood at the end of a past day: what `report --week` shows. Records
//! are kept by the day they are *about* (a value's date, an intervention's, a decision's or a
//! learning's `--at`, else the day it was recorded), so history backfilled later still counts
//! for the weeks it is about; a void, a sign-off, a trip or a decision on a kill signal, a step
//! done and a proof's outcome made after that day are taken back. A loop's status and owner have
//! no date of their own on the record (only in the audit trail): they stay today's, and the
//! report says so.

use chrono::NaiveDate;

use super::loop_record::LoopRecord;
use super::model::*;
use super::time::{Stamp, Week};

/// Whether a job whose history begins in `history_start` (`job::history_start`) is on a report,
/// digest or review of `week`: not when its history begins after that week.
pub fn began_by(history_start: Week, week: Week) -> bool {
    history_start <= week
}

fn by(at: Stamp, end: NaiveDate) -> bool {
    at.local_date() <= end
}

/// A void made after `end` is not yet made.
fn void_by(v: &Option<Void>, end: NaiveDate) -> Option<Void> {
    v.clone().filter(|v| by(v.at, end))
}

/// `r` as it stood at the end of `end`.
pub fn loop_record(r: &LoopRecord, end: NaiveDate) -> LoopRecord {
    let mut r = r.clone();
    let values = |vs: &mut Vec<Value>| {
        vs.retain(|v| v.at.date() <= end);
        for v in vs.iter_mut() {
            v.void = void_by(&v.void, end);
        }
    };
    values(&mut r.values);
    r.interventions.retain(|i| i.at.date() <= end);
    for i in &mut r.interventions {
        i.void = void_by(&i.void, end);
    }
    r.decisions.retain(|d| d.when().date() <= end);
    for d in &mut r.decisions {
        d.void = void_by(&d.void, end);
        if d.approved_at.is_some_and(|a| !by(a, end)) {
            d.approved_at = None;
            d.approved_by = None;
        }
    }
    r.learnings.retain(|l| l.when().date() <= end);
    for l in &mut r.learnings {
        l.void = void_by(&l.void, end);
    }
    r.deviations.retain(|d| by(d.at, end));
    for g in r.guardrails.iter_mut().chain(&mut r.removed_guardrails) {
        values(&mut g.values);
    }
    for s in &mut r.superseded {
        values(&mut s.values);
        s.interventions.retain(|i| i.at.date() <= end);
    }
    r.kill_signals.retain(|k| by(k.created_at, end));
    for k in &mut r.kill_signals {
        if k.decided_at.is_some_and(|a| !by(a, end)) {
            k.decision = None;
            k.decision_reason = None;
            k.decided_by = None;
            k.decided_at = None;
        }
        if k.changed_at.is_some_and(|a| !by(a, end)) {
            // Tripped (or armed again) after the day: as it was before, armed.
            k.state = SignalState::Armed;
            k.reason = None;
            k.evidence = None;
            k.changed_by = None;
            k.changed_at = None;
            k.decision = None;
            k.decision_reason = None;
        }
    }
    for s in &mut r.steps {
        if s.done_at.is_some_and(|a| !by(a, end)) {
            s.done_at = None;
            s.done_by = None;
            s.evidence = None;
        }
    }
    r
}

/// The compound tests answered for weeks up to `week` and by its end.
pub fn cycles(cycles: &[Cycle], week: Week, end: NaiveDate) -> Vec<Cycle> {
    cycles
        .iter()
        .filter(|c| Week::parse(&c.week).is_ok_and(|w| w <= week) && by(c.closed_at, end))
        .cloned()
        .collect()
}

pub fn tools(tools: &[Tool], end: NaiveDate) -> Vec<Tool> {
    tools
        .iter()
        .filter(|t| t.at.date() <= end)
        .map(|t| Tool {
            void: void_by(&t.void, end),
            ..t.clone()
        })
        .collect()
}

/// Proofs published by `end`, with what they had brought back by then.
pub fn proofs(proofs: &[Proof], end: NaiveDate) -> Vec<Proof> {
    proofs
        .iter()
        .filter(|p| p.at.date() <= end)
        .cloned()
        .map(|mut p| {
            if p.outcome_at.is_some_and(|a| !by(a, end)) {
                p.outcome = None;
                p.outcome_at = None;
            }
            p
        })
        .collect()
}

/// The last day of `week` (its Sunday).
pub fn last_day(week: Week) -> NaiveDate {
    week.monday()
        .checked_add_days(chrono::Days::new(6))
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::intent::LoopOp;
    use crate::domain::kind::LoopKind;
    use crate::domain::model::Ctx;
    use crate::domain::time::When;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn value(phase: Phase, v: f64, at: &str) -> LoopOp {
        LoopOp::value(phase, v, When::Day(day(at)))
    }

    #[test]
    fn a_past_day_keeps_what_was_dated_by_then_and_takes_back_later_voids_and_trips() {
        let ctx = Ctx::local("ana", Stamp::parse("2026-11-20T12:00:00Z").unwrap());
        let job = Job {
            id: Id::from_text("job1"),
            slug: "triage".into(),
            title: "Triage".into(),
            statement: String::new(),
            canvas: Canvas::default(),
            created_at: ctx.now,
            archived_at: None,
            rev: 1,
            lead: None,
            since: None,
        };
        let mut r = LoopRecord::new(&job, LoopKind::Instrument, None, &ctx);
        let ops = [
            LoopOp::metric("time", "h", Better::Lower),
            value(Phase::Baseline, 10.0, "2026-11-02"),
            value(Phase::Baseline, 11.0, "2026-11-04"),
            LoopOp::intervene("routing", When::Day(day("2026-11-09"))),
            value(Phase::Live, 7.0, "2026-11-12"),
            value(Phase::Live, 6.0, "2026-11-16"),
            LoopOp::trip("adoption only"),
        ];
        for op in &ops {
            r.apply(op, &ctx).unwrap();
        }
        let first_live = r.live().next().unwrap().id.to_string();
        r.apply(
            &LoopOp::Void {
                record: first_live,
                reason: "typo".into(),
            },
            &ctx,
        )
        .unwrap();

        let then = loop_record(&r, day("2026-11-13"));
        assert_eq!(then.baselines().count(), 2);
        assert_eq!(then.active_interventions().count(), 1);
        // The value voided on the 20th was in force on the 13th; the one of the 16th not yet.
        assert_eq!(then.live().map(|v| v.value).collect::<Vec<_>>(), [7.0]);
        assert!(
            then.kill_signals
                .iter()
                .all(|k| k.state == SignalState::Armed)
        );

        let before = loop_record(&r, day("2026-11-03"));
        assert_eq!(before.values.len(), 1);
        assert!(before.interventions.is_empty());

        let now = loop_record(&r, day("2026-11-20"));
        assert_eq!(now, r, "on the last day nothing is taken back");
    }
}
