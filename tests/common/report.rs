//! A demo database with a job whose every name is hostile, for the HTML report's tests.

use super::Db;

/// The hostile job's title: a script tag, quotes, an ampersand, a right-to-left override.
pub const HOSTILE: &str = "<script>alert(\"x\")</script> Tom & Jerry's \u{202e}evil";

/// The demo (three jobs, eight weeks) plus job `hostile`: a metric named like an attribute
/// breaking out, three baseline values (October 1, 8, 15 of 2026), an intervention on
/// October 20, live values on October 27 and November 3.
pub fn demo_with_hostile_job() -> Db {
    let db = Db::new();
    db.ok(&["demo"]);
    add_hostile_job(&db);
    db
}

/// Adds job `hostile` (see `demo_with_hostile_job`).
pub fn add_hostile_job(db: &Db) {
    db.ok(&[
        "job",
        "add",
        HOSTILE,
        "--slug",
        "hostile",
        "--since",
        "2026-09-01",
    ]);
    db.ok(&["loop", "owner", "hostile", "instr", "<b>Eve</b>"]);
    db.ok(&[
        "metric",
        "set",
        "hostile",
        "instr",
        "\"><img src=x onerror=alert(1)>",
        "--unit",
        "h",
        "--better",
        "lower",
    ]);
    for at in ["2026-10-01", "2026-10-08", "2026-10-15"] {
        db.ok(&["baseline", "hostile", "instr", "10", "--at", at]);
    }
    db.ok(&["baseline", "hostile", "instr", "12", "--at", "2026-10-16"]);
    db.ok(&[
        "intervene",
        "hostile",
        "instr",
        "</svg><script>x</script>",
        "--at",
        "2026-10-20",
    ]);
    db.ok(&["measure", "hostile", "instr", "7", "--at", "2026-10-27"]);
    db.ok(&["measure", "hostile", "instr", "6.5", "--at", "2026-11-03"]);
}

/// Writes `report --html` with `args` into the database's folder; returns the page.
pub fn report(db: &Db, name: &str, args: &[&str]) -> String {
    let file = db.dir.path().join(name);
    let file = file.to_str().expect("utf-8 path");
    let mut all = vec!["report", "--html", file];
    all.extend_from_slice(args);
    let out = db.ok(&all);
    assert!(out.starts_with("wrote "), "{out}");
    std::fs::read_to_string(file).expect("the report")
}
