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
