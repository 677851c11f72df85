//! Add a step of the lead's own to the loop's checklist.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::LoopOp;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    ask.loop_review().ok_or("no loop here")?;
    Ok(Form::new(
        format!("New checklist step of {}", ask.addr()),
        vec![Field::text("text", "step", true)],
        |f| {
            on_loop(
                f,
                LoopOp::AddStep {
                    text: f.text("text"),
                },
            )
        },
    )
    .on(&ask.slug(), ask.kind))
}
