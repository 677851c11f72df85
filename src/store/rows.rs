//! How a row becomes a record and a record a row, for each table: read by column name and
//! written by column name, against the table's one declaration (`tables`). Shared by every
//! query, the pipeline, import and export.

use super::Result;
use super::sql::{Db, Fields, P, Put, Row, params};
use super::tables::{self, TableDef};
use crate::domain::model::*;
use crate::domain::time::Stamp;

pub(super) use super::tables::{
    CYCLE_COLS, DECISION_COLS, DEVIATION_COLS, EVENT_COLS, INTERVENTION_COLS, JOB_COLS,
    LEARNING_COLS, LOOP_COLS, METRIC_COLS, PROOF_COLS, SIGNAL_COLS, STEP_COLS, TOOL_COLS,
    VALUE_COLS,
};

/// A column list with each column qualified by a table alias, for joins.
pub(super) fn prefixed(alias: &str, cols: &str) -> String {
    cols.split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes a record: a new row, or with `upsert` the columns a later command may change.
fn write(db: &mut dyn Db, def: &'static TableDef, upsert: bool, put: Put) -> Result<()> {
    let params: Vec<P> = put.params()?;
    db.exec(&def.insert_sql(upsert), &params)?;
    Ok(())
}

fn void(f: &Fields) -> Result<Option<Void>> {
    Ok(match f.opt_stamp("void_at")? {
        Some(when) => Some(Void {
            at: when,
            by: f.text("void_by")?,
            reason: f.text("void_reason")?,
        }),
        None => None,
    })
}

/// A void's three columns (all empty when the record stands).
fn put_void<'a>(put: Put<'a>, v: &'a Option<Void>) -> Put<'a> {
    match v {
        Some(v) => put
            .put("void_at", &v.at)
            .put("void_by", &v.by)
            .put("void_reason", &v.reason),
        None => put
            .put("void_at", &None::<Stamp>)
            .put("void_by", &None::<String>)
            .put("void_reason", &None::<String>),
    }
}

pub(super) fn job(r: &dyn Row) -> Result<Job> {
    let f = Fields::new(r, &tables::JOBS)?;
    Ok(Job {
        id: f.id().to_string(),
        slug: f.text("slug")?,
        title: f.text("title")?,
        statement: f.text("statement")?,
        canvas: Canvas {
            performer: f.text("performer")?,
            circumstance: f.text("circumstance")?,
            workaround: f.text("workaround")?,
            functional_job: f.text("functional_job")?,
            emotional_job: f.text("emotional_job")?,
            social_job: f.text("social_job")?,
            competing_solutions: f.text("competing_solutions")?,
            hiring_criteria: f.text("hiring_criteria")?,
        },
        created_at: f.stamp("created_at")?,
        archived_at: f.opt_stamp("archived_at")?,
        rev: f.int("rev")?,
        lead: f.opt_text("lead")?,
    })
}

/// Every column of a job (destructured, so a new field does not compile until it is written).
fn put_job(j: &Job) -> Put<'_> {
    let Job {
        id,
        slug,
        title,
        statement,
        canvas,
        created_at,
        archived_at,
        rev,
        lead,
    } = j;
    let Canvas {
        performer,
        circumstance,
        workaround,
        functional_job,
        emotional_job,
        social_job,
        competing_solutions,
        hiring_criteria,
    } = canvas;
    Put::new(&tables::JOBS)
        .put("id", id)
        .put("slug", slug)
        .put("title", title)
        .put("statement", statement)
        .put("performer", performer)
        .put("circumstance", circumstance)
        .put("workaround", workaround)
        .put("functional_job", functional_job)
        .put("emotional_job", emotional_job)
        .put("social_job", social_job)
        .put("competing_solutions", competing_solutions)
        .put("hiring_criteria", hiring_criteria)
        .put("created_at", created_at)
        .put("archived_at", archived_at)
        .put("rev", rev)
        .put("lead", lead)
}

pub(super) fn insert_job(db: &mut dyn Db, j: &Job) -> Result<()> {
    write(db, &tables::JOBS, false, put_job(j))
}

/// Writes a changed job — the columns a later command may change — guarded by the revision it
/// was read at; `false` when it changed since.
pub(super) fn update_job(db: &mut dyn Db, j: &Job, read_rev: i64) -> Result<bool> {
    let def = &tables::JOBS;
    let all = put_job(j).params()?;
    let changed: Vec<(usize, &str)> = def
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.changes)
        .map(|(i, c)| (i, c.name))
        .collect();
    let sets: Vec<String> = changed
        .iter()
        .enumerate()
        .map(|(k, (_, name))| format!("{name} = ?{}", k + 3))
        .collect();
    let mut params: Vec<P> = vec![all[0].clone(), P::Int(read_rev)];
    params.extend(changed.iter().map(|(i, _)| all[*i].clone()));
    let n = db.exec(
        &format!(
            "UPDATE jobs SET {} WHERE id = ?1 AND rev = ?2",
            sets.join(", ")
        ),
        &params,
    )?;
    Ok(n == 1)
}

pub(super) fn loop_row(r: &dyn Row) -> Result<Loop> {
    let f = Fields::new(r, &tables::LOOPS)?;
    Ok(Loop {
        id: f.id().to_string(),
        job_id: f.text("job_id")?,
        kind: f.kind("kind")?,
        status: f.choice("status", Status::from_text)?,
        owner: f.opt_text("owner")?,
        notes: f.text("notes")?,
        rev: f.int("rev")?,
    })
}

pub(super) fn insert_loop(db: &mut dyn Db, l: &Loop) -> Result<()> {
    let Loop {
        id,
        job_id,
        kind,
        status,
        owner,
        notes,
        rev,
    } = l;
    let position = kind.position();
    let put = Put::new(&tables::LOOPS)
        .put("id", id)
        .put("job_id", job_id)
        .put("kind", kind)
        .put("position", &position)
        .put("status", status)
        .put("owner", owner)
        .put("notes", notes)
        .put("rev", rev);
    write(db, &tables::LOOPS, false, put)
}

pub(super) fn step(r: &dyn Row) -> Result<Step> {
    let f = Fields::new(r, &tables::STEPS)?;
    Ok(Step {
        id: f.id().to_string(),
        loop_id: f.text("loop_id")?,
        n: f.int("n")?,
        text: f.text("text")?,
        custom: f.bool("custom")?,
        done_at: f.opt_stamp("done_at")?,
        done_by: f.opt_text("done_by")?,
        evidence: f.opt_text("evidence")?,
    })
}

pub(super) fn upsert_step(db: &mut dyn Db, s: &Step) -> Result<()> {
    let Step {
        id,
        loop_id,
        n,
        text,
        custom,
        done_at,
        done_by,
        evidence,
    } = s;
    let put = Put::new(&tables::STEPS)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("n", n)
        .put("text", text)
        .put("custom", custom)
        .put("done_at", done_at)
        .put("done_by", done_by)
        .put("evidence", evidence);
    write(db, &tables::STEPS, true, put)
}

pub(super) fn metric(r: &dyn Row) -> Result<Metric> {
    let f = Fields::new(r, &tables::METRICS)?;
    Ok(Metric {
        id: f.id().to_string(),
        loop_id: f.text("loop_id")?,
        name: f.text("name")?,
        unit: f.text("unit")?,
        better: f.choice("better", Better::from_text)?,
        measures: f.choice("measures", Measures::from_text)?,
        set_at: f.stamp("set_at")?,
        set_by: f.text("set_by")?,
        replaced_at: f.opt_stamp("replaced_at")?,
        target: f.target("target")?,
        role: f.choice("role", MetricRole::from_text)?,
        max_worse: f.limit("max_worse")?,
    })
}

pub(super) fn upsert_metric(db: &mut dyn Db, m: &Metric) -> Result<()> {
    let Metric {
        id,
        loop_id,
        name,
        unit,
        better,
        measures,
        set_at,
        set_by,
        replaced_at,
        target,
        role,
        max_worse,
    } = m;
    let put = Put::new(&tables::METRICS)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("name", name)
        .put("unit", unit)
        .put("better", better)
        .put("measures", measures)
        .put("set_at", set_at)
        .put("set_by", set_by)
        .put("replaced_at", replaced_at)
        .put("target", target)
        .put("role", role)
        .put("max_worse", max_worse);
    write(db, &tables::METRICS, true, put)
}

pub(super) fn value(r: &dyn Row) -> Result<Value> {
    let f = Fields::new(r, &tables::VALUES)?;
    Ok(Value {
        id: f.id().to_string(),
        loop_id: f.text("loop_id")?,
        metric_id: f.text("metric_id")?,
        phase: f.choice("phase", Phase::from_text)?,
        value: f.real("value")?,
        at: f.when("at")?,
        note: f.text("note")?,
        recorded_by: f.text("recorded_by")?,
        recorded_at: f.stamp("recorded_at")?,
        void: void(&f)?,
    })
}

pub(super) fn insert_value(db: &mut dyn Db, v: &Value) -> Result<()> {
    let Value {
        id,
        loop_id,
        metric_id,
        phase,
        value,
        at,
        note,
        recorded_by,
        recorded_at,
        void,
    } = v;
    let put = Put::new(&tables::VALUES)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("metric_id", metric_id)
        .put("phase", phase)
        .put("value", value)
        .put("at", at)
        .put("note", note)
        .put("recorded_by", recorded_by)
        .put("recorded_at", recorded_at);
    write(db, &tables::VALUES, false, put_void(put, void))
}

/// Marks a row of `def` void (the only update appended-to rows ever get, with sign-offs).
pub(super) fn set_void(
    db: &mut dyn Db,
    def: &'static TableDef,
    id: &str,
    v: &Option<Void>,
) -> Result<()> {
    let (at, by, reason) = match v {
        Some(v) => (Some(v.at), Some(v.by.as_str()), Some(v.reason.as_str())),
        None => (None, None, None),
    };
    db.exec(
        &format!(
            "UPDATE {} SET void_at = ?2, void_by = ?3, void_reason = ?4 WHERE id = ?1",
            def.name
        ),
        params![id, at, by, reason],
    )?;
    Ok(())
}

pub(super) fn intervention(r: &dyn Row) -> Result<Intervention> {
    let f = Fields::new(r, &tables::INTERVENTIONS)?;
    Ok(Intervention {
        id: f.id().to_string(),
        loop_id: f.text("loop_id")?,
        metric_id: f.text("metric_id")?,
        description: f.text("description")?,
        at: f.when("at")?,
        recorded_by: f.text("recorded_by")?,
        recorded_at: f.stamp("recorded_at")?,
        void: void(&f)?,
        plan: f.opt_text("plan")?,
        plan_hash: f.opt_text("plan_hash")?,
    })
}

pub(super) fn insert_intervention(db: &mut dyn Db, i: &Intervention) -> Result<()> {
    let Intervention {
        id,
        loop_id,
        metric_id,
        description,
        at,
        recorded_by,
        recorded_at,
        void,
        plan,
        plan_hash,
    } = i;
    let put = Put::new(&tables::INTERVENTIONS)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("metric_id", metric_id)
        .put("description", description)
        .put("at", at)
        .put("recorded_by", recorded_by)
        .put("recorded_at", recorded_at)
        .put("plan", plan)
        .put("plan_hash", plan_hash);
    write(db, &tables::INTERVENTIONS, false, put_void(put, void))
}

pub(super) fn deviation(r: &dyn Row) -> Result<Deviation> {
    let f = Fields::new(r, &tables::DEVIATIONS)?;
    Ok(Deviation {
        id: f.id().to_string(),
        loop_id: f.text("loop_id")?,
        intervention_id: f.text("intervention_id")?,
        what: f.choice("what", DeviationKind::from_text)?,
        detail: f.text("detail")?,
        value: f.opt_text("value")?,
        reason: f.text("reason")?,
        at: f.stamp("at")?,
        recorded_by: f.text("recorded_by")?,
    })
}

pub(super) fn insert_deviation(db: &mut dyn Db, d: &Deviation) -> Result<()> {
    let Deviation {
        id,
        loop_id,
        intervention_id,
        what,
        detail,
        value,
        reason,
        at,
        recorded_by,
    } = d;
    let put = Put::new(&tables::DEVIATIONS)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("intervention_id", intervention_id)
        .put("what", what)
        .put("detail", detail)
        .put("value", value)
        .put("reason", reason)
        .put("at", at)
        .put("recorded_by", recorded_by);
    write(db, &tables::DEVIATIONS, false, put)
}

pub(super) fn signal(r: &dyn Row) -> Result<KillSignal> {
    let f = Fields::new(r, &tables::KILL_SIGNALS)?;
    Ok(KillSignal {
        id: f.id().to_string(),
        loop_id: f.text("loop_id")?,
        n: f.int("n")?,
        text: f.text("text")?,
        canonical: f.bool("canonical")?,
        state: f.choice("state", SignalState::from_text)?,
        reason: f.opt_text("reason")?,
        evidence: f.opt_text("evidence")?,
        changed_by: f.opt_text("changed_by")?,
        changed_at: f.opt_stamp("changed_at")?,
        decision: f.opt_choice("decision", KillDecision::from_text)?,
        decision_reason: f.opt_text("decision_reason")?,
        decided_by: f.opt_text("decided_by")?,
        decided_at: f.opt_stamp("decided_at")?,
        created_at: f.stamp("created_at")?,
        rule: f.opt_text("rule")?,
    })
}

pub(super) fn upsert_signal(db: &mut dyn Db, k: &KillSignal) -> Result<()> {
    let KillSignal {
        id,
        loop_id,
        n,
        text,
        canonical,
        state,
        reason,
        evidence,
        changed_by,
        changed_at,
        decision,
        decision_reason,
        decided_by,
        decided_at,
        created_at,
        rule,
    } = k;
    let put = Put::new(&tables::KILL_SIGNALS)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("n", n)
        .put("text", text)
        .put("canonical", canonical)
        .put("state", state)
        .put("reason", reason)
        .put("evidence", evidence)
        .put("changed_by", changed_by)
        .put("changed_at", changed_at)
        .put("decision", decision)
        .put("decision_reason", decision_reason)
        .put("decided_by", decided_by)
        .put("decided_at", decided_at)
        .put("created_at", created_at)
        .put("rule", rule);
    write(db, &tables::KILL_SIGNALS, true, put)
}

pub(super) fn decision(r: &dyn Row) -> Result<Decision> {
    let f = Fields::new(r, &tables::DECISIONS)?;
    Ok(Decision {
        id: f.id().to_string(),
        loop_id: f.text("loop_id")?,
        text: f.text("text")?,
        owner: f.text("owner")?,
        threshold: f.opt_text("threshold")?,
        at: f.stamp("at")?,
        recorded_by: f.text("recorded_by")?,
        supersedes: f.opt_text("supersedes")?,
        approved_at: f.opt_stamp("approved_at")?,
        approved_by: f.opt_text("approved_by")?,
        void: void(&f)?,
    })
}

pub(super) fn insert_decision(db: &mut dyn Db, d: &Decision) -> Result<()> {
    let Decision {
        id,
        loop_id,
        text,
        owner,
        threshold,
        at,
        recorded_by,
        supersedes,
        approved_at,
        approved_by,
        void,
    } = d;
    let put = Put::new(&tables::DECISIONS)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("text", text)
        .put("owner", owner)
        .put("threshold", threshold)
        .put("at", at)
        .put("recorded_by", recorded_by)
        .put("supersedes", supersedes)
        .put("approved_at", approved_at)
        .put("approved_by", approved_by);
    write(db, &tables::DECISIONS, false, put_void(put, void))
}

pub(super) fn set_approval(db: &mut dyn Db, d: &Decision) -> Result<()> {
    db.exec(
        "UPDATE decisions SET approved_at = ?2, approved_by = ?3 WHERE id = ?1",
        params![d.id, d.approved_at, d.approved_by],
    )?;
    Ok(())
}

pub(super) fn cycle(r: &dyn Row) -> Result<Cycle> {
    let f = Fields::new(r, &tables::CYCLES)?;
    let week = f.text("week")?;
    crate::domain::Week::parse(&week).map_err(|e| {
        super::Error::Undecodable(super::sql::Undecodable {
            table: tables::CYCLES.table,
            id: f.id().to_string(),
            why: format!("its week {}", e.message),
        })
    })?;
    Ok(Cycle {
        id: f.id().to_string(),
        job_id: f.text("job_id")?,
        week,
        understanding: f.bool("understanding")?,
        explanation: f.bool("explanation")?,
        creation: f.bool("creation")?,
        distribution: f.bool("distribution")?,
        understanding_note: f.text("understanding_note")?,
        explanation_note: f.text("explanation_note")?,
        creation_note: f.text("creation_note")?,
        distribution_note: f.text("distribution_note")?,
        note: f.text("note")?,
        closed_at: f.stamp("closed_at")?,
        closed_by: f.text("closed_by")?,
    })
}

pub(super) fn insert_cycle(db: &mut dyn Db, c: &Cycle) -> Result<()> {
    let Cycle {
        id,
        job_id,
        week,
        understanding,
        explanation,
        creation,
        distribution,
        understanding_note,
        explanation_note,
        creation_note,
        distribution_note,
        note,
        closed_at,
        closed_by,
    } = c;
    let put = Put::new(&tables::CYCLES)
        .put("id", id)
        .put("job_id", job_id)
        .put("week", week)
        .put("understanding", understanding)
        .put("explanation", explanation)
        .put("creation", creation)
        .put("distribution", distribution)
        .put("understanding_note", understanding_note)
        .put("explanation_note", explanation_note)
        .put("creation_note", creation_note)
        .put("distribution_note", distribution_note)
        .put("note", note)
        .put("closed_at", closed_at)
        .put("closed_by", closed_by);
    write(db, &tables::CYCLES, false, put)
}

pub(super) fn tool(r: &dyn Row) -> Result<Tool> {
    let f = Fields::new(r, &tables::TOOLS)?;
    Ok(Tool {
        id: f.id().to_string(),
        job_id: f.text("job_id")?,
        name: f.text("name")?,
        at: f.when("at")?,
        recorded_by: f.text("recorded_by")?,
        recorded_at: f.stamp("recorded_at")?,
    })
}

pub(super) fn insert_tool(db: &mut dyn Db, t: &Tool) -> Result<()> {
    let Tool {
        id,
        job_id,
        name,
        at,
        recorded_by,
        recorded_at,
    } = t;
    let put = Put::new(&tables::TOOLS)
        .put("id", id)
        .put("job_id", job_id)
        .put("name", name)
        .put("at", at)
        .put("recorded_by", recorded_by)
        .put("recorded_at", recorded_at);
    write(db, &tables::TOOLS, false, put)
}

pub(super) fn learning(r: &dyn Row) -> Result<Learning> {
    let f = Fields::new(r, &tables::LEARNINGS)?;
    Ok(Learning {
        id: f.id().to_string(),
        loop_id: f.text("loop_id")?,
        text: f.text("text")?,
        kind: f.choice("type", LearningType::from_text)?,
        tag: f.opt_text("tag")?,
        capability: f.opt_choice("capability", Capability::from_text)?,
        at: f.stamp("at")?,
        recorded_by: f.text("recorded_by")?,
        void: void(&f)?,
    })
}

pub(super) fn insert_learning(db: &mut dyn Db, l: &Learning) -> Result<()> {
    let Learning {
        id,
        loop_id,
        text,
        kind,
        tag,
        capability,
        at,
        recorded_by,
        void,
    } = l;
    let put = Put::new(&tables::LEARNINGS)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("text", text)
        .put("type", kind)
        .put("tag", tag)
        .put("capability", capability)
        .put("at", at)
        .put("recorded_by", recorded_by);
    write(db, &tables::LEARNINGS, false, put_void(put, void))
}

/// A proof's outcome counts, as their columns name them.
const COUNTS: [&str; 6] = [
    "replies",
    "citations",
    "intros",
    "bookings",
    "sales",
    "reuse",
];

pub(super) fn proof(r: &dyn Row) -> Result<Proof> {
    let f = Fields::new(r, &tables::PROOFS)?;
    let mut counts = [None; 6];
    for (c, name) in counts.iter_mut().zip(COUNTS) {
        *c = f.opt_int(name)?;
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
        job_id: f.text("job_id")?,
        title: f.text("title")?,
        kind: f.choice("kind", ProofKind::from_text)?,
        visibility: f.choice("visibility", Visibility::from_text)?,
        link: f.opt_text("link")?,
        at: f.when("at")?,
        recorded_by: f.text("recorded_by")?,
        outcome,
        outcome_at: f.opt_stamp("outcome_at")?,
    })
}

/// Inserts a proof, or updates its outcome when it exists.
pub(super) fn upsert_proof(db: &mut dyn Db, p: &Proof) -> Result<()> {
    let Proof {
        id,
        job_id,
        title,
        kind,
        visibility,
        link,
        at,
        recorded_by,
        outcome,
        outcome_at,
    } = p;
    let counts: [Option<i64>; 6] = match outcome {
        Some(o) => {
            let ProofOutcome {
                replies,
                citations,
                intros,
                bookings,
                sales,
                reuse,
            } = *o;
            [replies, citations, intros, bookings, sales, reuse].map(Some)
        }
        None => [None; 6],
    };
    let mut put = Put::new(&tables::PROOFS)
        .put("id", id)
        .put("job_id", job_id)
        .put("title", title)
        .put("kind", kind)
        .put("visibility", visibility)
        .put("link", link)
        .put("at", at)
        .put("recorded_by", recorded_by)
        .put("outcome_at", outcome_at);
    for (name, count) in COUNTS.iter().zip(&counts) {
        put = put.put(name, count);
    }
    write(db, &tables::PROOFS, true, put)
}

/// An audit event. Its first column is the sequence number, so errors name it.
pub(super) fn event(r: &dyn Row) -> Result<AuditEvent> {
    let f = Fields::new(r, &tables::AUDIT_EVENTS)?;
    let seq = f.int("seq")?;
    let bad = |why: String| {
        super::Error::Undecodable(super::sql::Undecodable {
            table: tables::AUDIT_EVENTS.table,
            id: seq.to_string(),
            why,
        })
    };
    let json = |name: &str| -> Result<serde_json::Value> {
        serde_json::from_str(&f.text(name)?)
            .map_err(|e| bad(format!("its {name} is not JSON ({e})")))
    };
    Ok(AuditEvent {
        seq,
        id: f.text("id")?,
        at: f.stamp("at")?,
        actor: f.text("actor")?,
        command: f.text("command")?,
        job_id: f.opt_text("job_id")?,
        loop_kind: f.opt_kind("loop_kind")?,
        summary: f.text("summary")?,
        before: json("before")?,
        after: json("after")?,
        prev_hash: f.text("prev_hash")?,
        hash: f.text("hash")?,
    })
}

pub(super) fn insert_event(db: &mut dyn Db, e: &AuditEvent) -> Result<()> {
    let AuditEvent {
        seq,
        id,
        at,
        actor,
        command,
        job_id,
        loop_kind,
        summary,
        before,
        after,
        prev_hash,
        hash,
    } = e;
    // The JSON exactly as hashed: `verify` hashes the stored text.
    let (before, after) = (before.to_string(), after.to_string());
    let put = Put::new(&tables::AUDIT_EVENTS)
        .put("seq", seq)
        .put("id", id)
        .put("at", at)
        .put("actor", actor)
        .put("command", command)
        .put("job_id", job_id)
        .put("loop_kind", loop_kind)
        .put("summary", summary)
        .put("before", &before)
        .put("after", &after)
        .put("prev_hash", prev_hash)
        .put("hash", hash);
    write(db, &tables::AUDIT_EVENTS, false, put)
}
