//! The full-screen terminal UI: the same domain and store as the CLI, drawn with ratatui.

pub mod app;
pub mod config;
pub mod form;
pub mod keymap;
pub mod ui;

use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use ratatui::crossterm::execute;
use std::io;

use crate::store::Store;
use app::App;

/// Runs the TUI until the user quits. Redraws only after an event: no busy loop.
pub fn run(store: Store, actor: String) -> io::Result<()> {
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let config = config::load(color);
    let mut app = App::new(store, actor, config.keymap, config.theme)
        .map_err(|e| io::Error::other(e.to_string()))?;
    if let Some(w) = config.warning {
        app.message = Some(app::Message {
            text: w,
            error: true,
        });
    }

    // ratatui's hook restores the screen on a panic; ours also turns the mouse and paste off.
    let mut terminal = ratatui::init();
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
        hook(info);
    }));
    execute!(io::stdout(), EnableMouseCapture, EnableBracketedPaste)?;

    let result = (|| -> io::Result<()> {
        let mut started = false;
        while !app.quit {
            let mut body = ratatui::layout::Rect::default();
            terminal.draw(|frame| {
                body = ui::areas(frame.area()).1;
                ui::render(frame, &app);
            })?;
            if !started {
                started = true;
                if let Err(e) = app.startup() {
                    app.message = Some(app::Message {
                        text: e.to_string(),
                        error: true,
                    });
                }
                continue;
            }
            let ev = event::read()?;
            app.handle(ev, body);
        }
        Ok(())
    })();

    let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
    ratatui::restore();
    result
}
