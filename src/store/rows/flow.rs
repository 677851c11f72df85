//! The flow's records: steps, removed work, governance acts, critic results, incidents.

use super::{put_void, void, write};
use crate::domain::model::*;
use crate::store::sql::{Db, Fields, Put, Row};
use crate::store::tables;
use crate::store::{Error, Result};

/// A list stored as comma-separated text (`a,b`; empty for none).
fn joined<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items.collect::<Vec<_>>().join(",")
}

fn split(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty())
}

pub(in crate::store) fn flow_step(r: &dyn Row) -> Result<FlowStep> {
    let f = Fields::new(r, &tables::FLOW_STEPS)?;
    let data = split(&f.text("data")?)
        .map(|c| {
            DataClass::from_text(c).ok_or_else(|| {
                Error::Undecodable(crate::store::sql::Undecodable {
                    table: tables::FLOW_STEPS.table,
                    id: f.id().to_string(),
                    why: format!("its data classes hold `{c}`, which is not one"),
                })
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(FlowStep {
        id: f.own_id(),
        loop_id: f.id_of("loop_id")?,
        name: f.text("name")?,
        kind: f.choice("kind", StepKind::from_text)?,
        by: f.choice("performer", Performer::from_text)?,
        role: f.opt_choice("role", AgentRole::from_text)?,
        gate: f.opt_choice("gate", HumanGate::from_text)?,
        after: split(&f.text("after_steps")?).map(Id::from_text).collect(),
        data,
        irreversible: f.bool("irreversible")?,
        at: f.when("at")?,
        recorded_by: f.text("recorded_by")?,
        recorded_at: f.stamp("recorded_at")?,
        changed_at: f.opt_stamp("changed_at")?,
        changed_by: f.opt_text("changed_by")?,
        void: void(&f)?,
    })
}

/// Inserts a step, or writes what `flow set` and `flow void` change of it.
pub(in crate::store) fn upsert_flow_step(db: &mut dyn Db, s: &FlowStep) -> Result<()> {
    let FlowStep {
        id,
        loop_id,
        name,
        kind,
        by,
        role,
        gate,
        after,
        data,
        irreversible,
        at,
        recorded_by,
        recorded_at,
        changed_at,
        changed_by,
        void,
    } = s;
    let after = joined(after.iter().map(FlowStepId::as_str));
    let data = joined(data.iter().map(|d| d.as_str()));
    let put = Put::new(&tables::FLOW_STEPS)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("name", name)
        .put("kind", kind)
        .put("performer", by)
        .put("role", role)
        .put("gate", gate)
        .put("after_steps", &after)
        .put("data", &data)
        .put("irreversible", irreversible)
        .put("at", at)
        .put("recorded_by", recorded_by)
        .put("recorded_at", recorded_at)
        .put("changed_at", changed_at)
        .put("changed_by", changed_by);
    write(db, &tables::FLOW_STEPS, true, put_void(put, void))
}

pub(in crate::store) fn flow_drop(r: &dyn Row) -> Result<FlowDrop> {
    let f = Fields::new(r, &tables::FLOW_DROPS)?;
    Ok(FlowDrop {
        id: f.own_id(),
        loop_id: f.id_of("loop_id")?,
        name: f.text("name")?,
        why: f.text("why")?,
        at: f.when("at")?,
        recorded_by: f.text("recorded_by")?,
        recorded_at: f.stamp("recorded_at")?,
        void: void(&f)?,
    })
}

pub(in crate::store) fn upsert_flow_drop(db: &mut dyn Db, d: &FlowDrop) -> Result<()> {
    let FlowDrop {
        id,
        loop_id,
        name,
        why,
        at,
        recorded_by,
        recorded_at,
        void,
    } = d;
    let put = Put::new(&tables::FLOW_DROPS)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("name", name)
        .put("why", why)
        .put("at", at)
        .put("recorded_by", recorded_by)
        .put("recorded_at", recorded_at);
    write(db, &tables::FLOW_DROPS, true, put_void(put, void))
}

pub(in crate::store) fn governance(r: &dyn Row) -> Result<Governance> {
    let f = Fields::new(r, &tables::GOVERNANCE)?;
    Ok(Governance {
        id: f.own_id(),
        loop_id: f.id_of("loop_id")?,
        step_id: f.id_of("step_id")?,
        owner: f.opt_text("owner")?,
        approval: f.opt_text("approval")?,
        critic: f.opt_text("critic")?,
        critic_by: f.opt_choice("critic_by", Performer::from_text)?,
        at: f.stamp("at")?,
        recorded_by: f.text("recorded_by")?,
        void: void(&f)?,
    })
}

pub(in crate::store) fn upsert_governance(db: &mut dyn Db, g: &Governance) -> Result<()> {
    let Governance {
        id,
        loop_id,
        step_id,
        owner,
        approval,
        critic,
        critic_by,
        at,
        recorded_by,
        void,
    } = g;
    let put = Put::new(&tables::GOVERNANCE)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("step_id", step_id)
        .put("owner", owner)
        .put("approval", approval)
        .put("critic", critic)
        .put("critic_by", critic_by)
        .put("at", at)
        .put("recorded_by", recorded_by);
    write(db, &tables::GOVERNANCE, true, put_void(put, void))
}

pub(in crate::store) fn critic_result(r: &dyn Row) -> Result<CriticResult> {
    let f = Fields::new(r, &tables::CRITIC_RESULTS)?;
    Ok(CriticResult {
        id: f.own_id(),
        loop_id: f.id_of("loop_id")?,
        step_id: f.id_of("step_id")?,
        critic: f.text("critic")?,
        result: f.choice("result", Verdict::from_text)?,
        note: f.opt_text("note")?,
        at: f.stamp("at")?,
        recorded_by: f.text("recorded_by")?,
        void: void(&f)?,
    })
}

pub(in crate::store) fn upsert_critic_result(db: &mut dyn Db, c: &CriticResult) -> Result<()> {
    let CriticResult {
        id,
        loop_id,
        step_id,
        critic,
        result,
        note,
        at,
        recorded_by,
        void,
    } = c;
    let put = Put::new(&tables::CRITIC_RESULTS)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("step_id", step_id)
        .put("critic", critic)
        .put("result", result)
        .put("note", note)
        .put("at", at)
        .put("recorded_by", recorded_by);
    write(db, &tables::CRITIC_RESULTS, true, put_void(put, void))
}

pub(in crate::store) fn incident(r: &dyn Row) -> Result<Incident> {
    let f = Fields::new(r, &tables::INCIDENTS)?;
    Ok(Incident {
        id: f.own_id(),
        loop_id: f.id_of("loop_id")?,
        step_id: f.id_of("step_id")?,
        what: f.text("what")?,
        severity: f.choice("severity", Severity::from_text)?,
        tag: f.opt_text("tag")?,
        detected_by: f.opt_choice("detected_by", DetectedBy::from_text)?,
        at: f.when("at")?,
        recorded_by: f.text("recorded_by")?,
        recorded_at: f.stamp("recorded_at")?,
        change: f.opt_text("change")?,
        fixed_at: f.opt_stamp("fixed_at")?,
        fixed_by: f.opt_text("fixed_by")?,
        void: void(&f)?,
    })
}

pub(in crate::store) fn upsert_incident(db: &mut dyn Db, i: &Incident) -> Result<()> {
    let Incident {
        id,
        loop_id,
        step_id,
        what,
        severity,
        tag,
        detected_by,
        at,
        recorded_by,
        recorded_at,
        change,
        fixed_at,
        fixed_by,
        void,
    } = i;
    let put = Put::new(&tables::INCIDENTS)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("step_id", step_id)
        .put("what", what)
        .put("severity", severity)
        .put("tag", tag)
        .put("detected_by", detected_by)
        .put("at", at)
        .put("recorded_by", recorded_by)
        .put("recorded_at", recorded_at)
        .put("change", change)
        .put("fixed_at", fixed_at)
        .put("fixed_by", fixed_by);
    write(db, &tables::INCIDENTS, true, put_void(put, void))
}
