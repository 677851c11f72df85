use super::migrate::*;
use super::*;

#[test]
fn every_migration_leaves_markers_and_a_new_file_has_them_all() {
    for (to, sql) in MIGRATIONS {
        assert!(!markers(sql).is_empty(), "migration {to}");
    }
    assert!(
        markers(MIGRATIONS[0].1).contains(&Marker::Column("kill_signals".into(), "rule".into()))
    );
    assert!(markers(MIGRATIONS[1].1).contains(&Marker::Object("table", "loop_state".into())));
    let conn = Connection::open_in_memory().unwrap();
    assert_eq!(tables_version(&conn).unwrap(), 0);
    conn.execute_batch(SCHEMA).unwrap();
    assert_eq!(tables_version(&conn).unwrap(), SCHEMA_VERSION);
}

#[test]
fn the_migrations_count_up_one_version_at_a_time_to_the_schema_version() {
    // The schema version is the last migration's: a gap or a repeat would skip or rerun one.
    let versions: Vec<i64> = MIGRATIONS.iter().map(|(to, _)| *to).collect();
    assert_eq!(versions, (2..=SCHEMA_VERSION).collect::<Vec<_>>());
}
