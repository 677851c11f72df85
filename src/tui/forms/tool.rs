//! Record a tool selected for the job (a tool chosen before the workflow is mapped is a
//! suggested kill signal), or, from the job's view, void one recorded by mistake: it stays, with
//! who and why, and counts for nothing.

use super::{Ask, Closed, Field, Form};
use crate::domain::intent::Intent;
use crate::domain::model::short_id;

/// The first choice of the form's `what` field: a new tool; every other choice voids one.
const RECORD: &str = "record a tool";

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let j = ask.job_review().ok_or("no job here")?;
    // The tools in force are known once the job's view is loaded (J); only then is one offered
    // for voiding, by the short id it shows.
    let voidable: Vec<String> = ask
        .job
        .filter(|d| d.job.slug == j.slug)
        .map(|d| {
            d.tools
                .iter()
                .filter(|t| t.void.is_none())
                .map(|t| format!("void {} {} ({})", short_id(&t.id), t.name, t.at))
                .collect()
        })
        .unwrap_or_default();
    let mut fields = Vec::new();
    let mut intro = Vec::new();
    if !voidable.is_empty() {
        let mut choices = vec![RECORD.to_string()];
        choices.extend(voidable);
        fields.push(Field::choice("what", "what (←/→)", choices, 0));
        intro.push(
            "A tool recorded by mistake is voided: it stays in the job's view with your name and reason, and counts for nothing.".into(),
        );
    }
    fields.push(Field::text("name", "tool", false));
    fields.push(Field::date("date", "selected on", ask.now));
    if !intro.is_empty() {
        fields.push(Field::text("reason", "why void (voiding only)", false));
    }
    Ok(
        Form::new(format!("Tool selected for {}", j.slug), fields, build)
            .on(&j.slug, None)
            .intro(intro),
    )
}

fn build(f: &Form) -> Result<Intent, String> {
    let slug = f.slug.clone().unwrap_or_default();
    let what = match f.fields.iter().any(|x| x.name == "what") {
        true => f.text("what"),
        false => RECORD.to_string(),
    };
    if let Some(rest) = what.strip_prefix("void ") {
        let tool = rest.split(' ').next().unwrap_or_default().to_string();
        return Ok(Intent::VoidTool {
            slug,
            tool,
            reason: f.text("reason"),
        });
    }
    if f.text("name").trim().is_empty() {
        return Err("give the tool's name, or pick one to void with ←/→".into());
    }
    Ok(Intent::SelectTool {
        slug,
        name: f.text("name"),
        at: f.date("date")?,
    })
}
