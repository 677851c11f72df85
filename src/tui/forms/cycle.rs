//! Close a week's cycle with the compound test: every layer must be answered (none is preset),
//! each with an optional note. Earlier weeks left open can be closed too.

use super::{Ask, Closed, Field, Form};
use crate::domain::cycle::CompoundAnswers;
use crate::domain::intent::Intent;
use crate::domain::kind::Layer;
use crate::domain::time::Week;

/// How many weeks back an open cycle can be closed from the TUI.
const WEEKS_BACK: usize = 12;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let d = ask
        .job
        .ok_or("the job is still loading; try again in a moment")?;
    let closed: Vec<&str> = d.cycles.iter().map(|c| c.week.as_str()).collect();
    let first = Week::containing(d.job.created_at);
    let mut week = Week::containing(ask.now);
    let mut open_weeks = Vec::new();
    while week >= first && open_weeks.len() < WEEKS_BACK {
        let w = week.to_string();
        if !closed.contains(&w.as_str()) {
            open_weeks.push(w);
        }
        if week == first {
            break;
        }
        week = week.previous();
    }
    if open_weeks.is_empty() {
        return Err(format!(
            "every cycle of {} since it was added is closed",
            d.job.slug
        ));
    }
    // An overdue week first: it is the test that was owed, not this week's.
    let owed = ask
        .job_review()
        .and_then(|j| j.cycle.overdue_week())
        .and_then(|w| open_weeks.iter().position(|o| *o == w.to_string()))
        .unwrap_or(0);
    let mut fields = vec![Field::choice("week", "week (←/→)", open_weeks, owed)];
    for l in Layer::ALL {
        // The question under its layer's name, where it has the whole width.
        fields.push(Field::answer(l.name(), l.name()).note(l.meaning()));
    }
    for l in Layer::ALL {
        fields.push(Field::text(
            note_name(l),
            &format!("{} note", l.name()),
            false,
        ));
    }
    fields.push(Field::text("note", "note", false));
    Ok(
        Form::new(format!("Compound test of {}", d.job.slug), fields, |f| {
            // Untrimmed: a week is typed in one form only, as on the command line.
            let typed = f.field("week").map(|w| w.value()).unwrap_or_default();
            let week = Week::parse(&typed).map_err(|e| e.message)?;
            let note = |l: Layer| f.optional(note_name(l));
            Ok(Intent::CloseCycle {
                slug: f.slug.clone().unwrap_or_default(),
                week: Some(week),
                answers: CompoundAnswers {
                    understanding: f.answer("understanding"),
                    explanation: f.answer("explanation"),
                    creation: f.answer("creation"),
                    distribution: f.answer("distribution"),
                    understanding_note: note(Layer::Understanding),
                    explanation_note: note(Layer::Explanation),
                    creation_note: note(Layer::Creation),
                    distribution_note: note(Layer::Distribution),
                    note: f.optional("note"),
                },
            })
        })
        .on(&d.job.slug, None)
        .intro(vec![
            "Did each layer improve in the week chosen? y/n for each; a broken layer names the next job."
                .into(),
        ])
        .focus_on("understanding"),
    )
}

fn note_name(l: Layer) -> &'static str {
    match l {
        Layer::Understanding => "understanding_note",
        Layer::Explanation => "explanation_note",
        Layer::Creation => "creation_note",
        Layer::Distribution => "distribution_note",
    }
}
