//! The register: for every active job, what its AI does and who watches it — agent steps, the
//! data they touch, human gates and owners, approval thresholds, critic checks with their latest
//! results, open incidents, kill signals and decisions — each section labelled with the EU AI
//! Act deployer duty and the NIST AI RMF function it helps evidence. For orientation, not legal
//! advice. `register --json` serialises `Register` as is; its field names are a contract.

use serde::Serialize;

use crate::domain::LoopKind;
use crate::domain::flow::{FlowView, IncidentView, Latest};
use crate::domain::model::*;
use crate::domain::review::LoopReview;
use crate::domain::time::{Stamp, When};
use crate::store::FlowDetail;

pub const DISCLAIMER: &str = "For orientation, not legal advice: the labels name the EU AI Act deployer duty (Regulation (EU) 2024/1689, Art. 26) and the NIST AI RMF 1.0 function each section helps evidence; whether a system is high-risk, and what a duty asks of you, is for your counsel to say.";

/// What a section helps evidence.
#[derive(Clone, Debug, Serialize)]
pub struct Label {
    pub eu_ai_act: &'static str,
    pub nist_ai_rmf: &'static str,
}

/// The sections of each job's entry, in order, with their labels.
pub const SECTIONS: [(&str, &str, Label); 8] = [
    (
        "agent_steps",
        "Agent steps and what they do",
        Label {
            eu_ai_act: "Art. 26(1) use in accordance with the instructions for use",
            nist_ai_rmf: "MAP (context and tasks)",
        },
    ),
    (
        "data_classes",
        "Data classes the agent steps touch",
        Label {
            eu_ai_act: "Art. 26(4) input data relevant to the intended purpose; Art. 26(9) data protection impact assessment",
            nist_ai_rmf: "MAP (data), MEASURE",
        },
    ),
    (
        "oversight",
        "Human gates and owners (overseers)",
        Label {
            eu_ai_act: "Art. 26(2) human oversight by natural persons with competence, training and authority",
            nist_ai_rmf: "GOVERN (roles and accountability)",
        },
    ),
    (
        "approval_thresholds",
        "Approval thresholds",
        Label {
            eu_ai_act: "Art. 26(2) with Art. 14 human oversight measures",
            nist_ai_rmf: "GOVERN, MANAGE",
        },
    ),
    (
        "critic_checks",
        "Critic checks and their latest results",
        Label {
            eu_ai_act: "Art. 26(5) monitor the operation of the system",
            nist_ai_rmf: "MEASURE",
        },
    ),
    (
        "open_incidents",
        "Open incidents",
        Label {
            eu_ai_act: "Art. 26(5) inform the provider of risks and serious incidents (Art. 73)",
            nist_ai_rmf: "MANAGE (incident response)",
        },
    ),
    (
        "kill_signals",
        "Kill signals",
        Label {
            eu_ai_act: "Art. 26(5) suspend use when a risk is identified",
            nist_ai_rmf: "MANAGE (disengage or deactivate)",
        },
    ),
    (
        "decisions",
        "Irreversible decisions and their owners",
        Label {
            eu_ai_act: "Art. 26(6) keep the logs; the audit trail (`jobloop verify`) keeps who decided what",
            nist_ai_rmf: "GOVERN",
        },
    ),
];

#[derive(Clone, Debug, Serialize)]
pub struct Register {
    pub generated_at: Stamp,
    pub disclaimer: &'static str,
    /// How the names in it were established: `authenticated` (the shared database: each
    /// person acts as their own login) or `self-declared` (a local file: the name typed with
    /// `--as`, so a sign-off is a name someone typed, not a signature).
    pub names: &'static str,
    /// Each section's labels, by its field name in a job's entry.
    pub labels: std::collections::BTreeMap<&'static str, Label>,
    pub jobs: Vec<JobEntry>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AgentStep {
    pub step: String,
    pub kind: StepKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<AgentRole>,
    pub data: Vec<DataClass>,
    pub irreversible: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct DataUse {
    pub class: DataClass,
    /// The steps (any performer) that handle it.
    pub steps: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Oversight {
    pub step: String,
    pub by: Performer,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<HumanGate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Threshold {
    pub step: String,
    pub approval: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Critic {
    pub step: String,
    pub critic: String,
    pub by: Performer,
    pub latest: Option<Latest>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Signal {
    pub kind: LoopKind,
    pub n: i64,
    pub text: String,
    pub tripped: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Suggested {
    pub kind: LoopKind,
    pub text: String,
    pub why: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct DecisionEntry {
    pub kind: LoopKind,
    pub id: DecisionId,
    pub text: String,
    pub owner: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// Signed off by its owner, logged in as themselves (not a witnessed sign-off).
    pub signed_off: bool,
    /// Who recorded the owner's sign-off on their word: a witnessed sign-off, not a signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witnessed_by: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct JobEntry {
    pub slug: String,
    pub title: String,
    pub lead: Option<String>,
    pub agent_steps: Vec<AgentStep>,
    pub data_classes: Vec<DataUse>,
    pub oversight: Vec<Oversight>,
    pub approval_thresholds: Vec<Threshold>,
    pub critic_checks: Vec<Critic>,
    pub open_incidents: Vec<IncidentView>,
    pub kill_signals: Vec<Signal>,
    /// Kill signals the records suggest (never tripped by jobloop itself).
    pub suggested_kill_signals: Vec<Suggested>,
    pub decisions: Vec<DecisionEntry>,
}

fn entry(d: &FlowDetail) -> JobEntry {
    let view = d.view();
    let loops = d.review.as_ref().map(|r| r.loops.as_slice()).unwrap_or(&[]);
    JobEntry {
        slug: d.job.slug.clone(),
        title: d.job.title.clone(),
        lead: d.job.lead.clone(),
        agent_steps: agent_steps(&view),
        data_classes: data_uses(&view),
        oversight: oversight(&view),
        approval_thresholds: thresholds(&view),
        critic_checks: critic_checks(&view),
        open_incidents: view.incidents.iter().filter(|i| i.open).cloned().collect(),
        kill_signals: signals(loops),
        suggested_kill_signals: suggested(loops),
        decisions: decisions(d),
    }
}

/// The steps an agent performs.
fn agent_steps(view: &FlowView) -> Vec<AgentStep> {
    view.steps
        .iter()
        .filter(|s| s.by == Performer::Agent)
        .map(|s| AgentStep {
            step: s.name.clone(),
            kind: s.kind,
            role: s.role,
            data: s.data.clone(),
            irreversible: s.irreversible,
        })
        .collect()
}

/// Each class of data an agent handles, with every step that handles it.
fn data_uses(view: &FlowView) -> Vec<DataUse> {
    let classes: Vec<DataClass> = view
        .steps
        .iter()
        .filter(|s| s.by == Performer::Agent)
        .flat_map(|s| s.data.iter().copied())
        .collect();
    DataClass::ALL
        .iter()
        .filter(|c| classes.contains(c))
        .map(|c| DataUse {
            class: *c,
            steps: view
                .steps
                .iter()
                .filter(|s| s.data.contains(c))
                .map(|s| s.name.clone())
                .collect(),
        })
        .collect()
}

/// The steps with a human gate or a named owner.
fn oversight(view: &FlowView) -> Vec<Oversight> {
    view.steps
        .iter()
        .filter(|s| s.gate.is_some() || s.governance.owner.is_some())
        .map(|s| Oversight {
            step: s.name.clone(),
            by: s.by,
            gate: s.gate,
            owner: s.governance.owner.clone(),
        })
        .collect()
}

/// The approval threshold of each step that has one.
fn thresholds(view: &FlowView) -> Vec<Threshold> {
    view.steps
        .iter()
        .filter_map(|s| {
            s.governance.approval.as_ref().map(|a| Threshold {
                step: s.name.clone(),
                approval: a.clone(),
            })
        })
        .collect()
}

/// Every critic of every step, with its latest result.
fn critic_checks(view: &FlowView) -> Vec<Critic> {
    view.steps
        .iter()
        .flat_map(|s| {
            s.governance.critics.iter().map(|c| Critic {
                step: s.name.clone(),
                critic: c.name.clone(),
                by: c.by,
                latest: c.latest.clone(),
            })
        })
        .collect()
}

/// Every loop's kill signals, armed or tripped.
fn signals(loops: &[LoopReview]) -> Vec<Signal> {
    loops
        .iter()
        .flat_map(|l| {
            l.kill_signals.iter().map(|k| Signal {
                kind: l.kind,
                n: k.signal.n,
                text: k.signal.text.clone(),
                tripped: k.signal.tripped,
                reason: k.signal.reason.clone(),
            })
        })
        .collect()
}

/// The kill signals the loops suggest.
fn suggested(loops: &[LoopReview]) -> Vec<Suggested> {
    loops
        .iter()
        .flat_map(|l| {
            l.suggested_kill_signals.iter().map(|s| Suggested {
                kind: l.kind,
                text: s.text.clone(),
                why: s.why.clone(),
            })
        })
        .collect()
}

/// The job's decisions, each naming its step and whether it was signed off.
fn decisions(d: &FlowDetail) -> Vec<DecisionEntry> {
    let name_of = |id: &str| Some(crate::domain::flow::step_label(&d.flow.steps, id));
    d.decisions
        .iter()
        .map(|(kind, x)| DecisionEntry {
            kind: *kind,
            id: x.id.clone(),
            text: x.text.clone(),
            owner: x.owner.clone(),
            threshold: x.threshold.clone(),
            step: x.step_id.as_ref().map(FlowStepId::as_str).and_then(name_of),
            signed_off: x.approved_at.is_some() && x.witnessed_by.is_none(),
            witnessed_by: x.witnessed_by.clone().filter(|_| x.approved_at.is_some()),
        })
        .collect()
}

/// What the register says of its names on a local file.
const SELF_DECLARED: &str = "Names are self-declared: this register was made from a local file, where anyone records under any name (`--as`), so a sign-off in it is the name someone typed, not an authenticated signature. A shared database (team mode) signs each person in as themselves.";

pub fn register(details: &[FlowDetail], now: Stamp, authenticated: bool) -> Register {
    Register {
        generated_at: now,
        disclaimer: DISCLAIMER,
        names: if authenticated {
            "authenticated"
        } else {
            "self-declared"
        },
        labels: SECTIONS
            .iter()
            .map(|(key, _, label)| (*key, label.clone()))
            .collect(),
        jobs: details.iter().map(entry).collect(),
    }
}

fn when(at: When) -> String {
    at.to_text()
}

/// The register as text: Markdown a lead can attach (`markdown`), or the same plainly.
pub fn text(r: &Register, markdown: bool) -> String {
    // Stored text is made inert for Markdown (a step named `[x]` is not a ticked box, `<b>` is
    // not HTML), and cleaned for a terminal either way.
    let c = |s: &str| {
        if markdown {
            crate::digest::inert(s)
        } else {
            crate::display::clean(s).into_owned()
        }
    };
    let mut out = String::new();
    let (h1, h2, h3, item) = if markdown {
        ("# ", "## ", "### ", "- ")
    } else {
        ("", "", "", "  - ")
    };
    out.push_str(&format!(
        "{h1}AI register — {}\n\n",
        r.generated_at.local_date()
    ));
    out.push_str(&format!(
        "{}{DISCLAIMER}{}\n\n",
        if markdown { "> " } else { "" },
        ""
    ));
    if r.names == "self-declared" {
        out.push_str(&format!(
            "{}{SELF_DECLARED}\n\n",
            if markdown { "> " } else { "" }
        ));
    }
    if r.jobs.is_empty() {
        out.push_str("No active jobs.\n");
    }
    for j in &r.jobs {
        out.push_str(&format!("{h2}{} ({})\n", c(&j.title), c(&j.slug)));
        if let Some(l) = &j.lead {
            out.push_str(&format!("Lead: {}\n", c(l)));
        }
        out.push('\n');
        for (key, title, label) in &SECTIONS {
            let lines = section_lines(j, key, &c);
            out.push_str(&format!("{h3}{title}\n"));
            out.push_str(&format!(
                "{}EU AI Act: {} · NIST AI RMF: {}{}\n",
                if markdown { "*" } else { "  (" },
                label.eu_ai_act,
                label.nist_ai_rmf,
                if markdown { "*" } else { ")" }
            ));
            if markdown {
                out.push('\n');
            }
            if lines.is_empty() {
                out.push_str(&format!("{item}none recorded\n"));
            }
            for l in lines {
                out.push_str(&format!("{item}{l}\n"));
            }
            out.push('\n');
        }
    }
    out
}

/// The lines of one section of a job's entry, each item's text made safe by `c`.
fn section_lines(j: &JobEntry, key: &str, c: &dyn Fn(&str) -> String) -> Vec<String> {
    match key {
        "agent_steps" => j
            .agent_steps
            .iter()
            .map(|s| agent_step_line(s, c))
            .collect(),
        "data_classes" => j
            .data_classes
            .iter()
            .map(|d| {
                format!(
                    "{}: {}",
                    d.class,
                    d.steps.iter().map(|s| c(s)).collect::<Vec<_>>().join(", ")
                )
            })
            .collect(),
        "oversight" => j.oversight.iter().map(|o| oversight_line(o, c)).collect(),
        "approval_thresholds" => j
            .approval_thresholds
            .iter()
            .map(|t| format!("{}: {}", c(&t.step), c(&t.approval)))
            .collect(),
        "critic_checks" => j.critic_checks.iter().map(|k| critic_line(k, c)).collect(),
        "open_incidents" => j
            .open_incidents
            .iter()
            .map(|i| incident_line(i, c))
            .collect(),
        "kill_signals" => j
            .kill_signals
            .iter()
            .map(|k| signal_line(k, c))
            .chain(
                j.suggested_kill_signals
                    .iter()
                    .map(|s| format!("{} (suggested): {} — {}", s.kind, c(&s.text), c(&s.why))),
            )
            .collect(),
        _ => j.decisions.iter().map(|d| decision_line(d, c)).collect(),
    }
}

/// An agent's step: its kind, role, data and whether it can be undone.
fn agent_step_line(s: &AgentStep, c: &dyn Fn(&str) -> String) -> String {
    format!(
        "{} — {}{}{}{}",
        c(&s.step),
        s.kind,
        s.role.map(|r| format!(" · {r}")).unwrap_or_default(),
        if s.data.is_empty() {
            String::new()
        } else {
            format!(
                " · data: {}",
                s.data
                    .iter()
                    .map(|d| d.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        },
        if s.irreversible {
            " · irreversible"
        } else {
            ""
        }
    )
}

/// A step's oversight: who performs it, its gate and its owner.
fn oversight_line(o: &Oversight, c: &dyn Fn(&str) -> String) -> String {
    format!(
        "{} ({}{}) — owner: {}",
        c(&o.step),
        o.by,
        o.gate.map(|g| format!(", {g} gate")).unwrap_or_default(),
        o.owner
            .as_deref()
            .map_or_else(|| "none named".to_string(), c)
    )
}

/// A critic check and its latest result.
fn critic_line(k: &Critic, c: &dyn Fn(&str) -> String) -> String {
    format!(
        "{} on {} ({}) — {}",
        c(&k.critic),
        c(&k.step),
        k.by,
        match &k.latest {
            Some(l) => format!("{} on {}", l.result, l.at.local_date()),
            None => "no result yet".into(),
        }
    )
}

/// An open incident: id, severity, step, day, tag and what happened.
fn incident_line(i: &IncidentView, c: &dyn Fn(&str) -> String) -> String {
    format!(
        "{} {} at {} ({}){}: {}",
        short_id(&i.id),
        i.severity,
        c(&i.step),
        when(i.at),
        i.tag
            .as_deref()
            .map(|t| format!(" [{}]", c(t)))
            .unwrap_or_default(),
        c(&i.what)
    )
}

/// A kill signal, armed or tripped (with why).
fn signal_line(k: &Signal, c: &dyn Fn(&str) -> String) -> String {
    format!(
        "{} {}: {}{}",
        k.kind,
        k.n,
        c(&k.text),
        if k.tripped {
            format!(
                " — TRIPPED: {}",
                k.reason.as_deref().map_or_else(String::new, c)
            )
        } else {
            " — armed".into()
        }
    )
}

/// A decision: its step, owner, threshold and sign-off.
fn decision_line(d: &DecisionEntry, c: &dyn Fn(&str) -> String) -> String {
    format!(
        "{}{} — owner {}{}{}",
        c(&d.text),
        d.step
            .as_deref()
            .map(|s| format!(" (step {})", c(s)))
            .unwrap_or_default(),
        c(&d.owner),
        d.threshold
            .as_deref()
            .map(|t| format!(", threshold: {}", c(t)))
            .unwrap_or_default(),
        sign_off_words(d.signed_off, d.witnessed_by.as_deref())
    )
}

/// Whether a decision was signed off, by whom it was only witnessed, or that it waits: the
/// register and the flow's steps say it the same way.
pub fn sign_off_words(signed_off: bool, witnessed_by: Option<&str>) -> String {
    match (signed_off, witnessed_by) {
        (_, Some(w)) => format!(
            ", WITNESSED sign-off: recorded by {} on the owner's word, not signed by them",
            crate::display::clean(w)
        ),
        (true, None) => ", signed off".into(),
        (false, None) => ", awaiting sign-off".into(),
    }
}
