//! Set the loop's primary metric (or replace it: its baselines then start again), with the
//! change it should be able to show.

use super::{Ask, Closed, Field, Form, Kind, on_loop};
use crate::domain::intent::LoopOp;
use crate::domain::model::{Better, Measures};
use crate::domain::stats::Target;

pub fn open(ask: &Ask) -> Result<Form, Closed> {
    let l = ask.loop_review().ok_or("no loop here")?;
    let replace = l.metric.is_some();
    let title = if replace {
        format!(
            "Replace the primary metric of {} (baselines start again)",
            ask.addr()
        )
    } else {
        format!("Primary metric of {}", ask.addr())
    };
    Ok(Form::new(
        title,
        vec![
            Field::text("name", "name", true),
            Field::text("unit", "unit", false),
            Field::choice("better", "better", vec!["lower".into(), "higher".into()], 0),
            Field::choice(
                "measures",
                "measures",
                vec!["outcome".into(), "adoption".into()],
                0,
            ),
            Field::text("target", "target change", false).kind(Kind::Target),
        ],
        if replace {
            |f: &Form| build(f, true)
        } else {
            |f: &Form| build(f, false)
        },
    )
    .on(&ask.slug(), ask.kind))
}

fn build(f: &Form, replace: bool) -> Result<crate::domain::Intent, String> {
    let better = [Better::Lower, Better::Higher][f.choice("better").min(1)];
    let measures = [Measures::Outcome, Measures::Adoption][f.choice("measures").min(1)];
    let target = match f.optional("target") {
        Some(t) => Some(Target::parse(&t).map_err(|e| e.to_string())?),
        None => None,
    };
    on_loop(
        f,
        LoopOp::SetMetric {
            name: f.text("name"),
            unit: f.text("unit"),
            better,
            measures,
            replace,
            target,
        },
    )
}
