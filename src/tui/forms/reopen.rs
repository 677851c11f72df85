//! Open a loop that has not started, or reopen a closed or retired one.

use super::{Ask, Closed, Form, confirm, on_loop};
use crate::domain::intent::LoopOp;
use crate::domain::model::Status;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let l = ask.loop_review().ok_or("no loop here")?;
    let verb = match l.status {
        Status::Open => return Err(format!("{} is already open", ask.addr())),
        Status::NotStarted => "Open",
        Status::Closed | Status::Killed => "Reopen",
    };
    Ok(confirm(
        format!("{verb} {}?", ask.addr()),
        vec![format!("{} is {}.", ask.addr(), l.status.label())],
        |f| on_loop(f, LoopOp::Open),
    )
    .on(&ask.slug(), ask.kind))
}
