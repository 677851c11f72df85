//! Each table's columns, how a row becomes a record, and how a record is written: one place per
//! table, shared by every query, the pipeline, import and export.

use super::Result;
use super::sql::{Db, Fields, Row, params};
use crate::domain::model::*;
use crate::domain::verify::Table;

/// A column list with each column qualified by a table alias, for joins.
pub fn prefixed(alias: &str, cols: &str) -> String {
    cols.split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn void(f: &Fields, at: usize) -> Result<Option<Void>> {
    Ok(match f.opt_stamp(at, "void time")? {
        Some(when) => Some(Void {
            at: when,
            by: f.text(at + 1, "voider")?,
            reason: f.text(at + 2, "void reason")?,
        }),
        None => None,
    })
}

pub const JOB_COLS: &str = "id, slug, title, statement, performer, circumstance, workaround, \
    functional_job, emotional_job, social_job, competing_solutions, hiring_criteria, created_at, \
    archived_at, rev, lead";

pub fn job(r: &dyn Row) -> Result<Job> {
    let f = Fields::new(r, Table::Jobs)?;
    Ok(Job {
        id: f.id().to_string(),
        slug: f.text(1, "slug")?,
        title: f.text(2, "title")?,
        statement: f.text(3, "statement")?,
        canvas: Canvas {
            performer: f.text(4, "performer")?,
            circumstance: f.text(5, "circumstance")?,
            workaround: f.text(6, "workaround")?,
            functional_job: f.text(7, "functional job")?,
            emotional_job: f.text(8, "emotional job")?,
            social_job: f.text(9, "social job")?,
            competing_solutions: f.text(10, "competing solutions")?,
            hiring_criteria: f.text(11, "hiring criteria")?,
        },
        created_at: f.stamp(12, "creation time")?,
        archived_at: f.opt_stamp(13, "archive time")?,
        rev: f.int(14, "revision")?,
        lead: f.opt_text(15, "lead")?,
    })
}

pub fn insert_job(db: &mut dyn Db, j: &Job) -> Result<()> {
    let c = &j.canvas;
    db.exec(
        &format!(
            "INSERT INTO jobs ({JOB_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
        ),
        params![
            j.id,
            j.slug,
            j.title,
            j.statement,
            c.performer,
            c.circumstance,
            c.workaround,
            c.functional_job,
            c.emotional_job,
            c.social_job,
            c.competing_solutions,
            c.hiring_criteria,
            j.created_at,
            j.archived_at,
            j.rev,
            j.lead
        ],
    )?;
    Ok(())
}

/// Writes a changed job, guarded by the revision it was read at; `false` when it changed since.
pub fn update_job(db: &mut dyn Db, j: &Job, read_rev: i64) -> Result<bool> {
    let c = &j.canvas;
    let n = db.exec(
        "UPDATE jobs SET title = ?2, statement = ?3, performer = ?4, circumstance = ?5,
            workaround = ?6, functional_job = ?7, emotional_job = ?8, social_job = ?9,
            competing_solutions = ?10, hiring_criteria = ?11, archived_at = ?12, rev = ?13,
            lead = ?14
         WHERE id = ?1 AND rev = ?15",
        params![
            j.id,
            j.title,
            j.statement,
            c.performer,
            c.circumstance,
            c.workaround,
            c.functional_job,
            c.emotional_job,
            c.social_job,
            c.competing_solutions,
            c.hiring_criteria,
            j.archived_at,
            j.rev,
            j.lead,
            read_rev
        ],
    )?;
    Ok(n == 1)
}

pub const LOOP_COLS: &str = "id, job_id, kind, status, owner, notes, rev";

pub fn loop_row(r: &dyn Row) -> Result<Loop> {
    let f = Fields::new(r, Table::Loops)?;
    Ok(Loop {
        id: f.id().to_string(),
        job_id: f.text(1, "job")?,
        kind: f.kind(2, "kind")?,
        status: f.choice(3, "status", Status::from_text)?,
        owner: f.opt_text(4, "owner")?,
        notes: f.text(5, "notes")?,
        rev: f.int(6, "revision")?,
    })
}

pub fn insert_loop(db: &mut dyn Db, l: &Loop) -> Result<()> {
    db.exec(
        "INSERT INTO loops (id, job_id, kind, position, status, owner, notes, rev)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            l.id,
            l.job_id,
            l.kind,
            l.kind.position(),
            l.status,
            l.owner,
            l.notes,
            l.rev
        ],
    )?;
    Ok(())
}

pub const STEP_COLS: &str = "id, loop_id, n, text, custom, done_at, done_by, evidence";

pub fn step(r: &dyn Row) -> Result<Step> {
    let f = Fields::new(r, Table::Steps)?;
    Ok(Step {
        id: f.id().to_string(),
        loop_id: f.text(1, "loop")?,
        n: f.int(2, "number")?,
        text: f.text(3, "text")?,
        custom: f.bool(4, "custom flag")?,
        done_at: f.opt_stamp(5, "done time")?,
        done_by: f.opt_text(6, "done by")?,
        evidence: f.opt_text(7, "evidence")?,
    })
}

pub fn upsert_step(db: &mut dyn Db, s: &Step) -> Result<()> {
    db.exec(
        &format!(
            "INSERT INTO steps ({STEP_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (id) DO UPDATE SET text = excluded.text, done_at = excluded.done_at,
                done_by = excluded.done_by, evidence = excluded.evidence"
        ),
        params![
            s.id, s.loop_id, s.n, s.text, s.custom, s.done_at, s.done_by, s.evidence
        ],
    )?;
    Ok(())
}

pub const METRIC_COLS: &str =
    "id, loop_id, name, unit, better, measures, set_at, set_by, replaced_at, target";

pub fn metric(r: &dyn Row) -> Result<Metric> {
    let f = Fields::new(r, Table::Metrics)?;
    Ok(Metric {
        id: f.id().to_string(),
        loop_id: f.text(1, "loop")?,
        name: f.text(2, "name")?,
        unit: f.text(3, "unit")?,
        better: f.choice(4, "direction", Better::from_text)?,
        measures: f.choice(5, "kind of measure", Measures::from_text)?,
        set_at: f.stamp(6, "time set")?,
        set_by: f.text(7, "setter")?,
        replaced_at: f.opt_stamp(8, "replacement time")?,
        target: f.target(9, "target")?,
    })
}

pub fn upsert_metric(db: &mut dyn Db, m: &Metric) -> Result<()> {
    db.exec(
        &format!(
            "INSERT INTO metrics ({METRIC_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (id) DO UPDATE SET replaced_at = excluded.replaced_at,
                target = excluded.target"
        ),
        params![
            m.id,
            m.loop_id,
            m.name,
            m.unit,
            m.better,
            m.measures,
            m.set_at,
            m.set_by,
            m.replaced_at,
            m.target
        ],
    )?;
    Ok(())
}

pub const VALUE_COLS: &str = "id, loop_id, metric_id, phase, value, at, note, recorded_by, \
    recorded_at, void_at, void_by, void_reason";

pub fn value(r: &dyn Row) -> Result<Value> {
    let f = Fields::new(r, Table::Values)?;
    Ok(Value {
        id: f.id().to_string(),
        loop_id: f.text(1, "loop")?,
        metric_id: f.text(2, "metric")?,
        phase: f.choice(3, "phase", Phase::from_text)?,
        value: f.real(4, "value")?,
        at: f.when(5, "date")?,
        note: f.text(6, "note")?,
        recorded_by: f.text(7, "recorder")?,
        recorded_at: f.stamp(8, "time recorded")?,
        void: void(&f, 9)?,
    })
}

pub fn insert_value(db: &mut dyn Db, v: &Value) -> Result<()> {
    let (va, vb, vr) = void_parts(&v.void);
    db.exec(
        &format!(
            "INSERT INTO metric_values ({VALUE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        ),
        params![
            v.id,
            v.loop_id,
            v.metric_id,
            v.phase,
            v.value,
            v.at,
            v.note,
            v.recorded_by,
            v.recorded_at,
            va,
            vb,
            vr
        ],
    )?;
    Ok(())
}

fn void_parts(v: &Option<Void>) -> (Option<Stamp>, Option<&str>, Option<&str>) {
    match v {
        Some(v) => (Some(v.at), Some(&v.by), Some(&v.reason)),
        None => (None, None, None),
    }
}

use crate::domain::time::Stamp;

/// Marks a row of `table` void (the only update appended-to rows ever get, with sign-offs).
pub fn set_void(db: &mut dyn Db, table: &str, id: &str, v: &Option<Void>) -> Result<()> {
    let (va, vb, vr) = void_parts(v);
    db.exec(
        &format!("UPDATE {table} SET void_at = ?2, void_by = ?3, void_reason = ?4 WHERE id = ?1"),
        params![id, va, vb, vr],
    )?;
    Ok(())
}

pub const INTERVENTION_COLS: &str = "id, loop_id, metric_id, description, at, recorded_by, \
    recorded_at, void_at, void_by, void_reason";

pub fn intervention(r: &dyn Row) -> Result<Intervention> {
    let f = Fields::new(r, Table::Interventions)?;
    Ok(Intervention {
        id: f.id().to_string(),
        loop_id: f.text(1, "loop")?,
        metric_id: f.text(2, "metric")?,
        description: f.text(3, "description")?,
        at: f.when(4, "date")?,
        recorded_by: f.text(5, "recorder")?,
        recorded_at: f.stamp(6, "time recorded")?,
        void: void(&f, 7)?,
    })
}

pub fn insert_intervention(db: &mut dyn Db, i: &Intervention) -> Result<()> {
    let (va, vb, vr) = void_parts(&i.void);
    db.exec(
        &format!(
            "INSERT INTO interventions ({INTERVENTION_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        ),
        params![
            i.id,
            i.loop_id,
            i.metric_id,
            i.description,
            i.at,
            i.recorded_by,
            i.recorded_at,
            va,
            vb,
            vr
        ],
    )?;
    Ok(())
}

pub const SIGNAL_COLS: &str = "id, loop_id, n, text, canonical, state, reason, evidence, \
    changed_by, changed_at, decision, decision_reason, decided_by, decided_at, created_at, rule";

pub fn signal(r: &dyn Row) -> Result<KillSignal> {
    let f = Fields::new(r, Table::KillSignals)?;
    Ok(KillSignal {
        id: f.id().to_string(),
        loop_id: f.text(1, "loop")?,
        n: f.int(2, "number")?,
        text: f.text(3, "text")?,
        canonical: f.bool(4, "canonical flag")?,
        state: f.choice(5, "state", SignalState::from_text)?,
        reason: f.opt_text(6, "reason")?,
        evidence: f.opt_text(7, "evidence")?,
        changed_by: f.opt_text(8, "changed by")?,
        changed_at: f.opt_stamp(9, "change time")?,
        decision: f.opt_choice(10, "decision", KillDecision::from_text)?,
        decision_reason: f.opt_text(11, "decision reason")?,
        decided_by: f.opt_text(12, "decided by")?,
        decided_at: f.opt_stamp(13, "decision time")?,
        created_at: f.stamp(14, "creation time")?,
        rule: f.opt_text(15, "rule")?,
    })
}

pub fn upsert_signal(db: &mut dyn Db, k: &KillSignal) -> Result<()> {
    db.exec(
        &format!(
            "INSERT INTO kill_signals ({SIGNAL_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
             ON CONFLICT (id) DO UPDATE SET state = excluded.state, reason = excluded.reason,
                evidence = excluded.evidence, changed_by = excluded.changed_by,
                changed_at = excluded.changed_at, decision = excluded.decision,
                decision_reason = excluded.decision_reason, decided_by = excluded.decided_by,
                decided_at = excluded.decided_at"
        ),
        params![
            k.id,
            k.loop_id,
            k.n,
            k.text,
            k.canonical,
            k.state,
            k.reason,
            k.evidence,
            k.changed_by,
            k.changed_at,
            k.decision,
            k.decision_reason,
            k.decided_by,
            k.decided_at,
            k.created_at,
            k.rule
        ],
    )?;
    Ok(())
}

pub const DECISION_COLS: &str = "id, loop_id, text, owner, threshold, at, recorded_by, supersedes, \
    approved_at, approved_by, void_at, void_by, void_reason";

pub fn decision(r: &dyn Row) -> Result<Decision> {
    let f = Fields::new(r, Table::Decisions)?;
    Ok(Decision {
        id: f.id().to_string(),
        loop_id: f.text(1, "loop")?,
        text: f.text(2, "text")?,
        owner: f.text(3, "owner")?,
        threshold: f.opt_text(4, "threshold")?,
        at: f.stamp(5, "time")?,
        recorded_by: f.text(6, "recorder")?,
        supersedes: f.opt_text(7, "amended decision")?,
        approved_at: f.opt_stamp(8, "sign-off time")?,
        approved_by: f.opt_text(9, "signer")?,
        void: void(&f, 10)?,
    })
}

pub fn insert_decision(db: &mut dyn Db, d: &Decision) -> Result<()> {
    let (va, vb, vr) = void_parts(&d.void);
    db.exec(
        &format!(
            "INSERT INTO decisions ({DECISION_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        ),
        params![
            d.id,
            d.loop_id,
            d.text,
            d.owner,
            d.threshold,
            d.at,
            d.recorded_by,
            d.supersedes,
            d.approved_at,
            d.approved_by,
            va,
            vb,
            vr
        ],
    )?;
    Ok(())
}

pub fn set_approval(db: &mut dyn Db, d: &Decision) -> Result<()> {
    db.exec(
        "UPDATE decisions SET approved_at = ?2, approved_by = ?3 WHERE id = ?1",
        params![d.id, d.approved_at, d.approved_by],
    )?;
    Ok(())
}

pub const CYCLE_COLS: &str = "id, job_id, week, understanding, explanation, creation, \
    distribution, understanding_note, explanation_note, creation_note, distribution_note, note, \
    closed_at, closed_by";

pub fn cycle(r: &dyn Row) -> Result<Cycle> {
    let f = Fields::new(r, Table::Cycles)?;
    let week = f.text(2, "week")?;
    crate::domain::Week::parse(&week).map_err(|e| {
        super::Error::Undecodable(super::sql::Undecodable {
            table: Table::Cycles,
            id: f.id().to_string(),
            why: format!("its week {}", e.message),
        })
    })?;
    Ok(Cycle {
        id: f.id().to_string(),
        job_id: f.text(1, "job")?,
        week,
        understanding: f.bool(3, "understanding answer")?,
        explanation: f.bool(4, "explanation answer")?,
        creation: f.bool(5, "creation answer")?,
        distribution: f.bool(6, "distribution answer")?,
        understanding_note: f.text(7, "understanding note")?,
        explanation_note: f.text(8, "explanation note")?,
        creation_note: f.text(9, "creation note")?,
        distribution_note: f.text(10, "distribution note")?,
        note: f.text(11, "note")?,
        closed_at: f.stamp(12, "closing time")?,
        closed_by: f.text(13, "closer")?,
    })
}

pub fn insert_cycle(db: &mut dyn Db, c: &Cycle) -> Result<()> {
    db.exec(
        &format!(
            "INSERT INTO cycles ({CYCLE_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
        ),
        params![
            c.id,
            c.job_id,
            c.week,
            c.understanding,
            c.explanation,
            c.creation,
            c.distribution,
            c.understanding_note,
            c.explanation_note,
            c.creation_note,
            c.distribution_note,
            c.note,
            c.closed_at,
            c.closed_by
        ],
    )?;
    Ok(())
}

pub const TOOL_COLS: &str = "id, job_id, name, at, recorded_by, recorded_at";

pub fn tool(r: &dyn Row) -> Result<Tool> {
    let f = Fields::new(r, Table::Tools)?;
    Ok(Tool {
        id: f.id().to_string(),
        job_id: f.text(1, "job")?,
        name: f.text(2, "name")?,
        at: f.when(3, "date")?,
        recorded_by: f.text(4, "recorder")?,
        recorded_at: f.stamp(5, "time recorded")?,
    })
}

pub fn insert_tool(db: &mut dyn Db, t: &Tool) -> Result<()> {
    db.exec(
        &format!("INSERT INTO tools ({TOOL_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        params![t.id, t.job_id, t.name, t.at, t.recorded_by, t.recorded_at],
    )?;
    Ok(())
}

pub const LEARNING_COLS: &str =
    "id, loop_id, text, type, tag, capability, at, recorded_by, void_at, void_by, void_reason";

pub fn learning(r: &dyn Row) -> Result<Learning> {
    let f = Fields::new(r, Table::Learnings)?;
    Ok(Learning {
        id: f.id().to_string(),
        loop_id: f.text(1, "loop")?,
        text: f.text(2, "text")?,
        kind: f.choice(3, "type", LearningType::from_text)?,
        tag: f.opt_text(4, "tag")?,
        capability: f.opt_choice(5, "capability", Capability::from_text)?,
        at: f.stamp(6, "time")?,
        recorded_by: f.text(7, "recorder")?,
        void: void(&f, 8)?,
    })
}

pub fn insert_learning(db: &mut dyn Db, l: &Learning) -> Result<()> {
    let (va, vb, vr) = void_parts(&l.void);
    db.exec(
        &format!(
            "INSERT INTO learnings ({LEARNING_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
        ),
        params![
            l.id,
            l.loop_id,
            l.text,
            l.kind,
            l.tag,
            l.capability,
            l.at,
            l.recorded_by,
            va,
            vb,
            vr
        ],
    )?;
    Ok(())
}

pub const PROOF_COLS: &str = "id, job_id, title, kind, visibility, link, at, recorded_by, \
    replies, citations, intros, bookings, sales, reuse, outcome_at";

pub fn proof(r: &dyn Row) -> Result<Proof> {
    let f = Fields::new(r, Table::Proofs)?;
    let mut counts = [None; 6];
    for (i, (c, name)) in counts
        .iter_mut()
        .zip([
            "replies",
            "citations",
            "intros",
            "bookings",
            "sales",
            "reuse",
        ])
        .enumerate()
    {
        *c = f.opt_int(8 + i, name)?;
    }
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
        id: f.id().to_string(),
        job_id: f.text(1, "job")?,
        title: f.text(2, "title")?,
        kind: f.choice(3, "kind", ProofKind::from_text)?,
        visibility: f.choice(4, "visibility", Visibility::from_text)?,
        link: f.opt_text(5, "link")?,
        at: f.when(6, "date")?,
        recorded_by: f.text(7, "recorder")?,
        outcome,
        outcome_at: f.opt_stamp(14, "outcome time")?,
    })
}

/// Inserts a proof, or updates its outcome when it exists.
pub fn upsert_proof(db: &mut dyn Db, p: &Proof) -> Result<()> {
    let o = p.outcome;
    db.exec(
        &format!(
            "INSERT INTO proofs ({PROOF_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (id) DO UPDATE SET replies = excluded.replies, citations = excluded.citations,
                intros = excluded.intros, bookings = excluded.bookings, sales = excluded.sales,
                reuse = excluded.reuse, outcome_at = excluded.outcome_at"
        ),
        params![
            p.id,
            p.job_id,
            p.title,
            p.kind,
            p.visibility,
            p.link,
            p.at,
            p.recorded_by,
            o.map(|o| o.replies),
            o.map(|o| o.citations),
            o.map(|o| o.intros),
            o.map(|o| o.bookings),
            o.map(|o| o.sales),
            o.map(|o| o.reuse),
            p.outcome_at
        ],
    )?;
    Ok(())
}

pub const EVENT_COLS: &str =
    "seq, id, at, actor, command, job_id, loop_kind, summary, before, after, prev_hash, hash";

/// An audit event. Its first column is the sequence number, so errors name it.
pub fn event(r: &dyn Row) -> Result<AuditEvent> {
    let seq = r.int(0)?.unwrap_or(0);
    let bad = |why: String| {
        super::Error::Undecodable(super::sql::Undecodable {
            table: Table::AuditEvents,
            id: seq.to_string(),
            why,
        })
    };
    let text = |i: usize, what: &str| -> Result<String> {
        r.text(i)
            .map_err(|e| bad(format!("its {what} is not text ({e})")))?
            .map(str::to_string)
            .ok_or_else(|| bad(format!("its {what} is missing")))
    };
    let json = |i: usize, what: &str| -> Result<serde_json::Value> {
        serde_json::from_str(&text(i, what)?)
            .map_err(|e| bad(format!("its {what} is not JSON ({e})")))
    };
    let kind = match r.text(6)? {
        Some(k) => Some(
            crate::domain::LoopKind::from_name(k)
                .ok_or_else(|| bad(format!("`{k}` is not a loop kind")))?,
        ),
        None => None,
    };
    Ok(AuditEvent {
        seq,
        id: text(1, "id")?,
        at: Stamp::parse(&text(2, "time")?).map_err(|e| bad(e.message))?,
        actor: text(3, "actor")?,
        command: text(4, "command")?,
        job_id: r.text(5)?.map(str::to_string),
        loop_kind: kind,
        summary: text(7, "summary")?,
        before: json(8, "before")?,
        after: json(9, "after")?,
        prev_hash: text(10, "previous hash")?,
        hash: text(11, "hash")?,
    })
}

pub fn insert_event(db: &mut dyn Db, e: &AuditEvent) -> Result<()> {
    db.exec(
        &format!(
            "INSERT INTO audit_events ({EVENT_COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        ),
        params![
            e.seq,
            e.id,
            e.at,
            e.actor,
            e.command,
            e.job_id,
            e.loop_kind,
            e.summary,
            e.before.to_string(),
            e.after.to_string(),
            e.prev_hash,
            e.hash
        ],
    )?;
    Ok(())
}
