//! Property tests over the inputs jobloop takes from outside: kill rules and import files. Never
//! a panic, never a partial write.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::file_db::export;
use common::lower_metric;

use jobloop::domain::model::Phase;
use jobloop::domain::rules::KillRule;
use jobloop::domain::{Ctx, Intent, LoopKind, LoopOp, Stamp, When};
use jobloop::store::{Missing, Store};
use proptest::prelude::*;
use serde_json::Value as Json;

fn sample_export() -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Store::open(&dir.path().join("s.db"), Missing::Create).unwrap();
    let ctx = Ctx::local("t", Stamp::now());
    let on = |op| Intent::OnLoop {
        slug: "t".into(),
        kind: LoopKind::Instrument,
        op,
    };
    for intent in [
        Intent::AddJob {
            title: "Triage".into(),
            slug: Some("t".into()),
            statement: None,
            owner: Some("Ana".into()),
            since: None,
        },
        on(lower_metric("hours")),
        on(LoopOp::value(
            Phase::Baseline,
            5.0,
            When::parse("2026-10-01").unwrap(),
        )),
    ] {
        s.apply(&ctx, &intent).unwrap();
    }
    export(&mut s)
}

/// Every leaf of a JSON document, by path.
fn leaves(v: &Json, path: Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Json::Object(m) => m.iter().for_each(|(k, v)| {
            let mut p = path.clone();
            p.push(k.clone());
            leaves(v, p, out)
        }),
        Json::Array(a) => a.iter().enumerate().for_each(|(i, v)| {
            let mut p = path.clone();
            p.push(i.to_string());
            leaves(v, p, out)
        }),
        _ => out.push(path),
    }
}

fn set(v: &mut Json, path: &[String], new: Json) {
    let mut cur = v;
    for key in path {
        cur = match cur {
            Json::Object(m) => m.get_mut(key).unwrap(),
            Json::Array(a) => &mut a[key.parse::<usize>().unwrap()],
            _ => return,
        };
    }
    *cur = new;
}

fn any_json() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)),
        ".{0,20}".prop_map(Json::String),
        Just(Json::Array(vec![])),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_rule_parser_never_panics_and_round_trips(input in ".{0,40}") {
        if let Ok(rule) = KillRule::parse(&input) {
            prop_assert_eq!(KillRule::parse(&rule.to_string()).unwrap(), rule);
        }
    }

    #[test]
    fn rule_like_inputs_never_panic(
        word in prop_oneof![Just("worse-than-baseline"), Just("below"), Just("above"), Just("stale"), Just("by")],
        a in ".{0,12}", b in ".{0,8}", c in ".{0,8}",
    ) {
        let _ = KillRule::parse(&format!("{word} {a} {b} {c}"));
        let _ = KillRule::parse(&format!("{word} {a}"));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_damaged_import_is_all_or_nothing(pick in any::<prop::sample::Index>(), value in any_json(), cut in any::<prop::sample::Index>(), truncate in any::<bool>()) {
        let text = sample_export();
        let mut doc: Json = serde_json::from_str(&text).unwrap();
        let mut paths = Vec::new();
        leaves(&doc, Vec::new(), &mut paths);
        let path = pick.get(&paths).clone();
        set(&mut doc, &path, value);
        let mut damaged = doc.to_string();
        if truncate {
            let at = cut.index(damaged.len().max(1));
            damaged.truncate(damaged.char_indices().map(|(i, _)| i).take_while(|i| *i <= at).last().unwrap_or(0));
        }
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("target.db"), Missing::Create).unwrap();
        let imported = matches!(
            store.import(&mut damaged.as_bytes(), None, &mut |_| {}),
            Ok(Ok(_))
        );
        if imported {
            prop_assert_eq!(store.jobs(true).unwrap().len(), 1);
            prop_assert!(store.verify().unwrap().problems.is_empty());
        } else {
            // Refused: nothing at all was written.
            prop_assert!(store.is_empty().unwrap());
        }
    }
}
