//! What the app does with each answer from the store.

use super::App;
use crate::domain::Refusal;
use crate::domain::intent::Intent;
use crate::domain::model::AuditEvent;
use crate::files::FileError;
use crate::store::{self, JobDetail, LoopDetail};
use crate::tui::forms::{self, Purpose};
use crate::tui::remedy;
use crate::tui::views::{Shared, View};
use crate::tui::worker::{DigestError, Loaded, Response};

/// How long a board that could not be read (busy, connection lost) waits before it is read
/// again; each attempt also waits out the lock timeout.
const RETRY: std::time::Duration = std::time::Duration::from_secs(1);

impl App {
    pub(super) fn error_words(&self, e: &store::Error) -> String {
        match (e.bare(), e.next()) {
            (store::Error::Refused(r), _) => remedy::refusal(r, &self.keymap),
            // Enter adds a line in a text area: Ctrl-s saves in every form.
            (store::Error::Busy(m), _) => {
                format!("{m} — your entries are kept; press Ctrl-s to retry")
            }
            (bare, Some(next)) => format!("{bare}: {}", remedy::store_next(next)),
            (bare, None) => bare.to_string(),
        }
    }

    pub fn on_response(&mut self, r: Response) {
        self.answer(r);
        // Keys that waited for this answer go on now.
        self.replay_early();
    }

    fn answer(&mut self, r: Response) {
        match r {
            // A first screenful never replaces a whole board (a reload that overtook it).
            Response::Board(Ok(l)) if !l.complete && self.board_complete() => {}
            Response::Board(Ok(l)) => self.board_loaded(l),
            Response::Detail(Ok(d)) => self.detail_loaded(*d),
            Response::Job(Ok(j)) => self.job_loaded(*j),
            Response::Archived(Ok(jobs)) => {
                if let Some(a) = self.views.iter_mut().rev().find_map(|v| match v {
                    View::Archived(a) => Some(a),
                    _ => None,
                }) {
                    a.set(jobs);
                }
            }
            Response::Log(Ok(events)) => {
                // The log may have been covered by another screen while it loaded.
                if let Some(l) = self.views.iter_mut().rev().find_map(|v| match v {
                    View::Log(l) => Some(l),
                    _ => None,
                }) {
                    l.events = Some(events);
                }
            }
            Response::Board(Err(e)) if !self.board_complete() => self.board_unreadable(e),
            Response::Board(Err(e))
            | Response::Detail(Err(e))
            | Response::Job(Err(e))
            | Response::Log(Err(e))
            | Response::Archived(Err(e)) => {
                self.waiting = None;
                let text = self.error_words(&e);
                self.say(text, true);
            }
            Response::Applied { intent, result } => self.applied(intent, result),
            Response::Checked(Ok(fired)) => self.checked(fired),
            Response::QuickChecked(Ok(rows)) => self.quick_checked(&rows),
            Response::Checked(Err(e)) | Response::QuickChecked(Err(e)) | Response::Demo(Err(e)) => {
                let text = self.error_words(&e);
                self.say(text, true);
            }
            Response::Digest(Ok(path)) => {
                self.say(format!("wrote the digest to {}", path.display()), false)
            }
            Response::Digest(Err(DigestError::File(FileError::Exists(p)))) => {
                self.digest_exists(&p)
            }
            Response::Digest(Err(e)) => self.say(format!("the digest was not written: {e}"), true),
            Response::UndoPlan(Ok(Some(plan))) => self.undo_plan(*plan),
            Response::UndoPlan(Ok(None)) => {
                self.say("you have recorded nothing yet: nothing to undo", false)
            }
            Response::UndoPlan(Err(e)) => {
                let text = self.error_words(&e);
                self.say(text, true);
            }
            Response::Demo(Ok(ack)) => {
                self.say(ack.summary, false);
                self.refresh();
            }
            Response::Changed => self.refresh(),
            Response::Hooked(failures) => self.hooked(&failures),
        }
    }

    /// A board read: the walk and the board follow it, the cursor stays on its job (or goes
    /// to the job just added).
    fn board_loaded(&mut self, l: Loaded) {
        if l.complete
            && let Some(View::Walk(w)) = self.views.last_mut()
        {
            w.refresh(&l.review);
        }
        let added = self.jobs_before_add.take().and_then(|before| {
            l.review
                .jobs
                .iter()
                .find(|j| !before.contains(&j.slug))
                .map(|j| j.slug.clone())
        });
        // The cursor stays on its job when jobs above it come or go (another process
        // archived one): it follows the job, not the row.
        let was_on = match self.views.first() {
            Some(View::Board(b)) => b.target(&self.shared()).0,
            _ => None,
        };
        let s = Shared {
            theme: &self.theme,
            keys: &self.keymap,
            review: Some(&l.review),
            now: self.clock.now(),
        };
        if let Some(View::Board(b)) = self.views.first_mut() {
            match (added, was_on) {
                (Some(slug), _) => b.select(&s, &slug),
                (None, Some(slug)) => b.follow(&s, &slug),
                (None, None) => b.clamp(&s),
            }
        }
        let complete = l.complete;
        self.loaded = Some(l);
        if complete {
            self.retry_board = None;
            self.board_failed = false;
        }
    }

    /// A board that could not be read while no whole board is shown.
    fn board_unreadable(&mut self, e: store::Error) {
        // Without a whole board the screen cannot go on: a busy file or a lost
        // connection is tried again by itself, each second.
        let why = match e {
            store::Error::Busy(_) => Some("another program holds the database's lock"),
            store::Error::Lost(_) => Some("the connection to the shared database was lost"),
            _ => None,
        };
        if let Some(why) = why {
            self.retry_board = Some(self.clock.instant() + RETRY);
            self.say(
                format!("cannot read the board yet ({why}); reading it again shortly"),
                true,
            );
        } else {
            let text = self.error_words(&e);
            self.say(text, true);
            self.board_failed = true;
        }
    }

    /// What `check` fired, or that nothing did when the person asked.
    fn checked(&mut self, fired: Vec<String>) {
        let asked = std::mem::take(&mut self.check_asked);
        if !fired.is_empty() {
            self.say(fired.join(" · "), true);
            self.refresh();
        } else if asked {
            self.say(
                "no kill rule fired: every rule holds, or cannot judge yet (the loop detail says which)",
                false,
            );
        }
    }

    /// A loop's detail read: every screen of that loop shows it.
    fn detail_loaded(&mut self, d: LoopDetail) {
        for v in self.views.iter_mut() {
            if let View::Detail(x) = v
                && x.slug == d.record.job.slug
                && x.kind == d.record.lp.kind
            {
                x.data = Some(d.clone());
            }
        }
        self.detail = Some(d);
        self.resume_waiting();
    }

    /// A job's view read: every screen of that job shows it.
    fn job_loaded(&mut self, j: JobDetail) {
        for v in self.views.iter_mut() {
            if let View::Job(x) = v
                && x.slug == j.job.slug
            {
                x.data = Some(j.clone());
            }
        }
        self.job = Some(j);
        self.resume_waiting();
    }

    /// SQLite's quick check: said only when the file is damaged.
    fn quick_checked(&mut self, rows: &[String]) {
        if rows != ["ok"] {
            self.say(
                format!(
                    "the database file is damaged ({}): run `jobloop doctor`",
                    rows.join("; ")
                ),
                true,
            );
        }
    }

    /// A digest file already there: ask before replacing it.
    fn digest_exists(&mut self, p: &std::path::Path) {
        let mut f = forms::confirm(
            "Replace the digest?".into(),
            vec![format!("{} already exists.", p.display())],
            |_| Err("not an intent".into()),
        );
        f.purpose = Purpose::OverwriteDigest;
        self.form = Some(f);
    }

    /// Hooks that failed after a write that was recorded.
    fn hooked(&mut self, failures: &[String]) {
        if !failures.is_empty() {
            self.say(
                format!("the write was recorded, but {}", failures.join(" · ")),
                true,
            );
        }
    }

    /// Asks before undoing the person's last command, or says why it cannot be undone.
    pub(super) fn undo_plan(&mut self, plan: (AuditEvent, Result<Intent, Refusal>)) {
        match plan {
            (event, Ok(intent)) => {
                let mut f = forms::confirm(
                    "Undo your last command?".into(),
                    vec![
                        format!(
                            "{} ({})",
                            event.summary.replace('\n', " "),
                            event.at.local_minute()
                        ),
                        "It is taken back by a new record; the history keeps both.".into(),
                    ],
                    |f| {
                        f.prepared
                            .clone()
                            .ok_or_else(|| "nothing to undo".to_string())
                    },
                );
                f.prepared = Some(intent);
                self.form = Some(f);
            }
            (event, Err(refusal)) => {
                let text = format!(
                    "your last command ({}): {}",
                    event.summary.replace('\n', " "),
                    remedy::refusal(&refusal, &self.keymap)
                );
                self.say(text, true);
            }
        }
    }

    pub(super) fn resume_waiting(&mut self) {
        if let Some(w) = self.waiting.take() {
            let (slug, kind) = self.target();
            if slug.as_deref() == Some(w.slug.as_str()) && (kind == w.kind || w.kind.is_none()) {
                self.open_form(w.action);
            }
        }
    }

    pub(super) fn applied(
        &mut self,
        intent: Box<Intent>,
        result: Result<store::Ack, store::Error>,
    ) {
        self.in_flight = false;
        match result {
            Ok(ack) => {
                self.form = None;
                let mut text = ack.summary.replace('\n', " · ");
                if let Some(next) = &ack.next {
                    text.push_str(&format!(" — next: {}", remedy::words(next, &self.keymap)));
                }
                self.say(text, false);
                if let Intent::AddJob { .. } = *intent {
                    // The cursor goes to the new job, on its understand loop.
                    self.jobs_before_add = Some(
                        self.loaded
                            .iter()
                            .flat_map(|l| l.review.jobs.iter().map(|j| j.slug.clone()))
                            .collect(),
                    );
                }
                self.refresh();
            }
            Err(e) => {
                let text = self.error_words(&e);
                match self.form.as_mut() {
                    Some(f) => f.refused(text),
                    None => self.say(text, true),
                }
                // What was typed after a refused save was meant for the screen after it: the
                // refusal is read first.
                self.early.clear();
            }
        }
    }
}
