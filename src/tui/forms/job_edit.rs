//! Edit the job: title, statement and the whole canvas, each in a real text area.

use super::{Ask, Closed, Field, Form};
use crate::domain::intent::Intent;
use crate::domain::job::{CanvasEdit, JobEdit};
use chrono::NaiveDate;

const CANVAS: [(&str, &str); 8] = [
    ("performer", "performer"),
    ("circumstance", "circumstance"),
    ("workaround", "current workaround"),
    ("functional_job", "functional job"),
    ("emotional_job", "emotional job"),
    ("social_job", "social job"),
    ("competing_solutions", "competing solutions"),
    ("hiring_criteria", "hiring criteria"),
];

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let Some(d) = ask.job else {
        return Err("the job is still loading; try again in a moment".into());
    };
    let j = &d.job;
    let c = &j.canvas;
    let values = [
        &c.performer,
        &c.circumstance,
        &c.workaround,
        &c.functional_job,
        &c.emotional_job,
        &c.social_job,
        &c.competing_solutions,
        &c.hiring_criteria,
    ];
    let mut fields = vec![
        Field::text("title", "title", true).prefill(&j.title),
        Field::lines("statement", "statement", 3).prefill(&j.statement),
    ];
    for ((name, label), v) in CANVAS.iter().zip(values) {
        fields.push(Field::lines(name, label, 2).prefill(v));
    }
    let since = j.since.map(|d| d.to_string()).unwrap_or_default();
    fields.push(
        Field::text("since", "history since", false)
            .prefill(&since)
            .note("YYYY-MM-DD: earlier weeks can be answered; blank: the day it was recorded"),
    );
    Ok(Form::new(
        format!("Job {}: statement and canvas", j.slug),
        fields,
        |f| {
            // Only what was changed: the rest stays as it is now, whoever changed it meanwhile;
            // what was changed, only over what the form showed.
            let since = match (f.changed("since"), f.optional("since")) {
                (None, _) => None,
                (Some(_), Some(_)) => Some(Some(f.date("since")?.date())),
                (Some(_), None) => Some(None),
            };
            let shown_since = f
                .shown("since")
                .map(|d| crate::domain::time::parse_typed_day(&d));
            Ok(Intent::EditJob {
                slug: f.slug.clone().unwrap_or_default(),
                edit: JobEdit {
                    was: Some(Box::new(edit_of(|n| f.shown(n), shown_since))),
                    ..edit_of(|n| f.changed(n), since)
                },
            })
        },
    )
    .on(&j.slug, None)
    .intro(vec![
        "Enter adds a line in a text area; Ctrl-s saves.".into(),
    ]))
}

/// An edit of every text field `text` gives, by the form's field names.
fn edit_of(text: impl Fn(&str) -> Option<String>, since: Option<Option<NaiveDate>>) -> JobEdit {
    JobEdit {
        title: text("title"),
        statement: text("statement"),
        canvas: CanvasEdit {
            performer: text("performer"),
            circumstance: text("circumstance"),
            workaround: text("workaround"),
            functional_job: text("functional_job"),
            emotional_job: text("emotional_job"),
            social_job: text("social_job"),
            competing_solutions: text("competing_solutions"),
            hiring_criteria: text("hiring_criteria"),
        },
        since,
        was: None,
    }
}
