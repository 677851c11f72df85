//! Set (or clear) the change the primary metric should be able to show: with it, the
//! comparison says how many live values it takes to tell.

use super::{Ask, Closed, Field, Form, Kind, on_loop, plan_reason};
use crate::domain::intent::LoopOp;
use crate::domain::stats::Target;
use crate::tui::keymap::Action;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let l = ask.loop_review().ok_or("no loop here")?;
    let Some(m) = &l.metric else {
        return Err(format!(
            "{} has no primary metric yet: {} to set one",
            ask.addr(),
            ask.press(Action::Metric)
        ));
    };
    let example = match m.better {
        crate::domain::model::Better::Lower => "-20% or -1.5",
        crate::domain::model::Better::Higher => "+20% or +1.5",
    };
    let mut fields = vec![
        Field::text(
            "target",
            &format!("target (e.g. {example}; blank clears)"),
            false,
        )
        .kind(Kind::Target)
        .prefill(&m.target.map(|t| t.to_text()).unwrap_or_default()),
    ];
    let mut intro = Vec::new();
    plan_reason(l, &mut fields, &mut intro);
    Ok(Form::new(
        format!("Target change of {} ({} is better)", ask.addr(), m.better),
        fields,
        |f| {
            let target = match f.optional("target") {
                Some(t) => Some(Target::parse(&t).map_err(|e| e.to_string())?),
                None => None,
            };
            on_loop(
                f,
                LoopOp::SetTarget {
                    target,
                    reason: f.reason(),
                    was: f.shown("target"),
                },
            )
        },
    )
    .on(&ask.slug(), ask.kind)
    .intro(intro))
}
