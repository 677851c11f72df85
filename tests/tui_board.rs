//! The TUI's board on ratatui's TestBackend, at 80×24 and 120×40, driven by the events a
//! terminal sends: what the first screens show, how the cursor, filters, mouse and odd sizes
//! behave, and that what another process or the worker changes reaches the screen.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::harness::{Harness, SIZES, add_job, ctx};
use jobloop::domain::LoopKind;
use jobloop::domain::intent::Intent;
use jobloop::domain::time::Stamp;
use jobloop::store::{Missing, Store};
use jobloop::tui::app::App;
use jobloop::tui::config::Theme;
use jobloop::tui::keymap::{Action, Keymap};
use jobloop::tui::ui;
use jobloop::tui::views::View;
use jobloop::tui::worker::{Response, Worker};
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use ratatui::style::Modifier;

#[test]
fn an_empty_database_shows_the_welcome() {
    for size in SIZES {
        Harness::new(size, |_| {}).shows(&[
            "Welcome to jobloop",
            "add your first job",
            "load a demo",
        ]);
    }
}

#[test]
fn d_loads_the_demo_only_into_an_empty_database() {
    let mut h = Harness::new((80, 24), |_| {});
    h.keys("D");
    h.shows(&["support-tri", "coaching-fo", "loaded the demo"]);
    h.keys("D");
    h.shows(&["only into an empty database"]);
}

#[test]
fn the_board_shows_every_loop_the_selection_and_the_legend() {
    for size in SIZES {
        let mut h = Harness::demo(size);
        h.shows(&["support-triage", "invoice-reconc", "understand", "closed"]);
        h.shows(&["support-triage/understand · closed · owner Ben Okafor"]);
        h.keys("l");
        h.shows(&["support-triage/redesign · open · owner Chen Wei"]);
    }
}

#[test]
fn narrow_terminals_scroll_the_loop_columns() {
    let mut h = Harness::demo((80, 24));
    h.keys("lllll");
    h.shows(&["distribute"]);
    h.keys("hhhhh");
    h.shows(&["understand"]);
}

#[test]
fn the_cursor_stays_in_bounds_and_selection_shows_without_color() {
    let mut h = Harness::with((80, 24), Some("t"), Theme::new(false), |s| {
        jobloop::demo::load(s, 3, 8, 1, Stamp::now(), &mut |_, _| {}).unwrap();
    });
    h.keys("jjjjjjjj").keys("llllllllll");
    h.shows(&["invoice-reconciliation/distribute"]);
    h.keys("kkkkkkkkk").keys("hhhhhhhhhhhh");
    h.shows(&["support-triage/understand"]);
    let t = h.terminal();
    let buf = t.backend().buffer();
    let reversed = (0..buf.area.height)
        .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
        .filter(|&p| buf[p].modifier.contains(Modifier::REVERSED))
        .count();
    assert!(reversed > 3, "the selected cell is drawn in reverse video");
    assert!(
        (0..buf.area.height)
            .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
            .all(|p| buf[p].fg == ratatui::style::Color::Reset),
        "no color under NO_COLOR"
    );
}

#[test]
fn a_write_from_another_process_appears_when_the_worker_notices() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", None));
    h.hides(&["Second"]);
    let mut other = Store::open(&h.path, Missing::Refuse).unwrap();
    add_job(&mut other, "Second job", None);
    h.app.on_response(Response::Changed);
    h.shows(&["second-job"]);
}

#[test]
fn filters_narrow_the_board_by_text_owner_and_flag() {
    let mut h = Harness::demo((120, 40));
    h.keys("/invoice").key(KeyCode::Enter);
    h.shows(&["invoice-reconciliation"])
        .hides(&["support-triage Triage"]);
    h.keys("/").key(KeyCode::Esc);
    h.shows(&["support-triage"]);
    h.keys("/@chen").key(KeyCode::Enter);
    h.shows(&["support-triage", "coaching-follow-up"]);
    h.key(KeyCode::Esc);
    h.keys("ff");
    h.shows(&["only: no metric", "support-triage", "coaching-follow-up"]);
    h.keys("ff");
    h.shows(&["only: tripped", "coaching-follow-up"])
        .hides(&["support-triage Triage"]);
    // The demo's one pending sign-off is coaching-follow-up's govern decision.
    h.keys("ff");
    h.shows(&["only: sign-off pending", "coaching-follow-up"])
        .hides(&["support-triage Triage", "invoice-reconciliation"]);
    h.key(KeyCode::Esc);
    h.hides(&["only:"]);
}

#[test]
fn help_lists_this_screens_keys_first_then_every_key() {
    let mut h = Harness::demo((120, 40));
    h.keys("ll").key(KeyCode::Enter).keys("?");
    let screen = h.screen();
    assert!(screen.contains("loop"), "{screen}");
    let keys = Keymap::default();
    let text = h.scrolled(KeyCode::PageDown, 20);
    for a in Action::ALL {
        assert!(text.contains(a.describe()), "help misses {a:?}");
        assert!(
            text.contains(&keys.keys_for(*a)),
            "help misses the key of {a:?}"
        );
    }
}

#[test]
fn a_click_selects_a_cell_and_the_wheel_moves() {
    let mut h = Harness::demo((120, 40));
    let body = ui::areas(h.app.size).1;
    let cols = jobloop::tui::views::board::columns(120);
    h.event(Event::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: cols.job + cols.cell * 3 + 1,
        row: body.y + 2,
        modifiers: KeyModifiers::NONE,
    }));
    h.shows(&["coaching-follow-up/govern"]);
    h.event(Event::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 0,
        row: 0,
        modifiers: KeyModifiers::NONE,
    }));
    h.shows(&["invoice-reconciliation/govern"]);
}

#[test]
fn control_characters_from_the_database_never_reach_the_screen() {
    let mut h = Harness::new((120, 40), |s| {
        s.apply(
            &ctx(),
            &Intent::AddJob {
                title: "Evil\u{1b}]52;c;aGk=\u{7}\u{202e}txt\u{200b}".into(),
                slug: Some("evil".into()),
                statement: None,
                owner: None,
                since: None,
            },
        )
        .unwrap();
        // An owner's name with control characters, edited into the file behind jobloop's back
        // (typed, it is refused).
        rusqlite::Connection::open(s.path())
            .unwrap()
            .execute_batch("UPDATE loops SET owner = 'Mal' || char(27) || '[2J'")
            .unwrap();
    });
    let screen = h.screen();
    assert!(
        !screen
            .chars()
            .any(|c| c != '\n' && jobloop::display::is_unsafe(c)),
        "{screen}"
    );
}

#[test]
fn tiny_and_odd_sizes_never_panic() {
    let mut h = Harness::demo((80, 24));
    for (w, hh) in [
        (1, 1),
        (10, 5),
        (39, 9),
        (40, 10),
        (41, 11),
        (79, 23),
        (250, 70),
    ] {
        h.event(Event::Resize(w, hh));
        h.app.size = Rect::new(0, 0, w, hh);
        for keys in ["", "l", "\n", "r", "L", "?", "J", "x", "M", "c"] {
            for c in keys.chars() {
                if c == '\n' {
                    h.key(KeyCode::Enter);
                } else {
                    h.keys(&c.to_string());
                }
                h.screen();
            }
            h.key(KeyCode::Esc).keys("y").key(KeyCode::Esc);
        }
    }
}

#[test]
fn q_quits_and_ctrl_c_quits_from_a_form_and_releases_are_ignored() {
    let mut h = Harness::demo((80, 24));
    h.event(Event::Key(KeyEvent::new_with_kind(
        KeyCode::Char('q'),
        KeyModifiers::NONE,
        KeyEventKind::Release,
    )));
    assert!(!h.app.quit);
    h.keys("q");
    assert!(h.app.quit);
    let mut h = Harness::demo((80, 24));
    h.keys("a").keys("q");
    assert!(!h.app.quit, "q is typed into the form");
    h.ctrl('c');
    assert!(h.app.quit);
}

#[test]
fn adding_a_job_puts_the_cursor_on_its_understand_loop() {
    let mut h = Harness::demo((120, 40));
    h.keys("a")
        .keys("Answer supplier emails")
        .key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.shows(&["answer-supplier-emails/understand"]);
}

#[test]
fn the_board_follows_the_loop_the_detail_moved_to() {
    let mut h = Harness::demo((80, 24));
    h.key(KeyCode::Enter).keys("lll").key(KeyCode::Esc);
    h.shows(&["support-triage/govern"]);
}

/// A large board shows its first screenful before the rest is read: the footer says so rather
/// than count only those jobs; keys typed meanwhile wait and then act on the whole board (none
/// lost, none clamped to the first screenful); a first screenful that arrives after the whole
/// board never replaces it.
#[test]
fn the_first_screen_comes_before_the_whole_board() {
    use jobloop::tui::worker::{Request, answer};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut store = Store::open(&path, Missing::Create).unwrap();
    for i in 0..30 {
        add_job(&mut store, &format!("Job {i:02}"), None);
    }
    let mut reader = Store::open(&path, Missing::Refuse).unwrap();
    let mut h = Harness {
        app: App::new(
            Worker::inline(store),
            Some("tester".into()),
            Keymap::default(),
            Theme::new(true),
            false,
        ),
        path,
        dir,
    };
    h.app.size = Rect::new(0, 0, 120, 12);
    // Two rows down before anything is read: they wait too.
    h.key(KeyCode::Down).key(KeyCode::Down);
    h.app.on_response(answer(
        &mut reader,
        Request::BoardFirst { rows: 12 },
        Stamp::now(),
    ));
    assert!(!h.app.board_complete());
    h.shows(&["job-00", "reading the rest of the board"])
        .hides(&["30 jobs", "0 open"]);
    // Twenty more rows down and the weekly review, typed before the rest arrives: they wait.
    for _ in 0..20 {
        h.key(KeyCode::Down);
    }
    h.keys("r");
    assert!(matches!(h.app.top(), View::Board(_)));
    h.shows(&["job-00/understand"]);
    h.app
        .on_response(answer(&mut reader, Request::Board, Stamp::now()));
    assert!(h.app.board_complete());
    assert!(
        matches!(h.app.top(), View::Walk(_)),
        "the review key waited"
    );
    h.key(KeyCode::Esc);
    h.shows(&["30 jobs", "job-22/understand"])
        .hides(&["reading the rest"]);
    // A late first screenful is ignored.
    h.app.on_response(answer(
        &mut reader,
        Request::BoardFirst { rows: 5 },
        Stamp::now(),
    ));
    assert!(h.app.board_complete());
    assert_eq!(h.app.loaded.as_ref().unwrap().review.jobs.len(), 30);
    h.shows(&["job-22/understand"]);
    // A board with fewer jobs than the screen's rows is whole at once.
    let dir2 = tempfile::tempdir().unwrap();
    let small = dir2.path().join("s.db");
    let mut s = Store::open(&small, Missing::Create).unwrap();
    add_job(&mut s, "Only", None);
    match answer(&mut s, Request::BoardFirst { rows: 12 }, Stamp::now()) {
        Response::Board(Ok(l)) => assert!(l.complete && l.review.jobs.len() == 1),
        other => panic!("{other:?}"),
    }
}

/// The whole board that could not be read (the file busy) is read again by itself; the quit
/// key still quits at once while nothing waits.
#[test]
fn a_board_that_could_not_be_read_is_read_again() {
    use jobloop::tui::worker::{Request, answer};
    let mut h = Harness::new((120, 12), |s| {
        for i in 0..20 {
            add_job(s, &format!("Job {i:02}"), None);
        }
    });
    let mut reader = Store::open(&h.path, Missing::Refuse).unwrap();
    h.app.loaded = None;
    h.app.on_response(answer(
        &mut reader,
        Request::BoardFirst { rows: 5 },
        Stamp::now(),
    ));
    h.app
        .on_response(Response::Board(Err(jobloop::store::Error::Busy(
            "the database is busy".into(),
        ))));
    h.shows(&["reading it again shortly", "reading the rest"]);
    assert!(h.app.waiting_for_time());
    h.app.tick();
    assert!(!h.app.board_complete(), "not before its time");
    h.app.clock.advance(std::time::Duration::from_millis(999));
    h.app.tick();
    assert!(!h.app.board_complete(), "still not before its time");
    h.app.clock.advance(std::time::Duration::from_millis(1));
    h.app.tick();
    assert!(h.app.board_complete());
    assert!(!h.app.waiting_for_time());
    h.shows(&["20 jobs"]);
}

/// Another process archives a job above the cursor: the cursor stays on its job.
#[test]
fn the_cursor_follows_its_job_when_rows_above_it_go() {
    let mut h = Harness::new((120, 30), |s| {
        for i in 0..5 {
            add_job(s, &format!("Job {i}"), None);
        }
    });
    h.key(KeyCode::Down).key(KeyCode::Down).key(KeyCode::Down);
    h.shows(&["job-3/understand"]);
    let mut other = Store::open(&h.path, Missing::Refuse).unwrap();
    other
        .apply(
            &ctx(),
            &Intent::ArchiveJob {
                slug: "job-1".into(),
                archived: true,
            },
        )
        .unwrap();
    h.app.on_response(Response::Changed);
    h.shows(&["job-3/understand"]).hides(&["job-1 "]);
}

/// A commit by another process while the worker thread answers a request is still reported
/// (the worker never takes it for its own), so the screen reloads without a key press.
#[test]
fn a_change_made_while_the_worker_answers_is_still_seen() {
    use jobloop::tui::worker::Request;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = Store::open(&path, Missing::Create).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let mut worker = Worker::spawn(store, tx, |r| r);
    // The worker has started (it answered), then another process commits, and a request
    // reaches the worker before its next look.
    worker.send(Request::Log { limit: 1 }, Stamp::now());
    assert!(matches!(rx.recv().unwrap(), Response::Log(Ok(_))));
    let mut other = Store::open(&path, Missing::Refuse).unwrap();
    add_job(&mut other, "Elsewhere", None);
    worker.send(Request::Board, Stamp::now());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut changed = false;
    while !changed && std::time::Instant::now() < deadline {
        if let Ok(r) = rx.recv_timeout(std::time::Duration::from_millis(100)) {
            changed = matches!(r, Response::Changed);
        }
    }
    assert!(changed, "the other process's commit was never reported");
}

/// An app on a real worker thread (answers arrive later, as in the terminal).
fn threaded(path: &std::path::Path) -> (App, std::sync::mpsc::Receiver<Response>) {
    let store = Store::open(path, Missing::Refuse).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let mut app = App::new(
        Worker::spawn(store, tx, |r| r),
        Some("tester".into()),
        Keymap::default(),
        Theme::new(true),
        false,
    );
    app.size = Rect::new(0, 0, 120, 40);
    app.start(true);
    (app, rx)
}

/// Applies the worker's answers until it has been idle for a while.
fn settle(app: &mut App, rx: &std::sync::mpsc::Receiver<Response>) {
    loop {
        match rx.recv_timeout(std::time::Duration::from_millis(300)) {
            Ok(r) => app.on_worker(r),
            Err(_) if !app.busy() => return,
            Err(_) => {}
        }
    }
}

fn press_all(app: &mut App, keys: &[(KeyCode, KeyModifiers)]) {
    for (code, m) in keys {
        app.handle(Event::Key(KeyEvent::new_with_kind(
            *code,
            *m,
            KeyEventKind::Press,
        )));
    }
}

/// Keys typed faster than the store answers wait for what the key before them started: the
/// letters after `n` go into the notes form (not into the forms their letters would open on the
/// board), and the keys after a saved form act on the screen after the save.
#[test]
fn typed_ahead_keys_wait_for_the_form_and_the_save_before_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut s = Store::open(&path, Missing::Create).unwrap();
    add_job(&mut s, "Job", Some("Ana"));
    drop(s);
    let (mut app, rx) = threaded(&path);
    let none = KeyModifiers::NONE;
    let mut keys = vec![(KeyCode::Right, none), (KeyCode::Char('n'), none)];
    keys.extend("xyz".chars().map(|c| (KeyCode::Char(c), none)));
    keys.push((KeyCode::Char('s'), KeyModifiers::CONTROL));
    // All of it before the store answered anything.
    press_all(&mut app, &keys);
    settle(&mut app, &rx);
    let mut check = Store::open(&path, Missing::Refuse).unwrap();
    let detail = check
        .loop_detail("job", LoopKind::Redesign, 10, Stamp::now())
        .unwrap();
    assert_eq!(detail.record.lp.notes, "xyz");
    assert!(
        detail
            .record
            .kill_signals
            .iter()
            .all(|k| k.reason.is_none())
    );
    // The quit key typed while a form waits for its records is text for that form.
    let mut keys = vec![(KeyCode::Char('n'), none)];
    keys.extend("quiet".chars().map(|c| (KeyCode::Char(c), none)));
    keys.push((KeyCode::Char('s'), KeyModifiers::CONTROL));
    press_all(&mut app, &keys);
    assert!(!app.quit, "q quit while the notes form was on its way");
    settle(&mut app, &rx);
    assert!(!app.quit);
    let detail = check
        .loop_detail("job", LoopKind::Redesign, 10, Stamp::now())
        .unwrap();
    assert!(
        detail.record.lp.notes.contains("quiet"),
        "{}",
        detail.record.lp.notes
    );

    // A new job, then two loops to the right and Enter, typed before the save is answered.
    let mut keys = vec![(KeyCode::Char('a'), none)];
    keys.extend("Zeta".chars().map(|c| (KeyCode::Char(c), none)));
    keys.extend([
        (KeyCode::Enter, none),
        (KeyCode::Right, none),
        (KeyCode::Right, none),
        (KeyCode::Enter, none),
    ]);
    press_all(&mut app, &keys);
    settle(&mut app, &rx);
    match app.top() {
        View::Detail(d) => assert_eq!((d.slug.as_str(), d.kind), ("zeta", LoopKind::Instrument)),
        _ => panic!("the loop detail of the new job's instrument loop is not open"),
    }
}

#[test]
fn an_empty_filter_result_says_no_loop_matches_and_how_to_clear_it() {
    let mut h = Harness::demo((80, 24));
    // While typing, and after Enter.
    h.keys("/zzz-nothing");
    h.shows(&["No loop matches the filter (text `zzz-nothing`). Esc clears"]);
    h.key(KeyCode::Enter);
    h.shows(&["No loop matches the filter (text `zzz-nothing`). Esc clears"]);
    h.key(KeyCode::Esc);
    h.shows(&["support-triage"]).hides(&["No loop matches"]);
    // A text and a flag filter that together leave nothing: both are named, Esc clears both.
    h.keys("/support").key(KeyCode::Enter).keys("ffff");
    h.shows(&["(text `support`, only: tripped)"]);
    h.key(KeyCode::Esc);
    h.shows(&["support-triage", "coaching-follow-up"])
        .hides(&["No loop matches"]);
}

#[test]
fn a_double_click_on_a_loop_cell_opens_it() {
    let mut h = Harness::demo((120, 40));
    let body = ui::areas(h.app.size).1;
    let cols = jobloop::tui::views::board::columns(120);
    let click = |h: &mut Harness, col: u16| {
        h.event(Event::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: cols.job + cols.cell * col + 1,
            row: body.y + 2,
            modifiers: KeyModifiers::NONE,
        }));
    };
    let on_board = |h: &Harness| matches!(h.app.top(), View::Board(_));
    // Too slow: two single clicks.
    click(&mut h, 3);
    h.app.clock.advance(std::time::Duration::from_millis(501));
    click(&mut h, 3);
    assert!(on_board(&h), "clicks 501 ms apart opened the loop");
    // Two cells: two single clicks.
    click(&mut h, 2);
    h.app.clock.advance(std::time::Duration::from_millis(100));
    assert!(on_board(&h));
    // The same cell within 500 ms: opened, as Enter opens it.
    h.app.clock.advance(std::time::Duration::from_millis(400));
    click(&mut h, 2);
    match h.app.top() {
        View::Detail(d) => assert_eq!(
            (d.slug.as_str(), d.kind),
            ("coaching-follow-up", LoopKind::Instrument)
        ),
        _ => panic!("a double click did not open the loop"),
    }
}

/// A window made narrow for a moment (a split pane) scrolls the loop columns; made wide again,
/// every column is back, from understand on.
#[test]
fn a_wide_board_again_shows_every_loop_column() {
    let mut h = Harness::demo((120, 40));
    h.keys("lllll");
    h.event(Event::Resize(44, 20));
    h.shows(&["‹"]);
    h.event(Event::Resize(120, 40));
    h.shows(&["under redes instr gov"]).hides(&["‹"]);
}

/// The board's "last" column names a compound test of an earlier year with its year: a test
/// answered a year ago never reads as this week's.
#[test]
fn a_compound_test_of_an_earlier_year_shows_its_year() {
    use jobloop::domain::Week;
    let mut last_year = Week::containing(Stamp::now());
    // More than a year back, whatever week this is (a year has 52 or 53).
    for _ in 0..60 {
        last_year = last_year.previous();
    }
    let mut h = Harness::new((200, 40), |s| {
        s.apply(
            &ctx(),
            &Intent::AddJob {
                title: "Paused".into(),
                slug: None,
                statement: None,
                owner: None,
                since: Some(last_year.monday()),
            },
        )
        .unwrap();
        s.apply(
            &ctx(),
            &Intent::CloseCycle {
                slug: "paused".into(),
                week: Some(last_year),
                answers: jobloop::domain::cycle::CompoundAnswers {
                    understanding: Some(true),
                    explanation: Some(true),
                    creation: Some(true),
                    distribution: Some(true),
                    ..Default::default()
                },
            },
        )
        .unwrap();
    });
    h.shows(&[&format!("✓ {last_year}")]);
}
