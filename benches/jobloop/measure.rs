//! How a figure is taken: medians of timed runs of the real binary, peak memory, a kept
//! database of each size, and the rows and targets the report prints.

use jobloop::store::SCHEMA_VERSION;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_jobloop");

pub(crate) fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

pub(crate) fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
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

pub(crate) fn run(cmd: &mut Command) {
    let out = cmd.stdout(Stdio::null()).output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub(crate) fn jobloop(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--db").arg(db).args(["--as", "bench"]).args(args);
    c
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

pub(crate) fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new_with_kind(
        code,
        KeyModifiers::NONE,
        KeyEventKind::Press,
    ))
}

/// Peak resident memory (MiB) of a command: this binary re-run as `--peak CMD…`, which waits for
/// its only child and reads the children's maximum resident set size.
pub(crate) fn peak_mib(cmd: &Command) -> f64 {
    let mut me = Command::new(std::env::current_exe().unwrap());
    me.arg("--peak").arg(cmd.get_program()).args(cmd.get_args());
    let out = me.stderr(Stdio::inherit()).output().expect("run --peak");
    let kib: f64 = String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("peak");
    kib / 1024.0
}

pub(crate) fn peak_child(args: &[String]) {
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
pub(crate) fn bare_insert(path: &Path) {
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
pub(crate) fn database(jobs: usize, weeks: u32, dir: &Path) -> (PathBuf, Option<Duration>) {
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

pub(crate) struct Row {
    pub(crate) what: String,
    pub(crate) median: Duration,
    pub(crate) reference: Option<(String, Duration)>,
}

pub(crate) struct Target {
    pub(crate) what: String,
    pub(crate) limit: String,
    pub(crate) measured: String,
    pub(crate) met: bool,
}

#[derive(Default)]
pub(crate) struct Size {
    pub(crate) title: String,
    pub(crate) rows: Vec<Row>,
    pub(crate) review: Duration,
    pub(crate) first_frame: Duration,
    pub(crate) whole_board: Duration,
}

pub(crate) fn row(
    rows: &mut Vec<Row>,
    what: &str,
    median: Duration,
    reference: Option<(&str, Duration)>,
) {
    rows.push(Row {
        what: what.into(),
        median,
        reference: reference.map(|(w, d)| (w.to_string(), d)),
    });
}

pub(crate) fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

pub(crate) fn target(
    targets: &mut Vec<Target>,
    what: String,
    limit: String,
    measured: String,
    met: bool,
) {
    targets.push(Target {
        what,
        limit,
        measured,
        met,
    });
}
