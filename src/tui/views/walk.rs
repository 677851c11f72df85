//! The weekly review walk: one thing that needs the lead at a time, each fix a key away, then the
//! compound test of every job whose cycle is due. It re-reads the review after every change: a
//! fixed item shows resolved, an item a fix revealed joins the walk, leaving and coming back
//! resumes where the lead was, and the end is a summary.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::scroll::wrap;
use super::{Go, Shared};
use crate::display::{clean, comparison_lines, status_symbol};
use crate::domain::LoopKind;
use crate::domain::review::{Flag, LoopReview, Review};
use crate::tui::keymap::Action;

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    /// A loop that needs the lead, with the flags it had when it joined the walk.
    Loop {
        slug: String,
        kind: LoopKind,
        flags: Vec<Flag>,
    },
    /// A job whose compound test is due.
    Compound { slug: String },
}

pub struct Walk {
    pub week: String,
    pub items: Vec<Item>,
    pub pos: usize,
    /// Past the last item: the summary.
    pub finished: bool,
}

/// What needs the lead now, in walking order.
fn needs(review: &Review) -> Vec<Item> {
    let mut items = Vec::new();
    for j in &review.jobs {
        for l in j.loops.iter().filter(|l| l.needs_lead()) {
            items.push(Item::Loop {
                slug: j.slug.clone(),
                kind: l.kind,
                flags: l.flags.clone(),
            });
        }
    }
    for j in review
        .jobs
        .iter()
        .filter(|j| j.cycle.due || j.cycle.overdue)
    {
        items.push(Item::Compound {
            slug: j.slug.clone(),
        });
    }
    items
}

fn same(a: &Item, b: &Item) -> bool {
    match (a, b) {
        (
            Item::Loop { slug, kind, .. },
            Item::Loop {
                slug: s2, kind: k2, ..
            },
        ) => slug == s2 && kind == k2,
        (Item::Compound { slug }, Item::Compound { slug: s2 }) => slug == s2,
        _ => false,
    }
}

impl Walk {
    /// A new walk, or `None` when nothing needs the lead.
    pub fn start(review: &Review) -> Option<Walk> {
        let items = needs(review);
        (!items.is_empty()).then(|| Walk {
            week: review.week.clone(),
            items,
            pos: 0,
            finished: false,
        })
    }

    /// After a change: items a fix revealed join at the end; resolved ones stay, marked; items
    /// of a job that left the board (archived) leave the walk, neither resolved nor open.
    pub fn refresh(&mut self, review: &Review) {
        let on_board = |slug: &str| review.jobs.iter().any(|j| j.slug == slug);
        self.items.retain(|i| match i {
            Item::Loop { slug, .. } | Item::Compound { slug } => on_board(slug),
        });
        self.pos = self.pos.min(self.items.len().saturating_sub(1));
        for item in needs(review) {
            if !self.items.iter().any(|i| same(i, &item)) {
                self.items.push(item);
                self.finished = false;
            }
        }
    }

    pub fn resolved(&self, item: &Item, review: &Review) -> bool {
        match item {
            Item::Loop { slug, kind, .. } => review
                .jobs
                .iter()
                .find(|j| &j.slug == slug)
                .and_then(|j| j.loops.iter().find(|l| l.kind == *kind))
                .is_none_or(|l| !l.needs_lead()),
            Item::Compound { slug } => !review
                .jobs
                .iter()
                .any(|j| &j.slug == slug && (j.cycle.due || j.cycle.overdue)),
        }
    }

    pub fn resolved_count(&self, review: &Review) -> usize {
        self.items
            .iter()
            .filter(|i| self.resolved(i, review))
            .count()
    }

    pub fn target(&self) -> (Option<String>, Option<LoopKind>) {
        if self.finished {
            return (None, None);
        }
        match self.items.get(self.pos) {
            Some(Item::Loop { slug, kind, .. }) => (Some(slug.clone()), Some(*kind)),
            Some(Item::Compound { slug }) => (Some(slug.clone()), None),
            None => (None, None),
        }
    }

    pub fn handle(&mut self, action: Action) -> Go {
        match action {
            Action::Down | Action::Right => {
                if self.pos + 1 < self.items.len() {
                    self.pos += 1;
                } else {
                    self.finished = true;
                }
            }
            Action::Up | Action::Left => {
                if self.finished {
                    self.finished = false;
                } else {
                    self.pos = self.pos.saturating_sub(1);
                }
            }
            Action::Open => match self.items.get(self.pos) {
                Some(Item::Loop { slug, kind, .. }) if !self.finished => {
                    return Go::Open(super::View::Detail(Box::new(super::detail::Detail::new(
                        slug.clone(),
                        *kind,
                    ))));
                }
                Some(Item::Compound { .. }) if !self.finished => return Go::Pass,
                _ => {}
            },
            _ => return Go::Pass,
        }
        Go::Stay
    }

    /// The end of the walk: how many items were resolved and which are still open.
    fn finished_lines(
        &self,
        s: &Shared,
        review: &Review,
        done: usize,
        lines: &mut Vec<(String, Style)>,
    ) {
        let theme = s.theme;
        let k = |a| s.key(a);
        let plain = Style::new();
        lines.push((
            format!("Weekly review of {} — done", self.week),
            theme.title(),
        ));
        lines.push((String::new(), plain));
        lines.push((
            format!("{done} of {} items resolved.", self.items.len()),
            plain,
        ));
        let open: Vec<&Item> = self
            .items
            .iter()
            .filter(|i| !self.resolved(i, review))
            .collect();
        if open.is_empty() {
            lines.push((
                "Everything that needed you is in order.".into(),
                theme.accent(),
            ));
        } else {
            lines.push(("Still open:".into(), theme.alert()));
            for i in open {
                lines.push((
                    match i {
                        Item::Loop { slug, kind, .. } => format!("  {}/{kind}", clean(slug)),
                        Item::Compound { slug } => {
                            let overdue = review
                                .jobs
                                .iter()
                                .find(|j| &j.slug == slug)
                                .and_then(|j| j.cycle.overdue_week())
                                .map(|w| format!(" ({w} overdue)"))
                                .unwrap_or_default();
                            format!("  compound test of {}{overdue}", clean(slug))
                        }
                    },
                    theme.alert(),
                ));
            }
        }
        lines.push((String::new(), plain));
        lines.push((
            format!(
                "{} goes back to the items · {} to the board",
                k(Action::Up),
                k(Action::Back)
            ),
            theme.muted(),
        ));
    }

    pub fn render(&self, frame: &mut Frame, s: &Shared, area: Rect) {
        let Some(review) = s.review else {
            return;
        };
        let theme = s.theme;
        let k = |a| s.key(a);
        let done = self.resolved_count(review);
        let plain = Style::new();
        let mut lines: Vec<(String, Style)> = Vec::new();
        if self.finished {
            self.finished_lines(s, review, done, &mut lines);
        } else if let Some(item) = self.items.get(self.pos) {
            lines.push((
                format!(
                    "Weekly review — {} of {} ({done} resolved)",
                    self.pos + 1,
                    self.items.len()
                ),
                theme.title(),
            ));
            lines.push((String::new(), plain));
            item_lines(s, review, item, &mut lines);
            if self.resolved(item, review) {
                lines.push((String::new(), plain));
                lines.push((
                    format!("✓ resolved — {} for the next one", k(Action::Down)),
                    theme.accent(),
                ));
            }
        }
        let rows = wrap(&lines, area.width.max(10) as usize);
        let shown: Vec<Line> = rows
            .into_iter()
            .take(area.height as usize)
            .map(|(t, st)| Line::styled(t, st))
            .collect();
        frame.render_widget(Paragraph::new(shown), area);
    }
}

/// How a flag is fixed from here.
fn fix_words(s: &Shared, l: &LoopReview, f: Flag) -> String {
    let k = |a| s.key(a);
    match f {
        Flag::KillTripped => format!(
            "kill signal tripped — decide: {} retire or {} continue",
            k(Action::Retire),
            k(Action::Continue)
        ),
        Flag::NoOwner => format!("no human owner — {} names one", k(Action::Owner)),
        Flag::NoMetric => format!("no primary metric — {} sets one", k(Action::Metric)),
        Flag::NoBaseline => format!(
            "no baseline before intervention — {} records one",
            k(Action::Baseline)
        ),
        Flag::NoMeasurementThisCycle => format!(
            "no measurement this week — {} records one, {} the job's whole week in one form",
            k(Action::Measure),
            k(Action::WeekValues)
        ),
        Flag::DecisionPending => {
            let mut owners: Vec<String> = l
                .decisions_pending
                .iter()
                .map(|p| clean(&p.owner).into_owned())
                .collect();
            owners.sort();
            owners.dedup();
            let who = if owners.is_empty() {
                "its owner".to_string()
            } else {
                owners.join(" or ")
            };
            format!(
                "a decision waits for {who}'s sign-off — {who} signs it with {} on this loop; {} amends its owner or threshold",
                k(Action::SignOff),
                k(Action::Amend)
            )
        }
        Flag::GuardrailBreached => format!(
            "a guardrail got worse beyond its limit — {} adds a kill signal to trip, {} retires the loop",
            k(Action::AddSignal),
            k(Action::Retire)
        ),
        Flag::PlanOpen => format!(
            "lock the plan — {} sets the target; {} starts the intervention with its horizon",
            k(Action::Target),
            k(Action::Intervene)
        ),
    }
}

fn item_lines(s: &Shared, review: &Review, item: &Item, out: &mut Vec<(String, Style)>) {
    match item {
        Item::Loop { slug, kind, flags } => loop_lines(s, review, (slug, *kind), flags, out),
        Item::Compound { slug } => compound_lines(s, review, slug, out),
    }
}

/// A loop of the walk: its state, comparison, tripped and suggested signals, and the flags it
/// joined the walk with (fixed or not) and any that appeared since.
fn loop_lines(
    s: &Shared,
    review: &Review,
    (slug, kind): (&str, LoopKind),
    flags: &[Flag],
    out: &mut Vec<(String, Style)>,
) {
    let theme = s.theme;
    let plain = Style::new();
    let job = review.jobs.iter().find(|j| j.slug == slug);
    out.push((
        format!(
            "{}/{kind}  {}",
            clean(slug),
            job.map(|j| clean(&j.title).into_owned())
                .unwrap_or_default()
        ),
        theme.title(),
    ));
    out.push((kind.question().to_string(), theme.muted()));
    let Some(l) = job.and_then(|j| j.loops.iter().find(|l| l.kind == kind)) else {
        return;
    };
    out.push((
        format!(
            "{} {} · owner: {}",
            status_symbol(l.status),
            l.status.label(),
            l.owner.as_deref().map(clean).unwrap_or("(none)".into())
        ),
        theme.status(l.status),
    ));
    if let (Some(m), Some(c)) = (&l.metric, &l.comparison) {
        out.push((format!("metric: {}", clean(&m.name)), plain));
        for line in comparison_lines(c, &m.unit, m.better) {
            out.push((line, theme.accent()));
        }
    }
    signal_lines(s, l, (slug, kind), out);
    // The flags it joined with, fixed or not, and any that appeared since.
    let mut all = flags.to_vec();
    for f in &l.flags {
        if !all.contains(f) {
            all.push(*f);
        }
    }
    for f in all {
        let fixed = !l.flags.contains(&f);
        let (mark, style) = if fixed {
            ("✓", theme.status(crate::domain::model::Status::Closed))
        } else {
            ("•", theme.alert())
        };
        out.push((format!("{mark} {}", fix_words(s, l, f)), style));
    }
    out.push((
        format!("{} opens the loop for everything else", s.key(Action::Open)),
        theme.muted(),
    ));
}

/// A loop's tripped kill signals, then those it suggests with how to add each.
fn signal_lines(
    s: &Shared,
    l: &LoopReview,
    (slug, kind): (&str, LoopKind),
    out: &mut Vec<(String, Style)>,
) {
    let theme = s.theme;
    let plain = Style::new();
    for sig in l.undecided() {
        out.push((
            format!(
                "tripped: {} — {}",
                clean(&sig.text),
                clean(sig.reason.as_deref().unwrap_or(""))
            ),
            theme.alert(),
        ));
    }
    out.push((String::new(), plain));
    for sg in &l.suggested_kill_signals {
        out.push((
            format!(
                "~ suggested kill signal: {} — {}",
                clean(&sg.text),
                clean(&sg.why)
            ),
            theme.alert(),
        ));
        out.push((
            format!(
                "  {}",
                crate::tui::remedy::suggestion(sg.cure, slug, kind, s.keys)
            ),
            plain,
        ));
    }
}

/// The weekly compound test of a job: overdue or due, and the four layers it asks about.
fn compound_lines(s: &Shared, review: &Review, slug: &str, out: &mut Vec<(String, Style)>) {
    let theme = s.theme;
    let plain = Style::new();
    let cycle = review
        .jobs
        .iter()
        .find(|j| j.slug == slug)
        .map(|j| &j.cycle);
    out.push((format!("Compound test of {}", clean(slug)), theme.title()));
    let overdue = cycle.and_then(|c| c.overdue_week());
    if let Some(w) = overdue {
        out.push((
            format!("{w}'s compound test was never answered: it is overdue"),
            theme.alert(),
        ));
    }
    if let Some(c) = cycle.filter(|c| c.due) {
        out.push((
            if overdue.is_some() {
                format!("{}'s is due this week too", c.week)
            } else {
                format!("{}'s compound test is due this week", c.week)
            },
            plain,
        ));
    }
    let week = overdue
        .map(|w| w.to_string())
        .or_else(|| cycle.map(|c| c.week.clone()))
        .unwrap_or_else(|| review.week.clone());
    out.push((String::new(), plain));
    out.push((format!("Did each layer improve in {week}?"), plain));
    for layer in crate::domain::Layer::ALL {
        out.push((format!("  {:<14} {}", layer.name(), layer.meaning()), plain));
    }
    out.push((
        format!(
            "{} or {} opens the test on {week} (←/→ there picks another open week); a broken layer names the next job.",
            s.key(Action::Open),
            s.key(Action::CloseCycle)
        ),
        theme.muted(),
    ));
}
