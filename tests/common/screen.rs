//! The TUI on ratatui's `TestBackend`: an app over an inline worker (answers on the calling
//! thread), its keys, and the whole frame as text.

use jobloop::clock::Clock;
use jobloop::store::Store;
use jobloop::tui::app::App;
use jobloop::tui::config::Theme;
use jobloop::tui::keymap::Keymap;
use jobloop::tui::ui;
use jobloop::tui::worker::Worker;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

/// The app on `store` as `actor`, `size` wide and high, reading time from `clock`, started (the
/// board loaded).
pub fn app(
    store: Store,
    actor: Option<&str>,
    theme: Theme,
    clock: Clock,
    size: (u16, u16),
    digest_dir: &std::path::Path,
) -> App {
    let mut app = App::new(
        Worker::inline(store),
        actor.map(str::to_string),
        Keymap::default(),
        theme,
        false,
    );
    app.clock = clock;
    app.size = Rect::new(0, 0, size.0, size.1);
    app.digest_dir = digest_dir.to_path_buf();
    app.start(true);
    app
}

/// A key pressed (its press only: releases are ignored, as on a real terminal).
pub fn press(app: &mut App, code: KeyCode, modifiers: KeyModifiers) {
    app.handle(Event::Key(KeyEvent::new_with_kind(
        code,
        modifiers,
        KeyEventKind::Press,
    )));
}

/// The frame drawn at the app's size.
pub fn terminal(app: &mut App) -> Terminal<TestBackend> {
    let (w, h) = (app.size.width, app.size.height);
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    t.draw(|f| ui::render(f, app, 0)).expect("draw");
    t
}

/// The frame as text, a line per row.
pub fn text(app: &mut App) -> String {
    let t = terminal(app);
    let buf = t.backend().buffer();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}
