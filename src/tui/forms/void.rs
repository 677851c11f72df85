//! Void a value, intervention, decision or learning entered by mistake: it stays, marked void
//! with who and why, and counts for nothing.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::LoopOp;
use crate::domain::model::short_id;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let d = ask
        .detail
        .ok_or("the loop is still loading; try again in a moment")?;
    let r = &d.record;
    let mut labels: Vec<String> = Vec::new();
    for v in r.values.iter().rev().filter(|v| v.void.is_none()) {
        labels.push(format!(
            "{} {} {} on {}",
            short_id(&v.id),
            v.phase,
            v.shown(),
            v.at
        ));
    }
    for i in r.interventions.iter().filter(|i| i.void.is_none()) {
        labels.push(format!(
            "{} intervention {} on {}",
            short_id(&i.id),
            i.description,
            i.at
        ));
    }
    for x in r.current_decisions() {
        labels.push(format!("{} decision {}", short_id(&x.id), x.text));
    }
    for l in r.learnings.iter().filter(|l| l.void.is_none()) {
        labels.push(format!("{} {} {}", short_id(&l.id), l.kind, l.text));
    }
    if labels.is_empty() {
        return Err(format!("{} has no record to void", ask.addr()));
    }
    Ok(Form::new(
        format!("Void a record of {}", ask.addr()),
        vec![
            Field::choice("record", "record (←/→)", labels, 0),
            Field::text("reason", "why", true),
        ],
        |f| {
            let id = f
                .text("record")
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_string();
            on_loop(
                f,
                LoopOp::Void {
                    record: id,
                    reason: f.text("reason"),
                },
            )
        },
    )
    .on(&ask.slug(), ask.kind)
    .intro(vec![
        "The record stays in the history, marked void with your name and reason.".into(),
    ])
    .focus_on("record"))
}
