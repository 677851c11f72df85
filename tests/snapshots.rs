//! Whole-frame snapshots of every TUI screen at 80×24 and 120×40, beside the substring checks
//! of `tui.rs`: a change to any cell of a screen shows up in review (`cargo insta review`, or
//! read the `.snap` files). The data is the seeded demo and the clock is fixed, so a frame is
//! the same on every machine and every day.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::screen;
use jobloop::clock::Clock;
use jobloop::domain::Stamp;
use jobloop::store::{Missing, Store};
use jobloop::tui::app::App;
use jobloop::tui::config::Theme;
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

/// Noon UTC: the same calendar day in every time zone from UTC−11 to UTC+11.
const NOW: &str = "2026-11-25T12:00:00Z";

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

/// The demo (3 jobs, 8 weeks, seed 1) as of `NOW`, on a screen of `size`.
fn demo(size: (u16, u16), dir: &tempfile::TempDir) -> App {
    let now = Stamp::parse(NOW).unwrap();
    let mut store = Store::open(&dir.path().join("jobloop.db"), Missing::Create).unwrap();
    jobloop::demo::load(&mut store, 3, 8, 1, now, &mut |_, _| {}).unwrap();
    screen::app(
        store,
        Some("Lead"),
        Theme::new(true),
        Clock::fixed(now),
        size,
        dir.path(),
    )
}

fn keys(app: &mut App, keys: &[KeyCode]) {
    for k in keys {
        screen::press(app, *k, KeyModifiers::NONE);
    }
}

/// Each screen, reached by its keys from the board.
const SCREENS: [(&str, &[KeyCode]); 10] = [
    ("board", &[]),
    ("loop_detail", &[KeyCode::Enter]),
    ("job", &[KeyCode::Char('J')]),
    ("weekly_review", &[KeyCode::Char('r')]),
    ("log", &[KeyCode::Char('L')]),
    ("help", &[KeyCode::Char('?')]),
    (
        "measure_form",
        &[KeyCode::Right, KeyCode::Right, KeyCode::Char('m')],
    ),
    (
        "instrument_detail",
        &[KeyCode::Right, KeyCode::Right, KeyCode::Enter],
    ),
    ("filter", &[KeyCode::Char('/')]),
    ("week_form", &[KeyCode::Char('N')]),
];

#[test]
fn every_screen_at_80x24_and_120x40() {
    for (w, h) in SIZES {
        for (name, path) in SCREENS {
            let dir = tempfile::tempdir().unwrap();
            let mut app = demo((w, h), &dir);
            keys(&mut app, path);
            let frame = screen::text(&mut app);
            // The log shows when each event was recorded in the local time zone: the same frame
            // in every zone, with the time of day left out.
            insta::with_settings!({filters => vec![(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[local time]")]}, {
                insta::assert_snapshot!(format!("{name}_{w}x{h}"), frame);
            });
        }
    }
}

/// The board answers the spec's questions at every size: at 200×50 the extra width goes to
/// the metric column, not only the title; with the cursor on the instrument column the metric
/// column shows each job's instrument metric.
#[test]
fn the_board_at_200x50_and_on_the_instrument_column() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = demo((200, 50), &dir);
    insta::assert_snapshot!("board_200x50", screen::text(&mut app));
    for (w, h) in SIZES {
        let dir = tempfile::tempdir().unwrap();
        let mut app = demo((w, h), &dir);
        keys(&mut app, &[KeyCode::Right, KeyCode::Right]);
        insta::assert_snapshot!(format!("board_instrument_{w}x{h}"), screen::text(&mut app));
    }
}
