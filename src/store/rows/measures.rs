//! Metrics, values, interventions (with their locked plans), deviations and kill signals.

use super::write;
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
