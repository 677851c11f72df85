//! Record an irreversible decision and its human owner (who then signs it off).

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::LoopOp;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    ask.loop_review().ok_or("no loop here")?;
    Ok(Form::new(
        format!("Irreversible decision on {}", ask.addr()),
        vec![
            Field::text("text", "decision", true),
            Field::text("owner", "owner (signs it off)", true),
            Field::text("threshold", "approval threshold", false),
            Field::date("date", "taken on", ask.now),
        ],
        |f| {
            on_loop(
                f,
                LoopOp::Decide {
                    text: f.text("text"),
                    owner: f.text("owner"),
                    threshold: f.optional("threshold"),
                    step: None,
                    about: Some(f.date("date")?.date()),
                },
            )
        },
    )
    .on(&ask.slug(), ask.kind))
}
