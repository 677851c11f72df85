//! Records you can trust: each fault of the issue of that name is caused here, on this machine,
//! against the real binary (or the library where thousands of cases are needed), and each test
//! checks the one-line message, the exit code, and that nothing recorded was lost or changed.
//! What `files.rs`, `durability.rs`, `refusals.rs`, `properties.rs` and `tui.rs` already cause is
//! not repeated.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jobloop::domain::model::{Better, Capability, LearningType, Measures, Phase};
use jobloop::domain::{Ctx, Intent, LoopKind, LoopOp, Stamp, Week, When};
use jobloop::store::{Missing, Store};
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, RngSeed};
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const ACTOR: &str = "tester";

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_jobloop")
}

/// The binary on `db`, as `tester`, with nothing from the environment choosing another file.
fn jobloop(db: &Path) -> Command {
    let mut c = Command::new(bin());
    c.arg("--db").arg(db).arg("--as").arg(ACTOR);
    c.env_remove("JOBLOOP_DB")
        .env_remove("JOBLOOP_USER")
        .env("NO_COLOR", "1");
    c
}

/// Asserts a failure as the user sees it: exit `code`, one line on stderr, `jobloop: error:`.
fn error_line(out: &Output, code: i32, what: &str) -> String {
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

struct Db {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl Db {
    fn new() -> Db {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("jobloop.db");
        Db { dir, path }
    }

    /// A database with job `t` whose instrument loop has a metric and two baselines.
    fn measured() -> Db {
        let db = Db::new();
        db.ok(&["job", "add", "Triage", "--slug", "t"]);
        db.ok(&["metric", "set", "t", "instr", "hours", "--better", "lower"]);
        db.ok(&["baseline", "t", "instr", "5", "--at", "2026-01-05"]);
        db.ok(&["baseline", "t", "instr", "6.5", "--at", "2026-01-12"]);
        db
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn cmd(&self) -> Command {
        let mut c = jobloop(&self.path);
        c.current_dir(self.dir.path());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run jobloop")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "jobloop {args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).expect("JSON output")
    }

    /// Runs a command that must fail with `code` and print nothing on stdout; returns the line.
    fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let err = error_line(&out, code, &format!("{args:?}"));
        assert!(out.stdout.is_empty(), "{args:?} printed {:?}", out.stdout);
        err
    }

    /// Like `fails`, and every record is as it was.
    fn refused(&self, args: &[&str], code: i32) -> String {
        let before = self.state();
        let err = self.fails(args, code);
        assert_eq!(self.state(), before, "{args:?} changed the records");
        err
    }

    /// Every record, as `export` writes it.
    fn state(&self) -> String {
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
fn sqlite(db: &Path, sql: &str) {
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
fn query(db: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn one(db: &Path, sql: &str) -> String {
    query(db, sql)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no row for {sql}"))
}

/// The names in a folder (hidden files included).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Runs a command that must finish within `limit` (a FIFO must never make jobloop wait).
fn within(mut cmd: Command, limit: Duration) -> Output {
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
fn dead_pid() -> u32 {
    let mut child = Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

// ---------------------------------------------------------------------------------------------
// 1. Every value round-trips exactly.
// ---------------------------------------------------------------------------------------------

/// Values at the edges of what an f64 keeps.
const SPECIAL: [f64; 18] = [
    5e-324,
    -5e-324,
    2.2250738585072014e-308,
    2.225073858507201e-308,
    -2.2250738585072014e-308,
    0.18181818181818182,
    0.30000000000000004,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    1e-300,
    -1e300,
    0.1,
    0.004,
    9007199254740993.0,
    123456789012345680.0,
    1e15,
    0.0,
    -0.0,
];

/// The bits a typed value is kept as: the value itself, `-0` as `0`.
fn kept(v: f64) -> u64 {
    if v == 0.0 {
        0f64.to_bits()
    } else {
        v.to_bits()
    }
}

/// How a person may type `v`: plain, in exponent notation, or as Rust debug-prints it.
fn typed(v: f64, form: u8) -> String {
    match form % 3 {
        0 => format!("{v}"),
        1 => format!("{v:e}"),
        _ => format!("{v:?}"),
    }
}

fn ctx() -> Ctx {
    Ctx::local(ACTOR, Stamp::now())
}

fn on(kind: LoopKind, op: LoopOp) -> Intent {
    Intent::OnLoop {
        slug: "t".into(),
        kind,
        op,
    }
}

fn day(i: usize) -> When {
    When::parse(&format!("2026-01-{:02}", 1 + i % 28)).unwrap()
}

/// Job `t` with a primary metric on its instrument loop, through the library.
fn measured_store(path: &Path) -> Store {
    let mut s = Store::open(path, Missing::Create).unwrap();
    s.apply(
        &ctx(),
        &Intent::AddJob {
            title: "Triage".into(),
            slug: Some("t".into()),
            statement: None,
            owner: Some(ACTOR.into()),
        },
    )
    .unwrap();
    s.apply(
        &ctx(),
        &on(
            LoopKind::Instrument,
            LoopOp::SetMetric {
                name: "hours".into(),
                unit: "h".into(),
                better: Better::Lower,
                measures: Measures::Outcome,
                replace: false,
                target: None,
                reason: None,
            },
        ),
    )
    .unwrap();
    s
}

fn export(s: &mut Store) -> String {
    let mut out = Vec::new();
    s.export(&mut out, &mut |_| {}).unwrap();
    String::from_utf8(out).unwrap()
}

/// Each value's bits in an export, by its note.
fn exported_bits(text: &str) -> Vec<(String, u64)> {
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

/// Each value's bits as SQLite holds them, by its note.
fn stored_bits(db: &Path) -> Vec<(String, u64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT note, value FROM metric_values ORDER BY note")
        .unwrap();
    stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, f64>(1)?.to_bits()))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn finite() -> impl Strategy<Value = f64> {
    use proptest::num::f64 as F;
    prop_oneof![
        3 => F::POSITIVE | F::NEGATIVE | F::NORMAL | F::SUBNORMAL | F::ZERO,
        2 => any::<u64>().prop_map(f64::from_bits).prop_filter("finite", |v| v.is_finite()),
        2 => prop::sample::select(SPECIAL.to_vec()),
        2 => -1.0e6..1.0e6f64,
        // 17 significant digits at any magnitude.
        2 => (10_000_000_000_000_000u64..100_000_000_000_000_000, -340i32..292)
            .prop_map(|(m, e)| format!("{m}e{e}").parse::<f64>().unwrap())
            .prop_filter("kept", |v| v.is_finite() && *v != 0.0),
    ]
}

fn seeded(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(0x6a6f_626c_6f6f_7021),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// The problems `verify` finds.
fn problems(s: &mut Store) -> Vec<jobloop::domain::verify::Problem> {
    s.verify().unwrap().problems
}

/// A value typed in any notation is kept bit for bit: in SQLite, in the store's record, in an
/// export, and in a database restored from that export (whose export is the same text); and
/// `verify` finds nothing, in both.
fn round_trip(values: &[(f64, u8, bool)]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let mut s = measured_store(&path);
    let mut expected = Vec::new();
    for (i, (v, form, live)) in values.iter().enumerate() {
        let text = typed(*v, *form);
        let parsed = jobloop::domain::num::parse(&text);
        prop_assert!(parsed.is_ok(), "{} refused: {:?}", text, parsed);
        let parsed = parsed.unwrap();
        prop_assert_eq!(parsed.to_bits(), kept(*v), "{} read as {:e}", text, parsed);
        let note = format!("v{i}");
        let intent = on(
            LoopKind::Instrument,
            LoopOp::RecordValue {
                phase: if *live { Phase::Live } else { Phase::Baseline },
                value: parsed,
                at: day(i),
                note: Some(note.clone()),
                reason: None,
                guard: None,
            },
        );
        s.apply(&ctx(), &intent).unwrap();
        expected.push((note, kept(*v)));
    }
    expected.sort();
    let found = problems(&mut s);
    prop_assert!(found.is_empty(), "{:?}", found);
    let record = s
        .loop_detail("t", LoopKind::Instrument, 1, Stamp::now())
        .unwrap()
        .record;
    let mut held: Vec<(String, u64)> = record
        .values
        .iter()
        .map(|v| (v.note.clone(), v.value.to_bits()))
        .collect();
    held.sort();
    prop_assert_eq!(&held, &expected);
    prop_assert_eq!(&stored_bits(&path), &expected);

    let first = export(&mut s);
    prop_assert_eq!(&exported_bits(&first), &expected);
    let copy_path = dir.path().join("b.db");
    let mut copy = Store::open(&copy_path, Missing::Create).unwrap();
    let imported = copy
        .import(&mut first.as_bytes(), None, &mut |_| {})
        .unwrap();
    prop_assert!(
        imported.is_ok(),
        "{:?}",
        imported.err().map(|e| e.to_string())
    );
    let found = problems(&mut copy);
    prop_assert!(found.is_empty(), "{:?}", found);
    let second = export(&mut copy);
    // The export has no moment of writing in it: the whole text is the same.
    prop_assert_eq!(&first, &second);
    prop_assert_eq!(&stored_bits(&copy_path), &expected);
    Ok(())
}

fn values() -> impl Strategy<Value = Vec<(f64, u8, bool)>> {
    prop::collection::vec((finite(), 0u8..3, any::<bool>()), 1..6)
}

proptest! {
    #![proptest_config(seeded(200))]

    #[test]
    fn every_value_round_trips_exactly_and_verify_finds_nothing_at_all(values in values()) {
        round_trip(&values)?;
    }
}

#[test]
fn a_subnormal_baseline_keeps_the_derived_state_verifiable() {
    let db = Db::new();
    db.ok(&["job", "add", "Triage", "--slug", "t"]);
    db.ok(&["metric", "set", "t", "instr", "hours", "--better", "lower"]);
    db.ok(&["baseline", "t", "instr", "5e-324", "--at", "2026-01-05"]);
    db.ok(&["measure", "t", "instr", "1", "--at", "2026-01-12"]);
    let out = db.run(&["verify"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn typed_values_survive_the_cli_verify_and_an_export_import_bit_for_bit() {
    let db = Db::new();
    db.ok(&["job", "add", "Triage", "--slug", "t"]);
    db.ok(&["metric", "set", "t", "instr", "hours", "--better", "lower"]);
    let mut expected = Vec::new();
    let mut i = 0;
    for v in SPECIAL {
        for form in 0..3 {
            let text = typed(v, form);
            let note = format!("n{i:03}");
            let at = format!("2026-01-{:02}", 1 + i % 28);
            let out = db.ok(&[
                "baseline", "t", "instr", &text, "--at", &at, "--note", &note,
            ]);
            assert!(out.starts_with("recorded baseline"), "{text}: {out}");
            expected.push((note, kept(v)));
            i += 1;
        }
    }
    // What cannot be kept is refused, not rounded to 0 or infinity.
    let err = db.refused(&["measure", "t", "instr", "1e-400"], 2);
    assert!(err.contains("too small to keep"), "{err}");
    let err = db.refused(&["measure", "t", "instr", "-2e308"], 2);
    assert!(err.contains("too large to keep"), "{err}");

    assert_eq!(stored_bits(&db.path), expected);
    let verified = db.run(&["verify"]);
    assert_eq!(
        verified.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
    let first = db.state();
    assert_eq!(exported_bits(&first), expected);
    let file = db.file("x.json");
    db.ok(&["export", file.to_str().unwrap()]);
    let copy = Db::new();
    copy.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(copy.state(), first);
    assert_eq!(stored_bits(&copy.path), expected);
    assert_eq!(copy.run(&["verify"]).status.code(), Some(0));
}

/// One step of an honest session on job `t`.
#[derive(Clone, Debug)]
enum Step {
    Value(bool, f64),
    Intervene,
    AddSignal(Option<&'static str>),
    Trip,
    Rearm(i64),
    Note(String),
    Owner(LoopKind, String),
    Mark(LoopKind, i64),
    Unmark(LoopKind, i64),
    Decide,
    Approve,
    Learn(String),
    VoidLast,
    Open(LoopKind),
    Close(LoopKind),
    Retire,
    Continue,
    Replace,
    Tool(String),
    Proof,
    Cycle(bool),
    Check,
}

fn kinds() -> impl Strategy<Value = LoopKind> {
    prop::sample::select(LoopKind::ALL.to_vec())
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (any::<bool>(), finite()).prop_map(|(live, v)| Step::Value(live, v)),
        1 => Just(Step::Intervene),
        1 => prop::sample::select(vec![None, Some("below 0.004"), Some("above 1e300"), Some("stale 14 days"), Some("worse-than-baseline 10% for 2")])
            .prop_map(Step::AddSignal),
        1 => Just(Step::Trip),
        1 => (1i64..4).prop_map(Step::Rearm),
        1 => ".{0,30}".prop_map(Step::Note),
        1 => (kinds(), "[A-Za-z ]{1,12}").prop_map(|(k, n)| Step::Owner(k, n)),
        1 => (kinds(), 1i64..5).prop_map(|(k, n)| Step::Mark(k, n)),
        1 => (kinds(), 1i64..5).prop_map(|(k, n)| Step::Unmark(k, n)),
        1 => Just(Step::Decide),
        1 => Just(Step::Approve),
        1 => ".{1,30}".prop_map(Step::Learn),
        1 => Just(Step::VoidLast),
        1 => kinds().prop_map(Step::Open),
        1 => kinds().prop_map(Step::Close),
        1 => Just(Step::Retire),
        1 => Just(Step::Continue),
        1 => Just(Step::Replace),
        1 => "[a-z]{1,10}".prop_map(Step::Tool),
        1 => Just(Step::Proof),
        1 => any::<bool>().prop_map(Step::Cycle),
        1 => Just(Step::Check),
    ]
}

/// The id of the loop's newest value, decision or learning (for a void or an approval).
fn newest(s: &mut Store, what: &str) -> Option<String> {
    let r = s
        .loop_detail("t", LoopKind::Instrument, 1, Stamp::now())
        .unwrap()
        .record;
    match what {
        "value" => r.values.last().map(|v| v.id.clone()),
        _ => r.decisions.last().map(|d| d.id.clone()),
    }
}

fn intent_of(s: &mut Store, step: &Step, i: usize) -> Option<Intent> {
    let instr = |op| on(LoopKind::Instrument, op);
    Some(match step.clone() {
        Step::Value(live, v) => instr(LoopOp::RecordValue {
            phase: if live { Phase::Live } else { Phase::Baseline },
            value: jobloop::domain::num::parse(&format!("{v:e}")).ok()?,
            at: day(i),
            note: Some(format!("step {i}")),
            reason: None,
            guard: None,
        }),
        Step::Intervene => instr(LoopOp::Intervene {
            description: format!("change {i}"),
            at: day(i),
            horizon: None,
        }),
        Step::AddSignal(rule) => instr(LoopOp::AddKillSignal {
            text: format!("signal {i}"),
            rule: rule.map(str::to_string),
            reason: None,
        }),
        Step::Trip => instr(LoopOp::Trip {
            n: None,
            reason: "seen in the data".into(),
            evidence: None,
        }),
        Step::Rearm(n) => instr(LoopOp::Rearm {
            n,
            reason: "fixed".into(),
        }),
        Step::Note(text) => instr(LoopOp::SetNotes { text }),
        Step::Owner(kind, name) => on(kind, LoopOp::AssignOwner { name }),
        Step::Mark(kind, n) => on(
            kind,
            LoopOp::MarkStep {
                n,
                evidence: Some(format!("evidence {i}")),
            },
        ),
        Step::Unmark(kind, n) => on(kind, LoopOp::UndoStep { n }),
        Step::Decide => instr(LoopOp::Decide {
            text: format!("decision {i}"),
            owner: ACTOR.into(),
            threshold: Some("refunds under 50 EUR".into()),
        }),
        Step::Approve => instr(LoopOp::Approve {
            decision: newest(s, "decision")?,
        }),
        Step::Learn(text) => instr(LoopOp::Learn {
            text,
            kind: LearningType::Evidence,
            tag: Some("tag".into()),
            capability: Some(Capability::Reality),
        }),
        Step::VoidLast => instr(LoopOp::Void {
            record: newest(s, "value")?,
            reason: "typed by mistake".into(),
        }),
        Step::Open(kind) => on(kind, LoopOp::Open),
        Step::Close(kind) => on(kind, LoopOp::Close { force: true }),
        Step::Retire => instr(LoopOp::Retire {
            reason: "it does not work".into(),
        }),
        Step::Continue => instr(LoopOp::Continue {
            reason: "worth another week".into(),
        }),
        Step::Replace => instr(LoopOp::SetMetric {
            name: format!("metric {i}"),
            unit: "h".into(),
            better: Better::Higher,
            measures: Measures::Outcome,
            replace: true,
            target: None,
            reason: None,
        }),
        Step::Tool(name) => Intent::SelectTool {
            slug: "t".into(),
            name,
            at: day(i),
        },
        Step::Proof => Intent::AddProof {
            slug: "t".into(),
            title: format!("proof {i}"),
            kind: jobloop::domain::model::ProofKind::Case,
            visibility: jobloop::domain::model::Visibility::Private,
            link: Some("https://example.com/case".into()),
            at: day(i),
        },
        Step::Cycle(yes) => Intent::CloseCycle {
            slug: "t".into(),
            week: Some(Week::of(day(i).date())),
            answers: jobloop::domain::cycle::CompoundAnswers {
                understanding: Some(yes),
                explanation: Some(!yes),
                creation: Some(yes),
                distribution: Some(true),
                ..Default::default()
            },
        },
        Step::Check => return None,
    })
}

proptest! {
    #![proptest_config(seeded(24))]

    /// Whatever honest sequence of commands was run (refused ones included), `verify` finds
    /// nothing, `doctor` finds nothing, and an export restores to the same export.
    #[test]
    fn honest_command_sequences_always_verify_and_round_trip(
        steps in prop::collection::vec(step(), 1..30)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut s = measured_store(&path);
        for (i, step) in steps.iter().enumerate() {
            match intent_of(&mut s, step, i) {
                Some(intent) => match s.apply(&ctx(), &intent) {
                    Ok(_) | Err(jobloop::store::Error::Refused(_)) => {}
                    Err(e) => prop_assert!(false, "{:?}: {}", step, e),
                },
                None => {
                    s.check_rules(Stamp::now()).unwrap();
                }
            }
        }
        let report = s.verify().unwrap();
        prop_assert!(report.problems.is_empty(), "{:?}", report.problems);
        let (findings, _) = s.doctor(false).unwrap();
        prop_assert!(findings.iter().all(|f| f.ok), "{:?}", findings);
        // The per-loop state kept current by each write is what a rebuild from the records
        // gives: the review read from it is the same before and after `doctor --repair`.
        let now = Stamp::now();
        let kept = serde_json::to_string(&s.board().unwrap().review(now)).unwrap();
        s.doctor(true).unwrap();
        let rebuilt = serde_json::to_string(&s.board().unwrap().review(now)).unwrap();
        prop_assert_eq!(kept, rebuilt);
        let first = export(&mut s);
        let mut copy = Store::open(&dir.path().join("c.db"), Missing::Create).unwrap();
        let imported = copy.import(&mut first.as_bytes(), None, &mut |_| {}).unwrap();
        prop_assert!(imported.is_ok(), "{:?}", imported.err().map(|e| e.to_string()));
        prop_assert!(copy.verify().unwrap().problems.is_empty());
        prop_assert_eq!(&export(&mut copy), &first);
    }
}

// ---------------------------------------------------------------------------------------------
// 2. No command overwrites the database or a file nobody named.
// ---------------------------------------------------------------------------------------------

#[test]
fn export_and_backup_refuse_the_database_and_its_companions_by_any_name() {
    let db = Db::measured();
    // An open connection keeps the -wal and -shm companions on disk, as a running TUI does.
    let holder = rusqlite::Connection::open(&db.path).unwrap();
    let _: i64 = holder
        .query_row("SELECT count(*) FROM jobs", [], |r| r.get(0))
        .unwrap();
    let wal = db.file("jobloop.db-wal");
    let shm = db.file("jobloop.db-shm");
    assert!(wal.exists() && shm.exists(), "{:?}", names(db.dir.path()));
    std::os::unix::fs::symlink(&db.path, db.file("link.json")).unwrap();
    // (A hard link to the database itself makes every command refuse the file before it reads
    // it: `one_file.rs`.)
    std::fs::hard_link(&wal, db.file("wal-hard.json")).unwrap();
    std::os::unix::fs::symlink(&shm, db.file("shm-link.json")).unwrap();
    std::fs::create_dir(db.file("sub")).unwrap();
    let absolute = db.path.to_str().unwrap().to_string();
    let targets = [
        "jobloop.db",
        "./jobloop.db",
        "sub/../jobloop.db",
        absolute.as_str(),
        "jobloop.db-wal",
        "./jobloop.db-shm",
        "jobloop.db-journal",
        "link.json",
        "wal-hard.json",
        "shm-link.json",
    ];
    let before = db.state();
    let bytes = std::fs::read(&db.path).unwrap();
    let wal_bytes = std::fs::read(&wal).unwrap();
    for target in targets {
        for command in ["export", "backup"] {
            for force in [false, true] {
                let mut args = vec![command, target];
                if force {
                    args.push("--force");
                }
                let err = db.fails(&args, 2);
                assert!(
                    err.contains("is the database itself or one of its files"),
                    "{args:?}: {err}"
                );
            }
        }
    }
    assert_eq!(std::fs::read(&db.path).unwrap(), bytes);
    assert_eq!(std::fs::read(&wal).unwrap(), wal_bytes);
    assert!(!db.file("jobloop.db-journal").exists());
    drop(holder);
    assert_eq!(db.state(), before);

    // The database named through a symlink: its real name is protected too.
    let out = jobloop(&db.file("link.json"))
        .current_dir(db.dir.path())
        .args(["export", "jobloop.db", "--force"])
        .output()
        .unwrap();
    let err = error_line(&out, 2, "export through a linked --db");
    assert!(err.contains("is the database itself"), "{err}");
    assert_eq!(db.state(), before);
}

/// The TUI's digest (W) goes to a fixed name in the folder jobloop was started in: a hard link
/// or a symlink there to the database or its write-ahead log must not be written through.
#[test]
fn the_tui_digest_refuses_hard_links_and_companions_of_the_database() {
    use jobloop::tui::app::App;
    use jobloop::tui::config::Theme;
    use jobloop::tui::keymap::Keymap;
    use jobloop::tui::worker::Worker;
    use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = measured_store(&path);
    let mut app = App::new(
        Worker::inline(store),
        Some(ACTOR.into()),
        Keymap::default(),
        Theme::new(false),
        false,
    );
    app.digest_dir = dir.path().to_path_buf();
    app.start(true);
    let press = |app: &mut App, code| {
        app.handle(Event::Key(KeyEvent::new_with_kind(
            code,
            KeyModifiers::NONE,
            KeyEventKind::Press,
        )))
    };
    let week = Week::containing(Stamp::now());
    let digest = dir.path().join(format!("jobloop-digest-{week}.md"));
    let wal = dir.path().join("t.db-wal");
    assert!(wal.exists(), "the open store has its write-ahead log");
    for what in [
        "hard link to the database",
        "hard link to the -wal",
        "symlink to the -wal",
    ] {
        match what {
            "hard link to the database" => std::fs::hard_link(&path, &digest).unwrap(),
            "hard link to the -wal" => std::fs::hard_link(&wal, &digest).unwrap(),
            _ => std::os::unix::fs::symlink(&wal, &digest).unwrap(),
        }
        let db_before = std::fs::read(&path).unwrap();
        let wal_before = std::fs::read(&wal).unwrap();
        press(&mut app, KeyCode::Char('W'));
        // If it asks to replace the file, say yes: it must still refuse.
        if app.form.is_some() {
            press(&mut app, KeyCode::Enter);
        }
        let message = app
            .message
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default();
        assert!(
            message.contains("is the database itself or one of its files"),
            "{what}: {message}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), db_before, "{what}");
        assert_eq!(std::fs::read(&wal).unwrap(), wal_before, "{what}");
        std::fs::remove_file(&digest).unwrap();
    }
    // With the name free, the digest is written, private.
    press(&mut app, KeyCode::Char('W'));
    let text = std::fs::read_to_string(&digest).unwrap();
    assert!(text.contains("Weekly review"), "{text}");
    let mode = std::fs::metadata(&digest).unwrap().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn an_existing_file_is_kept_without_force_and_replaced_with_it() {
    let db = Db::measured();
    let state = db.state();
    for (command, name) in [("export", "out.json"), ("backup", "out.db")] {
        let target = db.file(name);
        std::fs::write(&target, "my own notes").unwrap();
        let err = db.refused(&[command, name], 2);
        assert!(
            err.contains("already exists") && err.contains("--force"),
            "{command}: {err}"
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "my own notes");
        db.ok(&[command, name, "--force"]);
        assert_ne!(std::fs::read(&target).unwrap(), b"my own notes");
    }
    assert_eq!(std::fs::read_to_string(db.file("out.json")).unwrap(), state);
    let out = jobloop(&db.file("out.db")).arg("export").output().unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), state);
    assert_eq!(names(db.dir.path()), ["jobloop.db", "out.db", "out.json"]);
}

#[test]
fn files_written_are_private_whatever_the_umask() {
    let db = Db::measured();
    let under_umask_000 = |args: &[&str]| {
        Command::new("sh")
            .arg("-c")
            .arg("umask 000; exec \"$0\" \"$@\"")
            .arg(bin())
            .arg("--db")
            .arg(&db.path)
            .args(["--as", ACTOR])
            .args(args)
            .current_dir(db.dir.path())
            .env_remove("JOBLOOP_DB")
            .output()
            .unwrap()
    };
    // The umask really is 000 in the child.
    let control = under_umask_000(&["--version"]);
    assert!(control.status.success());
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 000; touch control")
        .current_dir(db.dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        std::fs::metadata(db.file("control")).unwrap().mode() & 0o777,
        0o666
    );
    std::fs::write(db.file("old.json"), "old").unwrap();
    std::fs::set_permissions(db.file("old.json"), std::fs::Permissions::from_mode(0o666)).unwrap();
    for args in [
        vec!["export", "out.json"],
        vec!["backup", "out.db"],
        vec!["export", "old.json", "--force"],
    ] {
        let out = under_umask_000(&args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mode = std::fs::metadata(db.file(args[1])).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o600, "{args:?}");
    }
    // A database created under umask 000 is private as well.
    let fresh = db.file("fresh.db");
    let out = Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$0\" \"$@\"")
        .arg(bin())
        .arg("--db")
        .arg(&fresh)
        .args(["--as", ACTOR, "demo"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(std::fs::metadata(&fresh).unwrap().mode() & 0o777, 0o600);
}

#[test]
fn leftovers_of_a_killed_export_or_backup_are_removed_by_the_next_one() {
    let db = Db::measured();
    let dead = dead_pid();
    let alive = std::process::id();
    let stale = [
        format!(".out.json.jobloop-tmp-{dead}-12345"),
        format!(".out.db.jobloop-tmp-{dead}-67890"),
    ];
    // A run still going (this test's own process) keeps its temporary file.
    let running = format!(".out.json.jobloop-tmp-{alive}-1");
    for name in stale.iter().chain([&running]) {
        std::fs::write(db.file(name), "half written").unwrap();
    }
    db.ok(&["export", "out.json"]);
    db.ok(&["backup", "out.db"]);
    let left = names(db.dir.path());
    for name in &stale {
        assert!(!left.contains(name), "{name} was left: {left:?}");
    }
    assert!(left.contains(&running), "{left:?}");
}

#[test]
fn leftovers_of_a_killed_demo_or_import_into_a_new_file_are_removed_by_the_next_one() {
    let db = Db::new();
    // A demo large enough to be killed half-way: wait for its temporary database, then SIGKILL.
    let mut child = db
        .cmd()
        .args(["demo", "--jobs", "400", "--weeks", "52"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !names(db.dir.path())
        .iter()
        .any(|n| n.contains(".jobloop-tmp-"))
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no temporary file"
        );
        assert!(child.try_wait().unwrap().is_none(), "the demo ended early");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    let left = names(db.dir.path());
    assert!(!db.path.exists(), "{left:?}");
    assert!(
        left.iter()
            .any(|n| n.starts_with(".jobloop.db.jobloop-tmp-")),
        "{left:?}"
    );
    db.ok(&["demo"]);
    assert_eq!(
        names(db.dir.path()),
        ["jobloop.db"],
        "the killed demo's files are still there"
    );

    // The same for an import killed half-way (its files made by hand).
    let source = db.file("x.json");
    db.ok(&["export", "x.json"]);
    let target = db.file("restored.db");
    let dead = dead_pid();
    for suffix in ["", "-wal", "-shm"] {
        std::fs::write(
            db.file(&format!(".restored.db.jobloop-tmp-{dead}-42{suffix}")),
            "half",
        )
        .unwrap();
    }
    let out = jobloop(&target)
        .args(["import", source.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        names(db.dir.path()),
        ["jobloop.db", "restored.db", "x.json"]
    );
    // The restored file is in write-ahead-log mode before anyone opens it (header bytes 18 and
    // 19 are 2), so even a read-only first reader finds it as every open leaves it.
    let header = std::fs::read(&target).unwrap();
    assert_eq!(&header[18..20], &[2, 2], "not in WAL mode");

    // Leftovers of a killed import beside an existing database are removed by the next command
    // that may write there, not only by the next import.
    for suffix in ["", "-journal"] {
        std::fs::write(
            db.file(&format!(".jobloop.db.jobloop-tmp-{dead}-7{suffix}")),
            "half",
        )
        .unwrap();
    }
    db.ok(&["job", "add", "Another"]);
    assert_eq!(
        names(db.dir.path()),
        ["jobloop.db", "restored.db", "x.json"]
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Output errors are errors.
// ---------------------------------------------------------------------------------------------

fn dev_full() -> std::fs::File {
    std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap()
}

#[test]
fn output_that_cannot_be_written_is_an_error() {
    let db = Db::measured();
    let before = db.state();
    for args in [
        vec!["export"],
        vec!["review", "--json"],
        vec!["review"],
        vec!["review", "--markdown"],
        vec!["log", "--json"],
        vec!["loop", "show", "t", "instr"],
        vec!["verify"],
    ] {
        let out = db.cmd().args(&args).stdout(dev_full()).output().unwrap();
        let err = error_line(&out, 7, &format!("{args:?} > /dev/full"));
        assert!(err.contains("the disk is full"), "{args:?}: {err}");
    }
    // A write command's acknowledgement that cannot be printed: the record is kept (it was
    // committed) but the failure is reported.
    let out = db
        .cmd()
        .args(["measure", "t", "instr", "4"])
        .stdout(dev_full())
        .output()
        .unwrap();
    error_line(&out, 7, "measure > /dev/full");
    // As FILE: a device is not a file jobloop replaces.
    for args in [
        vec!["export", "/dev/full"],
        vec!["export", "/dev/full", "--force"],
        vec!["backup", "/dev/full", "--force"],
    ] {
        let err = db.fails(&args, 2);
        assert!(err.contains("is a device, not a file"), "{args:?}: {err}");
    }
    let after = db.state();
    assert_eq!(
        exported_bits(&after).len(),
        exported_bits(&before).len() + 1,
        "only the measurement was added"
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Dates.
// ---------------------------------------------------------------------------------------------

fn today() -> String {
    Stamp::now().local_date().format("%Y-%m-%d").to_string()
}

#[test]
fn dates_before_1970_or_after_today_are_refused_naming_the_range() {
    let db = Db::measured();
    let tomorrow = (Stamp::now().local_date() + chrono::Days::new(1))
        .format("%Y-%m-%d")
        .to_string();
    let range = format!("between 1970-01-01 and today ({})", today());
    for bad in ["-0001-01-01", "0000-01-01", "1969-12-31", tomorrow.as_str()] {
        let at = format!("--at={bad}");
        for args in [
            vec!["baseline", "t", "instr", "4", at.as_str()],
            vec!["intervene", "t", "instr", "new tool", at.as_str()],
            vec!["tool", "t", "Zapier", at.as_str()],
        ] {
            let err = db.refused(&args, 2);
            assert!(err.contains(&range), "{args:?}: {err}");
        }
    }
    db.ok(&["baseline", "t", "instr", "4", "--at", "1970-01-01"]);
    db.ok(&["baseline", "t", "instr", "4", "--at", &today()]);
    let values = db.json(&["loop", "show", "t", "instr", "--json", "--all"]);
    let text = values.to_string();
    assert!(
        text.contains("1970-01-01") && text.contains(&today()),
        "{text}"
    );
}

#[test]
fn impossible_and_five_digit_dates_are_refused_naming_the_range() {
    let db = Db::measured();
    for bad in ["10000-01-01", "2026-02-30", "2026-13-01"] {
        let err = db.refused(&["baseline", "t", "instr", "4", "--at", bad], 2);
        assert!(
            err.contains("1970-01-01") && err.contains(&today()),
            "{bad}: {err}"
        );
    }
}

#[test]
fn an_undecodable_value_or_date_is_named_and_doctor_says_what_to_do() {
    let db = Db::measured();
    let id = one(&db.path, "SELECT id FROM metric_values ORDER BY at LIMIT 1");
    for (sql, why) in [
        (
            format!("UPDATE metric_values SET at = '2026-02-30' WHERE id = '{id}'"),
            "is not a date",
        ),
        (
            format!("UPDATE metric_values SET value = 9e999 WHERE id = '{id}'"),
            "not a finite number",
        ),
    ] {
        let copy = Db::new();
        std::fs::copy(&db.path, &copy.path).unwrap();
        sqlite(&copy.path, &sql);
        // The review still works, or names the table and the record.
        for args in [
            vec!["review"],
            vec!["review", "--json"],
            vec!["loop", "show", "t", "instr"],
        ] {
            let out = copy.run(&args);
            if !out.status.success() {
                let err = error_line(&out, 4, &format!("{sql}: {args:?}"));
                assert!(
                    err.contains("values") && err.contains(&id),
                    "{args:?}: {err}"
                );
            }
        }
        let out = copy.run(&["doctor"]);
        let listed = String::from_utf8_lossy(&out.stdout);
        let err = error_line(&out, 8, &format!("doctor after {sql}"));
        assert!(err.contains("doctor found problems"), "{err}");
        assert!(
            listed.contains("FAIL readable")
                && listed.contains("restore those records from a backup"),
            "{sql}: {listed}"
        );
        assert!(
            listed.contains(&format!("metric_values `{id}` cannot be read"))
                && listed.contains(why),
            "{sql}: {listed}"
        );
        let out = copy.run(&["verify"]);
        let err = error_line(&out, 8, &format!("verify after {sql}"));
        assert!(err.contains(&id), "{err}");
    }
}

/// A demo database (3 jobs, 8 weeks) with one replaced metric, as a pristine file to copy.
fn demo_file() -> Db {
    let db = Db::new();
    db.ok(&["demo", "--jobs", "3", "--weeks", "8"]);
    db.ok(&[
        "metric",
        "replace",
        "support-triage",
        "instr",
        "first answer",
        "--reason",
        "the median hid the slow tail",
        "--better",
        "lower",
    ]);
    db
}

/// Copies `pristine`, runs `sql` on the copy with the `sqlite3` shell, and returns the copy.
fn tampered(pristine: &Db, sql: &str) -> Db {
    let copy = Db::new();
    std::fs::copy(&pristine.path, &copy.path).unwrap();
    sqlite(&copy.path, sql);
    copy
}

#[test]
fn doctor_lists_an_undecodable_row_of_any_table() {
    let pristine = demo_file();
    for (table, column) in [
        ("jobs", "created_at"),
        ("steps", "done_at"),
        ("kill_signals", "created_at"),
        ("decisions", "at"),
        ("cycles", "closed_at"),
        ("tools", "at"),
        ("proofs", "at"),
        ("learnings", "at"),
        ("interventions", "at"),
        ("metrics", "set_at"),
    ] {
        let id = one(
            &pristine.path,
            &format!("SELECT id FROM {table} WHERE {column} IS NOT NULL ORDER BY id LIMIT 1"),
        );
        let copy = tampered(
            &pristine,
            &format!("UPDATE {table} SET {column} = 'garbage' WHERE id = '{id}'"),
        );
        let out = copy.run(&["doctor"]);
        let listed = String::from_utf8_lossy(&out.stdout).into_owned();
        error_line(&out, 8, &format!("doctor, {table}.{column}"));
        assert!(
            listed.contains("FAIL readable") && listed.contains(&id),
            "{table}: {listed}"
        );
        let out = copy.run(&["verify"]);
        error_line(&out, 8, &format!("verify, {table}.{column}"));
    }
}

// ---------------------------------------------------------------------------------------------
// 5. verify sees every record.
// ---------------------------------------------------------------------------------------------

/// SQL that inserts a copy of row `id` of `table` under a new id, with `overrides` (column, SQL
/// expression) so that unique constraints hold; returns the SQL and the new id.
fn forge(db: &Path, table: &str, id: &str, overrides: &[(&str, &str)]) -> (String, String) {
    let columns = query(
        db,
        &format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
    );
    let new_id = format!("forged-{id}");
    let values: Vec<String> = columns
        .iter()
        .map(|c| {
            if c == "id" {
                format!("'{new_id}'")
            } else if let Some((_, v)) = overrides.iter().find(|(k, _)| k == c) {
                v.to_string()
            } else {
                c.clone()
            }
        })
        .collect();
    let sql = format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {table} WHERE id = '{id}'",
        columns.join(", "),
        values.join(", ")
    );
    (sql, new_id)
}

/// `slug/kind` of a loop, as verify names it.
fn loop_name(db: &Path, loop_id: &str) -> String {
    one(
        db,
        &format!(
            "SELECT j.slug || '/' || l.kind FROM loops l JOIN jobs j ON j.id = l.job_id WHERE l.id = '{loop_id}'"
        ),
    )
}

#[test]
fn verify_names_every_edited_deleted_or_inserted_record() {
    let pristine = demo_file();
    let p = &pristine.path;
    assert_eq!(pristine.run(&["verify"]).status.code(), Some(0));
    let first = |table: &str, filter: &str| {
        one(
            p,
            &format!("SELECT id FROM {table} WHERE {filter} ORDER BY id LIMIT 1"),
        )
    };
    let mut cases: Vec<(String, String, Vec<String>)> = Vec::new();
    // Records verify names by their own table and id.
    for (table, filter, edit, overrides) in [
        ("metric_values", "1", "value = value + 1", vec![]),
        (
            "interventions",
            "1",
            "description = 'not what happened'",
            vec![],
        ),
        ("decisions", "1", "owner = 'Mallory'", vec![]),
        (
            "cycles",
            "1",
            "understanding = 1 - understanding",
            vec![("week", "'2001-W01'")],
        ),
        ("tools", "1", "name = 'Other tool'", vec![]),
        ("proofs", "1", "link = 'https://evil.example'", vec![]),
        ("learnings", "1", "text = 'never learnt'", vec![]),
        (
            "metrics",
            "replaced_at IS NOT NULL",
            "better = 'higher'",
            vec![],
        ),
    ] {
        let id = first(table, filter);
        let named = |id: &str| vec![format!("{table} `{id}`")];
        cases.push((
            format!("UPDATE {table} SET {edit} WHERE id = '{id}'"),
            "is not what the audit trail recorded".into(),
            named(&id),
        ));
        cases.push((
            format!("DELETE FROM {table} WHERE id = '{id}'"),
            "was deleted behind jobloop's back".into(),
            named(&id),
        ));
        let (sql, new_id) = forge(p, table, &id, &overrides);
        cases.push((sql, "has no audit event".into(), named(&new_id)));
    }
    // Steps, kill signals and the metric in force are part of their loop's record: verify names
    // the loop.
    for (table, edit, overrides) in [
        (
            "steps",
            "evidence = 'forged evidence'",
            vec![("n", "n + 100")],
        ),
        (
            "kill_signals",
            "text = 'never armed'",
            vec![("n", "n + 100")],
        ),
    ] {
        let id = first(table, "1");
        let lp = loop_name(
            p,
            &one(p, &format!("SELECT loop_id FROM {table} WHERE id = '{id}'")),
        );
        let named = vec![format!("loops `{lp}`")];
        cases.push((
            format!("UPDATE {table} SET {edit} WHERE id = '{id}'"),
            "is not what the audit trail recorded".into(),
            named.clone(),
        ));
        cases.push((
            format!("DELETE FROM {table} WHERE id = '{id}'"),
            "is not what the audit trail recorded".into(),
            named.clone(),
        ));
        let (sql, _) = forge(p, table, &id, &overrides);
        cases.push((sql, "is not what the audit trail recorded".into(), named));
    }
    let current = first("metrics", "replaced_at IS NULL");
    let lp = loop_name(
        p,
        &one(
            p,
            &format!("SELECT loop_id FROM metrics WHERE id = '{current}'"),
        ),
    );
    cases.push((
        format!("UPDATE metrics SET name = 'easier metric' WHERE id = '{current}'"),
        "is not what the audit trail recorded".into(),
        vec![format!("loops `{lp}`")],
    ));
    // Jobs and loops.
    let job = first("jobs", "1");
    let slug = one(p, &format!("SELECT slug FROM jobs WHERE id = '{job}'"));
    cases.push((
        format!("UPDATE jobs SET title = 'Renamed' WHERE id = '{job}'"),
        "is not what the audit trail recorded".into(),
        vec![format!("jobs `{slug}`")],
    ));
    cases.push((
        format!("DELETE FROM jobs WHERE id = '{job}'"),
        "was deleted behind jobloop's back".into(),
        vec![format!("jobs `{job}`"), format!("jobs `{slug}`")],
    ));
    let (sql, _) = forge(p, "jobs", &job, &[("slug", "'forged-job'")]);
    cases.push((
        sql,
        "has no audit event".into(),
        vec!["jobs `forged-job`".into()],
    ));
    let lp_id = first("loops", "owner IS NOT NULL");
    let lp = loop_name(p, &lp_id);
    let (lp_job, lp_kind) = lp.split_once('/').unwrap();
    let lp_job_id = one(p, &format!("SELECT job_id FROM loops WHERE id = '{lp_id}'"));
    cases.push((
        format!("UPDATE loops SET owner = 'Mallory' WHERE id = '{lp_id}'"),
        "is not what the audit trail recorded".into(),
        vec![format!("loops `{lp}`")],
    ));
    cases.push((
        format!("DELETE FROM loops WHERE id = '{lp_id}'"),
        "was deleted behind jobloop's back".into(),
        vec![
            format!("loops `{lp}`"),
            format!("loops `{lp_job_id}/{lp_kind}`"),
        ],
    ));
    let _ = lp_job;

    assert!(cases.len() >= 36, "{}", cases.len());
    for (sql, wrong, named) in &cases {
        let copy = tampered(&pristine, sql);
        let out = copy.run(&["verify"]);
        let listed = String::from_utf8_lossy(&out.stdout).into_owned();
        let err = error_line(&out, 8, sql);
        assert!(err.contains("verify found"), "{sql}: {err}");
        let line = listed
            .lines()
            .find(|l| named.iter().any(|n| l.contains(n.as_str())) && l.contains(wrong.as_str()));
        assert!(
            line.is_some(),
            "{sql}: expected one of {named:?} with `{wrong}` in:\n{listed}"
        );
    }
}

#[test]
fn verify_reports_a_forged_job_with_some_of_its_loops() {
    let pristine = demo_file();
    let copy = tampered(
        &pristine,
        "INSERT INTO jobs (id, slug, title, created_at, rev) VALUES ('jz', 'zz', 'Forged', '2026-01-01T00:00:00.000Z', 1);
         INSERT INTO loops (id, job_id, kind, position, status, rev) VALUES ('lz', 'jz', 'govern', 4, 'open', 1);",
    );
    let out = copy.run(&["verify"]);
    error_line(&out, 8, "verify");
    assert!(String::from_utf8_lossy(&out.stdout).contains("jobs `zz`"));
    let out = copy.run(&["doctor"]);
    error_line(&out, 8, "doctor");
}

#[test]
fn a_demo_of_80_jobs_passes_verify_and_doctor() {
    let db = Db::new();
    let out = db.ok(&["demo", "--jobs", "80", "--weeks", "8"]);
    assert!(out.contains("80 jobs over 8 weeks"), "{out}");
    let verified = db.ok(&["verify"]);
    assert!(verified.starts_with("verified:"), "{verified}");
    let doctor = db.ok(&["doctor"]);
    assert!(doctor.lines().all(|l| l.starts_with("ok")), "{doctor}");
}

// ---------------------------------------------------------------------------------------------
// 6. Import.
// ---------------------------------------------------------------------------------------------

#[test]
fn an_export_that_disagrees_with_its_own_trail_is_refused_and_leaves_nothing() {
    let source = Db::measured();
    let mut doc: serde_json::Value = serde_json::from_str(&source.state()).unwrap();
    let id = doc["values"][0]["id"].as_str().unwrap().to_string();
    let v = doc["values"][0]["value"].as_f64().unwrap();
    doc["values"][0]["value"] = serde_json::json!(v + 1.0);
    let text = doc.to_string();
    let file = source.file("edited.json");
    std::fs::write(&file, &text).unwrap();

    let target = Db::new();
    let check = |err: &str| {
        assert!(
            err.contains("disagree with its own audit trail")
                && err.contains(&format!("metric_values `{id}`"))
                && err.contains("nothing was written"),
            "{err}"
        );
        assert!(
            names(target.dir.path()).is_empty(),
            "{:?}",
            names(target.dir.path())
        );
    };
    check(&target.fails(&["import", file.to_str().unwrap()], 1));
    let mut child = target
        .cmd()
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    check(&error_line(&out, 1, "import - (edited)"));
    // Into an existing empty database: refused, the file unchanged.
    target.ok(&["init"]);
    let bytes = std::fs::read(&target.path).unwrap();
    target.refused(&["import", file.to_str().unwrap()], 1);
    assert_eq!(std::fs::read(&target.path).unwrap(), bytes);
}

#[test]
fn import_dash_reads_standard_input_and_names_the_real_file() {
    let source = Db::measured();
    let text = source.state();
    let target = Db::new();
    let mut child = target
        .cmd()
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!("into {}", target.path.display())) && !said.contains("jobloop-tmp"),
        "the acknowledgement names a temporary file: {said}"
    );
    assert_eq!(target.state(), text);
    assert_eq!(names(target.dir.path()), ["jobloop.db"]);
}

/// Streams `head` then `fill` bytes repeated up to `total` bytes into `import -`; returns the
/// output, how many bytes jobloop took before it stopped reading, and how long it took.
fn stream_import(db: &Db, head: &[u8], fill: u8, total: usize) -> (Output, usize, Duration) {
    let start = Instant::now();
    let mut child = db
        .cmd()
        .args(["import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let head = head.to_vec();
    let writer = std::thread::spawn(move || {
        let mut sent = 0;
        if stdin.write_all(&head).is_err() {
            return sent;
        }
        sent += head.len();
        let chunk = vec![fill; 1 << 16];
        while sent < total {
            match stdin.write(&chunk[..chunk.len().min(total - sent)]) {
                Ok(n) => sent += n,
                Err(_) => break,
            }
        }
        sent
    });
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        out_pipe.read_to_end(&mut stdout).unwrap();
        stdout
    });
    err_pipe.read_to_end(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    let stdout = reader.join().unwrap();
    let sent = writer.join().unwrap();
    (
        Output {
            status,
            stdout,
            stderr,
        },
        sent,
        start.elapsed(),
    )
}

#[test]
fn an_input_far_larger_than_any_export_is_refused_before_it_is_read_whole() {
    const TOTAL: usize = 70 << 20;
    let db = Db::new();
    // 70 MiB of spaces, and a record whose title never ends.
    let cases: [(&[u8], u8); 2] = [
        (b"", b' '),
        (
            b"{\"format\":\"jobloop-export\",\"schema_version\":3,\"jobs\":[{\"id\":\"j\",\"title\":\"",
            b'x',
        ),
    ];
    for (head, fill) in cases {
        let (out, sent, took) = stream_import(&db, head, fill, TOTAL);
        let err = error_line(&out, 1, "import - (70 MiB)");
        assert!(err.contains("larger than any honest export"), "{err}");
        assert!(
            sent < 8 << 20,
            "jobloop read {} MiB of a 70 MiB record before refusing it",
            sent >> 20
        );
        assert!(took < Duration::from_secs(20), "{took:?}");
        assert!(
            names(db.dir.path()).is_empty(),
            "{:?}",
            names(db.dir.path())
        );
    }
    // A file larger than any export is refused by its size, before a byte is read (sparse: it
    // takes no room on disk).
    let big = db.file("big.json");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(17 << 30).unwrap();
    let used = std::fs::metadata(&big).unwrap().blocks() * 512;
    if used > 1 << 20 {
        eprintln!("skipped the 17 GiB file: this file system does not make sparse files");
    } else {
        let start = Instant::now();
        let err = db.fails(&["import", big.to_str().unwrap()], 1);
        assert!(err.contains("larger than any honest export"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(5));
        assert_eq!(names(db.dir.path()), ["big.json"]);
    }
}

// ---------------------------------------------------------------------------------------------
// 8. Messages for paths that cannot be a database.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_fifo_a_device_or_a_folder_as_the_database_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.db");
    nix::unistd::mkfifo(
        &fifo,
        nix::sys::stat::Mode::S_IRUSR | nix::sys::stat::Mode::S_IWUSR,
    )
    .unwrap();
    let folder = dir.path().join("folder.db");
    std::fs::create_dir(&folder).unwrap();
    let backup = dir.path().join("b.db");
    let backup = backup.to_str().unwrap();
    let commands: [&[&str]; 7] = [
        &["review"],
        &["export"],
        &["verify"],
        &["doctor"],
        &["backup", backup],
        &["job", "add", "Job"],
        &["init"],
    ];
    for (db, said) in [
        (
            fifo.as_path(),
            "is a FIFO, socket or device, not a database file",
        ),
        (
            Path::new("/dev/null"),
            "is a FIFO, socket or device, not a database file",
        ),
        (
            folder.as_path(),
            "is a folder: give the path of a database file",
        ),
    ] {
        for args in commands {
            let mut cmd = jobloop(db);
            cmd.args(args);
            let out = within(cmd, Duration::from_secs(10));
            let err = error_line(&out, 4, &format!("--db {} {args:?}", db.display()));
            assert!(err.contains(said) && err.contains("--db"), "{err}");
        }
    }
    let meta = std::fs::metadata(&fifo).unwrap();
    assert!(std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type()));
    assert!(names(&folder).is_empty(), "{:?}", names(&folder));
    assert_eq!(names(dir.path()), ["fifo.db", "folder.db"]);
    for companion in ["/dev/null-wal", "/dev/null-shm", "/dev/null-journal"] {
        assert!(!Path::new(companion).exists(), "{companion} was created");
    }
}

#[test]
fn reading_commands_never_create_a_missing_database() {
    let db = Db::new();
    for args in [
        vec!["review"],
        vec!["review", "--json"],
        vec!["export"],
        vec!["export", "out.json"],
        vec!["verify"],
        vec!["doctor"],
        vec!["backup", "out.db"],
        vec!["log"],
        vec!["job", "list"],
        vec!["loop", "show", "t", "instr"],
    ] {
        let err = db.fails(&args, 3);
        assert!(
            err.contains("there is no database at")
                && err.contains(&format!("jobloop --db {} init", db.path.display())),
            "{args:?}: {err}"
        );
        assert!(
            names(db.dir.path()).is_empty(),
            "{args:?}: {:?}",
            names(db.dir.path())
        );
    }
}

#[test]
fn a_folder_without_write_permission_is_reported_as_denied() {
    if nix::unistd::Uid::effective().is_root() {
        eprintln!("skipped: running as root, where permission bits do not refuse anything");
        return;
    }
    let db = Db::measured();
    let locked = db.file("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let inside = locked.join("new.db");
    let out = jobloop(&inside)
        .args(["job", "add", "Job"])
        .output()
        .unwrap();
    let err = error_line(&out, 6, "job add in a read-only folder");
    assert!(err.contains("permission denied"), "{err}");
    let target = locked.join("out.json");
    let err = db.refused(&["export", target.to_str().unwrap()], 6);
    assert!(err.contains("permission denied"), "{err}");
    assert!(names(&locked).is_empty());
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
}

// ---------------------------------------------------------------------------------------------
// 9. What was typed is kept.
// ---------------------------------------------------------------------------------------------

#[test]
fn rules_and_values_are_kept_as_typed_and_shown_readably() {
    let db = Db::measured();
    db.ok(&[
        "kill",
        "add",
        "t",
        "instr",
        "Too few answers",
        "--rule",
        "below 0.004",
    ]);
    let show = db.ok(&["loop", "show", "t", "instr"]);
    assert!(show.contains("rule: below 0.004"), "{show}");
    let ex = db.json(&["export"]);
    let rules: Vec<&str> = ex["kill_signals"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k["rule"].as_str())
        .collect();
    assert_eq!(rules, ["below 0.004"]);

    db.ok(&[
        "baseline",
        "t",
        "instr",
        "1e300",
        "--at",
        "2026-01-19",
        "--note",
        "huge",
    ]);
    db.ok(&[
        "baseline",
        "t",
        "instr",
        "-0",
        "--at",
        "2026-01-20",
        "--note",
        "negzero",
    ]);
    db.ok(&[
        "baseline",
        "t",
        "instr",
        "-5e-324",
        "--at",
        "2026-01-21",
        "--note",
        "tiny",
    ]);
    db.ok(&["measure", "t", "instr", "-1e-3", "--note", "small"]);
    let ex = db.json(&["export"]);
    let value = |note: &str| {
        ex["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["note"] == note)
            .unwrap_or_else(|| panic!("no value {note}"))
            .clone()
    };
    assert_eq!(value("negzero")["value"].as_f64().unwrap().to_bits(), 0);
    assert_eq!(value("huge")["value"].as_f64().unwrap(), 1e300);
    assert_eq!(value("tiny")["value"].as_f64().unwrap(), -5e-324);
    let all = db.ok(&["loop", "show", "t", "instr", "--all"]);
    // `  id  date  phase  value  note`: the value as shown.
    let shown = |note: &str| {
        let id = jobloop::domain::model::short_id(value(note)["id"].as_str().unwrap()).to_string();
        let line = all
            .lines()
            .find(|l| l.trim_start().starts_with(&id))
            .unwrap_or_else(|| panic!("no line for {note} in\n{all}"));
        line.split_whitespace().nth(3).unwrap().to_string()
    };
    assert_eq!(shown("huge"), "1e300");
    assert_eq!(shown("negzero"), "0");
    assert_eq!(shown("tiny"), "-5e-324");
    assert_eq!(shown("small"), "-0.001");
    // Nowhere a 300-digit expansion, nowhere `-0` as a value.
    for args in [
        vec!["loop", "show", "t", "instr", "--all"],
        vec!["review"],
        vec!["review", "--markdown"],
        vec!["job", "show", "t"],
        vec!["log"],
    ] {
        let out = db.ok(&args);
        let longest = out
            .split(|c: char| !c.is_ascii_digit())
            .map(str::len)
            .max()
            .unwrap_or(0);
        assert!(
            longest < 20,
            "{args:?} printed a {longest}-digit number:\n{out}"
        );
        assert!(
            !out.contains(" -0 ") && !out.contains(" -0\n"),
            "{args:?}:\n{out}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 10. Who is acting.
// ---------------------------------------------------------------------------------------------

#[test]
fn without_any_name_a_write_is_recorded_as_the_os_account() {
    let db = Db::new();
    let account = nix::unistd::User::from_uid(nix::unistd::geteuid())
        .unwrap()
        .map(|u| u.name);
    let Some(account) = account else {
        eprintln!("skipped: this account has no name in the user database");
        return;
    };
    let mut cmd = Command::new(bin());
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", db.dir.path())
        .arg("--db")
        .arg(&db.path)
        .args(["job", "add", "Job"]);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = db.json(&["log", "--json"]);
    assert_eq!(log[0]["actor"], account.as_str());
}

#[test]
fn an_overlong_actor_is_refused_and_creates_nothing() {
    let db = Db::new();
    let long = "a".repeat(101);
    let out = Command::new(bin())
        .arg("--db")
        .arg(&db.path)
        .args(["--as", &long, "job", "add", "Job"])
        .env_remove("JOBLOOP_USER")
        .output()
        .unwrap();
    let err = error_line(&out, 2, "--as of 101 characters");
    assert!(
        err.contains("101 characters long; the limit is 100"),
        "{err}"
    );
    let out = Command::new(bin())
        .arg("--db")
        .arg(&db.path)
        .args(["job", "add", "Job"])
        .env("JOBLOOP_USER", &long)
        .output()
        .unwrap();
    let err = error_line(&out, 2, "JOBLOOP_USER of 101 characters");
    assert!(err.contains("JOBLOOP_USER"), "{err}");
    assert!(
        names(db.dir.path()).is_empty(),
        "{:?}",
        names(db.dir.path())
    );
    // 100 characters (not bytes) are accepted.
    let limit = "é".repeat(100);
    let out = Command::new(bin())
        .arg("--db")
        .arg(&db.path)
        .args(["--as", &limit, "job", "add", "Job"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// 11. The sanitiser.
// ---------------------------------------------------------------------------------------------

#[test]
fn invisible_and_reordering_characters_never_reach_text_output() {
    let db = Db::new();
    let title = "Pay\u{200b}pal \u{2028}line\u{2029}para \u{202e}gnp.exe\u{202c} \u{2066}iso\u{2069} \u{feff}bom \u{200f}rlm";
    db.ok(&["job", "add", title, "--slug", "evil"]);
    // An owner's name with invisible characters is refused as typed; one edited into the file
    // is still shown harmlessly.
    db.refused(&["loop", "owner", "evil", "govern", "Ma\u{200b}llory"], 2);
    sqlite(
        &db.path,
        "UPDATE loops SET owner = 'Ma' || char(8203) || 'llory' WHERE kind = 'govern'",
    );
    for args in [
        vec!["review"],
        vec!["review", "--markdown"],
        vec!["job", "show", "evil"],
        vec!["job", "list"],
        vec!["loop", "show", "evil", "govern"],
        vec!["log"],
    ] {
        let out = db.ok(&args);
        let raw: Vec<char> = out
            .chars()
            .filter(|&c| c != '\n' && jobloop::display::is_unsafe(c))
            .collect();
        assert!(raw.is_empty(), "{args:?} printed {raw:?}");
        // Shown, made visible (every output names the owner or the title).
        assert!(out.contains("\\u{200b}"), "{args:?}: {out}");
    }
    // JSON keeps the title exactly.
    let json = db.json(&["job", "show", "evil", "--json"]);
    assert_eq!(json["job"]["title"], title);
    // An error echoing what was typed.
    let err = db.refused(&["job", "show", "ev\u{2028}il\u{202e}"], 1);
    assert!(
        !err.trim_end().chars().any(jobloop::display::is_unsafe),
        "{err:?}"
    );
}

/// Markdown with every backslash-escaped character removed: what a renderer acts on.
fn unescaped(md: &str) -> String {
    let mut out = String::new();
    let mut chars = md.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn the_markdown_digest_escapes_images_html_and_links_in_titles() {
    let db = Db::new();
    let title = "![x](http://e/x.png) <img src=x> [click](http://evil.example) <b>bold</b>";
    db.ok(&["job", "add", title, "--slug", "md"]);
    db.ok(&[
        "loop",
        "owner",
        "md",
        "govern",
        "<img src=y onerror=alert(1)>",
    ]);
    let md = db.ok(&["review", "--markdown"]);
    assert!(md.contains("(md)") || md.contains("md"), "{md}");
    let acted_on = unescaped(&md);
    for raw in ["![", "<img", "](", "<b>", "http://", "[click]"] {
        assert!(!acted_on.contains(raw), "the digest renders `{raw}`:\n{md}");
    }
    // The words are still there for people to read.
    assert!(
        acted_on.contains("click") && acted_on.contains("img src=x"),
        "{md}"
    );
}

// ---------------------------------------------------------------------------------------------
// 12. The demo.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_demo_never_mixes_into_a_team_s_records() {
    let db = Db::measured();
    let err = db.refused(&["demo"], 1);
    assert!(err.contains("already holds records"), "{err}");
    let err = db.refused(&["demo", "--jobs", "1", "--weeks", "1", "--seed", "9"], 1);
    assert!(
        err.contains("the demo fills only an empty database"),
        "{err}"
    );
}

#[test]
fn an_impossibly_large_demo_is_refused_before_anything_is_written() {
    let db = Db::new();
    let free = nix::sys::statvfs::statvfs(db.dir.path())
        .map(|s| s.blocks_available() * s.fragment_size())
        .unwrap_or(u64::MAX);
    // 100,000 jobs over 520 weeks need several hundred GiB.
    if free > 500 << 30 {
        eprintln!("skipped: {} GiB are free here, enough to try", free >> 30);
        return;
    }
    let args = ["demo", "--jobs", "100000", "--weeks", "520"];
    let start = Instant::now();
    let err = db.fails(&args, 1);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(
        err.contains("100000 jobs over 520 weeks") && err.contains("GiB") && err.contains("fewer"),
        "{err}"
    );
    assert!(
        names(db.dir.path()).is_empty(),
        "{:?}",
        names(db.dir.path())
    );
    // Into an existing empty database: the file is unchanged.
    db.ok(&["init"]);
    let bytes = std::fs::read(&db.path).unwrap();
    db.fails(&args, 1);
    assert_eq!(std::fs::read(&db.path).unwrap(), bytes);
    assert_eq!(names(db.dir.path()), ["jobloop.db"]);
}
