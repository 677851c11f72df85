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
use crate::detail_rows::{
    decision_row, event_row, intervention_row, learning_row, signal_rows, value_row,
};
use crate::display::{
    clean, comparison_lines, phase_words, plan_lines, process_words, status_symbol,
};
use crate::domain::LoopKind;
use crate::domain::model::*;
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

fn lines(s: &Shared, d: &LoopDetail) -> Vec<(String, Style)> {
    let theme = s.theme;
    let r = &d.record;
    let k = |a| s.key(a);
    let plain = Style::new();
    let mut out: Vec<(String, Style)> = Vec::new();
    let head = |t: &str, out: &mut Vec<(String, Style)>| {
        out.push((String::new(), plain));
        out.push((t.to_string(), theme.title()));
    };
    out.push((
        format!(
            "{}/{}  {} {} · owner: {}",
            clean(&r.job.slug),
            r.lp.kind,
            status_symbol(r.lp.status),
            r.lp.status.label(),
            r.lp.owner.as_deref().map(clean).unwrap_or("(none)".into())
        ),
        theme.title(),
    ));
    out.push((r.lp.kind.question().to_string(), theme.muted()));
    if r.lp.status == Status::Killed {
        out.push((
            format!("KILLED — {} reopens it", k(Action::Reopen)),
            theme.alert(),
        ));
    }
    if r.kill_signals.iter().any(KillSignal::awaits_decision) {
        out.push((
            format!(
                "KILL SIGNAL TRIPPED — decide: {} retire · {} continue",
                k(Action::Retire),
                k(Action::Continue)
            ),
            theme.alert(),
        ));
    }
    head(
        &format!("Checklist ({} marks a step done)", k(Action::Step)),
        &mut out,
    );
    for st in &r.steps {
        let mark = if st.done_at.is_some() { "[x]" } else { "[ ]" };
        out.push((format!("{mark} {}. {}", st.n, clean(&st.text)), plain));
        if let (Some(at), Some(by)) = (st.done_at, &st.done_by) {
            let ev = st
                .evidence
                .as_deref()
                .map(|e| format!(": {}", clean(e)))
                .unwrap_or_default();
            out.push((
                format!("      done {} by {}{ev}", at.local_date(), clean(by)),
                theme.muted(),
            ));
        }
    }
    head("Primary metric", &mut out);
    match &r.metric {
        None => out.push((
            format!("none yet: {} sets one", k(Action::Metric)),
            theme.muted(),
        )),
        Some(m) => {
            let target = m
                .target
                .map(|t| format!(" · target {}", crate::display::target_words(t, &m.unit)))
                .unwrap_or_else(|| format!(" · no target ({} sets one)", k(Action::Target)));
            out.push((
                format!(
                    "{} ({}{} is better, measures {}){target}",
                    clean(&m.name),
                    if m.unit.is_empty() {
                        String::new()
                    } else {
                        format!("{}, ", clean(&m.unit))
                    },
                    m.better,
                    m.measures
                ),
                plain,
            ));
            if let Some(c) = d.review.as_ref().and_then(|l| l.comparison.as_ref()) {
                for line in comparison_lines(c, &m.unit, m.better) {
                    let style = if line.starts_with("caveat") {
                        theme.alert()
                    } else {
                        theme.accent()
                    };
                    out.push((line, style));
                }
            }
            if let Some(p) = d.review.as_ref().and_then(|l| l.process.as_ref()) {
                let total = d.review.as_ref().map_or(0, |l| l.signals_total);
                let c = d.review.as_ref().and_then(|l| l.comparison.as_ref());
                out.push((process_words(p, total, c), theme.muted()));
                if let Some(line) = phase_words(p) {
                    out.push((line, theme.muted()));
                }
            }
            for line in d
                .review
                .as_ref()
                .map(|l| plan_lines(l, &m.unit, m.better))
                .unwrap_or_default()
            {
                let style = if line.contains("deviation") || line.contains("BREACHED") {
                    theme.alert()
                } else {
                    theme.muted()
                };
                out.push((line, style));
            }
            for v in r.values.iter().rev() {
                let style = if v.void.is_some() {
                    theme.muted()
                } else {
                    plain
                };
                out.push((format!("  {}", value_row(v, &m.unit)), style));
            }
        }
    }
    let view = crate::domain::flow::FlowView::of(&r.flow, &r.decisions);
    if let Some((heading, lines)) = crate::detail_rows::flow_part(r.lp.kind, &view) {
        head(heading, &mut out);
        for l in lines {
            out.push((format!("  {l}"), plain));
        }
    }
    if !r.interventions.is_empty() {
        head("Interventions", &mut out);
        for i in &r.interventions {
            out.push((format!("  {}", intervention_row(i)), plain));
        }
    }
    head(
        &format!(
            "Kill signals ({} trips one, {} adds one)",
            k(Action::Trip),
            k(Action::AddSignal)
        ),
        &mut out,
    );
    let checks = d.review.as_ref().map(|l| &l.kill_signals);
    for sig in &r.kill_signals {
        let check = checks
            .and_then(|c| c.iter().find(|c| c.signal.n == sig.n))
            .and_then(|c| c.rule_check.as_ref());
        let (head, details) = signal_rows(sig, check);
        let style = match (sig.state, sig.decision) {
            (SignalState::Tripped, None) => theme.alert(),
            (SignalState::Tripped, Some(_)) => theme.muted(),
            (SignalState::Armed, _) => plain,
        };
        out.push((head, style));
        for d in details {
            out.push((format!("   {d}"), theme.muted()));
        }
    }
    for sg in d.review.iter().flat_map(|l| &l.suggested_kill_signals) {
        out.push((
            format!("suggested: {} — {}", clean(&sg.text), clean(&sg.why)),
            theme.alert(),
        ));
        out.push((
            format!(
                "   {}",
                crate::tui::remedy::suggestion(sg.cure, &r.job.slug, r.lp.kind, s.keys)
            ),
            theme.muted(),
        ));
    }
    if !r.decisions.is_empty() {
        head(
            &format!(
                "Decisions ({} signs off, {} amends)",
                k(Action::SignOff),
                k(Action::Amend)
            ),
            &mut out,
        );
        for dc in &r.decisions {
            out.push((format!("  {}", decision_row(dc, &r.decisions)), plain));
        }
    }
    head(
        &format!("Learnings ({} captures one)", k(Action::Learn)),
        &mut out,
    );
    for l in &r.learnings {
        out.push((format!("  {}", learning_row(l)), plain));
    }
    head(
        &format!("Notes ({} edits them)", k(Action::Notes)),
        &mut out,
    );
    for line in r.lp.notes.split('\n') {
        out.push((clean(line).into_owned(), plain));
    }
    head("Recent activity", &mut out);
    for e in &d.events {
        out.push((event_row(e), theme.muted()));
    }
    out
}
