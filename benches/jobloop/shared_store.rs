//! The figures on the shared PostgreSQL store, on the tests' throwaway cluster.

use crate::measure::{Size, Target, database, jobloop, ms, ratio, row, run, target, time};
use crate::pg;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The shared store at 1,000 × 52: the same export imported into a PostgreSQL database on
/// this machine (a fresh cluster with its default durability), read and written over loopback.
pub(crate) fn bench_postgres(jobs: usize, weeks: u32, targets: &mut Vec<Target>) -> Option<Size> {
    let bin = pg::bin_dir()?;
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = database(jobs, weeks, dir.path());
    let export = dir.path().join("export.json");
    run(&mut jobloop(&db, &["export", export.to_str().unwrap()]));
    let cluster_dir = pg::private_dir("bench");
    let port = pg::free_port();
    assert!(
        pg::start_cluster(&bin, &cluster_dir, port, &[]),
        "the cluster did not start"
    );
    pg::stop_when_done(&bin, &cluster_dir);
    let mut admin = postgres::Client::connect(
        &format!("host=127.0.0.1 port={port} user=postgres dbname=postgres"),
        postgres::NoTls,
    )
    .unwrap();
    // The role is the actor on the shared store: the same name the bench gives with `--as`.
    for sql in [
        "CREATE ROLE bench LOGIN SUPERUSER",
        "CREATE DATABASE bench OWNER bench",
    ] {
        admin.batch_execute(sql).unwrap();
    }
    let url = format!("postgresql://bench@127.0.0.1:{port}/bench");
    let shared = Path::new(&url);
    run(&mut jobloop(shared, &["migrate"]));
    let t = Instant::now();
    run(&mut jobloop(shared, &["import", export.to_str().unwrap()]));
    let import = t.elapsed();
    let runs = 7;
    let mut rows = Vec::new();
    let psql = bin.join("psql");
    let group = time(runs, || {
        run(Command::new(&psql).args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            "postgres",
            "-d",
            "bench",
            "-c",
            "SELECT loop_id, count(*), avg(value) FROM metric_values GROUP BY loop_id",
        ]))
    });
    let review = time(runs, || run(&mut jobloop(shared, &["review", "--json"])));
    row(
        &mut rows,
        "`jobloop review --json` end to end",
        review,
        Some(("psql groups the value rows", group)),
    );
    // On the shared store a member records on the loops they lead or own: a job of its own.
    run(&mut jobloop(
        shared,
        &["job", "add", "Bench", "--slug", "bench-job"],
    ));
    run(&mut jobloop(
        shared,
        &[
            "metric",
            "set",
            "bench-job",
            "instrument",
            "hours",
            "--better",
            "lower",
        ],
    ));
    run(&mut jobloop(
        shared,
        &["baseline", "bench-job", "instrument", "4"],
    ));
    let write = time(runs * 3, || {
        run(&mut jobloop(
            shared,
            &["measure", "bench-job", "instrument", "5"],
        ))
    });
    row(
        &mut rows,
        "one acknowledged write: `jobloop measure` from process start to exit",
        write,
        None,
    );
    let verify = time(3, || run(&mut jobloop(shared, &["verify"])));
    row(&mut rows, "`jobloop verify` end to end", verify, None);
    row(
        &mut rows,
        "`jobloop import` of the 1,000 × 52 export (one run)",
        import,
        None,
    );
    target(
        targets,
        format!("PostgreSQL {jobs}×{weeks}: `review --json` vs psql grouping the values"),
        "within 2×".into(),
        format!("{:.2}×", ratio(review, group)),
        ratio(review, group) <= 2.0,
    );
    target(
        targets,
        format!("PostgreSQL {jobs}×{weeks}: one acknowledged write on loopback"),
        "under 20 ms".into(),
        ms(write),
        write < Duration::from_millis(20),
    );
    Some(Size {
        title: format!("PostgreSQL: {jobs} jobs × {weeks} weeks on a local cluster over loopback"),
        rows,
        review,
        first_frame: Duration::ZERO,
        whole_board: Duration::ZERO,
    })
}
