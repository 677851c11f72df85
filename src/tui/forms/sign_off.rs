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
    let (mine, theirs): (Vec<&Decision>, Vec<&Decision>) = pending
        .iter()
        .partition(|x| same_person(&x.owner, ask.actor));
    if ask.team && mine.is_empty() {
        let owners: Vec<&str> = theirs.iter().map(|x| x.owner.as_str()).collect();
        return Err(format!(
            "the pending decisions of {} are owned by {}: only they can sign them off (you are {})",
            ask.addr(),
            owners.join(", "),
            ask.actor
        ));
    }
    // On a local file the lead may also record a named owner's sign-off given in person: marked
    // as witnessed, never as the owner's own. In team mode only the owner signs.
    let offered: Vec<&Decision> = if ask.team {
        mine.clone()
    } else {
        mine.iter().chain(&theirs).copied().collect()
    };
    let witnessing = offered.iter().any(|x| !same_person(&x.owner, ask.actor));
    let title = match (mine.is_empty(), witnessing) {
        (false, false) => format!("Sign off a decision on {} as {}", ask.addr(), ask.actor),
        (true, _) => format!("Record a sign-off you witnessed on {}", ask.addr()),
        (false, true) => format!(
            "Sign off a decision on {} (yours, or one you witnessed)",
            ask.addr()
        ),
    };
    // Every decision in full, wrapped: the threshold is read before it is confirmed, however
    // long it is or however narrow the terminal.
    let mut intro = Vec::new();
    if witnessing {
        intro.push(format!(
            "For a decision someone else owns, you ({}) record their sign-off on their word: the trail and the review mark it witnessed by you, not signed by them. Check the owner and the threshold with them before you save.",
            ask.actor
        ));
    }
    for x in &offered {
        intro.push(format!(
            "{}: {} — owner {} — threshold {}",
            short_id(&x.id),
            x.text,
            x.owner,
            x.threshold.as_deref().unwrap_or("none")
        ));
    }
    let choices = offered
        .iter()
        .map(|x| choice(x, !same_person(&x.owner, ask.actor)))
        .collect();
    Ok(Form::new(
        title,
        vec![Field::choice("decision", "decision", choices, 0)],
        approve,
    )
    .on(&ask.slug(), ask.kind)
    .intro(intro))
}

/// Ends the choice of a decision the actor records on its owner's word.
const WITNESSED: &str = " — witnessed by you";

/// A pending decision as the form offers it: its id first (what is saved), its owner, the
/// threshold being approved and its text (all of it is in the lines above the field), and
/// whether the sign-off is witnessed last.
fn choice(d: &Decision, witnessed: bool) -> String {
    format!(
        "{} owner: {} — threshold: {} — {}{}",
        short_id(&d.id),
        d.owner,
        d.threshold.as_deref().unwrap_or("none"),
        d.text,
        if witnessed { WITNESSED } else { "" }
    )
}

fn approve(f: &Form) -> Result<Intent, String> {
    let chosen = f.text("decision");
    let witnessed = chosen.ends_with(WITNESSED);
    let id = chosen.split(' ').next().unwrap_or_default().to_string();
    on_loop(
        f,
        LoopOp::Approve {
            decision: id,
            witnessed,
        },
    )
}
