//! The full-screen terminal UI: the same intents, domain and store as the CLI, drawn with
//! ratatui. Three threads: one reads the terminal, one (the worker) owns the store, and this one
//! applies what either says and draws. Nothing here blocks on the database.

pub mod app;
pub mod config;
pub mod forms;
pub mod keymap;
pub mod remedy;
pub mod ui;
pub mod views;
pub mod worker;

use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event,
};
use ratatui::crossterm::execute;
use std::io;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use crate::store::{Access, Store};
use app::App;
use worker::{Response, Worker};

/// What reaches the drawing thread.
enum Msg {
    Input(Event),
    InputFailed(io::Error),
    Worker(Response),
    /// The start-up file check, run on a connection of its own.
    SideCheck(Response),
    /// Asked to end by this signal (SIGTERM, SIGHUP, SIGQUIT: a logout, a supervisor, `kill`):
    /// end as `q` does, so the terminal is given back as it was.
    Ended(i32),
}

/// How long a write waits for another program's lock before the TUI says "busy" (the worker
/// thread waits, not the screen; the entries stay in the form).
const PATIENCE: Duration = Duration::from_secs(2);

/// Runs the TUI until the user quits.
pub fn run(mut store: Store, actor: Option<String>) -> io::Result<()> {
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let config = config::load(color);
    let read_only = store.access() == Access::ReadOnly;
    let read_only_note = store.read_only_note();
    let team = store.is_shared();
    store
        .set_patience(PATIENCE, 2)
        .map_err(|e| io::Error::other(e.to_string()))?;

    let (tx, rx) = mpsc::channel::<Msg>();
    // SQLite's quick check reads the whole file (seconds on a large one): it runs on its own
    // connection and thread, so opening a loop never waits behind it.
    let path = store.path().to_path_buf();
    let shared = store.is_shared();
    let side = (!shared).then(|| tx.clone());
    let worker = Worker::spawn_with_hooks(store, config.hooks.clone(), tx.clone(), Msg::Worker);
    let mut app = App::new(worker, actor, config.keymap, config.theme, read_only);
    app.team = team;
    if let Some(note) = read_only_note {
        app.say(note, true);
    }
    if let Some(w) = config.warning {
        app.say(w, true);
    }

    // ratatui's hook restores the screen on a panic; ours also turns the mouse and paste off.
    let mut terminal = ratatui::init();
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
        hook(info);
    }));
    execute!(io::stdout(), EnableMouseCapture, EnableBracketedPaste)?;

    spawn_signals(tx.clone());
    spawn_input(tx);

    // The first screenful of jobs is read for the terminal's height.
    if let Ok(size) = terminal.size() {
        app.size = ratatui::layout::Rect::new(0, 0, size.width, size.height);
    }
    // On SQLite the quick check runs beside the worker (below); on the shared store it is a
    // round trip the worker makes.
    let check_on_worker = shared;
    app.start(check_on_worker);
    if let Some(side) = side {
        std::thread::spawn(move || {
            let checked = Store::open(&path, crate::store::Missing::Refuse)
                .and_then(|mut s| s.integrity(true));
            let _ = side.send(Msg::SideCheck(Response::QuickChecked(checked)));
        });
    }
    let mut ended = None;
    let result = event_loop(&mut terminal, &mut app, &rx, &mut ended);

    let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
    ratatui::restore();
    // The cursor is shown again on the main screen, whatever the last frame did with it.
    drop(terminal);
    let _ = execute!(io::stdout(), ratatui::crossterm::cursor::Show);
    // Ended by a signal, the exit says so as a shell does (128 + its number), once the worker
    // has finished and the terminal is back: a script or supervisor sees the program did not
    // end by the person's choice.
    if let Some(signal) = ended {
        drop(app);
        std::process::exit(128 + signal);
    }
    result
}

/// Waits for a request to end on its own thread: without it the process would die at once and
/// leave the terminal in the alternate screen with mouse reporting on and no cursor.
fn spawn_signals(tx: mpsc::Sender<Msg>) {
    use signal_hook::consts::{SIGHUP, SIGQUIT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGQUIT]) else {
        return;
    };
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let _ = tx.send(Msg::Ended(signal));
        }
    });
}

/// Reads the terminal's events on their own thread, until the screen is gone or reading fails.
fn spawn_input(tx: mpsc::Sender<Msg>) {
    std::thread::spawn(move || {
        loop {
            let msg = match event::read() {
                Ok(e) => Msg::Input(e),
                Err(e) => Msg::InputFailed(e),
            };
            let failed = matches!(msg, Msg::InputFailed(_));
            if tx.send(msg).is_err() || failed {
                return;
            }
        }
    });
}

/// Draws, waits for what comes (a key, an answer, a tick) and applies it, until the user quits.
fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    app: &mut App,
    rx: &mpsc::Receiver<Msg>,
    ended: &mut Option<i32>,
) -> io::Result<()> {
    let mut tick = 0usize;
    while !app.quit {
        terminal.draw(|frame| ui::render(frame, app, tick))?;
        // While the store works, redraw often for the spinner; otherwise wake once a minute
        // (the week in the header, stale-rule hints) or when something arrives.
        let wait = if app.busy() || app.waiting_for_time() {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(60)
        };
        let first = match rx.recv_timeout(wait) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => {
                tick = tick.wrapping_add(1);
                app.tick();
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        // Everything already waiting is applied before the next frame: a held key or a
        // paste never queues redraws.
        for msg in std::iter::once(first).chain(rx.try_iter()) {
            match msg {
                Msg::Input(e) => app.handle(e),
                Msg::Worker(r) => app.on_worker(r),
                Msg::SideCheck(r) => app.on_response(r),
                Msg::InputFailed(e) => return Err(e),
                Msg::Ended(signal) => {
                    app.quit = true;
                    *ended = Some(signal);
                }
            }
            if app.quit {
                break;
            }
        }
    }
    Ok(())
}
