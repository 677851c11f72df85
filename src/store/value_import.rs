//! Many values in one transaction (`values import`): each row recorded by the same rule as the
//! commands, all or nothing; rows the loop already has are skipped and counted.

use std::collections::HashMap;

use super::{Error, Result, Store, guard, load, pipeline};
use crate::domain::loop_record::LoopRecord;
use crate::domain::value_import::{Recorded, ValueRow};
use crate::domain::{Ctx, LoopKind, Refusal};

/// What an import recorded (or, in a dry run, would record).
#[derive(Debug, Default)]
pub struct ValuesImported {
    /// One line per value recorded, as its audit event says it.
    pub recorded: Vec<String>,
    /// Rows the loops already had.
    pub skipped: usize,
    /// What the loops' kill rules did once every row was in (a signal tripped), as said.
    pub fired: Vec<String>,
    /// What the committed import did for hooks: trips and decisions as each row did them,
    /// guardrails breached by the whole file (empty for a dry run).
    pub happened: Vec<crate::domain::hook::Happening>,
}

impl Store {
    /// Records `rows` in one transaction, or with `dry_run` works them out and writes nothing.
    /// A refused row refuses the whole file, named by its line.
    pub fn import_values(
        &mut self,
        ctx: &Ctx,
        rows: &[ValueRow],
        dry_run: bool,
        reason: Option<&str>,
    ) -> Result<ValuesImported> {
        let mut done = ValuesImported::default();
        self.write_raw(|db| {
            done = ValuesImported::default();
            let mut states = pipeline::States::later();
            // Each loop loaded and checked against the trail once, then kept as the rows change
            // it (its interventions decide a row's phase), with what it had recorded before the
            // import: a row costs its own write, never a reload of the loop's history.
            let mut seen: HashMap<(String, LoopKind), (LoopRecord, Recorded)> = HashMap::new();
            let mut order: Vec<(String, LoopKind)> = Vec::new();
            for row in rows {
                let at_line = |e: Error| match e {
                    Error::Refused(r) => Error::Refused(Refusal {
                        message: format!("line {}: {}", row.line, r.message),
                        ..r
                    }),
                    other => other,
                };
                let key = (row.job.clone(), row.kind);
                if !seen.contains_key(&key) {
                    let record = load::loop_record(db, &row.job, row.kind).map_err(at_line)?;
                    guard::job_matches(db, &record.job).map_err(at_line)?;
                    guard::loop_matches(db, &record).map_err(at_line)?;
                    let recorded = Recorded::of(&record);
                    seen.insert(key.clone(), (record, recorded));
                    order.push(key.clone());
                }
                let Some((record, recorded)) = seen.get_mut(&key) else {
                    continue;
                };
                let Some(op) = recorded
                    .take(record, row, reason)
                    .map_err(|r| at_line(Error::Refused(r)))?
                else {
                    done.skipped += 1;
                    continue;
                };
                // The loop before this row, but for its values: what the row's write and
                // event compare it with holds none.
                let values = std::mem::take(&mut record.values);
                let before = record.clone();
                record.values = values;
                let ack = pipeline::applied(
                    db,
                    ctx,
                    &before,
                    record,
                    &op,
                    &mut states,
                    pipeline::Rules::Later,
                )
                .map_err(at_line)?;
                done.recorded.push(ack.summary);
                done.happened.extend(ack.happened);
            }
            // The kill rules read the loops once, with every row in: what a rule finds is the
            // same, and a file costs one reading of each loop's values, not one per row.
            for key in &order {
                if let Some((record, _)) = seen.get_mut(key) {
                    let fired = pipeline::rules_after(db, record, ctx, &mut done.happened)?;
                    done.fired.extend(fired);
                }
            }
            let breached = states.finish(db)?;
            done.happened.extend(breached);
            Ok(!dry_run && !done.recorded.is_empty())
        })?;
        if dry_run {
            done.happened.clear();
        }
        Ok(done)
    }
}
