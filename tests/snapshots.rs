//! Whole-frame snapshots of every TUI screen at 80×24 and 120×40, beside the substring checks
//! of the `tui_*.rs` tests: a change to any cell of a screen shows up in review (`cargo insta
//! review`, or read the `.snap` files). The data is the seeded demo and the clock is fixed, so a frame is
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

/// The glyph of each chart mark, as the legend names it (`src/tui/views/chart.rs`).
const CHART_MARKS: [char; 7] = ['○', '●', '─', '╌', '·', '═', '┆'];

// long: one chart at both sizes with and without colour, each glyph checked both ways between
// legend and plot; the checks only mean something together
/// The instrument loop's chart of the demo, at both sizes, with and without colour: the same
/// text (colour adds, never replaces), every glyph the legend names drawn in the plot and every
/// glyph of the plot named, the legend under the plot.
#[test]
fn the_chart_legend_names_what_the_plot_draws_with_and_without_colour() {
    // One demo, read by all four screens: loading it is what takes time.
    let dir = tempfile::tempdir().unwrap();
    let now = Stamp::parse(NOW).unwrap();
    let db = dir.path().join("jobloop.db");
    let mut store = Store::open(&db, Missing::Create).unwrap();
    jobloop::demo::load(&mut store, 3, 8, 1, now, &mut |_, _| {}).unwrap();
    drop(store);
    for (w, h) in SIZES {
        let mut frames = Vec::new();
        for color in [true, false] {
            let store = Store::open(&db, Missing::Create).unwrap();
            let mut app = screen::app(
                store,
                Some("Lead"),
                Theme::new(color),
                Clock::fixed(now),
                (w, h),
                dir.path(),
            );
            keys(&mut app, &[KeyCode::Right, KeyCode::Right, KeyCode::Enter]);
            let t = screen::terminal(&mut app);
            let buf = t.backend().buffer().clone();
            let row = |y: u16, from: u16| -> Vec<char> {
                (from..w)
                    .flat_map(|x| buf[(x, y)].symbol().chars().collect::<Vec<_>>())
                    .collect()
            };
            // The x axis: `└` then the first date.
            let (ax, ay) = (0..h)
                .flat_map(|y| (0..w).map(move |x| (x, y)))
                .find(|&p| buf[p].symbol() == "└" && buf[(p.0 + 1, p.1)].symbol() == "0")
                .expect("the chart's x axis");
            let plot_rows: Vec<u16> = (0..ay)
                .rev()
                .take_while(|&y| buf[(ax, y)].symbol() == "│")
                .collect();
            assert!(
                plot_rows.len() >= 5,
                "{w}x{h}: {} plot rows",
                plot_rows.len()
            );
            let plot: String = plot_rows.iter().flat_map(|&y| row(y, ax + 1)).collect();
            // The chart's left edge: where the highest value's label begins.
            let top = *plot_rows.last().unwrap();
            let mut left = ax;
            while left > 0 && buf[(left - 1, top)].symbol() == " " {
                left -= 1;
            }
            while left > 0 && buf[(left - 1, top)].symbol() != " " {
                left -= 1;
            }
            // Legend rows: under the axis, each only `glyph name` entries.
            let mut legend = String::new();
            for y in ay + 1..h {
                let text: String = row(y, left).into_iter().collect();
                let entries: Vec<&str> = text.trim_end().split("  ").collect();
                let is_legend = entries.iter().all(|e| {
                    let mut c = e.chars();
                    c.next().is_some_and(|g| CHART_MARKS.contains(&g)) && c.next() == Some(' ')
                });
                if !is_legend {
                    break;
                }
                legend.push_str(&text);
            }
            assert!(!legend.is_empty(), "{w}x{h}: no legend under the chart");
            for g in CHART_MARKS {
                let named = legend.contains(&format!("{g} "));
                assert_eq!(
                    named,
                    plot.contains(g),
                    "{w}x{h} colour {color}: `{g}` named {named} in `{legend}`"
                );
            }
            for c in plot.chars().filter(|c| *c != ' ') {
                assert!(
                    CHART_MARKS.contains(&c),
                    "{w}x{h}: `{c}` drawn, never named"
                );
            }
            if !color {
                assert!(
                    buf.content()
                        .iter()
                        .all(|c| c.fg == ratatui::style::Color::Reset),
                    "no colour under NO_COLOR"
                );
            }
            frames.push(screen::text(&mut app));
        }
        assert_eq!(frames[0], frames[1], "{w}x{h}: colour adds, never replaces");
        insta::assert_snapshot!(format!("chart_no_color_{w}x{h}"), frames[1]);
    }
}
