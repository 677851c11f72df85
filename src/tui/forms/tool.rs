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
    let voidable: Vec<(String, String)> = ask
        .job
        .filter(|d| d.job.slug == j.slug)
        .map(|d| {
            d.tools
                .iter()
                .filter(|t| t.void.is_none())
                .map(|t| {
                    let label = format!("void {} {} ({})", short_id(&t.id), t.name, t.at);
                    (t.id.to_string(), label)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut fields = Vec::new();
    let mut intro = Vec::new();
    // The first option records; each other stands for its tool's whole id (`picks`).
    let mut picks = vec![(String::new(), RECORD.to_string())];
    picks.extend(voidable.iter().cloned());
    if !voidable.is_empty() {
        let choices = picks.iter().map(|(_, label)| label.clone()).collect();
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
            .intro(intro)
            .picking("what", picks),
    )
}

fn build(f: &Form) -> Result<Intent, String> {
    let slug = f.slug.clone().unwrap_or_default();
    // The tool picked, by its whole id: never a name another tool could also answer to.
    let picked = f
        .fields
        .iter()
        .any(|x| x.name == "what")
        .then(|| f.picked("what"))
        .flatten()
        .filter(|(id, _)| !id.is_empty());
    if let Some((id, _)) = picked {
        if !f.text("name").trim().is_empty() {
            return Err("a tool to void is picked and a name is typed: clear the name, or pick `record a tool` with ←/→".into());
        }
        return Ok(Intent::VoidTool {
            slug,
            tool: id.clone(),
            reason: f.text("reason"),
        });
    }
    if f.fields.iter().any(|x| x.name == "reason") && !f.text("reason").trim().is_empty() {
        return Err(
            "a reason is only for voiding: pick the tool to void with ←/→, or clear the reason"
                .into(),
        );
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
