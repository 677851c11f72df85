//! Record a baseline value or a live measurement of the primary metric, dated as typed.

use super::{Ask, Closed, Field, Form, on_loop, plan_reason};
use crate::domain::intent::LoopOp;
use crate::domain::model::Phase;
use crate::tui::keymap::Action;

pub(super) fn open(ask: &Ask, phase: Phase) -> Result<Form, Closed> {
    let l = ask.loop_review().ok_or("no loop here")?;
    let Some(m) = &l.metric else {
        return Err(format!(
            "{} has no primary metric, so it cannot take values: {} to set one",
            ask.addr(),
            ask.press(Action::Metric)
        ));
    };
    let what = match phase {
        Phase::Baseline => "Baseline",
        Phase::Live => "Measurement",
    };
    let mut intro = vec![format!(
        "{} ({}{} is better)",
        m.name,
        if m.unit.is_empty() {
            String::new()
        } else {
            format!("{}, ", m.unit)
        },
        m.better
    )];
    if phase == Phase::Baseline && l.interventions > 0 {
        intro.push(
            "An intervention is recorded: a baseline must be dated before the first one.".into(),
        );
    }
    let build = match phase {
        Phase::Baseline => |f: &Form| record(f, Phase::Baseline),
        Phase::Live => |f: &Form| record(f, Phase::Live),
    };
    let mut fields = vec![
        Field::number("value", "value"),
        Field::date("date", "date", ask.now),
        Field::text("note", "note", false),
    ];
    // With guardrails, the value is of the primary metric or of one of them.
    if !l.guardrails.is_empty() {
        let mut of = vec![m.name.clone()];
        of.extend(l.guardrails.iter().map(|g| g.name.clone()));
        fields.insert(1, Field::choice("of", "of", of, 0));
    }
    if phase == Phase::Baseline {
        plan_reason(l, &mut fields, &mut intro);
    }
    Ok(
        Form::new(format!("{what} for {}", ask.addr()), fields, build)
            .on(&ask.slug(), ask.kind)
            .showing(m.id.clone())
            .offering(l.guardrails.iter().map(|g| g.id.clone()).collect())
            .intro(intro),
    )
}

fn record(f: &Form, phase: Phase) -> Result<crate::domain::Intent, String> {
    on_loop(
        f,
        LoopOp::RecordValue {
            phase,
            value: f.number("value")?,
            typed: Some(f.text("value")),
            source: None,
            at: f.date("date")?,
            note: f.optional("note"),
            reason: f.reason(),
            guard: f.guard(),
            shown: f.shown_for_value(),
        },
    )
}
