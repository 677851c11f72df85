//! `cargo bench`: jobloop at a lead's size (3 jobs × 8 weeks) and an organisation's (1,000 jobs ×
//! 52 weeks), each figure beside a reference measured in the same run. Medians of repeated runs.
//! `JOBLOOP_BENCH_SIZES=small` skips the large database (its generation takes ~20 s).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jobloop::domain::Stamp;
use jobloop::domain::review;
use jobloop::store::Store;
use jobloop::tui::app::App;
use jobloop::tui::config::Theme;
use jobloop::tui::keymap::Keymap;
use jobloop::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

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
        "{:?}: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
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

/// Peak resident memory of a command in MiB, when GNU time is installed.
fn peak_mib(args: &[&str]) -> Option<f64> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M", BIN])
        .args(args)
        .stdout(Stdio::null())
        .output()
        .ok()?;
    let err = String::from_utf8_lossy(&out.stderr);
    let kib: f64 = err.lines().last()?.trim().parse().ok()?;
    Some(kib / 1024.0)
}

/// The reference for a write: this very program, re-run as a bare process that opens the file
/// with jobloop's pragmas and commits one insert.
fn bare_insert(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;
         BEGIN IMMEDIATE;
         INSERT INTO tools (id, job_id, name, at, recorded_by, recorded_at)
           SELECT lower(hex(randomblob(16))), id, 'bench', '2026-01-01T00:00:00.000Z', 'bench',
                  '2026-01-01T00:00:00.000Z' FROM jobs LIMIT 1;
         COMMIT;",
    )
    .unwrap();
}

struct Row {
    what: &'static str,
    median: Duration,
    reference: Option<(&'static str, Duration)>,
}

fn bench(jobs: usize, weeks: u32, out: &mut Vec<(String, Vec<Row>)>) {
    let dir = tempfile::tempdir().unwrap();
    let path: PathBuf = dir.path().join("bench.db");
    let db = path.to_str().unwrap().to_string();
    let t = Instant::now();
    run(Command::new(BIN).args([
        "--db",
        &db,
        "demo",
        "--jobs",
        &jobs.to_string(),
        "--weeks",
        &weeks.to_string(),
        "--seed",
        "1",
    ]));
    let generated = t.elapsed();
    let big = jobs > 100;
    let runs = if big { 7 } else { 31 };
    let mut rows = Vec::new();

    let sqlite = Command::new("sqlite3").arg("-version").output().is_ok();
    let group = || {
        run(Command::new("sqlite3")
            .arg(&db)
            .arg("SELECT loop_id, count(*), avg(value) FROM metric_values GROUP BY loop_id"))
    };
    let group_ref = sqlite.then(|| ("sqlite3 shell groups the value rows", time(runs, group)));

    rows.push(Row {
        what: "open the file and compute the review snapshot (in process)",
        median: time(runs, || {
            let mut s = Store::open(&path).unwrap();
            review::build(&s.snapshot().unwrap(), Stamp::now())
        }),
        reference: group_ref,
    });

    let area = Rect::new(0, 0, 160, 50);
    let body = ui::areas(area).1;
    let new_app = || {
        App::new(
            Store::open(&path).unwrap(),
            "bench".into(),
            Keymap::default(),
            Theme::new(true),
        )
        .unwrap()
    };
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).unwrap();
    rows.push(Row {
        what: "TUI: open the file, first frame of the board at 160×50 (in process)",
        median: time(runs, || {
            let app = new_app();
            terminal.draw(|f| ui::render(f, &app)).unwrap();
        }),
        reference: None,
    });
    let mut app = new_app();
    rows.push(Row {
        what: "TUI: the checks after the first frame (quick_check, kill rules)",
        median: time(runs.min(5), || app.startup().unwrap()),
        reference: None,
    });
    let mut down = true;
    rows.push(Row {
        what: "TUI: one key press to the next frame",
        median: time(runs * 10, || {
            app.handle(key(if down { KeyCode::Down } else { KeyCode::Up }), body);
            down = !down;
            terminal.draw(|f| ui::render(f, &app)).unwrap();
        }),
        reference: None,
    });
    rows.push(Row {
        what: "TUI: open the loop detail of a loop with every week's values, chart included",
        median: time(runs, || {
            app.handle(key(KeyCode::Char('l')), body);
            app.handle(key(KeyCode::Char('l')), body);
            app.handle(key(KeyCode::Enter), body);
            terminal.draw(|f| ui::render(f, &app)).unwrap();
            app.handle(key(KeyCode::Esc), body);
            app.handle(key(KeyCode::Char('h')), body);
            app.handle(key(KeyCode::Char('h')), body);
        }),
        reference: None,
    });
    drop(app);

    let slug = "support-triage";
    let bare = time(runs, || {
        run(Command::new(std::env::current_exe().unwrap()).args(["--bare-insert", &db]))
    });
    rows.push(Row {
        what: "record one measurement: `jobloop measure` from process start to exit",
        median: time(runs, || {
            run(Command::new(BIN).args([
                "--db",
                &db,
                "--as",
                "bench",
                "measure",
                slug,
                "instrument",
                "5",
            ]))
        }),
        reference: Some((
            "bare process: open with the same pragmas, one insert, commit",
            bare,
        )),
    });
    rows.push(Row {
        what: "`jobloop review --json` end to end",
        median: time(runs, || {
            run(Command::new(BIN).args(["--db", &db, "review", "--json"]))
        }),
        reference: group_ref,
    });
    rows.push(Row {
        what: "`jobloop export` end to end",
        median: time(runs.min(5), || {
            run(Command::new(BIN).args(["--db", &db, "export"]))
        }),
        reference: sqlite.then(|| {
            (
                "sqlite3 shell dumps the value rows",
                time(runs.min(5), || {
                    run(Command::new("sqlite3")
                        .arg(&db)
                        .arg("SELECT * FROM metric_values"))
                }),
            )
        }),
    });
    let export = dir.path().join("export.json");
    run(Command::new(BIN).args(["--db", &db, "export", export.to_str().unwrap()]));
    let target = dir.path().join("import.db");
    let t = Instant::now();
    run(Command::new(BIN).args([
        "--db",
        target.to_str().unwrap(),
        "import",
        export.to_str().unwrap(),
    ]));
    rows.push(Row {
        what: "`jobloop import` of that export into a new file (one run)",
        median: t.elapsed(),
        reference: None,
    });
    rows.push(Row {
        what: "generate the database with `jobloop demo` (one run)",
        median: generated,
        reference: None,
    });
    let mem = peak_mib(&["--db", &db, "review", "--json"]);
    let title = format!(
        "{jobs} jobs × {weeks} weeks ({:.0} MiB file; peak memory of `review --json`: {})",
        std::fs::metadata(&path).unwrap().len() as f64 / 1048576.0,
        mem.map_or("n/a".into(), |m| format!("{m:.0} MiB"))
    );
    out.push((title, rows));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--bare-insert") {
        bare_insert(Path::new(&args[i + 1]));
        return;
    }
    // `cargo test --benches` runs this with --bench absent; keep it quick then.
    if !args.iter().any(|a| a == "--bench") {
        println!("run with `cargo bench`");
        return;
    }
    let mut results = Vec::new();
    bench(3, 8, &mut results);
    if std::env::var("JOBLOOP_BENCH_SIZES").as_deref() != Ok("small") {
        bench(1000, 52, &mut results);
    }
    for (title, rows) in results {
        println!("\n### {title}\n");
        println!("| measured | median | reference (same run) | ratio |");
        println!("|---|---|---|---|");
        for r in rows {
            let (reference, ratio) = match r.reference {
                Some((what, d)) => (
                    format!("{what}: {}", ms(d)),
                    format!("{:.1}×", r.median.as_secs_f64() / d.as_secs_f64()),
                ),
                None => ("—".into(), "—".into()),
            };
            println!("| {} | {} | {reference} | {ratio} |", r.what, ms(r.median));
        }
    }
}
