use super::*;

fn step(id: &str, name: &str, kind: StepKind, by: Performer, after: &[&str]) -> FlowStep {
    let t = Stamp::parse("2026-11-02T09:00:00Z").unwrap();
    FlowStep {
        id: Id::from_text(id),
        loop_id: Id::from_text("l"),
        name: name.into(),
        kind,
        by,
        role: None,
        gate: (by == Performer::Human).then_some(HumanGate::Approval),
        after: after.iter().copied().map(Id::from_text).collect(),
        data: Vec::new(),
        irreversible: false,
        at: When::At(t),
        recorded_by: "ana".into(),
        recorded_at: t,
        changed_at: None,
        changed_by: None,
        void: None,
    }
}

#[test]
fn a_step_is_found_by_name_prefix_or_not_at_all() {
    let steps = vec![
        step("a", "Read ticket", StepKind::Input, Performer::System, &[]),
        step(
            "b",
            "Draft reply",
            StepKind::Action,
            Performer::Agent,
            &["a"],
        ),
        step(
            "c",
            "Draft check",
            StepKind::Decision,
            Performer::Human,
            &["b"],
        ),
    ];
    assert_eq!(find(&steps, "read").unwrap().id, "a");
    assert_eq!(find(&steps, "DRAFT REPLY").unwrap().id, "b");
    assert!(matches!(find(&steps, "draft"), Err(StepRef::Ambiguous(v)) if v.len() == 2));
    assert_eq!(find(&steps, "send"), Err(StepRef::NotFound));
}

#[test]
fn a_cycle_is_named_and_a_gate_breaks_an_agent_path() {
    let mut steps = vec![
        step("a", "in", StepKind::Input, Performer::System, &[]),
        step("b", "draft", StepKind::Action, Performer::Agent, &["a"]),
        step("c", "send", StepKind::Output, Performer::System, &["b"]),
    ];
    assert_eq!(cycle(&steps), None);
    assert_eq!(ungated_output(&steps, &steps[1]).unwrap().name, "send");
    steps.push(step(
        "d",
        "approve",
        StepKind::Decision,
        Performer::Human,
        &["b"],
    ));
    steps[2].after = vec![Id::from_text("d")];
    assert_eq!(ungated_output(&steps, &steps[1]), None);
    // An agent's own irreversible action (it pays, it deletes) needs a gate as an output does.
    steps[1].irreversible = true;
    assert_eq!(ungated_output(&steps, &steps[1]).unwrap().name, "draft");
    steps[1].irreversible = false;
    steps[0].after = vec![Id::from_text("c")];
    let c = cycle(&steps).unwrap();
    assert_eq!(c.first(), c.last());
    assert!(c.len() >= 4, "{c:?}");
}

#[test]
fn data_classes_parse_or_say_which_exist() {
    assert_eq!(
        parse_classes("personal, internal,personal").unwrap(),
        vec![DataClass::Personal, DataClass::Internal]
    );
    let err = parse_classes("secret").unwrap_err();
    assert!(
        err.contains("public, internal, confidential, personal, special"),
        "{err}"
    );
}
