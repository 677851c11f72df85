//! Amend a decision's owner or threshold: a new version, pending again; the old one is kept.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::LoopOp;
use crate::domain::model::short_id;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let d = ask
        .detail
        .ok_or("the loop is still loading; try again in a moment")?;
    let current: Vec<_> = d.record.current_decisions().collect();
    if current.is_empty() {
        return Err(format!("{} has no decision to amend", ask.addr()));
    }
    // The owner and threshold shown are always those of the decision chosen.
    let fills = current
        .iter()
        .map(|x| {
            vec![
                ("owner", x.owner.clone()),
                ("threshold", x.threshold.clone().unwrap_or_default()),
            ]
        })
        .collect();
    let labels: Vec<String> = current
        .iter()
        .map(|x| format!("{} {}", short_id(&x.id), x.text))
        .collect();
    Ok(Form::new(
        format!("Amend a decision on {}", ask.addr()),
        vec![
            Field::choice("decision", "decision", labels, 0),
            Field::text("owner", "owner", true),
            Field::text("threshold", "approval threshold", false),
        ],
        |f| {
            let id = f
                .text("decision")
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_string();
            on_loop(
                f,
                LoopOp::Amend {
                    decision: id,
                    owner: Some(f.text("owner")),
                    threshold: Some(f.text("threshold")),
                },
            )
        },
    )
    .on(&ask.slug(), ask.kind)
    .fills("decision", fills)
    .intro(vec![
        "The amended version waits for its owner's sign-off again.".into(),
    ])
    .focus_on("owner"))
}
