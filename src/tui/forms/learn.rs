//! Capture a learning: evidence, a decision, feedback, a correction, an outcome, a mistake or a
//! change, with a tag (the same mistake twice is found by its tag) and a capability.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::LoopOp;
use crate::domain::model::{Capability, LearningType};

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    ask.loop_review().ok_or("no loop here")?;
    let types: Vec<String> = LearningType::ALL
        .iter()
        .map(|t| t.as_str().to_string())
        .collect();
    let mut caps = vec!["none".to_string()];
    caps.extend(Capability::ALL.iter().map(|c| c.as_str().to_string()));
    Ok(Form::new(
        format!("Learning on {}", ask.addr()),
        vec![
            Field::lines("text", "what was learned", 3),
            Field::choice("type", "type", types, 0),
            Field::text("tag", "tag", false),
            Field::choice("capability", "capability", caps, 0),
            Field::date("date", "on", ask.now),
        ],
        |f| {
            let kind = LearningType::ALL
                .get(f.choice("type"))
                .copied()
                .ok_or("choose a type")?;
            let capability = f
                .choice("capability")
                .checked_sub(1)
                .and_then(|i| Capability::ALL.get(i).copied());
            if f.text("text").is_empty() {
                return Err("write what was learned".into());
            }
            on_loop(
                f,
                LoopOp::Learn {
                    text: f.text("text"),
                    kind,
                    tag: f.optional("tag"),
                    capability,
                    incident: None,
                    about: Some(f.date("date")?.date()),
                },
            )
        },
    )
    .on(&ask.slug(), ask.kind)
    .intro(vec!["Ctrl-s saves; Enter adds a line in the text.".into()]))
}
