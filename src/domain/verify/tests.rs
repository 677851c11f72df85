use super::*;
use crate::domain::audit::{Change, next_event};
use crate::domain::intent::LoopOp;
use crate::domain::job::NewJob;
use crate::domain::loop_record::{LoopRecord, Row};
use crate::domain::time::{Stamp, When};

fn ctx() -> Ctx {
    Ctx::local("ana", Stamp::parse("2026-11-02T12:00:00Z").unwrap())
}

/// A tiny trail: a job added, a metric set and a value recorded on its instrument loop.
struct Trail {
    events: Vec<AuditEvent>,
    job: Job,
    instrument: LoopRecord,
    loops: Vec<LoopRecord>,
    value: Value,
}

fn trail() -> Trail {
    let nj = NewJob::create("Triage", None, None, None, &ctx()).unwrap();
    let mut events = Vec::new();
    let push = |events: &mut Vec<AuditEvent>, change: Change| {
        let prev = events.last().map(|e: &AuditEvent| (e.seq, e.hash.clone()));
        let e = next_event(prev.as_ref().map(|(s, h)| (*s, h.as_str())), &ctx(), change);
        events.push(e);
    };
    push(
        &mut events,
        Change {
            command: crate::domain::Command::JobAdd,
            job_id: Some(&nj.job.id),
            loop_kind: None,
            summary: "added",
            before: Json::Null,
            after: nj.audit_after(),
        },
    );
    let mut loops = nj.loops;
    let mut r = loops.remove(2);
    let mut value = None;
    for op in [
        LoopOp::metric("m", "", Better::Lower),
        LoopOp::value(
            Phase::Baseline,
            0.18181818181818182,
            When::Day(chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()),
        ),
    ] {
        let before = r.audit_state();
        let out = r.apply(&op, &ctx()).unwrap();
        if let Some(Row::Value(v)) = &out.appended {
            value = Some(v.clone());
        }
        push(
            &mut events,
            Change {
                command: out.command,
                job_id: Some(&nj.job.id),
                loop_kind: Some(r.lp.kind),
                summary: &out.summary,
                before,
                after: r.audit_after(&out),
            },
        );
    }
    Trail {
        events,
        job: nj.job,
        instrument: r,
        loops,
        value: value.unwrap(),
    }
}

fn feed_events(v: &mut Verifier, events: &[AuditEvent]) {
    for e in events {
        let (at, before, after) = (e.at.to_text(), e.before.to_string(), e.after.to_string());
        v.event(&StoredEvent {
            text: EventText {
                seq: e.seq,
                id: e.id.as_str(),
                at: &at,
                actor: &e.actor,
                command: &e.command,
                job_id: e.job_id.as_ref().map(JobId::as_str),
                loop_kind: e.loop_kind.map(LoopKind::name),
                summary: &e.summary,
                before: &before,
                after: &after,
                prev_hash: &e.prev_hash,
            },
            hash: &e.hash,
        });
    }
}

fn check(t: &Trail, edit: impl FnOnce(&mut Job, &mut Value, &mut Vec<Value>)) -> Report {
    let mut v = Verifier::new();
    feed_events(&mut v, &t.events);
    let mut job = t.job.clone();
    let mut value = t.value.clone();
    let mut extra = Vec::new();
    edit(&mut job, &mut value, &mut extra);
    v.job(&job);
    for r in t.loops.iter().chain([&t.instrument]) {
        v.loop_record(
            &job.slug,
            &r.lp,
            r.metric.as_ref(),
            &r.steps,
            &r.kill_signals,
        );
    }
    if !value.id.as_str().is_empty() {
        v.row(Table::Values, value.id.as_str(), &value);
    }
    for x in &extra {
        v.row(Table::Values, x.id.as_str(), x);
    }
    v.finish()
}

#[test]
fn an_honest_trail_passes_with_exact_decimals() {
    let t = trail();
    let r = check(&t, |_, _, _| {});
    assert_eq!(r.problems, vec![]);
    assert_eq!(r.events, 3);
    assert_eq!(r.head.as_deref(), Some(t.events[2].hash.as_str()));
}

#[test]
fn an_edited_value_is_named_with_its_table_id_and_event() {
    let t = trail();
    let r = check(&t, |_, v, _| v.value = 0.18181818181818185);
    assert_eq!(r.problems.len(), 1);
    let p = &r.problems[0];
    assert_eq!(
        (p.table, p.wrong.clone(), p.event),
        (Table::Values, Wrong::Edited, Some(3))
    );
    assert_eq!(p.id, t.value.id);
}

#[test]
fn a_deleted_value_and_an_inserted_one_are_found() {
    let t = trail();
    let r = check(&t, |_, v, extra| {
        let mut other = v.clone();
        other.id = Id::from_text("inserted");
        extra.push(other);
        v.id = Id::from_text(""); // not fed: deleted
    });
    let kinds: Vec<(Wrong, String)> = r
        .problems
        .iter()
        .map(|p| (p.wrong.clone(), p.id.clone()))
        .collect();
    assert!(
        kinds.contains(&(Wrong::Inserted, "inserted".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&(Wrong::Deleted, t.value.id.to_string())),
        "{kinds:?}"
    );
}

#[test]
fn an_edited_job_and_a_broken_chain_are_found() {
    let t = trail();
    let r = check(&t, |j, _, _| j.title = "Renamed".into());
    assert_eq!(r.problems[0].table, Table::Jobs);
    let mut events = t.events.clone();
    events[1].summary = "something else".into();
    let mut v = Verifier::new();
    feed_events(&mut v, &events);
    let r = v.finish();
    assert!(
        r.problems
            .iter()
            .any(|p| p.wrong == Wrong::EventEdited && p.id == "2")
    );
    let mut v = Verifier::new();
    feed_events(&mut v, &[t.events[0].clone(), t.events[2].clone()]);
    let r = v.finish();
    assert!(r.problems.iter().any(|p| p.wrong == Wrong::EventMissing));
}

/// The trail plus one more command on the instrument loop, which starts from `r` as it is (an
/// old jobloop without the write guard would have done this after an edit behind its back).
fn laundered(t: &Trail, r: &mut LoopRecord, op: LoopOp) -> Vec<AuditEvent> {
    let mut events = t.events.clone();
    let before = r.audit_state();
    let touched: serde_json::Map<String, Json> = r
        .rows_touched_by(&op)
        .iter()
        .map(|row| {
            (
                row.id().to_string(),
                Json::String(crate::domain::audit::digest(&row.to_json())),
            )
        })
        .collect();
    let out = r.apply(&op, &ctx()).unwrap();
    let last = events.last().unwrap();
    let mut e = next_event(
        Some((last.seq, &last.hash)),
        &ctx(),
        Change {
            command: out.command,
            job_id: Some(&t.job.id),
            loop_kind: Some(r.lp.kind),
            summary: &out.summary,
            before,
            after: r.audit_after(&out),
        },
    );
    crate::domain::audit::add_rows_before(&mut e, touched);
    e.hash = crate::domain::audit::hash(&e);
    events.push(e);
    events
}

#[test]
fn an_edit_hashed_in_by_a_later_event_is_still_found() {
    let t = trail();
    // The direction of the metric flipped behind jobloop's back, then an honest note.
    let mut r = t.instrument.clone();
    if let Some(m) = r.metric.as_mut() {
        m.better = Better::Higher;
    }
    let events = laundered(
        &t,
        &mut r,
        LoopOp::SetNotes {
            text: "weekly".into(),
            was: None,
        },
    );
    let mut v = Verifier::new();
    feed_events(&mut v, &events);
    v.job(&t.job);
    v.loop_record(
        &t.job.slug,
        &r.lp,
        r.metric.as_ref(),
        &r.steps,
        &r.kill_signals,
    );
    v.row(Table::Values, t.value.id.as_str(), &t.value);
    for l in &t.loops {
        v.loop_record(
            &t.job.slug,
            &l.lp,
            l.metric.as_ref(),
            &l.steps,
            &l.kill_signals,
        );
    }
    let report = v.finish();
    let name = format!("{}/instrument", t.job.slug);
    assert_eq!(
        report
            .problems
            .iter()
            .map(|p| (p.table, p.id.clone(), p.wrong.clone(), p.event))
            .collect::<Vec<_>>(),
        vec![(Table::Loops, name, Wrong::EditedBefore, Some(4))]
    );
    assert!(
        report.problems[0]
            .to_string()
            .contains("before audit event 4")
    );
}

#[test]
fn a_row_edited_then_voided_is_still_found() {
    let t = trail();
    let mut r = t.instrument.clone();
    r.values[0].value = 9.0;
    let id = r.values[0].id.clone();
    let events = laundered(
        &t,
        &mut r,
        LoopOp::Void {
            record: id.to_string(),
            reason: "typo".into(),
        },
    );
    let mut v = Verifier::new();
    feed_events(&mut v, &events);
    v.job(&t.job);
    for l in t.loops.iter().chain([&r]) {
        v.loop_record(
            &t.job.slug,
            &l.lp,
            l.metric.as_ref(),
            &l.steps,
            &l.kill_signals,
        );
    }
    v.row(Table::Values, id.as_str(), &r.values[0]);
    let report = v.finish();
    assert_eq!(
        report
            .problems
            .iter()
            .map(|p| (p.table, p.wrong.clone(), p.event))
            .collect::<Vec<_>>(),
        vec![(Table::Values, Wrong::EditedBefore, Some(4))]
    );
}
