use super::*;

/// A column as SQLite reports it: name, type, not null.
type Reported = (String, String, bool);

/// Each table of `schema.sql` as SQLite reads it, its columns in order.
fn sqlite_columns() -> Vec<(String, Vec<Reported>)> {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(super::super::open::SCHEMA).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    names
        .into_iter()
        .map(|t| {
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT name, type, \"notnull\" FROM pragma_table_info('{t}') ORDER BY cid"
                ))
                .unwrap();
            let cols = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? == 1)))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            (t, cols)
        })
        .collect()
}

#[test]
fn the_declarations_are_the_tables_of_schema_sql_on_sqlite() {
    let schema = sqlite_columns();
    let declared: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
    let mut in_schema: Vec<&str> = schema.iter().map(|(t, _)| t.as_str()).collect();
    let mut sorted = declared.clone();
    sorted.sort_unstable();
    in_schema.sort_unstable();
    assert_eq!(
        sorted, in_schema,
        "a table is declared but not in schema.sql, or the reverse"
    );
    for (name, cols) in &schema {
        let def = TABLES.iter().find(|t| t.name == name).unwrap();
        let declared: Vec<(String, String, bool)> = def
            .columns
            .iter()
            .map(|c| {
                // SQLite reports a primary key's NOT NULL only when written.
                (c.name.to_string(), c.ty.sqlite().to_string(), !c.null)
            })
            .collect();
        let found: Vec<(String, String, bool)> = cols
            .iter()
            .map(|(n, t, nn)| {
                (
                    n.clone(),
                    t.clone(),
                    *nn || n == "id"
                        || (n == "loop_id" && *name == "loop_state")
                        || (n == "job_id" && *name == "job_state"),
                )
            })
            .collect();
        assert_eq!(declared, found, "table {name}");
    }
}

#[test]
fn the_declarations_are_the_tables_of_schema_sql_on_postgres() {
    let sql = super::super::pg_schema::schema_sql();
    for def in TABLES {
        let start = sql
            .find(&format!("CREATE TABLE {} (", def.name))
            .unwrap_or_else(|| panic!("{} is not created", def.name));
        let body = &sql[start..sql[start..].find(");").unwrap() + start];
        for c in def.columns {
            let line = body
                .lines()
                .map(str::trim)
                .find(|l| l.split_whitespace().next() == Some(c.name))
                .unwrap_or_else(|| panic!("{}.{} is not in the schema", def.name, c.name));
            let rest = line[c.name.len()..].trim_start();
            assert!(
                rest.starts_with(c.ty.postgres()),
                "{}.{}: {line}",
                def.name,
                c.name
            );
        }
        let columns = body
            .lines()
            .map(str::trim)
            .filter(|l| {
                l.split_whitespace().next().is_some_and(|w| {
                    w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                        && !["unique", "check"].contains(&w)
                })
            })
            .count();
        assert_eq!(columns, def.columns.len(), "{}: {body}", def.name);
    }
}

#[test]
fn the_store_and_the_verifier_name_the_same_tables() {
    for def in exported() {
        if def.table != Table::AuditEvents {
            assert_eq!(Table::from_name(def.export.unwrap().0), Some(def.table));
        }
        assert_eq!(def.table.sql_name(), def.name);
    }
    // An in-memory export (`Dataset`) has the same sections, in the same order.
    let sections: Vec<String> = exported()
        .map(|t| t.export.unwrap().0.to_string())
        .collect();
    let empty = serde_json::to_value(crate::domain::dataset::Dataset::default()).unwrap();
    let fields: Vec<String> = empty
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !["format", "schema_version"].contains(&k.as_str()))
        .cloned()
        .collect();
    let mut sorted = sections.clone();
    sorted.sort();
    assert_eq!(sorted, fields);
}
