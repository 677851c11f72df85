//! The seam between the write pipeline and a database engine. Every statement jobloop runs is
//! written once, in the SQL both SQLite and PostgreSQL accept, with `?1`-style parameters; an
//! engine implements `Db` (run a statement, read rows) inside one transaction. The pipeline,
//! the readers and the verifier only ever see `Db` and `Row`.

use std::borrow::Cow;

use super::tables::{Col, TableDef, Ty};
use super::{Error, Result};
use crate::domain::LoopKind;
use crate::domain::id::Id;
use crate::domain::model::{
    AgentRole, Better, Capability, DetectedBy, DeviationKind, HumanGate, KillDecision,
    LearningType, Measures, MetricRole, Performer, Phase, ProofKind, Severity, SignalState, Status,
    StepKind, Verdict, Visibility,
};
use crate::domain::stats::{Limit, Target};
use crate::domain::time::{Stamp, When};
use crate::domain::verify::Table;

/// Which engine runs the statements (for the few that differ, like locking the chain head).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A statement parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum P<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(Cow<'a, str>),
}

/// A value that can be a parameter.
pub trait ToP {
    fn p(&self) -> P<'_>;
}

impl ToP for i64 {
    fn p(&self) -> P<'_> {
        P::Int(*self)
    }
}

impl ToP for usize {
    fn p(&self) -> P<'_> {
        P::Int(i64::try_from(*self).unwrap_or(i64::MAX))
    }
}

impl ToP for bool {
    fn p(&self) -> P<'_> {
        P::Int(i64::from(*self))
    }
}

impl ToP for f64 {
    fn p(&self) -> P<'_> {
        P::Real(*self)
    }
}

impl ToP for str {
    fn p(&self) -> P<'_> {
        P::Text(Cow::Borrowed(self))
    }
}

impl ToP for String {
    fn p(&self) -> P<'_> {
        P::Text(Cow::Borrowed(self))
    }
}

impl<T: ToP> ToP for Option<T> {
    fn p(&self) -> P<'_> {
        match self {
            Some(v) => v.p(),
            None => P::Null,
        }
    }
}

impl<T: ToP + ?Sized> ToP for &T {
    fn p(&self) -> P<'_> {
        (**self).p()
    }
}

impl<T> ToP for Id<T> {
    fn p(&self) -> P<'_> {
        P::Text(Cow::Borrowed(self.as_str()))
    }
}

impl ToP for Stamp {
    fn p(&self) -> P<'_> {
        P::Text(Cow::Owned(self.to_text()))
    }
}

impl ToP for When {
    fn p(&self) -> P<'_> {
        P::Text(Cow::Owned(self.to_text()))
    }
}

impl ToP for chrono::NaiveDate {
    fn p(&self) -> P<'_> {
        P::Text(Cow::Owned(self.format("%Y-%m-%d").to_string()))
    }
}

impl ToP for LoopKind {
    fn p(&self) -> P<'_> {
        P::Text(Cow::Borrowed(self.name()))
    }
}

impl ToP for Target {
    fn p(&self) -> P<'_> {
        P::Text(Cow::Owned(self.to_text()))
    }
}

impl ToP for Limit {
    fn p(&self) -> P<'_> {
        P::Text(Cow::Owned(self.to_text()))
    }
}

macro_rules! text_params {
    ($($t:ty),+) => {$(
        impl ToP for $t {
            fn p(&self) -> P<'_> {
                P::Text(Cow::Borrowed(self.as_str()))
            }
        }
    )+};
}

text_params!(
    DeviationKind,
    MetricRole,
    Status,
    Better,
    Measures,
    Phase,
    SignalState,
    KillDecision,
    LearningType,
    Capability,
    ProofKind,
    Visibility,
    StepKind,
    Performer,
    AgentRole,
    HumanGate,
    Severity,
    DetectedBy,
    Verdict
);

/// Builds a parameter list: `params![a, b, c]`.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => {
        &[$($crate::store::sql::ToP::p(&$v)),*][..]
    };
}
pub use params;

/// One row of a result, read by column position.
pub trait Row {
    fn int(&self, i: usize) -> Result<Option<i64>>;
    fn real(&self, i: usize) -> Result<Option<f64>>;
    fn text(&self, i: usize) -> Result<Option<&str>>;
}

/// A connection inside one transaction.
pub trait Db {
    fn engine(&self) -> Engine;
    /// Runs a statement; the number of rows it changed.
    fn exec(&mut self, sql: &str, params: &[P]) -> Result<usize>;
    /// Runs a query and hands each row to `f`.
    fn each(
        &mut self,
        sql: &str,
        params: &[P],
        f: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()>;
}

impl dyn Db + '_ {
    /// Every row mapped by `map`.
    pub fn all<T>(
        &mut self,
        sql: &str,
        params: &[P],
        map: impl Fn(&dyn Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        self.each(sql, params, &mut |r| {
            out.push(map(r)?);
            Ok(())
        })?;
        Ok(out)
    }

    /// The first row mapped by `map`, if there is one.
    pub fn first<T>(
        &mut self,
        sql: &str,
        params: &[P],
        map: impl Fn(&dyn Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut out = None;
        self.each(sql, params, &mut |r| {
            if out.is_none() {
                out = Some(map(r)?);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// A single integer (a count, a max).
    pub fn int(&mut self, sql: &str, params: &[P]) -> Result<i64> {
        Ok(self
            .first(sql, params, |r| r.int(0))?
            .flatten()
            .unwrap_or(0))
    }
}

/// A cell of a row, as its column's declared type reads it (a flag: 0 or 1 as no or yes).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell<'r> {
    Text(&'r str),
    Int(i64),
    Flag(bool),
    Real(f64),
}

/// A row being decoded into a record by column name (its table's declaration gives each
/// column's position and how errors name it); every error names the record: a file edited
/// behind jobloop's back can hold a value of the wrong kind, and the reader says which one.
pub struct Fields<'r> {
    row: &'r dyn Row,
    def: &'static TableDef,
    id: String,
}

/// A row that cannot be read as a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undecodable {
    pub table: Table,
    pub id: String,
    pub why: String,
}

impl std::fmt::Display for Undecodable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} `{}` cannot be read: {}",
            self.table.sql_name(),
            self.id,
            self.why
        )
    }
}

impl<'r> Fields<'r> {
    /// Reads the record's id first, to name the record (`id`, or `seq` for an event).
    pub fn new(row: &'r dyn Row, def: &'static TableDef) -> Result<Fields<'r>> {
        let at = def.index("id").unwrap_or(0);
        let id = match row.text(at) {
            Ok(Some(t)) => t.to_string(),
            _ => row
                .int(at)
                .ok()
                .flatten()
                .map_or("?".into(), |n| n.to_string()),
        };
        Ok(Fields { row, def, id })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The record's own id, typed as the record it is read into: a stored row is where text
    /// becomes an id.
    pub fn own_id<T>(&self) -> Id<T> {
        Id::from_text(self.id.clone())
    }

    /// A column that holds the id of a record of kind `T` (`loop_id`, `metric_id`).
    pub fn id_of<T>(&self, name: &str) -> Result<Id<T>> {
        self.text(name).map(Id::from_text)
    }

    pub fn opt_id_of<T>(&self, name: &str) -> Result<Option<Id<T>>> {
        Ok(self.opt_text(name)?.map(Id::from_text))
    }

    /// The position of column `name`, and how errors name it.
    fn at(&self, name: &str) -> Result<(usize, &'static str)> {
        let i = self.def.index(name).ok_or_else(|| {
            Error::Storage(format!(
                "jobloop reads a column `{name}` that {} does not declare",
                self.def.name
            ))
        })?;
        Ok((i, self.def.columns[i].label))
    }

    fn bad(&self, column: &str, why: impl std::fmt::Display) -> Error {
        Error::Undecodable(Undecodable {
            table: self.def.table,
            id: self.id.clone(),
            why: format!("its {column} {why}"),
        })
    }

    /// Column `i` (declared as `col`) as its declared type reads it; `None` when NULL.
    pub fn cell(&self, i: usize, col: &Col) -> Result<Option<Cell<'r>>> {
        let label = col.label;
        Ok(match col.ty {
            Ty::Text => self
                .row
                .text(i)
                .map_err(|e| self.bad(label, format!("is not text ({e})")))?
                .map(Cell::Text),
            Ty::Int => match self
                .row
                .int(i)
                .map_err(|e| self.bad(label, format!("is not a whole number ({e})")))?
            {
                Some(0) if col.flag => Some(Cell::Flag(false)),
                Some(1) if col.flag => Some(Cell::Flag(true)),
                Some(v) if col.flag => return Err(self.bad(label, format!("is {v}, not 0 or 1"))),
                v => v.map(Cell::Int),
            },
            Ty::Real => match self
                .row
                .real(i)
                .map_err(|e| self.bad(label, format!("is not a number ({e})")))?
            {
                Some(v) if !v.is_finite() => return Err(self.bad(label, "is not a finite number")),
                v => v.map(Cell::Real),
            },
        })
    }

    /// The record cannot be read: its column `label` (how errors name it) is wrong, and why.
    pub fn undecodable(&self, label: &str, why: impl std::fmt::Display) -> Error {
        self.bad(label, why)
    }

    pub fn text(&self, name: &str) -> Result<String> {
        let (_, label) = self.at(name)?;
        self.opt_text(name)?
            .ok_or_else(|| self.bad(label, "is missing"))
    }

    pub fn opt_text(&self, name: &str) -> Result<Option<String>> {
        let (i, label) = self.at(name)?;
        self.row
            .text(i)
            .map(|t| t.map(str::to_string))
            .map_err(|e| self.bad(label, format!("is not text ({e})")))
    }

    pub fn int(&self, name: &str) -> Result<i64> {
        let (_, label) = self.at(name)?;
        self.opt_int(name)?
            .ok_or_else(|| self.bad(label, "is missing"))
    }

    pub fn opt_int(&self, name: &str) -> Result<Option<i64>> {
        let (i, label) = self.at(name)?;
        self.row
            .int(i)
            .map_err(|e| self.bad(label, format!("is not a whole number ({e})")))
    }

    pub fn bool(&self, name: &str) -> Result<bool> {
        let (_, label) = self.at(name)?;
        match self.int(name)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(self.bad(label, format!("is {v}, not 0 or 1"))),
        }
    }

    pub fn stamp(&self, name: &str) -> Result<Stamp> {
        let (_, label) = self.at(name)?;
        let t = self.text(name)?;
        Stamp::parse(&t).map_err(|e| self.bad(label, e.message))
    }

    pub fn opt_stamp(&self, name: &str) -> Result<Option<Stamp>> {
        let (_, label) = self.at(name)?;
        match self.opt_text(name)? {
            Some(t) => Stamp::parse(&t)
                .map(Some)
                .map_err(|e| self.bad(label, e.message)),
            None => Ok(None),
        }
    }

    pub fn when(&self, name: &str) -> Result<When> {
        let (_, label) = self.at(name)?;
        let t = self.text(name)?;
        When::parse(&t).map_err(|e| self.bad(label, e.message))
    }

    pub fn kind(&self, name: &str) -> Result<LoopKind> {
        let (_, label) = self.at(name)?;
        let t = self.text(name)?;
        LoopKind::from_name(&t).ok_or_else(|| self.bad(label, format!("`{t}` is not a loop kind")))
    }

    pub fn opt_kind(&self, name: &str) -> Result<Option<LoopKind>> {
        let (_, label) = self.at(name)?;
        match self.opt_text(name)? {
            Some(t) => LoopKind::from_name(&t)
                .map(Some)
                .ok_or_else(|| self.bad(label, format!("`{t}` is not a loop kind"))),
            None => Ok(None),
        }
    }

    pub fn choice<T>(&self, name: &str, read: fn(&str) -> Option<T>) -> Result<T> {
        let (_, label) = self.at(name)?;
        let t = self.text(name)?;
        read(&t).ok_or_else(|| self.bad(label, format!("`{t}` is not one of its allowed values")))
    }

    pub fn opt_choice<T>(&self, name: &str, read: fn(&str) -> Option<T>) -> Result<Option<T>> {
        let (_, label) = self.at(name)?;
        match self.opt_text(name)? {
            Some(t) => read(&t)
                .map(Some)
                .ok_or_else(|| self.bad(label, format!("`{t}` is not one of its allowed values"))),
            None => Ok(None),
        }
    }

    pub fn target(&self, name: &str) -> Result<Option<Target>> {
        let (_, label) = self.at(name)?;
        match self.opt_text(name)? {
            Some(t) => Target::parse(&t)
                .map(Some)
                .map_err(|e| self.bad(label, e.message)),
            None => Ok(None),
        }
    }

    pub fn limit(&self, name: &str) -> Result<Option<Limit>> {
        let (_, label) = self.at(name)?;
        match self.opt_text(name)? {
            Some(t) => Limit::parse(&t)
                .map(Some)
                .map_err(|e| self.bad(label, e.message)),
            None => Ok(None),
        }
    }
}

/// A record's columns by name, for writing it: `put` each, then the statement takes them in
/// its table's declared order. A column not put (or put twice, or not declared) is an error
/// that the round-trip tests of each table find before any user does.
pub struct Put<'a> {
    def: &'static TableDef,
    values: Vec<Option<P<'a>>>,
}

impl<'a> Put<'a> {
    pub fn new(def: &'static TableDef) -> Put<'a> {
        Put {
            def,
            values: vec![None; def.columns.len()],
        }
    }

    pub fn put(mut self, name: &str, value: &'a (impl ToP + ?Sized)) -> Put<'a> {
        if let Some(i) = self.def.index(name)
            && let Some(slot) = self.values.get_mut(i)
        {
            *slot = Some(value.p());
        }
        self
    }

    /// The parameters in declared order.
    pub fn params(self) -> Result<Vec<P<'a>>> {
        let def = self.def;
        self.values
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                v.ok_or_else(|| {
                    Error::Storage(format!(
                        "jobloop writes {} without its column `{}`",
                        def.name, def.columns[i].name
                    ))
                })
            })
            .collect()
    }
}
