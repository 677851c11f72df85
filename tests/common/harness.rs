//! The TUI on a file database, driven key by key through `screen`: a harness that types, reads
//! the frame, and opens the store behind the app to check what was recorded.

use super::{lower_metric, screen};
use jobloop::domain::intent::{Intent, LoopOp};
use jobloop::domain::model::Phase;
use jobloop::domain::time::{Stamp, When};
use jobloop::domain::{Ctx, LoopKind};
use jobloop::store::{Missing, Store};
use jobloop::tui::app::App;
use jobloop::tui::config::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyModifiers};

pub const SIZES: [(u16, u16); 2] = [(80, 24), (120, 40)];

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub path: std::path::PathBuf,
    pub app: App,
}

pub fn ctx() -> Ctx {
    Ctx::local("setup", Stamp::now())
}

pub fn today() -> When {
    When::Day(Stamp::now().local_date())
}

pub fn on_loop(slug: &str, kind: LoopKind, op: LoopOp) -> Intent {
    Intent::OnLoop {
        slug: slug.into(),
        kind,
        op,
    }
}

pub fn add_job(s: &mut Store, title: &str, owner: Option<&str>) {
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
pub fn measured_job(s: &mut Store, baselines: &[f64]) {
    add_job(s, "Job", Some("Ana"));
    let i = LoopKind::Instrument;
    s.apply(&ctx(), &on_loop("job", i, lower_metric("hours")))
        .unwrap();
    for v in baselines {
        s.apply(
            &ctx(),
            &on_loop("job", i, LoopOp::value(Phase::Baseline, *v, today())),
        )
        .unwrap();
    }
}

impl Harness {
    pub fn new(size: (u16, u16), setup: impl FnOnce(&mut Store)) -> Harness {
        Harness::with(size, Some("tester"), Theme::new(true), setup)
    }

    pub fn with(
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

    pub fn demo(size: (u16, u16)) -> Harness {
        Harness::new(size, |s| {
            jobloop::demo::load(s, 3, 8, 1, Stamp::now(), &mut |_, _| {}).unwrap();
        })
    }

    pub fn size(&self) -> (u16, u16) {
        (self.app.size.width, self.app.size.height)
    }

    pub fn event(&mut self, e: Event) -> &mut Self {
        self.app.handle(e);
        self
    }

    pub fn press(&mut self, code: KeyCode, modifiers: KeyModifiers) -> &mut Self {
        screen::press(&mut self.app, code, modifiers);
        self
    }

    pub fn key(&mut self, code: KeyCode) -> &mut Self {
        self.press(code, KeyModifiers::NONE)
    }

    pub fn ctrl(&mut self, c: char) -> &mut Self {
        self.press(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    pub fn keys(&mut self, s: &str) -> &mut Self {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
        self
    }

    pub fn tab(&mut self, n: usize) -> &mut Self {
        for _ in 0..n {
            self.key(KeyCode::Tab);
        }
        self
    }

    pub fn terminal(&mut self) -> Terminal<TestBackend> {
        screen::terminal(&mut self.app)
    }

    pub fn screen(&mut self) -> String {
        screen::text(&mut self.app)
    }

    pub fn shows(&mut self, texts: &[&str]) -> &mut Self {
        let size = self.size();
        let screen = self.screen();
        for t in texts {
            assert!(screen.contains(t), "{size:?}: missing {t:?} in\n{screen}");
        }
        self
    }

    pub fn hides(&mut self, texts: &[&str]) -> &mut Self {
        let screen = self.screen();
        for t in texts {
            assert!(!screen.contains(t), "unexpected {t:?} in\n{screen}");
        }
        self
    }

    /// Everything a screen shows while `key` scrolls it `n` times.
    pub fn scrolled(&mut self, code: KeyCode, n: usize) -> String {
        let mut text = String::new();
        for _ in 0..n {
            text.push_str(&self.screen());
            self.key(code);
        }
        text
    }

    /// Every record, as the export writes it.
    pub fn export(&self) -> String {
        let mut s = Store::open(&self.path, Missing::Refuse).unwrap();
        let mut out = Vec::new();
        s.export(&mut out, &mut |_| {}).unwrap();
        let text = String::from_utf8(out).unwrap();
        // The export's header carries the moment it was written.
        text.lines().skip(1).collect::<Vec<_>>().join("\n")
    }

    pub fn record(&self, slug: &str, kind: LoopKind) -> jobloop::domain::loop_record::LoopRecord {
        let mut s = Store::open(&self.path, Missing::Refuse).unwrap();
        s.loop_detail(slug, kind, 1000, Stamp::now())
            .unwrap()
            .record
    }

    pub fn message(&self) -> String {
        self.app
            .message
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default()
    }

    pub fn totals(&self) -> jobloop::domain::review::Totals {
        self.app.loaded.as_ref().unwrap().review.totals.clone()
    }

    pub fn field(&self, name: &str) -> String {
        let f = self.app.form.as_ref().expect("a form is open");
        f.fields
            .iter()
            .find(|x| x.name == name)
            .unwrap_or_else(|| panic!("no field {name}"))
            .value()
    }
}
