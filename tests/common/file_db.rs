//! A database that is always a file, driven as its user would (`--as tester`, from its folder),
//! with the tools of someone working behind jobloop's back: raw SQL, the folder's names, a
//! process that has ended.

use super::lower_metric;
use jobloop::domain::{Ctx, Intent, LoopKind, LoopOp, Stamp, When};
use jobloop::store::{Missing, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const ACTOR: &str = "tester";

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_jobloop")
}

/// The binary on `db`, as `tester`, with nothing from the environment choosing another file.
pub fn jobloop(db: &Path) -> Command {
    let mut c = Command::new(bin());
    c.arg("--db").arg(db).arg("--as").arg(ACTOR);
    c.env_remove("JOBLOOP_DB")
        .env_remove("JOBLOOP_USER")
        .env("NO_COLOR", "1");
    c
}

/// Asserts a failure as the user sees it: exit `code`, one line on stderr, `jobloop: error:`.
pub fn error_line(out: &Output, code: i32, what: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: expected exit {code}; stderr: {err}; stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        err.lines().count(),
        1,
        "{what}: not a one-line error: {err:?}"
    );
    assert!(err.starts_with("jobloop: error: "), "{what}: {err}");
    err
}

pub struct FileDb {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl FileDb {
    pub fn new() -> FileDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("jobloop.db");
        FileDb { dir, path }
    }

    /// A database with job `t` whose instrument loop has a metric and two baselines.
    pub fn measured() -> FileDb {
        let db = FileDb::new();
        db.ok(&["job", "add", "Triage", "--slug", "t"]);
        db.ok(&["metric", "set", "t", "instr", "hours", "--better", "lower"]);
        db.ok(&["baseline", "t", "instr", "5", "--at", "2026-01-05"]);
        db.ok(&["baseline", "t", "instr", "6.5", "--at", "2026-01-12"]);
        db
    }

    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn cmd(&self) -> Command {
        let mut c = jobloop(&self.path);
        c.current_dir(self.dir.path());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run jobloop")
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "jobloop {args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).expect("JSON output")
    }

    /// Runs a command that must fail with `code` and print nothing on stdout; returns the line.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let err = error_line(&out, code, &format!("{args:?}"));
        assert!(out.stdout.is_empty(), "{args:?} printed {:?}", out.stdout);
        err
    }

    /// Like `fails`, and every record is as it was.
    pub fn refused(&self, args: &[&str], code: i32) -> String {
        let before = self.state();
        let err = self.fails(args, code);
        assert_eq!(self.state(), before, "{args:?} changed the records");
        err
    }

    /// Every record, as `export` writes it.
    pub fn state(&self) -> String {
        if !self.path.exists() {
            return String::new();
        }
        let out = self.run(&["export"]);
        assert!(
            out.status.success(),
            "export: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// Runs SQL on a file the way someone would behind jobloop's back: the `sqlite3` shell (foreign
/// keys off, as it starts), or rusqlite where the shell is not installed.
pub fn sqlite(db: &Path, sql: &str) {
    match Command::new("sqlite3").arg(db).arg(sql).output() {
        Ok(out) => assert!(
            out.status.success(),
            "sqlite3 {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(_) => rusqlite::Connection::open(db)
            .unwrap()
            .execute_batch(sql)
            .unwrap(),
    }
}

/// The first column of every row a query gives, as text.
pub fn query(db: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

pub fn one(db: &Path, sql: &str) -> String {
    query(db, sql)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no row for {sql}"))
}

/// The names in a folder (hidden files included).
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Runs a command that must finish within `limit` (a FIFO must never make jobloop wait).
pub fn within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("jobloop hung for more than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

/// The id of a process that has ended.
pub fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

pub fn ctx() -> Ctx {
    Ctx::local(ACTOR, Stamp::now())
}

pub fn on(kind: LoopKind, op: LoopOp) -> Intent {
    Intent::OnLoop {
        slug: "t".into(),
        kind,
        op,
    }
}

pub fn day(i: usize) -> When {
    When::parse(&format!("2026-01-{:02}", 1 + i % 28)).unwrap()
}

/// Job `t` with a primary metric on its instrument loop, through the library.
pub fn measured_store(path: &Path) -> Store {
    let mut s = Store::open(path, Missing::Create).unwrap();
    s.apply(
        &ctx(),
        &Intent::AddJob {
            title: "Triage".into(),
            slug: Some("t".into()),
            statement: None,
            owner: Some(ACTOR.into()),
            since: None,
        },
    )
    .unwrap();
    s.apply(&ctx(), &on(LoopKind::Instrument, lower_metric("hours")))
        .unwrap();
    s
}

pub fn export(s: &mut Store) -> String {
    let mut out = Vec::new();
    s.export(&mut out, &mut |_| {}).unwrap();
    String::from_utf8(out).unwrap()
}

/// Each value's bits in an export, by its note.
pub fn exported_bits(text: &str) -> Vec<(String, u64)> {
    let doc: serde_json::Value = serde_json::from_str(text).unwrap();
    let mut v: Vec<(String, u64)> = doc["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["note"].as_str().unwrap().to_string(),
                v["value"].as_f64().unwrap().to_bits(),
            )
        })
        .collect();
    v.sort();
    v
}
