//! The TUI on ratatui's TestBackend: every screen and form at 80×24 and 120×40, driven by the
//! same events a terminal sends.

use jobloop::domain::Ctx;
use jobloop::domain::Stamp;
use jobloop::store::Store;
use jobloop::tui::app::{App, Screen};
use jobloop::tui::config::Theme;
use jobloop::tui::keymap::Keymap;
use jobloop::tui::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use ratatui::style::Modifier;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

struct Harness {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    app: App,
    size: (u16, u16),
}

impl Harness {
    fn new(size: (u16, u16), setup: impl FnOnce(&mut Store)) -> Harness {
        Harness::with_theme(size, Theme::new(true), setup)
    }

    fn with_theme(size: (u16, u16), theme: Theme, setup: impl FnOnce(&mut Store)) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut store = Store::open(&path).unwrap();
        setup(&mut store);
        let app = App::new(store, "tester".into(), Keymap::default(), theme).unwrap();
        Harness {
            _dir: dir,
            path,
            app,
            size,
        }
    }

    fn demo(size: (u16, u16)) -> Harness {
        Harness::new(size, |s| {
            s.load_demo(3, 8, 1, Stamp::now()).unwrap();
        })
    }

    fn body(&self) -> Rect {
        ui::areas(Rect::new(0, 0, self.size.0, self.size.1)).1
    }

    fn key(&mut self, code: KeyCode) -> &mut Self {
        let body = self.body();
        self.app.handle(
            Event::Key(KeyEvent::new_with_kind(
                code,
                KeyModifiers::NONE,
                KeyEventKind::Press,
            )),
            body,
        );
        self
    }

    fn keys(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
        self
    }

    fn terminal(&self) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(self.size.0, self.size.1)).unwrap();
        t.draw(|f| ui::render(f, &self.app)).unwrap();
        t
    }

    fn screen(&self) -> String {
        let t = self.terminal();
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

    fn export(&self) -> String {
        let mut s = Store::open(&self.path).unwrap();
        serde_json::to_string(&s.export().unwrap()).unwrap()
    }
}

fn assert_shows(h: &Harness, texts: &[&str]) {
    let screen = h.screen();
    for t in texts {
        assert!(
            screen.contains(t),
            "{:?}: missing {t:?} in\n{screen}",
            h.size
        );
    }
}

#[test]
fn an_empty_database_shows_the_welcome() {
    for size in SIZES {
        let h = Harness::new(size, |_| {});
        assert_shows(
            &h,
            &["Welcome to jobloop", "add your first job", "load a demo"],
        );
    }
}

#[test]
fn d_loads_the_demo_only_into_an_empty_database() {
    let mut h = Harness::new((80, 24), |_| {});
    h.keys("D");
    assert_shows(&h, &["support-tri", "coaching-fo", "loaded the demo"]);
    h.keys("D");
    assert_shows(&h, &["only into an empty database"]);
}

#[test]
fn the_board_shows_every_loop_and_starts_on_understand() {
    for size in SIZES {
        let h = Harness::demo(size);
        assert_shows(
            &h,
            &[
                "understand",
                "redesign",
                "instrument",
                "govern",
                "improve",
                "distribute",
            ],
        );
        assert_shows(&h, &[">✓", "15 open", "1 tripped", "1 cycles overdue", "?"]);
        assert_eq!((h.app.cursor_job, h.app.cursor_kind), (0, 0));
    }
    let h = Harness::demo((120, 40));
    assert_shows(
        &h,
        &[
            "support-triage Triage support tickets",
            "✓   closed",
            "open",
        ],
    );
}

#[test]
fn the_cursor_moves_with_keys_and_arrows_and_stays_in_bounds() {
    let mut h = Harness::demo((80, 24));
    h.keys("ll")
        .key(KeyCode::Right)
        .key(KeyCode::Down)
        .keys("j");
    assert_eq!((h.app.cursor_job, h.app.cursor_kind), (2, 3));
    h.keys("jjjlllllll");
    assert_eq!((h.app.cursor_job, h.app.cursor_kind), (2, 5));
    h.key(KeyCode::Up).keys("hhhhhhhhk");
    assert_eq!((h.app.cursor_job, h.app.cursor_kind), (0, 0));
}

#[test]
fn selection_is_visible_without_color() {
    let h = Harness::with_theme((80, 24), Theme::new(false), |s| {
        s.load_demo(3, 8, 1, Stamp::now()).unwrap();
    });
    let t = h.terminal();
    let buf = t.backend().buffer();
    let (x, y) = (0..80)
        .flat_map(|x| (0..24).map(move |y| (x, y)))
        .find(|&(x, y)| buf[(x, y)].symbol() == ">")
        .expect("a cursor marker");
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
    assert_eq!(buf[(x, y)].fg, ratatui::style::Color::Reset);
}

#[test]
fn the_loop_detail_shows_checklist_chart_signals_and_activity() {
    for size in SIZES {
        let mut h = Harness::demo(size);
        h.keys("j").keys("ll").key(KeyCode::Enter);
        assert_eq!(h.app.screen, Screen::Detail);
        assert_shows(
            &h,
            &[
                "coaching-follow-up/instrument",
                "Checklist",
                "Kill signals",
                "TRIPPED",
                "follow-ups sent within 24 h",
                "vs baseline",
                "Recent activity",
                "KILL SIGNAL TRIPPED",
            ],
        );
        h.key(KeyCode::Esc);
        assert_eq!(h.app.screen, Screen::Board);
    }
}

#[test]
fn the_weekly_review_walks_the_flags_and_ends_with_the_compound_test() {
    for size in SIZES {
        let mut h = Harness::demo(size);
        h.keys("r");
        assert_eq!(h.app.screen, Screen::Review);
        let total = h.app.walk.len();
        assert_shows(
            &h,
            &[
                &format!("Weekly review — 1 of {total}"),
                "no primary metric",
            ],
        );
        // Walk to the end: the compound-test form opens for a job whose cycle is due.
        for _ in 0..total {
            if h.app.form.is_some() {
                break;
            }
            h.keys("j");
        }
        assert!(h.app.form.is_some(), "no compound test form at the end");
        assert_shows(&h, &["Compound test of", "understanding", "distribution"]);
    }
}

#[test]
fn fixing_a_flag_in_the_walk_marks_it_resolved() {
    let mut h = Harness::new((80, 24), |s| {
        let ctx = Ctx {
            actor: "t".into(),
            now: Stamp::now(),
        };
        s.add_job(&ctx, "Job", None, None, Some("Ana")).unwrap();
        s.on_loop(&ctx, "job", jobloop::domain::LoopKind::Govern, |r, c| {
            r.open(c)
        })
        .unwrap();
    });
    h.keys("r");
    assert_shows(&h, &["job/govern", "no primary metric"]);
    h.keys("M").keys("policy reads").key(KeyCode::Enter);
    assert_shows(
        &h,
        &[
            "✓ no primary metric",
            "set the primary metric of job/govern",
        ],
    );
}

#[test]
fn the_log_lists_events_newest_first_and_filters() {
    for size in SIZES {
        let mut h = Harness::demo(size);
        h.keys("L");
        assert_eq!(h.app.screen, Screen::Log);
        assert_shows(&h, &["cycle close"]);
        h.keys("/tripped").key(KeyCode::Enter);
        let screen = h.screen();
        assert!(screen.contains("tripped kill signal"), "{screen}");
        assert!(!screen.contains("cycle close"), "{screen}");
    }
}

#[test]
fn help_lists_every_key_from_the_keymap() {
    for size in SIZES {
        let mut h = Harness::demo(size);
        h.keys("?");
        assert_eq!(h.app.screen, Screen::Help);
        assert_shows(&h, &["quit", "trip a kill signal", "x "]);
        // The rest is a scroll away on a small screen.
        h.keys("jjjjjjjjjjjjjjjjjjjj");
        assert_shows(
            &h,
            &["weekly review", "write the weekly digest", "load the demo"],
        );
        h.key(KeyCode::Esc);
        assert_eq!(h.app.screen, Screen::Board);
    }
}

#[test]
fn the_board_filter_narrows_jobs() {
    let mut h = Harness::demo((120, 40));
    h.keys("/invoice").key(KeyCode::Enter);
    let screen = h.screen();
    assert!(screen.contains("invoice-reconciliation"), "{screen}");
    assert!(!screen.contains("support-triage Triage"), "{screen}");
    h.keys("/").key(KeyCode::Esc);
    assert_eq!(h.app.visible_jobs().len(), 3);
}

#[test]
fn every_form_opens_with_its_fields_at_both_sizes() {
    let forms: [(&str, &[&str]); 13] = [
        ("s", &["Checklist of", "step", "evidence"]),
        (
            "S",
            &["Close support-triage/redesign", "even with undone steps"],
        ),
        (
            "e",
            &[
                "Job support-triage",
                "current workaround",
                "hiring criteria",
            ],
        ),
        ("a", &["New job", "title", "statement"]),
        ("o", &["Owner of", "owner"]),
        ("M", &["Primary metric of", "name", "unit", "better"]),
        ("b", &["Baseline for", "value", "date"]),
        ("m", &["Measurement for", "value"]),
        ("i", &["Intervention on", "what changes"]),
        ("x", &["Trip a kill signal", "signal", "reason", "evidence"]),
        (
            "d",
            &["Irreversible decision", "decision", "owner", "threshold"],
        ),
        (
            "c",
            &[
                "Compound test of",
                "understanding",
                "explanation",
                "creation",
            ],
        ),
        ("R", &["Retire (kill)", "reason"]),
    ];
    for size in SIZES {
        for (key, texts) in forms {
            let mut h = Harness::demo(size);
            h.keys("l");
            h.keys(key);
            assert!(h.app.form.is_some(), "{key} opened no form");
            assert_shows(&h, texts);
            assert_shows(&h, &["Enter save", "Esc cancel"]);
            h.key(KeyCode::Esc);
            assert!(h.app.form.is_none());
        }
    }
}

#[test]
fn a_bad_number_is_shown_in_the_form_and_nothing_is_saved() {
    for size in SIZES {
        let mut h = Harness::demo(size);
        let before = h.export();
        h.keys("ll").keys("m").keys("4x2").key(KeyCode::Enter);
        assert!(h.app.form.is_some());
        assert_shows(&h, &["`4x2` is not a number", "nothing was saved"]);
        assert_eq!(h.export(), before);
        // Fixing the value saves it.
        h.key(KeyCode::Backspace)
            .key(KeyCode::Backspace)
            .key(KeyCode::Backspace);
        h.keys("4.5").key(KeyCode::Enter);
        assert!(h.app.form.is_none());
        assert_shows(&h, &["recorded measurement 4.5"]);
        assert_ne!(h.export(), before);
    }
}

#[test]
fn a_refusal_from_the_domain_is_shown_not_crashed() {
    let mut h = Harness::new((80, 24), |s| {
        let ctx = Ctx {
            actor: "t".into(),
            now: Stamp::now(),
        };
        s.add_job(&ctx, "Job", None, None, None).unwrap();
    });
    let before = h.export();
    h.keys("ll").keys("M").keys("hours").key(KeyCode::Enter);
    h.keys("i").keys("new tool").key(KeyCode::Enter);
    assert!(
        h.app.form.is_some(),
        "the form stays open with its contents"
    );
    assert_shows(&h, &["no baseline recorded for job/instrument"]);
    assert_eq!(h.app.form.as_ref().unwrap().fields[0].value, "new tool");
    h.key(KeyCode::Esc);
    let after = h.export();
    assert_ne!(after, before, "the metric was saved");
    assert!(!after.contains("new tool"), "the intervention was not");
}

#[test]
fn the_trip_form_preselects_the_first_armed_signal_and_focuses_the_reason() {
    let mut h = Harness::demo((80, 24));
    h.keys("lx");
    let form = h.app.form.as_ref().unwrap();
    assert_eq!(form.focus, 1);
    assert_eq!(form.fields[0].cursor, 0);
    h.keys("policy page nobody reads").key(KeyCode::Enter);
    assert_shows(&h, &["tripped kill signal 1 on support-triage/redesign"]);
    assert_eq!(h.app.review.totals.kill_tripped, 2);
}

#[test]
fn adding_a_job_puts_the_cursor_on_its_understand_loop() {
    let mut h = Harness::new((80, 24), |_| {});
    h.keys("a")
        .keys("Triage tickets")
        .key(KeyCode::Tab)
        .key(KeyCode::Tab);
    h.keys("When a ticket lands, I want it routed")
        .key(KeyCode::Enter);
    assert!(h.app.form.is_none());
    assert_shows(&h, &["added job `triage-tickets`", "triage-tick"]);
    assert_eq!((h.app.cursor_job, h.app.cursor_kind), (0, 0));
}

#[test]
fn a_click_selects_a_cell_and_the_wheel_moves() {
    let mut h = Harness::demo((80, 24));
    let body = h.body();
    let cols = ui::board::columns(80);
    let click = MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: cols.job + cols.cell * 3 + 1,
        row: body.y + 2,
        modifiers: KeyModifiers::NONE,
    };
    h.app.handle(Event::Mouse(click), body);
    assert_eq!((h.app.cursor_job, h.app.cursor_kind), (1, 3));
    let wheel = MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 0,
        row: 0,
        modifiers: KeyModifiers::NONE,
    };
    h.app.handle(Event::Mouse(wheel), body);
    assert_eq!(h.app.cursor_job, 2);
}

#[test]
fn control_characters_from_the_database_never_reach_the_screen() {
    let h = Harness::new((120, 40), |s| {
        let ctx = Ctx {
            actor: "t".into(),
            now: Stamp::now(),
        };
        s.add_job(
            &ctx,
            "Evil\u{1b}]52;c;aGk=\u{7}\u{202e}txt",
            Some("evil"),
            None,
            Some("Mal\u{1b}[2J"),
        )
        .unwrap();
    });
    let screen = h.screen();
    assert!(screen.contains("\\u{1b}"), "{screen}");
    assert!(
        !screen
            .chars()
            .any(|c| c != '\n' && jobloop::display::is_unsafe(c))
    );
}

#[test]
fn pasted_text_lands_in_the_focused_field_sanitised() {
    let mut h = Harness::new((80, 24), |_| {});
    h.keys("a");
    h.app
        .handle(Event::Paste("Pasted\u{1b}[31m title".into()), h.body());
    assert_eq!(
        h.app.form.as_ref().unwrap().fields[0].value,
        "Pasted [31m title"
    );
}

#[test]
fn tiny_and_odd_sizes_never_panic() {
    let mut h = Harness::demo((80, 24));
    for size in [(1, 1), (10, 5), (20, 6), (30, 8), (79, 23), (200, 60)] {
        h.size = size;
        for keys in ["", "l", "\n", "r", "L", "?", "x"] {
            for c in keys.chars() {
                if c == '\n' {
                    h.key(KeyCode::Enter);
                } else {
                    h.keys(&c.to_string());
                }
            }
            h.screen();
            h.key(KeyCode::Esc).key(KeyCode::Esc);
        }
    }
}

#[test]
fn q_quits_and_ctrl_c_quits_from_a_form() {
    let mut h = Harness::demo((80, 24));
    h.keys("q");
    assert!(h.app.quit);
    let mut h = Harness::demo((80, 24));
    h.keys("a");
    let body = h.body();
    h.app.handle(
        Event::Key(KeyEvent::new_with_kind(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
            KeyEventKind::Press,
        )),
        body,
    );
    assert!(h.app.quit);
}

#[test]
fn key_releases_are_ignored() {
    let mut h = Harness::demo((80, 24));
    let body = h.body();
    h.app.handle(
        Event::Key(KeyEvent::new_with_kind(
            KeyCode::Char('l'),
            KeyModifiers::NONE,
            KeyEventKind::Release,
        )),
        body,
    );
    assert_eq!(h.app.cursor_kind, 0);
}

#[test]
fn a_suggested_kill_signal_is_marked_and_tripped_with_one_key() {
    let mut h = Harness::new((80, 24), |s| {
        let ctx = Ctx {
            actor: "t".into(),
            now: Stamp::now(),
        };
        s.add_job(&ctx, "Job", None, None, Some("Ana")).unwrap();
        s.select_tool(&ctx, "job", "Zapier", Stamp::now()).unwrap();
    });
    assert_shows(&h, &["~", "~suggested"]);
    h.keys("l").key(KeyCode::Enter);
    assert_shows(&h, &["suggested (X trips it): the tool"]);
    h.keys("X");
    let form = h.app.form.as_ref().expect("the trip form");
    assert!(
        form.fields[1]
            .value
            .starts_with("suggested: the tool `Zapier`")
    );
    h.key(KeyCode::Enter);
    assert_shows(&h, &["tripped kill signal 1 on job/redesign"]);
    assert_eq!(h.app.review.totals.kill_tripped, 1);
}

#[test]
fn w_writes_the_weekly_digest() {
    let mut h = Harness::demo((80, 24));
    let dir = tempfile::tempdir().unwrap();
    h.app.digest_dir = dir.path().to_path_buf();
    h.keys("W");
    let file = dir
        .path()
        .join(format!("jobloop-digest-{}.md", h.app.review.week));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("## Weekly review"), "{text}");
    assert!(text.contains("| loop | metric | baseline | live | change | verdict | trend |"));
    assert_shows(&h, &["wrote the digest to"]);
}

#[test]
fn opening_the_tui_fires_rules_that_time_broke() {
    // A restored file can hold an armed rule the clock has already broken (import runs no rule).
    let dir = tempfile::tempdir().unwrap();
    let mut source = Store::open(&dir.path().join("a.db")).unwrap();
    let ctx = Ctx {
        actor: "t".into(),
        now: Stamp::now(),
    };
    source
        .add_job(&ctx, "Job", None, None, Some("Ana"))
        .unwrap();
    let kind = jobloop::domain::LoopKind::Instrument;
    source
        .on_loop(&ctx, "job", kind, |r, c| {
            r.set_metric(
                "hours",
                "h",
                jobloop::domain::model::Better::Lower,
                jobloop::domain::model::Measures::Outcome,
                false,
                c,
            )
        })
        .unwrap();
    let mut ds = source.export().unwrap();
    for k in ds
        .kill_signals
        .iter_mut()
        .filter(|k| k.text.contains("adoption"))
    {
        k.rule = Some("stale 1 days".into());
    }
    for m in ds.metrics.iter_mut() {
        m.set_at = Stamp::parse("2026-01-05T00:00:00.000Z").unwrap();
    }
    let path = dir.path().join("b.db");
    Store::open(&path).unwrap().import(&ds).unwrap();
    let mut app = App::new(
        Store::open(&path).unwrap(),
        "t".into(),
        Keymap::default(),
        Theme::new(true),
    )
    .unwrap();
    assert_eq!(
        app.review.totals.kill_tripped, 0,
        "nothing fires before the first frame"
    );
    app.startup().unwrap();
    assert!(
        app.message
            .as_ref()
            .unwrap()
            .text
            .contains("tripped by its rule")
    );
    assert_eq!(app.review.totals.kill_tripped, 1);
}

#[test]
fn the_checklist_and_closing_a_loop_from_the_keyboard() {
    let mut h = Harness::new((80, 24), |s| {
        let ctx = Ctx {
            actor: "t".into(),
            now: Stamp::now(),
        };
        s.add_job(&ctx, "Job", None, None, Some("Ana")).unwrap();
    });
    h.keys("S").key(KeyCode::Enter);
    assert_shows(&h, &["has not started"]);
    h.key(KeyCode::Esc);
    for _ in 0..3 {
        h.keys("s").keys("interviews").key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "the step was saved");
    }
    h.keys("S").key(KeyCode::Enter);
    assert_shows(&h, &["undone steps (4)", "--force"]);
    h.key(KeyCode::Right).key(KeyCode::Enter);
    assert_shows(&h, &["closed job/understand"]);
    assert_eq!(
        h.app.review.jobs[0].open_now,
        Some(jobloop::domain::LoopKind::Redesign)
    );
}

#[test]
fn editing_the_job_records_the_workaround() {
    let mut h = Harness::new((120, 40), |_| {});
    h.keys("a").keys("Triage").key(KeyCode::Enter);
    h.keys("e");
    for _ in 0..4 {
        h.key(KeyCode::Tab);
    }
    h.keys("two agents and a spreadsheet").key(KeyCode::Enter);
    assert_shows(&h, &["updated `triage`: workaround"]);
    let mut s = Store::open(&h.path).unwrap();
    assert_eq!(
        s.job("triage").unwrap().canvas.workaround,
        "two agents and a spreadsheet"
    );
    let _ = s.snapshot();
}
