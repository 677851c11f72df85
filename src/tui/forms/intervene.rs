//! Start an intervention: possible only once a baseline dated before it exists.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::{InterventionSpec, LoopOp};
use crate::tui::keymap::Action;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let l = ask.loop_review().ok_or("no loop here")?;
    if l.metric.is_none() {
        return Err(format!(
            "{} has no primary metric, so it cannot take an intervention: {} to set one",
            ask.addr(),
            ask.press(Action::Metric)
        ));
    }
    if l.baseline.is_none() {
        return Err(format!(
            "{} has no baseline yet, so the change could never be shown to help: {} to record one",
            ask.addr(),
            ask.press(Action::Baseline)
        ));
    }
    Ok(Form::new(
        format!("Intervention on {}", ask.addr()),
        vec![
            Field::text("what", "what changes", true),
            Field::date("date", "started", ask.now),
            Field::text("horizon", "planned live values (blank: from the target, else 12)", false),
        ],
        |f| {
            let horizon = match f.optional("horizon") {
                Some(h) => Some(h.parse::<usize>().map_err(|_| {
                    format!("`{h}` is not a number of live values: give a whole number like 12, or leave it blank")
                })?),
                None => None,
            };
            on_loop(
                f,
                LoopOp::Intervene(InterventionSpec {
                    description: f.text("what"),
                    at: f.date("date")?,
                    horizon,
                }),
            )
        },
    )
    .on(&ask.slug(), ask.kind)
    .intro(vec![
        "Starting it locks the plan: the metric, the baseline, the target, the horizon and the kill rules in force. Later changes to them are deviations with a reason.".into(),
    ]))
}
