//! The board: one row per job, one cell per loop, the cursor on a cell. Filters by text, by
//! owner (`@name`) and by flag; on a narrow terminal the loop columns scroll instead of the
//! cursor moving onto cells that are not drawn.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::{Go, Shared, View, fit, pad};
use crate::display::clean;
use crate::domain::LoopKind;
use crate::domain::review::{Flag, JobReview, LoopReview};
use crate::tui::keymap::Action;

mod layout;
mod row;

pub use layout::{Columns, columns};

/// The flag filters `f` cycles through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FlagFilter {
    #[default]
    All,
    NoOwner,
    NoMetric,
    NoBaseline,
    Tripped,
    Breached,
    SignOff,
    Suggested,
}

impl FlagFilter {
    fn next(self) -> FlagFilter {
        match self {
            FlagFilter::All => FlagFilter::NoOwner,
            FlagFilter::NoOwner => FlagFilter::NoMetric,
            FlagFilter::NoMetric => FlagFilter::NoBaseline,
            FlagFilter::NoBaseline => FlagFilter::Tripped,
            FlagFilter::Tripped => FlagFilter::Breached,
            FlagFilter::Breached => FlagFilter::SignOff,
            FlagFilter::SignOff => FlagFilter::Suggested,
            FlagFilter::Suggested => FlagFilter::All,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            FlagFilter::All => "",
            FlagFilter::NoOwner => "no owner",
            FlagFilter::NoMetric => "no metric",
            FlagFilter::NoBaseline => "no baseline",
            FlagFilter::Tripped => "tripped",
            FlagFilter::Breached => "guardrail breached",
            FlagFilter::SignOff => "sign-off pending",
            FlagFilter::Suggested => "suggested",
        }
    }

    fn matches(self, l: &LoopReview) -> bool {
        match self {
            FlagFilter::All => true,
            FlagFilter::NoOwner => l.flags.contains(&Flag::NoOwner),
            FlagFilter::NoMetric => l.flags.contains(&Flag::NoMetric),
            FlagFilter::NoBaseline => l.flags.contains(&Flag::NoBaseline),
            FlagFilter::Tripped => l.flags.contains(&Flag::KillTripped),
            FlagFilter::Breached => l.flags.contains(&Flag::GuardrailBreached),
            FlagFilter::SignOff => {
                l.flags.contains(&Flag::DecisionPending) || !l.decisions_pending.is_empty()
            }
            FlagFilter::Suggested => !l.suggested_kill_signals.is_empty(),
        }
    }
}

#[derive(Default)]
pub struct Board {
    pub cursor_job: usize,
    pub cursor_kind: usize,
    /// The first loop column drawn (narrow terminals).
    pub first_column: usize,
    pub filter: String,
    pub typing: bool,
    pub flags: FlagFilter,
}

impl Board {
    pub fn is_empty(&self, s: &Shared) -> bool {
        s.review.is_none_or(|r| r.jobs.is_empty())
    }

    /// The jobs on the board after the filters.
    pub fn visible<'a>(&self, s: &'a Shared) -> Vec<&'a JobReview> {
        let Some(r) = s.review else {
            return Vec::new();
        };
        let needle = self.filter.to_lowercase();
        let (owner, text) = match needle.strip_prefix('@') {
            Some(o) => (Some(o.to_string()), String::new()),
            None => (None, needle),
        };
        r.jobs
            .iter()
            .filter(|j| {
                text.is_empty()
                    || j.slug.to_lowercase().contains(&text)
                    || j.title.to_lowercase().contains(&text)
            })
            .filter(|j| {
                owner.as_ref().is_none_or(|o| {
                    j.loops.iter().any(|l| {
                        l.owner
                            .as_deref()
                            .is_some_and(|w| w.to_lowercase().contains(o.as_str()))
                    })
                })
            })
            .filter(|j| j.loops.iter().any(|l| self.flags.matches(l)))
            .collect()
    }

    pub fn target(&self, s: &Shared) -> (Option<String>, Option<LoopKind>) {
        match self.visible(s).get(self.cursor_job) {
            Some(j) => (
                Some(j.slug.clone()),
                Some(LoopKind::ALL[self.cursor_kind.min(5)]),
            ),
            None => (None, None),
        }
    }

    /// Keeps the cursor on a job that is still shown (after a reload or a filter).
    pub fn clamp(&mut self, s: &Shared) {
        let n = self.visible(s).len();
        self.cursor_job = self.cursor_job.min(n.saturating_sub(1));
    }

    /// Scrolls the loop columns so the cursor's is drawn at `width`.
    pub fn keep_visible(&mut self, width: u16) {
        let shown = columns(width).shown.max(1);
        // No column is scrolled away once the window is wide enough for all of them again.
        self.first_column = self
            .first_column
            .min(LoopKind::ALL.len().saturating_sub(shown));
        if self.cursor_kind < self.first_column {
            self.first_column = self.cursor_kind;
        } else if self.cursor_kind >= self.first_column + shown {
            self.first_column = self.cursor_kind + 1 - shown;
        }
    }

    /// Puts the cursor on a job's first loop, clearing the filters if they hide it.
    /// Keeps the cursor on the job `slug` (in the same loop column) if the board still shows
    /// it, else on the same row: rows above it may have come or gone in a reload.
    pub fn follow(&mut self, s: &Shared, slug: &str) {
        match self.visible(s).iter().position(|j| j.slug == slug) {
            Some(i) => self.cursor_job = i,
            None => self.clamp(s),
        }
    }

    pub fn select(&mut self, s: &Shared, slug: &str) {
        if !self.visible(s).iter().any(|j| j.slug == slug) {
            self.filter.clear();
            self.flags = FlagFilter::All;
        }
        if let Some(i) = self.visible(s).iter().position(|j| j.slug == slug) {
            self.cursor_job = i;
            self.cursor_kind = 0;
            self.first_column = 0;
        }
    }

    /// Typing into the filter.
    pub fn type_filter(&mut self, text: &str, s: &Shared) {
        self.filter
            .extend(text.chars().filter(|c| !crate::display::is_unsafe(*c)));
        self.cursor_job = 0;
        self.clamp(s);
    }

    pub fn handle(&mut self, action: Action, s: &Shared, width: u16) -> Go {
        match action {
            Action::Up => self.cursor_job = self.cursor_job.saturating_sub(1),
            Action::Down => {
                let n = self.visible(s).len();
                self.cursor_job = (self.cursor_job + 1).min(n.saturating_sub(1));
            }
            Action::PageUp => self.cursor_job = self.cursor_job.saturating_sub(10),
            Action::PageDown => {
                let n = self.visible(s).len();
                self.cursor_job = (self.cursor_job + 10).min(n.saturating_sub(1));
            }
            Action::Left => self.cursor_kind = self.cursor_kind.saturating_sub(1),
            Action::Right => self.cursor_kind = (self.cursor_kind + 1).min(5),
            Action::Filter => {
                self.typing = true;
            }
            Action::FlagFilter => {
                self.flags = self.flags.next();
                self.cursor_job = 0;
                // The cursor goes to the first loop the filter shows, so Enter opens it.
                if let Some(k) = self
                    .visible(s)
                    .first()
                    .and_then(|j| j.loops.iter().position(|l| self.flags.matches(l)))
                {
                    self.cursor_kind = k;
                }
            }
            Action::Open => {
                let (slug, kind) = self.target(s);
                return match (slug, kind) {
                    (Some(slug), Some(kind)) => {
                        let d = super::detail::Detail::new(slug.clone(), kind);
                        Go::Open(View::Detail(Box::new(d)))
                    }
                    _ => Go::Stay,
                };
            }
            Action::JobView => {
                return match self.target(s).0 {
                    Some(slug) => Go::Open(View::Job(Box::new(super::job::JobView::new(slug)))),
                    None => Go::Stay,
                };
            }
            _ => return Go::Pass,
        }
        self.keep_visible(width);
        self.clamp(s);
        Go::Stay
    }

    /// Which job (and loop column) a click at (x, y) hits.
    pub fn hit(&self, area: Rect, s: &Shared, x: u16, y: u16) -> Option<(usize, Option<usize>)> {
        if x < area.x || x >= area.x + area.width || y <= area.y || y >= area.y + area.height {
            return None;
        }
        let rows = rows(area);
        let first = self.offset(area);
        let row = (y - area.y - 1) as usize + first;
        if row >= self.visible(s).len() || row - first >= rows {
            return None;
        }
        let c = columns(area.width);
        let dx = x - area.x;
        let cells = c.cell * c.shown as u16;
        let col = (dx >= c.job && dx < c.job + cells)
            .then(|| ((dx - c.job) / c.cell) as usize + self.first_column)
            .filter(|c| *c < 6);
        Some((row, col))
    }

    fn offset(&self, area: Rect) -> usize {
        let rows = rows(area).max(1);
        self.cursor_job.saturating_sub(rows - 1)
    }

    pub fn render(&self, frame: &mut Frame, s: &Shared, area: Rect) {
        let Some(review) = s.review else {
            frame.render_widget(Paragraph::new("Loading…"), area);
            return;
        };
        if review.jobs.is_empty() {
            return welcome(frame, s, area);
        }
        let jobs = self.visible(s);
        if jobs.is_empty() {
            // Name what is filtered, so an empty board is never mistaken for an empty file.
            let mut by = Vec::new();
            if !self.filter.is_empty() {
                by.push(format!("text `{}`", clean(&self.filter)));
            }
            if !self.flags.label().is_empty() {
                by.push(format!("only: {}", self.flags.label()));
            }
            frame.render_widget(
                Paragraph::new(format!(
                    "No loop matches the filter ({}). {} clears the filter, {} changes the text, {} the flag filter.",
                    by.join(", "),
                    s.key(Action::Back),
                    s.key(Action::Filter),
                    s.key(Action::FlagFilter),
                ))
                .wrap(Wrap { trim: false }),
                area,
            );
            return;
        }
        let c = columns(area.width);
        let theme = s.theme;
        self.render_header(frame, s, area, &c);
        let first = self.offset(area);
        for (i, job) in jobs.iter().enumerate().skip(first).take(rows(area)) {
            let y = area.y + 1 + (i - first) as u16;
            let line = self.job_line(s, job, i == self.cursor_job, &c);
            frame.render_widget(Paragraph::new(line), Rect::new(area.x, y, area.width, 1));
        }
        // The selected loop in words, then the legend.
        let legend = legend_lines(area.width);
        let bottom = 1 + legend.len() as u16;
        if area.height > bottom + 1 {
            let info = self.selected_words(s);
            frame.render_widget(
                Paragraph::new(Line::styled(
                    fit(&info, area.width as usize),
                    theme.accent(),
                )),
                Rect::new(area.x, area.y + area.height - bottom, area.width, 1),
            );
        }
        for (i, text) in legend.iter().enumerate() {
            let y = area.y + area.height - legend.len() as u16 + i as u16;
            if y > area.y {
                frame.render_widget(
                    Paragraph::new(Line::styled(text.clone(), theme.muted())),
                    Rect::new(area.x, y, area.width, 1),
                );
            }
        }
    }

    /// The column names; the metric column names the loop whose metric it shows (the cursor's).
    fn render_header(&self, frame: &mut Frame, s: &Shared, area: Rect, c: &Columns) {
        let theme = s.theme;
        let more_left = if self.first_column > 0 { "‹" } else { " " };
        let more_right = if self.first_column + c.shown < 6 {
            "›"
        } else {
            " "
        };
        let mut header = vec![Span::styled(
            pad(&format!("job {more_left}{more_right}"), c.job as usize),
            theme.title(),
        )];
        for k in LoopKind::ALL
            .into_iter()
            .skip(self.first_column)
            .take(c.shown)
        {
            header.push(Span::styled(
                pad(row::loop_name(k, c.words), c.cell as usize),
                theme.title(),
            ));
        }
        for (w, name) in [(c.now, "now"), (c.last, "last"), (c.next, "next")] {
            if w > 0 {
                header.push(Span::styled(pad(name, w as usize), theme.title()));
            }
        }
        if c.metric > 0 {
            // Each row names the loop whose metric it shows: the cursor's column where it has
            // one.
            header.push(Span::styled(
                pad("metric", c.metric as usize),
                theme.title(),
            ));
        }
        frame.render_widget(
            Paragraph::new(Line::from(header)),
            Rect::new(area.x, area.y, area.width, 1),
        );
    }

    /// One job's row: its name, its loop cells, its answers and the cursor column's metric.
    fn job_line(&self, s: &Shared, job: &JobReview, on_row: bool, c: &Columns) -> Line<'static> {
        let theme = s.theme;
        let label = if c.job >= 30 {
            format!("{} {}", job.slug, job.title)
        } else {
            job.slug.clone()
        };
        let style = if on_row {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        let overdue = if job.cycle.overdue { "*" } else { " " };
        let mut spans = vec![
            Span::styled(pad(&label, c.job.saturating_sub(2) as usize), style),
            Span::styled(format!("{overdue} "), theme.alert()),
        ];
        for kind in LoopKind::ALL
            .into_iter()
            .skip(self.first_column)
            .take(c.shown)
        {
            if let Some(l) = job.loops.iter().find(|l| l.kind == kind) {
                let selected = on_row && kind.position() as usize - 1 == self.cursor_kind;
                spans.extend(row::cell(s, l, selected, job.open_now == Some(l.kind), c));
            }
        }
        let [now, last, next] = row::answers(job, c);
        for (w, text) in [(c.now, now), (c.last, last), (c.next, next)] {
            if w > 0 {
                spans.push(Span::styled(format!("{text} "), style));
            }
        }
        if c.metric > 0 {
            let kind = LoopKind::ALL[self.cursor_kind.min(5)];
            let text = match row::metric_loop(job, kind) {
                Some(l) => row::metric(l, c.metric as usize),
                None => fit("no metric", c.metric as usize),
            };
            spans.push(Span::styled(text, theme.accent()));
        }
        Line::from(spans)
    }

    /// The selected loop: owner and the metric's verdict.
    fn selected_words(&self, s: &Shared) -> String {
        let jobs = self.visible(s);
        let Some(j) = jobs.get(self.cursor_job) else {
            return String::new();
        };
        let Some(l) = j.loops.get(self.cursor_kind) else {
            return String::new();
        };
        let mut out = format!(
            "{}/{} · {} · owner {}",
            j.slug,
            l.kind,
            l.status.label(),
            l.owner.as_deref().unwrap_or("none")
        );
        if let (Some(m), Some(c)) = (&l.metric, &l.comparison) {
            out.push_str(&format!(
                " · {}: {}",
                m.name,
                crate::display::verdict_label(c)
            ));
        }
        for words in row::mark_words(l) {
            out.push_str(&format!(" · {words}"));
        }
        if !self.flags.label().is_empty() {
            out.push_str(&format!(" · showing: {}", self.flags.label()));
        }
        clean(&out).into_owned()
    }
}

/// The legend's lines at the board's width.
fn legend_lines(width: u16) -> Vec<String> {
    row::legend(&columns(width), width)
        .iter()
        .map(|l| fit(l, width as usize))
        .collect()
}

/// Rows of jobs that fit, leaving the header row, the selected loop and the legend.
fn rows(area: Rect) -> usize {
    area.height
        .saturating_sub(2 + legend_lines(area.width).len() as u16) as usize
}

fn welcome(frame: &mut Frame, s: &Shared, area: Rect) {
    let k = |a| s.keys.keys_for(a);
    let lines = vec![
        Line::styled("Welcome to jobloop.", s.theme.title()),
        Line::raw(""),
        Line::raw("Each customer job your team makes AI-native has six loops to close:"),
        Line::raw("understand, redesign, instrument, govern, improve, distribute."),
        Line::raw(
            "Name an owner, record a baseline before changing anything, measure, and stop work whose kill signal trips.",
        ),
        Line::raw(""),
        Line::from(vec![
            Span::styled(format!("  {}  ", k(Action::AddJob)), s.theme.selected()),
            Span::raw(" add your first job"),
        ]),
        Line::from(vec![
            Span::styled(format!("  {}  ", k(Action::Demo)), s.theme.selected()),
            Span::raw(" load a demo: three jobs over eight weeks"),
        ]),
        Line::from(vec![
            Span::styled(format!("  {}  ", k(Action::Help)), s.theme.selected()),
            Span::raw(" every key"),
        ]),
    ];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
