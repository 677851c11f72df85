//! Mark a done checklist step as not done.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::LoopOp;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let d = ask
        .detail
        .ok_or("the loop is still loading; try again in a moment")?;
    let done: Vec<String> = d
        .record
        .steps
        .iter()
        .filter(|s| s.done_at.is_some())
        .map(|s| format!("{}. {}", s.n, s.text))
        .collect();
    if done.is_empty() {
        return Err(format!(
            "no step of {} is done: nothing to undo",
            ask.addr()
        ));
    }
    Ok(Form::new(
        format!("Checklist of {}: mark a step not done", ask.addr()),
        vec![Field::choice("step", "step", done, 0)],
        |f| {
            let n = super::step::step_number(f)?;
            on_loop(f, LoopOp::UndoStep { n })
        },
    )
    .on(&ask.slug(), ask.kind))
}
