//! Changing a step of the flow (`flow set`): the edit applied to the step, checked as a whole
//! (a role an agent's, a gate a human's, no cycle) before it replaces the old one.

use super::*;
use crate::domain::flow::{self, StepEdit};

impl LoopRecord {
    /// Changes a step this loop recorded: unchanged when the edit leaves it as it was.
    pub(in crate::domain::loop_record) fn flow_set(
        &mut self,
        reference: &str,
        edit: &StepEdit,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        check_edit_says_something(edit)?;
        let old = self.flow_step(reference)?;
        let mut new = self.edited_step(&old, edit)?;
        if new == old {
            return Ok(Outcome::unchanged(
                Command::FlowSet,
                format!("step `{}` is already so; nothing changed", old.name),
            ));
        }
        self.check_no_cycle(&old.id, &new)?;
        new.changed_at = Some(ctx.now);
        new.changed_by = Some(ctx.actor.clone());
        let Some(slot) = self.own_step_mut(&old.id) else {
            return Err(Refusal::rule(format!(
                "step `{}` is not {}'s to change",
                old.name,
                self.addr()
            )));
        };
        *slot = new.clone();
        let mut out = Outcome::done(
            Command::FlowSet,
            format!(
                "changed step `{}` ({}) of {}'s flow",
                new.name,
                who(&new),
                self.job.slug
            ),
        );
        out.updated.push(Row::FlowStep(new));
        Ok(out)
    }

    /// The step as the edit leaves it, each changed part checked in the edit's order: its name
    /// (unique), its performer with the role or gate that fits it, its predecessors.
    fn edited_step(&self, old: &FlowStep, edit: &StepEdit) -> Result<FlowStep, Refusal> {
        let mut new = old.clone();
        if let Some(name) = &edit.name {
            let name = required_text("step name", name, MAX_NAME)?;
            self.unique_name(&name, Some(&old.id))?;
            new.name = name;
        }
        if let Some(k) = edit.kind {
            new.kind = k;
        }
        change_performer(&mut new, edit);
        fits(&new.name, new.by, new.role, new.gate)?;
        if let Some(after) = &edit.after {
            new.after = self.predecessors(old, after)?;
        }
        if let Some(d) = &edit.data {
            let mut d = d.clone();
            d.dedup();
            new.data = d;
        }
        if let Some(i) = edit.irreversible {
            new.irreversible = i;
        }
        Ok(new)
    }

    /// The ids of the steps a step is to follow: never itself.
    fn predecessors(&self, old: &FlowStep, after: &[String]) -> Result<Vec<FlowStepId>, Refusal> {
        let ids = self.step_ids(after)?;
        if ids.contains(&old.id) {
            return Err(
                Refusal::invalid(format!("step `{}` cannot follow itself", old.name))
                    .advice("name the steps before it"),
            );
        }
        Ok(ids)
    }

    /// Would the changed step make the flow run in a circle? A flow runs one way.
    fn check_no_cycle(&self, id: &FlowStepId, new: &FlowStep) -> Result<(), Refusal> {
        let mut tentative = self.flow.steps.clone();
        if let Some(s) = tentative.iter_mut().find(|s| s.id == *id) {
            *s = new.clone();
        }
        if let Some(names) = flow::cycle(&tentative) {
            return Err(Refusal::rule(format!(
                "that would make a cycle in {}'s flow: {}",
                self.job.slug,
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(" → ")
            ))
            .advice("a flow runs one way: name only steps that come before it"));
        }
        Ok(())
    }
}

/// An edit that changes nothing named is a mistake, refused before the step is even looked up.
fn check_edit_says_something(edit: &StepEdit) -> Result<(), Refusal> {
    if edit.is_empty() {
        return Err(Refusal::invalid("say what to change of the step").advice(
            "give its new name, kind, performer, role, gate, predecessors, data classes or whether it is irreversible",
        ));
    }
    Ok(())
}

/// Applies the edit's performer, role and gate to the step.
fn change_performer(new: &mut FlowStep, edit: &StepEdit) {
    if let Some(by) = edit.by {
        new.by = by;
        // A role or gate that no longer fits goes with the change of performer.
        if by != Performer::Agent && edit.role.is_none() {
            new.role = None;
        }
        if by != Performer::Human && edit.gate.is_none() {
            new.gate = None;
        }
    }
    if let Some(r) = edit.role {
        new.role = Some(r);
    }
    if let Some(g) = edit.gate {
        new.gate = Some(g);
    }
}
