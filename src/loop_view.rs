//! The loop detail as one view model, computed once from what the store read: `loop show` prints
//! it and the TUI's loop detail styles it, so both show the same facts in the same order. What
//! is left to each front end is how it says what to do next (a command or a key: `Alert`, `Ask`)
//! and its layout (indentation, which empty sections it keeps, the order of the values beside a
//! chart).

use crate::detail_rows::{
    decision_row, event_row, flow_part, intervention_row, learning_row, signal_rows, value_row,
};
use crate::display::{
    clean, comparison_lines, phase_words, plan_lines, process_words, status_symbol, target_words,
};
use crate::domain::LoopKind;
use crate::domain::detect::Cure;
use crate::domain::flow::FlowView;
use crate::domain::model::*;
use crate::domain::review::{Flag, LoopReview};
use crate::store::LoopDetail;

/// Everything about one loop, in the order it is shown.
#[derive(Clone, Debug, PartialEq)]
pub struct LoopView {
    /// `slug/kind`.
    pub title: String,
    /// The status's symbol and label (`● open`).
    pub status: String,
    /// The owner, or `(none)`.
    pub owner: String,
    /// The question the loop answers.
    pub question: &'static str,
    /// What needs acting on first, most urgent first.
    pub alerts: Vec<Alert>,
    pub sections: Vec<Section>,
}

/// A state at the top of the detail that asks for a decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alert {
    /// The loop was killed: reopen it to record on it.
    Killed,
    /// A kill signal tripped and waits for retire or continue.
    Tripped,
}

/// A part of the detail and its rows.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub part: Part,
    pub rows: Vec<Row>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Checklist,
    Metric,
    /// The loop's part of the job's workflow, with its heading.
    Flow(&'static str),
    Interventions,
    KillSignals,
    Decisions,
    Learnings,
    Notes,
    Activity,
}

impl Part {
    pub fn heading(self) -> &'static str {
        match self {
            Part::Checklist => "Checklist",
            Part::Metric => "Primary metric",
            Part::Flow(h) => h,
            Part::Interventions => "Interventions",
            Part::KillSignals => "Kill signals",
            Part::Decisions => "Decisions",
            Part::Learnings => "Learnings",
            Part::Notes => "Notes",
            Part::Activity => "Recent activity",
        }
    }
}

/// One line of a section.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub text: String,
    pub tone: Tone,
    /// 0: an item; 1: a value under its metric; 2: a detail of the item above.
    pub depth: u8,
    pub kind: RowKind,
}

/// How much a row asks for attention (each front end has its own style for each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Muted,
    Accent,
    Alert,
    /// A heading inside a section (a lane of the flow).
    Title,
    /// A loop's line, in its status's colour.
    Status(Status),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    Fact,
    /// A value of the metric (a front end may list only the latest, or newest first).
    Value,
    /// A fact that a front end follows with how to act on it.
    Ask(Ask),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ask {
    /// No metric yet: set one.
    SetMetric,
    /// The metric has no target: set one.
    SetTarget,
    /// A kill signal is suggested on the loop: trip it, or record what removes its cause.
    Suggested(LoopKind, Cure),
    /// A flag of the loop: what would clear it.
    Flag(LoopKind, Flag),
    /// Answer the compound test: this week's, or the overdue week named (a week before this one
    /// that was never answered, which closing "this week" would leave unanswered).
    CloseCycle(Option<crate::domain::time::Week>),
    /// Reopen the loop (the next job named was killed).
    Reopen(LoopKind),
    /// Map the job's workflow.
    MapFlow,
    /// Record a proof artifact.
    AddProof,
    /// Record a tool selected for the job.
    AddTool,
}

impl Row {
    fn new(text: impl Into<String>, tone: Tone, depth: u8) -> Row {
        Row {
            text: text.into(),
            tone,
            depth,
            kind: RowKind::Fact,
        }
    }

    fn ask(mut self, ask: Ask) -> Row {
        self.kind = RowKind::Ask(ask);
        self
    }
}

impl LoopView {
    pub fn of(d: &LoopDetail) -> LoopView {
        let r = &d.record;
        let review = d.review.as_ref();
        let mut alerts = Vec::new();
        if r.lp.status == Status::Killed {
            alerts.push(Alert::Killed);
        }
        if r.kill_signals.iter().any(KillSignal::awaits_decision) {
            alerts.push(Alert::Tripped);
        }
        let view = FlowView::of(&r.flow, &r.decisions);
        let flow = flow_part(r.lp.kind, &view).map(|(heading, lines)| Section {
            part: Part::Flow(heading),
            rows: lines
                .into_iter()
                .map(|l| Row::new(l, Tone::Plain, 0))
                .collect(),
        });
        let mut sections = vec![checklist(r), metric(r, review)];
        sections.extend(flow);
        sections.push(Section {
            part: Part::Interventions,
            rows: rows(&r.interventions, intervention_row),
        });
        sections.push(kill_signals(r, review));
        sections.push(Section {
            part: Part::Decisions,
            rows: rows(&r.decisions, |dc| decision_row(dc, &r.decisions)),
        });
        sections.push(Section {
            part: Part::Learnings,
            rows: rows(&r.learnings, learning_row),
        });
        sections.push(Section {
            part: Part::Notes,
            rows: if r.lp.notes.is_empty() {
                Vec::new()
            } else {
                r.lp.notes
                    .split('\n')
                    .map(|l| Row::new(clean(l), Tone::Plain, 0))
                    .collect()
            },
        });
        sections.push(Section {
            part: Part::Activity,
            rows: d
                .events
                .iter()
                .map(|e| Row::new(event_row(e), Tone::Muted, 0))
                .collect(),
        });
        LoopView {
            title: format!("{}/{}", clean(&r.job.slug), r.lp.kind),
            status: format!("{} {}", status_symbol(r.lp.status), r.lp.status.label()),
            owner: r
                .lp
                .owner
                .as_deref()
                .map(clean)
                .unwrap_or("(none)".into())
                .into_owned(),
            question: r.lp.kind.question(),
            alerts,
            sections,
        }
    }
}

fn rows<T>(items: &[T], row: impl Fn(&T) -> String) -> Vec<Row> {
    items
        .iter()
        .map(|i| Row::new(row(i), Tone::Plain, 0))
        .collect()
}

fn checklist(r: &crate::domain::loop_record::LoopRecord) -> Section {
    let mut rows = Vec::new();
    for s in &r.steps {
        let mark = if s.done_at.is_some() { "[x]" } else { "[ ]" };
        rows.push(Row::new(
            format!("{mark} {}. {}", s.n, clean(&s.text)),
            Tone::Plain,
            0,
        ));
        if let (Some(at), Some(by)) = (s.done_at, &s.done_by) {
            let ev = s
                .evidence
                .as_deref()
                .map(|e| format!(": {}", clean(e)))
                .unwrap_or_default();
            rows.push(Row::new(
                format!("done {} by {}{ev}", at.local_date(), clean(by)),
                Tone::Muted,
                2,
            ));
        }
    }
    Section {
        part: Part::Checklist,
        rows,
    }
}

/// The metric, what its values say (comparison, process limits, the locked plan), its values.
fn metric(r: &crate::domain::loop_record::LoopRecord, review: Option<&LoopReview>) -> Section {
    let Some(m) = &r.metric else {
        return Section {
            part: Part::Metric,
            rows: vec![Row::new("none yet", Tone::Muted, 0).ask(Ask::SetMetric)],
        };
    };
    let unit = if m.unit.is_empty() {
        String::new()
    } else {
        format!("{}, ", clean(&m.unit))
    };
    let head = format!(
        "{} ({unit}{} is better, measures {})",
        clean(&m.name),
        m.better,
        m.measures
    );
    let mut rows = vec![match m.target {
        Some(t) => Row::new(
            format!("{head} · target {}", target_words(t, &m.unit)),
            Tone::Plain,
            0,
        ),
        None => Row::new(format!("{head} · no target"), Tone::Plain, 0).ask(Ask::SetTarget),
    }];
    if let Some(c) = review.and_then(|l| l.comparison.as_ref()) {
        for line in comparison_lines(c, &m.unit, m.better) {
            let tone = if line.starts_with("caveat") {
                Tone::Alert
            } else {
                Tone::Accent
            };
            rows.push(Row::new(line, tone, 0));
        }
    }
    if let Some(l) = review
        && let Some(p) = &l.process
    {
        let words = process_words(p, l.signals_total, l.comparison.as_ref());
        rows.push(Row::new(words, Tone::Muted, 0));
        if let Some(line) = phase_words(p) {
            rows.push(Row::new(line, Tone::Muted, 0));
        }
    }
    for line in review
        .map(|l| plan_lines(l, &m.unit, m.better))
        .unwrap_or_default()
    {
        let tone = if line.contains("deviation") || line.contains("BREACHED") {
            Tone::Alert
        } else {
            Tone::Muted
        };
        rows.push(Row::new(line, tone, 0));
    }
    for v in &r.values {
        let tone = if v.void.is_some() {
            Tone::Muted
        } else {
            Tone::Plain
        };
        rows.push(Row {
            kind: RowKind::Value,
            ..Row::new(value_row(v, &m.unit), tone, 1)
        });
    }
    Section {
        part: Part::Metric,
        rows,
    }
}

/// Each kill signal with its rule's word now, then the signals the data suggests.
fn kill_signals(
    r: &crate::domain::loop_record::LoopRecord,
    review: Option<&LoopReview>,
) -> Section {
    let mut rows = Vec::new();
    for k in &r.kill_signals {
        let check = review
            .and_then(|l| l.kill_signals.iter().find(|s| s.signal.n == k.n))
            .and_then(|s| s.rule_check.as_ref());
        let (head, details) = signal_rows(k, check);
        let tone = match (k.state, k.decision) {
            (SignalState::Tripped, None) => Tone::Alert,
            (SignalState::Tripped, Some(_)) => Tone::Muted,
            (SignalState::Armed, _) => Tone::Plain,
        };
        rows.push(Row::new(head, tone, 0));
        rows.extend(details.into_iter().map(|d| Row::new(d, Tone::Muted, 2)));
    }
    for s in review.iter().flat_map(|l| &l.suggested_kill_signals) {
        rows.push(
            Row::new(
                format!("suggested: {} — {}", clean(&s.text), clean(&s.why)),
                Tone::Alert,
                0,
            )
            .ask(Ask::Suggested(r.lp.kind, s.cure)),
        );
    }
    Section {
        part: Part::KillSignals,
        rows,
    }
}
