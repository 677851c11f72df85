//! The primary metric and what it is measured with: its target, baseline and live values, and
//! the interventions whose effect the comparison reads.

use super::*;

impl LoopRecord {
    /// Sets the primary metric. A loop has at most one: replacing it must be asked for, and the
    /// old metric (with its values, interventions and plans) is kept as superseded, so baselines
    /// start again for the new one. Replacing a metric whose plan is locked is a deviation.
    pub(super) fn set_metric(
        &mut self,
        spec: MetricSpec<'_>,
        replace: bool,
        reason: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let MetricSpec {
            better,
            measures,
            target,
            ..
        } = spec;
        let name = required_text("metric name", spec.name, MAX_NAME)?;
        let unit = optional_text("unit", Some(spec.unit), MAX_UNIT)?.unwrap_or_default();
        if let Some(t) = target {
            check_target(t, better)?;
        }
        let mut updated = Vec::new();
        let mut deviation = None;
        if let Some(current) = &self.metric {
            if !replace {
                return Err(Refusal::rule(format!(
                    "{} already has the primary metric `{}` (one per loop)",
                    self.addr(),
                    current.name
                ))
                .fix(Fix::ReplaceMetric(self.at())));
            }
            let live = self.live().count();
            deviation = self.deviation(
                DeviationKind::MetricReplaced,
                format!(
                    "primary metric `{}` replaced by `{name}` after {live} live value(s)",
                    current.name
                ),
                None,
                reason,
                ctx,
            )?;
            let mut old = current.clone();
            old.replaced_at = Some(ctx.now);
            updated.push(Row::Metric(old.clone()));
            self.superseded.push(Superseded {
                metric: old.clone(),
                values: std::mem::take(&mut self.values),
                interventions: std::mem::take(&mut self.interventions),
            });
            self.retired_metric = Some(old);
        } else if replace {
            return Err(
                Refusal::rule(format!("{} has no primary metric to replace", self.addr()))
                    .fix(Fix::SetMetric(self.at())),
            );
        }
        self.metric = Some(Metric {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            name: name.clone(),
            unit,
            better,
            measures,
            set_at: ctx.now,
            set_by: ctx.actor.clone(),
            replaced_at: None,
            target,
            role: MetricRole::Primary,
            max_worse: None,
        });
        self.values.clear();
        self.interventions.clear();
        if let Some(d) = &deviation {
            self.deviations.push(d.clone());
        }
        self.touch();
        let (command, verb) = if replace {
            (Command::MetricReplace, "replaced the primary metric of")
        } else {
            (Command::MetricSet, "set the primary metric of")
        };
        let mut out = Outcome::done(
            command,
            format!("{verb} {} to {name} ({better} is better)", self.addr()),
        )
        .then(Fix::RecordBaseline {
            at: self.at(),
            before: None,
        })
        .deviating(deviation);
        out.updated = updated;
        Ok(out)
    }

    pub(super) fn set_target(
        &mut self,
        target: Option<Target>,
        reason: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let at = self.at();
        let addr = self.addr();
        let Some(metric) = self.metric.as_ref() else {
            return Err(
                Refusal::rule(format!("{addr} has no primary metric to set a target for"))
                    .fix(Fix::SetMetric(at)),
            );
        };
        if let Some(t) = target {
            check_target(t, metric.better)?;
        }
        if metric.target == target {
            return Ok(Outcome::unchanged(
                Command::MetricTarget,
                format!("the target of {addr} is unchanged"),
            ));
        }
        let shown = |t: Option<Target>| t.map_or_else(|| "none".to_string(), Target::to_text);
        let deviation = self.deviation(
            DeviationKind::TargetChanged,
            format!("target {} → {}", shown(metric.target), shown(target)),
            None,
            reason,
            ctx,
        )?;
        if let Some(d) = &deviation {
            self.deviations.push(d.clone());
        }
        if let Some(metric) = self.metric.as_mut() {
            metric.target = target;
        }
        let summary = match target {
            Some(t) => format!("set the target change of {addr} to {}", t.to_text()),
            None => format!("cleared the target change of {addr}"),
        };
        Ok(Outcome::done(Command::MetricTarget, summary).deviating(deviation))
    }

    pub(super) fn require_metric(&self, what: &str) -> Result<&Metric, Refusal> {
        self.metric.as_ref().ok_or_else(|| {
            Refusal::rule(format!(
                "{} has no primary metric, so it cannot take {what}",
                self.addr()
            ))
            .fix(Fix::SetMetric(self.at()))
        })
    }

    /// Baseline values in force (not voided), in time order.
    pub fn baselines(&self) -> impl Iterator<Item = &Value> {
        self.values
            .iter()
            .filter(|v| v.phase == Phase::Baseline && v.void.is_none())
    }

    /// Interventions in force (not voided), in time order.
    pub fn active_interventions(&self) -> impl Iterator<Item = &Intervention> {
        self.interventions.iter().filter(|i| i.void.is_none())
    }

    /// Live values in force, in time order.
    pub fn live(&self) -> impl Iterator<Item = &Value> {
        self.values
            .iter()
            .filter(|v| v.phase == Phase::Live && v.void.is_none())
    }

    /// Live values since the latest intervention in force (all of them when there is none):
    /// what the comparison and the kill rules read.
    pub fn live_since_intervention(&self) -> impl Iterator<Item = &Value> {
        let latest = self
            .active_interventions()
            .map(|i| key(i.at, i.recorded_at))
            .max();
        self.live()
            .filter(move |v| latest.is_none_or(|l| key(v.at, v.recorded_at) >= l))
    }

    /// Records a value of the primary metric. A baseline describes the work before any change, so
    /// it must be dated before the first intervention on this metric.
    pub(super) fn record_value(
        &mut self,
        phase: Phase,
        value: f64,
        at: When,
        notes: ValueNotes<'_>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let ValueNotes {
            note,
            reason,
            guard,
            typed,
            source,
        } = notes;
        if phase == Phase::Live && reason.is_some() {
            return Err(Refusal::invalid(
                "a live measurement changes no plan, so it takes no reason: use a note for a remark",
            ));
        }
        let what = match phase {
            Phase::Baseline => "a baseline",
            Phase::Live => "a measurement",
        };
        // The metric the value is of: the primary one, or a guardrail beside it.
        let guard = match guard {
            Some(g) => Some(self.guardrail_index(g)?),
            None => None,
        };
        let metric = match guard {
            Some(i) => self.guardrails[i].metric.clone(),
            None => self.require_metric(what)?.clone(),
        };
        let of = match guard {
            Some(_) => format!(" of guardrail {}", metric.name),
            None => String::new(),
        };
        if !value.is_finite() {
            return Err(Refusal::invalid(
                "that is not a number that can be recorded: give a finite value",
            ));
        }
        let typed = crate::domain::num::typed_text(value, typed)?;
        let source = match source.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(self.new_source(s)?),
            None => None,
        };
        let value = if value == 0.0 { 0.0 } else { value };
        let note = optional_text("note", note, MAX_REASON)?.unwrap_or_default();
        let here = key(at, ctx.now);
        // A guardrail's baseline is before the loop's first intervention, whichever metric it
        // was on; the primary metric's, before the first on it.
        let first = match guard {
            Some(_) => self.first_intervention(),
            None => self
                .active_interventions()
                .min_by_key(|i| key(i.at, i.recorded_at)),
        };
        if phase == Phase::Baseline
            && let Some(first) = first
            && here >= key(first.at, first.recorded_at)
        {
            return Err(Refusal::rule(format!(
                "a baseline describes the work before any change, but {} had an intervention on {}",
                self.addr(),
                first.at
            ))
            .fix(Fix::RecordBaseline {
                at: self.at(),
                before: Some(first.at.date()),
            }));
        }
        // A baseline value added after the plan was locked changes what the verdict compares
        // against: the locked plan keeps its own baseline, the change is a deviation.
        let deviation = match (phase, guard) {
            (Phase::Baseline, Some(_)) => self.loop_deviation(
                DeviationKind::BaselineAdded,
                format!(
                    "baseline value {}{of} dated {at} added",
                    shown(value, typed.as_deref())
                ),
                reason,
                ctx,
            )?,
            (Phase::Baseline, None) => self.deviation(
                DeviationKind::BaselineAdded,
                format!(
                    "baseline value {}{of} dated {at} added",
                    shown(value, typed.as_deref())
                ),
                None,
                reason,
                ctx,
            )?,
            (Phase::Live, _) => None,
        };
        let row = Value {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            metric_id: metric.id.clone(),
            phase,
            value,
            at,
            note,
            recorded_by: ctx.actor.clone(),
            recorded_at: ctx.now,
            void: None,
            typed,
            source,
        };
        let values = match guard {
            Some(i) => &mut self.guardrails[i].values,
            None => &mut self.values,
        };
        let pos = values.partition_point(|v| key(v.at, v.recorded_at) <= here);
        values.insert(pos, row.clone());
        if let Some(d) = &deviation {
            self.deviations.push(d.clone());
        }
        self.touch();
        let (command, label) = match phase {
            Phase::Baseline => (Command::Baseline, "baseline"),
            Phase::Live => (Command::Measure, "measurement"),
        };
        let unit = if metric.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", metric.unit)
        };
        Ok(Outcome::appending(
            command,
            format!(
                "recorded {label} {}{unit}{of} for {} on {at}",
                row.shown(),
                self.addr()
            ),
            Row::Value(row),
        )
        .deviating(deviation))
    }

    /// A source id not yet recorded on this loop (an import skips those it has already
    /// recorded; a command that repeats one is refused, so no value is recorded twice).
    fn new_source(&self, source: &str) -> Result<String, Refusal> {
        if source.chars().count() > crate::domain::num::MAX_SOURCE
            || !crate::domain::text::has_visible(source)
        {
            return Err(Refusal::invalid(format!(
                "a source id is 1 to {} visible characters: `{source}` is not one",
                crate::domain::num::MAX_SOURCE
            )));
        }
        let mut all = self
            .values
            .iter()
            .chain(self.guardrails.iter().flat_map(|g| g.values.iter()));
        if let Some(v) = all.find(|v| v.source.as_deref() == Some(source)) {
            return Err(Refusal::conflict(format!(
                "{} already has the value with source `{source}` ({} on {})",
                self.addr(),
                v.shown(),
                v.at
            )));
        }
        Ok(source.to_string())
    }

    /// Starts an intervention: refused unless the loop has a primary metric and baselines all
    /// dated before it, because otherwise the change can never be shown to have helped.
    pub(super) fn intervene(
        &mut self,
        description: &str,
        at: When,
        horizon: Option<usize>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let description = required_text("description", description, MAX_REASON)?;
        if let Some(h) = horizon
            && !(1..=crate::domain::stats::HORIZON_CAP).contains(&h)
        {
            return Err(Refusal::invalid(format!(
                "a horizon of {h} live values is out of range: give 1 to {}",
                crate::domain::stats::HORIZON_CAP
            )));
        }
        let metric = self.require_metric("an intervention")?.clone();
        let here = key(at, ctx.now);
        let last_baseline = self
            .baselines()
            .map(|v| (key(v.at, v.recorded_at), v.at))
            .max_by_key(|(k, _)| *k);
        match last_baseline {
            None => {
                return Err(Refusal::rule(format!(
                    "no baseline is recorded for {}, so the change could never be shown to help",
                    self.addr()
                ))
                .fix(Fix::RecordBaseline {
                    at: self.at(),
                    before: None,
                }));
            }
            Some((last, last_at)) if last >= here => {
                return Err(Refusal::rule(format!(
                    "{} has a baseline dated {last_at}, not before this intervention ({at}): it would count as before the change",
                    self.addr()
                ))
                .fix(Fix::InterveneAfter {
                    at: self.at(),
                    after: last_at.date(),
                }));
            }
            Some(_) => {}
        }
        let plan = self.lock_plan(&metric, at, horizon, ctx);
        let (text, hash) = plan.seal();
        let row = Intervention {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            metric_id: metric.id,
            description: description.clone(),
            at,
            recorded_by: ctx.actor.clone(),
            recorded_at: ctx.now,
            void: None,
            plan: Some(text),
            plan_hash: Some(hash),
        };
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
        .and_line(format!(
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
        ))
        .then(Fix::RecordMeasurement(self.at())))
    }
}

/// A value as shown: its typed text, or its shortest form.
fn shown(value: f64, typed: Option<&str>) -> String {
    typed.map_or_else(|| show(value), str::to_string)
}

/// What comes with a value besides its number and date: a note, the reason when it changes a
/// locked plan, the guardrail it is of.
#[derive(Clone, Copy, Debug, Default)]
pub struct ValueNotes<'a> {
    pub note: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub guard: Option<&'a str>,
    /// The text the value was typed as.
    pub typed: Option<&'a str>,
    /// The value's id in the system it came from.
    pub source: Option<&'a str>,
}

/// What a metric is set to (`metric set` / `metric replace`).
pub struct MetricSpec<'a> {
    pub name: &'a str,
    pub unit: &'a str,
    pub better: Better,
    pub measures: Measures,
    pub target: Option<Target>,
}

pub(super) fn check_target(t: Target, better: Better) -> Result<(), Refusal> {
    let wrong = match better {
        Better::Lower => t.change > 0.0,
        Better::Higher => t.change < 0.0,
    };
    if wrong {
        let example = if better == Better::Lower {
            "-20%"
        } else {
            "+20%"
        };
        return Err(Refusal::invalid(format!(
            "a target of {} is a worsening for a metric where {better} is better",
            t.to_text()
        ))
        .advice(format!(
            "give the improvement you want to see, like {example}"
        )));
    }
    Ok(())
}
