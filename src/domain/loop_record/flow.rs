//! The AI-native loops as records: the redesigned workflow's steps and the artifact work it
//! removed (the redesign loop), governance and critic checks inside the flow (the govern loop),
//! incidents at its steps (the improve loop). Every loop reads the whole flow of its job; each
//! writes only its own records.

use super::*;
use crate::domain::flow::{self, CriticSpec, StepSpec};

mod step_edit;

/// Checks that a role is an agent's and a gate a human's.
fn fits(
    name: &str,
    by: Performer,
    role: Option<AgentRole>,
    gate: Option<HumanGate>,
) -> Result<(), Refusal> {
    if let Some(g) = gate
        && by != Performer::Human
    {
        return Err(Refusal::invalid(format!(
            "step `{name}` is done by {} {by}, and only a human holds a gate (`{g}`)",
            article(by)
        ))
        .advice(format!(
            "give a gate to a human step, or give {} {by} step no gate{}",
            article(by),
            if by == Performer::Agent {
                " (an agent's role instead: perception, decision, action, memory or escalation)"
            } else {
                ""
            }
        )));
    }
    if let Some(r) = role
        && by != Performer::Agent
    {
        return Err(Refusal::invalid(format!(
            "step `{name}` is done by {} {by}, and only an agent has a role (`{r}`)",
            article(by)
        ))
        .advice(format!(
            "give a role to an agent step, or give {} {by} step no role{}",
            article(by),
            if by == Performer::Human {
                " (a human's gate instead: judgment, taste, relationship, exception, approval or liability)"
            } else {
                ""
            }
        )));
    }
    Ok(())
}

fn article(by: Performer) -> &'static str {
    match by {
        Performer::Agent => "an",
        Performer::System | Performer::Human => "a",
    }
}

/// How a step reads in an acknowledgement: `agent · action`.
fn who(s: &FlowStep) -> String {
    let part = match (s.role, s.gate) {
        (Some(r), _) => format!(" · {r}"),
        (_, Some(g)) => format!(" · {g} gate"),
        _ => String::new(),
    };
    format!("{} {}{part}", s.by, s.kind)
}

impl LoopRecord {
    /// The step in force that `reference` names, or a refusal listing the steps.
    fn flow_step(&self, reference: &str) -> Result<FlowStep, Refusal> {
        flow::find(&self.flow.steps, reference)
            .cloned()
            .map_err(|why| flow::step_refusal(&self.flow.steps, reference, why, &self.job.slug))
    }

    /// The ids of the steps `refs` name, each once, in the order given.
    fn step_ids(&self, refs: &[String]) -> Result<Vec<FlowStepId>, Refusal> {
        let mut out: Vec<FlowStepId> = Vec::new();
        for r in refs {
            let s = self.flow_step(r)?;
            if !out.contains(&s.id) {
                out.push(s.id);
            }
        }
        Ok(out)
    }

    fn unique_name(&self, name: &str, except: Option<&FlowStepId>) -> Result<(), Refusal> {
        if let Some(other) = flow::live(&self.flow.steps)
            .find(|s| s.name.to_lowercase() == name.to_lowercase() && Some(&s.id) != except)
        {
            return Err(Refusal::rule(format!(
                "{}'s flow already has a step named `{}`",
                self.job.slug, other.name
            ))
            .advice("choose another name, or change that step"));
        }
        Ok(())
    }

    fn own_step_mut(&mut self, id: &FlowStepId) -> Option<&mut FlowStep> {
        let loop_id = self.lp.id.clone();
        self.flow
            .steps
            .iter_mut()
            .find(|s| s.id == *id && s.loop_id == loop_id)
    }

    pub(super) fn flow_add(
        &mut self,
        name: &str,
        spec: &StepSpec,
        at: When,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let name = required_text("step name", name, MAX_NAME)?;
        self.unique_name(&name, None)?;
        fits(&name, spec.by, spec.role, spec.gate)?;
        if flow::live(&self.flow.steps).count() >= MAX_FLOW_STEPS {
            return Err(Refusal::rule(format!(
                "{}'s flow has {MAX_FLOW_STEPS} steps, the most a flow may hold",
                self.job.slug
            ))
            .advice("void steps that are gone first"));
        }
        let after = self.step_ids(&spec.after)?;
        let mut data = spec.data.clone();
        data.dedup();
        let row = FlowStep {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            name: name.clone(),
            kind: spec.kind,
            by: spec.by,
            role: spec.role,
            gate: spec.gate,
            after,
            data,
            irreversible: spec.irreversible,
            at,
            recorded_by: ctx.actor.clone(),
            recorded_at: ctx.now,
            changed_at: None,
            changed_by: None,
            void: None,
        };
        self.flow.steps.push(row.clone());
        self.touch();
        Ok(Outcome::appending(
            Command::FlowAdd,
            format!(
                "added step `{name}` ({}) to {}'s flow",
                who(&row),
                self.job.slug
            ),
            Row::FlowStep(row),
        ))
    }

    /// Removing a step that others follow would cut the flow there without a word (the human
    /// gate between an agent and its output gone, and the signal that reads it quiet): the
    /// steps after it are given their new predecessors first. Whatever removes it (`flow void`,
    /// a void by id, an undo of its adding).
    pub(super) fn check_not_followed(&self, step: &FlowStep) -> Result<(), Refusal> {
        // Governance acts in force on it tick the govern checklist and stand in the register:
        // removed under them, the step would leave governance certified that no step carries.
        let governing: Vec<String> = self
            .flow
            .governance
            .iter()
            .filter(|g| g.step_id == step.id && g.void.is_none())
            .map(|g| crate::domain::model::short_id(&g.id).to_string())
            .collect();
        if !governing.is_empty() {
            return Err(Refusal::rule(format!(
                "step `{}` is governed by {} act(s) in force ({}): void them first in the govern loop, so the govern checklist and the register stop counting them",
                step.name,
                governing.len(),
                governing.join(", ")
            )));
        }
        let followers: Vec<String> = flow::live(&self.flow.steps)
            .filter(|s| s.after.contains(&step.id))
            .map(|s| format!("`{}`", s.name))
            .collect();
        if followers.is_empty() {
            return Ok(());
        }
        Err(Refusal::rule(format!(
            "{} follow(s) step `{}`: change what they follow first, so the flow is not cut where it was",
            followers.join(", "),
            step.name
        )))
    }

    pub(super) fn flow_void(
        &mut self,
        reference: &str,
        reason: &str,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, MAX_REASON)?;
        self.job_live()?;
        let step = self.flow_step(reference)?;
        let slug = self.job.slug.clone();
        self.check_not_followed(&step)?;
        let Some(s) = self.own_step_mut(&step.id) else {
            return Err(Refusal::rule(format!(
                "step `{}` is not this loop's",
                step.name
            )));
        };
        s.void = Some(Void {
            at: ctx.now,
            by: ctx.actor.clone(),
            reason: reason.clone(),
        });
        let row = s.clone();
        let mut out = Outcome::done(
            Command::FlowVoid,
            format!(
                "removed step `{}` from {slug}'s flow (voided, kept in its history): {reason}",
                row.name
            ),
        );
        out.updated.push(Row::FlowStep(row));
        Ok(out)
    }

    pub(super) fn flow_drop(
        &mut self,
        name: &str,
        why: &str,
        at: When,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let name = required_text("work removed", name, MAX_NAME)?;
        let why = required_text("why", why, MAX_REASON)?;
        let row = FlowDrop {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            name: name.clone(),
            why: why.clone(),
            at,
            recorded_by: ctx.actor.clone(),
            recorded_at: ctx.now,
            void: None,
        };
        self.flow.drops.push(row.clone());
        self.touch();
        Ok(Outcome::appending(
            Command::FlowDrop,
            format!(
                "recorded `{name}` as work the redesign of {} removed: {why}",
                self.job.slug
            ),
            Row::FlowDrop(row),
        ))
    }

    pub(super) fn flow_govern(
        &mut self,
        reference: &str,
        owner: Option<&str>,
        approval: Option<&str>,
        critic: Option<&CriticSpec>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let step = self.flow_step(reference)?;
        let owner = owner.map(|o| person_name("step owner", o)).transpose()?;
        let approval = optional_text("approval threshold", approval, MAX_SHORT)?;
        let critic = match critic {
            Some(c) => Some((required_text("critic check", &c.name, MAX_NAME)?, c.by)),
            None => None,
        };
        if owner.is_none() && approval.is_none() && critic.is_none() {
            return Err(
                Refusal::invalid(format!("say what governs step `{}`", step.name))
                    .advice("give its human owner, its approval threshold or a critic check"),
            );
        }
        let now = flow::governance_of(&step.id, &self.flow.governance, &self.flow.critic_results);
        let same_owner = owner.is_none() || owner == now.owner;
        let same_approval = approval.is_none() || approval == now.approval;
        let same_critic = critic.as_ref().is_none_or(|(name, by)| {
            now.critics
                .iter()
                .any(|c| c.name.to_lowercase() == name.to_lowercase() && c.by == *by)
        });
        if same_owner && same_approval && same_critic {
            return Ok(Outcome::unchanged(
                Command::FlowGovern,
                format!(
                    "step `{}` is already governed so; nothing changed",
                    step.name
                ),
            ));
        }
        let row = Governance {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            step_id: step.id.clone(),
            owner: owner.clone(),
            approval: approval.clone(),
            critic: critic.as_ref().map(|c| c.0.clone()),
            critic_by: critic.as_ref().map(|c| c.1),
            at: ctx.now,
            recorded_by: ctx.actor.clone(),
            void: None,
        };
        self.flow.governance.push(row.clone());
        self.touch();
        let mut said = Vec::new();
        if let Some(o) = &owner {
            said.push(format!("owner {o}"));
        }
        if let Some(a) = &approval {
            said.push(format!("approval \"{a}\""));
        }
        if let Some((c, by)) = &critic {
            said.push(format!("critic `{c}` ({by})"));
        }
        Ok(Outcome::appending(
            Command::FlowGovern,
            format!(
                "governed step `{}` of {}'s flow: {}",
                step.name,
                self.job.slug,
                said.join(", ")
            ),
            Row::Governance(row),
        ))
    }

    pub(super) fn critic_result(
        &mut self,
        reference: &str,
        critic: &str,
        result: Verdict,
        note: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let step = self.flow_step(reference)?;
        let note = optional_text("note", note, MAX_REASON)?;
        let now = flow::governance_of(&step.id, &self.flow.governance, &self.flow.critic_results);
        let wanted = critic.trim().to_lowercase();
        let Some(c) = now.critics.iter().find(|c| c.name.to_lowercase() == wanted) else {
            let names: Vec<String> = now
                .critics
                .iter()
                .map(|c| format!("`{}`", c.name))
                .collect();
            let refusal = Refusal::not_found(format!(
                "step `{}` has no critic check `{}`",
                step.name,
                critic.trim()
            ));
            return Err(if names.is_empty() {
                refusal.advice("add the critic check to the step's governance first")
            } else {
                refusal.advice(format!(
                    "name one of its critic checks: {}",
                    names.join(", ")
                ))
            });
        };
        let row = CriticResult {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            step_id: step.id.clone(),
            critic: c.name.clone(),
            result,
            note,
            at: ctx.now,
            recorded_by: ctx.actor.clone(),
            void: None,
        };
        self.flow.critic_results.push(row.clone());
        self.touch();
        Ok(Outcome::appending(
            Command::CriticResult,
            format!(
                "recorded {result} for critic `{}` of step `{}` ({})",
                c.name, step.name, self.job.slug
            ),
            Row::CriticResult(row),
        ))
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn incident_add(
        &mut self,
        what: &str,
        reference: &str,
        severity: Severity,
        tag: Option<&str>,
        detected_by: Option<DetectedBy>,
        at: When,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let what = required_text("incident", what, MAX_LONG)?;
        let step = self.flow_step(reference)?;
        let tag = optional_text("tag", tag, MAX_TAG)?.map(|t| t.to_lowercase());
        let row = Incident {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            step_id: step.id.clone(),
            what: what.clone(),
            severity,
            tag: tag.clone(),
            detected_by,
            at,
            recorded_by: ctx.actor.clone(),
            recorded_at: ctx.now,
            change: None,
            fixed_at: None,
            fixed_by: None,
            void: None,
        };
        self.flow.incidents.push(row.clone());
        self.touch();
        let tagged = tag.map(|t| format!(" [{t}]")).unwrap_or_default();
        Ok(Outcome::appending(
            Command::IncidentAdd,
            format!(
                "recorded {severity} incident {}{tagged} at step `{}` of {}: {what}",
                short_id(&row.id),
                step.name,
                self.job.slug
            ),
            Row::Incident(row),
        ))
    }

    pub(super) fn incident_fix(
        &mut self,
        reference: &str,
        change: &str,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let change = required_text("change", change, MAX_LONG)?;
        let loop_id = self.lp.id.clone();
        let ids = self
            .flow
            .incidents
            .iter()
            .filter(|i| i.void.is_none() && i.loop_id == loop_id)
            .map(|i| &i.id);
        let id = find_by_ref(ids, reference)
            .map_err(|e| e.about("incident", &self.addr()))?
            .clone();
        let slug = self.job.slug.clone();
        let Some(i) = self.flow.incidents.iter_mut().find(|i| i.id == id) else {
            return Err(Refusal::not_found(format!("no incident `{reference}`")));
        };
        if let Some(at) = i.fixed_at {
            return Err(Refusal::rule(format!(
                "incident {} was fixed on {} ({})",
                short_id(&i.id),
                at.local_date(),
                i.change.as_deref().unwrap_or("")
            ))
            .advice("if it happened again, record a new incident"));
        }
        i.change = Some(change.clone());
        i.fixed_at = Some(ctx.now);
        i.fixed_by = Some(ctx.actor.clone());
        let row = i.clone();
        let mut out = Outcome::done(
            Command::IncidentFix,
            format!(
                "recorded the fix of incident {} on {slug}: {change}",
                short_id(&row.id)
            ),
        );
        out.updated.push(Row::Incident(row));
        Ok(out)
    }

    /// The id of the live step `reference` names (a decision's `--step`).
    pub(super) fn step_id_of(
        &self,
        reference: Option<&str>,
    ) -> Result<Option<FlowStepId>, Refusal> {
        reference
            .map(|r| self.flow_step(r).map(|s| s.id))
            .transpose()
    }

    /// The id of the live incident of the job `reference` names (a learning's citation).
    pub(super) fn incident_id_of(
        &self,
        reference: Option<&str>,
    ) -> Result<Option<IncidentId>, Refusal> {
        let Some(r) = reference else {
            return Ok(None);
        };
        let ids = self
            .flow
            .incidents
            .iter()
            .filter(|i| i.void.is_none())
            .map(|i| &i.id);
        find_by_ref(ids, r)
            .map(|id| Some(id.clone()))
            .map_err(|e| e.about("incident", &self.job.slug))
    }

    /// This loop's own flow record with id `id`, as a row (what a void changes).
    pub(super) fn own_flow_row(&self, id: &str) -> Option<Row> {
        let mine = |loop_id: &LoopId| *loop_id == self.lp.id;
        let f = &self.flow;
        f.steps
            .iter()
            .find(|r| r.id == id && mine(&r.loop_id))
            .cloned()
            .map(Row::FlowStep)
            .or_else(|| {
                f.drops
                    .iter()
                    .find(|r| r.id == id && mine(&r.loop_id))
                    .cloned()
                    .map(Row::FlowDrop)
            })
            .or_else(|| {
                f.governance
                    .iter()
                    .find(|r| r.id == id && mine(&r.loop_id))
                    .cloned()
                    .map(Row::Governance)
            })
            .or_else(|| {
                f.critic_results
                    .iter()
                    .find(|r| r.id == id && mine(&r.loop_id))
                    .cloned()
                    .map(Row::CriticResult)
            })
            .or_else(|| {
                f.incidents
                    .iter()
                    .find(|r| r.id == id && mine(&r.loop_id))
                    .cloned()
                    .map(Row::Incident)
            })
    }

    /// The ids of this loop's own flow records (what `void` may name).
    pub(super) fn own_flow_ids(&self) -> Vec<&str> {
        let mine = |loop_id: &LoopId| *loop_id == self.lp.id;
        let f = &self.flow;
        f.steps
            .iter()
            .filter(|r| mine(&r.loop_id))
            .map(|r| r.id.as_str())
            .chain(
                f.drops
                    .iter()
                    .filter(|r| mine(&r.loop_id))
                    .map(|r| r.id.as_str()),
            )
            .chain(
                f.governance
                    .iter()
                    .filter(|r| mine(&r.loop_id))
                    .map(|r| r.id.as_str()),
            )
            .chain(
                f.critic_results
                    .iter()
                    .filter(|r| mine(&r.loop_id))
                    .map(|r| r.id.as_str()),
            )
            .chain(
                f.incidents
                    .iter()
                    .filter(|r| mine(&r.loop_id))
                    .map(|r| r.id.as_str()),
            )
            .collect()
    }

    /// Voids this loop's flow record `id`: what it was, and the row as voided; `None` when no
    /// flow record has that id; an unchanged outcome when it is void already.
    pub(super) fn void_flow_record(
        &mut self,
        id: &str,
        void: Void,
    ) -> Option<Result<(String, Row), Outcome>> {
        let row = self.own_flow_row(id)?;
        let f = &mut self.flow;
        macro_rules! set {
            ($list:expr, $variant:ident, $what:expr) => {{
                let r = $list.iter_mut().find(|r| r.id == id)?;
                if r.void.is_some() {
                    return Some(Err(super::corrections::already_void(id)));
                }
                r.void = Some(void);
                let what = $what(&*r);
                Some(Ok((what, Row::$variant(r.clone()))))
            }};
        }
        match row {
            Row::FlowStep(_) => set!(f.steps, FlowStep, |r: &FlowStep| format!(
                "flow step `{}`",
                r.name
            )),
            Row::FlowDrop(_) => set!(f.drops, FlowDrop, |r: &FlowDrop| format!(
                "removed work `{}`",
                r.name
            )),
            Row::Governance(_) => {
                set!(f.governance, Governance, |_: &Governance| "governance act"
                    .to_string())
            }
            Row::CriticResult(_) => set!(f.critic_results, CriticResult, |r: &CriticResult| {
                format!("{} result of critic `{}`", r.result, r.critic)
            }),
            Row::Incident(_) => set!(f.incidents, Incident, |r: &Incident| format!(
                "incident \"{}\"",
                r.what
            )),
            _ => None,
        }
    }
}
