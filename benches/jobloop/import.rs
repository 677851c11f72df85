//! The figures of a values import of many rows.

use crate::measure::{Size, Target, jobloop, ms, row, run, target, time};
use std::process::Command;
use std::time::Duration;

/// `values import` of `n` rows (one value a day per job's instrument loop, over 20 jobs) into a
/// fresh database, beside the sqlite3 shell importing the same CSV into a bare table.
pub(crate) fn bench_import(n: usize, targets: &mut Vec<Target>) -> Size {
    let dir = tempfile::tempdir().unwrap();
    let jobs = 20;
    let csv = dir.path().join("values.csv");
    let mut text = String::from("job,kind,date,value,phase\n");
    let start = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap();
    for i in 0..n {
        let day = start + chrono::Duration::days((i / jobs) as i64);
        text.push_str(&format!(
            "j{},instrument,{day},{}.{},baseline\n",
            i % jobs,
            i % 97,
            i % 10
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let template = dir.path().join("template.db");
    for j in 0..jobs {
        run(&mut jobloop(
            &template,
            &["job", "add", &format!("J{j}"), "--slug", &format!("j{j}")],
        ));
        run(&mut jobloop(
            &template,
            &[
                "metric",
                "set",
                &format!("j{j}"),
                "instr",
                "hours",
                "--better",
                "lower",
            ],
        ));
    }
    let runs = 3;
    let mut k = 0;
    let import = time(runs, || {
        k += 1;
        let db = dir.path().join(format!("import-{k}.db"));
        std::fs::copy(&template, &db).unwrap();
        run(&mut jobloop(
            &db,
            &["values", "import", csv.to_str().unwrap()],
        ));
    });
    let shell = time(runs, || {
        k += 1;
        let db = dir.path().join(format!("shell-{k}.db"));
        run(Command::new("sqlite3")
            .arg(&db)
            .arg(format!(".import --csv {} v", csv.display())));
    });
    let mut rows = Vec::new();
    row(
        &mut rows,
        &format!("`jobloop values import` of {n} rows (one transaction, an audit event each)"),
        import,
        Some(("sqlite3 shell `.import --csv` of the same file", shell)),
    );
    target(
        targets,
        format!("values import of {n} rows"),
        "under 60 s".into(),
        ms(import),
        import < Duration::from_secs(60),
    );
    Size {
        title: format!("values import, {n} rows"),
        rows,
        ..Size::default()
    }
}
