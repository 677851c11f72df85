//! Sign off a decision: its named owner signs; on a local file the lead may record the owner's
//! sign-off on their word (witnessed); in team mode the others see whose it is.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::{Intent, LoopOp};
use crate::domain::loop_record::same_person;
use crate::domain::model::{Decision, short_id};

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
        .map(|x| choice(x))
        .collect();
    if !mine.is_empty() {
        return Ok(Form::new(
            format!("Sign off a decision on {} as {}", ask.addr(), ask.actor),
            vec![Field::choice("decision", "decision", mine, 0)],
            |f| approve(f, false),
        )
        .on(&ask.slug(), ask.kind));
    }
    let owners: Vec<&str> = pending.iter().map(|x| x.owner.as_str()).collect();
    if ask.team {
        return Err(format!(
            "the pending decisions of {} are owned by {}: only they can sign them off (you are {})",
            ask.addr(),
            owners.join(", "),
            ask.actor
        ));
    }
    // On a local file the lead may record a named owner's sign-off given in person: marked as
    // witnessed, never as the owner's own, with the threshold shown before it is confirmed.
    let theirs: Vec<String> = pending.iter().map(|x| choice(x)).collect();
    Ok(Form::new(
        format!("Record a sign-off you witnessed on {}", ask.addr()),
        vec![Field::choice("decision", "decision", theirs, 0)],
        |f| approve(f, true),
    )
    .on(&ask.slug(), ask.kind)
    .intro(vec![
        format!(
            "You ({}) record the owner's sign-off on their word: the trail and the review mark it witnessed by you, not signed by them.",
            ask.actor
        ),
        "Check the owner and the threshold below with them before you save.".into(),
    ]))
}

/// A pending decision as the form offers it: its id first (what is saved), its text, its
/// owner and the threshold being approved.
fn choice(d: &Decision) -> String {
    format!(
        "{} {} — owner: {} — threshold: {}",
        short_id(&d.id),
        d.text,
        d.owner,
        d.threshold.as_deref().unwrap_or("none")
    )
}

fn approve(f: &Form, witnessed: bool) -> Result<Intent, String> {
    let id = f
        .text("decision")
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    on_loop(
        f,
        LoopOp::Approve {
            decision: id,
            witnessed,
        },
    )
}
