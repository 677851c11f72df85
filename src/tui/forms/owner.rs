//! Name the loop's human owner.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::LoopOp;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let l = ask.loop_review().ok_or("no loop here")?;
    Ok(Form::new(
        format!("Owner of {}", ask.addr()),
        vec![Field::text("owner", "owner", true).prefill(l.owner.as_deref().unwrap_or(""))],
        |f| {
            on_loop(
                f,
                LoopOp::AssignOwner {
                    name: f.text("owner"),
                    was: f.shown("owner"),
                },
            )
        },
    )
    .on(&ask.slug(), ask.kind))
}
