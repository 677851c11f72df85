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
