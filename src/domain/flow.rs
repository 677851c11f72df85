//! The redesigned workflow of a job as a graph of steps, and the governance inside it: finding a
//! step by its name, checking that the flow has no cycle, folding a step's governance acts and
//! critic results into what is in force, and the paths the detectors read. Pure: the rules that
//! record them live in `loop_record/flow.rs`.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use super::error::Refusal;
use super::model::*;
use super::time::{Stamp, When};

/// What `flow add` gives of a new step besides its name and date.
#[derive(Clone, Debug, PartialEq)]
pub struct StepSpec {
    pub kind: StepKind,
    pub by: Performer,
    pub role: Option<AgentRole>,
    pub gate: Option<HumanGate>,
    /// Steps it follows, each by name or unique prefix.
    pub after: Vec<String>,
    pub data: Vec<DataClass>,
    pub irreversible: bool,
}

/// What `flow set` changes of a step (`None`: unchanged). Changing who does a step clears a
/// role or gate that no longer fits unless a new one is given.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepEdit {
    pub name: Option<String>,
    pub kind: Option<StepKind>,
    pub by: Option<Performer>,
    pub role: Option<AgentRole>,
    pub gate: Option<HumanGate>,
    /// The whole list of steps it follows (empty: none).
    pub after: Option<Vec<String>>,
    pub data: Option<Vec<DataClass>>,
    pub irreversible: Option<bool>,
}

impl StepEdit {
    pub fn is_empty(&self) -> bool {
        *self == StepEdit::default()
    }
}

/// A critic check and who performs it, for governance.
#[derive(Clone, Debug, PartialEq)]
pub struct CriticSpec {
    pub name: String,
    pub by: Performer,
}

/// The flow records of a job, as every loop of it reads them: the redesign loop's steps and
/// drops, the govern loop's governance and critic results, the improve loop's incidents (voided
/// ones included, oldest first). Each loop writes only its own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Flow {
    pub steps: Vec<FlowStep>,
    pub drops: Vec<FlowDrop>,
    pub governance: Vec<Governance>,
    pub critic_results: Vec<CriticResult>,
    pub incidents: Vec<Incident>,
}

/// A loop's own flow records in force, kept in its derived state (the redesign loop's steps,
/// the govern loop's governance and critic results, the improve loop's incidents): the review,
/// the detectors and the lanes join the three loops' parts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowFacts {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<FlowStep>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drops: Vec<FlowDrop>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub governance: Vec<Governance>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub critic_results: Vec<CriticResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<Incident>,
}

impl Flow {
    /// The records in force that the loop `loop_id` wrote; `None` when it wrote none.
    pub fn facts_of(&self, loop_id: &LoopId) -> Option<FlowFacts> {
        fn own<T: Clone>(rows: &[T], keep: impl Fn(&T) -> bool) -> Vec<T> {
            rows.iter().filter(|r| keep(r)).cloned().collect()
        }
        let f = FlowFacts {
            steps: own(&self.steps, |r| r.loop_id == *loop_id && r.void.is_none()),
            drops: own(&self.drops, |r| r.loop_id == *loop_id && r.void.is_none()),
            governance: own(&self.governance, |r| {
                r.loop_id == *loop_id && r.void.is_none()
            }),
            critic_results: own(&self.critic_results, |r| {
                r.loop_id == *loop_id && r.void.is_none()
            }),
            incidents: own(&self.incidents, |r| {
                r.loop_id == *loop_id && r.void.is_none()
            }),
        };
        (f != FlowFacts::default()).then_some(f)
    }

    /// The flow in force joined from the loops' parts.
    pub fn joined<'a>(parts: impl Iterator<Item = &'a FlowFacts>) -> Flow {
        let mut flow = Flow::default();
        for p in parts {
            flow.steps.extend(p.steps.iter().cloned());
            flow.drops.extend(p.drops.iter().cloned());
            flow.governance.extend(p.governance.iter().cloned());
            flow.critic_results.extend(p.critic_results.iter().cloned());
            flow.incidents.extend(p.incidents.iter().cloned());
        }
        flow
    }
}

/// Why a typed step name matched no single step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepRef {
    NotFound,
    Ambiguous(Vec<String>),
}

fn norm(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The steps in force (not voided), in the order they were recorded.
pub fn live(steps: &[FlowStep]) -> impl Iterator<Item = &FlowStep> {
    steps.iter().filter(|s| s.void.is_none())
}

/// The step in force named `reference`: its whole name (any case), else the one name it
/// begins, else its id (at least 4 characters of it).
pub fn find<'a>(steps: &'a [FlowStep], reference: &str) -> Result<&'a FlowStep, StepRef> {
    let wanted = norm(reference);
    if wanted.is_empty() {
        return Err(StepRef::NotFound);
    }
    // A whole id names its step whatever the names are (undo names steps so).
    if let Some(s) = live(steps).find(|s| s.id == reference) {
        return Ok(s);
    }
    if let Some(s) = live(steps).find(|s| norm(&s.name) == wanted) {
        return Ok(s);
    }
    let prefixed: Vec<&FlowStep> = live(steps)
        .filter(|s| norm(&s.name).starts_with(&wanted))
        .collect();
    match prefixed.as_slice() {
        [one] => return Ok(one),
        [] => {}
        many => {
            return Err(StepRef::Ambiguous(
                many.iter().map(|s| s.name.clone()).collect(),
            ));
        }
    }
    if wanted.chars().count() >= 4 {
        let by_id: Vec<&FlowStep> = live(steps)
            .filter(|s| s.id.as_str().contains(&wanted))
            .collect();
        if let [one] = by_id.as_slice() {
            return Ok(one);
        }
    }
    Err(StepRef::NotFound)
}

/// The refusal for a step reference that names no single step of `addr`'s flow.
pub fn step_refusal(steps: &[FlowStep], reference: &str, why: StepRef, slug: &str) -> Refusal {
    let names: Vec<String> = live(steps).map(|s| format!("`{}`", s.name)).collect();
    // A step picked by its whole id (a form, an undo) that was removed meanwhile: named as the
    // step it was, never by its id.
    if let Some(gone) = steps.iter().find(|s| s.id == reference && s.void.is_some()) {
        return Refusal::conflict(format!(
            "step `{}` was removed from {slug}'s flow meanwhile: nothing was written",
            gone.name
        ));
    }
    match why {
        StepRef::Ambiguous(matches) => Refusal::invalid(format!(
            "`{}` begins more than one step of {slug}'s flow ({})",
            reference.trim(),
            matches.join(", ")
        ))
        .advice("give more of the step's name"),
        StepRef::NotFound if names.is_empty() => Refusal::not_found(format!(
            "{slug}'s flow has no step `{}`: it has no steps yet",
            reference.trim()
        ))
        .advice("add the step to the flow first"),
        StepRef::NotFound => {
            Refusal::not_found(format!("{slug}'s flow has no step `{}`", reference.trim()))
                .advice(format!("name one of its steps: {}", names.join(", ")))
        }
    }
}

/// The live steps each live step hands to (the steps that name it in `after`), by id.
pub fn successors(steps: &[FlowStep]) -> BTreeMap<&str, Vec<&FlowStep>> {
    let ids: BTreeSet<&str> = live(steps).map(|s| s.id.as_str()).collect();
    let mut out: BTreeMap<&str, Vec<&FlowStep>> = ids.iter().map(|i| (*i, Vec::new())).collect();
    for s in live(steps) {
        for p in s.after.iter().filter(|p| ids.contains(p.as_str())) {
            if let Some(list) = out.get_mut(p.as_str()) {
                list.push(s);
            }
        }
    }
    out
}

/// A cycle among the live steps, as the names along it (first name repeated at the end).
pub fn cycle(steps: &[FlowStep]) -> Option<Vec<String>> {
    let next = successors(steps);
    let by_id: BTreeMap<&str, &FlowStep> = live(steps).map(|s| (s.id.as_str(), s)).collect();
    // 0 unvisited, 1 on the path, 2 done.
    let mut mark: BTreeMap<&str, u8> = BTreeMap::new();
    fn visit<'a>(
        id: &'a str,
        next: &BTreeMap<&'a str, Vec<&'a FlowStep>>,
        mark: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<&'a str>> {
        mark.insert(id, 1);
        path.push(id);
        for s in next.get(id).into_iter().flatten() {
            match mark.get(s.id.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = path.iter().position(|p| *p == s.id).unwrap_or(0);
                    let mut found: Vec<&str> = path[start..].to_vec();
                    found.push(s.id.as_str());
                    return Some(found);
                }
                0 => {
                    if let Some(c) = visit(s.id.as_str(), next, mark, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        mark.insert(id, 2);
        None
    }
    for id in by_id.keys() {
        if mark.get(id).copied().unwrap_or(0) == 0
            && let Some(c) = visit(id, &next, &mut mark, &mut Vec::new())
        {
            return Some(
                c.iter()
                    .filter_map(|i| by_id.get(i).map(|s| s.name.clone()))
                    .collect(),
            );
        }
    }
    None
}

/// Whether a human step holds a gate.
pub fn is_gate(s: &FlowStep) -> bool {
    s.by == Performer::Human && s.gate.is_some()
}

/// The first output an agent step reaches on a path with no human gate after it (the agent
/// step itself, when it is an output), or `None` when every such path passes a gate.
pub fn ungated_output<'a>(steps: &'a [FlowStep], agent: &'a FlowStep) -> Option<&'a FlowStep> {
    let next = successors(steps);
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut todo: Vec<&FlowStep> = vec![agent];
    while let Some(s) = todo.pop() {
        if !seen.insert(s.id.as_str()) {
            continue;
        }
        // What leaves the flow, or what cannot be taken back (an agent that pays, deletes or
        // sends by its own action): either needs a human gate before it.
        if s.kind == StepKind::Output || s.irreversible {
            return Some(s);
        }
        for n in next.get(s.id.as_str()).into_iter().flatten() {
            if !is_gate(n) {
                todo.push(n);
            }
        }
    }
    None
}

/// The latest result of a critic check.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Latest {
    pub result: Verdict,
    pub at: Stamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub by: String,
}

/// A critic check of a step in force, with its latest result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CriticState {
    pub name: String,
    pub by: Performer,
    pub since: Stamp,
    pub latest: Option<Latest>,
    /// How many results are recorded.
    pub results: usize,
}

/// A step's governance in force: the latest owner and approval threshold named, its critics.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StepGovernance {
    pub owner: Option<String>,
    pub approval: Option<String>,
    pub critics: Vec<CriticState>,
    /// When governance of the step last changed.
    pub changed_at: Option<Stamp>,
}

impl StepGovernance {
    /// What a step that needs governing lacks: owner, approval threshold, critic check.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.owner.is_none() {
            out.push("an owner");
        }
        if self.approval.is_none() {
            out.push("an approval threshold");
        }
        if self.critics.is_empty() {
            out.push("a critic check");
        }
        out
    }
}

/// The governance in force of step `step_id`, from the acts and results in force.
pub fn governance_of(
    step_id: &FlowStepId,
    acts: &[Governance],
    results: &[CriticResult],
) -> StepGovernance {
    let mut g = StepGovernance::default();
    let mut acts: Vec<&Governance> = acts
        .iter()
        .filter(|a| a.step_id == *step_id && a.void.is_none())
        .collect();
    acts.sort_by_key(|a| (a.at, a.id.clone()));
    for a in acts {
        if let Some(o) = &a.owner {
            g.owner = Some(o.clone());
        }
        if let Some(t) = &a.approval {
            g.approval = Some(t.clone());
        }
        if let (Some(name), Some(by)) = (&a.critic, a.critic_by) {
            match g.critics.iter_mut().find(|c| norm(&c.name) == norm(name)) {
                Some(c) => c.by = by,
                None => g.critics.push(CriticState {
                    name: name.clone(),
                    by,
                    since: a.at,
                    latest: None,
                    results: 0,
                }),
            }
        }
        g.changed_at = Some(a.at);
    }
    let mut results: Vec<&CriticResult> = results
        .iter()
        .filter(|r| r.step_id == *step_id && r.void.is_none())
        .collect();
    results.sort_by_key(|r| (r.at, r.id.clone()));
    for r in results {
        if let Some(c) = g
            .critics
            .iter_mut()
            .find(|c| norm(&c.name) == norm(&r.critic))
        {
            c.results += 1;
            c.latest = Some(Latest {
                result: r.result,
                at: r.at,
                note: r.note.clone(),
                by: r.recorded_by.clone(),
            });
        }
    }
    g
}

/// When a step last changed as a system: its own last change (`flow set`), a governance act on
/// it, a fix of one of its incidents — whichever is latest.
pub fn last_change(
    step: &FlowStep,
    flow_governance: &[Governance],
    incidents: &[Incident],
) -> Option<Stamp> {
    let own = step.changed_at;
    let governed = flow_governance
        .iter()
        .filter(|a| a.step_id == step.id && a.void.is_none())
        .map(|a| a.at)
        .max();
    let fixed = incidents
        .iter()
        .filter(|i| i.step_id == step.id && i.void.is_none())
        .filter_map(|i| i.fixed_at)
        .max();
    [own, governed, fixed].into_iter().flatten().max()
}

/// Data classes as the flow lists them: `personal, internal`.
pub fn classes(data: &[DataClass]) -> String {
    data.iter()
        .map(|d| d.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses `personal,internal` (commas or spaces between): every class must exist.
pub fn parse_classes(text: &str) -> Result<Vec<DataClass>, String> {
    let mut out: Vec<DataClass> = Vec::new();
    for word in text
        .split([',', ' '])
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        let class = DataClass::from_text(&word.to_lowercase()).ok_or_else(|| {
            format!(
                "`{word}` is not a data class: use {}",
                DataClass::ALL
                    .iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        if !out.contains(&class) {
            out.push(class);
        }
    }
    Ok(out)
}

/// A decision in force that names a step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepDecision {
    pub id: DecisionId,
    pub text: String,
    pub owner: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<String>,
    /// Signed off by its owner, logged in as themselves (not a witnessed sign-off).
    pub signed_off: bool,
    /// Who recorded the owner's sign-off on their word: a witnessed sign-off, not a signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witnessed_by: Option<String>,
}

/// One step as the flow's views show it: the step, the names of the steps it follows, its
/// governance in force, its open incidents and the decisions that name it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepView {
    pub id: FlowStepId,
    pub name: String,
    pub kind: StepKind,
    pub by: Performer,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<AgentRole>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<HumanGate>,
    /// The names of the steps it follows.
    pub after: Vec<String>,
    pub data: Vec<DataClass>,
    pub irreversible: bool,
    pub at: When,
    /// When it was recorded: a step dated earlier (backfill) says both, as it changes what the
    /// signals read (a tool chosen before the workflow was mapped).
    pub recorded_at: Stamp,
    pub governance: StepGovernance,
    pub open_incidents: usize,
    pub decisions: Vec<StepDecision>,
}

/// An incident as the views show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IncidentView {
    pub id: IncidentId,
    pub step: String,
    pub what: String,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected_by: Option<DetectedBy>,
    pub at: When,
    pub open: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_at: Option<Stamp>,
}

/// A step removed from the flow, with why.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Removed {
    pub name: String,
    pub reason: String,
    pub at: Stamp,
}

/// A job's flow as `flow list`, the TUI and the register show it: steps in flow order (each
/// after the steps it follows; ties in the order they were mapped).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FlowView {
    pub steps: Vec<StepView>,
    /// Artifact work the redesign removed.
    pub dropped: Vec<FlowDrop>,
    /// Steps removed from the flow (voided), with why.
    pub removed_steps: Vec<Removed>,
    /// Incidents in force, open ones first, newest first.
    pub incidents: Vec<IncidentView>,
}

/// The live steps in flow order: each after the steps it follows, ties in recorded order.
pub fn ordered(steps: &[FlowStep]) -> Vec<&FlowStep> {
    let alive: Vec<&FlowStep> = live(steps).collect();
    let ids: BTreeSet<&str> = alive.iter().map(|s| s.id.as_str()).collect();
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let mut out: Vec<&FlowStep> = Vec::with_capacity(alive.len());
    while out.len() < alive.len() {
        let next = alive.iter().find(|s| {
            !placed.contains(s.id.as_str())
                && s.after
                    .iter()
                    .all(|p| !ids.contains(p.as_str()) || placed.contains(p.as_str()))
        });
        // A cycle (refused when written, possible only by an edit) is listed as recorded.
        let next = next.or_else(|| alive.iter().find(|s| !placed.contains(s.id.as_str())));
        let Some(s) = next else { break };
        placed.insert(s.id.as_str());
        out.push(s);
    }
    out
}

impl FlowView {
    pub fn of(flow: &Flow, decisions: &[Decision]) -> FlowView {
        let names: BTreeMap<&str, &str> = flow
            .steps
            .iter()
            .map(|s| (s.id.as_str(), s.name.as_str()))
            .collect();
        let steps = ordered(&flow.steps)
            .into_iter()
            .map(|s| step_view(flow, &names, decisions, s))
            .collect();
        let incidents = incident_views(flow);
        FlowView {
            steps,
            dropped: flow
                .drops
                .iter()
                .filter(|d| d.void.is_none())
                .cloned()
                .collect(),
            removed_steps: flow
                .steps
                .iter()
                .filter_map(|s| {
                    s.void.as_ref().map(|v| Removed {
                        name: s.name.clone(),
                        reason: v.reason.clone(),
                        at: v.at,
                    })
                })
                .collect(),
            incidents,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.dropped.is_empty() && self.incidents.is_empty()
    }
}

/// One live step as the views show it: the live steps it follows by name, its governance, its
/// open incidents and the decisions that name it.
fn step_view(
    flow: &Flow,
    names: &BTreeMap<&str, &str>,
    decisions: &[Decision],
    s: &FlowStep,
) -> StepView {
    StepView {
        id: s.id.clone(),
        name: s.name.clone(),
        kind: s.kind,
        by: s.by,
        role: s.role,
        gate: s.gate,
        after: s
            .after
            .iter()
            .filter(|p| live(&flow.steps).any(|l| &l.id == *p))
            .filter_map(|p| names.get(p.as_str()).map(|n| n.to_string()))
            .collect(),
        data: s.data.clone(),
        irreversible: s.irreversible,
        at: s.at,
        recorded_at: s.recorded_at,
        governance: governance_of(&s.id, &flow.governance, &flow.critic_results),
        open_incidents: flow
            .incidents
            .iter()
            .filter(|i| i.void.is_none())
            .filter(|i| i.step_id == s.id && i.fixed_at.is_none())
            .count(),
        decisions: decisions
            .iter()
            .filter(|d| d.step_id.as_ref() == Some(&s.id))
            .map(|d| StepDecision {
                id: d.id.clone(),
                text: d.text.clone(),
                owner: d.owner.clone(),
                threshold: d.threshold.clone(),
                signed_off: d.approved_at.is_some() && d.witnessed_by.is_none(),
                witnessed_by: d.witnessed_by.clone().filter(|_| d.approved_at.is_some()),
            })
            .collect(),
    }
}

/// How every view names the step `id`: its name, marked when it was removed from the flow (an
/// incident or a decision at it stays about that step, never one that reuses its name).
pub fn step_label(steps: &[FlowStep], id: &str) -> String {
    match steps.iter().find(|s| s.id == id) {
        Some(s) if s.void.is_none() => s.name.clone(),
        Some(s) => format!("{} (removed)", s.name),
        None => "a removed step".into(),
    }
}

/// The incidents in force as the views show them: open ones first, newest first.
fn incident_views(flow: &Flow) -> Vec<IncidentView> {
    let mut incidents: Vec<IncidentView> = flow
        .incidents
        .iter()
        .filter(|i| i.void.is_none())
        .map(|i| IncidentView {
            id: i.id.clone(),
            step: step_label(&flow.steps, i.step_id.as_str()),
            what: i.what.clone(),
            severity: i.severity,
            tag: i.tag.clone(),
            detected_by: i.detected_by,
            at: i.at,
            open: i.fixed_at.is_none(),
            change: i.change.clone(),
            fixed_at: i.fixed_at,
        })
        .collect();
    incidents.sort_by(|a, b| b.open.cmp(&a.open).then(b.at.date().cmp(&a.at.date())));
    incidents
}

#[cfg(test)]
mod tests;
