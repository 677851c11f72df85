//! Forms: one module per form declares its fields by name and the intent it submits. This module
//! is the machinery they share — text fields edited in a real text area (wide characters, paste,
//! Emacs keys), yes/no answers that start unanswered, choices — with validation in place and the
//! contents kept when the store refuses or is busy.

mod amend;
mod archive;
mod close_loop;
mod confirm;
mod cycle;
mod decide;
mod flow;
mod intervene;
mod job_add;
mod job_edit;
mod learn;
mod metric;
mod name;
mod notes;
mod owner;
mod proof_add;
mod proof_outcome;
mod rearm;
mod reopen;
mod retire;
mod sign_off;
mod signal;
mod step;
mod step_add;
mod target;
mod tool;
mod trip;
mod undo_step;
mod value;
mod void;
mod week;

mod field;
pub mod render;

pub use field::{Field, Input, Kind};

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keymap::{Action, Keymap};
use crate::domain::intent::Intent;
use crate::domain::review::{JobReview, LoopReview, Review};
use crate::domain::time::{Stamp, When, parse_when};
use crate::domain::{LoopKind, num};
use crate::store::{JobDetail, LoopDetail};

pub use confirm::confirm;
pub use name::{name_prompt, read as name_read};

/// What a form may look at when it opens: the review, and the loop's or job's records when they
/// are loaded.
pub struct Ask<'a> {
    pub review: &'a Review,
    pub slug: Option<&'a str>,
    pub kind: Option<LoopKind>,
    pub detail: Option<&'a LoopDetail>,
    pub job: Option<&'a JobDetail>,
    pub now: Stamp,
    pub keys: &'a Keymap,
    pub actor: &'a str,
    /// On the shared database (only a decision's owner signs it there).
    pub team: bool,
    /// The job is picked from the archived jobs (the archive key then brings it back).
    pub archived: bool,
}

impl Ask<'_> {
    pub fn job_review(&self) -> Option<&JobReview> {
        let slug = self.slug?;
        self.review.jobs.iter().find(|j| j.slug == slug)
    }

    pub fn loop_review(&self) -> Option<&LoopReview> {
        let kind = self.kind?;
        self.job_review()?.loops.iter().find(|l| l.kind == kind)
    }

    /// `slug/kind`, for titles.
    pub fn addr(&self) -> String {
        match (self.slug, self.kind) {
            (Some(s), Some(k)) => format!("{s}/{k}"),
            (Some(s), None) => s.to_string(),
            _ => String::new(),
        }
    }

    /// "press M" for an action.
    pub fn press(&self, a: Action) -> String {
        format!("press {}", self.keys.key_for(a))
    }

    fn slug(&self) -> String {
        self.slug.unwrap_or_default().to_string()
    }
}

/// Why a form cannot open, said at once (in TUI words).
pub type Closed = String;

/// Builds a form's intent from its fields (after they validated).
pub type Build = fn(&Form) -> Result<Intent, String>;

pub struct Form {
    pub title: String,
    /// Lines shown above the fields: context the lead needs to answer.
    pub intro: Vec<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// A refusal from the domain or the store, shown above the fields; the contents stay.
    pub error: Option<String>,
    pub build: Build,
    /// The job and loop the intent acts on, to reload them after.
    pub slug: Option<String>,
    pub kind: Option<LoopKind>,
    /// Set once anything was typed: leaving then asks first.
    pub dirty: bool,
    /// Asking whether to throw away what was typed.
    pub leaving: bool,
    /// For a form that does not record (the name prompt): what it is for.
    pub purpose: Purpose,
    /// An intent prepared before the form opened (undo): the form only confirms it.
    pub prepared: Option<Intent>,
    /// Fields that show the record a choice picks (a decision's owner, a proof's counts):
    /// refilled whenever that choice changes.
    pub fills: Option<Fills>,
    /// When the form was last submitted: relative dates (`today`, `-3d`) are read from it.
    pub submitted: Stamp,
    /// The week form: what each of its value fields records, in order.
    pub due: Vec<crate::domain::week_values::Due>,
    /// The primary metric the form shows: a value is recorded under it or refused.
    pub shown_metric: Option<crate::domain::model::MetricId>,
    /// The guardrails the form offers (its `of` choices after the first), in order.
    pub shown_guards: Vec<crate::domain::model::MetricId>,
    /// The records a choice's options stand for, in order (a flow step's whole id, and the
    /// critic's name where the option is a step's critic): the intent names the record picked,
    /// never its name again, so a step renamed meanwhile (and another given its old name) is
    /// not the one changed, removed or governed.
    pub picks: Option<(&'static str, Vec<(String, String)>)>,
}

/// For a choice field, the values other fields take for each of its options.
pub struct Fills {
    pub choice: &'static str,
    pub values: Vec<Vec<(&'static str, String)>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Intent,
    /// The person's name, asked once when the system gives none.
    Name,
    /// Overwrite the digest file.
    OverwriteDigest,
}

/// What a key did to a form.
#[derive(Debug, PartialEq, Eq)]
pub enum Event {
    Editing,
    Submit,
    Cancel,
}

impl Form {
    pub fn new(title: String, fields: Vec<Field>, build: Build) -> Form {
        let focus = fields
            .iter()
            .position(
                |f| !matches!(f.input, Input::Choice { ref options, .. } if options.len() <= 1),
            )
            .unwrap_or(0);
        Form {
            title,
            intro: Vec::new(),
            fields,
            focus,
            error: None,
            build,
            slug: None,
            kind: None,
            dirty: false,
            leaving: false,
            purpose: Purpose::Intent,
            prepared: None,
            fills: None,
            submitted: Stamp::EPOCH,
            due: Vec::new(),
            shown_metric: None,
            shown_guards: Vec::new(),
            picks: None,
        }
    }

    pub fn on(mut self, slug: &str, kind: Option<LoopKind>) -> Form {
        self.slug = Some(slug.to_string());
        self.kind = kind;
        self
    }

    /// Refills fields from `values` (one list per option of `choice`) when the choice changes,
    /// and now for the option chosen at first.
    pub fn fills(mut self, choice: &'static str, values: Vec<Vec<(&'static str, String)>>) -> Form {
        self.fills = Some(Fills { choice, values });
        self.refill();
        self
    }

    fn refill(&mut self) {
        let Some(fills) = &self.fills else {
            return;
        };
        let chosen = self.choice(fills.choice);
        let Some(values) = fills.values.get(chosen) else {
            return;
        };
        for (name, value) in values.clone() {
            if let Some(f) = self.fields.iter_mut().find(|f| f.name == name) {
                f.set(&value);
            }
        }
    }

    /// The guardrails the form offers, in the order of its `of` choices.
    pub fn offering(mut self, guards: Vec<crate::domain::model::MetricId>) -> Form {
        self.shown_guards = guards;
        self
    }

    /// The records the options of choice field `field` stand for (see `picks`).
    pub fn picking(mut self, field: &'static str, records: Vec<(String, String)>) -> Form {
        self.picks = Some((field, records));
        self
    }

    /// The record picked in choice field `field`: its id and detail, when the form has them.
    pub fn picked(&self, field: &str) -> Option<&(String, String)> {
        let (name, records) = self.picks.as_ref().filter(|(n, _)| *n == field)?;
        records.get(self.choice(name))
    }

    /// The primary metric the form shows (see `LoopOp::RecordValue`).
    pub fn showing(mut self, metric: crate::domain::model::MetricId) -> Form {
        self.shown_metric = Some(metric);
        self
    }

    pub fn intro(mut self, lines: Vec<String>) -> Form {
        self.intro = lines;
        self
    }

    pub fn focus_on(mut self, name: &str) -> Form {
        if let Some(i) = self.fields.iter().position(|f| f.name == name) {
            self.focus = i;
        }
        self
    }

    fn field(&self, name: &str) -> Option<&Field> {
        let f = self.fields.iter().find(|f| f.name == name);
        debug_assert!(f.is_some(), "no field `{name}` in form {}", self.title);
        f
    }

    /// A text field's value, trimmed.
    pub fn text(&self, name: &str) -> String {
        self.field(name)
            .map(|f| f.value().trim().to_string())
            .unwrap_or_default()
    }

    /// The field's text when the user changed it from what it was filled with, else `None`: an
    /// edit form writes only what was changed, so a teammate's change to another field made
    /// while it was open is kept, not written back over.
    pub fn changed(&self, name: &str) -> Option<String> {
        let f = self.fields.iter().find(|f| f.name == name)?;
        let now = self.text(name);
        (f.prefilled.as_deref().map(str::trim) != Some(now.as_str())).then_some(now)
    }

    /// What the field showed when the form opened (its prefill): the domain refuses the write
    /// when the record no longer says that, so a form never writes over a teammate's change.
    pub fn shown(&self, name: &str) -> Option<String> {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| f.prefilled.clone())
    }

    pub fn optional(&self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|s| !s.is_empty())
    }

    /// The guardrail a value is of: the `of` field's choice past the first (the primary
    /// metric); the form has the field only when the loop has guardrails.
    /// The metric the value is typed against: the guardrail chosen, else the primary one.
    pub fn shown_for_value(&self) -> Option<crate::domain::model::MetricId> {
        let chosen = self
            .fields
            .iter()
            .find(|f| f.name == "of")
            .and_then(|f| match &f.input {
                Input::Choice { chosen, .. } if *chosen > 0 => Some(*chosen),
                _ => None,
            });
        match chosen {
            Some(i) => self.shown_guards.get(i - 1).cloned(),
            None => self.shown_metric.clone(),
        }
    }

    pub fn guard(&self) -> Option<String> {
        let f = self.fields.iter().find(|f| f.name == "of")?;
        match &f.input {
            Input::Choice { options, chosen } if *chosen > 0 => options.get(*chosen).cloned(),
            _ => None,
        }
    }

    /// The reason for a change to a locked plan: the form has the field only when the plan is
    /// locked (`plan_reason`).
    pub fn reason(&self) -> Option<String> {
        self.fields
            .iter()
            .find(|f| f.name == "reason")
            .map(|f| f.value().trim().to_string())
            .filter(|s| !s.is_empty())
    }

    /// A yes/no answer; `None` when unanswered or when the form has no such field.
    pub fn answer(&self, name: &str) -> Option<bool> {
        match self
            .fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| &f.input)
        {
            Some(Input::Answer(a)) => *a,
            _ => None,
        }
    }

    pub fn choice(&self, name: &str) -> usize {
        match self.field(name).map(|f| &f.input) {
            Some(Input::Choice { chosen, .. }) => *chosen,
            _ => 0,
        }
    }

    pub fn number(&self, name: &str) -> Result<f64, String> {
        num::parse(&self.text(name)).map_err(|e| e.message)
    }

    pub fn count(&self, name: &str) -> i64 {
        self.text(name).parse::<i64>().unwrap_or(0)
    }

    /// The date typed in `name`, read at the time the form was submitted.
    pub fn date(&self, name: &str) -> Result<When, String> {
        // Untrimmed, as `validate` checks it: one typed form of a date everywhere.
        let raw = self.field(name).map(|f| f.value()).unwrap_or_default();
        parse_when(&raw, self.submitted).map_err(|e| e.message)
    }

    /// Whether the focused field edits multi-line text (then Enter is a new line).
    pub fn in_lines(&self) -> bool {
        matches!(
            self.fields.get(self.focus).map(|f| &f.input),
            Some(Input::Lines(..))
        )
    }

    pub fn key(&mut self, e: &KeyEvent) -> Event {
        let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
        if self.leaving {
            return match e.code {
                KeyCode::Char('y' | 'Y') => Event::Cancel,
                _ => {
                    self.leaving = false;
                    Event::Editing
                }
            };
        }
        match e.code {
            KeyCode::Esc if self.dirty => {
                self.leaving = true;
                return Event::Editing;
            }
            KeyCode::Esc => return Event::Cancel,
            KeyCode::Char('s') if ctrl => return Event::Submit,
            KeyCode::Enter if !self.in_lines() => return Event::Submit,
            KeyCode::Tab => self.focus = (self.focus + 1) % self.fields.len().max(1),
            KeyCode::BackTab => {
                self.focus = (self.focus + self.fields.len().max(1) - 1) % self.fields.len().max(1)
            }
            KeyCode::Down if !self.in_lines() => {
                self.focus = (self.focus + 1) % self.fields.len().max(1)
            }
            KeyCode::Up if !self.in_lines() => {
                self.focus = (self.focus + self.fields.len().max(1) - 1) % self.fields.len().max(1)
            }
            _ => {
                let refills = self.fills.as_ref().is_some_and(|x| {
                    self.fields
                        .get(self.focus)
                        .is_some_and(|f| f.name == x.choice)
                });
                if let Some(f) = self.fields.get_mut(self.focus) {
                    f.key(e);
                    self.dirty = true;
                }
                if refills {
                    self.refill();
                }
            }
        }
        Event::Editing
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(f) = self.fields.get_mut(self.focus)
            && f.is_text()
        {
            f.insert(text);
            self.dirty = true;
        }
    }

    /// Checks every field; on failure focuses the first bad one.
    pub fn validate(&mut self, now: Stamp) -> bool {
        let mut first_bad = None;
        for (i, f) in self.fields.iter_mut().enumerate() {
            if !f.validate(now) && first_bad.is_none() {
                first_bad = Some(i);
            }
        }
        match first_bad {
            Some(i) => {
                self.focus = i;
                // The field named, for a form with many alike (the week form's values).
                let f = &self.fields[i];
                let why = f.error.clone().unwrap_or_default();
                self.error = Some(if why.starts_with(f.label.as_str()) {
                    format!("{why} — fix it; nothing was saved")
                } else {
                    format!("{}: {why} — fix it; nothing was saved", f.label)
                });
                false
            }
            None => true,
        }
    }

    /// A refusal from the store, shown above the fields; the field it names (`label: why`) is
    /// focused and marked, so the lead lands where the fix is.
    pub fn refused(&mut self, text: String) {
        let names = |label: &str| {
            !label.is_empty()
                && text
                    .strip_prefix(label)
                    .is_some_and(|rest| rest.starts_with(':'))
        };
        // The week form's refusals name a value by its job, loop and metric.
        let value_fields = self
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name == "value")
            .map(|(i, _)| i);
        let by_due = value_fields
            .zip(&self.due)
            .find(|(_, d)| names(&d.label()))
            .map(|(i, _)| i);
        if let Some(i) = by_due.or_else(|| self.fields.iter().position(|f| names(&f.label))) {
            self.focus = i;
            self.fields[i].error = Some(text.clone());
        }
        self.error = Some(text);
    }

    /// The intent, when every field is valid.
    pub fn submit(&mut self, now: Stamp) -> Option<Intent> {
        if !self.validate(now) {
            return None;
        }
        self.submitted = now;
        match (self.build)(self) {
            Ok(intent) => Some(intent),
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }
}

/// The intent of a loop form: `op` on the form's loop.
/// When the loop's plan is locked, a reason field for a change to it (recorded as a deviation)
/// and a line that says so.
pub fn plan_reason(
    l: &crate::domain::review::LoopReview,
    fields: &mut Vec<Field>,
    intro: &mut Vec<String>,
) {
    if let Some(at) = l.locked_on {
        intro.push(format!(
            "The plan was locked by the intervention of {at}: this change is recorded as a deviation, with its reason; the verdict stays the locked plan's."
        ));
        fields.push(Field::text("reason", "why (deviation)", false));
    }
}

pub fn on_loop(f: &Form, op: crate::domain::intent::LoopOp) -> Result<Intent, String> {
    match (&f.slug, f.kind) {
        (Some(slug), Some(kind)) => Ok(Intent::OnLoop {
            slug: slug.clone(),
            kind,
            op,
        }),
        _ => Err("this form has lost its loop; close it and try again".into()),
    }
}

/// Opens the form of `action` on the target of `ask`, or says why it cannot open.
pub fn open(action: Action, ask: &Ask) -> Option<Result<Form, Closed>> {
    use Action::*;
    Some(match action {
        AddJob => Ok(job_add::open(ask)),
        EditJob => job_edit::open(ask),
        Archive => archive::open(ask),
        CloseCycle => cycle::open(ask),
        Tool => tool::open(ask),
        FlowAdd => flow::add(ask),
        FlowSet => flow::set(ask),
        FlowVoid => flow::void(ask),
        FlowDrop => flow::drop(ask),
        Govern => flow::govern(ask),
        CriticResult => flow::critic_result(ask),
        Incident => flow::incident(ask),
        AddProof => proof_add::open(ask),
        TrackProof => proof_outcome::open(ask),
        Owner => owner::open(ask),
        Metric => metric::open(ask),
        Target => target::open(ask),
        Baseline => value::open(ask, crate::domain::model::Phase::Baseline),
        Measure => value::open(ask, crate::domain::model::Phase::Live),
        Intervene => intervene::open(ask),
        Trip => trip::open(ask, false),
        TripSuggested => trip::open(ask, true),
        AddSignal => signal::open(ask),
        Rearm => rearm::open(ask),
        Retire => retire::open(ask, true),
        Continue => retire::open(ask, false),
        Decide => decide::open(ask),
        SignOff => sign_off::open(ask),
        Amend => amend::open(ask),
        Step => step::open(ask),
        UndoStep => undo_step::open(ask),
        AddStep => step_add::open(ask),
        Notes => notes::open(ask),
        Learn => learn::open(ask),
        Void => void::open(ask),
        CloseLoop => close_loop::open(ask),
        Reopen => reopen::open(ask),
        WeekValues => week::open(ask, false),
        WeekValuesAll => week::open(ask, true),
        // Listed, not `_`: a new action must be given a form or placed here on purpose.
        Quit | Help | Back | Open | Left | Right | Up | Down | PageUp | PageDown | Filter
        | FlagFilter | Review | Log | Archived | Message | Digest | Undo | Check | Demo
        | JobView => {
            return None;
        }
    })
}

/// Whether `action` needs the loop's records (not only the review) to open its form.
pub fn needs_detail(action: Action) -> bool {
    matches!(
        action,
        Action::Void
            | Action::SignOff
            | Action::Amend
            | Action::Step
            | Action::UndoStep
            | Action::Notes
    )
}

/// Whether `action` needs the job's records to open its form.
pub fn needs_job(action: Action) -> bool {
    matches!(
        action,
        Action::EditJob | Action::CloseCycle | Action::TrackProof
    )
}
