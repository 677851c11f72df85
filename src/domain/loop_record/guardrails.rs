//! Guardrail metrics: what must not get worse while the primary metric improves (cost, error
//! rate, complaints). Each has its own baseline, before the loop's first intervention, and its
//! own comparison; adding or removing one after the plan was locked is a deviation.

use super::*;
use crate::domain::stats::Limit;
use crate::domain::text::{has_visible, look_alike_key};

/// The most guardrails a loop holds.
pub(super) const MAX_GUARDRAILS: usize = 20;

impl LoopRecord {
    /// The guardrail in force named `name`, or a unique prefix of one.
    pub(super) fn guardrail_index(&self, name: &str) -> Result<usize, Refusal> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Refusal::invalid("the guardrail's name is empty")
                .advice("give its name, or a unique start of it"));
        }
        if let Some(i) = self.guardrails.iter().position(|g| g.metric.name == name) {
            return Ok(i);
        }
        let matches: Vec<usize> = (0..self.guardrails.len())
            .filter(|&i| self.guardrails[i].metric.name.starts_with(name))
            .collect();
        match matches.as_slice() {
            [i] => Ok(*i),
            [_, _, ..] => Err(Refusal::invalid(format!(
                "`{name}` starts more than one guardrail of {}: {}",
                self.addr(),
                matches
                    .iter()
                    .map(|&i| self.guardrails[i].metric.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .advice("give more of its name")),
            [] => {
                let names: Vec<&str> = self
                    .guardrails
                    .iter()
                    .map(|g| g.metric.name.as_str())
                    .collect();
                let known = if names.is_empty() {
                    "it has none".to_string()
                } else {
                    format!("its guardrails: {}", names.join(", "))
                };
                Err(Refusal::not_found(format!(
                    "{} has no guardrail `{name}` ({known})",
                    self.addr()
                ))
                .fix(Fix::ShowLoop(self.at())))
            }
        }
    }

    /// Adds a guardrail beside the primary metric: a deviation when the loop's plan is locked.
    pub(super) fn add_guardrail(
        &mut self,
        spec: MetricSpec<'_>,
        max_worse: Limit,
        reason: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let name = required_text("guardrail name", spec.name, MAX_NAME)?;
        let unit = optional_text("unit", Some(spec.unit), MAX_UNIT)?.unwrap_or_default();
        self.check_new_guardrail(&name)?;
        let deviation = self.loop_deviation(
            DeviationKind::GuardrailAdded,
            format!(
                "guardrail `{name}` (at most {} worse) added",
                max_worse.to_text()
            ),
            reason,
            ctx,
        )?;
        let metric = self.new_guardrail_metric(&spec, name.clone(), unit, max_worse, ctx);
        self.guardrails.push(Guardrail {
            metric: metric.clone(),
            values: Vec::new(),
        });
        self.guardrails
            .sort_by(|a, b| a.metric.name.cmp(&b.metric.name));
        if let Some(d) = &deviation {
            self.deviations.push(d.clone());
        }
        self.touch();
        let mut out = Outcome::done(
            Command::GuardAdd,
            format!(
                "added the guardrail {name} to {} ({} is better, at most {} worse)",
                self.addr(),
                spec.better,
                max_worse.to_text()
            ),
        )
        .deviating(deviation);
        out.updated.push(Row::Metric(metric));
        Ok(out)
    }

    /// May a guardrail named `name` be added? There must be a primary metric, the name must
    /// read as neither it nor a guardrail already here, and there is room for one more.
    fn check_new_guardrail(&self, name: &str) -> Result<(), Refusal> {
        let primary = self.require_metric("a guardrail")?;
        if name_key(&primary.name) == name_key(name) {
            return Err(Refusal::invalid(format!(
                "`{name}` reads as the primary metric `{}` of {}: a guardrail watches something else",
                primary.name,
                self.addr()
            )));
        }
        if let Some(g) = self
            .guardrails
            .iter()
            .find(|g| name_key(&g.metric.name) == name_key(name))
        {
            return Err(Refusal::rule(format!(
                "{} already has the guardrail `{}`, which reads as `{name}`",
                self.addr(),
                g.metric.name
            )));
        }
        if self.guardrails.len() >= MAX_GUARDRAILS {
            return Err(Refusal::rule(format!(
                "{} already has {MAX_GUARDRAILS} guardrails, the most a loop holds",
                self.addr()
            )));
        }
        Ok(())
    }

    /// The metric row of a new guardrail.
    fn new_guardrail_metric(
        &self,
        spec: &MetricSpec<'_>,
        name: String,
        unit: String,
        max_worse: Limit,
        ctx: &Ctx,
    ) -> Metric {
        Metric {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            name,
            unit,
            better: spec.better,
            measures: spec.measures,
            set_at: ctx.now,
            set_by: ctx.actor.clone(),
            replaced_at: None,
            target: None,
            role: MetricRole::Guardrail,
            max_worse: Some(max_worse),
        }
    }

    /// Stops watching a guardrail: its row is kept, marked replaced, with its values.
    pub(super) fn remove_guardrail(
        &mut self,
        name: &str,
        reason: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let i = self.guardrail_index(name)?;
        let name = self.guardrails[i].metric.name.clone();
        let deviation = self.loop_deviation(
            DeviationKind::GuardrailRemoved,
            format!("guardrail `{name}` removed"),
            reason,
            ctx,
        )?;
        let mut g = self.guardrails.remove(i);
        g.metric.replaced_at = Some(ctx.now);
        self.removed_guardrails.push(g.clone());
        if let Some(d) = &deviation {
            self.deviations.push(d.clone());
        }
        let mut out = Outcome::done(
            Command::GuardRemove,
            format!("removed the guardrail {name} from {}", self.addr()),
        )
        .deviating(deviation);
        out.updated.push(Row::Metric(g.metric));
        Ok(out)
    }
}

/// Names that read alike (case, look-alike letters, invisible characters) are one name: a plan
/// that locked `cost` must not be confused with `Cost`.
fn name_key(n: &str) -> String {
    look_alike_key(
        &n.chars()
            .filter(|c| has_visible(&c.to_string()))
            .collect::<String>(),
    )
}
