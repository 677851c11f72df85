//! Record a tool selected for the job (a tool chosen before the workflow is mapped is a
//! suggested kill signal).

use super::{Ask, Closed, Field, Form};
use crate::domain::intent::Intent;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let j = ask.job_review().ok_or("no job here")?;
    Ok(Form::new(
        format!("Tool selected for {}", j.slug),
        vec![
            Field::text("name", "tool", true),
            Field::date("date", "selected on", ask.now),
        ],
        |f| {
            Ok(Intent::SelectTool {
                slug: f.slug.clone().unwrap_or_default(),
                name: f.text("name"),
                at: f.date("date")?,
            })
        },
    )
    .on(&j.slug, None))
}
