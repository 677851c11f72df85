use super::*;

#[test]
fn a_kill_rule_trips_its_signal_when_the_data_breaks_it() {
    let mut r = with_metric();
    let err = r
        .apply(&LoopOp::kill_signal("answers slow", Some("below")), &ctx())
        .unwrap_err();
    assert!(
        err.to_string().contains("worse-than-baseline P% for N"),
        "{err}"
    );
    r.apply(
        &LoopOp::kill_signal("answers slow", Some("above 12.000")),
        &ctx(),
    )
    .unwrap();
    assert_eq!(r.kill_signals[1].rule.as_deref(), Some("above 12"));
    r.apply(&value(Phase::Live, 11.0, "2026-11-02"), &ctx())
        .unwrap();
    let bot = Ctx::local("jobloop", now());
    assert!(
        r.fire_next_rule(&bot).is_none(),
        "silent while the data holds"
    );
    r.apply(&value(Phase::Live, 13.0, "2026-11-03"), &ctx())
        .unwrap();
    assert!(r.fire_next_rule(&bot).is_some());
    let k = &r.kill_signals[1];
    assert_eq!(k.state, SignalState::Tripped);
    assert!(
        k.reason
            .as_deref()
            .unwrap()
            .starts_with("rule: the latest value 13")
    );
    assert_eq!(k.changed_by.as_deref(), Some("jobloop"));
    assert!(
        r.fire_next_rule(&bot).is_none(),
        "a tripped signal does not trip twice"
    );
}

#[test]
fn rules_read_only_the_values_since_the_latest_intervention() {
    let mut r = with_metric();
    r.apply(&value(Phase::Baseline, 10.0, "2026-11-01"), &ctx())
        .unwrap();
    r.apply(&value(Phase::Live, 20.0, "2026-11-02"), &ctx())
        .unwrap();
    r.apply(&intervene("2026-11-03"), &later(1)).unwrap();
    r.apply(&value(Phase::Live, 9.0, "2026-11-04"), &later(2))
        .unwrap();
    r.apply(
        &LoopOp::AddKillSignal {
            text: "slides back".into(),
            rule: Some("worse-than-baseline 10% for 1".into()),
            reason: Some("the change must not slide back".into()),
        },
        &later(3),
    )
    .unwrap();
    let bot = Ctx::local("jobloop", now());
    assert!(
        r.fire_next_rule(&bot).is_none(),
        "20 came before the change"
    );
}

#[test]
fn notes_are_replaced_and_cleared() {
    let mut r = record(LoopKind::Improve);
    r.apply(
        &LoopOp::SetNotes {
            text: "  retro on Friday ".into(),
            was: None,
        },
        &ctx(),
    )
    .unwrap();
    assert_eq!(r.lp.notes, "retro on Friday");
    assert!(
        !r.apply(
            &LoopOp::SetNotes {
                text: "retro on Friday".into(),
                was: None,
            },
            &ctx()
        )
        .unwrap()
        .changed
    );
    r.apply(
        &LoopOp::SetNotes {
            text: "".into(),
            was: None,
        },
        &ctx(),
    )
    .unwrap();
    assert_eq!(r.lp.notes, "");
}

#[test]
fn notes_edited_from_what_was_shown_are_not_written_over_a_newer_note() {
    let mut r = record(LoopKind::Improve);
    let set = |text: &str, was: Option<&str>| LoopOp::SetNotes {
        text: text.into(),
        was: was.map(str::to_string),
    };
    // A teammate's note came in after the form showed none.
    r.apply(&set("Ana: retro moved to Monday", None), &ctx())
        .unwrap();
    let err = r.apply(&set("lead note", Some("")), &ctx()).unwrap_err();
    assert!(
        err.message
            .contains("changed to `Ana: retro moved to Monday` after nothing was shown"),
        "{err:?}"
    );
    assert_eq!(r.lp.notes, "Ana: retro moved to Monday");
    r.apply(
        &set(
            "Ana: retro moved to Monday; lead agrees",
            Some("Ana: retro moved to Monday"),
        ),
        &ctx(),
    )
    .unwrap();
    assert_eq!(r.lp.notes, "Ana: retro moved to Monday; lead agrees");
}

#[test]
fn recorded_values_are_shown_exactly_in_the_summary() {
    let mut r = with_metric();
    let out = r
        .apply(
            &value(Phase::Baseline, 0.18181818181818182, "2026-11-01"),
            &ctx(),
        )
        .unwrap();
    assert!(
        out.summary.contains("0.18181818181818182 h"),
        "{}",
        out.summary
    );
    let out = r
        .apply(&value(Phase::Baseline, 1e308, "2026-11-02"), &ctx())
        .unwrap();
    assert!(out.summary.contains("1e308"), "{}", out.summary);
}

#[test]
fn continue_after_a_rule_tripped_re_arms_it_and_only_new_evidence_trips_it_again() {
    let mut r = with_metric();
    r.apply(
        &LoopOp::kill_signal("answers slow", Some("above 9")),
        &ctx(),
    )
    .unwrap();
    r.apply(&value(Phase::Live, 9.5, "2026-11-02"), &ctx())
        .unwrap();
    let bot = |m: i64| Ctx::local("jobloop", later(m).now);
    assert!(r.fire_next_rule(&bot(1)).is_some());
    r.apply(
        &LoopOp::Continue {
            reason: "a holiday week".into(),
        },
        &later(2),
    )
    .unwrap();
    let k = &r.kill_signals[1];
    assert_eq!(k.state, SignalState::Armed, "the rule watches again");
    assert_eq!(k.decision, Some(KillDecision::Continue));
    assert_eq!(k.continued_at(), Some(later(2).now));
    // The evidence it already acted on does not trip it again, nor does a value that holds.
    assert!(r.fire_next_rule(&bot(3)).is_none());
    r.apply(&value(Phase::Live, 8.0, "2026-11-03"), &later(4))
        .unwrap();
    assert!(r.fire_next_rule(&bot(5)).is_none());
    // The next breach does.
    r.apply(&value(Phase::Live, 9.6, "2026-11-04"), &later(6))
        .unwrap();
    let out = r.fire_next_rule(&bot(7)).unwrap();
    assert!(out.summary.contains("9.6"), "{}", out.summary);
    let k = &r.kill_signals[1];
    assert!(k.awaits_decision());
    // A signal without a rule stays decided: only a rule can watch.
    let mut r = with_metric();
    r.apply(&trip("only adoption numbers"), &ctx()).unwrap();
    r.apply(
        &LoopOp::Continue {
            reason: "outcomes next week".into(),
        },
        &later(1),
    )
    .unwrap();
    assert_eq!(r.kill_signals[0].state, SignalState::Tripped);
}

#[test]
fn a_re_armed_stale_rule_counts_its_days_from_the_decision() {
    let mut r = with_metric();
    r.apply(
        &LoopOp::kill_signal("nobody measures", Some("stale 7 days")),
        &ctx(),
    )
    .unwrap();
    let at = |d: &str| Ctx::local("jobloop", Stamp::parse(&format!("{d}T12:00:00Z")).unwrap());
    assert!(r.fire_next_rule(&at("2026-11-30")).is_some());
    r.apply(
        &LoopOp::Continue {
            reason: "values come monthly".into(),
        },
        &at("2026-12-01"),
    )
    .unwrap();
    assert!(r.fire_next_rule(&at("2026-12-07")).is_none(), "6 days");
    assert!(r.fire_next_rule(&at("2026-12-08")).is_some(), "7 days");
}
