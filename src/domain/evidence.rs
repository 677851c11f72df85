//! Job-level records the kill-signal detectors read: tools selected and proof artifacts with
//! what they brought back.

use super::error::Refusal;
use super::loop_record::Outcome;
use super::model::*;
use super::text::{optional_text, required_text};
use super::time::Stamp;

fn live(job: &Job) -> Result<(), Refusal> {
    if job.archived_at.is_some() {
        return Err(Refusal::rule(format!(
            "job `{}` is archived: bring it back with `jobloop job unarchive {}` first",
            job.slug, job.slug
        )));
    }
    Ok(())
}

/// Records that a tool was selected for the job.
pub fn select_tool(
    job: &Job,
    name: &str,
    at: Stamp,
    ctx: &Ctx,
) -> Result<(Tool, Outcome), Refusal> {
    live(job)?;
    let name = required_text("tool name", name, 200)?;
    let tool = Tool {
        id: new_id(),
        job_id: job.id.clone(),
        name: name.clone(),
        at,
        recorded_by: ctx.actor.clone(),
        recorded_at: ctx.now,
    };
    let outcome = Outcome {
        command: "tool",
        summary: format!(
            "recorded tool `{name}` for `{}` on {}",
            job.slug,
            at.local_date()
        ),
        appended: None,
        changed: true,
    };
    Ok((tool, outcome))
}

pub fn add_proof(
    job: &Job,
    title: &str,
    kind: ProofKind,
    visibility: Visibility,
    link: Option<&str>,
    at: Stamp,
    ctx: &Ctx,
) -> Result<(Proof, Outcome), Refusal> {
    live(job)?;
    let title = required_text("proof title", title, 300)?;
    let link = optional_text("link", link, 2000)?;
    let proof = Proof {
        id: new_id(),
        job_id: job.id.clone(),
        title: title.clone(),
        kind,
        visibility,
        link,
        at,
        recorded_by: ctx.actor.clone(),
        outcome: None,
        outcome_at: None,
    };
    let outcome = Outcome {
        command: "proof add",
        summary: format!(
            "added {visibility} {kind} `{title}` to `{}` (id {})",
            job.slug,
            short_id(&proof.id)
        ),
        appended: None,
        changed: true,
    };
    Ok((proof, outcome))
}

/// Records what a proof artifact brought back (replacing an earlier count).
pub fn track_outcome(
    job: &Job,
    proof: &mut Proof,
    counts: ProofOutcome,
    ctx: &Ctx,
) -> Result<Outcome, Refusal> {
    live(job)?;
    if proof.outcome == Some(counts) {
        return Ok(Outcome {
            command: "proof outcome",
            summary: format!("the outcome of `{}` is unchanged", proof.title),
            appended: None,
            changed: false,
        });
    }
    proof.outcome = Some(counts);
    proof.outcome_at = Some(ctx.now);
    Ok(Outcome {
        command: "proof outcome",
        summary: format!(
            "tracked `{}`: {} replies, {} citations, {} intros, {} bookings, {} sales, {} reuse",
            proof.title,
            counts.replies,
            counts.citations,
            counts.intros,
            counts.bookings,
            counts.sales,
            counts.reuse
        ),
        appended: None,
        changed: true,
    })
}

/// The last eight characters of an id (the random part of a UUIDv7, whose start is a clock):
/// enough to type, shown wherever an id is asked for.
pub fn short_id(id: &str) -> &str {
    id.get(id.len().saturating_sub(8)..).unwrap_or(id)
}

/// The one proof whose id contains `prefix` (at least four characters).
pub fn find_proof<'a>(
    proofs: &'a mut [Proof],
    prefix: &str,
    slug: &str,
) -> Result<&'a mut Proof, Refusal> {
    let prefix = prefix.trim().to_lowercase();
    if prefix.len() < 4 {
        return Err(Refusal::invalid(format!(
            "give at least 4 characters of the proof id (see `jobloop proof list {slug}`)"
        )));
    }
    let mut matches = proofs.iter_mut().filter(|p| p.id.contains(&prefix));
    match (matches.next(), matches.next()) {
        (Some(p), None) => Ok(p),
        (None, _) => Err(Refusal::not_found(format!(
            "`{slug}` has no proof with id `{prefix}`: see `jobloop proof list {slug}`"
        ))),
        (Some(_), Some(_)) => Err(Refusal::invalid(format!(
            "proof id `{prefix}` is ambiguous: give more characters"
        ))),
    }
}
