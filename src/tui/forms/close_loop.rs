//! Close the loop: its question answered "yes". With steps undone it asks first, and the close
//! records which steps were left.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::LoopOp;
use crate::domain::model::Status;
use crate::tui::keymap::Action;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let l = ask.loop_review().ok_or("no loop here")?;
    match l.status {
        Status::Closed => return Err(format!("{} is already closed", ask.addr())),
        Status::NotStarted => {
            return Err(format!(
                "{} has not started: there is nothing to close yet",
                ask.addr()
            ));
        }
        Status::Killed => {
            return Err(format!(
                "{} was retired: {} to reopen it first",
                ask.addr(),
                ask.press(Action::Reopen)
            ));
        }
        Status::Open => {}
    }
    if l.needs_decision() {
        return Err(format!(
            "a kill signal of {} waits for a decision: {} to retire or {} to continue",
            ask.addr(),
            ask.press(Action::Retire),
            ask.press(Action::Continue)
        ));
    }
    let undone = l.steps.total - l.steps.done;
    let kind = ask.kind.unwrap_or(crate::domain::LoopKind::Understand);
    let mut fields = Vec::new();
    let mut intro = vec![format!("{} — yes.", kind.question())];
    if undone > 0 {
        intro.push(format!("{undone} checklist step(s) are not done."));
        fields.push(Field::answer("force", "close anyway"));
    }
    Ok(Form::new(format!("Close {}", ask.addr()), fields, |f| {
        let force = f.answer("force");
        if force == Some(false) {
            return Err("not closed: answer y to close with undone steps, or Esc".into());
        }
        on_loop(
            f,
            LoopOp::Close {
                force: force == Some(true),
            },
        )
    })
    .on(&ask.slug(), ask.kind)
    .intro(intro))
}
