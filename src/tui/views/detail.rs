//! The loop detail: everything about one loop, read in full by scrolling — status and owner,
//! checklist with evidence, the metric as a chart and the comparison with every caveat, values
//! with their ids (to void), interventions, kill signals with their rules and what those say
//! now, decisions with their sign-off, learnings, notes and recent activity.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::widgets::Paragraph;

use super::scroll::Scroll;
use super::{Go, Shared};
use crate::display::clean;
use crate::domain::LoopKind;
use crate::loop_view::{Alert, LoopView, Part};
use crate::store::LoopDetail;
use crate::tui::keymap::Action;
use crate::tui::worker::Request;

pub struct Detail {
    pub slug: String,
    pub kind: LoopKind,
    pub data: Option<LoopDetail>,
    scroll: Scroll,
}

impl Detail {
    pub fn new(slug: String, kind: LoopKind) -> Detail {
        Detail {
            slug,
            kind,
            data: None,
            scroll: Scroll::default(),
        }
    }

    pub fn load(&self) -> Request {
        Request::Detail {
            slug: self.slug.clone(),
            kind: self.kind,
        }
    }

    pub fn handle(&mut self, action: Action) -> Go {
        if self.scroll.key(action) {
            return Go::Stay;
        }
        match action {
            Action::Left | Action::Right => {
                let i = self.kind.position() as usize - 1;
                let next = if action == Action::Right {
                    (i + 1).min(5)
                } else {
                    i.saturating_sub(1)
                };
                if next != i {
                    self.kind = LoopKind::ALL[next];
                    self.data = None;
                    self.scroll.reset();
                    return Go::Load(self.load());
                }
            }
            Action::JobView => {
                return Go::Open(super::View::Job(Box::new(super::job::JobView::new(
                    self.slug.clone(),
                ))));
            }
            _ => return Go::Pass,
        }
        Go::Stay
    }

    pub fn render(&mut self, frame: &mut Frame, s: &Shared, area: Rect) {
        let Some(d) = &self.data else {
            frame.render_widget(
                Paragraph::new(format!("Loading {}/{}…", clean(&self.slug), self.kind)),
                area,
            );
            return;
        };
        let wide = area.width >= 110;
        let has_chart =
            d.record.metric.is_some() && d.record.values.iter().any(|v| v.void.is_none());
        let (text_area, chart_area) = if !has_chart {
            (area, None)
        } else if wide {
            let [l, r] =
                Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                    .areas(area);
            // A blank column between the text and the chart's axis labels.
            (
                l,
                Some(Rect {
                    x: r.x + 1,
                    width: r.width.saturating_sub(1),
                    ..r
                }),
            )
        } else if area.height >= 18 {
            let [c, t] = Layout::vertical([Constraint::Length(9), Constraint::Min(4)]).areas(area);
            (t, Some(c))
        } else {
            (area, None)
        };
        if let Some(c) = chart_area {
            super::chart::render(frame, s, d, c);
        }
        self.scroll.render(frame, s.theme, &lines(s, d), text_area);
    }
}

/// The loop's view model as styled lines, with the keys that act on it.
pub(crate) fn lines(s: &Shared, d: &LoopDetail) -> Vec<(String, Style)> {
    let theme = s.theme;
    let v = LoopView::of(d);
    let k = |a| s.key(a);
    let mut out: Vec<(String, Style)> = vec![
        (
            format!("{}  {} · owner: {}", v.title, v.status, v.owner),
            theme.title(),
        ),
        (v.question.to_string(), theme.muted()),
    ];
    for a in &v.alerts {
        let text = match a {
            Alert::Killed => format!("KILLED — {} reopens it", k(Action::Reopen)),
            Alert::Tripped => format!(
                "KILL SIGNAL TRIPPED — decide: {} retire · {} continue",
                k(Action::Retire),
                k(Action::Continue)
            ),
        };
        out.push((text, theme.alert()));
    }
    for section in &v.sections {
        // What the TUI can add to by a key is shown empty, with that key.
        let keyed = !matches!(
            section.part,
            Part::Interventions | Part::Decisions | Part::Flow(_)
        );
        if section.rows.is_empty() && !keyed {
            continue;
        }
        out.push((String::new(), Style::new()));
        out.push((heading(s, section.part), theme.title()));
        super::rows::push(&mut out, s, &section.rows, &d.record.job.slug, None);
    }
    out
}

/// A section's heading, with the keys that add to it.
fn heading(s: &Shared, part: Part) -> String {
    let k = |a| s.key(a);
    let keys = match part {
        Part::Checklist => format!(" ({} marks a step done)", k(Action::Step)),
        Part::KillSignals => format!(
            " ({} trips one, {} adds one)",
            k(Action::Trip),
            k(Action::AddSignal)
        ),
        Part::Decisions => format!(
            " ({} signs off, {} amends)",
            k(Action::SignOff),
            k(Action::Amend)
        ),
        Part::Learnings => format!(" ({} captures one)", k(Action::Learn)),
        Part::Notes => format!(" ({} edits them)", k(Action::Notes)),
        Part::Metric | Part::Flow(_) | Part::Interventions | Part::Activity => String::new(),
    };
    format!("{}{keys}", part.heading())
}
