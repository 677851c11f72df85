//! The app: a stack of screens, at most one form, a status message, and the worker that owns the
//! store. It routes each key to the screen on top (which handles its own navigation) or to the
//! form, turns loop and job keys into forms, and applies what the store answers.

mod answers;
mod flow;

use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use std::path::PathBuf;
use std::time::Instant;

use super::config::Theme;
use super::forms::{self, Form};
use super::keymap::{Action, Keymap, Scope};
use super::views::{
    Go, Shared, View, archived::Archived, board::Board, help::Help, log::Log, walk::Walk,
};
use super::worker::{Loaded, Request, Response, Worker};
use crate::clock::Clock;
use crate::domain::LoopKind;
use crate::domain::time::Week;
use crate::store::{JobDetail, LoopDetail};

#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// A form that waits for its loop's or job's records before it can open.
struct Waiting {
    action: Action,
    slug: String,
    kind: Option<LoopKind>,
}

pub struct App {
    pub worker: Worker,
    pub actor: Option<String>,
    pub keymap: Keymap,
    pub theme: Theme,
    pub loaded: Option<Loaded>,
    /// The screens, the board at the bottom.
    pub views: Vec<View>,
    pub form: Option<Form>,
    pub message: Option<Message>,
    /// The last message shown in full over the screen.
    pub message_open: bool,
    pub quit: bool,
    pub read_only: bool,
    /// On the shared store: the actor is the server's identity and the owner rules hold.
    pub team: bool,
    /// Where the digest is written: the folder jobloop was started in.
    pub digest_dir: PathBuf,
    /// The size of the last frame (the board's columns depend on it).
    pub size: Rect,
    /// A form submitted and not yet answered by the store.
    in_flight: bool,
    waiting: Option<Waiting>,
    /// The loop and job records last loaded, for forms that need them.
    detail: Option<LoopDetail>,
    job: Option<JobDetail>,
    /// The weekly review walk, kept when the lead steps away.
    walk: Option<Walk>,
    /// The action to carry on with once the person has given their name.
    after_name: Option<Action>,
    /// The jobs there were before a job was added: the next board selects the new one.
    jobs_before_add: Option<Vec<String>>,
    /// The lead asked for the kill rules to be checked (the check at start-up stays quiet when
    /// nothing fires).
    check_asked: bool,
    /// Keys, clicks and pastes that came while the app waited for the store (see `handle`):
    /// applied in order once it is ready (type-ahead, nothing lost, clamped or sent to the
    /// wrong form).
    early: std::collections::VecDeque<Event>,
    /// When to read the board again after it could not be read (busy, connection lost).
    retry_board: Option<Instant>,
    /// Where the screen reads the time (dates shown, relative dates typed, the retry timer);
    /// a test sets a fixed one.
    pub clock: Clock,
    /// The board could not be read and will not be tried again: keys act on what is shown.
    board_failed: bool,
    /// The last left click on a board loop cell (when, job row, loop column): a second one on
    /// the same cell soon after is a double click.
    last_click: Option<(Instant, usize, usize)>,
}

/// Two clicks on the same cell this close together are a double click (the usual system
/// default).
const DOUBLE_CLICK: std::time::Duration = std::time::Duration::from_millis(500);

impl App {
    pub fn new(
        worker: Worker,
        actor: Option<String>,
        keymap: Keymap,
        theme: Theme,
        read_only: bool,
    ) -> App {
        let mut app = App {
            worker,
            actor,
            keymap,
            theme,
            loaded: None,
            views: vec![View::Board(Board::default())],
            form: None,
            message: None,
            message_open: false,
            quit: false,
            read_only,
            team: false,
            digest_dir: std::env::current_dir().unwrap_or_default(),
            size: Rect::new(0, 0, 80, 24),
            in_flight: false,
            waiting: None,
            detail: None,
            job: None,
            walk: None,
            after_name: None,
            jobs_before_add: None,
            check_asked: false,
            early: Default::default(),
            retry_board: None,
            clock: Clock::system(),
            board_failed: false,
            last_click: None,
        };
        if read_only {
            app.say("read-only database: you can look, not record", true);
        }
        app
    }

    /// What the app asks for when it opens: the board, SQLite's quick check (unless the caller
    /// runs it on a connection of its own: `quick_check`), and the kill rules the clock broke
    /// while jobloop was closed.
    pub fn start(&mut self, quick_check: bool) {
        self.load();
        if quick_check {
            self.send(Request::QuickCheck);
        }
        if !self.read_only {
            self.send(Request::Check);
        }
    }

    /// Asks for the board: the first thing the screen needs (the checks come after it). A
    /// screenful of jobs comes first, so a large organisation's board shows at once; the whole
    /// board follows.
    pub fn load(&mut self) {
        // Before the terminal's size is known, a tall screen's worth.
        let rows = match self.size.height {
            0 => 200,
            h => h as usize,
        };
        self.send(Request::BoardFirst { rows });
        self.send(Request::Board);
    }

    /// Whether every job of the board has been read (the first screenful comes alone).
    pub fn board_complete(&self) -> bool {
        self.loaded.as_ref().is_some_and(|l| l.complete)
    }

    /// Whether the board is still being read (nothing yet, or only the first screenful) and
    /// keys should wait for it; not once reading it failed for good.
    fn reading_board(&self) -> bool {
        !self.board_complete() && !self.board_failed
    }

    /// Ctrl-c always quits at once; the quit key too, unless it may be text for a form or a
    /// filter: earlier keys wait (they may start one), a form waits for its records, or a
    /// saved form waits for its answer.
    fn quits_now(&self, event: &Event) -> bool {
        let Event::Key(k) = event else {
            return false;
        };
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            return true;
        }
        self.early.is_empty()
            && self.waiting.is_none()
            && !self.in_flight
            && self.keymap.action(k) == Some(Action::Quit)
    }

    /// Whether a key can act now: the board is read (or failed for good), and no form waits
    /// for its records, no record is being saved, no answer is pending.
    fn ready(&self) -> bool {
        !self.reading_board() && self.waiting.is_none() && !self.in_flight && !self.worker.busy()
    }

    /// Applies the keys that waited, one at a time while the app is ready for them.
    pub(super) fn replay_early(&mut self) {
        while self.ready() {
            let Some(event) = self.early.pop_front() else {
                return;
            };
            self.handle_now(event);
        }
    }

    /// Whether the board could not be read in full and will not be tried again.
    pub fn board_failed(&self) -> bool {
        self.board_failed && !self.board_complete()
    }

    /// Whether something is due without a key press (a board to read again).
    pub fn waiting_for_time(&self) -> bool {
        self.retry_board.is_some()
    }

    /// Called by the event loop on every wake: reads the board again when a retry is due.
    pub fn tick(&mut self) {
        if self
            .retry_board
            .is_some_and(|at| self.clock.instant() >= at)
        {
            self.retry_board = None;
            self.send(Request::Board);
        }
    }

    pub fn shared(&self) -> Shared<'_> {
        Shared {
            theme: &self.theme,
            keys: &self.keymap,
            review: self.loaded.as_ref().map(|l| &l.review),
            now: self.clock.now(),
        }
    }

    pub fn say(&mut self, text: impl Into<String>, error: bool) {
        self.message = Some(Message {
            text: text.into(),
            error,
        });
    }

    pub(super) fn send(&mut self, r: Request) {
        self.worker.send(r, self.clock.now());
        self.pump();
    }

    /// Applies answers an inline worker has ready (tests).
    pub fn pump(&mut self) {
        while let Some(r) = self.worker.take_inline() {
            self.on_response(r);
        }
    }

    /// An answer from the worker thread.
    pub fn on_worker(&mut self, r: Response) {
        if !matches!(r, Response::Changed | Response::Hooked(_)) {
            self.worker.answered();
        }
        self.on_response(r);
    }

    pub fn busy(&self) -> bool {
        self.worker.busy()
    }

    pub fn top(&self) -> &View {
        self.views.last().unwrap_or(&self.views[0])
    }

    pub(super) fn top_mut(&mut self) -> &mut View {
        let last = self.views.len() - 1;
        &mut self.views[last]
    }

    /// An event from the terminal. Keys, clicks and pastes wait (type-ahead) while the app
    /// waits for the store — the board being read, a loop or job a form needs, a record being
    /// saved — and then apply in order, each once what the one before started has arrived.
    pub fn handle(&mut self, event: Event) {
        if (!self.ready() || !self.early.is_empty())
            && !matches!(event, Event::Resize(..))
            && !self.quits_now(&event)
        {
            self.early.push_back(event);
            return;
        }
        self.handle_now(event);
    }

    fn handle_now(&mut self, event: Event) {
        // Below the smallest size only the size notice is drawn: a key, a click or a paste
        // would act on a screen nobody sees (a form submitted, a dialog confirmed), so only
        // quitting and resizing are taken.
        if self.too_small() && !matches!(event, Event::Resize(..)) {
            if let Event::Key(k) = &event
                && k.kind == KeyEventKind::Press
                && (k.code == KeyCode::Char('q') && self.form.is_none()
                    || k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL))
            {
                self.quit = true;
            }
            return;
        }
        match event {
            Event::Key(k) if k.kind == KeyEventKind::Press => self.key(k),
            Event::Mouse(m) => self.mouse(m),
            Event::Paste(text) => {
                if let Some(f) = self.form.as_mut() {
                    if !self.in_flight {
                        f.paste(&text);
                    }
                } else {
                    self.type_text(&text);
                }
            }
            Event::Resize(w, h) => {
                self.size = Rect::new(0, 0, w, h);
                if let Some(View::Board(b)) = self.views.first_mut() {
                    b.keep_visible(w);
                }
            }
            _ => {}
        }
        self.pump();
    }

    /// Whether a screen's filter is being typed.
    fn typing(&self) -> bool {
        match self.top() {
            View::Board(b) => b.typing,
            View::Log(l) => l.typing,
            _ => false,
        }
    }

    /// Runs `f` on the screen on top with what screens share, borrowed (a large review is
    /// never copied for a key press).
    fn with_top<T>(&mut self, f: impl FnOnce(&mut View, &Shared) -> T) -> T {
        let s = Shared {
            theme: &self.theme,
            keys: &self.keymap,
            review: self.loaded.as_ref().map(|l| &l.review),
            now: self.clock.now(),
        };
        let last = self.views.len() - 1;
        f(&mut self.views[last], &s)
    }

    fn type_text(&mut self, text: &str) {
        self.with_top(|v, s| match v {
            View::Board(b) if b.typing => b.type_filter(text, s),
            View::Log(l) if l.typing => l.type_filter(text),
            _ => {}
        });
    }

    /// Whether the window is below the smallest size the screens are drawn at.
    fn too_small(&self) -> bool {
        self.size.width < crate::tui::ui::MIN_WIDTH || self.size.height < crate::tui::ui::MIN_HEIGHT
    }

    fn key(&mut self, k: KeyEvent) {
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return;
        }
        if self.message_open {
            self.message_open = false;
            return;
        }
        if let Some(form) = self.form.as_mut() {
            // A submitted form waits for the store's answer: a key now would edit or cancel
            // something already on its way.
            if self.in_flight {
                return;
            }
            match form.key(&k) {
                forms::Event::Editing => {}
                forms::Event::Cancel => {
                    self.form = None;
                    self.in_flight = false;
                }
                forms::Event::Submit => self.submit(),
            }
            return;
        }
        if self.typing() {
            match k.code {
                KeyCode::Enter => self.stop_typing(false),
                KeyCode::Esc => self.stop_typing(true),
                KeyCode::Backspace => {
                    match self.top_mut() {
                        View::Board(b) => {
                            b.filter.pop();
                        }
                        View::Log(l) => {
                            l.filter.pop();
                        }
                        _ => {}
                    };
                }
                KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => {
                    self.type_text(&c.to_string())
                }
                _ => {}
            }
            return;
        }
        if let Some(action) = self.keymap.action(&k) {
            // A new key replaces the last message, except the one that shows it in full.
            if action != Action::Message {
                self.message = None;
            }
            self.act(action);
        }
    }

    fn stop_typing(&mut self, clear: bool) {
        match self.top_mut() {
            View::Board(b) => {
                b.typing = false;
                if clear {
                    b.filter.clear();
                }
            }
            View::Log(l) => {
                l.typing = false;
                if clear {
                    l.filter.clear();
                }
            }
            _ => {}
        }
    }

    fn mouse(&mut self, m: MouseEvent) {
        if self.form.is_some() || self.message_open {
            return;
        }
        match m.kind {
            MouseEventKind::ScrollDown => self.act(Action::Down),
            MouseEventKind::ScrollUp => self.act(Action::Up),
            MouseEventKind::Down(MouseButton::Left) => {
                let body = super::ui::areas(self.size).1;
                let cell = self.with_top(|v, s| {
                    if let View::Board(b) = v
                        && let Some((row, col)) = b.hit(body, s, m.column, m.row)
                    {
                        b.cursor_job = row;
                        if let Some(c) = col {
                            b.cursor_kind = c;
                        }
                        return col.map(|c| (row, c));
                    }
                    None
                });
                // The app's clock, not the system's, so a test can drive the interval.
                let now = self.clock.instant();
                let double = matches!(
                    (self.last_click, cell),
                    (Some((at, r, c)), Some((row, col)))
                        if (r, c) == (row, col) && now.saturating_duration_since(at) <= DOUBLE_CLICK
                );
                if double {
                    // A third click starts a new pair rather than opening again.
                    self.last_click = None;
                    self.act(Action::Open);
                } else {
                    self.last_click = cell.map(|(row, col)| (now, row, col));
                }
            }
            _ => {}
        }
    }

    /// An action from a key: the screen on top first, then the app.
    pub fn act(&mut self, action: Action) {
        if action.writes() && self.read_only {
            self.say("read-only database: nothing can be recorded", true);
            return;
        }
        let width = self.size.width;
        let go = self.with_top(|v, s| match v {
            View::Board(b) => b.handle(action, s, width),
            View::Detail(d) => d.handle(action),
            View::Job(j) => j.handle(action),
            View::Walk(w) => w.handle(action),
            View::Log(l) => l.handle(action),
            View::Help(h) => h.handle(action),
            View::Archived(a) => a.handle(action),
        });
        match go {
            Go::Stay => {}
            Go::Back => self.back(),
            Go::Open(v) => self.open(v),
            Go::Load(r) => self.send(r),
            Go::Pass => self.global(action),
        }
    }

    fn open(&mut self, view: View) {
        let load = match &view {
            View::Detail(d) => Some(d.load()),
            View::Job(j) => Some(j.load()),
            View::Log(_) => Some(Log::load()),
            View::Archived(_) => Some(Archived::load()),
            _ => None,
        };
        self.views.push(view);
        if let Some(r) = load {
            self.send(r);
        }
    }

    fn back(&mut self) {
        if self.views.len() > 1 {
            match self.views.pop() {
                Some(View::Walk(w)) => self.walk = Some(w),
                // The board's cursor follows the loop the detail moved to.
                Some(View::Detail(d)) if self.views.len() == 1 => {
                    let s = Shared {
                        theme: &self.theme,
                        keys: &self.keymap,
                        review: self.loaded.as_ref().map(|l| &l.review),
                        now: self.clock.now(),
                    };
                    if let Some(View::Board(b)) = self.views.first_mut() {
                        b.select(&s, &d.slug);
                        b.cursor_kind =
                            LoopKind::ALL.iter().position(|k| *k == d.kind).unwrap_or(0);
                        b.keep_visible(self.size.width);
                    }
                }
                _ => {}
            }
        } else if let View::Board(b) = self.top_mut() {
            b.filter.clear();
            b.flags = Default::default();
        }
    }

    fn global(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::Back => self.back(),
            Action::Help => {
                let scopes = match self.top() {
                    View::Board(_) | View::Walk(_) => vec![Scope::Loop, Scope::Job],
                    View::Detail(_) => vec![Scope::Loop, Scope::Job],
                    View::Job(_) => vec![Scope::Job],
                    _ => vec![],
                };
                let name = self.top().name();
                self.open(View::Help(Help::new(name, scopes)));
            }
            Action::Review => self.walk(),
            Action::Log => self.open(View::Log(Log::default())),
            Action::Archived => self.open(View::Archived(Archived::default())),
            // Enter on an archived job asks to bring it back.
            Action::Open if matches!(self.top(), View::Archived(_)) => {
                self.open_form(Action::Archive)
            }
            Action::Message if self.message.is_some() => {
                self.message_open = true;
            }
            Action::Digest => self.digest(false),
            Action::Demo => {
                if self
                    .loaded
                    .as_ref()
                    .is_some_and(|l| !l.review.jobs.is_empty())
                {
                    self.say("the demo loads only into an empty database", true);
                } else {
                    self.say("loading the demo…", false);
                    self.send(Request::Demo);
                }
            }
            Action::Undo => match self.actor.clone() {
                Some(actor) => self.send(Request::UndoPlan { actor }),
                None => self.ask_name(Some(action)),
            },
            Action::Check => {
                self.check_asked = true;
                self.send(Request::Check);
            }
            Action::Filter | Action::FlagFilter => {
                self.say("filters work on the board and the log", false)
            }
            Action::JobView => {
                if let (Some(slug), _) = self.target() {
                    self.open(View::Job(Box::new(super::views::job::JobView::new(slug))));
                }
            }
            Action::Open => {
                // On a compound-test item of the walk: the test itself.
                if let View::Walk(_) = self.top() {
                    self.open_form(Action::CloseCycle);
                }
            }
            a if a.scope() != Scope::Global
                || matches!(a, Action::AddJob | Action::WeekValuesAll) =>
            {
                self.open_form(a)
            }
            _ => {}
        }
    }

    pub(super) fn target(&self) -> (Option<String>, Option<LoopKind>) {
        self.top().target(&self.shared())
    }

    fn walk(&mut self) {
        if !self.board_complete() {
            // Keys wait while the board is read, so this is a board that could not be read.
            return self.say(
                "the weekly review needs the whole board, which could not be read (see the previous message)",
                true,
            );
        }
        let Some(review) = self.loaded.as_ref().map(|l| &l.review) else {
            return;
        };
        let resumed = self.walk.take().filter(|w| w.week == review.week);
        let walk = match resumed {
            Some(mut w) => {
                w.refresh(review);
                Some(w)
            }
            None => Walk::start(review),
        };
        match walk {
            Some(w) => self.views.push(View::Walk(w)),
            None => self.say("nothing needs you this week: every loop is in order", false),
        }
    }

    fn digest(&mut self, force: bool) {
        let week = Week::containing(self.clock.now());
        let path = self.digest_dir.join(format!("jobloop-digest-{week}.md"));
        self.send(Request::Digest { path, week, force });
    }

    /// Reloads the board and what the screen on top shows.
    pub(super) fn refresh(&mut self) {
        // Records a form opens on must be read again: a cycle just closed, a proof just added.
        self.detail = None;
        self.job = None;
        self.send(Request::Board);
        let again = match self.top() {
            View::Detail(d) => Some(d.load()),
            View::Job(j) => Some(j.load()),
            View::Log(_) => Some(Log::load()),
            View::Archived(_) => Some(Archived::load()),
            _ => None,
        };
        if let Some(r) = again {
            self.send(r);
        }
    }
}
