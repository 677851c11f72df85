//! The seam between the write pipeline and a database engine. Every statement jobloop runs is
//! written once, in the SQL both SQLite and PostgreSQL accept, with `?1`-style parameters; an
//! engine implements `Db` (run a statement, read rows) inside one transaction. The pipeline,
//! the readers and the verifier only ever see `Db` and `Row`.

use std::borrow::Cow;

use super::{Error, Result};
use crate::domain::LoopKind;
use crate::domain::model::{
    Better, Capability, KillDecision, LearningType, Measures, Phase, ProofKind, SignalState,
    Status, Visibility,
};
use crate::domain::stats::Target;
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
    Status,
    Better,
    Measures,
    Phase,
    SignalState,
    KillDecision,
    LearningType,
    Capability,
    ProofKind,
    Visibility
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

/// A row being decoded into a record, which names the record in every error: a file edited
/// behind jobloop's back can hold a value of the wrong kind, and the reader says which one.
pub struct Fields<'r> {
    row: &'r dyn Row,
    table: Table,
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
            crate::display::clean(&self.id),
            self.why
        )
    }
}

impl<'r> Fields<'r> {
    /// Reads the id in column 0 first, to name the record.
    pub fn new(row: &'r dyn Row, table: Table) -> Result<Fields<'r>> {
        let id = row.text(0)?.unwrap_or("?").to_string();
        Ok(Fields { row, table, id })
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    fn bad(&self, column: &str, why: impl std::fmt::Display) -> Error {
        Error::Undecodable(Undecodable {
            table: self.table,
            id: self.id.clone(),
            why: format!("its {column} {why}"),
        })
    }

    pub fn text(&self, i: usize, column: &str) -> Result<String> {
        self.opt_text(i, column)?
            .ok_or_else(|| self.bad(column, "is missing"))
    }

    pub fn opt_text(&self, i: usize, column: &str) -> Result<Option<String>> {
        self.row
            .text(i)
            .map(|t| t.map(str::to_string))
            .map_err(|e| self.bad(column, format!("is not text ({e})")))
    }

    pub fn int(&self, i: usize, column: &str) -> Result<i64> {
        self.row
            .int(i)
            .map_err(|e| self.bad(column, format!("is not a whole number ({e})")))?
            .ok_or_else(|| self.bad(column, "is missing"))
    }

    pub fn opt_int(&self, i: usize, column: &str) -> Result<Option<i64>> {
        self.row
            .int(i)
            .map_err(|e| self.bad(column, format!("is not a whole number ({e})")))
    }

    pub fn bool(&self, i: usize, column: &str) -> Result<bool> {
        match self.int(i, column)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(self.bad(column, format!("is {v}, not 0 or 1"))),
        }
    }

    pub fn real(&self, i: usize, column: &str) -> Result<f64> {
        let v = self
            .row
            .real(i)
            .map_err(|e| self.bad(column, format!("is not a number ({e})")))?
            .ok_or_else(|| self.bad(column, "is missing"))?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(self.bad(column, "is not a finite number"))
        }
    }

    pub fn stamp(&self, i: usize, column: &str) -> Result<Stamp> {
        let t = self.text(i, column)?;
        Stamp::parse(&t).map_err(|e| self.bad(column, e.message))
    }

    pub fn opt_stamp(&self, i: usize, column: &str) -> Result<Option<Stamp>> {
        match self.opt_text(i, column)? {
            Some(t) => Stamp::parse(&t)
                .map(Some)
                .map_err(|e| self.bad(column, e.message)),
            None => Ok(None),
        }
    }

    pub fn when(&self, i: usize, column: &str) -> Result<When> {
        let t = self.text(i, column)?;
        When::parse(&t).map_err(|e| self.bad(column, e.message))
    }

    pub fn kind(&self, i: usize, column: &str) -> Result<LoopKind> {
        let t = self.text(i, column)?;
        LoopKind::from_name(&t).ok_or_else(|| self.bad(column, format!("`{t}` is not a loop kind")))
    }

    pub fn opt_kind(&self, i: usize, column: &str) -> Result<Option<LoopKind>> {
        match self.opt_text(i, column)? {
            Some(t) => LoopKind::from_name(&t)
                .map(Some)
                .ok_or_else(|| self.bad(column, format!("`{t}` is not a loop kind"))),
            None => Ok(None),
        }
    }

    pub fn choice<T>(&self, i: usize, column: &str, read: fn(&str) -> Option<T>) -> Result<T> {
        let t = self.text(i, column)?;
        read(&t).ok_or_else(|| self.bad(column, format!("`{t}` is not one of its allowed values")))
    }

    pub fn opt_choice<T>(
        &self,
        i: usize,
        column: &str,
        read: fn(&str) -> Option<T>,
    ) -> Result<Option<T>> {
        match self.opt_text(i, column)? {
            Some(t) => read(&t)
                .map(Some)
                .ok_or_else(|| self.bad(column, format!("`{t}` is not one of its allowed values"))),
            None => Ok(None),
        }
    }

    pub fn target(&self, i: usize, column: &str) -> Result<Option<Target>> {
        match self.opt_text(i, column)? {
            Some(t) => Target::parse(&t)
                .map(Some)
                .map_err(|e| self.bad(column, e.message)),
            None => Ok(None),
        }
    }

    pub fn json<T: serde::de::DeserializeOwned>(&self, i: usize, column: &str) -> Result<T> {
        let t = self.text(i, column)?;
        serde_json::from_str(&t).map_err(|e| self.bad(column, format!("is not valid ({e})")))
    }
}
