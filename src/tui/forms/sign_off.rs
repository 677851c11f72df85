//! Sign off a decision: only its named owner can; the others see whose it is.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::LoopOp;
use crate::domain::loop_record::same_person;
use crate::domain::model::short_id;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let d = ask
        .detail
        .ok_or("the loop is still loading; try again in a moment")?;
    let pending: Vec<_> = d
        .record
        .current_decisions()
        .filter(|x| x.approved_at.is_none())
        .collect();
    if pending.is_empty() {
        return Err(format!(
            "no decision of {} waits for a sign-off",
            ask.addr()
        ));
    }
    let mine: Vec<String> = pending
        .iter()
        .filter(|x| same_person(&x.owner, ask.actor))
        .map(|x| format!("{} {}", short_id(&x.id), x.text))
        .collect();
    if mine.is_empty() {
        let owners: Vec<&str> = pending.iter().map(|x| x.owner.as_str()).collect();
        return Err(format!(
            "the pending decisions of {} are owned by {}: only they can sign them off (you are {})",
            ask.addr(),
            owners.join(", "),
            ask.actor
        ));
    }
    Ok(Form::new(
        format!("Sign off a decision on {} as {}", ask.addr(), ask.actor),
        vec![Field::choice("decision", "decision", mine, 0)],
        |f| {
            let id = f
                .text("decision")
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_string();
            on_loop(f, LoopOp::Approve { decision: id })
        },
    )
    .on(&ask.slug(), ask.kind))
}
