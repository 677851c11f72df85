//! A job's flow as a diagram that Mermaid and Graphviz render as they are: one lane per
//! performer (agent · system · human), each step with its kind, role or gate, data classes,
//! owner and critic state; human gates drawn as hexagons, irreversible steps doubled; an edge
//! from each step to the steps that follow it.

use crate::domain::flow::{FlowView, StepView};
use crate::domain::model::{Performer, Verdict};

/// The lines of a step's label: its name, then what it is.
fn label_lines(s: &StepView) -> Vec<String> {
    let mut what = vec![s.kind.to_string()];
    if let Some(r) = s.role {
        what.push(r.to_string());
    }
    if let Some(g) = s.gate {
        what.push(format!("{g} gate"));
    }
    if s.irreversible {
        what.push("irreversible".into());
    }
    let mut lines = vec![s.name.clone(), what.join(" · ")];
    if !s.data.is_empty() {
        lines.push(format!(
            "data: {}",
            s.data
                .iter()
                .map(|d| d.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(o) = &s.governance.owner {
        lines.push(format!("owner: {o}"));
    }
    for c in &s.governance.critics {
        let state = match &c.latest {
            Some(l) if l.result == Verdict::Fail => "FAIL",
            Some(_) => "pass",
            None => "no result",
        };
        lines.push(format!("critic {}: {state}", c.name));
    }
    lines
}

/// Text shown inside a Mermaid label: no quote, no markup, no line break of its own.
fn mermaid_text(s: &str) -> String {
    crate::display::clean(s)
        .chars()
        .map(|c| match c {
            '"' => '\'',
            '<' => '‹',
            '>' => '›',
            '#' => '♯',
            '\n' | '\r' => ' ',
            c => c,
        })
        .collect()
}

/// Text inside a DOT string: quotes and backslashes escaped.
fn dot_text(s: &str) -> String {
    crate::display::clean(s)
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace(['\n', '\r'], " ")
}

const LANES: [Performer; 3] = [Performer::Agent, Performer::System, Performer::Human];

fn node_ids(view: &FlowView) -> Vec<(String, &StepView)> {
    view.steps
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("s{}", i + 1), s))
        .collect()
}

fn edges(view: &FlowView) -> Vec<(String, String)> {
    let ids = node_ids(view);
    let id_of = |name: &str| {
        ids.iter()
            .find(|(_, s)| s.name == name)
            .map(|(id, _)| id.clone())
    };
    let mut out = Vec::new();
    for (to, s) in &ids {
        for p in &s.after {
            if let Some(from) = id_of(p) {
                out.push((from, to.clone()));
            }
        }
    }
    out
}

/// The flow as a Mermaid flowchart, left to right, a subgraph per lane.
pub fn mermaid(title: &str, view: &FlowView) -> String {
    // The title is a YAML value in the front matter: double-quoted, so `Refunds: EU`, `&x` or
    // `[draft]` stay the title (mermaid_text has already turned `"` into `'`).
    let title = mermaid_text(title).replace('\\', "\\\\");
    let mut out = format!("---\ntitle: \"{title}\"\n---\nflowchart LR\n");
    let ids = node_ids(view);
    for lane in LANES {
        let steps: Vec<&(String, &StepView)> = ids.iter().filter(|(_, s)| s.by == lane).collect();
        if steps.is_empty() {
            continue;
        }
        out.push_str(&format!("  subgraph lane_{lane}[\"{lane}\"]\n"));
        for (id, s) in steps {
            let label = label_lines(s)
                .iter()
                .map(|l| mermaid_text(l))
                .collect::<Vec<_>>()
                .join("<br/>");
            let (open, close) = if s.gate.is_some() {
                ("{{", "}}")
            } else if s.irreversible {
                ("[[", "]]")
            } else {
                ("[", "]")
            };
            out.push_str(&format!("    {id}{open}\"{label}\"{close}\n"));
        }
        out.push_str("  end\n");
    }
    for (from, to) in edges(view) {
        out.push_str(&format!("  {from} --> {to}\n"));
    }
    out
}

/// The flow as a Graphviz digraph, left to right, a cluster per lane.
pub fn dot(title: &str, view: &FlowView) -> String {
    let mut out = format!(
        "digraph flow {{\n  label=\"{}\";\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
        dot_text(title)
    );
    let ids = node_ids(view);
    for lane in LANES {
        let steps: Vec<&(String, &StepView)> = ids.iter().filter(|(_, s)| s.by == lane).collect();
        if steps.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "  subgraph cluster_{lane} {{\n    label=\"{lane}\";\n"
        ));
        for (id, s) in steps {
            let label = label_lines(s)
                .iter()
                .map(|l| dot_text(l))
                .collect::<Vec<_>>()
                .join("\\n");
            let mut attrs = format!("label=\"{label}\"");
            if s.gate.is_some() {
                attrs.push_str(", shape=hexagon");
            }
            if s.irreversible {
                attrs.push_str(", peripheries=2");
            }
            out.push_str(&format!("    {id} [{attrs}];\n"));
        }
        out.push_str("  }\n");
    }
    for (from, to) in edges(view) {
        out.push_str(&format!("  {from} -> {to};\n"));
    }
    out.push_str("}\n");
    out
}
