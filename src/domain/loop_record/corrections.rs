//! Learnings the next run starts from, and the corrections of records entered by mistake.

use super::*;

impl LoopRecord {
    /// Captures a learning (evidence, a decision, feedback, a correction, an outcome, a mistake
    /// or a change to the system), with an optional tag and capability.
    #[allow(
        clippy::too_many_arguments,
        reason = "the fields of the intent, checked one by one as every operation takes them"
    )]
    pub(super) fn learn(
        &mut self,
        text: &str,
        kind: LearningType,
        tag: Option<&str>,
        capability: Option<Capability>,
        incident: Option<IncidentId>,
        about: Option<NaiveDate>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let text = required_text("learning", text, MAX_LONG)?;
        let tag = optional_text("tag", tag, MAX_TAG)?.map(|t| t.to_lowercase());
        let row = Learning {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            text,
            kind,
            tag: tag.clone(),
            capability,
            recorded_at: ctx.now,
            recorded_by: ctx.actor.clone(),
            void: None,
            incident,
            about,
        };
        self.learnings.push(row.clone());
        self.touch();
        let tagged = tag.map(|t| format!(" [{t}]")).unwrap_or_default();
        Ok(Outcome::appending(
            Command::Learn,
            format!("recorded {kind}{tagged} on {}", self.addr()),
            Row::Learning(row),
        ))
    }

    /// The rows `op` would change besides the loop's own state (the decision it signs off or
    /// amends, the record it voids), as they are now: a write checks them against the audit
    /// trail before applying it. A reference that names nothing gives none (the intent refuses).
    pub fn rows_touched_by(&self, op: &LoopOp) -> Vec<Row> {
        match op {
            LoopOp::Approve { decision, .. } | LoopOp::Amend { decision, .. } => self
                .decision_index(decision)
                .ok()
                .and_then(|i| self.decisions.get(i))
                .map(|d| vec![Row::Decision(d.clone())])
                .unwrap_or_default(),
            LoopOp::RemoveGuardrail { name, .. } => self
                .guardrail_index(name)
                .ok()
                .map(|i| vec![Row::Metric(self.guardrails[i].metric.clone())])
                .unwrap_or_default(),
            LoopOp::FlowSet { step, .. } | LoopOp::FlowVoid { step, .. } => {
                crate::domain::flow::find(&self.flow.steps, step)
                    .ok()
                    .and_then(|s| self.own_flow_row(s.id.as_str()))
                    .into_iter()
                    .collect()
            }
            LoopOp::IncidentFix { incident, .. } => {
                let ids = self.flow.incidents.iter().map(|i| i.id.as_str());
                find_by_ref(ids, incident)
                    .ok()
                    .and_then(|id| self.own_flow_row(id))
                    .into_iter()
                    .collect()
            }
            LoopOp::Void { record, .. } => {
                let ids = self
                    .all_values()
                    .map(|r| r.id.as_str())
                    .chain(self.interventions.iter().map(|r| r.id.as_str()))
                    .chain(self.decisions.iter().map(|r| r.id.as_str()))
                    .chain(self.learnings.iter().map(|r| r.id.as_str()))
                    .chain(self.own_flow_ids());
                let Ok(id) = find_by_ref(ids, record) else {
                    return Vec::new();
                };
                if let Some(row) = self.own_flow_row(id) {
                    return vec![row];
                }
                let found = (self
                    .all_values()
                    .find(|r| r.id == id)
                    .cloned()
                    .map(Row::Value))
                .or_else(|| {
                    self.interventions
                        .iter()
                        .find(|r| r.id == id)
                        .cloned()
                        .map(Row::Intervention)
                })
                .or_else(|| {
                    self.decisions
                        .iter()
                        .find(|r| r.id == id)
                        .cloned()
                        .map(Row::Decision)
                })
                .or_else(|| {
                    self.learnings
                        .iter()
                        .find(|r| r.id == id)
                        .cloned()
                        .map(Row::Learning)
                });
                found.into_iter().collect()
            }
            _ => Vec::new(),
        }
    }

    /// Marks a value, intervention, decision or learning of this loop as entered by mistake.
    pub(super) fn void(
        &mut self,
        reference: &str,
        reason: &str,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, MAX_REASON)?;
        self.job_live()?;
        let id = self.void_target(reference)?;
        let void = Void {
            at: ctx.now,
            by: ctx.actor.clone(),
            reason: reason.clone(),
        };
        let deviation = self.void_deviation(&id, &reason, ctx)?;
        let addr = self.addr();
        if let Some(step) =
            crate::domain::flow::live(&self.flow.steps).find(|s| s.id == id.as_str())
        {
            self.check_not_followed(&step.clone())?;
        }
        if let Some(done) = self.void_flow_record(&id, void.clone()) {
            return Ok(match done {
                Ok((what, row)) => voided(&what, &addr, &id, &reason, row),
                Err(unchanged) => unchanged,
            });
        }
        let (what, row) = match self.void_own_record(&id, void) {
            Some(Ok(found)) => found,
            Some(Err(unchanged)) => return Ok(unchanged),
            None => {
                return Err(Refusal::not_found(format!(
                    "{addr} has no record `{reference}`"
                )));
            }
        };
        if let Some(d) = &deviation {
            self.deviations.push(d.clone());
        }
        Ok(voided(&what, &addr, &id, &reason, row).deviating(deviation))
    }

    /// The id of the record of this loop that `reference` names, of any kind (compared as
    /// text), or a refusal pointing at the loop's records.
    fn void_target(&self, reference: &str) -> Result<String, Refusal> {
        let ids = self
            .all_values()
            .map(|r| r.id.as_str())
            .chain(self.interventions.iter().map(|r| r.id.as_str()))
            .chain(self.decisions.iter().map(|r| r.id.as_str()))
            .chain(self.learnings.iter().map(|r| r.id.as_str()))
            .chain(self.own_flow_ids());
        // Any kind of record of the loop: the id is compared as text.
        find_by_ref(ids, reference)
            .map(str::to_string)
            .map_err(|e| {
                e.about("record", &self.addr())
                    .fix(Fix::ShowLoop(self.at()))
            })
    }

    /// Voids the value (of the metric or a guardrail in force), intervention, decision or
    /// learning with `id`: what it was and its row, or the unchanged outcome when it was
    /// already void; none when no such record is here.
    fn void_own_record(&mut self, id: &str, void: Void) -> Option<Result<(String, Row), Outcome>> {
        let in_guardrails = self.guardrails.iter_mut().flat_map(|g| g.values.iter_mut());
        let found = if let Some(v) = self
            .values
            .iter_mut()
            .chain(in_guardrails)
            .find(|r| r.id == id)
        {
            if v.void.is_some() {
                return Some(Err(already_void(id)));
            }
            v.void = Some(void);
            let what = format!("{} {} of {}", v.phase, v.shown(), v.at);
            (what, Row::Value(v.clone()))
        } else if let Some(i) = self.interventions.iter_mut().find(|r| r.id == id) {
            if i.void.is_some() {
                return Some(Err(already_void(id)));
            }
            i.void = Some(void);
            (
                format!("intervention of {}", i.at),
                Row::Intervention(i.clone()),
            )
        } else if let Some(d) = self.decisions.iter_mut().find(|r| r.id == id) {
            if d.void.is_some() {
                return Some(Err(already_void(id)));
            }
            d.void = Some(void);
            (format!("decision \"{}\"", d.text), Row::Decision(d.clone()))
        } else if let Some(l) = self.learnings.iter_mut().find(|r| r.id == id) {
            if l.void.is_some() {
                return Some(Err(already_void(id)));
            }
            l.void = Some(void);
            (
                format!("{} \"{}\"", l.kind, l.text),
                Row::Learning(l.clone()),
            )
        } else {
            return None;
        };
        Some(Ok(found))
    }

    /// Every value of the loop's metrics in force: the primary one's, then each guardrail's.
    pub fn all_values(&self) -> impl Iterator<Item = &Value> {
        self.values.iter().chain(
            self.guardrails
                .iter()
                .chain(&self.removed_guardrails)
                .flat_map(|g| &g.values),
        )
    }

    /// Voiding a baseline value in force after the plan was locked, or an intervention that
    /// locked a plan, changes a locked plan: a deviation, whose reason is the void's.
    fn void_deviation(
        &self,
        id: &str,
        reason: &str,
        ctx: &Ctx,
    ) -> Result<Option<Deviation>, Refusal> {
        let guard_baselines = self
            .guardrails
            .iter()
            .chain(&self.removed_guardrails)
            .flat_map(|g| {
                g.values
                    .iter()
                    .filter(|v| v.phase == Phase::Baseline && v.void.is_none())
            });
        if let Some(v) = guard_baselines.clone().find(|v| v.id == id) {
            return self.loop_deviation(
                DeviationKind::BaselineVoided,
                format!("guardrail baseline value {} of {} voided", v.shown(), v.at),
                Some(reason),
                ctx,
            );
        }
        if let Some(v) = self.baselines().find(|v| v.id == id) {
            return self.deviation(
                DeviationKind::BaselineVoided,
                format!("baseline value {} of {} voided", v.shown(), v.at),
                None,
                Some(reason),
                ctx,
            );
        }
        match self
            .active_interventions()
            .find(|i| i.id == id && i.plan.is_some())
        {
            Some(i) => self
                .deviation_from(
                    i,
                    DeviationKind::InterventionVoided,
                    format!("the intervention of {} that locked it voided", i.at),
                    None,
                    Some(reason),
                    ctx,
                )
                .map(Some),
            None => Ok(None),
        }
    }
}

/// What `void` reports about the record it voided, with its updated row.
fn voided(what: &str, addr: &str, id: &str, reason: &str, row: Row) -> Outcome {
    let mut out = Outcome::done(
        Command::Void,
        format!("voided the {what} on {addr} ({}): {reason}", short_id(id)),
    );
    out.updated.push(row);
    out
}

pub(super) fn already_void(id: &str) -> Outcome {
    Outcome::unchanged(
        Command::Void,
        format!("record {} is already void; nothing changed", short_id(id)),
    )
}
