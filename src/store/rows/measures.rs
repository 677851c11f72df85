//! Metrics, values, interventions (with their locked plans), deviations and kill signals.

use super::{put_void, void, write};
use crate::domain::model::*;
use crate::store::Result;
use crate::store::sql::{Db, Fields, Put, Row, params};
use crate::store::tables::{self, TableDef};

pub(in crate::store) fn metric(r: &dyn Row) -> Result<Metric> {
    let f = Fields::new(r, &tables::METRICS)?;
    Ok(Metric {
        id: f.own_id(),
        loop_id: f.id_of("loop_id")?,
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

pub(in crate::store) fn upsert_metric(db: &mut dyn Db, m: &Metric) -> Result<()> {
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

pub(in crate::store) fn value(r: &dyn Row) -> Result<Value> {
    let f = Fields::new(r, &tables::VALUES)?;
    Ok(Value {
        id: f.own_id(),
        loop_id: f.id_of("loop_id")?,
        metric_id: f.id_of("metric_id")?,
        phase: f.choice("phase", Phase::from_text)?,
        value: f.real("value")?,
        at: f.when("at")?,
        note: f.text("note")?,
        recorded_by: f.text("recorded_by")?,
        recorded_at: f.stamp("recorded_at")?,
        void: void(&f)?,
        typed: f.opt_text("typed")?,
        source: f.opt_text("source")?,
    })
}

pub(in crate::store) fn insert_value(db: &mut dyn Db, v: &Value) -> Result<()> {
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
        typed,
        source,
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
        .put("recorded_at", recorded_at)
        .put("typed", typed)
        .put("source", source);
    write(db, &tables::VALUES, false, put_void(put, void))
}

/// Marks a row of `def` void (the only update appended-to rows ever get, with sign-offs).
pub(in crate::store) fn set_void(
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

pub(in crate::store) fn intervention(r: &dyn Row) -> Result<Intervention> {
    let f = Fields::new(r, &tables::INTERVENTIONS)?;
    Ok(Intervention {
        id: f.own_id(),
        loop_id: f.id_of("loop_id")?,
        metric_id: f.id_of("metric_id")?,
        description: f.text("description")?,
        at: f.when("at")?,
        recorded_by: f.text("recorded_by")?,
        recorded_at: f.stamp("recorded_at")?,
        void: void(&f)?,
        plan: f.opt_text("plan")?,
        plan_hash: f.opt_text("plan_hash")?,
    })
}

pub(in crate::store) fn insert_intervention(db: &mut dyn Db, i: &Intervention) -> Result<()> {
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

pub(in crate::store) fn deviation(r: &dyn Row) -> Result<Deviation> {
    let f = Fields::new(r, &tables::DEVIATIONS)?;
    Ok(Deviation {
        id: f.own_id(),
        loop_id: f.id_of("loop_id")?,
        intervention_id: f.id_of("intervention_id")?,
        what: f.choice("what", DeviationKind::from_text)?,
        detail: f.text("detail")?,
        value: f.opt_text("value")?,
        reason: f.text("reason")?,
        at: f.stamp("at")?,
        recorded_by: f.text("recorded_by")?,
    })
}

pub(in crate::store) fn insert_deviation(db: &mut dyn Db, d: &Deviation) -> Result<()> {
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

pub(in crate::store) fn signal(r: &dyn Row) -> Result<KillSignal> {
    let f = Fields::new(r, &tables::KILL_SIGNALS)?;
    Ok(KillSignal {
        id: f.own_id(),
        loop_id: f.id_of("loop_id")?,
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

pub(in crate::store) fn upsert_signal(db: &mut dyn Db, k: &KillSignal) -> Result<()> {
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
