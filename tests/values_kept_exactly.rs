//! Every value is kept exactly as typed: bit for bit through SQLite, the store, an export and
//! a restore, whatever the notation; honest command sequences always verify and round-trip.
//! Each fault is caused here, on this machine, against the real binary (or the library where
//! thousands of cases are needed); each test checks the one-line message, the exit code, and
//! that nothing recorded was lost or changed.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::file_db::{FileDb as Db, *};
use jobloop::domain::model::{Better, Capability, LearningType, Measures, Phase};
use jobloop::domain::{Intent, LoopKind, LoopOp, Stamp, Week};
use jobloop::store::{Missing, Store};
use proptest::prelude::*;
use proptest::test_runner::{RngAlgorithm, RngSeed};
use std::path::Path;

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
                shown: None,
                typed: None,
                source: None,
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
        "value" => r.values.last().map(|v| v.id.to_string()),
        _ => r.decisions.last().map(|d| d.id.to_string()),
    }
}

// long: one arm per step of the property's state machine, each the intent it stands for; the
// match is the table
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
            typed: None,
            source: None,
            shown: None,
        }),
        Step::Intervene => instr(LoopOp::intervene(format!("change {i}"), day(i))),
        Step::AddSignal(rule) => instr(LoopOp::kill_signal(format!("signal {i}"), rule)),
        Step::Trip => instr(LoopOp::trip("seen in the data")),
        Step::Rearm(n) => instr(LoopOp::Rearm {
            n,
            reason: "fixed".into(),
        }),
        Step::Note(text) => instr(LoopOp::SetNotes { text, was: None }),
        Step::Owner(kind, name) => on(kind, LoopOp::assign_owner(name)),
        Step::Mark(kind, n) => on(
            kind,
            LoopOp::MarkStep {
                n,
                evidence: Some(format!("evidence {i}")),
            },
        ),
        Step::Unmark(kind, n) => on(kind, LoopOp::UndoStep { n }),
        Step::Decide => instr(LoopOp::decide(
            format!("decision {i}"),
            ACTOR,
            Some("refunds under 50 EUR"),
        )),
        Step::Approve => instr(LoopOp::Approve {
            decision: newest(s, "decision")?,
            witnessed: false,
        }),
        Step::Learn(text) => instr(LoopOp::Learn {
            text,
            kind: LearningType::Evidence,
            tag: Some("tag".into()),
            capability: Some(Capability::Reality),
            incident: None,
            about: None,
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
            shown: None,
            target_was: None,
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
// 9. What was typed is kept.
// ---------------------------------------------------------------------------------------------

// long: one loop's rules and values typed, stored and shown in turn; each is read back after
// the ones before
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
    // Shown as typed (`-1e-3`), not rewritten.
    assert_eq!(shown("small"), "-1e-3");
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

/// What was typed is what is kept: `10.00` stays `10.00` in the loop's view, its audit event, the
/// export, the review's JSON (beside the number) and a database restored from the export; a
/// source id is recorded once.
#[test]
fn a_value_keeps_the_text_it_was_typed_with_everywhere() {
    let db = Db::measured();
    db.ok(&["baseline", "t", "instr", "10.00", "--at", "2026-01-19"]);
    db.ok(&[
        "intervene",
        "t",
        "instr",
        "New triage",
        "--at",
        "2026-01-26",
    ]);
    db.ok(&["measure", "t", "instr", "1e1", "--at", "2026-02-02"]);
    db.ok(&["measure", "t", "instr", "4.50", "--at", "2026-02-09"]);
    let shown = db.ok(&["loop", "show", "t", "instr"]);
    for t in [
        " 10.00\n",
        " 1e1\n",
        " 4.50\n",
        "recorded measurement 4.50 for",
    ] {
        assert!(shown.contains(t), "{t} missing in\n{shown}");
    }
    let review = db.json(&["review", "--json"]);
    let instr = review["jobs"][0]["loops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "instrument")
        .unwrap()
        .clone();
    assert_eq!(instr["latest"], serde_json::json!(4.5));
    assert_eq!(instr["latest_text"], "4.50");
    let export = db.ok(&["export"]);
    for t in [
        r#""typed":"10.00""#,
        r#""typed":"1e1""#,
        r#""typed":"4.50""#,
    ] {
        assert!(export.contains(t), "{t} missing in the export");
    }
    assert!(
        !export.contains(r#""typed":"5""#),
        "a shortest form is not repeated"
    );
    let restored = Db::new();
    std::fs::write(db.file("e.json"), &export).unwrap();
    restored.ok(&["import", db.file("e.json").to_str().unwrap()]);
    assert_eq!(restored.state(), db.state());
    restored.ok(&["verify"]);
    assert!(
        restored
            .ok(&["loop", "show", "t", "instr"])
            .contains(" 10.00\n")
    );
}

/// An import whose typed text does not mean its value is refused and leaves nothing.
#[test]
fn an_export_whose_typed_text_disagrees_with_its_value_is_refused() {
    let db = Db::measured();
    db.ok(&["baseline", "t", "instr", "10.00", "--at", "2026-01-19"]);
    let export = db
        .ok(&["export"])
        .replace(r#""typed":"10.00""#, r#""typed":"11.00""#);
    let other = Db::new();
    std::fs::write(db.file("bad.json"), export).unwrap();
    let err = other.refused(&["import", db.file("bad.json").to_str().unwrap()], 1);
    assert!(err.contains("typed text"), "{err}");
}
