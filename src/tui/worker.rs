//! The store lives on its own thread: the drawing thread sends requests and draws whatever has
//! arrived, so a slow check or a lock held by another program never freezes the screen or
//! swallows a key. The worker also notices, on a half-second timer, when another process
//! committed (SQLite's `data_version`), and says so.
//!
//! Tests use the same requests answered inline, in order, on the calling thread.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use crate::domain::hook::Happening;
use crate::domain::intent::Intent;
use crate::domain::model::{AuditEvent, Job};
use crate::domain::review::Review;
use crate::domain::time::{Stamp, Week};
use crate::domain::{Ctx, LoopKind, Refusal};
use crate::files::FileError;
use crate::hooks::Hooks;
use crate::store::{self, Ack, Board, JobDetail, LoopDetail, Store};

/// How often the worker asks whether another process changed the file.
pub const POLL: Duration = Duration::from_millis(500);

#[derive(Clone, Debug)]
pub enum Request {
    /// The first `rows` jobs of the board: the first screen, before the whole board is read.
    BoardFirst {
        rows: usize,
    },
    Board,
    Detail {
        slug: String,
        kind: LoopKind,
    },
    Job {
        slug: String,
    },
    Log {
        limit: usize,
    },
    /// The archived jobs, for the screen that brings them back.
    Archived,
    // Boxed: an intent carries every field of a form.
    Apply {
        ctx: Ctx,
        intent: Box<Intent>,
    },
    Check,
    QuickCheck,
    Digest {
        path: PathBuf,
        week: Week,
        force: bool,
    },
    UndoPlan {
        actor: String,
    },
    Demo,
}

/// A loaded board with its review, computed at the moment it was read.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub board: Board,
    pub review: Review,
    /// False for the first screenful: the totals count only those jobs, and the jobs below
    /// are still being read.
    pub complete: bool,
}

pub type Plan = Option<Box<(AuditEvent, Result<Intent, Refusal>)>>;

#[derive(Debug)]
pub enum Response {
    Board(Result<Loaded, store::Error>),
    Detail(Result<Box<LoopDetail>, store::Error>),
    Job(Result<Box<JobDetail>, store::Error>),
    Log(Result<Vec<AuditEvent>, store::Error>),
    Archived(Result<Vec<Job>, store::Error>),
    Applied {
        intent: Box<Intent>,
        result: Result<Ack, store::Error>,
    },
    Checked(Result<Vec<String>, store::Error>),
    QuickChecked(Result<Vec<String>, store::Error>),
    Digest(Result<PathBuf, DigestError>),
    UndoPlan(Result<Plan, store::Error>),
    Demo(Result<Ack, store::Error>),
    /// Another process committed: what is on screen may be stale.
    Changed,
    /// The hooks of a committed write finished: one line per hook that failed. Not the answer
    /// to a request (it comes after the write's own answer).
    Hooked(Vec<String>),
}

#[derive(Debug)]
pub enum DigestError {
    File(FileError),
    Store(store::Error),
}

impl std::fmt::Display for DigestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DigestError::File(e) => write!(f, "{e}"),
            DigestError::Store(e) => write!(f, "{e}"),
        }
    }
}

/// Answers one request, at the time the app asked it (`now`, from the app's clock).
pub fn answer(store: &mut Store, request: Request, now: Stamp) -> Response {
    answer_noting(store, request, now, &mut Vec::new())
}

/// Answers one request; what a committed write did is added to `happened`, for its hooks.
fn answer_noting(
    store: &mut Store,
    request: Request,
    now: Stamp,
    happened: &mut Vec<Happening>,
) -> Response {
    match request {
        Request::BoardFirst { rows } => {
            Response::Board(store.board_first(rows).map(|(board, more)| Loaded {
                review: board.review(now),
                board,
                complete: !more,
            }))
        }
        Request::Board => Response::Board(store.board().map(|board| Loaded {
            review: board.review(now),
            board,
            complete: true,
        })),
        Request::Detail { slug, kind } => {
            Response::Detail(store.loop_detail(&slug, kind, 50, now).map(Box::new))
        }
        Request::Job { slug } => Response::Job(store.job_detail(&slug, now).map(Box::new)),
        Request::Log { limit } => Response::Log(store.log(None, None, limit)),
        Request::Archived => Response::Archived(store.jobs(true).map(|jobs| {
            jobs.into_iter()
                .filter(|j| j.archived_at.is_some())
                .collect()
        })),
        Request::Apply { ctx, intent } => {
            let result = store.apply(&ctx, &intent);
            if let Ok(a) = &result {
                happened.extend(a.happened.iter().cloned());
            }
            Response::Applied { result, intent }
        }
        Request::Check => Response::Checked(store.check_rules(now).map(|c| {
            happened.extend(c.happened);
            c.fired
        })),
        Request::QuickCheck => Response::QuickChecked(store.integrity(true)),
        Request::Digest { path, week, force } => {
            Response::Digest(digest(store, &path, week, force, now))
        }
        Request::UndoPlan { actor } => {
            Response::UndoPlan(store.undo_plan(&actor).map(|p| p.map(Box::new)))
        }
        Request::Demo => Response::Demo(crate::demo::load(store, 3, 8, 1, now, &mut |_, _| {})),
    }
}

fn digest(
    store: &mut Store,
    path: &Path,
    week: Week,
    force: bool,
    now: Stamp,
) -> Result<PathBuf, DigestError> {
    let board = store.board().map_err(DigestError::Store)?;
    let review = board.review(now);
    let changes = store
        .changes_in(week, crate::digest::CHANGES_SHOWN)
        .map_err(DigestError::Store)?;
    let text = crate::digest::markdown(&review, week, &changes);
    crate::files::write_file(path, force, &store.protected(), |w| {
        w.write_all(text.as_bytes())
    })
    .map_err(DigestError::File)?;
    Ok(path.to_path_buf())
}

/// A request and when the app asked it.
type Asked = (Request, Stamp);

/// Where requests go: a thread, or (in tests) the calling thread.
pub enum Worker {
    Thread {
        /// `None` once the worker is told to finish (see `Drop`).
        requests: Option<Sender<Asked>>,
        /// Requests sent and not answered yet (for the spinner).
        pending: usize,
        thread: Option<std::thread::JoinHandle<()>>,
    },
    Inline {
        store: Box<Store>,
        answers: VecDeque<Response>,
        hooks: Hooks,
    },
}

impl Worker {
    /// A worker that answers on the calling thread, for tests.
    pub fn inline(store: Store) -> Worker {
        Worker::inline_with_hooks(store, Hooks::default())
    }

    /// An inline worker that runs `hooks` after each write (and waits for them), for tests.
    pub fn inline_with_hooks(store: Store, hooks: Hooks) -> Worker {
        Worker::Inline {
            store: Box::new(store),
            answers: VecDeque::new(),
            hooks,
        }
    }

    /// Starts the worker thread; its answers arrive through `wrap` on `out`.
    pub fn spawn<T: Send + 'static>(
        store: Store,
        out: Sender<T>,
        wrap: fn(Response) -> T,
    ) -> Worker {
        Worker::spawn_with_hooks(store, Hooks::default(), out, wrap)
    }

    /// Starts the worker thread, which runs `hooks` after each committed write on a thread of
    /// their own (the store goes on answering); their failures arrive as `Response::Hooked`.
    pub fn spawn_with_hooks<T: Send + 'static>(
        mut store: Store,
        hooks: Hooks,
        out: Sender<T>,
        wrap: fn(Response) -> T,
    ) -> Worker {
        let (tx, rx): (Sender<Asked>, Receiver<Asked>) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let mut version = store.data_version().unwrap_or(0);
            let mut let_go = false;
            let mut looked = std::time::Instant::now();
            // Hooks still running: quitting waits for them (each ends by its time limit), so
            // none is left running past it.
            let mut hooks_running: Vec<std::thread::JoinHandle<()>> = Vec::new();
            'serve: loop {
                // Looks for other processes' commits every half second, whether or not requests
                // keep coming (a lead moving through loops must still see a teammate's change).
                let until_look = POLL.saturating_sub(looked.elapsed());
                match rx.recv_timeout(until_look) {
                    // The version moves only for other processes' commits (the store's own
                    // writes do not move it), so one made while a request was answered is
                    // still seen at the next look.
                    Ok((request, asked)) => {
                        let mut happened = Vec::new();
                        let response = answer_noting(&mut store, request, asked, &mut happened);
                        let launches = crate::hooks::prepare(&mut store, &hooks, &happened, asked);
                        if out.send(wrap(response)).is_err() {
                            break 'serve;
                        }
                        if !launches.is_empty() {
                            let out = out.clone();
                            let limit = hooks.timeout;
                            hooks_running.retain(|t| !t.is_finished());
                            hooks_running.push(std::thread::spawn(move || {
                                let failures = crate::hooks::run_all(launches, limit);
                                let _ = out.send(wrap(Response::Hooked(failures)));
                            }));
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => break 'serve,
                }
                if looked.elapsed() >= POLL {
                    looked = std::time::Instant::now();
                    // A file the store let go of (replaced, damaged) is reloaded once, so the
                    // screen says why, instead of showing what it read before.
                    let (now, gone) = match store.data_version() {
                        Ok(now) => (now, false),
                        Err(_) => (version, !let_go),
                    };
                    let_go |= gone;
                    if now != version || gone {
                        version = now;
                        if out.send(wrap(Response::Changed)).is_err() {
                            break 'serve;
                        }
                    }
                }
            }
            for t in hooks_running {
                let _ = t.join();
            }
        });
        Worker::Thread {
            requests: Some(tx),
            pending: 0,
            thread: Some(thread),
        }
    }

    /// Sends a request asked at `now`.
    pub fn send(&mut self, request: Request, now: Stamp) {
        match self {
            Worker::Thread {
                requests, pending, ..
            } => {
                if requests
                    .as_ref()
                    .is_some_and(|r| r.send((request, now)).is_ok())
                {
                    *pending += 1;
                }
            }
            Worker::Inline {
                store,
                answers,
                hooks,
            } => {
                let mut happened = Vec::new();
                answers.push_back(answer_noting(store, request, now, &mut happened));
                let launches = crate::hooks::prepare(store, hooks, &happened, now);
                if !launches.is_empty() {
                    answers.push_back(Response::Hooked(crate::hooks::run_all(
                        launches,
                        hooks.timeout,
                    )));
                }
            }
        }
    }

    /// Answers ready on the calling thread (inline only).
    pub fn take_inline(&mut self) -> Option<Response> {
        match self {
            Worker::Inline { answers, .. } => answers.pop_front(),
            Worker::Thread { .. } => None,
        }
    }

    /// Called for each answer the app receives from the thread.
    pub fn answered(&mut self) {
        if let Worker::Thread { pending, .. } = self {
            *pending = pending.saturating_sub(1);
        }
    }

    pub fn busy(&self) -> bool {
        matches!(self, Worker::Thread { pending, .. } if *pending > 0)
    }
}

/// Quitting closes the store on its own thread (after the request it is answering), so SQLite
/// folds its write-ahead log back into the file: the database is one file again when jobloop
/// has exited.
impl Drop for Worker {
    fn drop(&mut self) {
        if let Worker::Thread {
            requests, thread, ..
        } = self
        {
            drop(requests.take());
            if let Some(t) = thread.take() {
                let _ = t.join();
            }
        }
    }
}
