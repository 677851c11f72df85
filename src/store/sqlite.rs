//! `Db` on SQLite (rusqlite): statements prepared once per connection and cached.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};

use super::sql::{Db, Engine, P, Row};
use super::{Error, Result};

impl ToSql for P<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            P::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            P::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            P::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            P::Text(t) => ToSqlOutput::Borrowed(ValueRef::Text(t.as_bytes())),
        })
    }
}

/// A connection (usually inside a transaction) as a `Db`.
pub(super) struct SqliteDb<'c>(pub &'c Connection);

struct SqliteRow<'a, 'b>(&'a rusqlite::Row<'b>);

fn type_error(what: &str, found: ValueRef) -> Error {
    let kind = match found {
        ValueRef::Null => "nothing",
        ValueRef::Integer(_) => "a whole number",
        ValueRef::Real(_) => "a decimal number",
        ValueRef::Text(_) => "text",
        ValueRef::Blob(_) => "binary data",
    };
    Error::Storage(format!("expected {what}, found {kind}"))
}

impl Row for SqliteRow<'_, '_> {
    fn int(&self, i: usize) -> Result<Option<i64>> {
        match self.0.get_ref(i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Integer(v) => Ok(Some(v)),
            other => Err(type_error("a whole number", other)),
        }
    }

    fn real(&self, i: usize) -> Result<Option<f64>> {
        match self.0.get_ref(i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Real(v) => Ok(Some(v)),
            // SQLite stores a REAL that is a whole number as such in a non-STRICT column.
            ValueRef::Integer(v) => Ok(Some(v as f64)),
            other => Err(type_error("a number", other)),
        }
    }

    fn text(&self, i: usize) -> Result<Option<&str>> {
        match self.0.get_ref(i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(t) => std::str::from_utf8(t)
                .map(Some)
                .map_err(|_| Error::Storage("the text is not valid UTF-8".into())),
            other => Err(type_error("text", other)),
        }
    }
}

impl Db for SqliteDb<'_> {
    fn engine(&self) -> Engine {
        Engine::Sqlite
    }

    fn exec(&mut self, sql: &str, params: &[P]) -> Result<usize> {
        let mut stmt = self.0.prepare_cached(sql)?;
        Ok(stmt.execute(rusqlite::params_from_iter(params.iter()))?)
    }

    fn each(
        &mut self,
        sql: &str,
        params: &[P],
        f: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
        let mut stmt = self.0.prepare_cached(sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
        while let Some(r) = rows.next()? {
            f(&SqliteRow(r))?;
        }
        Ok(())
    }
}
