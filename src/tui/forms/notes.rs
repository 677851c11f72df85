//! Edit the loop's free-text notes in a text area (empty clears them).

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::LoopOp;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let d = ask
        .detail
        .ok_or("the loop is still loading; try again in a moment")?;
    Ok(Form::new(
        format!("Notes of {}", ask.addr()),
        vec![Field::lines("notes", "notes", 8).prefill(&d.record.lp.notes)],
        |f| {
            on_loop(
                f,
                LoopOp::SetNotes {
                    text: f.text("notes"),
                    was: f.field("notes").and_then(|x| x.prefilled.clone()),
                },
            )
        },
    )
    .on(&ask.slug(), ask.kind)
    .intro(vec!["Enter adds a line; Ctrl-s saves.".into()]))
}
