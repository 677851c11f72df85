//! Starting an intervention: the change whose effect the comparison reads, refused unless a
//! baseline before it can show whether it helped; it locks the plan the verdict is judged by.

use super::*;
use crate::domain::plan::Plan;

impl LoopRecord {
    /// Starts an intervention: refused unless the loop has a primary metric and baselines all
    /// dated before it, because otherwise the change can never be shown to have helped.
    pub(in crate::domain::loop_record) fn intervene(
        &mut self,
        spec: &InterventionSpec,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        let InterventionSpec {
            description,
            at,
            horizon,
        } = spec;
        let (at, horizon) = (*at, *horizon);
        self.writable()?;
        let description = required_text("description", description, MAX_REASON)?;
        check_horizon(horizon)?;
        let metric = self.require_metric("an intervention")?.clone();
        let here = key(at, ctx.now);
        self.check_baselines_before(at, here)?;
        let plan = self.lock_plan(&metric, at, horizon, ctx);
        let row = self.new_intervention(&metric, description.clone(), at, &plan, ctx);
        let pos = self
            .interventions
            .partition_point(|i| key(i.at, i.recorded_at) <= here);
        self.interventions.insert(pos, row.clone());
        self.touch();
        Ok(Outcome::appending(
            Command::Intervene,
            format!(
                "started intervention on {} ({at}): {description}",
                self.addr()
            ),
            Row::Intervention(row),
        )
        .and_line(locked_plan_line(&plan))
        .then(Fix::RecordMeasurement(self.at())))
    }

    /// Is there a baseline, all of it dated before an intervention at `here`? Without one the
    /// change could never be shown to help; one dated after would count as before the change.
    fn check_baselines_before(&self, at: When, here: (NaiveDate, Stamp)) -> Result<(), Refusal> {
        let last_baseline = self
            .baselines()
            .map(|v| (key(v.at, v.recorded_at), v.at))
            .max_by_key(|(k, _)| *k);
        match last_baseline {
            None => Err(Refusal::rule(format!(
                "no baseline is recorded for {}, so the change could never be shown to help",
                self.addr()
            ))
            .fix(Fix::RecordBaseline {
                at: self.at(),
                before: None,
            })),
            Some((last, last_at)) if last >= here => Err(Refusal::rule(format!(
                "{} has a baseline dated {last_at}, not before this intervention ({at}): it would count as before the change",
                self.addr()
            ))
            .fix(Fix::InterveneAfter {
                at: self.at(),
                after: last_at.date(),
            })),
            Some(_) => Ok(()),
        }
    }

    /// The intervention row `intervene` records, carrying its sealed plan.
    fn new_intervention(
        &self,
        metric: &Metric,
        description: String,
        at: When,
        plan: &Plan,
        ctx: &Ctx,
    ) -> Intervention {
        let (text, hash) = plan.seal();
        Intervention {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            metric_id: metric.id.clone(),
            description,
            at,
            recorded_by: ctx.actor.clone(),
            recorded_at: ctx.now,
            void: None,
            plan: Some(text),
            plan_hash: Some(hash),
        }
    }
}

/// A typed horizon must be 1 to the cap of live values.
fn check_horizon(horizon: Option<usize>) -> Result<(), Refusal> {
    if let Some(h) = horizon
        && !(1..=crate::domain::stats::HORIZON_CAP).contains(&h)
    {
        return Err(Refusal::invalid(format!(
            "a horizon of {h} live values is out of range: give 1 to {}",
            crate::domain::stats::HORIZON_CAP
        )));
    }
    Ok(())
}

/// The line `intervene` adds about the plan it locked.
fn locked_plan_line(plan: &Plan) -> String {
    format!(
        "locked plan {}: {} baseline value(s), {}, a horizon of {} live value(s){}",
        plan.version,
        plan.baseline.len(),
        plan.target.map_or_else(
            || "no target".to_string(),
            |t| format!("target {}", t.to_text())
        ),
        plan.horizon,
        if plan.seen_live.is_empty() {
            String::new()
        } else {
            format!(
                " ({} live value(s) dated after it were already recorded)",
                plan.seen_live.len()
            )
        }
    )
}
