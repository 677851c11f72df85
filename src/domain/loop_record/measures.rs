//! The primary metric and what it is measured with: its target, baseline and live values, and
//! the interventions whose effect the comparison reads.

use super::*;

mod intervene;

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
        let (name, unit) = checked_metric_names(&spec)?;
        self.check_replace_asked(replace)?;
        let (deviation, updated) = match self.metric.clone() {
            Some(current) => self.supersede_metric(&current, &name, reason, ctx)?,
            None => (None, Vec::new()),
        };
        self.metric = Some(self.new_primary_metric(&spec, name.clone(), unit, ctx));
        self.values.clear();
        self.interventions.clear();
        if let Some(d) = &deviation {
            self.deviations.push(d.clone());
        }
        self.touch();
        let mut out = self
            .metric_set_outcome(replace, &name, spec.better)
            .deviating(deviation);
        out.updated = updated;
        Ok(out)
    }

    /// Is the replacing asked for exactly when there is a metric to replace? One per loop, and
    /// a replace with nothing to replace is a mistake, not a set.
    fn check_replace_asked(&self, replace: bool) -> Result<(), Refusal> {
        match &self.metric {
            Some(current) if !replace => Err(Refusal::rule(format!(
                "{} already has the primary metric `{}` (one per loop)",
                self.addr(),
                current.name
            ))
            .fix(Fix::ReplaceMetric(self.at()))),
            None if replace => Err(Refusal::rule(format!(
                "{} has no primary metric to replace",
                self.addr()
            ))
            .fix(Fix::SetMetric(self.at()))),
            _ => Ok(()),
        }
    }

    /// Retires the current metric with its values and interventions, so baselines start again
    /// for the new one; the deviation (when its plan is locked) and the updated row it writes.
    fn supersede_metric(
        &mut self,
        current: &Metric,
        name: &str,
        reason: Option<&str>,
        ctx: &Ctx,
    ) -> Result<(Option<Deviation>, Vec<Row>), Refusal> {
        let live = self.live().count();
        let deviation = self.deviation(
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
        let updated = vec![Row::Metric(old.clone())];
        self.superseded.push(Superseded {
            metric: old.clone(),
            values: std::mem::take(&mut self.values),
            interventions: std::mem::take(&mut self.interventions),
        });
        self.retired_metric = Some(old);
        Ok((deviation, updated))
    }

    /// The new primary metric row, as `metric set` / `metric replace` record it.
    fn new_primary_metric(
        &self,
        spec: &MetricSpec<'_>,
        name: String,
        unit: String,
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
            target: spec.target,
            role: MetricRole::Primary,
            max_worse: None,
        }
    }

    /// What `metric set` / `metric replace` report, and the baseline they lead to.
    fn metric_set_outcome(&self, replace: bool, name: &str, better: Better) -> Outcome {
        let (command, verb) = if replace {
            (Command::MetricReplace, "replaced the primary metric of")
        } else {
            (Command::MetricSet, "set the primary metric of")
        };
        Outcome::done(
            command,
            format!("{verb} {} to {name} ({better} is better)", self.addr()),
        )
        .then(Fix::RecordBaseline {
            at: self.at(),
            before: None,
        })
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
        check_live_takes_no_reason(phase, notes.reason)?;
        // The metric the value is of: the primary one, or a guardrail beside it.
        let (guard, metric) = self.value_metric(phase, notes.guard)?;
        check_value_metric_shown(notes.shown, &metric, &self.addr())?;
        let of = match guard {
            Some(_) => format!(" of guardrail {}", metric.name),
            None => String::new(),
        };
        check_finite(value)?;
        let texts = self.value_texts(value, notes)?;
        let value = if value == 0.0 { 0.0 } else { value };
        let here = key(at, ctx.now);
        match phase {
            Phase::Baseline => self.check_baseline_before_change(guard.is_some(), here)?,
            Phase::Live => self.check_live_after_change(guard.is_some(), here)?,
        }
        // A baseline value added after the plan was locked changes what the verdict compares
        // against: the locked plan keeps its own baseline, the change is a deviation.
        let deviation = match phase {
            Phase::Baseline => self.baseline_deviation(
                guard.is_some(),
                format!(
                    "baseline value {}{of} dated {at} added",
                    shown(value, texts.typed.as_deref())
                ),
                notes.reason,
                ctx,
            )?,
            Phase::Live => None,
        };
        let row = self.new_value(&metric, phase, value, at, texts, ctx);
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
        Ok(self
            .value_outcome(phase, &metric, &of, row)
            .deviating(deviation))
    }

    /// Which metric a value is of (a named guardrail's, else the primary one, which must be
    /// set), with the guardrail's index when it is one.
    fn value_metric(
        &self,
        phase: Phase,
        guard: Option<&str>,
    ) -> Result<(Option<usize>, Metric), Refusal> {
        let what = match phase {
            Phase::Baseline => "a baseline",
            Phase::Live => "a measurement",
        };
        let guard = match guard {
            Some(g) => Some(self.guardrail_index(g)?),
            None => None,
        };
        let metric = match guard {
            Some(i) => self.guardrails[i].metric.clone(),
            None => self.require_metric(what)?.clone(),
        };
        Ok((guard, metric))
    }

    /// The texts kept with a value, checked: the text it was typed as, its source id (not yet
    /// recorded on this loop) and its note.
    fn value_texts(&self, value: f64, notes: ValueNotes<'_>) -> Result<ValueTexts, Refusal> {
        let typed = crate::domain::num::typed_text(value, notes.typed)?;
        let source = match notes.source.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => Some(self.new_source(s)?),
            None => None,
        };
        let note = optional_text("note", notes.note, MAX_REASON)?.unwrap_or_default();
        Ok(ValueTexts {
            typed,
            source,
            note,
        })
    }

    /// The first change a value is judged against: for a guardrail the loop's first
    /// intervention, whichever metric it was on; for the primary metric the first on it.
    fn first_change(&self, on_guard: bool) -> Option<&Intervention> {
        if on_guard {
            self.first_intervention()
        } else {
            self.active_interventions()
                .min_by_key(|i| key(i.at, i.recorded_at))
        }
    }

    /// Is a baseline dated at `here` still before any change? A guardrail's baseline is before
    /// the loop's first intervention, whichever metric it was on; the primary metric's, before
    /// the first on it.
    fn check_baseline_before_change(
        &self,
        on_guard: bool,
        here: (NaiveDate, Stamp),
    ) -> Result<(), Refusal> {
        let first = self.first_change(on_guard);
        if let Some(first) = first
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
        Ok(())
    }

    /// A value typed against a metric a form showed is recorded under that metric or not at
    /// all: replaced meanwhile, the number would land under a name and unit nobody saw. A
    /// replacement replaces the metric it showed, or nothing (another one's records would be
    /// thrown out unseen).
    /// Was the primary metric's target, when a form showed it, still the one in force? A form
    /// that writes it (or replaces the metric carrying it) would otherwise undo a target a
    /// teammate set meanwhile, with its deviation's reason, without anyone seeing it.
    pub(super) fn check_target_shown(&self, was: Option<&str>) -> Result<(), Refusal> {
        let now = self
            .metric
            .as_ref()
            .and_then(|m| m.target)
            .map(Target::to_text)
            .unwrap_or_default();
        check_shown(&format!("the target of {}", self.addr()), &now, was)
    }

    pub(super) fn check_metric_shown(&self, shown: Option<&MetricId>) -> Result<(), Refusal> {
        match (&self.metric, shown) {
            (_, None) => Ok(()),
            (Some(m), _) => check_value_metric_shown(shown, m, &self.addr()),
            (None, Some(_)) => Err(Refusal::conflict(format!(
                "{} has no primary metric any more: nothing was recorded",
                self.addr()
            ))),
        }
    }

    /// A live value measures the work after a change: one dated before the first intervention
    /// would be counted by no comparison (each plan compares the values from its intervention
    /// on), so it is refused and named for what it is, a baseline. Before any intervention,
    /// live values are kept and compared, without a verdict (no plan is locked).
    fn check_live_after_change(
        &self,
        on_guard: bool,
        here: (NaiveDate, Stamp),
    ) -> Result<(), Refusal> {
        let first = self.first_change(on_guard);
        if let Some(first) = first
            && here < key(first.at, first.recorded_at)
        {
            return Err(Refusal::rule(format!(
                "a live value measures the work after a change, but {} had no intervention yet on {}: its first is on {}, and a value from before it is a baseline",
                self.addr(),
                here.0,
                first.at
            ))
            .fix(Fix::BaselineNotLive {
                at: self.at(),
                first: first.at.date(),
            }));
        }
        Ok(())
    }

    /// The deviation a baseline value makes when a plan is locked: a guardrail's against the
    /// loop's locked plan, the primary metric's against its own.
    fn baseline_deviation(
        &self,
        on_guard: bool,
        detail: String,
        reason: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Option<Deviation>, Refusal> {
        if on_guard {
            self.loop_deviation(DeviationKind::BaselineAdded, detail, reason, ctx)
        } else {
            self.deviation(DeviationKind::BaselineAdded, detail, None, reason, ctx)
        }
    }

    /// The value row a `baseline` or `measure` records.
    fn new_value(
        &self,
        metric: &Metric,
        phase: Phase,
        value: f64,
        at: When,
        texts: ValueTexts,
        ctx: &Ctx,
    ) -> Value {
        Value {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            metric_id: metric.id.clone(),
            phase,
            value,
            at,
            note: texts.note,
            recorded_by: ctx.actor.clone(),
            recorded_at: ctx.now,
            void: None,
            typed: texts.typed,
            source: texts.source,
        }
    }

    /// What `baseline` / `measure` report about the value recorded.
    fn value_outcome(&self, phase: Phase, metric: &Metric, of: &str, row: Value) -> Outcome {
        let (command, label) = match phase {
            Phase::Baseline => (Command::Baseline, "baseline"),
            Phase::Live => (Command::Measure, "measurement"),
        };
        let unit = if metric.unit.is_empty() {
            String::new()
        } else {
            format!(" {}", metric.unit)
        };
        let at = row.at;
        Outcome::appending(
            command,
            format!(
                "recorded {label} {}{unit}{of} for {} on {at}",
                row.shown(),
                self.addr()
            ),
            Row::Value(row),
        )
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
        // A voided value's source is free again: the corrected value from the same system
        // takes its place (the voided one stays, with why).
        if let Some(v) = all.find(|v| v.void.is_none() && v.source.as_deref() == Some(source)) {
            return Err(Refusal::conflict(format!(
                "{} already has the value with source `{source}` ({} on {})",
                self.addr(),
                v.shown(),
                v.at
            )));
        }
        Ok(source.to_string())
    }
}

/// The metric's name and unit as given, checked, and its target checked against its direction.
fn checked_metric_names(spec: &MetricSpec<'_>) -> Result<(String, String), Refusal> {
    let name = required_text("metric name", spec.name, MAX_NAME)?;
    let unit = optional_text("unit", Some(spec.unit), MAX_UNIT)?.unwrap_or_default();
    if let Some(t) = spec.target {
        check_target(t, spec.better)?;
    }
    Ok((name, unit))
}

/// A live measurement changes no plan, so a reason given with one is a mistake.
fn check_live_takes_no_reason(phase: Phase, reason: Option<&str>) -> Result<(), Refusal> {
    if phase == Phase::Live && reason.is_some() {
        return Err(Refusal::invalid(
            "a live measurement changes no plan, so it takes no reason: use a note for a remark",
        ));
    }
    Ok(())
}

/// Only a finite number can be recorded (no NaN, no infinity).
fn check_finite(value: f64) -> Result<(), Refusal> {
    if !value.is_finite() {
        return Err(Refusal::invalid(
            "that is not a number that can be recorded: give a finite value",
        ));
    }
    Ok(())
}

/// The texts kept with a value besides its number: checked by `value_texts`.
struct ValueTexts {
    typed: Option<String>,
    source: Option<String>,
    note: String,
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
    /// The primary metric a form showed when it was typed.
    pub shown: Option<&'a MetricId>,
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

/// A value typed against a metric a form showed (the primary one or a guardrail) is recorded
/// under that metric or not at all: replaced or removed and added again meanwhile, the number
/// would land under a metric nobody saw.
fn check_value_metric_shown(
    shown: Option<&MetricId>,
    metric: &Metric,
    addr: &str,
) -> Result<(), Refusal> {
    match shown {
        Some(id) if *id != metric.id => Err(Refusal::conflict(format!(
            "the metric shown for {addr} was replaced or removed while the form was open (it is now `{}`{}): nothing was recorded; look at the loop again, then type for `{}`",
            metric.name,
            if metric.unit.is_empty() {
                String::new()
            } else {
                format!(" ({}, {} is better)", metric.unit, metric.better)
            },
            metric.name
        ))),
        _ => Ok(()),
    }
}
