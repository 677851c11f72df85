//! The screens: one module each, with its own state, key handling and rendering (rendering is a
//! pure function of that state and what the app shares). The app routes keys to the screen on
//! top and acts on what the screen asks for.

pub mod archived;
pub mod board;
pub mod chart;
pub mod detail;
pub mod help;
pub mod job;
pub mod log;
mod rows;
pub mod scroll;
pub mod walk;

use ratatui::text::Line;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::config::Theme;
use super::keymap::{Action, Keymap};
use super::worker::Request;
use crate::display::clean;
use crate::domain::LoopKind;
use crate::domain::review::Review;
use crate::domain::time::Stamp;

/// What every screen may read.
pub struct Shared<'a> {
    pub theme: &'a Theme,
    pub keys: &'a Keymap,
    pub review: Option<&'a Review>,
    pub now: Stamp,
}

impl Shared<'_> {
    pub fn key(&self, a: Action) -> String {
        self.keys.key_for(a)
    }
}

/// What a screen asks the app to do after a key.
pub enum Go {
    /// The screen handled it.
    Stay,
    /// Not this screen's business: the app handles it.
    Pass,
    /// Open another screen on top.
    Open(View),
    /// Close this screen.
    Back,
    /// Ask the store.
    Load(Request),
}

pub enum View {
    Board(board::Board),
    // Boxed: these screens hold a loop's or job's whole record.
    Detail(Box<detail::Detail>),
    Job(Box<job::JobView>),
    Walk(walk::Walk),
    Log(log::Log),
    Help(help::Help),
    Archived(archived::Archived),
}

impl View {
    pub fn name(&self) -> &'static str {
        match self {
            View::Board(_) => "board",
            View::Detail(_) => "loop",
            View::Job(_) => "job",
            View::Walk(_) => "weekly review",
            View::Log(_) => "audit log",
            View::Help(_) => "help",
            View::Archived(_) => "archived jobs",
        }
    }

    /// The job and loop the loop and job keys act on here.
    pub fn target(&self, s: &Shared) -> (Option<String>, Option<LoopKind>) {
        match self {
            View::Board(b) => b.target(s),
            View::Detail(d) => (Some(d.slug.clone()), Some(d.kind)),
            View::Job(j) => (Some(j.slug.clone()), None),
            View::Walk(w) => w.target(),
            View::Archived(a) => (a.target(), None),
            View::Log(_) | View::Help(_) => (None, None),
        }
    }

    /// The actions the hint line shows on this screen.
    pub fn hints(&self, s: &Shared) -> Vec<Action> {
        use Action::*;
        match self {
            View::Board(b) if b.is_empty(s) => vec![AddJob, Demo, Help, Quit],
            View::Board(_) => vec![
                Open, Review, WeekValues, AddJob, Trip, Filter, JobView, Help, Quit,
            ],
            View::Detail(_) => vec![
                Right, Down, Step, Baseline, Measure, Trip, Void, Learn, Help, Back,
            ],
            View::Job(_) => vec![
                Down, EditJob, CloseCycle, Tool, AddProof, TrackProof, Help, Back,
            ],
            View::Walk(_) => vec![Down, Up, Open, Owner, Metric, Baseline, Help, Back],
            View::Log(_) => vec![Open, Filter, Down, Up, Back],
            View::Help(_) => vec![Down, Up, Back],
            View::Archived(_) => vec![Open, Down, Up, Back],
        }
    }
}

/// Text cut to `width` terminal cells (wide characters count double), with an ellipsis, after
/// sanitising it.
pub fn fit(s: &str, width: usize) -> String {
    let s = clean(s);
    if s.width() <= width {
        return s.into_owned();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Text padded with spaces to exactly `width` cells (cut first when longer).
pub fn pad(s: &str, width: usize) -> String {
    let s = fit(s, width);
    let w = s.width();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// How many rows a line takes when wrapped at `width` cells.
pub fn wrapped_rows(line: &Line, width: u16) -> u16 {
    let w = line.width().max(1) as u16;
    w.div_ceil(width.max(1)).max(1)
}
