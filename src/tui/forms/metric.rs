//! Set the loop's primary metric (or replace it: its baselines then start again), with the
//! change it should be able to show. Replacing a metric that has records asks first: its
//! values and interventions stop counting, and that cannot be undone.

use super::{Ask, Closed, Field, Form, Kind, on_loop, plan_reason};
use crate::domain::intent::LoopOp;
use crate::domain::model::{Better, Measures};
use crate::domain::stats::Target;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let l = ask.loop_review().ok_or("no loop here")?;
    let current = l.metric.as_ref();
    let records = l.baseline.as_ref().map_or(0, |b| b.n) + l.live_n + l.interventions;
    let title = match current {
        Some(_) => format!(
            "Replace the primary metric of {} (baselines start again)",
            ask.addr()
        ),
        None => format!("Primary metric of {}", ask.addr()),
    };
    // A replacement starts from the metric in force: fixing a typo is not retyping it all.
    let (name, unit, better, measures, target) = match current {
        Some(m) => (
            m.name.clone(),
            m.unit.clone(),
            usize::from(m.better == Better::Higher),
            usize::from(m.measures == Measures::Adoption),
            m.target.map(|t| t.to_text()).unwrap_or_default(),
        ),
        None => Default::default(),
    };
    let mut fields = vec![
        Field::text("name", "name", true).prefill(&name),
        Field::text("unit", "unit", false).prefill(&unit),
        Field::choice(
            "better",
            "better",
            vec!["lower".into(), "higher".into()],
            better,
        ),
        Field::choice(
            "measures",
            "measures",
            vec!["outcome".into(), "adoption".into()],
            measures,
        ),
        Field::text("target", "target change", false)
            .kind(Kind::Target)
            .prefill(&target),
    ];
    let mut intro = Vec::new();
    if current.is_some() && records > 0 {
        intro.push(format!(
            "Its {records} value(s) and intervention(s) will stop counting, and this cannot be undone. To change only the target, use T."
        ));
        fields.push(Field::answer("sure", "replace it"));
    }
    if current.is_some() {
        plan_reason(l, &mut fields, &mut intro);
    }
    let form = Form::new(
        title,
        fields,
        if current.is_some() {
            |f: &Form| build(f, true)
        } else {
            |f: &Form| build(f, false)
        },
    )
    .on(&ask.slug(), ask.kind)
    .intro(intro);
    // A replacement replaces the metric shown, or nothing.
    Ok(match current {
        Some(m) => form.showing(m.id.clone()),
        None => form,
    })
}

fn build(f: &Form, replace: bool) -> Result<crate::domain::Intent, String> {
    if f.fields.iter().any(|x| x.name == "sure") && f.answer("sure") != Some(true) {
        return Err(
            "nothing was replaced: answer y to replace the metric, or Esc to keep it".into(),
        );
    }
    let better = [Better::Lower, Better::Higher][f.choice("better").min(1)];
    let measures = [Measures::Outcome, Measures::Adoption][f.choice("measures").min(1)];
    let target = match f.optional("target") {
        Some(t) => Some(Target::parse(&t).map_err(|e| e.message)?),
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
            reason: f.reason(),
            shown: f.shown_metric.clone(),
            target_was: replace.then(|| f.shown("target")).flatten(),
        },
    )
}
