//! `flow list`, `incident list`: a job's flow in text, as the lanes and the register read it.

use crate::display::clean;
use crate::domain::flow::{FlowView, StepView};
use crate::domain::model::{Verdict, short_id};

/// What a step is and who does it: `agent · action · perception`.
pub(super) fn what(s: &StepView) -> String {
    let mut parts = vec![s.by.to_string(), s.kind.to_string()];
    if let Some(r) = s.role {
        parts.push(r.to_string());
    }
    if let Some(g) = s.gate {
        parts.push(format!("{g} gate"));
    }
    if s.irreversible {
        parts.push("irreversible".into());
    }
    parts.join(" · ")
}

pub(super) fn flow_list(slug: &str, v: &FlowView) -> String {
    let c = |s: &str| clean(s).into_owned();
    let mut out = String::new();
    if v.steps.is_empty() {
        out.push_str(&format!(
            "{}'s flow has no steps yet: map it with `jobloop flow add {} NAME --kind K --by agent|system|human`\n",
            c(slug),
            c(slug)
        ));
    } else {
        out.push_str(&format!("{}'s flow ({} steps)\n", c(slug), v.steps.len()));
    }
    for (i, s) in v.steps.iter().enumerate() {
        out.push_str(&step_lines(i + 1, s));
    }
    if !v.dropped.is_empty() {
        out.push_str("work removed:\n");
        for d in &v.dropped {
            out.push_str(&format!(
                "  - {} ({}): {}\n",
                c(&d.name),
                d.at.to_text(),
                c(&d.why)
            ));
        }
    }
    if !v.removed_steps.is_empty() {
        out.push_str("steps removed from the flow:\n");
        for r in &v.removed_steps {
            out.push_str(&format!(
                "  - {} ({}): {}\n",
                c(&r.name),
                r.at.local_date(),
                c(&r.reason)
            ));
        }
    }
    if !v.incidents.is_empty() {
        out.push_str("incidents:\n");
        out.push_str(&incident_lines(v));
    }
    out
}

/// One step of the flow, numbered: what it is, what it follows, its data, its governance,
/// critics, decisions and open incidents.
fn step_lines(n: usize, s: &StepView) -> String {
    let c = |s: &str| clean(s).into_owned();
    let mut out = String::new();
    out.push_str(&format!("{:>3}. {}  [{}]\n", n, c(&s.name), what(s)));
    if s.at.date() != s.recorded_at.local_date() {
        out.push_str(&format!(
            "     mapped {} (recorded {})\n",
            s.at.to_text(),
            s.recorded_at.local_date()
        ));
    }
    if !s.after.is_empty() {
        let after: Vec<String> = s.after.iter().map(|a| c(a)).collect();
        out.push_str(&format!("     after: {}\n", after.join(", ")));
    }
    if !s.data.is_empty() {
        out.push_str(&format!(
            "     data: {}\n",
            crate::domain::flow::classes(&s.data)
        ));
    }
    let g = &s.governance;
    let mut gov = Vec::new();
    if let Some(o) = &g.owner {
        gov.push(format!("owner {}", c(o)));
    }
    if let Some(a) = &g.approval {
        gov.push(format!("approval: {}", c(a)));
    }
    if !gov.is_empty() {
        out.push_str(&format!("     {}\n", gov.join(" · ")));
    }
    for k in &g.critics {
        let state = match &k.latest {
            Some(l) => format!(
                "{} on {}{}",
                if l.result == Verdict::Fail {
                    "FAIL"
                } else {
                    "pass"
                },
                l.at.local_date(),
                l.note
                    .as_deref()
                    .map(|n| format!(" ({})", c(n)))
                    .unwrap_or_default()
            ),
            None => "no result yet".into(),
        };
        out.push_str(&format!("     critic {} ({}): {state}\n", c(&k.name), k.by));
    }
    for d in &s.decisions {
        out.push_str(&format!(
            "     decision {}: {} — owner {}{}\n",
            short_id(&d.id),
            c(&d.text),
            c(&d.owner),
            crate::register::sign_off_words(d.signed_off, d.witnessed_by.as_deref())
        ));
    }
    if s.open_incidents > 0 {
        out.push_str(&format!("     {} open incident(s)\n", s.open_incidents));
    }
    out
}

fn incident_lines(v: &FlowView) -> String {
    let c = |s: &str| clean(s).into_owned();
    let mut out = String::new();
    for i in &v.incidents {
        out.push_str(&format!(
            "  {} {} {} at {} ({}){}: {}\n",
            short_id(&i.id),
            if i.open { "open" } else { "fixed" },
            i.severity,
            c(&i.step),
            i.at.to_text(),
            i.tag
                .as_deref()
                .map(|t| format!(" [{}]", c(t)))
                .unwrap_or_default(),
            c(&i.what)
        ));
        if let Some(change) = &i.change {
            out.push_str(&format!("      fixed: {}\n", c(change)));
        }
    }
    out
}

pub(super) fn incidents(jobs: &[(String, FlowView)]) -> String {
    let mut out = String::new();
    for (slug, v) in jobs.iter().filter(|(_, v)| !v.incidents.is_empty()) {
        out.push_str(&format!("{}\n", clean(slug)));
        out.push_str(&incident_lines(v));
    }
    if out.is_empty() {
        out.push_str("no incidents recorded\n");
    }
    out
}
