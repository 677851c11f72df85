//! The redesigned workflow from the job view: add a step, change one, remove one (void, with
//! the reason), record artifact work the redesign removed, govern a step, record a critic's
//! result, record an incident. Each is the same intent as its `jobloop flow …` command.

use super::{Ask, Closed, Field, Form};
use crate::domain::flow::{StepEdit, StepSpec, parse_classes};
use crate::domain::intent::{Intent, LoopOp};
use crate::domain::model::{
    AgentRole, DetectedBy, HumanGate, Performer, Severity, StepKind, Verdict,
};
use crate::domain::review::JobReview;
use crate::domain::{LoopKind, When};

/// The options of a closed word list, with a first "—" meaning none.
fn words<T: Copy>(all: &[T], name: fn(T) -> &'static str, none: bool) -> Vec<String> {
    let mut out: Vec<String> = if none { vec!["—".into()] } else { Vec::new() };
    out.extend(all.iter().map(|w| name(*w).to_string()));
    out
}

/// A chosen word, `None` for "—".
fn chosen<T>(f: &Form, field: &str, parse: fn(&str) -> Option<T>) -> Option<T> {
    parse(&f.text(field))
}

/// The live steps' names, in flow order.
fn step_names(j: &JobReview) -> Vec<String> {
    j.flow.steps.iter().map(|s| s.name.clone()).collect()
}

/// The live steps' whole ids with their names, in the order of [`step_names`].
fn step_ids(j: &JobReview) -> Vec<(String, String)> {
    j.flow
        .steps
        .iter()
        .map(|s| (s.id.to_string(), s.name.clone()))
        .collect()
}

/// The step picked in the `step` field, by its whole id (a name would find whichever step
/// bears it when the form is saved).
fn picked_step(f: &Form) -> String {
    f.picked("step")
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| f.text("step"))
}

fn job_with_steps<'a>(ask: &'a Ask) -> Result<&'a JobReview, Closed> {
    let j = ask.job_review().ok_or("no job here")?;
    if j.flow.steps.is_empty() {
        return Err("the flow has no step yet: add one first".into());
    }
    Ok(j)
}

/// The intent of a flow form: `op` on the loop whose records it writes.
fn on_home(f: &Form, op: LoopOp) -> Result<Intent, String> {
    let kind = op.home().unwrap_or(LoopKind::Redesign);
    Ok(Intent::OnLoop {
        slug: f
            .slug
            .clone()
            .ok_or("this form has lost its job; close it")?,
        kind,
        op,
    })
}

/// The data classes typed (`personal, internal`); empty: none.
fn classes(f: &Form) -> Result<Vec<crate::domain::model::DataClass>, String> {
    match f.optional("data") {
        Some(t) => parse_classes(&t),
        None => Ok(Vec::new()),
    }
}

/// The steps it follows, typed as names or prefixes separated by commas; a text that is one
/// step's whole name (`Check, then pay`, as the field is prefilled) is that step, not two.
fn after(f: &Form) -> Vec<String> {
    let text = f.text("after");
    let whole = f
        .picks
        .iter()
        .flat_map(|(_, steps)| steps)
        .find(|(_, name)| name.contains(',') && name.trim().to_lowercase() == text.to_lowercase());
    if let Some((id, _)) = whole {
        return vec![id.clone()];
    }
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub(super) fn add(ask: &Ask) -> Result<Form, Closed> {
    let j = ask.job_review().ok_or("no job here")?;
    let previous = step_names(j).last().cloned().unwrap_or_default();
    Ok(Form::new(
        format!("Workflow step for {}", j.slug),
        vec![
            Field::text("name", "step", true),
            Field::choice(
                "kind",
                "kind",
                words(StepKind::ALL, StepKind::as_str, false),
                2,
            ),
            Field::choice(
                "by",
                "done by",
                words(Performer::ALL, Performer::as_str, false),
                0,
            ),
            Field::choice(
                "role",
                "agent role",
                words(AgentRole::ALL, AgentRole::as_str, true),
                0,
            ),
            Field::choice(
                "gate",
                "human gate",
                words(HumanGate::ALL, HumanGate::as_str, true),
                0,
            ),
            Field::text("after", "after (steps, comma-separated)", false).prefill(&previous),
            Field::text("data", "data classes", false)
                .note("public, internal, confidential, personal, special (comma-separated)"),
            Field::choice(
                "irreversible",
                "irreversible",
                vec!["no".into(), "yes".into()],
                0,
            ),
            Field::date("date", "mapped on", ask.now),
        ],
        |f| {
            on_home(
                f,
                LoopOp::FlowAdd {
                    name: f.text("name"),
                    step: StepSpec {
                        kind: chosen(f, "kind", StepKind::from_text).ok_or("choose a kind")?,
                        by: chosen(f, "by", Performer::from_text).ok_or("choose who does it")?,
                        role: chosen(f, "role", AgentRole::from_text),
                        gate: chosen(f, "gate", HumanGate::from_text),
                        after: after(f),
                        data: classes(f)?,
                        irreversible: f.text("irreversible") == "yes",
                    },
                    at: f.date("date")?,
                },
            )
        },
    )
    // Not a choice: the steps, for an `after` text that is one whole name with a comma.
    .picking("after", step_ids(j))
    .on(&j.slug, Some(LoopKind::Redesign))
    .intro(vec![
        "An agent step takes a role, a human step a gate; a step follows the steps named after it."
            .into(),
    ]))
}

pub(super) fn set(ask: &Ask) -> Result<Form, Closed> {
    let j = job_with_steps(ask)?;
    Ok(Form::new(
        format!("Change a workflow step of {}", j.slug),
        vec![
            Field::choice("step", "step", step_names(j), 0),
            Field::text("name", "new name", false).note("blank: unchanged"),
            Field::choice(
                "kind",
                "kind",
                words(StepKind::ALL, StepKind::as_str, true),
                0,
            ),
            Field::choice(
                "by",
                "done by",
                words(Performer::ALL, Performer::as_str, true),
                0,
            ),
            Field::choice(
                "role",
                "agent role",
                words(AgentRole::ALL, AgentRole::as_str, true),
                0,
            ),
            Field::choice(
                "gate",
                "human gate",
                words(HumanGate::ALL, HumanGate::as_str, true),
                0,
            ),
            Field::text("after", "after (all of them)", false).note("blank: unchanged"),
            Field::text("data", "data classes (all of them)", false).note("blank: unchanged"),
            Field::choice(
                "irreversible",
                "irreversible",
                vec!["—".into(), "no".into(), "yes".into()],
                0,
            ),
        ],
        |f| {
            let data = match f.optional("data") {
                Some(_) => Some(classes(f)?),
                None => None,
            };
            let irreversible = match f.text("irreversible").as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            };
            on_home(
                f,
                LoopOp::FlowSet {
                    step: picked_step(f),
                    edit: StepEdit {
                        name: f.optional("name"),
                        kind: chosen(f, "kind", StepKind::from_text),
                        by: chosen(f, "by", Performer::from_text),
                        role: chosen(f, "role", AgentRole::from_text),
                        gate: chosen(f, "gate", HumanGate::from_text),
                        after: f.optional("after").map(|_| after(f)),
                        data,
                        irreversible,
                    },
                },
            )
        },
    )
    .picking("step", step_ids(j))
    .on(&j.slug, Some(LoopKind::Redesign)))
}

pub(super) fn void(ask: &Ask) -> Result<Form, Closed> {
    let j = job_with_steps(ask)?;
    Ok(Form::new(
        format!("Remove a workflow step of {}", j.slug),
        vec![
            Field::choice("step", "step", step_names(j), 0),
            Field::text("reason", "why", true),
        ],
        |f| {
            on_home(
                f,
                LoopOp::FlowVoid {
                    step: picked_step(f),
                    reason: f.text("reason"),
                },
            )
        },
    )
    .picking("step", step_ids(j))
    .on(&j.slug, Some(LoopKind::Redesign))
    .intro(vec![
        "The step is kept in the history, with the reason; it counts for nothing from now on."
            .into(),
    ]))
}

pub(super) fn drop(ask: &Ask) -> Result<Form, Closed> {
    let j = ask.job_review().ok_or("no job here")?;
    Ok(Form::new(
        format!("Work the redesign removed from {}", j.slug),
        vec![
            Field::text("name", "work removed", true).note("e.g. the weekly status spreadsheet"),
            Field::text("why", "why", true),
            Field::date("date", "removed on", ask.now),
        ],
        |f| {
            on_home(
                f,
                LoopOp::FlowDrop {
                    name: f.text("name"),
                    why: f.text("why"),
                    at: f.date("date")?,
                },
            )
        },
    )
    .on(&j.slug, Some(LoopKind::Redesign)))
}

pub(super) fn govern(ask: &Ask) -> Result<Form, Closed> {
    let j = job_with_steps(ask)?;
    Ok(Form::new(
        format!("Govern a workflow step of {}", j.slug),
        vec![
            Field::choice("step", "step", step_names(j), 0),
            Field::text("owner", "human owner", false),
            Field::text("approval", "approval threshold", false),
            Field::text("critic", "critic check", false),
            Field::choice(
                "critic_by",
                "checked by",
                words(Performer::ALL, Performer::as_str, false),
                0,
            ),
        ],
        |f| {
            let critic = f
                .optional("critic")
                .map(|name| crate::domain::flow::CriticSpec {
                    name,
                    by: chosen(f, "critic_by", Performer::from_text).unwrap_or(Performer::Agent),
                });
            on_home(
                f,
                LoopOp::FlowGovern {
                    step: picked_step(f),
                    owner: f.optional("owner"),
                    approval: f.optional("approval"),
                    critic,
                },
            )
        },
    )
    .picking("step", step_ids(j))
    .on(&j.slug, Some(LoopKind::Govern))
    .intro(vec![
        "Blank fields stay as they are; a critic is added beside the step's others.".into(),
    ]))
}

pub(super) fn critic_result(ask: &Ask) -> Result<Form, Closed> {
    let j = job_with_steps(ask)?;
    // Every critic of every step, as `step · critic`, and the step's id with the critic.
    let (pairs, picks): (Vec<String>, Vec<(String, String)>) = j
        .flow
        .steps
        .iter()
        .flat_map(|s| {
            s.governance.critics.iter().map(move |c| {
                (
                    format!("{} · {}", s.name, c.name),
                    (s.id.to_string(), c.name.clone()),
                )
            })
        })
        .unzip();
    if pairs.is_empty() {
        return Err("no step has a critic check yet: govern a step with one first".into());
    }
    Ok(Form::new(
        format!("Critic result on {}", j.slug),
        vec![
            Field::choice("critic", "step · critic", pairs, 0),
            Field::choice(
                "result",
                "result",
                words(Verdict::ALL, Verdict::as_str, false),
                0,
            ),
            Field::text("note", "note", false),
        ],
        |f| {
            let (step, critic) = f
                .picked("critic")
                .cloned()
                .ok_or("choose a step's critic check")?;
            on_home(
                f,
                LoopOp::CriticResult {
                    step,
                    critic,
                    result: chosen(f, "result", Verdict::from_text).ok_or("choose pass or fail")?,
                    note: f.optional("note"),
                },
            )
        },
    )
    .picking("critic", picks)
    .on(&j.slug, Some(LoopKind::Govern)))
}

pub(super) fn incident(ask: &Ask) -> Result<Form, Closed> {
    let j = job_with_steps(ask)?;
    Ok(Form::new(
        format!("Incident on {}", j.slug),
        vec![
            Field::text("what", "what happened", true),
            Field::choice("step", "at step", step_names(j), 0),
            Field::choice(
                "severity",
                "severity",
                words(Severity::ALL, Severity::as_str, false),
                0,
            ),
            Field::text("tag", "tag", false).note("the same tag twice at a step is a pattern"),
            Field::choice(
                "detected_by",
                "detected by",
                words(DetectedBy::ALL, DetectedBy::as_str, true),
                0,
            ),
            Field::date("date", "on", ask.now),
        ],
        |f| {
            let at: When = f.date("date")?;
            on_home(
                f,
                LoopOp::IncidentAdd {
                    what: f.text("what"),
                    step: picked_step(f),
                    severity: chosen(f, "severity", Severity::from_text)
                        .ok_or("choose a severity")?,
                    tag: f.optional("tag"),
                    detected_by: chosen(f, "detected_by", DetectedBy::from_text),
                    at,
                },
            )
        },
    )
    .picking("step", step_ids(j))
    .on(&j.slug, Some(LoopKind::Improve)))
}
