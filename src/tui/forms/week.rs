//! A week's values in one form: a number field for every metric (primary or guardrail) of the
//! job's loops — or of every job's — that has no value this week, each labelled with what it is
//! typed against. Which metrics, and the rows the numbers become, are the domain's
//! (`week_values`); the values are recorded together or not at all.

use super::{Ask, Closed, Field, Form};
use crate::domain::intent::Intent;
use crate::domain::time::Week;
use crate::domain::week_values;

pub(super) fn open(ask: &Ask, all: bool) -> Result<Form, Closed> {
    let week = Week::containing(ask.now);
    // With no job under the cursor (an empty walk's end), every job's.
    let slug = if all { None } else { ask.slug };
    let due = week_values::due(ask.review, slug, week, ask.actor);
    let whose = slug.map_or_else(|| "every job".to_string(), |s| format!("job {s}"));
    if due.is_empty() {
        return Err(format!(
            "every metric of {whose} has a value this week ({week}), or none is set: nothing to enter"
        ));
    }
    let mut fields = vec![Field::date("date", "date (all values)", ask.now)];
    for d in &due {
        // The title names the one job; every job's form names each field's. The label may be
        // cut at 80 columns: the line under it, which wraps, names the field whole.
        let label = match slug {
            Some(_) => format!("{} {}", d.kind, d.metric),
            None => d.label(),
        };
        fields.push(
            Field {
                required: false,
                ..Field::number("value", &label)
            }
            .note(&format!("{label}: {}", d.against())),
        );
    }
    fields.push(Field::text(
        "reason",
        "reason (a baseline that changes a locked plan)",
        false,
    ));
    let intro = vec![
        format!(
            "{week}: the metrics of {whose} with no value yet this week. Empty fields are skipped; the values are saved together or not at all."
        ),
        "Before a loop's first intervention a value is a baseline, from it on a live measurement."
            .into(),
    ];
    let title = match slug {
        Some(s) => format!("This week's values for {s}"),
        None => "This week's values for every job".into(),
    };
    let mut form = Form::new(title, fields, build).intro(intro);
    if let Some(s) = slug {
        form = form.on(s, None);
    }
    form.due = due;
    // The first value: the date is usually today.
    form.focus = 1;
    Ok(form)
}

fn build(f: &Form) -> Result<Intent, String> {
    let at = f.date("date")?;
    let typed: Vec<String> = f
        .fields
        .iter()
        .filter(|x| x.name == "value")
        .map(|x| x.value())
        .collect();
    let rows = week_values::rows(&f.due, &typed, at).map_err(|e| e.message)?;
    if rows.is_empty() {
        return Err(
            "no value was typed: type a number in at least one field (Tab moves on), or Esc to leave"
                .into(),
        );
    }
    Ok(Intent::RecordValues {
        rows,
        reason: f.optional("reason"),
    })
}
