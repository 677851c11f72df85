//! Values that arrive many at a time (a CSV file, a pipe): which phase a row takes when it names
//! none, and which rows were recorded already, so that importing the same file again records
//! nothing new. Each row is then recorded by the same rule as the commands (`RecordValue`).

use std::collections::HashMap;

use super::error::Refusal;
use super::loop_record::LoopRecord;
use super::model::{Phase, Value};
use super::time::When;
use super::{LoopKind, LoopOp};

/// One value to record, as a file gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueRow {
    /// Where it came from, for the error that names it.
    pub place: Place,
    pub job: String,
    pub kind: LoopKind,
    pub date: When,
    pub value: f64,
    /// The value's text as it was in the file.
    pub typed: String,
    /// `None`: from the date (baseline before the loop's first intervention, live from it on).
    pub phase: Option<Phase>,
    pub guard: Option<String>,
    pub note: Option<String>,
    /// The value's id in the system it came from.
    pub source: Option<String>,
    /// The primary metric the form showed for it (see `LoopOp::RecordValue`).
    pub shown: Option<crate::domain::model::MetricId>,
}

/// Where a row came from: a line of its file (the header is line 1), or a form's field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    Line(u64),
    /// The field's label (`job/loop metric`).
    Field(String),
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Line(n) => write!(f, "line {n}"),
            Place::Field(label) => f.write_str(label),
        }
    }
}

/// What makes two values without a source id the same record: the metric (primary or which
/// guardrail), the phase, the day, the number's bits and the note.
type Key = (Option<String>, Phase, String, u64, String);

/// The values a loop already has, counted, and their source ids. Identical rows in one file are
/// separate values: the n-th such row is skipped only when the loop already has n of them.
pub struct Recorded {
    counts: HashMap<Key, usize>,
    /// Each source id recorded, with its value's day and number.
    sources: HashMap<String, (String, u64)>,
    /// The day and number of each voided value with a source id.
    voided_sources: HashMap<String, Vec<(String, u64)>>,
}

impl Recorded {
    pub fn of(record: &LoopRecord) -> Recorded {
        let mut counts = HashMap::new();
        let mut sources = HashMap::new();
        let mut voided_sources: HashMap<String, Vec<(String, u64)>> = HashMap::new();
        let mut count = |guard: Option<&str>, v: &Value| {
            // A voided value's source id is free for the corrected value, but the voided value
            // itself still counts as recorded: reading the same file again does not bring it
            // back.
            if let Some(s) = &v.source {
                let seen = (v.at.date().to_string(), v.value.to_bits());
                match v.void {
                    None => {
                        sources.insert(s.clone(), seen);
                    }
                    Some(_) => voided_sources.entry(s.clone()).or_default().push(seen),
                }
            }
            let key = (
                guard.map(str::to_string),
                v.phase,
                v.at.date().to_string(),
                v.value.to_bits(),
                v.note.clone(),
            );
            *counts.entry(key).or_insert(0) += 1;
        };
        for v in &record.values {
            count(None, v);
        }
        for g in record.guardrails.iter().chain(&record.removed_guardrails) {
            for v in &g.values {
                count(Some(&g.metric.name), v);
            }
        }
        Recorded {
            counts,
            sources,
            voided_sources,
        }
    }

    /// The value to record for `row`, or `None` when the loop has it already (skipped). A row
    /// whose source id is recorded with another day or number is refused: the system it came
    /// from changed it, and skipping it would keep the old number without a word.
    /// `reason` goes with a baseline row, as `baseline --reason` does: the row is then recorded
    /// as a deviation when it changes a locked plan, and refused without one, as the command is.
    pub fn take(
        &mut self,
        record: &LoopRecord,
        row: &ValueRow,
        reason: Option<&str>,
    ) -> Result<Option<LoopOp>, Refusal> {
        let seen = (row.date.date().to_string(), (row.value + 0.0).to_bits());
        if let Some(s) = &row.source
            && self
                .voided_sources
                .get(s)
                .is_some_and(|v| v.contains(&seen))
            && !self.sources.contains_key(s)
        {
            return Ok(None);
        }
        if let Some(s) = &row.source
            && let Some((day, bits)) = self.sources.get(s)
        {
            if *day == row.date.date().to_string() && *bits == (row.value + 0.0).to_bits() {
                return Ok(None);
            }
            return Err(Refusal::conflict(format!(
                "source `{s}` is already recorded on {} with {} on {day}, not {} on {}: void that value first if the system it came from corrected it",
                record.addr(),
                f64::from_bits(*bits),
                row.typed,
                row.date
            )));
        }
        let op = row.op(record, reason);
        if row.source.is_none()
            && let LoopOp::RecordValue { phase, .. } = &op
        {
            let key = (
                row.guard.clone(),
                *phase,
                row.date.date().to_string(),
                // `-0` is kept as 0.
                (row.value + 0.0).to_bits(),
                row.note.clone().unwrap_or_default(),
            );
            if let Some(n) = self.counts.get_mut(&key)
                && *n > 0
            {
                *n -= 1;
                return Ok(None);
            }
        }
        Ok(Some(op))
    }
}

impl ValueRow {
    /// The value to record on `record`, its phase read from the loop when the row names none.
    /// `reason` goes with a baseline value, as `baseline --reason` does; a live value changes
    /// no plan and takes none (as `measure` refuses one).
    pub fn op(&self, record: &LoopRecord, reason: Option<&str>) -> LoopOp {
        let phase = self.phase.unwrap_or_else(|| phase_on(record, self.date));
        LoopOp::RecordValue {
            phase,
            value: self.value,
            typed: Some(self.typed.clone()),
            source: self.source.clone(),
            at: self.date,
            note: self.note.clone(),
            reason: (phase == Phase::Baseline)
                .then_some(reason)
                .flatten()
                .map(str::to_string),
            guard: self.guard.clone(),
            shown: self.shown.clone(),
        }
    }
}

/// The phase of a value dated `at` when none is given: baseline before the loop's first
/// intervention that stands, live from its day on.
pub fn phase_on(record: &LoopRecord, at: When) -> Phase {
    match record.active_interventions().map(|i| i.at.date()).min() {
        Some(first) if at.date() >= first => Phase::Live,
        _ => Phase::Baseline,
    }
}
