//! Mark a checklist step done, with what shows it.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::LoopOp;
use crate::tui::keymap::Action;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let d = ask
        .detail
        .ok_or("the loop is still loading; try again in a moment")?;
    let undone: Vec<String> = d
        .record
        .steps
        .iter()
        .filter(|s| s.done_at.is_none())
        .map(|s| format!("{}. {}", s.n, s.text))
        .collect();
    if undone.is_empty() {
        return Err(if d.record.lp.status.is_finished() {
            format!(
                "every step of {} is done, and it is {}",
                ask.addr(),
                d.record.lp.status
            )
        } else {
            format!(
                "every step of {} is done: {} to close the loop",
                ask.addr(),
                ask.press(Action::CloseLoop)
            )
        });
    }
    Ok(Form::new(
        format!("Checklist of {}: mark a step done", ask.addr()),
        vec![
            Field::choice("step", "step", undone, 0),
            Field::text("evidence", "evidence", false),
        ],
        |f| {
            let n = step_number(f)?;
            on_loop(
                f,
                LoopOp::MarkStep {
                    n,
                    evidence: f.optional("evidence"),
                },
            )
        },
    )
    .on(&ask.slug(), ask.kind)
    .focus_on("evidence"))
}

/// The step chosen, read back from its label (`2. text`).
pub(super) fn step_number(f: &Form) -> Result<i64, String> {
    f.text("step")
        .split('.')
        .next()
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| "choose a step".to_string())
}
