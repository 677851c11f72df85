//! `cargo bench`: jobloop at a lead's size and at an organisation's, each figure a median beside a
//! reference measured in the same run, and each target of BENCHMARKS.md checked.
//!
//! `JOBLOOP_BENCH_SIZES=small` runs 3 jobs × 8 weeks only; the default adds 300 jobs with 52 and
//! with 156 weeks of history and 1,000 jobs × 52 weeks; `all` adds 5,000 jobs × 52 weeks.
//! Databases are generated with `jobloop demo --seed 1` (through the real write path) and kept
//! in `target/bench-data`, keyed by size and schema version; each run works on a fresh copy.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jobloop::domain::time::Stamp;
use jobloop::store::{Missing, SCHEMA_VERSION, Store};
use jobloop::tui::app::App;
use jobloop::tui::config::Theme;
use jobloop::tui::keymap::Keymap;
use jobloop::tui::ui;
use jobloop::tui::worker::Worker;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

/// The tests' throwaway PostgreSQL cluster, reused for the shared store's figures.
// Shared with the tests; the bench uses part of it.
#[allow(unreachable_pub)]
#[path = "../tests/common/pg.rs"]
#[allow(dead_code, unused_macros)]
mod pg;

const BIN: &str = env!("CARGO_BIN_EXE_jobloop");

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn run(cmd: &mut Command) {
    let out = cmd.stdout(Stdio::null()).output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn jobloop(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--db").arg(db).args(["--as", "bench"]).args(args);
    c
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new_with_kind(
        code,
        KeyModifiers::NONE,
        KeyEventKind::Press,
    ))
}

/// Peak resident memory (MiB) of a command: this binary re-run as `--peak CMD…`, which waits for
/// its only child and reads the children's maximum resident set size.
fn peak_mib(cmd: &Command) -> f64 {
    let mut me = Command::new(std::env::current_exe().unwrap());
    me.arg("--peak").arg(cmd.get_program()).args(cmd.get_args());
    let out = me.stderr(Stdio::inherit()).output().expect("run --peak");
    let kib: f64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("peak");
    kib / 1024.0
}

fn peak_child(args: &[String]) {
    let status = Command::new(&args[0])
        .args(&args[1..])
        .stdout(Stdio::null())
        .status()
        .expect("run");
    assert!(status.success(), "{args:?} failed");
    let usage = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .expect("getrusage");
    println!("{}", usage.max_rss());
}

/// The reference for a write: this program re-run as a bare process that opens a copy of the
/// file with jobloop's pragmas and commits one insert.
fn bare_insert(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
         BEGIN IMMEDIATE;
         INSERT INTO tools (id, job_id, name, at, recorded_by, recorded_at)
           SELECT lower(hex(randomblob(16))), id, 'bench', '2026-01-01', 'bench',
                  '2026-01-01T00:00:00.000Z' FROM jobs LIMIT 1;
         COMMIT;",
    )
    .unwrap();
}

/// The database for a size, generated once and copied for each run.
fn database(jobs: usize, weeks: u32, dir: &Path) -> (PathBuf, Option<Duration>) {
    let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&cache).unwrap();
    let kept = cache.join(format!("{jobs}x{weeks}-seed1-v{SCHEMA_VERSION}.db"));
    let mut generated = None;
    if !kept.exists() {
        let fresh = cache.join(format!("{jobs}x{weeks}.tmp.db"));
        let _ = std::fs::remove_file(&fresh);
        let t = Instant::now();
        run(&mut jobloop(
            &fresh,
            &[
                "demo",
                "--jobs",
                &jobs.to_string(),
                "--weeks",
                &weeks.to_string(),
                "--seed",
                "1",
            ],
        ));
        generated = Some(t.elapsed());
        std::fs::rename(&fresh, &kept).unwrap();
    }
    let path = dir.join("bench.db");
    std::fs::copy(&kept, &path).unwrap();
    // A kept file from before a change of the derived state's format is brought up to date by
    // its first opening: that happens here, not inside a measurement.
    run(&mut jobloop(&path, &["review"]));
    (path, generated)
}

struct Row {
    what: String,
    median: Duration,
    reference: Option<(String, Duration)>,
}

struct Target {
    what: String,
    limit: String,
    measured: String,
    met: bool,
}

#[derive(Default)]
struct Size {
    title: String,
    rows: Vec<Row>,
    review: Duration,
    first_frame: Duration,
    whole_board: Duration,
}

fn row(rows: &mut Vec<Row>, what: &str, median: Duration, reference: Option<(&str, Duration)>) {
    rows.push(Row {
        what: what.into(),
        median,
        reference: reference.map(|(w, d)| (w.to_string(), d)),
    });
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

fn target(targets: &mut Vec<Target>, what: String, limit: String, measured: String, met: bool) {
    targets.push(Target {
        what,
        limit,
        measured,
        met,
    });
}

/// Everything measured at one size; `full` adds the writes, verify, export, import and memory.
fn bench(jobs: usize, weeks: u32, full: bool, targets: &mut Vec<Target>) -> Size {
    let dir = tempfile::tempdir().unwrap();
    let (db, generated) = database(jobs, weeks, dir.path());
    let big = jobs >= 300;
    let runs = if big { 7 } else { 31 };
    let mut rows = Vec::new();
    let name = format!("{jobs}×{weeks}");

    // Reads: the review as a process, beside the sqlite3 shell grouping every value row.
    let group = time(runs, || {
        run(Command::new("sqlite3")
            .arg(&db)
            .arg("SELECT loop_id, count(*), avg(value) FROM metric_values GROUP BY loop_id"))
    });
    let review = time(runs, || run(&mut jobloop(&db, &["review", "--json"])));
    row(
        &mut rows,
        "`jobloop review --json` end to end",
        review,
        Some(("sqlite3 shell groups the value rows", group)),
    );

    // The TUI's first frame with data: the process start (measured as `jobloop --version`) plus
    // opening the file and drawing the first answer of the store's worker thread, in process on
    // a 160×50 TestBackend — as the TUI does, a screenful of jobs first, then the whole board.
    let start = time(runs, || run(Command::new(BIN).arg("--version")));
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).unwrap();
    let mut first_draw = Vec::new();
    let mut whole_draw = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let store = Store::open(&db, Missing::Refuse).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let worker = Worker::spawn(store, tx, |r| r);
        let mut app = App::new(
            worker,
            Some("bench".into()),
            Keymap::default(),
            Theme::new(true),
            false,
        );
        app.size = Rect::new(0, 0, 160, 50);
        app.load();
        let mut first = None;
        while !app.board_complete() {
            app.on_worker(rx.recv().unwrap());
            if app.loaded.is_some() {
                terminal.draw(|f| ui::render(f, &mut app, 0)).unwrap();
                first.get_or_insert(t.elapsed());
            }
        }
        first_draw.push(first.unwrap());
        whole_draw.push(t.elapsed());
    }
    let first_frame = start + median(first_draw);
    row(
        &mut rows,
        "TUI: process start + open and draw the first frame with data (160×50)",
        first_frame,
        Some(("process start alone (`jobloop --version`)", start)),
    );
    let whole_board = start + median(whole_draw);
    row(
        &mut rows,
        "TUI: process start + the whole board read and drawn (footer totals)",
        whole_board,
        Some(("process start alone (`jobloop --version`)", start)),
    );
    let new_app = || {
        let store = Store::open(&db, Missing::Refuse).unwrap();
        let mut app = App::new(
            Worker::inline(store),
            Some("bench".into()),
            Keymap::default(),
            Theme::new(true),
            false,
        );
        app.size = Rect::new(0, 0, 160, 50);
        app.load();
        app
    };
    let mut app = new_app();
    let mut down = true;
    let key_press = time(runs * 10, || {
        app.handle(key(if down { KeyCode::Down } else { KeyCode::Up }));
        down = !down;
        terminal.draw(|f| ui::render(f, &mut app, 0)).unwrap();
    });
    row(
        &mut rows,
        "TUI: a key press to the next frame",
        key_press,
        None,
    );
    let detail = time(runs, || {
        app.handle(key(KeyCode::Char('l')));
        app.handle(key(KeyCode::Char('l')));
        app.handle(key(KeyCode::Enter));
        terminal.draw(|f| ui::render(f, &mut app, 0)).unwrap();
        app.handle(key(KeyCode::Esc));
        app.handle(key(KeyCode::Char('h')));
        app.handle(key(KeyCode::Char('h')));
    });
    row(
        &mut rows,
        "TUI: open the loop detail of a loop with its whole history, chart included",
        detail,
        None,
    );
    drop(app);

    match jobs {
        1000 => {
            target(
                targets,
                format!("{name}: `review --json` vs sqlite3 grouping the values"),
                "below 1.0×".into(),
                format!("{:.2}×", ratio(review, group)),
                review < group,
            );
            target(
                targets,
                format!("{name}: the TUI's first frame with data from process start"),
                "under 50 ms".into(),
                ms(first_frame),
                first_frame < Duration::from_millis(50),
            );
            target(
                targets,
                format!("{name}: a key press to the next frame"),
                "under 5 ms".into(),
                ms(key_press),
                key_press < Duration::from_millis(5),
            );
        }
        5000 => {
            target(
                targets,
                format!("{name}: `review --json`"),
                "under 500 ms".into(),
                ms(review),
                review < Duration::from_millis(500),
            );
            target(
                targets,
                format!("{name}: the TUI's first frame with data from process start"),
                "under 150 ms".into(),
                ms(first_frame),
                first_frame < Duration::from_millis(150),
            );
        }
        _ => {}
    }

    if full {
        let slug = "support-triage";
        let reference = dir.path().join("reference.db");
        std::fs::copy(&db, &reference).unwrap();
        let bare = time(runs, || {
            run(Command::new(std::env::current_exe().unwrap())
                .arg("--bare-insert")
                .arg(&reference))
        });
        let write = time(runs, || {
            run(&mut jobloop(&db, &["measure", slug, "instrument", "5"]))
        });
        row(
            &mut rows,
            "one acknowledged write: `jobloop measure` from process start to exit",
            write,
            Some(("bare process: the same pragmas, one insert, commit", bare)),
        );
        let few = runs.min(5);
        let dump = time(few, || run(Command::new("sqlite3").arg(&db).arg(".dump")));
        let export = time(few, || run(&mut jobloop(&db, &["export"])));
        row(
            &mut rows,
            "`jobloop export` end to end",
            export,
            Some(("sqlite3 shell `.dump` of the same file", dump)),
        );
        let verify = time(few, || run(&mut jobloop(&db, &["verify"])));
        row(
            &mut rows,
            "`jobloop verify` end to end",
            verify,
            Some(("`jobloop export` of the same file", export)),
        );
        let file = dir.path().join("export.json");
        run(&mut jobloop(&db, &["export", file.to_str().unwrap()]));
        let imported = dir.path().join("imported.db");
        let import = time(1, || {
            run(&mut jobloop(&imported, &["import", file.to_str().unwrap()]))
        });
        // The reference: the sqlite3 shell restoring its own `.dump` of the same file into a new
        // file (the same rows and indexes, derived state included, nothing checked).
        let sql = dir.path().join("dump.sql");
        let out = Command::new("sqlite3")
            .arg(&db)
            .arg(".dump")
            .stdout(std::fs::File::create(&sql).unwrap())
            .status()
            .unwrap();
        assert!(out.success());
        let restored = dir.path().join("restored.db");
        let restore = time(1, || {
            run(Command::new("sqlite3")
                .arg(&restored)
                .stdin(std::fs::File::open(&sql).unwrap()))
        });
        std::fs::remove_file(&sql).unwrap();
        row(
            &mut rows,
            "`jobloop import` of that export into a new file (one run)",
            import,
            Some((
                "sqlite3 shell restoring its `.dump` into a new file",
                restore,
            )),
        );
        let memory: Vec<(&str, f64)> = vec![
            (
                "review --json",
                peak_mib(&jobloop(&db, &["review", "--json"])),
            ),
            ("export", peak_mib(&jobloop(&db, &["export"]))),
            ("verify", peak_mib(&jobloop(&db, &["verify"]))),
            ("import", {
                let again = dir.path().join("again.db");
                peak_mib(&jobloop(&again, &["import", file.to_str().unwrap()]))
            }),
        ];
        if jobs == 1000 {
            target(
                targets,
                format!("{name}: one acknowledged write vs the bare insert"),
                "within 3×".into(),
                format!("{:.2}×", ratio(write, bare)),
                ratio(write, bare) <= 3.0,
            );
            target(
                targets,
                format!("{name}: `verify` vs `export`"),
                "within 2×".into(),
                format!("{:.2}×", ratio(verify, export)),
                ratio(verify, export) <= 2.0,
            );
            target(
                targets,
                format!("{name}: `export` vs sqlite3 `.dump`"),
                "within 5×".into(),
                format!("{:.2}×", ratio(export, dump)),
                ratio(export, dump) <= 5.0,
            );
            target(
                targets,
                format!("{name}: `import`"),
                "under 5 s".into(),
                ms(import),
                import < Duration::from_secs(5),
            );
        }
        let limit = if jobs == 5000 { 200.0 } else { 100.0 };
        for (what, mib) in &memory {
            if big && (jobs == 1000 || (jobs == 5000 && *what == "review --json")) {
                target(
                    targets,
                    format!("{name}: peak memory of `{what}`"),
                    format!("under {limit:.0} MB"),
                    format!("{mib:.0} MiB"),
                    mib * 1.048576 < limit,
                );
            }
        }
        let mem = memory
            .iter()
            .map(|(w, m)| format!("{w} {m:.0} MiB"))
            .collect::<Vec<_>>()
            .join(", ");
        rows.push(Row {
            what: format!("peak memory: {mem}"),
            median: Duration::ZERO,
            reference: None,
        });
    }
    if let Some(g) = generated {
        row(
            &mut rows,
            "generate the database with `jobloop demo` (one run)",
            g,
            None,
        );
    }
    let title = format!(
        "{jobs} jobs × {weeks} weeks ({:.0} MiB file)",
        std::fs::metadata(&db).unwrap().len() as f64 / 1048576.0,
    );
    Size {
        title,
        rows,
        review,
        first_frame,
        whole_board,
    }
}

/// The shared store at 1,000 × 52: the same export imported into a PostgreSQL database on
/// this machine (a fresh cluster with its default durability), read and written over loopback.
fn bench_postgres(jobs: usize, weeks: u32, targets: &mut Vec<Target>) -> Option<Size> {
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

/// `values import` of `n` rows (one value a day per job's instrument loop, over 20 jobs) into a
/// fresh database, beside the sqlite3 shell importing the same CSV into a bare table.
fn bench_import(n: usize, targets: &mut Vec<Target>) -> Size {
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--bare-insert") {
        bare_insert(Path::new(&args[i + 1]));
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--peak") {
        peak_child(&args[i + 1..]);
        return;
    }
    // `cargo test --benches` runs this without --bench; keep it quick then.
    if !args.iter().any(|a| a == "--bench") {
        println!("run with `cargo bench`");
        return;
    }
    // `small`: 3 × 8; `org`: 1,000 × 52 (to iterate on one figure); `large`: 5,000 × 52;
    // `import`: values import of 100,000 rows; default: every size but 5,000 × 52; `all`: every
    // size.
    let which = std::env::var("JOBLOOP_BENCH_SIZES").unwrap_or_default();
    let (small, history, org, large) = match which.as_str() {
        "small" => (true, false, false, false),
        "org" | "import" => (false, false, which == "org", false),
        "large" => (false, false, false, true),
        "all" => (true, true, true, true),
        _ => (true, true, true, false),
    };
    let import = matches!(which.as_str(), "" | "all" | "import");
    let mut targets = Vec::new();
    let mut results = Vec::new();
    if small {
        results.push(bench(3, 8, true, &mut targets));
    }
    if history {
        let short = bench(300, 52, false, &mut targets);
        let long = bench(300, 156, false, &mut targets);
        for (what, a, b) in [
            ("`review --json`", short.review, long.review),
            ("the TUI's first frame", short.first_frame, long.first_frame),
            ("the TUI's whole board", short.whole_board, long.whole_board),
        ] {
            target(
                &mut targets,
                format!("300 jobs: {what} with 156 weeks vs 52 weeks of history"),
                "within 1.3×".into(),
                format!("{:.2}× ({} vs {})", ratio(b, a), ms(b), ms(a)),
                ratio(b, a) <= 1.3,
            );
        }
        results.push(short);
        results.push(long);
    }
    if org {
        results.push(bench(1000, 52, true, &mut targets));
        match bench_postgres(1000, 52, &mut targets) {
            Some(size) => results.push(size),
            None => println!("\n(PostgreSQL is not installed: its figures are skipped)"),
        }
    }
    if large {
        results.push(bench(5000, 52, true, &mut targets));
    }
    if import {
        results.push(bench_import(100_000, &mut targets));
    }
    println!("\nMeasured {} (medians).", Stamp::now().local_minute());
    for size in results {
        println!("\n### {}\n", size.title);
        println!("| measured | median | reference (same run) | ratio |");
        println!("|---|---|---|---|");
        for r in size.rows {
            if r.median.is_zero() {
                println!("| {} | | | |", r.what);
                continue;
            }
            let (reference, ratio) = match r.reference {
                Some((what, d)) => (
                    format!("{what}: {}", ms(d)),
                    format!("{:.2}×", r.median.as_secs_f64() / d.as_secs_f64()),
                ),
                None => ("—".into(), "—".into()),
            };
            println!("| {} | {} | {reference} | {ratio} |", r.what, ms(r.median));
        }
    }
    if !targets.is_empty() {
        println!("\n### Targets\n");
        println!("| target | limit | measured | met |");
        println!("|---|---|---|---|");
        for t in targets {
            let met = if t.met { "yes" } else { "**no**" };
            println!("| {} | {} | {} | {met} |", t.what, t.limit, t.measured);
        }
    }
}
