//! Add a kill signal of the lead's own, with or without a rule the data can check; the rule's
//! grammar is shown and checked as it is typed.

use super::{Ask, Closed, Field, Form, Kind, on_loop};
use crate::domain::intent::LoopOp;

pub fn open(ask: &Ask) -> Result<Form, Closed> {
    ask.loop_review().ok_or("no loop here")?;
    Ok(Form::new(
        format!("New kill signal on {}", ask.addr()),
        vec![
            Field::text("text", "kill signal", true),
            Field::text("rule", "rule (optional)", false)
                .kind(Kind::Rule)
                .prefill(""),
        ],
        |f| {
            on_loop(
                f,
                LoopOp::AddKillSignal {
                    text: f.text("text"),
                    rule: f.optional("rule"),
                },
            )
        },
    )
    .on(&ask.slug(), ask.kind)
    .intro(vec![
        "A rule trips the signal by itself when the data breaks it (checked on every write and by F).".into(),
    ]))
}
