//! The TUI on ratatui's TestBackend, at 80×24 and 120×40, driven by the events a terminal
//! sends, with the store answering inline. Every record the TUI makes is checked in the store,
//! and every refusal is checked to leave the store unchanged.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::screen;
use jobloop::domain::intent::{Intent, LoopOp};
use jobloop::domain::model::{Better, Measures, Phase};
use jobloop::domain::time::{Stamp, When};
use jobloop::domain::{Ctx, LoopKind};
use jobloop::store::{Missing, Store};
use jobloop::tui::app::App;
use jobloop::tui::config::Theme;
use jobloop::tui::keymap::{Action, Keymap};
use jobloop::tui::ui;
use jobloop::tui::views::View;
use jobloop::tui::worker::{Response, Worker};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::Rect;
use ratatui::style::Modifier;

const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

struct Harness {
    dir: tempfile::TempDir,
    path: std::path::PathBuf,
    app: App,
}

fn ctx() -> Ctx {
    Ctx::local("setup", Stamp::now())
}

fn today() -> When {
    When::Day(Stamp::now().local_date())
}

fn on_loop(slug: &str, kind: LoopKind, op: LoopOp) -> Intent {
    Intent::OnLoop {
        slug: slug.into(),
        kind,
        op,
    }
}

fn add_job(s: &mut Store, title: &str, owner: Option<&str>) {
    s.apply(
        &ctx(),
        &Intent::AddJob {
            title: title.into(),
            slug: None,
            statement: None,
            owner: owner.map(str::to_string),
            since: None,
        },
    )
    .unwrap();
}

/// A job whose instrument loop has a metric and `baselines` baseline values.
fn measured_job(s: &mut Store, baselines: &[f64]) {
    add_job(s, "Job", Some("Ana"));
    let i = LoopKind::Instrument;
    s.apply(
        &ctx(),
        &on_loop(
            "job",
            i,
            LoopOp::SetMetric {
                name: "hours".into(),
                unit: "h".into(),
                better: Better::Lower,
                measures: Measures::Outcome,
                replace: false,
                target: None,
                reason: None,
            },
        ),
    )
    .unwrap();
    for v in baselines {
        s.apply(
            &ctx(),
            &on_loop(
                "job",
                i,
                LoopOp::RecordValue {
                    phase: Phase::Baseline,
                    value: *v,
                    at: today(),
                    note: None,
                    reason: None,
                    guard: None,
                    typed: None,
                    source: None,
                },
            ),
        )
        .unwrap();
    }
}

impl Harness {
    fn new(size: (u16, u16), setup: impl FnOnce(&mut Store)) -> Harness {
        Harness::with(size, Some("tester"), Theme::new(true), setup)
    }

    fn with(
        size: (u16, u16),
        actor: Option<&str>,
        theme: Theme,
        setup: impl FnOnce(&mut Store),
    ) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut store = Store::open(&path, Missing::Create).unwrap();
        setup(&mut store);
        // A clock the test moves on itself: a timer fires without the test sleeping.
        let clock = jobloop::clock::Clock::fixed(Stamp::now());
        let app = screen::app(store, actor, theme, clock, size, dir.path());
        Harness { dir, path, app }
    }

    fn demo(size: (u16, u16)) -> Harness {
        Harness::new(size, |s| {
            jobloop::demo::load(s, 3, 8, 1, Stamp::now(), &mut |_, _| {}).unwrap();
        })
    }

    fn size(&self) -> (u16, u16) {
        (self.app.size.width, self.app.size.height)
    }

    fn event(&mut self, e: Event) -> &mut Self {
        self.app.handle(e);
        self
    }

    fn press(&mut self, code: KeyCode, modifiers: KeyModifiers) -> &mut Self {
        screen::press(&mut self.app, code, modifiers);
        self
    }

    fn key(&mut self, code: KeyCode) -> &mut Self {
        self.press(code, KeyModifiers::NONE)
    }

    fn ctrl(&mut self, c: char) -> &mut Self {
        self.press(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn keys(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
        self
    }

    fn tab(&mut self, n: usize) -> &mut Self {
        for _ in 0..n {
            self.key(KeyCode::Tab);
        }
        self
    }

    fn terminal(&mut self) -> Terminal<TestBackend> {
        screen::terminal(&mut self.app)
    }

    fn screen(&mut self) -> String {
        screen::text(&mut self.app)
    }

    fn shows(&mut self, texts: &[&str]) -> &mut Self {
        let size = self.size();
        let screen = self.screen();
        for t in texts {
            assert!(screen.contains(t), "{size:?}: missing {t:?} in\n{screen}");
        }
        self
    }

    fn hides(&mut self, texts: &[&str]) -> &mut Self {
        let screen = self.screen();
        for t in texts {
            assert!(!screen.contains(t), "unexpected {t:?} in\n{screen}");
        }
        self
    }

    /// Everything a screen shows while `key` scrolls it `n` times.
    fn scrolled(&mut self, code: KeyCode, n: usize) -> String {
        let mut text = String::new();
        for _ in 0..n {
            text.push_str(&self.screen());
            self.key(code);
        }
        text
    }

    /// Every record, as the export writes it.
    fn export(&self) -> String {
        let mut s = Store::open(&self.path, Missing::Refuse).unwrap();
        let mut out = Vec::new();
        s.export(&mut out, &mut |_| {}).unwrap();
        let text = String::from_utf8(out).unwrap();
        // The export's header carries the moment it was written.
        text.lines().skip(1).collect::<Vec<_>>().join("\n")
    }

    fn record(&self, slug: &str, kind: LoopKind) -> jobloop::domain::loop_record::LoopRecord {
        let mut s = Store::open(&self.path, Missing::Refuse).unwrap();
        s.loop_detail(slug, kind, 1000, Stamp::now())
            .unwrap()
            .record
    }

    fn message(&self) -> String {
        self.app
            .message
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default()
    }

    fn totals(&self) -> jobloop::domain::review::Totals {
        self.app.loaded.as_ref().unwrap().review.totals.clone()
    }

    fn field(&self, name: &str) -> String {
        let f = self.app.form.as_ref().expect("a form is open");
        f.fields
            .iter()
            .find(|x| x.name == name)
            .unwrap_or_else(|| panic!("no field {name}"))
            .value()
    }
}

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
fn the_loop_detail_shows_metric_chart_signals_and_activity() {
    for size in SIZES {
        let mut h = Harness::demo(size);
        h.keys("ll").key(KeyCode::Enter);
        h.shows(&["support-triage/instrument", "median time to first answer"]);
        let text = h.scrolled(KeyCode::PageDown, 8);
        for t in [
            "Checklist",
            "baseline 9.25",
            "Kill signals",
            "Learnings",
            "Recent activity",
        ] {
            assert!(text.contains(t), "the loop detail misses {t}");
        }
        h.key(KeyCode::Esc);
        assert!(matches!(h.app.top(), View::Board(_)));
    }
}

#[test]
fn every_form_opens_with_its_fields_and_closes_at_both_sizes() {
    // (key, where: board moves before it, texts)
    let forms: &[(&str, &str, &[&str])] = &[
        ("s", "l", &["Checklist of", "step", "evidence"]),
        ("S", "l", &["Close support-triage/redesign", "close anyway"]),
        ("e", "", &["Job support-triage", "statement"]),
        (
            "a",
            "",
            &[
                "New job",
                "title",
                "statement",
                "I want to",
                "made from the title",
            ],
        ),
        ("o", "l", &["Owner of", "owner"]),
        (
            "M",
            "l",
            &[
                "Primary metric of",
                "name",
                "unit",
                "better",
                "target change",
            ],
        ),
        ("T", "ll", &["Target change of"]),
        ("b", "ll", &["Baseline for", "value", "date"]),
        ("m", "ll", &["Measurement for", "value", "date"]),
        ("i", "ll", &["Intervention on", "what changes", "started"]),
        (
            "x",
            "l",
            &["Trip a kill signal", "signal", "reason", "evidence"],
        ),
        ("K", "l", &["New kill signal on", "kill signal", "rule"]),
        (
            "d",
            "l",
            &["Irreversible decision", "decision", "owner", "threshold"],
        ),
        (
            "g",
            "l",
            &["Learning on", "what was learned", "type", "capability"],
        ),
        ("n", "l", &["Notes of", "notes"]),
        ("+", "l", &["New checklist step of"]),
        ("-", "l", &["mark a step not done"]),
        ("V", "ll", &["Void a record of", "record", "why"]),
        (
            "c",
            "",
            &[
                "Compound test of",
                "understanding",
                "explanation",
                "creation",
            ],
        ),
        ("R", "l", &["Retire (kill) support-triage/redesign"]),
        ("t", "", &["Tool selected for", "tool", "selected on"]),
        (
            "p",
            "",
            &["Proof artifact of", "title", "kind", "visibility"],
        ),
        ("P", "", &["brought back", "proof"]),
        ("Z", "", &["Archive support-triage?"]),
    ];
    for size in SIZES {
        for (key, moves, texts) in forms {
            let mut h = Harness::demo(size);
            h.keys(moves);
            h.keys(key);
            assert!(
                h.app.form.is_some(),
                "{key} opened no form: {}",
                h.message()
            );
            h.shows(texts);
            h.key(KeyCode::Esc);
            assert!(h.app.form.is_none(), "{key}: Esc closes an untouched form");
        }
    }
}

#[test]
fn leaving_a_form_with_typed_text_asks_first() {
    let mut h = Harness::demo((80, 24));
    h.keys("a").keys("Half a title").key(KeyCode::Esc);
    assert!(h.app.form.is_some());
    h.shows(&["Throw away what you typed?"]);
    h.keys("z");
    assert_eq!(
        h.field("title"),
        "Half a title",
        "any other key keeps editing"
    );
    h.key(KeyCode::Esc).keys("y");
    assert!(h.app.form.is_none());
}

#[test]
fn a_bad_number_is_marked_in_the_form_and_nothing_is_saved() {
    for size in SIZES {
        let mut h = Harness::demo(size);
        let before = h.export();
        h.keys("ll").keys("m").keys("4x2").key(KeyCode::Enter);
        assert!(h.app.form.is_some());
        h.shows(&["`4x2` is not a number", "nothing was saved"]);
        assert_eq!(h.export(), before);
        for bad in ["NaN", "inf", "1e999", "1e-400", "0x10", "4,5"] {
            h.ctrl('u').keys(bad).key(KeyCode::Enter);
            assert!(h.app.form.is_some(), "{bad} was accepted");
            assert_eq!(h.export(), before, "{bad} changed the store");
        }
        h.ctrl('u').keys("4.5").key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        h.shows(&["recorded measurement 4.5"]);
        assert_ne!(h.export(), before);
    }
}

#[test]
fn dates_out_of_range_are_refused_in_the_form() {
    let mut h = Harness::new((80, 24), |s| measured_job(s, &[]));
    h.keys("ll").keys("b").keys("3").tab(1);
    for bad in [
        "2026-02-30",
        "1969-12-31",
        "2999-01-01",
        "yesterday",
        "20261101",
    ] {
        h.ctrl('u').keys(bad).key(KeyCode::Enter);
        assert!(h.app.form.is_some(), "{bad} was accepted");
    }
    assert!(h.record("job", LoopKind::Instrument).values.is_empty());
    h.ctrl('u').keys("2024-02-29").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Instrument);
    assert_eq!(r.values[0].at.to_string(), "2024-02-29");
}

#[test]
fn a_refusal_from_the_domain_names_the_tui_key_and_keeps_the_form() {
    let mut h = Harness::new((80, 24), |s| measured_job(s, &[]));
    let before = h.export();
    // Refused before the form opens: there is nothing to intervene against yet.
    h.keys("ll").keys("i");
    assert!(h.app.form.is_none());
    assert!(h.message().contains("press b"), "{}", h.message());
    assert_eq!(h.export(), before);
    // Refused by the domain after the form: an intervention dated before the baseline.
    h.keys("b").keys("4").key(KeyCode::Enter);
    let before = h.export();
    h.keys("i")
        .keys("new tool")
        .tab(1)
        .ctrl('u')
        .keys("2020-01-01")
        .key(KeyCode::Enter);
    assert!(
        h.app.form.is_some(),
        "the form stays open with its contents"
    );
    h.shows(&["baseline"]);
    assert_eq!(h.field("what"), "new tool");
    assert_eq!(h.export(), before);
}

/// Once an intervention locked the plan, the target form asks why (a deviation) and keeps its
/// contents until a reason is given; the value form offers the loop's guardrails.
#[test]
fn after_the_lock_the_forms_ask_why_and_offer_the_guardrails() {
    let mut h = Harness::new((100, 30), |s| {
        measured_job(s, &[4.0, 5.0, 4.5]);
        s.apply(
            &ctx(),
            &on_loop(
                "job",
                LoopKind::Instrument,
                LoopOp::AddGuardrail {
                    name: "cost".into(),
                    unit: "EUR".into(),
                    better: Better::Lower,
                    max_worse: jobloop::domain::stats::Limit::parse("10%").unwrap(),
                    reason: None,
                },
            ),
        )
        .unwrap();
    });
    h.keys("ll").keys("i");
    h.shows(&["locks the plan"]);
    h.keys("pilot").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.keys("T");
    h.shows(&["recorded as a deviation", "why (deviation)"]);
    h.keys("-20%").key(KeyCode::Enter);
    assert!(h.app.form.is_some(), "refused without a reason");
    h.shows(&["say why in the reason"]);
    h.tab(1).keys("the board asked").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Instrument);
    assert_eq!(r.deviations.len(), 1);
    assert_eq!(r.deviations[0].reason, "the board asked");
    // A measurement of the guardrail: the second choice of the `of` field.
    h.keys("m")
        .keys("6")
        .tab(1)
        .key(KeyCode::Right)
        .key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Instrument);
    assert_eq!(r.guardrails[0].values.len(), 1);
    assert_eq!(r.guardrails[0].values[0].value, 6.0);
}

#[test]
fn the_value_form_rounds_nothing() {
    let mut h = Harness::new((80, 24), |s| measured_job(s, &[]));
    let typed = ["0.1", "4.35", "1e-300", "123456789.123456789", "-0.0000001"];
    for v in typed {
        h.keys("ll").keys("b").keys(v).key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{v}: {}", h.message());
        h.keys("hh");
    }
    let r = h.record("job", LoopKind::Instrument);
    let stored: Vec<f64> = r.values.iter().map(|v| v.value).collect();
    let expected: Vec<f64> = typed.iter().map(|t| t.parse().unwrap()).collect();
    assert_eq!(stored, expected);
}

#[test]
fn voiding_a_measurement_marks_it_and_takes_it_out_of_the_numbers() {
    let mut h = Harness::new((120, 40), |s| measured_job(s, &[4.0, 5.0, 400.0]));
    h.keys("ll").key(KeyCode::Enter);
    h.shows(&["n=3"]);
    h.keys("V");
    // The newest record first: the 400 typed by mistake.
    h.shows(&["baseline 400"]);
    h.tab(1).keys("typed 400 for 4.00").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.shows(&["VOID", "n=2"]);
    let r = h.record("job", LoopKind::Instrument);
    let voided: Vec<_> = r.values.iter().filter(|v| v.void.is_some()).collect();
    assert_eq!(voided.len(), 1);
    assert_eq!(voided[0].value, 400.0);
    assert_eq!(voided[0].void.as_ref().unwrap().by, "tester");
}

#[test]
fn the_weekly_review_walks_what_needs_you_and_counts_what_was_fixed() {
    for size in SIZES {
        let mut h = Harness::new(size, |s| add_job(s, "Job", None));
        h.keys("r");
        assert!(matches!(h.app.top(), View::Walk(_)));
        h.shows(&["(0 resolved)", "no human owner"]);
        // The first item is a loop without an owner: name one here.
        h.keys("o").keys("Ana").key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        h.shows(&["(1 resolved)", "✓"]);
        // Stepping away keeps the place; coming back resumes it.
        h.key(KeyCode::Esc).keys("r");
        h.shows(&["(1 resolved)"]);
        for _ in 0..6 {
            h.keys("j");
        }
        h.shows(&["ompound test"]);
        h.keys("j");
        h.shows(&["1 of 7 items resolved", "compound test of job"]);
    }
}

#[test]
fn the_walk_names_the_overdue_week_and_offers_the_fixes_that_resolve() {
    for size in SIZES {
        let mut h = Harness::demo(size);
        let owed = jobloop::domain::time::Week::containing(h.app.clock.now())
            .previous()
            .to_string();
        h.keys("r");
        // The suggested kill signal: not `X` alone, but what decides after it and the record
        // that removes its cause (in the demo, a workflow step nobody governs: `G`).
        let mut walked = 0;
        // A decision waits for its owner: named, with what the lead can do (amend its owner or
        // threshold). Words may wrap anywhere a space is.
        let mut pending = false;
        let mut read = |h: &mut Harness| {
            let words = h.screen().split_whitespace().collect::<Vec<_>>().join(" ");
            pending |= words.contains("signs it with Y on this loop; E amends its owner");
        };
        while !h.screen().contains("suggested kill signal") {
            read(&mut h);
            h.keys("j");
            walked += 1;
            assert!(walked < 40, "the demo has a suggested kill signal");
        }
        h.shows(&[
            "X trips it",
            "R retires",
            "C continues",
            "; or G governs the step",
        ]);
        h.keys("G");
        let form = h
            .app
            .form
            .as_ref()
            .expect("G opens the form that governs a step");
        assert!(form.title.contains("overn"), "{}", form.title);
        h.key(KeyCode::Esc);
        // On to the compound test of the job that owes one.
        while !h.screen().contains("was never answered") {
            read(&mut h);
            h.keys("j");
            walked += 1;
            assert!(walked < 40, "the demo has a job overdue");
        }
        assert!(pending, "{size:?}: the pending sign-off names its fix");
        h.shows(&[&format!("{owed}'s compound test was never answered")]);
        h.shows(&[&format!("opens the test on {owed}")]);
        h.key(KeyCode::Enter);
        assert_eq!(h.field("week"), owed, "the form opens on the week owed");
        h.key(KeyCode::Esc).keys("c");
        assert_eq!(h.field("week"), owed);
        h.key(KeyCode::Esc);
        // The summary names it too.
        for _ in 0..40 {
            h.keys("j");
        }
        h.shows(&[&format!("({owed} overdue)")]);
    }
}

#[test]
fn the_job_view_shows_everything_and_takes_the_job_keys() {
    for size in SIZES {
        let mut h = Harness::demo(size);
        h.keys("J");
        assert!(matches!(h.app.top(), View::Job(_)));
        h.shows(&["Triage support tickets", "When"]);
        let text = h.scrolled(KeyCode::Char('j'), 80);
        for t in [
            "Current workaround",
            "understand",
            "distribute",
            "Cycles",
            "Tools",
            "Proof",
        ] {
            assert!(text.contains(t), "the job view misses {t}");
        }
        h.keys("t").keys("Zendesk AI").key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        h.shows(&["Zendesk AI"]);
    }
}

#[test]
fn proof_is_added_and_tracked_from_the_job_view() {
    let mut h = Harness::new((120, 40), |s| add_job(s, "Job", Some("Ana")));
    h.keys("J")
        .keys("p")
        .keys("Case study: triage")
        .key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.keys("P");
    h.shows(&["Case study: triage"]);
    // proof choice, then the counts: inbound, referral, sales, hiring, feedback
    h.ctrl('u').keys("3").tab(1).ctrl('u').keys("1");
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let mut s = Store::open(&h.path, Missing::Refuse).unwrap();
    let proofs = s.proofs("job").unwrap();
    assert_eq!(proofs.len(), 1);
    let outcome = proofs[0].outcome.unwrap();
    assert_eq!((outcome.replies, outcome.citations), (3, 1));
}

#[test]
fn a_count_must_be_a_whole_number() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", None));
    h.keys("p").keys("Story").key(KeyCode::Enter);
    let before = h.export();
    for bad in ["-1", "1.5", "x", "99999999999999999999"] {
        h.keys("P").tab(1).ctrl('u').keys(bad).key(KeyCode::Enter);
        assert!(h.app.form.is_some(), "{bad} was accepted");
        h.key(KeyCode::Esc).keys("y");
    }
    assert_eq!(h.export(), before);
}

#[test]
fn the_compound_test_needs_every_answer() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", None));
    let before = h.export();
    h.keys("c").key(KeyCode::Enter);
    assert!(h.app.form.is_some());
    h.shows(&["answer y or n"]);
    assert_eq!(h.export(), before);
    // The four answers come first, then a note for each.
    h.keys("y")
        .tab(1)
        .keys("y")
        .tab(1)
        .keys("n")
        .tab(1)
        .keys("y");
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.shows(&["next job"]);
}

#[test]
fn a_kill_rule_is_read_back_as_it_is_typed() {
    let mut h = Harness::new((120, 40), |s| measured_job(s, &[4.0]));
    h.keys("ll").keys("K").keys("No gain after a month").tab(1);
    h.keys("stale 3");
    h.shows(&["✗"]);
    h.keys(" days");
    h.shows(&["✓ reads as"]);
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Instrument);
    assert!(
        r.kill_signals
            .iter()
            .any(|k| k.rule.as_deref() == Some("stale 3 days"))
    );
}

#[test]
fn trip_then_retire_or_continue_and_rearm() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", Some("Ana")));
    h.keys("l")
        .keys("x")
        .keys("the tool came first")
        .key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    assert_eq!(h.totals().kill_tripped, 1);
    assert!(h.message().contains("next: press R"), "{}", h.message());
    h.keys("C").keys("redesigned since").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.keys("A").keys("watch it again").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    assert_eq!(h.totals().kill_tripped, 0);
}

#[test]
fn decisions_are_signed_off_by_their_owner_only() {
    let mut h = Harness::new((120, 40), |s| add_job(s, "Job", Some("Ana")));
    h.keys("lll")
        .keys("d")
        .keys("Agents may refund up to 50 EUR")
        .tab(1);
    h.keys("Emil").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    assert_eq!(h.totals().decisions_pending, 1);
    // In team mode only Emil signs.
    h.app.team = true;
    h.keys("Y");
    h.shows(&["Emil"]);
    assert!(h.app.form.is_none(), "only Emil can sign it off");
    h.app.team = false;
    // Emil signs his own.
    h.app.actor = Some("Emil".into());
    h.keys("Y").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    assert_eq!(h.totals().decisions_pending, 0);
}

#[test]
fn on_a_local_file_the_lead_records_a_sign_off_witnessed_with_its_threshold() {
    let mut h = Harness::new((120, 40), |s| add_job(s, "Job", Some("Ana")));
    h.keys("lll").keys("d").keys("Agents may refund").tab(1);
    h.keys("Emil")
        .tab(1)
        .keys("up to 50 EUR")
        .key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.app.actor = Some("Ana".into());
    h.keys("Y");
    h.shows(&[
        "Record a sign-off you witnessed",
        "owner: Emil — threshold: up to 50 EUR",
        "mark it witnessed by",
    ]);
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    assert_eq!(h.totals().decisions_pending, 0);
    let d = h.record("job", LoopKind::Govern).decisions[0].clone();
    assert_eq!(d.approved_by.as_deref(), Some("Emil"));
    assert_eq!(d.witnessed_by.as_deref(), Some("Ana"));
    let mut store = Store::open(&h.path, Missing::Refuse).unwrap();
    let log = store.log(None, None, 5).unwrap();
    assert_eq!(log[0].command, "decide witness");
}

#[test]
fn checklist_steps_notes_and_closing_a_loop() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", Some("Ana")));
    for _ in 0..3 {
        h.keys("s").keys("interviews").key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
    }
    h.keys("-").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.keys("+")
        .keys("Read the last 50 tickets")
        .key(KeyCode::Enter);
    h.keys("n")
        .keys("line one")
        .key(KeyCode::Enter)
        .keys("line two")
        .ctrl('s');
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Understand);
    assert_eq!(r.lp.notes, "line one\nline two");
    assert_eq!(r.steps.len(), 5);
    h.keys("S");
    h.shows(&["not done", "close anyway"]);
    h.key(KeyCode::Enter);
    assert!(
        h.app.form.is_some(),
        "closing with undone steps needs an answer"
    );
    h.keys("y").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Understand);
    assert_eq!(r.lp.status, jobloop::domain::model::Status::Closed);
    h.keys("O").key(KeyCode::Enter);
    let r = h.record("job", LoopKind::Understand);
    assert_eq!(r.lp.status, jobloop::domain::model::Status::Open);
}

#[test]
fn a_learning_is_captured_with_its_type() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", None));
    h.keys("g")
        .keys("Customers read the first line only")
        .tab(1)
        .key(KeyCode::Right);
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Understand);
    assert_eq!(r.learnings.len(), 1);
    assert_eq!(r.learnings[0].text, "Customers read the first line only");
}

#[test]
fn undo_asks_then_takes_back_the_last_command() {
    let mut h = Harness::new((80, 24), |s| measured_job(s, &[]));
    h.keys("ll").keys("b").keys("7").key(KeyCode::Enter);
    h.keys("u");
    h.shows(&["Undo your last command?", "baseline 7"]);
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Instrument);
    assert!(
        r.values[0].void.is_some(),
        "undo voids the value, which stays"
    );
}

/// Two jobs for the week form, every value dated ten days ago (always an earlier ISO week):
/// `job`'s instrument loop with a guardrail, `other`'s improve loop, `other`'s instrument loop
/// already measured this week and `job`'s closed govern loop (neither asked).
fn week_jobs(s: &mut Store) {
    let ten_days_ago = When::Day(Stamp::now().local_date() - chrono::Days::new(10));
    let metric = |name: &str| LoopOp::SetMetric {
        name: name.into(),
        unit: "h".into(),
        better: Better::Lower,
        measures: Measures::Outcome,
        replace: false,
        target: None,
        reason: None,
    };
    let value = |v: f64, at: When, guard: Option<&str>| LoopOp::RecordValue {
        phase: Phase::Baseline,
        value: v,
        at,
        note: None,
        reason: None,
        guard: guard.map(str::to_string),
        typed: None,
        source: None,
    };
    add_job(s, "Job", Some("Ana"));
    add_job(s, "Other", Some("Ana"));
    let (i, m) = (LoopKind::Instrument, LoopKind::Improve);
    for intent in [
        on_loop("job", i, metric("hours")),
        on_loop(
            "job",
            i,
            LoopOp::AddGuardrail {
                name: "errors".into(),
                unit: "count".into(),
                better: Better::Lower,
                max_worse: jobloop::domain::stats::Limit::parse("10%").unwrap(),
                reason: None,
            },
        ),
        on_loop("job", i, value(9.0, ten_days_ago, None)),
        on_loop("job", i, value(3.0, ten_days_ago, Some("errors"))),
        on_loop("other", m, metric("defects")),
        on_loop("other", m, value(12.0, ten_days_ago, None)),
        on_loop("other", i, metric("minutes")),
        on_loop("other", i, value(40.0, today(), None)),
        // A closed loop is measured no more: not asked.
        on_loop("job", LoopKind::Govern, metric("approvals")),
        on_loop("job", LoopKind::Govern, value(2.0, ten_days_ago, None)),
        on_loop("job", LoopKind::Govern, LoopOp::Close { force: true }),
    ] {
        s.apply(&ctx(), &intent).unwrap();
    }
}

/// The `baseline` events of the store, oldest first.
fn value_events(h: &Harness) -> Vec<jobloop::domain::model::AuditEvent> {
    let mut s = Store::open(&h.path, Missing::Refuse).unwrap();
    let mut log = s.log(None, None, 1000).unwrap();
    log.reverse();
    log.into_iter()
        .filter(|e| e.command == "baseline")
        .collect()
}

#[test]
fn the_week_form_records_several_loops_at_once_and_undo_takes_them_all_back() {
    for size in SIZES {
        let mut h = Harness::new(size, week_jobs);
        let before = value_events(&h).len();
        h.ctrl('n');
        assert!(h.app.form.is_some(), "{}", h.message());
        h.shows(&[
            "This week's values for every job",
            "job/instrument hours",
            "baseline 9",
        ])
        .hides(&["other/instrument", "job/govern"]);
        // The first value field has the focus; the guardrail is left empty, then skipped.
        h.keys("5").tab(1).tab(1).keys("7.50").key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        let job = h.record("job", LoopKind::Instrument);
        assert_eq!(job.values.len(), 2);
        assert_eq!(job.values[1].value, 5.0);
        assert_eq!(job.values[1].at, today());
        assert_eq!(
            job.guardrails[0].values.len(),
            1,
            "an empty field is skipped"
        );
        let other = h.record("other", LoopKind::Improve);
        assert_eq!(
            other.values[1].typed.as_deref(),
            Some("7.50"),
            "kept as typed"
        );
        // One audit event per value, each the event a single baseline writes, at one instant.
        let events = value_events(&h);
        assert_eq!(events.len(), before + 2);
        let new = &events[before..];
        assert_eq!(new[0].at, new[1].at);
        assert!(new.iter().all(|e| e.actor == "tester"));
        assert!(
            new[1]
                .summary
                .contains("recorded baseline 7.50 h for other/improve"),
            "{}",
            new[1].summary
        );
        // Undo takes back the whole form, in one transaction.
        h.keys("u");
        h.shows(&["Undo your last command?", "2 values recorded at once"]);
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        assert!(
            h.record("job", LoopKind::Instrument).values[1]
                .void
                .is_some()
        );
        assert!(
            h.record("other", LoopKind::Improve).values[1]
                .void
                .is_some()
        );
        assert!(
            h.record("job", LoopKind::Instrument).values[0]
                .void
                .is_none()
        );
        let mut s = Store::open(&h.path, Missing::Refuse).unwrap();
        assert!(s.verify().unwrap().problems.is_empty());
    }
}

#[test]
fn the_week_form_refuses_a_bad_value_whole_and_keeps_what_was_typed() {
    let mut h = Harness::new((80, 24), week_jobs);
    let before = h.export();
    // On the board's first job: that job's loops only.
    h.keys("N");
    h.shows(&[
        "This week's values for job",
        "instrument hours",
        "instrument errors",
    ])
    .hides(&["improve defects"]);
    h.key(KeyCode::Esc);
    h.ctrl('n').keys("5").tab(2).keys("4,5").key(KeyCode::Enter);
    assert!(h.app.form.is_some());
    h.shows(&[
        "other/improve defects: `4,5` is not a number",
        "nothing was saved",
    ]);
    assert_eq!(h.export(), before);
    assert_eq!(h.field("value"), "5", "what was typed stays");
    // A refusal from the rules, found as the values are written (the job was archived in
    // another window after the form opened), refuses the values before it too.
    let mut other = Store::open(&h.path, Missing::Refuse).unwrap();
    other
        .apply(
            &ctx(),
            &Intent::ArchiveJob {
                slug: "other".into(),
                archived: true,
            },
        )
        .unwrap();
    let before = h.export();
    h.ctrl('u').keys("6").key(KeyCode::Enter);
    assert!(h.app.form.is_some(), "{}", h.message());
    h.shows(&["other/improve defects: job `other` is archived"]);
    assert_eq!(h.export(), before, "nothing saved, not even job's value");
    // Emptied, the field is skipped and the rest is recorded.
    h.ctrl('u').key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    assert_eq!(h.record("job", LoopKind::Instrument).values.len(), 2);
    // From the weekly review: the week's values of the item's job.
    h.keys("r").keys("N");
    h.shows(&["This week's values for job", "instrument errors"])
        .hides(&["instrument hours"]);
}

/// A baseline the week form would add before a locked plan's intervention changes that plan:
/// refused as `baseline` without `--reason` is, naming the form's reason field, and recorded
/// with the reason (as a deviation) once one is typed.
#[test]
fn the_week_form_takes_a_reason_for_a_baseline_that_changes_a_locked_plan() {
    let day = |n: u64| When::Day(Stamp::now().local_date() - chrono::Days::new(n));
    let mut h = Harness::new((100, 30), |s| {
        add_job(s, "Job", Some("Ana"));
        let i = LoopKind::Instrument;
        for op in [
            LoopOp::SetMetric {
                name: "hours".into(),
                unit: "h".into(),
                better: Better::Lower,
                measures: Measures::Outcome,
                replace: false,
                target: None,
                reason: None,
            },
            LoopOp::RecordValue {
                phase: Phase::Baseline,
                value: 9.0,
                at: day(30),
                note: None,
                reason: None,
                guard: None,
                typed: None,
                source: None,
            },
            LoopOp::Intervene {
                description: "new routing".into(),
                at: day(20),
                horizon: None,
            },
        ] {
            s.apply(&ctx(), &on_loop("job", i, op)).unwrap();
        }
    });
    let before = h.export();
    h.keys("N");
    h.shows(&["reason (a baseline that changes a locked plan)"]);
    // Dated before the intervention: a baseline.
    let date = day(25).date().to_string();
    h.key(KeyCode::BackTab)
        .ctrl('u')
        .keys(&date)
        .tab(1)
        .keys("8");
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_some(), "{}", h.message());
    h.shows(&["say why in the reason"]);
    assert_eq!(h.export(), before, "nothing saved without the reason");
    h.tab(1)
        .keys("found in last month's export")
        .key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let r = h.record("job", LoopKind::Instrument);
    assert_eq!(r.values.len(), 2);
    assert_eq!(r.deviations.len(), 1);
    assert_eq!(r.deviations[0].reason, "found in last month's export");
}

#[test]
fn without_a_name_the_tui_asks_once() {
    let mut h = Harness::with((80, 24), None, Theme::new(true), |_| {});
    h.keys("a");
    h.shows(&["Who is recording?"]);
    h.key(KeyCode::Enter);
    h.shows(&["your name is required"]);
    h.keys("Ana Souza").key(KeyCode::Enter);
    h.shows(&["New job"]);
    h.keys("Triage").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    let mut s = Store::open(&h.path, Missing::Refuse).unwrap();
    let log = s.log(None, None, 1).unwrap();
    assert_eq!(log[0].actor, "Ana Souza");
}

#[test]
fn a_read_only_database_refuses_every_write_key() {
    let mut h = Harness::demo((80, 24));
    h.app.read_only = true;
    let before = h.export();
    for k in ["a", "o", "M", "b", "x", "u", "D"] {
        h.keys(k);
        assert!(h.app.form.is_none(), "{k}");
        assert!(h.message().contains("read-only"), "{k}: {}", h.message());
    }
    assert_eq!(h.export(), before);
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
fn the_log_opens_an_event_in_full() {
    let mut h = Harness::demo((120, 40));
    h.keys("L");
    h.shows(&["cycle close"]);
    h.key(KeyCode::Enter);
    h.shows(&["before", "after", "hash"]);
    h.key(KeyCode::Esc).keys("/tripped").key(KeyCode::Enter);
    h.shows(&["tripped"]);
}

#[test]
fn the_digest_is_written_and_never_overwritten_without_asking() {
    let mut h = Harness::demo((80, 24));
    h.keys("W");
    let week = h.app.loaded.as_ref().unwrap().review.week.clone();
    let file = h.dir.path().join(format!("jobloop-digest-{week}.md"));
    let first = std::fs::read_to_string(&file).unwrap();
    assert!(first.contains("Weekly review"), "{first}");
    std::fs::write(&file, "my own notes").unwrap();
    h.keys("W");
    h.shows(&["Replace the digest?"]);
    h.key(KeyCode::Esc);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "my own notes");
    h.keys("W").key(KeyCode::Enter);
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("Weekly review")
    );
}

#[test]
fn the_digest_refuses_to_write_over_the_database() {
    let mut h = Harness::demo((80, 24));
    let week = h.app.loaded.as_ref().unwrap().review.week.clone();
    let link = h.dir.path().join(format!("jobloop-digest-{week}.md"));
    std::os::unix::fs::symlink(&h.path, &link).unwrap();
    let before = std::fs::read(&h.path).unwrap();
    h.keys("W");
    if h.app.form.is_some() {
        h.key(KeyCode::Enter);
    }
    assert!(h.message().contains("database"), "{}", h.message());
    assert_eq!(std::fs::read(&h.path).unwrap(), before);
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
fn pasted_text_lands_in_the_focused_field_sanitised() {
    let mut h = Harness::new((80, 24), |_| {});
    h.keys("a");
    h.event(Event::Paste("Pasted\u{1b}[31m title\u{7}\u{200b}".into()));
    let v = h.field("title");
    assert!(v.starts_with("Pasted"), "{v:?}");
    assert!(!v.chars().any(jobloop::display::is_unsafe), "{v:?}");
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
fn a_long_message_opens_in_full() {
    let mut h = Harness::new((40, 12), |s| measured_job(s, &[]));
    h.keys("ll").keys("i").keys("x").key(KeyCode::Enter);
    h.key(KeyCode::Esc).keys("y");
    h.app.say("a".repeat(300), true);
    h.keys("!");
    h.shows(&["message", "any key closes"]);
    h.keys("j");
    assert!(!h.app.message_open);
}

#[test]
fn choosing_another_decision_or_proof_shows_its_own_values() {
    let mut h = Harness::new((120, 40), |s| {
        add_job(s, "Job", Some("Ana"));
        let govern = |op| on_loop("job", LoopKind::Govern, op);
        for (text, owner, threshold) in [
            ("Refunds", "Chen", "exact duplicates only"),
            ("Credits", "Dana", "under 50 dollars"),
        ] {
            s.apply(
                &ctx(),
                &govern(LoopOp::Decide {
                    text: text.into(),
                    owner: owner.into(),
                    threshold: Some(threshold.into()),
                    step: None,
                    about: None,
                }),
            )
            .unwrap();
        }
        for (title, replies) in [("First case", 0), ("Second case", 4)] {
            s.apply(
                &ctx(),
                &Intent::AddProof {
                    slug: "job".into(),
                    title: title.into(),
                    kind: jobloop::domain::model::ProofKind::Case,
                    visibility: jobloop::domain::model::Visibility::Private,
                    link: None,
                    at: today(),
                },
            )
            .unwrap();
            if replies > 0 {
                let mut st = Store::open(s.path(), Missing::Refuse).unwrap();
                let id = st.proofs("job").unwrap().last().unwrap().id.to_string();
                s.apply(
                    &ctx(),
                    &Intent::TrackProof {
                        slug: "job".into(),
                        proof: id,
                        counts: jobloop::domain::model::ProofOutcome {
                            replies,
                            citations: 1,
                            intros: 2,
                            bookings: 1,
                            sales: 0,
                            reuse: 3,
                        },
                    },
                )
                .unwrap();
            }
        }
    });
    h.keys("lll").keys("E");
    assert_eq!(h.field("owner"), "Chen");
    h.key(KeyCode::BackTab).key(KeyCode::Right);
    assert_eq!(h.field("owner"), "Dana");
    assert_eq!(h.field("threshold"), "under 50 dollars");
    h.key(KeyCode::Esc).keys("y");
    h.keys("P");
    assert_eq!(h.field("replies"), "0");
    h.key(KeyCode::BackTab).key(KeyCode::Right);
    assert_eq!(h.field("replies"), "4");
    assert_eq!(h.field("reuse"), "3");
}

#[test]
fn replacing_a_metric_with_records_asks_and_starts_from_the_old_one() {
    let mut h = Harness::new((120, 40), |s| measured_job(s, &[4.0, 5.0]));
    h.keys("ll").keys("M");
    h.shows(&["will stop counting", "replace it"]);
    assert_eq!(h.field("name"), "hours");
    assert_eq!(h.field("unit"), "h");
    let before = h.export();
    h.key(KeyCode::Enter);
    assert!(
        h.app.form.is_some(),
        "an unanswered question keeps the form"
    );
    assert_eq!(h.export(), before);
    h.key(KeyCode::Esc).keys("y");
    assert_eq!(h.export(), before);
}

#[test]
fn a_chart_of_values_near_the_largest_number_is_drawn() {
    let mut h = Harness::new((120, 40), |s| {
        measured_job(s, &[5.0, 6.0]);
        s.apply(
            &ctx(),
            &on_loop(
                "job",
                LoopKind::Instrument,
                LoopOp::Intervene {
                    description: "x".into(),
                    at: today(),
                    horizon: None,
                },
            ),
        )
        .unwrap();
        for v in [1e307, -1.7e308, 1e-300] {
            s.apply(
                &ctx(),
                &on_loop(
                    "job",
                    LoopKind::Instrument,
                    LoopOp::RecordValue {
                        phase: Phase::Live,
                        value: v,
                        at: today(),
                        note: None,
                        reason: None,
                        guard: None,
                        typed: None,
                        source: None,
                    },
                ),
            )
            .unwrap();
        }
    });
    h.keys("ll").key(KeyCode::Enter);
    h.shows(&["drawn ÷"]);
}

#[test]
fn the_board_follows_the_loop_the_detail_moved_to() {
    let mut h = Harness::demo((80, 24));
    h.key(KeyCode::Enter).keys("lll").key(KeyCode::Esc);
    h.shows(&["support-triage/govern"]);
}

#[test]
fn checking_the_rules_on_demand_always_answers() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", None));
    h.keys("F");
    assert!(
        h.message().contains("no kill rule fired"),
        "{}",
        h.message()
    );
}

#[test]
fn a_closed_week_is_not_offered_again() {
    let mut h = Harness::new((80, 24), |s| add_job(s, "Job", None));
    h.keys("c")
        .keys("y")
        .tab(1)
        .keys("y")
        .tab(1)
        .keys("y")
        .tab(1)
        .keys("y");
    h.key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.keys("c");
    assert!(
        h.app.form.is_none(),
        "every cycle is closed: the form does not open"
    );
    assert!(h.message().contains("is closed"), "{}", h.message());
}

#[test]
fn archiving_a_job_takes_its_items_out_of_the_walk() {
    let mut h = Harness::new((120, 40), |s| {
        add_job(s, "Job", None);
        add_job(s, "Other", None);
    });
    h.keys("r");
    let total = match h.app.top() {
        View::Walk(w) => w.items.len(),
        _ => panic!("no walk"),
    };
    h.key(KeyCode::Esc).keys("Z").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.keys("r");
    match h.app.top() {
        View::Walk(w) => assert!(w.items.len() < total),
        _ => panic!("no walk"),
    }
    h.shows(&["(0 resolved)"]);
}

/// Archived jobs are listed in the TUI and one is brought back after a confirmation, with its
/// records: it is on the board again, off the list, and `u` archives it again.
#[test]
fn archived_jobs_are_listed_and_one_is_brought_back() {
    let mut h = Harness::new((100, 30), |s| {
        add_job(s, "Job", Some("Ana"));
        add_job(s, "Other", None);
    });
    h.keys("U");
    h.shows(&["No archived job. Z on the board archives"]);
    h.key(KeyCode::Esc).keys("Z").key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.hides(&["job Job"]).keys("U");
    h.shows(&["1 archived job", "> job  Job  archived "]);
    // Enter asks first; Esc leaves it archived.
    h.key(KeyCode::Enter);
    h.shows(&["Bring job back?", "every record it had"]);
    h.key(KeyCode::Esc);
    h.shows(&["1 archived job"]);
    h.key(KeyCode::Enter).key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    h.shows(&["No archived job."]);
    h.key(KeyCode::Esc);
    h.shows(&["job Job", "other Other"]);
    // Its owner came back with it (the cursor stayed on `other`, now below it).
    h.keys("k");
    h.shows(&["owner Ana"]);
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

/// The redesigned workflow is edited from the job view: add steps, govern one, record a critic's
/// result and an incident, remove a step; each is the same record as its command.
#[test]
fn the_job_view_edits_the_workflow_with_forms() {
    for size in SIZES {
        let mut h = Harness::new(size, |s| add_job(s, "Job", Some("Ana")));
        h.keys("J");
        assert!(matches!(h.app.top(), View::Job(_)));
        // No step yet: the forms that need one say so.
        h.keys("G");
        assert!(h.app.form.is_none());
        assert!(h.message().contains("no step yet"), "{}", h.message());
        h.keys("w").keys("Read ticket");
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        // An agent step after it, handling personal data.
        h.keys("w").keys("Draft reply");
        h.tab(4).keys("personal");
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        let flow = h.record("job", LoopKind::Redesign).flow;
        let names: Vec<&str> = flow.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Read ticket", "Draft reply"], "{size:?}");
        // Govern the second: choose it, name an owner and a critic.
        h.keys("G")
            .key(KeyCode::Right)
            .tab(1)
            .keys("Ana")
            .tab(2)
            .keys("tone check");
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        h.keys("H").tab(1).key(KeyCode::Right);
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        h.keys("I")
            .keys("Wrong refund promised")
            .tab(1)
            .key(KeyCode::Right);
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        let govern = h.record("job", LoopKind::Govern).flow;
        assert_eq!(govern.critic_results.len(), 1, "{size:?}");
        assert_eq!(h.record("job", LoopKind::Improve).flow.incidents.len(), 1);
        let text = h.scrolled(KeyCode::Char('j'), 60);
        assert!(
            text.contains("Draft reply") && text.contains("tone check"),
            "{text}"
        );
        // The first step is followed by the second: removing it is refused, the form stays.
        h.keys("v").tab(1).keys("merged into intake");
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_some(), "{size:?}");
        h.key(KeyCode::Esc).keys("y");
        assert!(h.app.form.is_none(), "{size:?}");
        // The second is followed by nothing: removed with why, kept, voided.
        h.keys("v")
            .key(KeyCode::Right)
            .tab(1)
            .keys("the agent is gone");
        h.key(KeyCode::Enter);
        assert!(h.app.form.is_none(), "{}", h.message());
        let steps = h.record("job", LoopKind::Redesign).flow.steps;
        assert!(
            steps
                .iter()
                .any(|s| s.name == "Draft reply" && s.void.is_some())
        );
        assert!(
            steps
                .iter()
                .any(|s| s.name == "Read ticket" && s.void.is_none())
        );
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
fn continue_and_retire_forms_show_the_trip_reason_and_evidence() {
    let mut h = Harness::new((100, 30), |s| add_job(s, "Job", Some("Ana")));
    h.keys("l")
        .keys("x")
        .keys("the tool came first")
        .tab(1)
        .keys("3 tickets name the tool")
        .key(KeyCode::Enter);
    assert!(h.app.form.is_none(), "{}", h.message());
    for key in ["C", "R"] {
        h.keys(key);
        assert!(h.app.form.is_some(), "{key}: {}", h.message());
        h.shows(&[
            "Tripped kill signal 1:",
            "trip reason: the tool came first (tester,",
            "evidence: 3 tickets name the tool",
        ]);
        h.key(KeyCode::Esc);
        if h.app.form.is_some() {
            h.keys("y");
        }
    }
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

#[test]
fn the_logs_event_diffs_number_kill_signals_from_one() {
    let mut h = Harness::demo((120, 40));
    h.keys("L").keys("/kill trip").key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    let screen = h.screen();
    // The newest trip changed the first signal of its loop, stored at position 0.
    assert!(screen.contains("\"signal 1\": {"), "{screen}");
    assert!(!screen.contains("\"0\": {"), "{screen}");
}
