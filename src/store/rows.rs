//! How a row becomes a record and a record a row, for each table: read by column name and
//! written by column name, against the table's one declaration (`tables`). Shared by every
//! query, the pipeline, import and export.

mod flow;
mod jobs;
mod measures;
mod records;
mod trail;

pub(super) use flow::*;
pub(super) use jobs::*;
pub(super) use measures::*;
pub(super) use records::*;
pub(super) use trail::*;

use super::Result;
use super::sql::{Db, Fields, P, Put};
use super::tables::TableDef;
use crate::domain::model::*;
use crate::domain::time::Stamp;

pub(super) use super::tables::{
    CRITIC_RESULT_COLS, CYCLE_COLS, DECISION_COLS, DEVIATION_COLS, EVENT_COLS, FLOW_DROP_COLS,
    FLOW_STEP_COLS, GOVERNANCE_COLS, INCIDENT_COLS, INTERVENTION_COLS, JOB_COLS, LEARNING_COLS,
    LOOP_COLS, METRIC_COLS, PROOF_COLS, SIGNAL_COLS, STEP_COLS, TOOL_COLS, VALUE_COLS,
};

/// A column list with each column qualified by a table alias, for joins.
pub(super) fn prefixed(alias: &str, cols: &str) -> String {
    cols.split(',')
        .map(|c| format!("{alias}.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Writes a record: a new row, or with `upsert` the columns a later command may change.
pub(super) fn write(db: &mut dyn Db, def: &'static TableDef, upsert: bool, put: Put) -> Result<()> {
    let params: Vec<P> = put.params()?;
    db.exec(&def.insert_sql(upsert), &params)?;
    Ok(())
}

pub(super) fn void(f: &Fields) -> Result<Option<Void>> {
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
pub(super) fn put_void<'a>(put: Put<'a>, v: &'a Option<Void>) -> Put<'a> {
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
