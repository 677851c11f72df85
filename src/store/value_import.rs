//! Many values in one transaction (`values import`, the week form, undoing either): each
//! recorded or voided by the same rule and with the same audit event as one command, all or
//! nothing; an import skips and counts the rows the loop already has.

use std::collections::HashMap;

use super::pipeline::{self, Ack};
use super::sql::Db;
use super::{Error, Result, Store, guard, load};
use crate::domain::intent::LoopOp;
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
    /// The last audit event written.
    seq: Option<i64>,
}

impl ValuesImported {
    /// The acknowledgement of a command that wrote them.
    fn ack(self) -> Ack {
        Ack {
            changed: !self.recorded.is_empty(),
            summary: self
                .recorded
                .into_iter()
                .chain(self.fired)
                .collect::<Vec<_>>()
                .join("\n"),
            seq: self.seq,
            next: None,
            happened: self.happened,
        }
    }
}

/// Whether a row the loop already has is skipped (an import run again) or recorded again (a
/// form: what was typed is a new measurement, even when it equals an earlier one).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Again {
    Skip,
    Record,
}

/// Loops written by many commands in one transaction: each loaded and checked against the trail
/// once, then kept as the commands change it (its interventions decide a row's phase), so a
/// command costs its own write, never a reload of the loop's history. The kill rules are read
/// after each value, as they are after each `measure`: three bad weeks followed by good ones
/// trip a rule in a file exactly as typed one by one (read once at the end, the good weeks
/// would hide the bad ones).
struct Many {
    seen: HashMap<(String, LoopKind), (LoopRecord, Recorded)>,
    order: Vec<(String, LoopKind)>,
    states: pipeline::States,
    done: ValuesImported,
}

impl Many {
    fn new() -> Many {
        Many {
            seen: HashMap::new(),
            order: Vec::new(),
            states: pipeline::States::later(),
            done: ValuesImported::default(),
        }
    }

    /// The loop as the commands so far left it, with the values it had before them.
    fn record(
        &mut self,
        db: &mut dyn Db,
        slug: &str,
        kind: LoopKind,
    ) -> Result<&mut (LoopRecord, Recorded)> {
        let key = (slug.to_string(), kind);
        if !self.seen.contains_key(&key) {
            let record = load::loop_record(db, slug, kind)?;
            guard::job_matches(db, &record.job)?;
            guard::loop_matches(db, &record)?;
            let recorded = Recorded::of(&record);
            self.seen.insert(key.clone(), (record, recorded));
            self.order.push(key.clone());
        }
        self.seen
            .get_mut(&key)
            .ok_or_else(|| Error::Storage("a loop of the batch vanished".into()))
    }

    fn apply(
        &mut self,
        db: &mut dyn Db,
        ctx: &Ctx,
        slug: &str,
        kind: LoopKind,
        op: &LoopOp,
    ) -> Result<()> {
        let key = (slug.to_string(), kind);
        let Some((record, _)) = self.seen.get_mut(&key) else {
            return Err(Error::Storage("a loop of the batch was not loaded".into()));
        };
        // The loop before a new value, but for its values: what its write and event compare
        // it with holds none. (A void updates a value row, checked against the trail: its
        // `before` keeps them.)
        let before = if matches!(op, LoopOp::RecordValue { .. }) {
            let values = std::mem::take(&mut record.values);
            let before = record.clone();
            record.values = values;
            before
        } else {
            record.clone()
        };
        let ack = pipeline::applied(
            db,
            ctx,
            &before,
            record,
            op,
            &mut self.states,
            pipeline::Rules::Later,
        )?;
        if ack.changed {
            self.done.recorded.push(ack.summary);
            self.done.seq = ack.seq.or(self.done.seq);
        }
        self.done.happened.extend(ack.happened);
        if ack.changed && matches!(op, LoopOp::RecordValue { .. }) {
            let fired = pipeline::rules_after(db, record, ctx, &mut self.done.happened)?;
            self.done.fired.extend(fired);
        }
        Ok(())
    }

    fn finish(mut self, db: &mut dyn Db, ctx: &Ctx) -> Result<ValuesImported> {
        for key in &self.order {
            if let Some((record, _)) = self.seen.get_mut(key) {
                let fired = pipeline::rules_after(db, record, ctx, &mut self.done.happened)?;
                self.done.fired.extend(fired);
            }
        }
        let breached = self.states.finish(db)?;
        self.done.happened.extend(breached);
        Ok(self.done)
    }
}

/// Records `rows` in the open transaction; a refused row refuses them all, named by where it
/// came from (its line, its field).
pub(super) fn record_rows(
    db: &mut dyn Db,
    ctx: &Ctx,
    rows: &[ValueRow],
    again: Again,
    reason: Option<&str>,
) -> Result<ValuesImported> {
    let mut many = Many::new();
    for row in rows {
        let at_place = |e: Error| match e {
            Error::Refused(r) => Error::Refused(Refusal {
                message: format!("{}: {}", row.place, r.message),
                ..r
            }),
            other => other,
        };
        let (record, recorded) = many.record(db, &row.job, row.kind).map_err(at_place)?;
        let op = match again {
            Again::Skip => recorded
                .take(record, row, reason)
                .map_err(|r| at_place(Error::Refused(r)))?,
            Again::Record => Some(row.op(record, reason)),
        };
        let Some(op) = op else {
            many.done.skipped += 1;
            continue;
        };
        many.apply(db, ctx, &row.job, row.kind, &op)
            .map_err(at_place)?;
    }
    many.finish(db, ctx)
}

/// Records the week form's values (`Intent::RecordValues`); `reason` goes with a baseline value
/// that changes a locked plan, as with `baseline --reason`.
pub(super) fn record_values(
    db: &mut dyn Db,
    ctx: &Ctx,
    rows: &[ValueRow],
    reason: Option<&str>,
) -> Result<Ack> {
    if rows.is_empty() {
        return Err(Refusal::invalid(
            "no value was typed: type at least one number, or leave the form",
        )
        .into());
    }
    Ok(record_rows(db, ctx, rows, Again::Record, reason)?.ack())
}

/// Voids many values (`Intent::VoidValues`), each as `void` does it.
pub(super) fn void_values(
    db: &mut dyn Db,
    ctx: &Ctx,
    values: &[(String, LoopKind, String)],
    reason: &str,
) -> Result<Ack> {
    let mut many = Many::new();
    for (slug, kind, id) in values {
        many.record(db, slug, *kind)?;
        let op = LoopOp::Void {
            record: id.clone(),
            reason: reason.to_string(),
        };
        many.apply(db, ctx, slug, *kind, &op)?;
    }
    Ok(many.finish(db, ctx)?.ack())
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
            done = record_rows(db, ctx, rows, Again::Skip, reason)?;
            Ok(!dry_run && !done.recorded.is_empty())
        })?;
        if dry_run {
            done.happened.clear();
        }
        Ok(done)
    }
}
