//! Runs the real `jobloop` binary on a temporary database: a file, or (for the tests listed in
//! `also_on_postgres!`) a fresh database on a throwaway PostgreSQL cluster.
#![allow(dead_code)]
// Shared by every test crate, each of which uses a different part of it.
#![allow(unreachable_pub)]

pub mod file_db;
pub mod flow;
pub mod harness;
pub mod pg;
pub mod proof;
pub mod report;
pub mod screen;
pub mod sim;
pub mod team;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Db {
    pub dir: tempfile::TempDir,
    /// The file, or the shared database's URL.
    pub path: PathBuf,
}

impl Db {
    /// A new empty database of the engine this test runs on (see `also_on_postgres!`).
    pub fn new() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = match pg::current() {
            Some(cluster) => PathBuf::from(cluster.new_database()),
            None => dir.path().join("jobloop.db"),
        };
        Db { dir, path }
    }

    /// Whether this test runs on the shared PostgreSQL store.
    pub fn shared(&self) -> bool {
        jobloop::store::pg::is_url(&self.path)
    }

    pub fn cmd(&self) -> Command {
        jobloop(&self.path)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run jobloop")
    }

    /// Runs a command that must succeed; returns its standard output.
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

    /// Runs a command that must be refused with `code`, leaving every record as it was;
    /// returns the error line.
    pub fn refused(&self, args: &[&str], code: i32) -> String {
        let before = self.state();
        let out = self.run(args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(code),
            "jobloop {args:?}: expected exit {code}, stderr: {err}"
        );
        assert!(
            out.stdout.is_empty(),
            "refusal printed to stdout: {:?}",
            out.stdout
        );
        assert_eq!(err.lines().count(), 1, "not a one-line error: {err}");
        assert!(err.starts_with("jobloop: error: "), "{err}");
        assert_eq!(
            self.state(),
            before,
            "a refused command changed the data: {args:?}"
        );
        err
    }

    /// Every record, as `export` writes it (or the raw bytes when there is no database yet).
    pub fn state(&self) -> String {
        if !self.shared() && !self.path.exists() {
            return String::new();
        }
        let out = self.run(&["export"]);
        if out.status.success() {
            String::from_utf8(out.stdout).unwrap()
        } else {
            format!("{:?}", std::fs::read(&self.path).unwrap())
        }
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).expect("JSON output")
    }

    /// The first job's loop of `kind` in `review --json`.
    pub fn review_loop(&self, kind: &str) -> serde_json::Value {
        let review = self.json(&["review", "--json"]);
        review["jobs"][0]["loops"]
            .as_array()
            .expect("loops")
            .iter()
            .find(|l| l["kind"] == kind)
            .expect("the loop")
            .clone()
    }
}

/// The binary on `db` as `tester` (named by `JOBLOOP_USER`), with nothing from the environment
/// choosing another file.
pub fn jobloop(db: &Path) -> Command {
    let mut c = Command::new(bin());
    c.arg("--db").arg(db);
    c.env_remove("JOBLOOP_DB")
        .env("JOBLOOP_USER", "tester")
        .env("NO_COLOR", "1");
    c
}

/// The file beside `path` whose name adds `suffix` (`-wal`, `-journal`, …).
pub fn companion(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// A new database with job `t` whose instrument loop measures hours (lower is better).
pub fn ready() -> Db {
    let db = Db::new();
    db.ok(&["job", "add", "Triage", "--slug", "t"]);
    db.ok(&["metric", "set", "t", "instr", "hours", "--better", "lower"]);
    db
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_jobloop")
}

pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// Why the review suggests the canonical kill signal of `kind` on the first job (one line per
/// reason).
pub fn suggested(db: &Db, kind: &str) -> Vec<String> {
    db.review_loop(kind)["suggested_kill_signals"]
        .as_array()
        .expect("suggested kill signals")
        .iter()
        .map(|s| s["why"].as_str().expect("why").to_string())
        .collect()
}

/// An outcome metric `name` in hours, lower is better (no target): the metric most tests measure.
pub fn lower_metric(name: &str) -> jobloop::domain::LoopOp {
    use jobloop::domain::model::Better;
    jobloop::domain::LoopOp::metric(name, "h", Better::Lower)
}
