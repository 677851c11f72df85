//! What a loop measures: metrics, values, interventions (with their locked plans) and the
//! deviations from a plan.

use serde::{Deserialize, Serialize};

use super::{DeviationId, InterventionId, LoopId, MetricId, ValueId};

use super::Void;
use crate::domain::stats::{Limit, Target};
use crate::domain::time::{Stamp, When};

text_enum!(
    /// Which way the primary metric should move.
    Better { Higher = "higher", Lower = "lower" }
);

text_enum!(
    /// What a metric counts: an outcome of the work, or mere adoption of a tool.
    Measures { Outcome = "outcome", Adoption = "adoption" }
);

text_enum!(
    /// A baseline value is recorded before any intervention; a live value after.
    Phase { Baseline = "baseline", Live = "live" }
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub id: MetricId,
    pub loop_id: LoopId,
    pub name: String,
    pub unit: String,
    pub better: Better,
    pub measures: Measures,
    pub set_at: Stamp,
    pub set_by: String,
    pub replaced_at: Option<Stamp>,
    /// The change the lead wants to be able to see (`-20%`, or `-1.5` in the metric's unit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// The loop's primary metric, or a guardrail (what must not get worse while it improves).
    /// Absent from the JSON of a primary metric, so records from before guardrails hash alike.
    #[serde(default, skip_serializing_if = "MetricRole::is_primary")]
    pub role: MetricRole,
    /// A guardrail's limit: how much worse it may get before it is breached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_worse: Option<Limit>,
}

text_enum!(
    /// What a metric is to its loop.
    MetricRole { Primary = "primary", Guardrail = "guardrail" }
);

// `text_enum!` declares the enum, so its variants cannot carry `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for MetricRole {
    fn default() -> MetricRole {
        MetricRole::Primary
    }
}

impl MetricRole {
    pub fn is_primary(&self) -> bool {
        *self == MetricRole::Primary
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Value {
    pub id: ValueId,
    pub loop_id: LoopId,
    pub metric_id: MetricId,
    pub phase: Phase,
    pub value: f64,
    pub at: When,
    pub note: String,
    pub recorded_by: String,
    pub recorded_at: Stamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
    /// The text as typed when it is not `value`'s shortest form (`10.00`, `1e3`): what is
    /// shown, and what tells the resolution the value was measured at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typed: Option<String>,
    /// The value's id in the system it came from (a CSV import's `source` column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

impl Value {
    /// The value as it was typed (its shortest form when that is how it was typed).
    pub fn shown(&self) -> String {
        match &self.typed {
            Some(t) => t.clone(),
            None => crate::domain::num::show(self.value),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    pub id: InterventionId,
    pub loop_id: LoopId,
    pub metric_id: MetricId,
    pub description: String,
    pub at: When,
    pub recorded_by: String,
    pub recorded_at: Stamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
    /// The plan it locked, as stored and hashed (`plan::Plan` as JSON text); none before
    /// version 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// The SHA-256 of `plan`, in hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_hash: Option<String>,
}

text_enum!(
    /// What changed in a locked plan.
    DeviationKind {
        MetricReplaced = "metric-replaced",
        TargetChanged = "target-changed",
        HorizonChanged = "horizon-changed",
        KillRuleAdded = "kill-rule-added",
        GuardrailAdded = "guardrail-added",
        GuardrailRemoved = "guardrail-removed",
        BaselineAdded = "baseline-added",
        BaselineVoided = "baseline-voided",
        InterventionVoided = "intervention-voided",
    }
);

/// A change to a locked plan: allowed only with a reason, listed beside the verdict, which
/// stays the locked plan's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    pub id: DeviationId,
    pub loop_id: LoopId,
    /// The intervention whose plan it departs from.
    pub intervention_id: InterventionId,
    pub what: DeviationKind,
    /// What changed, in words (`target -25% → -15%`).
    pub detail: String,
    /// The new setting where the verdict reads it (a horizon's count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    pub reason: String,
    pub at: Stamp,
    pub recorded_by: String,
}
