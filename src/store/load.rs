//! Row readers: one column list and one mapper per table, shared by every query that reads it.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Error, Result};
use crate::domain::LoopKind;
use crate::domain::loop_record::LoopRecord;
use crate::domain::model::*;
use crate::domain::suggest::nearest;

/// A column list with each column qualified by a table alias, for joins.
pub fn prefixed(alias: &str, cols: &str) -> String {
    cols.split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub const JOB_COLS: &str = "id, slug, title, statement, performer, circumstance, workaround, \
    functional_job, emotional_job, social_job, competing_solutions, hiring_criteria, created_at, \
    archived_at, rev";

pub fn job(r: &Row) -> rusqlite::Result<Job> {
    Ok(Job {
        id: r.get(0)?,
        slug: r.get(1)?,
        title: r.get(2)?,
        statement: r.get(3)?,
        canvas: Canvas {
            performer: r.get(4)?,
            circumstance: r.get(5)?,
            workaround: r.get(6)?,
            functional_job: r.get(7)?,
            emotional_job: r.get(8)?,
            social_job: r.get(9)?,
            competing_solutions: r.get(10)?,
            hiring_criteria: r.get(11)?,
        },
        created_at: r.get(12)?,
        archived_at: r.get(13)?,
        rev: r.get(14)?,
    })
}

pub const LOOP_COLS: &str = "id, job_id, kind, status, owner, notes, rev";

pub fn loop_row(r: &Row) -> rusqlite::Result<Loop> {
    Ok(Loop {
        id: r.get(0)?,
        job_id: r.get(1)?,
        kind: r.get(2)?,
        status: r.get(3)?,
        owner: r.get(4)?,
        notes: r.get(5)?,
        rev: r.get(6)?,
    })
}

pub const STEP_COLS: &str = "id, loop_id, n, text, custom, done_at, done_by, evidence";

pub fn step(r: &Row) -> rusqlite::Result<Step> {
    Ok(Step {
        id: r.get(0)?,
        loop_id: r.get(1)?,
        n: r.get(2)?,
        text: r.get(3)?,
        custom: r.get(4)?,
        done_at: r.get(5)?,
        done_by: r.get(6)?,
        evidence: r.get(7)?,
    })
}

pub const METRIC_COLS: &str =
    "id, loop_id, name, unit, better, measures, set_at, set_by, replaced_at";

pub fn metric(r: &Row) -> rusqlite::Result<Metric> {
    Ok(Metric {
        id: r.get(0)?,
        loop_id: r.get(1)?,
        name: r.get(2)?,
        unit: r.get(3)?,
        better: r.get(4)?,
        measures: r.get(5)?,
        set_at: r.get(6)?,
        set_by: r.get(7)?,
        replaced_at: r.get(8)?,
    })
}

pub const VALUE_COLS: &str =
    "id, loop_id, metric_id, phase, value, at, note, recorded_by, recorded_at";

pub fn value(r: &Row) -> rusqlite::Result<Value> {
    Ok(Value {
        id: r.get(0)?,
        loop_id: r.get(1)?,
        metric_id: r.get(2)?,
        phase: r.get(3)?,
        value: r.get(4)?,
        at: r.get(5)?,
        note: r.get(6)?,
        recorded_by: r.get(7)?,
        recorded_at: r.get(8)?,
    })
}

pub const INTERVENTION_COLS: &str =
    "id, loop_id, metric_id, description, at, recorded_by, recorded_at";

pub fn intervention(r: &Row) -> rusqlite::Result<Intervention> {
    Ok(Intervention {
        id: r.get(0)?,
        loop_id: r.get(1)?,
        metric_id: r.get(2)?,
        description: r.get(3)?,
        at: r.get(4)?,
        recorded_by: r.get(5)?,
        recorded_at: r.get(6)?,
    })
}

pub const SIGNAL_COLS: &str = "id, loop_id, n, text, canonical, state, reason, evidence, \
    changed_by, changed_at, decision, decision_reason, decided_by, decided_at, created_at, rule";

pub fn signal(r: &Row) -> rusqlite::Result<KillSignal> {
    Ok(KillSignal {
        id: r.get(0)?,
        loop_id: r.get(1)?,
        n: r.get(2)?,
        text: r.get(3)?,
        canonical: r.get(4)?,
        state: r.get(5)?,
        reason: r.get(6)?,
        evidence: r.get(7)?,
        changed_by: r.get(8)?,
        changed_at: r.get(9)?,
        decision: r.get(10)?,
        decision_reason: r.get(11)?,
        decided_by: r.get(12)?,
        decided_at: r.get(13)?,
        created_at: r.get(14)?,
        rule: r.get(15)?,
    })
}

pub const DECISION_COLS: &str = "id, loop_id, text, owner, threshold, at, recorded_by";

pub fn decision(r: &Row) -> rusqlite::Result<Decision> {
    Ok(Decision {
        id: r.get(0)?,
        loop_id: r.get(1)?,
        text: r.get(2)?,
        owner: r.get(3)?,
        threshold: r.get(4)?,
        at: r.get(5)?,
        recorded_by: r.get(6)?,
    })
}

pub const CYCLE_COLS: &str = "id, job_id, week, understanding, explanation, creation, \
    distribution, understanding_note, explanation_note, creation_note, distribution_note, note, \
    closed_at, closed_by";

pub fn cycle(r: &Row) -> rusqlite::Result<Cycle> {
    Ok(Cycle {
        id: r.get(0)?,
        job_id: r.get(1)?,
        week: r.get(2)?,
        understanding: r.get(3)?,
        explanation: r.get(4)?,
        creation: r.get(5)?,
        distribution: r.get(6)?,
        understanding_note: r.get(7)?,
        explanation_note: r.get(8)?,
        creation_note: r.get(9)?,
        distribution_note: r.get(10)?,
        note: r.get(11)?,
        closed_at: r.get(12)?,
        closed_by: r.get(13)?,
    })
}

pub const TOOL_COLS: &str = "id, job_id, name, at, recorded_by, recorded_at";

pub fn tool(r: &Row) -> rusqlite::Result<Tool> {
    Ok(Tool {
        id: r.get(0)?,
        job_id: r.get(1)?,
        name: r.get(2)?,
        at: r.get(3)?,
        recorded_by: r.get(4)?,
        recorded_at: r.get(5)?,
    })
}

pub const LEARNING_COLS: &str = "id, loop_id, text, type, tag, capability, at, recorded_by";

pub fn learning(r: &Row) -> rusqlite::Result<Learning> {
    Ok(Learning {
        id: r.get(0)?,
        loop_id: r.get(1)?,
        text: r.get(2)?,
        kind: r.get(3)?,
        tag: r.get(4)?,
        capability: r.get(5)?,
        at: r.get(6)?,
        recorded_by: r.get(7)?,
    })
}

pub const PROOF_COLS: &str = "id, job_id, title, kind, visibility, link, at, recorded_by, \
    replies, citations, intros, bookings, sales, reuse, outcome_at";

pub fn proof(r: &Row) -> rusqlite::Result<Proof> {
    let counts: [Option<i64>; 6] = [
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
        r.get(13)?,
    ];
    let outcome = match counts {
        [
            Some(replies),
            Some(citations),
            Some(intros),
            Some(bookings),
            Some(sales),
            Some(reuse),
        ] => Some(ProofOutcome {
            replies,
            citations,
            intros,
            bookings,
            sales,
            reuse,
        }),
        _ => None,
    };
    Ok(Proof {
        id: r.get(0)?,
        job_id: r.get(1)?,
        title: r.get(2)?,
        kind: r.get(3)?,
        visibility: r.get(4)?,
        link: r.get(5)?,
        at: r.get(6)?,
        recorded_by: r.get(7)?,
        outcome,
        outcome_at: r.get(14)?,
    })
}

pub const EVENT_COLS: &str =
    "seq, id, at, actor, command, job_id, loop_kind, summary, before, after, prev_hash, hash";

pub fn event(r: &Row) -> rusqlite::Result<AuditEvent> {
    let json = |i: usize| -> rusqlite::Result<serde_json::Value> {
        let text: String = r.get(i)?;
        serde_json::from_str(&text).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
        })
    };
    Ok(AuditEvent {
        seq: r.get(0)?,
        id: r.get(1)?,
        at: r.get(2)?,
        actor: r.get(3)?,
        command: r.get(4)?,
        job_id: r.get(5)?,
        loop_kind: r.get(6)?,
        summary: r.get(7)?,
        before: json(8)?,
        after: json(9)?,
        prev_hash: r.get(10)?,
        hash: r.get(11)?,
    })
}

/// The job with this slug, or a refusal that suggests the nearest slug.
pub fn job_by_slug(conn: &Connection, slug: &str) -> Result<Job> {
    let found = conn
        .query_row(
            &format!("SELECT {JOB_COLS} FROM jobs WHERE slug = ?1"),
            [slug],
            job,
        )
        .optional()?;
    if let Some(j) = found {
        return Ok(j);
    }
    let mut stmt = conn.prepare("SELECT slug FROM jobs WHERE archived_at IS NULL ORDER BY slug")?;
    let slugs: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let names: Vec<&str> = slugs.iter().map(String::as_str).collect();
    let hint = match nearest(slug, &names) {
        Some(n) => format!("did you mean `{n}`?"),
        None if names.is_empty() => {
            "there are no jobs yet: add one with `jobloop job add TITLE`".into()
        }
        None => "see the slugs with `jobloop job list`".into(),
    };
    Err(Error::Refused(crate::domain::Refusal::not_found(format!(
        "no job `{slug}`: {hint}"
    ))))
}

/// A loop with everything its rules need (see `LoopRecord`).
pub fn loop_record(conn: &Connection, slug: &str, kind: LoopKind) -> Result<LoopRecord> {
    let job = job_by_slug(conn, slug)?;
    let lp = conn.query_row(
        &format!("SELECT {LOOP_COLS} FROM loops WHERE job_id = ?1 AND kind = ?2"),
        params![job.id, kind],
        loop_row,
    )?;
    let steps = conn
        .prepare_cached(&format!(
            "SELECT {STEP_COLS} FROM steps WHERE loop_id = ?1 ORDER BY n"
        ))?
        .query_map([&lp.id], step)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let metric = conn
        .query_row(
            &format!(
                "SELECT {METRIC_COLS} FROM metrics WHERE loop_id = ?1 AND replaced_at IS NULL"
            ),
            [&lp.id],
            metric,
        )
        .optional()?;
    let kill_signals = conn
        .prepare_cached(&format!(
            "SELECT {SIGNAL_COLS} FROM kill_signals WHERE loop_id = ?1 ORDER BY n"
        ))?
        .query_map([&lp.id], signal)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let (values, first_intervention_at) = match &metric {
        None => (Vec::new(), None),
        Some(m) => {
            let values = conn
                .prepare_cached(
                    "SELECT phase, at, value FROM metric_values WHERE metric_id = ?1
                     ORDER BY at, recorded_at",
                )?
                .query_map([&m.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let first = conn.query_row(
                "SELECT min(at) FROM interventions WHERE metric_id = ?1",
                [&m.id],
                |r| r.get(0),
            )?;
            (values, first)
        }
    };
    Ok(LoopRecord {
        job,
        lp,
        steps,
        metric,
        retired_metric: None,
        kill_signals,
        values,
        first_intervention_at,
    })
}
