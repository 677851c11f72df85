//! Kill signals and the lead's decisions on them, decisions, and the improve loop's learnings.

use serde::{Deserialize, Serialize};

use super::{DecisionId, FlowStepId, IncidentId, LearningId, LoopId, SignalId};

use super::{Ctx, Void};
use crate::domain::time::{Moment, Stamp, When};

text_enum!(SignalState {
    Armed = "armed",
    Tripped = "tripped",
});

text_enum!(
    /// What the lead decided after a kill signal tripped.
    KillDecision { Retire = "retire", Continue = "continue" }
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KillSignal {
    pub id: SignalId,
    pub loop_id: LoopId,
    pub n: i64,
    pub text: String,
    pub canonical: bool,
    pub state: SignalState,
    pub reason: Option<String>,
    pub evidence: Option<String>,
    pub changed_by: Option<String>,
    pub changed_at: Option<Stamp>,
    pub decision: Option<KillDecision>,
    pub decision_reason: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<Stamp>,
    pub created_at: Stamp,
    /// A rule the data can check (`stale 14 days`); see `rules::KillRule`.
    #[serde(default)]
    pub rule: Option<String>,
}

impl KillSignal {
    /// When the lead decided to continue after this armed signal's rule tripped it: the rule
    /// watches again from then (see `rules::KillRule::check_since`).
    pub fn continued_at(&self) -> Option<Stamp> {
        (self.state == SignalState::Armed && self.decision == Some(KillDecision::Continue))
            .then_some(self.decided_at)
            .flatten()
    }

    /// Trips or re-arms the signal, with why and by whom; a decision taken after an earlier trip
    /// no longer stands.
    pub fn change(
        &mut self,
        state: SignalState,
        reason: String,
        evidence: Option<String>,
        ctx: &Ctx,
    ) {
        self.state = state;
        self.reason = Some(reason);
        self.evidence = evidence;
        self.changed_by = Some(ctx.actor.clone());
        self.changed_at = Some(ctx.now);
        self.decision = None;
        self.decision_reason = None;
        self.decided_by = None;
        self.decided_at = None;
    }

    /// A new, armed signal on a loop.
    pub fn armed(
        loop_id: &LoopId,
        n: i64,
        text: String,
        canonical: bool,
        rule: Option<String>,
        ctx: &Ctx,
    ) -> KillSignal {
        KillSignal {
            id: ctx.new_id(),
            loop_id: loop_id.clone(),
            n,
            text,
            canonical,
            state: SignalState::Armed,
            reason: None,
            evidence: None,
            changed_by: None,
            changed_at: None,
            decision: None,
            decision_reason: None,
            decided_by: None,
            decided_at: None,
            created_at: ctx.now,
            rule,
        }
    }

    /// Tripped and still waiting for the lead to retire the loop or continue it.
    pub fn awaits_decision(&self) -> bool {
        self.state == SignalState::Tripped && self.decision.is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub id: DecisionId,
    pub loop_id: LoopId,
    pub text: String,
    pub owner: String,
    pub threshold: Option<String>,
    /// When it was recorded (`at` in the store, the export and the audit trail).
    #[serde(rename = "at")]
    pub recorded_at: Stamp,
    pub recorded_by: String,
    /// The decision this one amends (a new version; the old one is kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<DecisionId>,
    /// When its named owner signed it off; pending until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<Stamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
    /// The flow step the decision belongs to (its id), from version 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<FlowStepId>,
    /// The day it is about when that is not the day it was recorded (`--at`, backfill), from
    /// version 8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<chrono::NaiveDate>,
    /// Who recorded the owner's sign-off on the owner's word (a witnessed sign-off, on a local
    /// file), from version 8; absent when the owner signed it themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub witnessed_by: Option<String>,
}

impl Decision {
    /// When it happened: the day it is about, or the moment it was recorded.
    pub fn when(&self) -> When {
        self.about.map_or(When::At(self.recorded_at), When::Day)
    }
}

text_enum!(
    /// What a learning entry records (the improve loop's first step).
    LearningType {
        Evidence = "evidence",
        Decision = "decision",
        Feedback = "feedback",
        Correction = "correction",
        Outcome = "outcome",
        Mistake = "mistake",
        Change = "change",
    }
);

text_enum!(
    /// The spec's capability tags: what is real, what is hoped for, what was used up.
    Capability { Reality = "REALITY", Dream = "DREAM", Consumed = "CONSUMED" }
);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Learning {
    pub id: LearningId,
    pub loop_id: LoopId,
    pub text: String,
    #[serde(rename = "type")]
    pub kind: LearningType,
    pub tag: Option<String>,
    pub capability: Option<Capability>,
    /// When it was recorded (`at` in the store, the export and the audit trail).
    #[serde(rename = "at")]
    pub recorded_at: Stamp,
    pub recorded_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
    /// The incident it learns from (its id), from version 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<IncidentId>,
    /// The day it is about when that is not the day it was recorded (`--at`, backfill), from
    /// version 8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<chrono::NaiveDate>,
}

impl Learning {
    /// When it happened: the day it is about, or the moment it was recorded.
    pub fn when(&self) -> When {
        self.about.map_or(When::At(self.recorded_at), When::Day)
    }

    /// Its place in time among other records: the day it is about, else the day (UTC) it was
    /// recorded — the same in every time zone, as the derived state it feeds must be.
    pub fn moment(&self) -> Moment {
        let day = self
            .about
            .unwrap_or_else(|| self.recorded_at.0.with_timezone(&chrono::Utc).date_naive());
        (day, self.recorded_at)
    }
}
