//! The TUI's forms on ratatui's TestBackend, at 80×24 and 120×40: each opens with its fields,
//! refuses a bad value in place (naming the field and the key) and saves nothing, keeps what was
//! typed exactly, and asks before losing it. Every refusal is checked to leave the store unchanged.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::harness::{Harness, SIZES, add_job, ctx, measured_job, on_loop, today};
use jobloop::domain::LoopKind;
use jobloop::domain::intent::{Intent, LoopOp};
use jobloop::domain::model::Better;
use jobloop::store::{Missing, Store};
use jobloop::tui::config::Theme;
use ratatui::crossterm::event::{Event, KeyCode};

// long: a table of every form: its key, where to press it and the texts it must show; the table
// is the test
#[test]
fn every_form_opens_with_its_fields_and_closes_at_both_sizes() {
    // (key, where: board moves before it, texts)
    let forms: &[(&str, &str, &[&str])] = &[
        ("s", "l", &["Checklist of", "step", "evidence"]),
        ("S", "l", &["Close support-triage/redesign", "close anyway"]),
        ("e", "", &["Job support-triage", "statement"]),
        (
            "a",
            "",
            &[
                "New job",
                "title",
                "statement",
                "I want to",
                "made from the title",
            ],
        ),
        ("o", "l", &["Owner of", "owner"]),
        (
            "M",
            "l",
            &[
                "Primary metric of",
                "name",
                "unit",
                "better",
                "target change",
            ],
        ),
        ("T", "ll", &["Target change of"]),
        ("b", "ll", &["Baseline for", "value", "date"]),
        ("m", "ll", &["Measurement for", "value", "date"]),
        ("i", "ll", &["Intervention on", "what changes", "started"]),
        (
            "x",
            "l",
            &["Trip a kill signal", "signal", "reason", "evidence"],
        ),
        ("K", "l", &["New kill signal on", "kill signal", "rule"]),
        (
            "d",
            "l",
            &["Irreversible decision", "decision", "owner", "threshold"],
        ),
        (
            "g",
            "l",
            &["Learning on", "what was learned", "type", "capability"],
        ),
        ("n", "l", &["Notes of", "notes"]),
        ("+", "l", &["New checklist step of"]),
        ("-", "l", &["mark a step not done"]),
        ("V", "ll", &["Void a record of", "record", "why"]),
        (
            "c",
            "",
            &[
                "Compound test of",
                "understanding",
                "explanation",
                "creation",
            ],
        ),
        ("R", "l", &["Retire (kill) support-triage/redesign"]),
        ("t", "", &["Tool selected for", "tool", "selected on"]),
        (
            "p",
            "",
            &["Proof artifact of", "title", "kind", "visibility"],
        ),
        ("P", "", &["brought back", "proof"]),
        ("Z", "", &["Archive support-triage?"]),
    ];
    for size in SIZES {
        for (key, moves, texts) in forms {
            let mut h = Harness::demo(size);
            h.keys(moves);
            h.keys(key);
            assert!(
                h.app.form.is_some(),
                "{key} opened no form: {}",
                h.message()
            );
            h.shows(texts);
            h.key(KeyCode::Esc);
            assert!(h.app.form.is_none(), "{key}: Esc closes an untouched form");
        }
    }
}

#[test]
fn leaving_a_form_with_typed_text_asks_first() {
    let mut h = Harness::demo((80, 24));
    h.keys("a").keys("Half a title").key(KeyCode::Esc);
    assert!(h.app.form.is_some());
    h.shows(&["Throw away what you typed?"]);
    h.keys("z");
    assert_eq!(
        h.field("title"),
        "Half a title",
        "any other key keeps editing"
    );
    h.key(KeyCode::Esc).keys("y");
    assert!(h.app.form.is_none());
}

#[test]
fn a_bad_number_is_marked_in_the_form_and_nothing_is_saved() {
    for size in SIZES {
        let mut h = Harness::demo(size);
        let before = h.export();
        h.keys("ll").keys("m").keys("4x2").key(KeyCode::Enter);
        assert!(h.app.form.is_some());
        h.shows(&["`4x2` is not a number", "nothing was saved"]);
        assert_eq!(h.export(), before);
        for bad in ["NaN", "inf", "1e999", "1e-400", "0x10", "4,5"] {
            h.ctrl('u').keys(bad).key(KeyCode::Enter);
            assert!(h.app.form.is_some(), "{bad} was accepted");
            assert_eq!(h.export(), before, "{bad} changed the store");
        }
        h.ctrl('u').keys("4.5").key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        h.shows(&["recorded measurement 4.5"]);
        assert_ne!(h.export(), before);
    }
}

#[test]
fn dates_out_of_range_are_refused_in_the_form() {
    let mut h = Harness::new((80, 24), |s| measured_job(s, &[]));
    h.keys("ll").keys("b").keys("3").tab(1);
    for bad in [
        "2026-02-30",
        "1969-12-31",
        "2999-01-01",
        "yesterday",
        "20261101",
    ] {
        h.ctrl('u').keys(bad).key(KeyCode::Enter);
        assert!(h.app.form.is_some(), "{bad} was accepted");
    }
    assert!(h.record("job", LoopKind::Instrument).values.is_empty());
    h.ctrl('u').keys("2024-02-29").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Instrument);
    assert_eq!(r.values[0].at.to_string(), "2024-02-29");
}

#[test]
fn a_refusal_from_the_domain_names_the_tui_key_and_keeps_the_form() {
    let mut h = Harness::new((80, 24), |s| measured_job(s, &[]));
    let before = h.export();
    // Refused before the form opens: there is nothing to intervene against yet.
    h.keys("ll").keys("i");
    assert!(h.app.form.is_none());
    assert!(h.message().contains("press b"), "{}", h.message());
    assert_eq!(h.export(), before);
    // Refused by the domain after the form: an intervention dated before the baseline.
    h.keys("b").keys("4").key(KeyCode::Enter);
    let before = h.export();
    h.keys("i")
        .keys("new tool")
        .tab(1)
        .ctrl('u')
        .keys("2020-01-01")
        .key(KeyCode::Enter);
    assert!(
        h.app.form.is_some(),
        "the form stays open with its contents"
    );
    h.shows(&["baseline"]);
    assert_eq!(h.field("what"), "new tool");
    assert_eq!(h.export(), before);
}

/// Once an intervention locked the plan, the target form asks why (a deviation) and keeps its
/// contents until a reason is given; the value form offers the loop's guardrails.
#[test]
fn after_the_lock_the_forms_ask_why_and_offer_the_guardrails() {
    let mut h = Harness::new((100, 30), |s| {
        measured_job(s, &[4.0, 5.0, 4.5]);
        s.apply(
            &ctx(),
            &on_loop(
                "job",
                LoopKind::Instrument,
                LoopOp::AddGuardrail {
                    name: "cost".into(),
                    unit: "EUR".into(),
                    better: Better::Lower,
                    max_worse: jobloop::domain::stats::Limit::parse("10%").unwrap(),
                    reason: None,
                },
            ),
        )
        .unwrap();
    });
    h.keys("ll").keys("i");
    h.shows(&["locks the plan"]);
    h.keys("pilot").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.keys("T");
    h.shows(&["recorded as a deviation", "why (deviation)"]);
    h.keys("-20%").key(KeyCode::Enter);
    assert!(h.app.form.is_some(), "refused without a reason");
    h.shows(&["say why in the reason"]);
    h.tab(1).keys("the board asked").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Instrument);
    assert_eq!(r.deviations.len(), 1);
    assert_eq!(r.deviations[0].reason, "the board asked");
    // A measurement of the guardrail: the second choice of the `of` field.
    h.keys("m")
        .keys("6")
        .tab(1)
        .key(KeyCode::Right)
        .key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Instrument);
    assert_eq!(r.guardrails[0].values.len(), 1);
    assert_eq!(r.guardrails[0].values[0].value, 6.0);
}

#[test]
fn the_value_form_rounds_nothing() {
    let mut h = Harness::new((80, 24), |s| measured_job(s, &[]));
    let typed = ["0.1", "4.35", "1e-300", "123456789.123456789", "-0.0000001"];
    for v in typed {
        h.keys("ll").keys("b").keys(v).key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{v}: {}", h.message());
        h.keys("hh");
    }
    let r = h.record("job", LoopKind::Instrument);
    let stored: Vec<f64> = r.values.iter().map(|v| v.value).collect();
    let expected: Vec<f64> = typed.iter().map(|t| t.parse().unwrap()).collect();
    assert_eq!(stored, expected);
}

#[test]
fn a_count_must_be_a_whole_number() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", None));
    h.keys("p").keys("Story").key(KeyCode::Enter);
    let before = h.export();
    for bad in ["-1", "1.5", "x", "99999999999999999999"] {
        h.keys("P").tab(1).ctrl('u').keys(bad).key(KeyCode::Enter);
        assert!(h.app.form.is_some(), "{bad} was accepted");
        h.key(KeyCode::Esc).keys("y");
    }
    assert_eq!(h.export(), before);
}

#[test]
fn the_compound_test_needs_every_answer() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", None));
    let before = h.export();
    h.keys("c").key(KeyCode::Enter);
    assert!(h.app.form.is_some());
    h.shows(&["answer y or n"]);
    assert_eq!(h.export(), before);
    // The four answers come first, then a note for each.
    h.keys("y")
        .tab(1)
        .keys("y")
        .tab(1)
        .keys("n")
        .tab(1)
        .keys("y");
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.shows(&["next job"]);
}

#[test]
fn a_kill_rule_is_read_back_as_it_is_typed() {
    let mut h = Harness::new((120, 40), |s| measured_job(s, &[4.0]));
    h.keys("ll").keys("K").keys("No gain after a month").tab(1);
    h.keys("stale 3");
    h.shows(&["✗"]);
    h.keys(" days");
    h.shows(&["✓ reads as"]);
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Instrument);
    assert!(
        r.kill_signals
            .iter()
            .any(|k| k.rule.as_deref() == Some("stale 3 days"))
    );
}

#[test]
fn without_a_name_the_tui_asks_once() {
    let mut h = Harness::with((80, 24), None, Theme::new(true), |_| {});
    h.keys("a");
    h.shows(&["Who is recording?"]);
    h.key(KeyCode::Enter);
    h.shows(&["your name is required"]);
    h.keys("Ana Souza").key(KeyCode::Enter);
    h.shows(&["New job"]);
    h.keys("Triage").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let mut s = Store::open(&h.path, Missing::Refuse).unwrap();
    let log = s.log(None, None, 1).unwrap();
    assert_eq!(log[0].actor, "Ana Souza");
}

#[test]
fn a_read_only_database_refuses_every_write_key() {
    let mut h = Harness::demo((80, 24));
    h.app.read_only = true;
    let before = h.export();
    for k in ["a", "o", "M", "b", "x", "u", "D"] {
        h.keys(k);
        assert!(h.app.form.is_none(), "{k}");
        assert!(h.message().contains("read-only"), "{k}: {}", h.message());
    }
    assert_eq!(h.export(), before);
}

#[test]
fn pasted_text_lands_in_the_focused_field_sanitised() {
    let mut h = Harness::new((80, 24), |_| {});
    h.keys("a");
    h.event(Event::Paste("Pasted\u{1b}[31m title\u{7}\u{200b}".into()));
    let v = h.field("title");
    assert!(v.starts_with("Pasted"), "{v:?}");
    assert!(!v.chars().any(jobloop::display::is_unsafe), "{v:?}");
    // What a terminal pastes as CR or CRLF is a line break in a text area; the joiners of
    // Persian words and emoji sequences are kept, as the command line keeps them.
    h.tab(2);
    h.event(Event::Paste("first line\rsecond line\r\nthird".into()));
    assert_eq!(h.field("statement"), "first line\nsecond line\nthird");
    h.key(KeyCode::BackTab).key(KeyCode::BackTab).ctrl('u');
    h.event(Event::Paste(
        "می\u{200c}خواهم 👨\u{200d}👩\u{200d}👧".into(),
    ));
    assert_eq!(h.field("title"), "می\u{200c}خواهم 👨\u{200d}👩\u{200d}👧");
}

#[test]
fn a_long_message_opens_in_full() {
    let mut h = Harness::new((40, 12), |s| measured_job(s, &[]));
    h.keys("ll").keys("i").keys("x").key(KeyCode::Enter);
    h.key(KeyCode::Esc).keys("y");
    h.app.say("a".repeat(300), true);
    h.keys("!");
    h.shows(&["message", "any key closes"]);
    h.keys("j");
    assert!(!h.app.message_open);
}

#[test]
fn choosing_another_decision_or_proof_shows_its_own_values() {
    let mut h = Harness::new((120, 40), |s| {
        add_job(s, "Job", Some("Ana"));
        let govern = |op| on_loop("job", LoopKind::Govern, op);
        for (text, owner, threshold) in [
            ("Refunds", "Chen", "exact duplicates only"),
            ("Credits", "Dana", "under 50 dollars"),
        ] {
            s.apply(
                &ctx(),
                &govern(LoopOp::decide(text, owner, Some(threshold))),
            )
            .unwrap();
        }
        for (title, replies) in [("First case", 0), ("Second case", 4)] {
            s.apply(
                &ctx(),
                &Intent::AddProof {
                    slug: "job".into(),
                    title: title.into(),
                    kind: jobloop::domain::model::ProofKind::Case,
                    visibility: jobloop::domain::model::Visibility::Private,
                    link: None,
                    at: today(),
                },
            )
            .unwrap();
            if replies > 0 {
                let mut st = Store::open(s.path(), Missing::Refuse).unwrap();
                let id = st.proofs("job").unwrap().last().unwrap().id.to_string();
                s.apply(
                    &ctx(),
                    &Intent::TrackProof {
                        slug: "job".into(),
                        proof: id,
                        counts: jobloop::domain::model::ProofCounts::all(
                            jobloop::domain::model::ProofOutcome {
                                replies,
                                citations: 1,
                                intros: 2,
                                bookings: 1,
                                sales: 0,
                                reuse: 3,
                            },
                        ),
                        was: None,
                    },
                )
                .unwrap();
            }
        }
    });
    h.keys("lll").keys("E");
    assert_eq!(h.field("owner"), "Chen");
    h.key(KeyCode::BackTab).key(KeyCode::Right);
    assert_eq!(h.field("owner"), "Dana");
    assert_eq!(h.field("threshold"), "under 50 dollars");
    h.key(KeyCode::Esc).keys("y");
    h.keys("P");
    assert_eq!(h.field("replies"), "0");
    h.key(KeyCode::BackTab).key(KeyCode::Right);
    assert_eq!(h.field("replies"), "4");
    assert_eq!(h.field("reuse"), "3");
}

#[test]
fn replacing_a_metric_with_records_asks_and_starts_from_the_old_one() {
    let mut h = Harness::new((120, 40), |s| measured_job(s, &[4.0, 5.0]));
    h.keys("ll").keys("M");
    h.shows(&["will stop counting", "replace it"]);
    assert_eq!(h.field("name"), "hours");
    assert_eq!(h.field("unit"), "h");
    let before = h.export();
    h.key(KeyCode::Enter);
    assert!(
        h.app.form.is_some(),
        "an unanswered question keeps the form"
    );
    assert_eq!(h.export(), before);
    h.key(KeyCode::Esc).keys("y");
    assert_eq!(h.export(), before);
}

#[test]
fn continue_and_retire_forms_show_the_trip_reason_and_evidence() {
    let mut h = Harness::new((100, 30), |s| add_job(s, "Job", Some("Ana")));
    h.keys("l")
        .keys("x")
        .keys("the tool came first")
        .tab(1)
        .keys("3 tickets name the tool")
        .key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    for key in ["C", "R"] {
        h.keys(key);
        assert!(h.app.form.is_some(), "{key}: {}", h.message());
        h.shows(&[
            "Tripped kill signal 1:",
            "trip reason: the tool came first (tester,",
            "evidence: 3 tickets name the tool",
        ]);
        h.key(KeyCode::Esc);
        if h.app.form.is_some() {
            h.keys("y");
        }
    }
}

/// A value typed against the metric the form showed is never recorded under another: replaced
/// by a teammate while the form was open (the single-value form and the week form alike), the
/// value is refused and the form keeps it. A replacement replaces the metric it showed, never
/// the teammate's newer one.
#[test]
fn a_value_is_not_recorded_under_a_metric_replaced_while_it_was_typed() {
    for (open, keys) in [("ll", "b8"), ("", "N8"), ("ll", "M")] {
        let mut h = Harness::new((120, 40), |s| measured_job(s, &[]));
        h.keys(open).keys(keys);
        assert!(h.app.form.is_some(), "{keys}: {}", h.screen());
        {
            let mut other = Store::open(&h.path, Missing::Refuse).unwrap();
            other
                .apply(
                    &ctx(),
                    &on_loop(
                        "job",
                        LoopKind::Instrument,
                        LoopOp::SetMetric {
                            name: "cost per ticket".into(),
                            unit: "EUR".into(),
                            better: Better::Lower,
                            measures: jobloop::domain::model::Measures::Outcome,
                            replace: true,
                            target: None,
                            reason: None,
                            shown: None,
                            target_was: None,
                        },
                    ),
                )
                .unwrap();
        }
        let before = h.export();
        h.ctrl('s');
        let error = h.app.form.as_ref().and_then(|f| f.error.clone());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("while the form was open")),
            "{keys}: the form stays open and says why: {error:?}"
        );
        assert_eq!(h.export(), before, "{keys}: nothing was recorded");
    }
}

/// Below the smallest size only the size notice is drawn, so keys act on nothing: no form
/// opens or is submitted unseen, no dialog is confirmed; quitting still works.
#[test]
fn keys_in_a_window_too_small_to_draw_act_on_nothing() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", None));
    let before = h.export();
    h.event(Event::Resize(30, 8));
    h.shows(&["jobloop needs at least 40×10"]);
    h.keys("o").keys("Blind").key(KeyCode::Enter);
    h.keys("kZ").key(KeyCode::Enter).keys("y");
    assert!(h.app.form.is_none());
    assert_eq!(h.export(), before);
    h.event(Event::Resize(80, 24));
    h.keys("o");
    assert!(
        h.app.form.is_some(),
        "keys act again once the screen is drawn"
    );
    h.key(KeyCode::Esc);
    h.event(Event::Resize(30, 8)).keys("q");
    assert!(h.app.quit);
}

/// The job's edit form writes only the fields the lead changed: a teammate's statement and
/// workaround, changed while it was open, are kept, and the trail says what the lead changed.
#[test]
fn the_job_form_writes_only_what_was_changed() {
    let mut h = Harness::new((120, 40), |s| add_job(s, "Job", None));
    h.keys("e");
    assert!(h.app.form.is_some());
    {
        let mut other = Store::open(&h.path, Missing::Refuse).unwrap();
        other
            .apply(
                &ctx(),
                &Intent::EditJob {
                    slug: "job".into(),
                    edit: jobloop::domain::job::JobEdit {
                        title: None,
                        statement: Some("Ana's statement".into()),
                        canvas: jobloop::domain::job::CanvasEdit {
                            workaround: Some("Ana's workaround".into()),
                            ..Default::default()
                        },
                        ..Default::default()
                    },
                },
            )
            .unwrap();
    }
    h.key(KeyCode::End).keys(" (lead)").ctrl('s');
    assert!(h.app.form.is_none(), "{}", h.message());
    let mut out = Vec::new();
    Store::open(&h.path, Missing::Refuse)
        .unwrap()
        .export(&mut out, &mut |_| {})
        .unwrap();
    let export: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let job = &export["jobs"][0];
    assert_eq!(job["title"], "Job (lead)");
    assert_eq!(job["statement"], "Ana's statement");
    assert_eq!(job["workaround"], "Ana's workaround");
}

/// A value typed for a guardrail is refused once that guardrail was removed and added again
/// (another unit, another direction) while the form was open.
#[test]
fn a_guardrail_value_is_not_recorded_under_a_guardrail_added_again() {
    let guard = |unit: &str, better: Better| LoopOp::AddGuardrail {
        name: "cost".into(),
        unit: unit.into(),
        better,
        max_worse: jobloop::domain::stats::Limit::parse("10%").unwrap(),
        reason: None,
    };
    let mut h = Harness::new((120, 40), |s| {
        measured_job(s, &[]);
        s.apply(
            &ctx(),
            &on_loop("job", LoopKind::Instrument, guard("EUR", Better::Lower)),
        )
        .unwrap();
    });
    h.keys("ll")
        .keys("b")
        .keys("150")
        .tab(1)
        .key(KeyCode::Right);
    assert!(h.screen().contains("cost"), "{}", h.screen());
    {
        let mut other = Store::open(&h.path, Missing::Refuse).unwrap();
        let on = |op| on_loop("job", LoopKind::Instrument, op);
        other
            .apply(
                &ctx(),
                &on(LoopOp::RemoveGuardrail {
                    name: "cost".into(),
                    reason: None,
                }),
            )
            .unwrap();
        other
            .apply(&ctx(), &on(guard("USD", Better::Higher)))
            .unwrap();
    }
    let before = h.export();
    h.ctrl('s');
    let error = h.app.form.as_ref().and_then(|f| f.error.clone());
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("the metric shown for job/instrument")),
        "the form stays open and says why: {error:?}"
    );
    assert_eq!(h.export(), before, "nothing was recorded");
}

/// From the job's view, the tool form offers each tool in force for voiding, by its short id; the
/// void needs a reason, and a void tool is shown muted with it and offered no more. From the
/// board (no job view loaded), the form only records.
#[test]
fn a_tool_recorded_by_mistake_is_voided_from_the_jobs_view() {
    let mut h = Harness::new((120, 40), |s| {
        add_job(s, "Job", Some("Ana"));
        s.apply(
            &ctx(),
            &Intent::SelectTool {
                slug: "job".into(),
                name: "Zapier".into(),
                at: today(),
            },
        )
        .unwrap();
    });
    h.keys("t");
    assert!(h.app.form.is_some());
    h.hides(&["what (←/→)"]);
    h.key(KeyCode::Esc);
    h.keys("J")
        .keys("t")
        .shows(&["what (←/→)", "record a tool"]);
    h.key(KeyCode::Right).shows(&["void", "Zapier"]);
    let before = h.export();
    // No reason: the domain refuses, the form stays, nothing is written.
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_some(), "{}", h.message());
    assert_eq!(h.export(), before);
    h.tab(3).keys("wrong vendor").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.shows(&["voided tool `Zapier` of `job`"]);
    let shown = h.scrolled(KeyCode::PageDown, 2);
    assert!(shown.contains("Zapier  void: wrong vendor"), "{shown}");
    h.keys("t").hides(&["what (←/→)"]);
}
