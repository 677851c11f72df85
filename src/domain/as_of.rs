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
        .cloned()
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
