//! The TUI's state and how events change it. Every change goes through the same store intents
//! as the CLI; the review is recomputed once per change, never per frame.

use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;

use super::config::Theme;
use super::form::{Field, Form, FormEvent, Purpose};
use super::keymap::{Action, Keymap};
use crate::domain::cycle::CompoundAnswers;
use crate::domain::job::{CanvasEdit, JobEdit};
use crate::domain::model::{AuditEvent, Better, Measures, Phase};
use crate::domain::review::{self, Flag, JobReview, LoopReview, Review};
use crate::domain::{Ctx, LoopKind, Stamp};
use crate::store::{self, Access, LoopDetail, Store};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    Board,
    Detail,
    Review,
    Log,
    Help,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// One stop of the weekly review walk.
#[derive(Clone, Debug, PartialEq)]
pub enum WalkItem {
    /// A loop that needs the lead, with the flags it had when the walk started.
    Loop {
        slug: String,
        kind: LoopKind,
        flags: Vec<Flag>,
    },
    /// A job whose compound test is due.
    Compound { slug: String },
}

pub struct App {
    store: Store,
    actor: String,
    pub keymap: Keymap,
    pub theme: Theme,
    pub now: Stamp,
    pub review: Review,
    pub empty_db: bool,
    pub read_only: bool,
    pub screen: Screen,
    /// Where `Esc` returns from help.
    pub behind_help: Screen,
    pub cursor_job: usize,
    pub cursor_kind: usize,
    pub filter: String,
    pub filtering: bool,
    pub log_filter: String,
    pub log: Vec<AuditEvent>,
    pub log_scroll: usize,
    pub help_scroll: u16,
    pub detail: Option<LoopDetail>,
    pub walk: Vec<WalkItem>,
    pub walk_pos: usize,
    pub form: Option<Form>,
    pub message: Option<Message>,
    pub quit: bool,
    /// Where `write_digest` puts its file: the folder jobloop was started in.
    pub digest_dir: std::path::PathBuf,
}

/// How many audit events the log screen holds in memory.
const LOG_LIMIT: usize = 2000;

impl App {
    pub fn new(
        mut store: Store,
        actor: String,
        keymap: Keymap,
        theme: Theme,
    ) -> store::Result<App> {
        let read_only = store.access() == Access::ReadOnly;
        // A write blocked by another process gives up after about two seconds; the form keeps
        // its contents and says so, and Enter retries.
        store.set_patience(std::time::Duration::from_millis(1000), 1)?;
        let mut app = App {
            store,
            actor,
            keymap,
            theme,
            now: Stamp::now(),
            review: review::build(&Default::default(), Stamp::now()),
            empty_db: true,
            read_only,
            screen: Screen::Board,
            behind_help: Screen::Board,
            cursor_job: 0,
            cursor_kind: 0,
            filter: String::new(),
            filtering: false,
            log_filter: String::new(),
            log: Vec::new(),
            log_scroll: 0,
            help_scroll: 0,
            detail: None,
            walk: Vec::new(),
            walk_pos: 0,
            form: None,
            message: None,
            quit: false,
            digest_dir: std::env::current_dir().unwrap_or_default(),
        };
        app.refresh()?;
        if read_only {
            app.message = Some(Message {
                text: "read-only database: you can look, not record".into(),
                error: true,
            });
        }
        Ok(app)
    }

    /// What the TUI checks when it opens, run after the first frame so the board shows at once:
    /// SQLite's quick check, then the kill rules that time broke while jobloop was closed.
    pub fn startup(&mut self) -> store::Result<()> {
        let check = self.store.integrity(true)?;
        if check != ["ok"] {
            self.say(
                format!(
                    "the database file is damaged ({}): run `jobloop doctor`",
                    check.join("; ")
                ),
                true,
            );
            return Ok(());
        }
        if self.read_only {
            return Ok(());
        }
        let fired = self.store.check_rules(Stamp::now())?;
        if !fired.is_empty() {
            self.say(fired.join(" · "), true);
            self.refresh()?;
        }
        Ok(())
    }

    /// Recomputes the review (and the open detail) after a change: one snapshot per change.
    pub fn refresh(&mut self) -> store::Result<()> {
        self.now = Stamp::now();
        let snapshot = self.store.snapshot()?;
        self.review = review::build(&snapshot, self.now);
        self.empty_db = self.review.jobs.is_empty() && self.store.is_empty()?;
        let visible = self.visible_jobs().len();
        self.cursor_job = self.cursor_job.min(visible.saturating_sub(1));
        if let Some(d) = &self.detail {
            let (slug, kind) = (d.record.job.slug.clone(), d.record.lp.kind);
            self.detail = self.store.loop_detail(&slug, kind, 8).ok();
        }
        if self.screen == Screen::Log {
            self.log = self.store.log(None, None, LOG_LIMIT)?;
        }
        Ok(())
    }

    /// The jobs on the board, after the filter.
    pub fn visible_jobs(&self) -> Vec<&JobReview> {
        let needle = self.filter.to_lowercase();
        self.review
            .jobs
            .iter()
            .filter(|j| {
                needle.is_empty()
                    || j.slug.to_lowercase().contains(&needle)
                    || j.title.to_lowercase().contains(&needle)
            })
            .collect()
    }

    /// The loop the loop-action keys act on: the detail's, the walk item's, or the board cell's.
    pub fn target(&self) -> Option<(String, LoopKind)> {
        match self.screen {
            Screen::Detail => self
                .detail
                .as_ref()
                .map(|d| (d.record.job.slug.clone(), d.record.lp.kind)),
            Screen::Review => match self.walk.get(self.walk_pos) {
                Some(WalkItem::Loop { slug, kind, .. }) => Some((slug.clone(), *kind)),
                _ => None,
            },
            _ => self
                .visible_jobs()
                .get(self.cursor_job)
                .map(|j| (j.slug.clone(), LoopKind::ALL[self.cursor_kind])),
        }
    }

    pub fn loop_review(&self, slug: &str, kind: LoopKind) -> Option<&LoopReview> {
        self.review
            .jobs
            .iter()
            .find(|j| j.slug == slug)
            .and_then(|j| j.loops.iter().find(|l| l.kind == kind))
    }

    fn say(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some(Message {
            text: text.into(),
            error,
        });
    }

    pub fn handle(&mut self, event: Event, board_area: Rect) {
        match event {
            Event::Key(k) if k.kind == KeyEventKind::Press => self.key(k),
            Event::Mouse(m) => self.mouse(m, board_area),
            Event::Paste(text) => {
                if let Some(f) = self.form.as_mut() {
                    f.paste(&text);
                } else if self.filtering {
                    self.type_filter(&text);
                }
            }
            _ => {}
        }
    }

    fn key(&mut self, k: KeyEvent) {
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        if let Some(form) = self.form.as_mut() {
            match form.key(&k) {
                FormEvent::Editing => {}
                FormEvent::Cancel => self.form = None,
                FormEvent::Submit => self.submit(),
            }
            return;
        }
        if self.filtering {
            match k.code {
                KeyCode::Enter => self.filtering = false,
                KeyCode::Esc => {
                    self.filtering = false;
                    self.filter_text().clear();
                }
                KeyCode::Backspace => {
                    self.filter_text().pop();
                }
                KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                    self.type_filter(&c.to_string());
                }
                _ => {}
            }
            self.cursor_job = 0;
            self.log_scroll = 0;
            return;
        }
        self.message = None;
        if let Some(action) = self.keymap.action(&k) {
            self.act(action);
        } else if self.screen == Screen::Log {
            match k.code {
                KeyCode::PageDown => self.log_scroll += 10,
                KeyCode::PageUp => self.log_scroll = self.log_scroll.saturating_sub(10),
                _ => {}
            }
        }
    }

    fn filter_text(&mut self) -> &mut String {
        if self.screen == Screen::Log {
            &mut self.log_filter
        } else {
            &mut self.filter
        }
    }

    fn type_filter(&mut self, text: &str) {
        let clean: String = text
            .chars()
            .filter(|c| !crate::display::is_unsafe(*c))
            .collect();
        self.filter_text().push_str(&clean);
    }

    fn mouse(&mut self, m: MouseEvent, board_area: Rect) {
        match m.kind {
            MouseEventKind::ScrollDown => self.act(Action::Down),
            MouseEventKind::ScrollUp => self.act(Action::Up),
            MouseEventKind::Down(MouseButton::Left)
                if self.screen == Screen::Board && self.form.is_none() =>
            {
                let jobs = self.visible_jobs().len();
                if let Some((row, col)) =
                    super::ui::board::hit(board_area, self.cursor_job, jobs, m.column, m.row)
                {
                    self.cursor_job = row;
                    if let Some(c) = col {
                        self.cursor_kind = c;
                    }
                }
            }
            _ => {}
        }
    }

    fn act(&mut self, action: Action) {
        let writes = matches!(
            action,
            Action::AddJob
                | Action::Owner
                | Action::Metric
                | Action::Baseline
                | Action::Measure
                | Action::Intervene
                | Action::Trip
                | Action::TripSuggested
                | Action::Retire
                | Action::Continue
                | Action::Decide
                | Action::Step
                | Action::CloseLoop
                | Action::EditJob
                | Action::CloseCycle
                | Action::Demo
        );
        if writes && self.read_only {
            self.say("read-only database: nothing can be recorded", true);
            return;
        }
        match action {
            Action::Quit => self.quit = true,
            Action::Help => {
                if self.screen != Screen::Help {
                    self.behind_help = self.screen;
                    self.screen = Screen::Help;
                    self.help_scroll = 0;
                }
            }
            Action::Back => self.back(),
            Action::Up | Action::Down => self.vertical(action == Action::Down),
            Action::Left | Action::Right => self.horizontal(action == Action::Right),
            Action::Open => self.open(),
            Action::Filter => {
                if matches!(self.screen, Screen::Board | Screen::Log) {
                    self.filtering = true;
                }
            }
            Action::Review => self.start_walk(),
            Action::Log => {
                self.screen = Screen::Log;
                self.log_scroll = 0;
                match self.store.log(None, None, LOG_LIMIT) {
                    Ok(events) => self.log = events,
                    Err(e) => self.say(e.to_string(), true),
                }
            }
            Action::Demo => self.demo(),
            Action::Digest => self.write_digest(),
            Action::TripSuggested => self.trip_suggested(),
            Action::AddJob => self.open_form(Purpose::AddJob),
            Action::EditJob => match self.target() {
                Some((slug, _)) => self.open_form(Purpose::EditJob(slug)),
                None => self.say("no job here: add one with `a`", true),
            },
            Action::CloseCycle => {
                let slug = match self.screen {
                    Screen::Review => match self.walk.get(self.walk_pos) {
                        Some(WalkItem::Compound { slug }) | Some(WalkItem::Loop { slug, .. }) => {
                            Some(slug.clone())
                        }
                        None => None,
                    },
                    _ => self.target().map(|(s, _)| s),
                };
                match slug {
                    Some(s) => self.open_form(Purpose::CloseCycle(s)),
                    None => self.say("no job here: add one with `a`", true),
                }
            }
            Action::Owner
            | Action::Metric
            | Action::Baseline
            | Action::Measure
            | Action::Intervene
            | Action::Trip
            | Action::Retire
            | Action::Continue
            | Action::Step
            | Action::CloseLoop
            | Action::Decide => {
                let Some((slug, kind)) = self.target() else {
                    self.say("no loop here: add a job with `a`", true);
                    return;
                };
                let purpose = match action {
                    Action::Owner => Purpose::Owner(slug, kind),
                    Action::Metric => Purpose::Metric(slug, kind),
                    Action::Baseline => Purpose::Baseline(slug, kind),
                    Action::Measure => Purpose::Measure(slug, kind),
                    Action::Intervene => Purpose::Intervene(slug, kind),
                    Action::Trip => Purpose::Trip(slug, kind, Vec::new()),
                    Action::Retire => Purpose::Retire(slug, kind),
                    Action::Continue => Purpose::Continue(slug, kind),
                    Action::Step => Purpose::Step(slug, kind, Vec::new()),
                    Action::CloseLoop => Purpose::CloseLoop(slug, kind),
                    _ => Purpose::Decide(slug, kind),
                };
                self.open_form(purpose);
            }
        }
    }

    fn back(&mut self) {
        self.screen = match self.screen {
            Screen::Help => self.behind_help,
            _ => Screen::Board,
        };
        if self.screen == Screen::Board {
            self.detail = None;
        }
    }

    fn vertical(&mut self, down: bool) {
        match self.screen {
            Screen::Board => {
                let n = self.visible_jobs().len();
                if n > 0 {
                    self.cursor_job = if down {
                        (self.cursor_job + 1).min(n - 1)
                    } else {
                        self.cursor_job.saturating_sub(1)
                    };
                }
            }
            Screen::Review => {
                if down {
                    self.walk_to(self.walk_pos + 1);
                } else {
                    self.walk_to(self.walk_pos.saturating_sub(1));
                }
            }
            Screen::Log => {
                self.log_scroll = if down {
                    self.log_scroll + 1
                } else {
                    self.log_scroll.saturating_sub(1)
                };
            }
            Screen::Detail => self.horizontal(down),
            Screen::Help => {
                self.help_scroll = if down {
                    self.help_scroll.saturating_add(1)
                } else {
                    self.help_scroll.saturating_sub(1)
                };
            }
        }
    }

    fn horizontal(&mut self, right: bool) {
        let k = if right {
            (self.cursor_kind + 1).min(5)
        } else {
            self.cursor_kind.saturating_sub(1)
        };
        match self.screen {
            Screen::Board => self.cursor_kind = k,
            Screen::Detail => {
                self.cursor_kind = k;
                if let Some((slug, _)) = self.target() {
                    self.load_detail(&slug, LoopKind::ALL[k]);
                }
            }
            Screen::Review => self.vertical(right),
            _ => {}
        }
    }

    fn load_detail(&mut self, slug: &str, kind: LoopKind) {
        match self.store.loop_detail(slug, kind, 8) {
            Ok(d) => {
                self.cursor_kind = kind.position() as usize - 1;
                self.detail = Some(d);
                self.screen = Screen::Detail;
            }
            Err(e) => self.say(e.to_string(), true),
        }
    }

    fn open(&mut self) {
        match self.screen {
            Screen::Board | Screen::Review => match self.target() {
                Some((slug, kind)) => self.load_detail(&slug, kind),
                None if self.screen == Screen::Review => self.compound_form_here(),
                None => {}
            },
            _ => {}
        }
    }

    fn start_walk(&mut self) {
        let mut walk = Vec::new();
        for j in &self.review.jobs {
            for l in j
                .loops
                .iter()
                .filter(|l| !l.flags.is_empty() || !l.suggested_kill_signals.is_empty())
            {
                walk.push(WalkItem::Loop {
                    slug: j.slug.clone(),
                    kind: l.kind,
                    flags: l.flags.clone(),
                });
            }
        }
        for j in self.review.jobs.iter().filter(|j| j.cycle.due) {
            walk.push(WalkItem::Compound {
                slug: j.slug.clone(),
            });
        }
        if walk.is_empty() {
            self.say("nothing needs you this week: every loop is in order", false);
            return;
        }
        self.walk = walk;
        self.screen = Screen::Review;
        self.walk_to(0);
    }

    /// Moves the walk; arriving on a compound item opens its form.
    fn walk_to(&mut self, pos: usize) {
        if self.walk.is_empty() {
            return;
        }
        self.walk_pos = pos.min(self.walk.len() - 1);
        self.compound_form_here();
    }

    fn compound_form_here(&mut self) {
        if let Some(WalkItem::Compound { slug }) = self.walk.get(self.walk_pos).cloned() {
            let still_due = self
                .review
                .jobs
                .iter()
                .any(|j| j.slug == slug && j.cycle.due);
            if still_due {
                self.open_form(Purpose::CloseCycle(slug));
            }
        }
    }

    /// Opens the trip form on the loop's canonical signal with the detector's reason filled in:
    /// the lead confirms with Enter (or edits the reason first).
    fn trip_suggested(&mut self) {
        let Some((slug, kind)) = self.target() else {
            return;
        };
        let why = self
            .loop_review(&slug, kind)
            .and_then(|l| l.suggested_kill_signals.first())
            .map(|s| s.why.clone());
        let Some(why) = why else {
            self.say(
                format!("no kill signal is suggested for {slug}/{kind}"),
                true,
            );
            return;
        };
        self.open_form(Purpose::Trip(slug, kind, Vec::new()));
        if let Some(form) = self.form.as_mut() {
            // The canonical signal is number 1, first among the armed ones when it is armed.
            form.fields[1] = form.fields[1].clone().prefill(&format!("suggested: {why}"));
        }
    }

    /// Writes the weekly digest to `jobloop-digest-WEEK.md` in the current folder.
    fn write_digest(&mut self) {
        let result = self
            .store
            .changes_since_last_cycle(crate::digest::CHANGES_SHOWN)
            .map_err(|e| e.to_string())
            .and_then(|changes| {
                let text = crate::digest::markdown(&self.review, &changes);
                let path = self
                    .digest_dir
                    .join(format!("jobloop-digest-{}.md", self.review.week));
                std::fs::write(&path, text)
                    .map(|()| path)
                    .map_err(|e| format!("cannot write the digest: {e}"))
            });
        match result {
            Ok(path) => self.say(format!("wrote the digest to {}", path.display()), false),
            Err(e) => self.say(e, true),
        }
    }

    fn demo(&mut self) {
        if !self.empty_db {
            self.say("the demo loads only into an empty database", true);
            return;
        }
        match self.store.load_demo(3, 8, 1, Stamp::now()) {
            Ok(ack) => {
                self.say(ack.summary, false);
                if let Err(e) = self.refresh() {
                    self.say(e.to_string(), true);
                }
            }
            Err(e) => self.say(e.to_string(), true),
        }
    }

    fn open_form(&mut self, purpose: Purpose) {
        let now = Stamp::now();
        let addr = |slug: &str, kind: LoopKind| format!("{slug}/{kind}");
        let form = match purpose {
            Purpose::AddJob => Form::new(
                purpose,
                "New job".into(),
                vec![
                    Field::text("title", true),
                    Field::text("slug (blank: from the title)", false),
                    Field::text("statement (When …, I want …, so I can …)", false),
                    Field::text("owner of the six loops", false),
                ],
            ),
            Purpose::Owner(ref slug, kind) => {
                let current = self
                    .loop_review(slug, kind)
                    .and_then(|l| l.owner.clone())
                    .unwrap_or_default();
                let title = format!("Owner of {}", addr(slug, kind));
                Form::new(
                    purpose,
                    title,
                    vec![Field::text("owner", true).prefill(&current)],
                )
            }
            Purpose::Metric(ref slug, kind) => {
                let replace = self
                    .loop_review(slug, kind)
                    .is_some_and(|l| l.metric.is_some());
                let title = if replace {
                    format!(
                        "Replace the primary metric of {} (baselines start again)",
                        addr(slug, kind)
                    )
                } else {
                    format!("Primary metric of {}", addr(slug, kind))
                };
                Form::new(
                    purpose,
                    title,
                    vec![
                        Field::text("name", true),
                        Field::text("unit", false),
                        Field::choice("better", vec!["lower".into(), "higher".into()], 0),
                        Field::choice("measures", vec!["outcome".into(), "adoption".into()], 0),
                    ],
                )
            }
            Purpose::Baseline(ref slug, kind) | Purpose::Measure(ref slug, kind) => {
                let what = if matches!(purpose, Purpose::Baseline(..)) {
                    "Baseline"
                } else {
                    "Measurement"
                };
                let title = format!("{what} for {}", addr(slug, kind));
                Form::new(
                    purpose,
                    title,
                    vec![
                        Field::number("value"),
                        Field::date("date", now),
                        Field::text("note", false),
                    ],
                )
            }
            Purpose::Intervene(ref slug, kind) => {
                let title = format!("Intervention on {}", addr(slug, kind));
                Form::new(
                    purpose,
                    title,
                    vec![
                        Field::text("what changes", true),
                        Field::date("started", now),
                    ],
                )
            }
            Purpose::Trip(ref slug, kind, _) => {
                let signals: Vec<(i64, String)> = self
                    .loop_review(slug, kind)
                    .map(|l| {
                        l.kill_signals
                            .iter()
                            .filter(|k| !k.tripped)
                            .map(|k| (k.n, format!("{}. {}", k.n, k.text)))
                            .collect()
                    })
                    .unwrap_or_default();
                if signals.is_empty() {
                    self.say(
                        format!("{} has no armed kill signal to trip", addr(slug, kind)),
                        true,
                    );
                    return;
                }
                let title = format!("Trip a kill signal of {}", addr(slug, kind));
                let (numbers, labels): (Vec<i64>, Vec<String>) = signals.into_iter().unzip();
                Form::new(
                    Purpose::Trip(slug.clone(), kind, numbers),
                    title,
                    vec![
                        Field::choice("signal", labels, 0),
                        Field::text("reason", true),
                        Field::text("evidence", false),
                    ],
                )
                .focus_on(1)
            }
            Purpose::Retire(ref slug, kind) | Purpose::Continue(ref slug, kind) => {
                let verb = if matches!(purpose, Purpose::Retire(..)) {
                    "Retire (kill)"
                } else {
                    "Continue"
                };
                let title = format!("{verb} {} — why?", addr(slug, kind));
                Form::new(purpose, title, vec![Field::text("reason", true)])
            }
            Purpose::Step(ref slug, kind, _) => {
                let steps = match self.store.loop_detail(slug, kind, 0) {
                    Ok(d) => d.record.steps,
                    Err(e) => {
                        self.say(e.to_string(), true);
                        return;
                    }
                };
                let undone: Vec<(i64, String)> = steps
                    .iter()
                    .filter(|s| s.done_at.is_none())
                    .map(|s| (s.n, format!("{}. {}", s.n, s.text)))
                    .collect();
                if undone.is_empty() {
                    self.say(
                        format!(
                            "every step of {} is done: S closes the loop",
                            addr(slug, kind)
                        ),
                        false,
                    );
                    return;
                }
                let title = format!("Checklist of {}: mark a step done", addr(slug, kind));
                let (numbers, labels): (Vec<i64>, Vec<String>) = undone.into_iter().unzip();
                Form::new(
                    Purpose::Step(slug.clone(), kind, numbers),
                    title,
                    vec![
                        Field::choice("step", labels, 0),
                        Field::text("evidence", false),
                    ],
                )
                .focus_on(1)
            }
            Purpose::CloseLoop(ref slug, kind) => {
                let title = format!(
                    "Close {} — answer \"{}\" yes",
                    addr(slug, kind),
                    kind.question()
                );
                Form::new(
                    purpose,
                    title,
                    vec![Field::yes_no("even with undone steps").prefill("no")],
                )
            }
            Purpose::EditJob(ref slug) => {
                let job = match self.store.job(slug) {
                    Ok(j) => j,
                    Err(e) => {
                        self.say(e.to_string(), true);
                        return;
                    }
                };
                let c = &job.canvas;
                let title = format!("Job {slug}: statement and canvas");
                Form::new(
                    purpose,
                    title,
                    vec![
                        Field::text("title", true).prefill(&job.title),
                        Field::text("statement", false).prefill(&job.statement),
                        Field::text("performer", false).prefill(&c.performer),
                        Field::text("circumstance", false).prefill(&c.circumstance),
                        Field::text("current workaround", false).prefill(&c.workaround),
                        Field::text("functional job", false).prefill(&c.functional_job),
                        Field::text("emotional job", false).prefill(&c.emotional_job),
                        Field::text("social job", false).prefill(&c.social_job),
                        Field::text("competing solutions", false).prefill(&c.competing_solutions),
                        Field::text("hiring criteria", false).prefill(&c.hiring_criteria),
                    ],
                )
            }
            Purpose::Decide(ref slug, kind) => {
                let title = format!("Irreversible decision on {}", addr(slug, kind));
                Form::new(
                    purpose,
                    title,
                    vec![
                        Field::text("decision", true),
                        Field::text("owner", true),
                        Field::text("approval threshold", false),
                    ],
                )
            }
            Purpose::CloseCycle(ref slug) => {
                let week = crate::domain::Week::containing(now);
                let title = format!("Compound test of {slug} for {week}: did it improve?");
                Form::new(
                    purpose,
                    title,
                    vec![
                        Field::yes_no("understanding"),
                        Field::yes_no("explanation"),
                        Field::yes_no("creation"),
                        Field::yes_no("distribution"),
                        Field::text("note", false),
                    ],
                )
            }
        };
        self.form = Some(form);
    }

    /// Runs the form's intent. A refusal or a busy database keeps the form and its contents.
    fn submit(&mut self) {
        let Some(mut form) = self.form.take() else {
            return;
        };
        let now = Stamp::now();
        if !form.validate(now) {
            self.form = Some(form);
            return;
        }
        let ctx = Ctx {
            actor: self.actor.clone(),
            now,
        };
        let result = match &form.purpose {
            Purpose::AddJob => self.store.add_job(
                &ctx,
                form.text(0),
                form.optional(1),
                form.optional(2),
                form.optional(3),
            ),
            Purpose::Owner(slug, kind) => self
                .store
                .on_loop(&ctx, slug, *kind, |r, c| r.assign_owner(form.text(0), c)),
            Purpose::Metric(slug, kind) => {
                let better = [Better::Lower, Better::Higher][form.choice(2).min(1)];
                let measures = [Measures::Outcome, Measures::Adoption][form.choice(3).min(1)];
                self.store.on_loop(&ctx, slug, *kind, |r, c| {
                    let replace = r.metric.is_some();
                    r.set_metric(form.text(0), form.text(1), better, measures, replace, c)
                })
            }
            Purpose::Baseline(slug, kind) | Purpose::Measure(slug, kind) => {
                let phase = if matches!(form.purpose, Purpose::Baseline(..)) {
                    Phase::Baseline
                } else {
                    Phase::Live
                };
                let (value, at) = (form.number(0), form.date(1, now));
                self.store.on_loop(&ctx, slug, *kind, |r, c| {
                    r.record_value(phase, value, at, form.optional(2), c)
                })
            }
            Purpose::Intervene(slug, kind) => {
                let at = form.date(1, now);
                self.store
                    .on_loop(&ctx, slug, *kind, |r, c| r.intervene(form.text(0), at, c))
            }
            Purpose::Trip(slug, kind, numbers) => {
                let n = numbers.get(form.choice(0)).copied();
                self.store.on_loop(&ctx, slug, *kind, |r, c| {
                    r.trip(n, form.text(1), form.optional(2), c)
                })
            }
            Purpose::Retire(slug, kind) => self
                .store
                .on_loop(&ctx, slug, *kind, |r, c| r.retire(form.text(0), c)),
            Purpose::Continue(slug, kind) => self.store.on_loop(&ctx, slug, *kind, |r, c| {
                r.continue_after_trip(form.text(0), c)
            }),
            Purpose::Step(slug, kind, numbers) => {
                let n = numbers.get(form.choice(0)).copied().unwrap_or(1);
                self.store.on_loop(&ctx, slug, *kind, |r, c| {
                    r.mark_step(n, form.optional(1), c)
                })
            }
            Purpose::CloseLoop(slug, kind) => {
                let force = form.yes(0);
                self.store
                    .on_loop(&ctx, slug, *kind, |r, c| r.close(force, c))
            }
            Purpose::EditJob(slug) => {
                let text = |i: usize| Some(form.text(i).to_string());
                let edit = JobEdit {
                    title: text(0),
                    statement: text(1),
                    canvas: CanvasEdit {
                        performer: text(2),
                        circumstance: text(3),
                        workaround: text(4),
                        functional_job: text(5),
                        emotional_job: text(6),
                        social_job: text(7),
                        competing_solutions: text(8),
                        hiring_criteria: text(9),
                    },
                };
                self.store.edit_job(&ctx, slug, &edit)
            }
            Purpose::Decide(slug, kind) => self.store.on_loop(&ctx, slug, *kind, |r, c| {
                r.decide(form.text(0), form.text(1), form.optional(2), c)
            }),
            Purpose::CloseCycle(slug) => {
                let answers = CompoundAnswers {
                    understanding: form.yes(0),
                    explanation: form.yes(1),
                    creation: form.yes(2),
                    distribution: form.yes(3),
                    note: form.optional(4).map(str::to_string),
                    ..CompoundAnswers::default()
                };
                self.store.close_cycle(&ctx, slug, None, &answers)
            }
        };
        match result {
            Ok(ack) => {
                let added_job = matches!(form.purpose, Purpose::AddJob);
                self.say(ack.summary, false);
                if let Err(e) = self.refresh() {
                    self.say(e.to_string(), true);
                }
                if added_job {
                    // The cursor goes to the new job, on its understand loop.
                    self.cursor_job = self.visible_jobs().len().saturating_sub(1);
                    self.cursor_kind = 0;
                }
                if self.screen == Screen::Review
                    && matches!(form.purpose, Purpose::CloseCycle(_))
                    && self.walk_pos + 1 < self.walk.len()
                {
                    self.walk_to(self.walk_pos + 1);
                }
            }
            Err(store::Error::Busy(m)) => {
                form.error = Some(format!("{m} — your entries are kept; press Enter to retry"));
                self.form = Some(form);
            }
            Err(e) => {
                form.error = Some(e.to_string());
                self.form = Some(form);
            }
        }
    }

    pub fn walk_resolved(&self, item: &WalkItem) -> bool {
        match item {
            WalkItem::Loop { slug, kind, .. } => self
                .loop_review(slug, *kind)
                .is_none_or(|l| l.flags.is_empty() && l.suggested_kill_signals.is_empty()),
            WalkItem::Compound { slug } => !self
                .review
                .jobs
                .iter()
                .any(|j| &j.slug == slug && j.cycle.due),
        }
    }
}
