//! Start an intervention: possible only once a baseline dated before it exists.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::LoopOp;
use crate::tui::keymap::Action;

pub fn open(ask: &Ask) -> Result<Form, Closed> {
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
        ],
        |f| {
            on_loop(
                f,
                LoopOp::Intervene {
                    description: f.text("what"),
                    at: f.date("date", crate::domain::Stamp::now())?,
                },
            )
        },
    )
    .on(&ask.slug(), ask.kind))
}
