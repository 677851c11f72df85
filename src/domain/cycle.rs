//! Review cycles (one ISO week) and the compound test that closes them.

use super::command::Command;
use super::error::{Fix, Refusal};
use super::kind::Layer;
use super::loop_record::{MAX_REASON, Outcome};
use super::model::{Ctx, Cycle, Job};
use super::text::optional_text;
use super::time::{Stamp, Week};

/// The lead's answers to the compound test: did each layer improve, and why. Every layer must be
/// answered: there is no default answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CompoundAnswers {
    pub understanding: Option<bool>,
    pub explanation: Option<bool>,
    pub creation: Option<bool>,
    pub distribution: Option<bool>,
    pub understanding_note: Option<String>,
    pub explanation_note: Option<String>,
    pub creation_note: Option<String>,
    pub distribution_note: Option<String>,
    pub note: Option<String>,
}

/// Closes `week` for `job` with its compound test. A week is closed once, never in the future,
/// and never before the job existed.
pub fn close_cycle(
    job: &Job,
    closed_weeks: &[Week],
    earliest_record: Option<chrono::NaiveDate>,
    week: Week,
    answers: &CompoundAnswers,
    ctx: &Ctx,
) -> Result<(Cycle, Outcome), Refusal> {
    super::job::live(job)?;
    check_week_closable(job, closed_weeks, earliest_record, week, ctx)?;
    check_all_answered(answers)?;
    let cycle = new_cycle(job, week, answers, ctx)?;
    let verdict = match cycle.broken_layer() {
        None => "all four layers improved: the job compounds".to_string(),
        Some(layer) => format!(
            "{} broke: the next job is the {} loop",
            layer.name(),
            layer.next_loop()
        ),
    };
    let outcome = Outcome::done(
        Command::CycleClose,
        format!("closed {week} for `{}`: {verdict}", job.slug),
    );
    Ok((cycle, outcome))
}

/// May `week` be closed? Not in the future, not before the job's history begins, not twice.
fn check_week_closable(
    job: &Job,
    closed_weeks: &[Week],
    earliest_record: Option<chrono::NaiveDate>,
    week: Week,
    ctx: &Ctx,
) -> Result<(), Refusal> {
    let current = Week::containing(ctx.now);
    if week > current {
        return Err(
            Refusal::invalid(format!("{week} has not started yet")).advice(format!(
                "close the current week ({current}) or an earlier one"
            )),
        );
    }
    let first = super::job::history_start(job, earliest_record, closed_weeks.iter().copied());
    if week < first {
        return Err(Refusal::rule(format!(
            "`{}`'s history begins in {first}: there is no cycle to close in {week}",
            job.slug
        ))
        .fix(Fix::Backdate {
            slug: job.slug.clone(),
            week,
        }));
    }
    if closed_weeks.contains(&week) {
        return Err(Refusal::rule(format!(
            "the cycle {week} of `{}` is already closed: its compound test cannot be answered twice",
            job.slug
        )));
    }
    Ok(())
}

/// Is every layer answered? The compound test has no default answer.
fn check_all_answered(answers: &CompoundAnswers) -> Result<(), Refusal> {
    let unanswered: Vec<&str> = Layer::ALL
        .into_iter()
        .zip([
            answers.understanding,
            answers.explanation,
            answers.creation,
            answers.distribution,
        ])
        .filter(|(_, a)| a.is_none())
        .map(|(l, _)| l.name())
        .collect();
    if !unanswered.is_empty() {
        return Err(Refusal::invalid(format!(
            "the compound test needs an answer for every layer; {} not answered",
            unanswered.join(", ")
        ))
        .advice(
            "answer yes or no for each of understanding, explanation, creation and distribution",
        ));
    }
    Ok(())
}

/// The cycle row the compound test closes, its notes checked.
fn new_cycle(
    job: &Job,
    week: Week,
    answers: &CompoundAnswers,
    ctx: &Ctx,
) -> Result<Cycle, Refusal> {
    let note = |field: &str, v: &Option<String>| {
        optional_text(field, v.as_deref(), MAX_REASON).map(Option::unwrap_or_default)
    };
    Ok(Cycle {
        id: ctx.new_id(),
        job_id: job.id.clone(),
        week: week.to_string(),
        understanding: answers.understanding == Some(true),
        explanation: answers.explanation == Some(true),
        creation: answers.creation == Some(true),
        distribution: answers.distribution == Some(true),
        understanding_note: note("understanding note", &answers.understanding_note)?,
        explanation_note: note("explanation note", &answers.explanation_note)?,
        creation_note: note("creation note", &answers.creation_note)?,
        distribution_note: note("distribution note", &answers.distribution_note)?,
        note: note("note", &answers.note)?,
        closed_at: ctx.now,
        closed_by: ctx.actor.clone(),
    })
}

/// Whether a job owes its compound test: `due` while the current week is open, `overdue` when
/// the previous week (which the job lived through) ended without one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CycleState {
    pub current: Week,
    pub due: bool,
    pub overdue: bool,
}

pub fn cycle_state(job_created: Stamp, last_closed: Option<Week>, now: Stamp) -> CycleState {
    let current = Week::containing(now);
    let previous = current.previous();
    let existed_last_week = Week::containing(job_created) <= previous;
    CycleState {
        current,
        due: last_closed.is_none_or(|w| w < current),
        overdue: existed_last_week && last_closed.is_none_or(|w| w < previous),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kind::LoopKind;
    use crate::domain::model::Canvas;

    fn ctx() -> Ctx {
        Ctx::local("ana", Stamp::parse("2026-11-20T12:00:00Z").unwrap())
    }

    fn job() -> Job {
        Job {
            id: crate::domain::id::Id::from_text("j"),
            slug: "triage".into(),
            title: "Triage".into(),
            statement: String::new(),
            canvas: Canvas::default(),
            created_at: Stamp::parse("2026-10-01T12:00:00Z").unwrap(),
            archived_at: None,
            rev: 1,
            lead: None,
            since: None,
        }
    }

    fn yes() -> CompoundAnswers {
        CompoundAnswers {
            understanding: Some(true),
            explanation: Some(true),
            creation: Some(true),
            distribution: Some(true),
            ..Default::default()
        }
    }

    #[test]
    fn all_four_improved_compounds() {
        let w = Week::parse("2026-W47").unwrap();
        let (c, out) = close_cycle(&job(), &[], None, w, &yes(), &ctx()).unwrap();
        assert_eq!(c.next_job(), None);
        assert!(out.summary.contains("compounds"));
    }

    #[test]
    fn the_first_broken_layer_names_the_next_job() {
        let w = Week::parse("2026-W47").unwrap();
        let a = CompoundAnswers {
            creation: Some(false),
            distribution: Some(false),
            ..yes()
        };
        let (c, out) = close_cycle(&job(), &[], None, w, &a, &ctx()).unwrap();
        assert_eq!(c.next_job(), Some(LoopKind::Redesign));
        assert!(out.summary.contains("creation broke"), "{}", out.summary);
    }

    #[test]
    fn every_layer_must_be_answered() {
        let w = Week::parse("2026-W47").unwrap();
        let a = CompoundAnswers {
            explanation: None,
            distribution: None,
            ..yes()
        };
        let err = close_cycle(&job(), &[], None, w, &a, &ctx()).unwrap_err();
        assert!(
            err.message
                .contains("explanation, distribution not answered"),
            "{err}"
        );
        assert!(close_cycle(&job(), &[], None, w, &CompoundAnswers::default(), &ctx()).is_err());
    }

    #[test]
    fn a_week_closes_once_and_not_in_the_future_or_before_the_job() {
        let w = Week::parse("2026-W47").unwrap();
        assert!(close_cycle(&job(), &[w], None, w, &yes(), &ctx()).is_err());
        let future = Week::parse("2026-W49").unwrap();
        assert!(close_cycle(&job(), &[], None, future, &yes(), &ctx()).is_err());
        let before = Week::parse("2026-W30").unwrap();
        assert!(close_cycle(&job(), &[], None, before, &yes(), &ctx()).is_err());
    }

    #[test]
    fn due_and_overdue() {
        let created = Stamp::parse("2026-10-01T12:00:00Z").unwrap();
        let now = ctx().now; // 2026-W47
        let s = cycle_state(created, None, now);
        assert!(s.due && s.overdue);
        let s = cycle_state(created, Some(Week::parse("2026-W46").unwrap()), now);
        assert!(s.due && !s.overdue);
        let s = cycle_state(created, Some(Week::parse("2026-W47").unwrap()), now);
        assert!(!s.due && !s.overdue);
        // A job created this week owes nothing for last week.
        let s = cycle_state(now, None, now);
        assert!(s.due && !s.overdue);
    }
}
