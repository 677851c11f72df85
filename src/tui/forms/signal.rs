//! Add a kill signal of the lead's own, with or without a rule the data can check; the rule's
//! grammar is shown and checked as it is typed.

use super::{Ask, Closed, Field, Form, Kind, on_loop, plan_reason};
use crate::domain::intent::LoopOp;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let l = ask.loop_review().ok_or("no loop here")?;
    let mut fields = vec![
        Field::text("text", "kill signal", true),
        Field::text("rule", "rule (optional)", false)
            .kind(Kind::Rule)
            .prefill(""),
    ];
    let mut intro = vec![
        "A rule trips the signal by itself when the data breaks it (checked on every write and by F).".into(),
    ];
    plan_reason(l, &mut fields, &mut intro);
    Ok(
        Form::new(format!("New kill signal on {}", ask.addr()), fields, |f| {
            on_loop(
                f,
                LoopOp::AddKillSignal {
                    text: f.text("text"),
                    rule: f.optional("rule"),
                    reason: f.reason(),
                },
            )
        })
        .on(&ask.slug(), ask.kind)
        .intro(intro),
    )
}
