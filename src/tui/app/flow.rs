//! Opening a form on the current target (after loading the records it needs) and submitting it.

use super::{App, Waiting};
use crate::domain::Ctx;
use crate::tui::forms::{self, Ask, Purpose};
use crate::tui::keymap::{Action, Scope};
use crate::tui::worker::Request;

impl App {
    pub(super) fn ask_name(&mut self, then: Option<Action>) {
        self.after_name = then;
        self.form = Some(forms::name_prompt());
    }

    /// Opens the form of a loop or job action on the current target.
    pub(super) fn open_form(&mut self, action: Action) {
        if self.actor.is_none() {
            return self.ask_name(Some(action));
        }
        let (slug, kind) = if action == Action::AddJob {
            (None, None)
        } else {
            self.target()
        };
        // The week's values of the job under the cursor; with none there, of every job.
        let action = match (action, &slug) {
            (Action::WeekValues, None) => Action::WeekValuesAll,
            _ => action,
        };
        if !matches!(action, Action::AddJob | Action::WeekValuesAll) {
            let Some(slug) = slug.clone() else {
                return self.say(
                    format!(
                        "no job here: press {} to add one",
                        self.keymap.key_for(Action::AddJob)
                    ),
                    true,
                );
            };
            if action.scope() == Scope::Loop && kind.is_none() {
                return self.say("choose a loop first: this key acts on one loop", true);
            }
            let have_detail = self
                .detail
                .as_ref()
                .is_some_and(|d| d.record.job.slug == slug && Some(d.record.lp.kind) == kind);
            let have_job = self.job.as_ref().is_some_and(|j| j.job.slug == slug);
            if forms::needs_detail(action) && !have_detail {
                self.waiting = Some(Waiting {
                    action,
                    slug: slug.clone(),
                    kind,
                });
                if let Some(kind) = kind {
                    self.send(Request::Detail { slug, kind });
                }
                return;
            }
            if forms::needs_job(action) && !have_job {
                self.waiting = Some(Waiting {
                    action,
                    slug: slug.clone(),
                    kind,
                });
                self.send(Request::Job { slug });
                return;
            }
        }
        let Some(loaded) = &self.loaded else {
            return self.say("still loading; try again in a moment", false);
        };
        let actor = self.actor.clone().unwrap_or_default();
        let ask = Ask {
            review: &loaded.review,
            slug: slug.as_deref(),
            kind,
            detail: self.detail.as_ref(),
            job: self.job.as_ref(),
            now: self.clock.now(),
            keys: &self.keymap,
            actor: &actor,
            team: self.team,
            archived: matches!(self.top(), crate::tui::views::View::Archived(_)),
        };
        match forms::open(action, &ask) {
            Some(Ok(form)) => self.form = Some(form),
            Some(Err(why)) => self.say(why, true),
            None => {}
        }
    }

    pub(super) fn submit(&mut self) {
        if self.in_flight {
            return;
        }
        let Some(form) = self.form.as_mut() else {
            return;
        };
        let now = self.clock.now();
        match form.purpose {
            Purpose::Name => {
                if !form.validate(now) {
                    return;
                }
                match forms::name_read(form) {
                    Ok(name) => {
                        self.actor = Some(name);
                        self.form = None;
                        if let Some(a) = self.after_name.take() {
                            self.act(a);
                        }
                    }
                    Err(e) => form.error = Some(e),
                }
            }
            Purpose::OverwriteDigest => {
                self.form = None;
                self.digest(true);
            }
            Purpose::Intent => {
                let Some(intent) = form.submit(now) else {
                    return;
                };
                let ctx = Ctx {
                    team: self.team,
                    ..Ctx::local(self.actor.clone().unwrap_or_default(), now)
                };
                self.in_flight = true;
                self.send(Request::Apply {
                    ctx,
                    intent: Box::new(intent),
                });
            }
        }
    }
}
