//! Rows whose record has the row's shape: each declared column is the record's field of the same
//! name (a `flag` column, 0 or 1, is a `bool`), and a void's three columns (`void_at`, `void_by`,
//! `void_reason`) are its `void`. Reading hands the cells to the record's own `Deserialize`
//! (`de.rs`); writing puts each column from the record's `Serialize`. A field added to such a
//! record then needs only its column declared: a field without a column, or a column without a
//! field, fails every read or write of the table, which the round-trip tests reach before any
//! user does.
//!
//! Tables whose record differs from its rows (a list kept as text, a field under another name, a
//! column the record derives, a nested record) keep their hand-written reader in `rows`.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};

mod de;

#[cfg(test)]
pub(in crate::store) use de::field_names;

use de::{Entry, Value};

use crate::store::sql::{Fields, P, Row};
use crate::store::tables::{TableDef, Ty};
use crate::store::{Error, Result};

/// The columns that are a record's `void` (`void_at` is its `at`).
const VOID: &str = "void_";

/// Reads a row of `def` into its record.
pub(in crate::store) fn read<T: DeserializeOwned>(
    r: &dyn Row,
    def: &'static TableDef,
) -> Result<T> {
    let f = Fields::new(r, def)?;
    let mut record = Vec::with_capacity(def.columns.len());
    let mut void = Vec::new();
    for (i, col) in def.columns.iter().enumerate() {
        // A NULL is an absent field: serde reads an absent `Option` as `None`.
        let Some(cell) = f.cell(i, col)? else {
            continue;
        };
        let (key, into) = match col.name.strip_prefix(VOID) {
            Some(part) => (part, &mut void),
            None => (col.name, &mut record),
        };
        into.push(Entry {
            key,
            label: col.label,
            value: Value::Cell(cell),
        });
    }
    if !void.is_empty() {
        record.push(Entry {
            key: "void",
            label: "void",
            value: Value::Record(void),
        });
    }
    T::deserialize(de::Fields(&record)).map_err(|e| {
        let why = format!("cannot be read ({e})");
        match e.label {
            Some(label) => f.undecodable(label, why),
            None => f.undecodable("record", why),
        }
    })
}

/// A record's columns as parameters, in `def`'s order.
pub(in crate::store) fn params<T: Serialize>(
    record: &T,
    def: &'static TableDef,
) -> Result<Vec<P<'static>>> {
    let broken = |why: String| Error::Storage(format!("jobloop writes {} {why}", def.name));
    let Json::Object(mut fields) = serde_json::to_value(record)
        .map_err(|e| broken(format!("from a record it cannot read ({e})")))?
    else {
        return Err(broken("from a record that is not a map".into()));
    };
    let mut void = match fields.remove("void") {
        Some(Json::Object(v)) => v,
        _ => Map::new(),
    };
    let params = def
        .columns
        .iter()
        .map(|col| {
            let cell = match col.name.strip_prefix(VOID) {
                Some(part) => void.remove(part),
                None => fields.remove(col.name),
            };
            match param(cell, col.ty) {
                Some(P::Null) if !col.null => {
                    Err(broken(format!("without its column `{}`", col.name)))
                }
                Some(p) => Ok(p),
                None => Err(broken(format!(
                    "with a `{}` that is not {}",
                    col.name,
                    col.ty.sqlite()
                ))),
            }
        })
        .collect::<Result<Vec<_>>>()?;
    match fields.keys().chain(void.keys()).next() {
        Some(field) => Err(broken(format!(
            "from a record with a field `{field}` it declares no column for"
        ))),
        None => Ok(params),
    }
}

/// A field's value as a parameter of a column of type `ty` (absent: NULL); `None` when it is not
/// of that type.
fn param(cell: Option<Json>, ty: Ty) -> Option<P<'static>> {
    Some(match (cell, ty) {
        (None | Some(Json::Null), _) => P::Null,
        (Some(Json::String(s)), Ty::Text) => P::Text(s.into()),
        (Some(Json::Number(n)), Ty::Int) => P::Int(n.as_i64()?),
        (Some(Json::Bool(b)), Ty::Int) => P::Int(i64::from(b)),
        (Some(Json::Number(n)), Ty::Real) => P::Real(n.as_f64()?),
        _ => return None,
    })
}

/// A row's cells as the parameters that would write them.
#[cfg(test)]
pub(in crate::store) fn cells(r: &dyn Row, def: &'static TableDef) -> Result<Vec<P<'static>>> {
    let f = Fields::new(r, def)?;
    def.columns
        .iter()
        .enumerate()
        .map(|(i, col)| {
            use crate::store::sql::Cell;
            Ok(match f.cell(i, col)? {
                None => P::Null,
                Some(Cell::Text(t)) => P::Text(t.to_string().into()),
                Some(Cell::Int(n)) => P::Int(n),
                Some(Cell::Flag(b)) => P::Int(i64::from(b)),
                Some(Cell::Real(x)) => P::Real(x),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::store::Store;
    use crate::store::tables::TABLES;

    /// The demo writes every kind of record the week brings; each row of a table whose record
    /// has its shape reads into the record and writes back exactly the cells it was read from.
    #[test]
    fn each_shaped_row_reads_and_writes_back_the_same_cells() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::init(&dir.path().join("shaped.db")).unwrap();
        let now = crate::domain::time::Stamp::parse("2026-11-30T10:00:00Z").unwrap();
        crate::demo::load(&mut store, 6, 20, 7, now, &mut |_, _| {}).unwrap();
        let mut shaped = 0;
        store
            .read(|db| {
                for def in TABLES {
                    let cols: Vec<&str> = def.columns.iter().map(|c| c.name).collect();
                    let sql = format!("SELECT {} FROM {}", cols.join(", "), def.name);
                    db.each(&sql, &[], &mut |r| {
                        if let Some(same) = super::super::shaped_round_trip(def, r) {
                            assert!(same?, "a row of {} changed on its way back", def.name);
                            shaped += 1;
                        }
                        Ok(())
                    })?;
                }
                Ok(())
            })
            .unwrap();
        assert!(shaped > 800, "{shaped} rows");
    }

    /// A field without a column (or a column without a field) would be found only when a test
    /// wrote a value there: this finds it at once, for every table read through its record.
    #[test]
    fn each_shaped_record_has_exactly_its_tables_columns() {
        let mut held = 0;
        for (def, fields) in super::super::shaped_fields() {
            // A record with a flattened part (a job's canvas) names no fields; its round trip
            // above holds it, as every one of its columns is NOT NULL.
            let Some(fields) = fields else { continue };
            let mut columns: Vec<&str> = def
                .columns
                .iter()
                .map(|c| {
                    if c.name.starts_with(super::VOID) {
                        "void"
                    } else {
                        c.name
                    }
                })
                .collect();
            columns.dedup();
            let mut fields = fields.to_vec();
            fields.sort_unstable();
            columns.sort_unstable();
            assert_eq!(
                fields, columns,
                "{}: its record's fields are not its columns",
                def.name
            );
            held += 1;
        }
        assert!(held >= 13, "{held} tables");
    }
}
