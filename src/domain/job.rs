//! Customer jobs: creating one (with its six loops), editing its statement and canvas, archiving.

use serde_json::{Value as Json, json};

use super::audit::{STATE_KEY, row_json, with_state_hash};
use super::command::Command;
use super::error::{Fix, Refusal, check_shown};
use super::kind::LoopKind;
use super::loop_record::{LoopRecord, MAX_LONG, MAX_NAME, MAX_REASON, Outcome, same_person};
use super::model::{Canvas, Ctx, Job};
use super::text::{optional_text, person_name, required_text};
use super::time::{Stamp, Week};
use chrono::NaiveDate;

pub const MAX_SLUG: usize = 60;

/// The plain letters of an accented Latin letter, so "Café" gives "cafe", not "caf".
fn fold_latin(c: char) -> Option<&'static str> {
    let folded = match c.to_lowercase().next().unwrap_or(c) {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ł' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        _ => return None,
    };
    Some(folded)
}

/// A slug from a title: lowercase ASCII letters and digits joined by single hyphens.
pub fn slugify(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if let Some(plain) = fold_latin(c) {
            slug.push_str(plain);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    if slug.len() > MAX_SLUG {
        slug.truncate(MAX_SLUG);
        if let Some(cut) = slug.rfind('-').filter(|i| *i > MAX_SLUG / 2) {
            slug.truncate(cut);
        }
    }
    slug.trim_end_matches('-').to_string()
}

pub fn validate_slug(slug: &str) -> Result<(), Refusal> {
    let ok = !slug.is_empty()
        && slug.len() <= MAX_SLUG
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--");
    if ok {
        Ok(())
    } else {
        Err(Refusal::invalid(format!(
            "`{}` is not a valid slug: use 1 to {MAX_SLUG} lowercase letters, digits and single hyphens",
            slug
        ))
        .fix(Fix::GiveSlug))
    }
}

/// What `job add` creates: the job and its six loops, each not started.
pub struct NewJob {
    pub job: Job,
    pub loops: Vec<LoopRecord>,
}

impl NewJob {
    pub fn create(
        title: &str,
        slug: Option<&str>,
        statement: Option<&str>,
        owner: Option<&str>,
        ctx: &Ctx,
    ) -> Result<NewJob, Refusal> {
        let title = required_text("title", title, MAX_NAME)?;
        let slug = match slug.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => s.to_string(),
            None => {
                let s = slugify(&title);
                if s.is_empty() {
                    return Err(Refusal::invalid(format!(
                        "cannot derive a slug from the title `{title}`"
                    ))
                    .fix(Fix::GiveSlug));
                }
                s
            }
        };
        validate_slug(&slug)?;
        let statement = optional_text("statement", statement, MAX_REASON)?.unwrap_or_default();
        let owner = match owner.map(str::trim).filter(|o| !o.is_empty()) {
            Some(o) => Some(person_name("owner", o)?),
            None => None,
        };
        let job = Job {
            id: ctx.new_id(),
            slug,
            title,
            statement,
            canvas: Canvas::default(),
            created_at: ctx.now,
            archived_at: None,
            rev: 1,
            lead: Some(ctx.actor.clone()),
            since: None,
        };
        let loops = LoopKind::ALL
            .into_iter()
            .map(|k| LoopRecord::new(&job, k, owner.clone(), ctx))
            .collect();
        Ok(NewJob { job, loops })
    }

    pub fn outcome(&self) -> Outcome {
        Outcome::done(
            Command::JobAdd,
            format!(
                "added job `{}` ({}) with its six loops, each not started",
                self.job.slug, self.job.title
            ),
        )
    }

    /// The job and each loop's state hash, so `verify` knows what every new record should be.
    pub fn audit_after(&self) -> Json {
        let loops: serde_json::Map<String, Json> = self
            .loops
            .iter()
            .map(|l| {
                (
                    l.lp.kind.name().to_string(),
                    l.audit_state()[STATE_KEY].clone(),
                )
            })
            .collect();
        json!({
            "job": with_state_hash(row_json(&self.job)),
            "owner": self.loops.first().and_then(|l| l.lp.owner.clone()),
            "loops": loops,
        })
    }
}

/// The fields `job edit` can change; `None` leaves a field as it is, an empty string clears it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobEdit {
    pub title: Option<String>,
    pub statement: Option<String>,
    pub canvas: CanvasEdit,
    /// The day the job's history begins (backfill); `Some(None)` clears it, so the history
    /// begins when the job was recorded.
    pub since: Option<Option<NaiveDate>>,
    /// What the front end showed of each field (a form's prefill; an undo: what its command
    /// wrote), when it showed them: a field changed by this edit is refused when it no longer
    /// says that, so an edit never writes over a teammate's change it did not show. `None`
    /// from a command line.
    pub was: Option<Box<JobEdit>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CanvasEdit {
    pub performer: Option<String>,
    pub circumstance: Option<String>,
    pub workaround: Option<String>,
    pub functional_job: Option<String>,
    pub emotional_job: Option<String>,
    pub social_job: Option<String>,
    pub competing_solutions: Option<String>,
    pub hiring_criteria: Option<String>,
}

impl JobEdit {
    /// Each text field of the edit by the name its outcome uses, in the job's order.
    fn texts(&self) -> [(&'static str, &Option<String>); 10] {
        let c = &self.canvas;
        [
            ("title", &self.title),
            ("statement", &self.statement),
            ("performer", &c.performer),
            ("circumstance", &c.circumstance),
            ("workaround", &c.workaround),
            ("functional job", &c.functional_job),
            ("emotional job", &c.emotional_job),
            ("social job", &c.social_job),
            ("competing solutions", &c.competing_solutions),
            ("hiring criteria", &c.hiring_criteria),
        ]
    }
}

/// The job's text fields, in the order of [`JobEdit::texts`].
fn job_texts(job: &mut Job) -> [&mut String; 10] {
    let c = &mut job.canvas;
    [
        &mut job.title,
        &mut job.statement,
        &mut c.performer,
        &mut c.circumstance,
        &mut c.workaround,
        &mut c.functional_job,
        &mut c.emotional_job,
        &mut c.social_job,
        &mut c.competing_solutions,
        &mut c.hiring_criteria,
    ]
}

/// Is each field the edit changes still what the front end showed of it?
fn check_edit_shown(job: &mut Job, e: &JobEdit) -> Result<(), Refusal> {
    let Some(was) = &e.was else { return Ok(()) };
    let slug = job.slug.clone();
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    if e.since.is_some()
        && let Some(shown) = was.since
    {
        check_shown(
            &format!("the start of `{slug}`"),
            &day(job.since),
            Some(&day(shown)),
        )?;
    }
    let fields = e.texts().into_iter().zip(was.texts());
    for (((name, new), (_, shown)), now) in fields.zip(job_texts(job)) {
        if new.is_some() {
            check_shown(&format!("the {name} of `{slug}`"), now, shown.as_deref())?;
        }
    }
    Ok(())
}

/// Refuses changes to an archived job.
pub fn live(job: &Job) -> Result<(), Refusal> {
    if job.archived_at.is_some() {
        return Err(
            Refusal::rule(format!("job `{}` is archived", job.slug)).fix(Fix::Unarchive {
                slug: job.slug.clone(),
            }),
        );
    }
    Ok(())
}

/// In team mode only the job's lead changes the job itself (its canvas, its lead, its archive).
pub fn authorize(job: &Job, ctx: &Ctx) -> Result<(), Refusal> {
    if !ctx.team
        || job
            .lead
            .as_deref()
            .is_some_and(|l| same_person(l, &ctx.actor))
    {
        return Ok(());
    }
    Err(Refusal::forbidden(format!(
        "{} may not change job `{}`: only its lead may",
        ctx.actor, job.slug
    ))
    .fix(Fix::AskOwner {
        owner: None,
        lead: job.lead.clone(),
    }))
}

pub fn edit(job: &mut Job, e: &JobEdit, now: Stamp) -> Result<Outcome, Refusal> {
    live(job)?;
    check_edit_shown(job, e)?;
    let mut changed = Vec::new();
    for ((name, value), target) in e.texts().into_iter().zip(job_texts(job)) {
        let Some(v) = value else { continue };
        let v = if name == "title" {
            required_text(name, v, MAX_NAME)?
        } else {
            optional_text(name, Some(v), MAX_LONG)?.unwrap_or_default()
        };
        if *target != v {
            *target = v;
            changed.push(name.to_string());
        }
    }
    if let Some(since) = e.since
        && set_since(job, since, now)?
    {
        changed.push("start".to_string());
    }
    if changed.is_empty() {
        return Ok(Outcome::unchanged(
            Command::JobEdit,
            format!("nothing changed on `{}`", job.slug),
        ));
    }
    job.rev += 1;
    Ok(Outcome::done(
        Command::JobEdit,
        format!("updated `{}`: {}", job.slug, changed.join(", ")),
    ))
}

/// Sets the day the job's history begins: a day that has come, no later than the day the job
/// was recorded (a later day would hide the weeks it lived through). Whether it changed.
pub fn set_since(job: &mut Job, since: Option<NaiveDate>, now: Stamp) -> Result<bool, Refusal> {
    let recorded = job.created_at.local_date();
    let since = match since {
        Some(d) if d > now.local_date() => {
            return Err(Refusal::invalid(format!(
                "{d} is in the future: a job's history begins on a day that has come"
            )));
        }
        Some(d) if d > recorded => {
            return Err(Refusal::invalid(format!(
                "`{}` was recorded on {recorded}: its history begins then or earlier, not on {d}",
                job.slug
            )));
        }
        // The day it was recorded is where its history begins anyway.
        Some(d) if d == recorded => None,
        other => other,
    };
    if job.since == since {
        return Ok(false);
    }
    job.since = since;
    Ok(true)
}

/// The first week of the job's history: the week of its start, of the day it was recorded, or of
/// its earliest dated record, whichever is earliest.
pub fn first_week(job: &Job, earliest_record: Option<NaiveDate>) -> Week {
    let recorded = job.created_at.local_date();
    let day = [Some(recorded), job.since, earliest_record]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(recorded);
    Week::of(day)
}

/// Where the job's history begins once its answers are counted: its first week
/// (`first_week`), or an earlier week whose compound test was answered. An answer keeps its own
/// week inside the history, so voiding the record that opened that week (a value or learning
/// `--at` an earlier day, entered by mistake) never leaves an answered week outside it; the week
/// stays open, as the answer shows it was. A later `--since` is still refused while it would drop
/// an answered week: that start says the job began later, which the answer contradicts.
pub fn history_start(
    job: &Job,
    earliest_record: Option<NaiveDate>,
    answered: impl IntoIterator<Item = Week>,
) -> Week {
    let first = first_week(job, earliest_record);
    answered.into_iter().min().map_or(first, |w| w.min(first))
}

/// Names the job's lead.
pub fn set_lead(job: &mut Job, lead: &str) -> Result<Outcome, Refusal> {
    live(job)?;
    let lead = person_name("lead", lead)?;
    if job.lead.as_deref() == Some(lead.as_str()) {
        return Ok(Outcome::unchanged(
            Command::JobLead,
            format!("{lead} already leads `{}`; nothing changed", job.slug),
        ));
    }
    job.lead = Some(lead.clone());
    job.rev += 1;
    Ok(Outcome::done(
        Command::JobLead,
        format!("{lead} now leads `{}`", job.slug),
    ))
}

/// Archiving hides a job from the board and the review; nothing is deleted.
pub fn set_archived(job: &mut Job, archived: bool, ctx: &Ctx) -> Outcome {
    let (command, verb) = if archived {
        (Command::JobArchive, "archived")
    } else {
        (Command::JobUnarchive, "unarchived")
    };
    if job.archived_at.is_some() == archived {
        return Outcome::unchanged(
            command,
            format!("`{}` is already {verb}; nothing changed", job.slug),
        );
    }
    job.archived_at = archived.then_some(ctx.now);
    job.rev += 1;
    Outcome::done(command, format!("{verb} `{}`", job.slug))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::time::Stamp;

    fn ctx() -> Ctx {
        Ctx::local("ana", Stamp::parse("2026-11-20T12:00:00Z").unwrap())
    }

    #[test]
    fn slugs_come_from_titles() {
        assert_eq!(slugify("Triage support tickets"), "triage-support-tickets");
        assert_eq!(slugify("  A/B -- test!! "), "a-b-test");
        assert_eq!(slugify("¿Qué?"), "que");
        assert_eq!(slugify("Straße Café"), "strasse-cafe");
        assert_eq!(slugify("日本"), "");
        let long = slugify(&"word ".repeat(40));
        assert!(long.len() <= MAX_SLUG && !long.ends_with('-'));
        assert!(validate_slug(&long).is_ok());
    }

    #[test]
    fn bad_slugs_are_refused() {
        for bad in ["", "Upper", "a--b", "-a", "a-", "a b", "ä"] {
            assert!(validate_slug(bad).is_err(), "{bad}");
        }
        assert!(validate_slug("support-triage-2").is_ok());
    }

    #[test]
    fn a_new_job_has_six_loops_in_order() {
        let nj = NewJob::create("Triage tickets", None, None, Some("Ana"), &ctx()).unwrap();
        assert_eq!(nj.job.slug, "triage-tickets");
        let kinds: Vec<_> = nj.loops.iter().map(|l| l.lp.kind).collect();
        assert_eq!(kinds, LoopKind::ALL);
        assert!(
            nj.loops
                .iter()
                .all(|l| l.lp.owner.as_deref() == Some("Ana"))
        );
        assert_eq!(nj.job.lead.as_deref(), Some("ana"));
        assert!(NewJob::create("日本", None, None, None, &ctx()).is_err());
        assert!(NewJob::create("  ", None, None, None, &ctx()).is_err());
    }

    #[test]
    fn edit_changes_only_given_fields() {
        let mut job = NewJob::create("T", None, None, None, &ctx()).unwrap().job;
        let e = JobEdit {
            canvas: CanvasEdit {
                workaround: Some("spreadsheet and email".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let out = edit(&mut job, &e, ctx().now).unwrap();
        assert!(out.changed);
        assert_eq!(job.canvas.workaround, "spreadsheet and email");
        assert!(!edit(&mut job, &e, ctx().now).unwrap().changed);
        set_archived(&mut job, true, &ctx());
        assert!(edit(&mut job, &JobEdit::default(), ctx().now).is_err());
    }
}
