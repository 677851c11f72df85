//! The rows of a loop's detail — a value, an intervention, a kill signal, a decision, a
//! learning, an event — in the words every front end shows: `loop show` prints them, the TUI's
//! loop detail styles them, so both show the same facts (who recorded what, who voided it and
//! why, when a signal changed).

use crate::display::{clean, with_unit};
use crate::domain::model::*;
use crate::domain::rules::RuleCheck;
use crate::domain::time::{Stamp, When};

/// `  VOID (date by who: why)` after a voided record; nothing otherwise.
pub fn void_mark(v: &Option<Void>) -> String {
    match v {
        Some(v) => format!(
            "  VOID ({} by {}: {})",
            v.at.local_date(),
            clean(&v.by),
            clean(&v.reason)
        ),
        None => String::new(),
    }
}

/// A value of the metric with `unit`: its id (to void), date, phase, value, note, void.
pub fn value_row(v: &Value, unit: &str) -> String {
    let note = if v.note.is_empty() {
        String::new()
    } else {
        format!("  {}", clean(&v.note))
    };
    format!(
        "{}  {}  {:<8} {:>10}{note}{}",
        short_id(&v.id),
        v.at,
        v.phase,
        with_unit(v.shown(), unit),
        void_mark(&v.void)
    )
}

/// An intervention: its id, date, what changed, who recorded it, void.
pub fn intervention_row(i: &Intervention) -> String {
    format!(
        "{}  {}  {} ({}){}",
        short_id(&i.id),
        i.at,
        clean(&i.description),
        clean(&i.recorded_by),
        void_mark(&i.void)
    )
}

/// A kill signal's first line (`2. [TRIPPED] text`) and its details (its rule and what it says
/// now, the reason with who and when, the evidence, the decision).
pub fn signal_rows(k: &KillSignal, check: Option<&RuleCheck>) -> (String, Vec<String>) {
    let state = match (k.state, k.decision) {
        (SignalState::Armed, Some(d)) => format!("armed again after: {d}"),
        (SignalState::Armed, None) => "armed".to_string(),
        (SignalState::Tripped, None) => "TRIPPED".to_string(),
        (SignalState::Tripped, Some(d)) => format!("tripped, decided: {d}"),
    };
    let head = format!("{}. [{state}] {}", k.n, clean(&k.text));
    let mut details = Vec::new();
    if let Some(rule) = &k.rule {
        let now = match check {
            Some(RuleCheck::Fires(w)) => format!(" — fires: {}", clean(w)),
            Some(RuleCheck::Holds(w)) => format!(" — holds: {}", clean(w)),
            Some(RuleCheck::CannotJudge(w)) => format!(" — cannot judge: {}", clean(w)),
            None => String::new(),
        };
        details.push(format!("rule: {}{now}", clean(rule)));
    }
    if let Some(reason) = &k.reason {
        let by = match (&k.changed_by, k.changed_at) {
            (Some(b), Some(at)) => format!(" ({}, {})", clean(b), at.local_minute()),
            _ => String::new(),
        };
        details.push(format!("reason: {}{by}", clean(reason)));
    }
    if let Some(e) = &k.evidence {
        details.push(format!("evidence: {}", clean(e)));
    }
    if let Some(dr) = &k.decision_reason {
        details.push(format!("decision: {}", clean(dr)));
    }
    (head, details)
}

/// A decision among `all` of its loop: its id, date, text, owner, threshold, and its state
/// (pending, signed off by whom and when, amended by a newer version, void).
pub fn decision_row(dc: &Decision, all: &[Decision]) -> String {
    let th = dc
        .threshold
        .as_deref()
        .map(|t| format!(" — threshold: {}", clean(t)))
        .unwrap_or_default();
    let amended = all
        .iter()
        .any(|n| n.supersedes.as_ref() == Some(&dc.id) && n.void.is_none());
    let state = if dc.void.is_some() {
        String::new()
    } else if amended {
        "  (amended: see the newer version)".to_string()
    } else {
        match (&dc.approved_by, dc.approved_at) {
            (Some(by), Some(at)) => match &dc.witnessed_by {
                Some(w) => format!(
                    "  WITNESSED sign-off: {} recorded {}'s sign-off on their word on {}",
                    clean(w),
                    clean(by),
                    at.local_date()
                ),
                None => format!("  signed off by {} on {}", clean(by), at.local_date()),
            },
            _ => format!("  PENDING sign-off by {}", clean(&dc.owner)),
        }
    };
    format!(
        "{}  {}  {} — owner: {}{th}{state}{}",
        short_id(&dc.id),
        dated(dc.when(), dc.recorded_at),
        clean(&dc.text),
        clean(&dc.owner),
        void_mark(&dc.void)
    )
}

/// A learning: its id, date, type, tag, capability, text, void, on one line (a screen's row).
pub fn learning_row(l: &Learning) -> String {
    learning_with(l, |t| clean(t).into_owned())
}

/// A learning for a page (the report, the playbook): its text keeps its line breaks, made safe
/// line by line where the page is written.
pub fn learning_lines(l: &Learning) -> String {
    learning_with(l, crate::display::clean_multiline)
}

fn learning_with(l: &Learning, text: impl Fn(&str) -> String) -> String {
    let tag = l
        .tag
        .as_deref()
        .map(|t| format!(" [{}]", clean(t)))
        .unwrap_or_default();
    let cap = l.capability.map(|c| format!(" {c}")).unwrap_or_default();
    format!(
        "{}  {}  {}{tag}{cap}: {}{}",
        short_id(&l.id),
        dated(l.when(), l.recorded_at),
        l.kind,
        text(&l.text),
        void_mark(&l.void)
    )
}

/// An event of the loop's recent activity: when, who, what (on one line).
pub fn event_row(e: &AuditEvent) -> String {
    format!(
        "{}  {:<10} {}",
        e.at.local_minute(),
        clean(&e.actor),
        clean(&e.summary.replace('\n', " · "))
    )
}

/// The loop's part of the job's redesigned workflow, as its detail shows it: the steps (redesign),
/// each step's governance and critics (govern), the open incidents (improve); `None` for the other
/// loops, or while the flow is empty. A heading, then the lines.
pub fn flow_part(
    kind: crate::domain::LoopKind,
    view: &crate::domain::flow::FlowView,
) -> Option<(&'static str, Vec<String>)> {
    use crate::domain::LoopKind;
    match kind {
        LoopKind::Redesign if !view.steps.is_empty() || !view.dropped.is_empty() => {
            Some(("Workflow (the redesign)", redesign_lines(view)))
        }
        LoopKind::Govern if !view.steps.is_empty() => {
            let lines = view.steps.iter().map(governance_line).collect();
            Some(("Governance in the workflow", lines))
        }
        LoopKind::Improve if view.incidents.iter().any(|i| i.open) => {
            let lines = view
                .incidents
                .iter()
                .filter(|i| i.open)
                .map(|i| {
                    format!(
                        "{}  {} at {} — {} ({})",
                        short_id(&i.id),
                        i.at,
                        clean(&i.step),
                        clean(&i.what),
                        i.severity
                    )
                })
                .collect();
            Some(("Open incidents", lines))
        }
        _ => None,
    }
}

/// Who does a workflow step, with their role or gate when it has one.
fn step_who(s: &crate::domain::flow::StepView) -> String {
    match (s.by, s.role, s.gate) {
        (by, Some(role), _) => format!("{by} ({role})"),
        (by, _, Some(gate)) => format!("{by} ({gate} gate)"),
        (by, _, _) => by.to_string(),
    }
}

/// The classes of data a workflow step touches, as a suffix (empty when none).
fn step_data(s: &crate::domain::flow::StepView) -> String {
    if s.data.is_empty() {
        String::new()
    } else {
        format!(" · data: {}", crate::domain::flow::classes(&s.data))
    }
}

/// The redesign's lines: each step in order, then the work it removed.
fn redesign_lines(view: &crate::domain::flow::FlowView) -> Vec<String> {
    let mut lines: Vec<String> = view
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let after = if s.after.is_empty() {
                String::new()
            } else {
                let names: Vec<String> = s.after.iter().map(|a| clean(a).into_owned()).collect();
                format!(" · after {}", names.join(", "))
            };
            format!(
                "{}. {} — {} · {}{}{}{after}",
                i + 1,
                clean(&s.name),
                s.kind,
                step_who(s),
                step_data(s),
                if s.irreversible {
                    " · irreversible"
                } else {
                    ""
                }
            )
        })
        .collect();
    for d in &view.dropped {
        lines.push(format!(
            "removed work: {} — {}",
            clean(&d.name),
            clean(&d.why)
        ));
    }
    lines
}

/// One step's governance: its owner, its approval threshold, its critics and their latest
/// results.
fn governance_line(s: &crate::domain::flow::StepView) -> String {
    let g = &s.governance;
    let owner = g
        .owner
        .as_deref()
        .map_or("no owner".into(), |o| format!("owner {}", clean(o)));
    let approval = g
        .approval
        .as_deref()
        .map_or("no approval threshold".into(), |a| {
            format!("approval: {}", clean(a))
        });
    let critics: Vec<String> = g
        .critics
        .iter()
        .map(|c| match &c.latest {
            Some(l) => format!(
                "{} ({}) {} {}",
                clean(&c.name),
                c.by,
                l.result,
                l.at.local_date()
            ),
            None => format!("{} ({}) no result yet", clean(&c.name), c.by),
        })
        .collect();
    let critics = if critics.is_empty() {
        "no critic check".to_string()
    } else {
        format!("critics: {}", critics.join(", "))
    };
    format!(
        "{} — {}{} · {owner} · {approval} · {critics}",
        clean(&s.name),
        step_who(s),
        step_data(s)
    )
}

/// The day a record is about, and the day it was recorded when that is another (backfill).
fn dated(when: When, recorded_at: Stamp) -> String {
    let recorded = recorded_at.local_date();
    match when.date() {
        day if day == recorded => day.to_string(),
        day => format!("{day} (recorded {recorded})"),
    }
}
