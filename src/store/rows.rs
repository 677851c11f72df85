//! How a row becomes a record and a record a row, for each table: read by column name and
//! written by column name, against the table's one declaration (`tables`). Shared by every
//! query, the pipeline, import and export.

mod flow;
mod jobs;
mod measures;
mod records;
mod shaped;
mod trail;

pub(super) use flow::*;
pub(super) use jobs::*;
pub(super) use measures::*;
pub(super) use records::*;
pub(super) use trail::*;

use super::Result;
use super::sql::Row;
use super::sql::{Db, Fields, P, Put};
use super::tables::{self, TableDef};
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

/// The reader and the writer of each table whose record has its row's shape (`shaped`): a
/// field added to one of these records needs only its column declared.
macro_rules! shaped {
    ($($record:ty: $def:ident, $read:ident, $write:ident($upsert:literal);)+) => {$(
        pub(super) fn $read(r: &dyn Row) -> Result<$record> {
            shaped::read(r, &tables::$def)
        }

        pub(super) fn $write(db: &mut dyn Db, record: &$record) -> Result<()> {
            let params = shaped::params(record, &tables::$def)?;
            db.exec(&tables::$def.insert_sql($upsert), &params)?;
            Ok(())
        }
    )+

        /// Reads a row of a table listed here and writes it back: whether the cells it would
        /// write are the ones it read (`None` for a table not listed).
        #[cfg(test)]
        pub(super) fn shaped_round_trip(def: &'static TableDef, r: &dyn Row) -> Option<Result<bool>> {
            $(if def.table == tables::$def.table {
                let read = |r| -> Result<bool> {
                    let record: $record = $read(r)?;
                    Ok(shaped::params(&record, def)? == shaped::cells(r, def)?)
                };
                return Some(read(r));
            })+
            None
        }

        /// Each table listed here and the fields its record asks for by name.
        #[cfg(test)]
        pub(super) fn shaped_fields() -> Vec<(&'static TableDef, Option<&'static [&'static str]>)> {
            vec![$((&tables::$def, shaped::field_names::<$record>())),+]
        }
    };
}

// Written once and never changed, or (`true`) rewritten in the columns a later command changes.
shaped! {
    Job: JOBS, job, insert_job(false);
    Step: STEPS, step, upsert_step(true);
    Cycle: CYCLES, cycle, insert_cycle(false);
    Value: VALUES, value, insert_value(false);
    Intervention: INTERVENTIONS, intervention, insert_intervention(false);
    Deviation: DEVIATIONS, deviation, insert_deviation(false);
    KillSignal: KILL_SIGNALS, signal, upsert_signal(true);
    Decision: DECISIONS, decision, insert_decision(false);
    Tool: TOOLS, tool, upsert_tool(true);
    Learning: LEARNINGS, learning, insert_learning(false);
    FlowDrop: FLOW_DROPS, flow_drop, upsert_flow_drop(true);
    Governance: GOVERNANCE, governance, upsert_governance(true);
    CriticResult: CRITIC_RESULTS, critic_result, upsert_critic_result(true);
    Incident: INCIDENTS, incident, upsert_incident(true);
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
