//! Job-level records the kill-signal detectors read: tools selected and proof artifacts with
//! what they brought back.

use super::command::Command;
use super::error::{Fix, Refusal};
use super::job::live;
use super::loop_record::{MAX_NAME, MAX_REASON, Outcome};
use super::model::*;
use super::text::{optional_text, required_text};
use super::time::When;

/// Records that a tool was selected for the job.
pub fn select_tool(job: &Job, name: &str, at: When, ctx: &Ctx) -> Result<(Tool, Outcome), Refusal> {
    live(job)?;
    let name = required_text("tool name", name, MAX_NAME)?;
    let tool = Tool {
        id: ctx.new_id(),
        job_id: job.id.clone(),
        name: name.clone(),
        at,
        recorded_by: ctx.actor.clone(),
        recorded_at: ctx.now,
        void: None,
    };
    let outcome = Outcome::done(
        Command::Tool,
        format!("recorded tool `{name}` for `{}` on {at}", job.slug),
    );
    Ok((tool, outcome))
}

/// Marks a tool recorded by mistake as void: it stays, with who voided it and why, and counts
/// for nothing (the job's tools, its detectors, the register and the report leave it out).
pub fn void_tool(job: &Job, tool: &mut Tool, reason: &str, ctx: &Ctx) -> Result<Outcome, Refusal> {
    live(job)?;
    let reason = required_text("reason", reason, MAX_REASON)?;
    if let Some(v) = &tool.void {
        return Err(Refusal::rule(format!(
            "tool `{}` of `{}` is already void ({}, by {}): nothing was changed",
            tool.name, job.slug, v.reason, v.by
        )));
    }
    tool.void = Some(Void {
        at: ctx.now,
        by: ctx.actor.clone(),
        reason: reason.clone(),
    });
    Ok(Outcome::done(
        Command::ToolVoid,
        format!(
            "voided tool `{}` of `{}` (selected {}): {reason}",
            tool.name, job.slug, tool.at
        ),
    ))
}

/// The job's tool that `reference` names: its whole id (what undo gives), its name (any case;
/// a tool in force before a void one) or at least 4 characters of its id.
pub fn find_tool<'a>(
    tools: &'a mut [Tool],
    reference: &str,
    slug: &str,
) -> Result<&'a mut Tool, Refusal> {
    let wanted = reference.trim().to_lowercase();
    let named = |in_force: bool| -> Vec<ToolId> {
        tools
            .iter()
            .filter(|t| t.void.is_none() == in_force && t.name.to_lowercase() == wanted)
            .map(|t| t.id.clone())
            .collect()
    };
    let mut found: Vec<ToolId> = tools
        .iter()
        .filter(|t| t.id.as_str() == reference)
        .map(|t| t.id.clone())
        .collect();
    if found.is_empty() {
        found = named(true);
    }
    if found.is_empty() {
        found = named(false);
    }
    let list = || Fix::ListTools {
        slug: slug.to_string(),
    };
    // A name that is also part of another tool's id could mean either: ask for the whole id.
    let by_id = find_by_ref(tools.iter().map(|t| &t.id), reference).ok();
    if let ([named], Some(other)) = (found.as_slice(), by_id)
        && named != other
        && named.as_str() != reference
    {
        return Err(Refusal::invalid(format!(
            "`{}` is the name of one tool of `{slug}` and part of another's id; give the whole id of the one you mean",
            reference.trim()
        ))
        .fix(list()));
    }
    let id = match found.as_slice() {
        [id] => id.clone(),
        [_, _, ..] => {
            return Err(Refusal::invalid(format!(
                "`{slug}` has more than one tool named `{}`; give the id of the one you mean",
                reference.trim()
            ))
            .fix(list()));
        }
        [] => match find_by_ref(tools.iter().map(|t| &t.id), reference) {
            Ok(id) => id.clone(),
            Err(RefError::Ambiguous(_)) => {
                return Err(Refusal::invalid(format!(
                    "`{}` matches more than one tool id of `{slug}`; give more characters of the id",
                    reference.trim()
                ))
                .fix(list()));
            }
            Err(_) => {
                return Err(Refusal::not_found(format!(
                    "`{slug}` has no tool named `{}`, nor one whose id contains it",
                    reference.trim()
                ))
                .fix(list()));
            }
        },
    };
    tools
        .iter_mut()
        .find(|t| t.id == id)
        .ok_or_else(|| Refusal::not_found(format!("`{slug}` has no tool `{reference}`")))
}

/// Whether recording proof on the job opens its distribute loop: proof is that loop's work
/// ("turn proof into a case…", "track whether distribution creates replies…"), so a loop not
/// started begins with it. An open, closed or killed loop is the lead's to change; in team mode
/// only someone who may record on that loop opens it.
pub fn proof_opens(distribute: &crate::domain::loop_record::LoopRecord, ctx: &Ctx) -> bool {
    distribute.lp.kind == crate::domain::LoopKind::Distribute
        && distribute.lp.status == crate::domain::model::Status::NotStarted
        && distribute.authorize(ctx).is_ok()
}

pub fn add_proof(
    job: &Job,
    title: &str,
    kind: ProofKind,
    visibility: Visibility,
    link: Option<&str>,
    at: When,
    ctx: &Ctx,
) -> Result<(Proof, Outcome), Refusal> {
    live(job)?;
    let title = required_text("proof title", title, MAX_NAME)?;
    let link = optional_text("link", link, MAX_REASON)?;
    if let Some(l) = &link {
        check_link(l)?;
    }
    let proof = Proof {
        id: ctx.new_id(),
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
    let outcome = Outcome::done(
        Command::ProofAdd,
        format!(
            "added {visibility} {kind} `{title}` to `{}` (id {})",
            job.slug,
            short_id(&proof.id)
        ),
    );
    Ok((proof, outcome))
}

/// What is wrong with a proof's link, if anything: a link is for people to follow from a page
/// (`publish`), so it is `http://` or `https://` to a host without a user name or password in
/// it, or `mailto:`, all of it one word of printable characters. `javascript:`, `data:`,
/// `file:` and the like would run or open something instead.
pub fn link_problem(url: &str) -> Option<&'static str> {
    if url.chars().any(|c| {
        c.is_whitespace() || super::text::is_unsafe(c) || matches!(c, '<' | '>' | '\\' | '`' | '"')
    }) {
        return Some("holds spaces, control characters, quotes, angle brackets or backslashes");
    }
    let lower = url.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("mailto:") {
        return rest
            .is_empty()
            .then_some("names no address after `mailto:`");
    }
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return Some("is not an http://, https:// or mailto: address");
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.contains('@') {
        return Some("carries a user name or password (`user:pass@host`)");
    }
    if host.is_empty() || host.starts_with(':') {
        return Some("names no host");
    }
    None
}

/// Refuses a link that `link_problem` finds wrong, saying what is accepted.
fn check_link(url: &str) -> Result<(), Refusal> {
    match link_problem(url) {
        None => Ok(()),
        Some(why) => Err(Refusal::invalid(format!(
            "the link `{}` {why}",
            super::text::one_line(url)
        ))
        .advice("give an http:// or https:// address without a user name or password, or a mailto: address")),
    }
}

/// The largest count an outcome records for any channel.
pub const MAX_COUNT: i64 = 1_000_000_000;

/// Records what a proof artifact brought back (replacing an earlier count).
pub fn track_outcome(
    job: &Job,
    proof: &mut Proof,
    given: ProofCounts,
    was: Option<ProofOutcome>,
    ctx: &Ctx,
) -> Result<Outcome, Refusal> {
    live(job)?;
    if given.is_empty() {
        return Err(Refusal::invalid(
            "no count was given: give the counts that changed (the others stay as they are)",
        ));
    }
    let stored = proof.outcome.unwrap_or_default();
    if was.is_some_and(|w| w != stored) {
        return Err(Refusal::conflict(format!(
            "the counts of `{}` were changed while you edited them: nothing was written; look at them again and give what changed",
            proof.title
        )));
    }
    let counts = given.over(stored);
    let all = [
        counts.replies,
        counts.citations,
        counts.intros,
        counts.bookings,
        counts.sales,
        counts.reuse,
    ];
    if all.iter().any(|c| !(0..=MAX_COUNT).contains(c)) {
        return Err(Refusal::invalid(format!(
            "outcome counts lie between 0 and {MAX_COUNT}"
        )));
    }
    if proof.outcome == Some(counts) {
        return Ok(Outcome::unchanged(
            Command::ProofOutcome,
            format!("the outcome of `{}` is unchanged", proof.title),
        ));
    }
    proof.outcome = Some(counts);
    proof.outcome_at = Some(ctx.now);
    Ok(Outcome::done(
        Command::ProofOutcome,
        format!(
            "tracked `{}`: {} replies, {} citations, {} intros, {} bookings, {} sales, {} reuse",
            proof.title,
            counts.replies,
            counts.citations,
            counts.intros,
            counts.bookings,
            counts.sales,
            counts.reuse
        ),
    ))
}

/// The one proof of the job whose id contains `reference` (at least four characters).
/// Makes a proof public or private again, with why: a withdrawn proof leaves the journeys,
/// its record stays.
pub fn set_visibility(
    job: &Job,
    proof: &mut Proof,
    visibility: Visibility,
    reason: &str,
) -> Result<Outcome, Refusal> {
    live(job)?;
    let reason = required_text("reason", reason, MAX_REASON)?;
    if proof.visibility == visibility {
        return Ok(Outcome::unchanged(
            Command::ProofVisibility,
            format!("`{}` is already {visibility}; nothing changed", proof.title),
        ));
    }
    proof.visibility = visibility;
    Ok(Outcome::done(
        Command::ProofVisibility,
        format!(
            "`{}` of {} is now {visibility}: {reason}",
            proof.title, job.slug
        ),
    ))
}

pub fn find_proof<'a>(
    proofs: &'a mut [Proof],
    reference: &str,
    slug: &str,
) -> Result<&'a mut Proof, Refusal> {
    let id = find_by_ref(proofs.iter().map(|p| &p.id), reference)
        .cloned()
        .map_err(|e| {
            e.about("proof", &format!("`{slug}`")).fix(Fix::ListProofs {
                slug: slug.to_string(),
            })
        })?;
    proofs
        .iter_mut()
        .find(|p| p.id == id)
        .ok_or_else(|| Refusal::not_found(format!("`{slug}` has no proof `{reference}`")))
}

#[cfg(test)]
mod tests {
    use super::link_problem;

    #[test]
    fn only_plain_web_and_mail_links_are_links() {
        for ok in [
            "https://example.com/story?x=1#a",
            "HTTP://example.com",
            "https://example.com:8443/p",
            "https://example.com/a@b",
            "mailto:ana@example.com",
        ] {
            assert_eq!(link_problem(ok), None, "{ok}");
        }
        for (bad, says) in [
            ("javascript:alert(1)", "not an http"),
            ("JaVaScRiPt:alert(1)", "not an http"),
            ("data:text/html;base64,PHNjcmlwdD4=", "not an http"),
            ("file:///etc/passwd", "not an http"),
            ("ftp://example.com", "not an http"),
            ("//example.com", "not an http"),
            ("https://user:pass@example.com/", "password"),
            ("https://user@example.com", "password"),
            ("https://", "no host"),
            ("https://:80/x", "no host"),
            ("https://example.com/a b", "spaces"),
            ("https://example.com/\n", "spaces"),
            ("https://exa\u{202e}mple.com", "control"),
            ("https://example.com/\"onmouseover=", "quotes"),
            ("https:\\\\example.com", "backslashes"),
            ("mailto:", "no address"),
        ] {
            let why = link_problem(bad).unwrap_or_else(|| panic!("{bad} passed"));
            assert!(why.contains(says), "{bad}: {why}");
        }
    }
}
