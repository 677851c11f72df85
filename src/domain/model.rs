//! The records of a job and its loops, as stored and exported. Plain data: the rules that change
//! them live in `loop_record`, `job` and `cycle`.

use serde::{Deserialize, Serialize};

use super::kind::{Layer, LoopKind};
use super::stats::{Limit, Target};
use super::time::{Moment, Stamp, When};

/// Who is acting and when: every command is stamped with both. In team mode (a shared database)
/// the actor is the server's authenticated identity and only a loop's owner and its job's lead
/// may record on it.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub actor: String,
    pub now: Stamp,
    pub team: bool,
    /// Where the ids of the records this command makes come from.
    pub ids: Ids,
}

impl Ctx {
    pub fn local(actor: impl Into<String>, now: Stamp) -> Ctx {
        Ctx {
            actor: actor.into(),
            now,
            team: false,
            ids: Ids::fresh(),
        }
    }

    /// The same actor and moment, drawing ids from `ids`.
    pub fn with_ids(&self, ids: Ids) -> Ctx {
        Ctx {
            ids,
            ..self.clone()
        }
    }

    /// A new record id (see `Ids`).
    pub fn new_id(&self) -> String {
        self.ids.next()
    }
}

/// Where new record ids come from, passed in with each command (never a global): fresh UUIDv7s
/// (the clock and the system's randomness), a seeded sequence (the demo: a seed gives the same
/// database every time, and a test can fix them), and first any ids drawn before a command's
/// first attempt (a retried command makes the same records, so a commit in doubt is found by
/// its own event). Clones share one sequence.
#[derive(Clone, Debug, Default)]
pub struct Ids(std::sync::Arc<std::sync::Mutex<IdState>>);

#[derive(Debug, Default)]
struct IdState {
    planned: std::collections::VecDeque<String>,
    seed: Option<u64>,
}

impl Ids {
    pub fn fresh() -> Ids {
        Ids::default()
    }

    pub fn seeded(seed: u64) -> Ids {
        let ids = Ids::default();
        ids.state().seed = Some(seed ^ 0x6A6F_626C_6F6F_7021);
        ids
    }

    /// `planned` first, then fresh ones.
    pub fn planned(planned: Vec<String>) -> Ids {
        let ids = Ids::default();
        ids.state().planned = planned.into();
        ids
    }

    fn state(&self) -> std::sync::MutexGuard<'_, IdState> {
        // A panic elsewhere cannot leave the sequence half-updated: take it as it is.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The next id: a UUIDv7, as text, made here rather than by the database so that a second
    /// store (PostgreSQL) can share the ids.
    pub fn next(&self) -> String {
        let mut st = self.state();
        if let Some(id) = st.planned.pop_front() {
            return id;
        }
        match st.seed {
            None => uuid::Uuid::now_v7().to_string(),
            Some(state) => {
                let (a, next) = splitmix(state);
                let (b, next) = splitmix(next);
                st.seed = Some(next);
                uuid::Uuid::from_u64_pair(a, b).to_string()
            }
        }
    }
}

/// The last eight characters of an id (the random part of a UUIDv7, whose start is a clock):
/// enough to type, shown wherever an id is asked for.
pub fn short_id(id: &str) -> &str {
    id.get(id.len().saturating_sub(8)..).unwrap_or(id)
}

/// Why a typed id matched no single record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefError {
    TooShort(String),
    NotFound(String),
    Ambiguous(String),
}

impl RefError {
    /// The refusal, naming what was looked for (`decision`) and where (`triage/govern`).
    pub fn about(self, what: &str, place: &str) -> super::Refusal {
        use super::Refusal;
        let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        match self {
            RefError::TooShort(r) => Refusal::invalid(format!(
                "`{r}` is too short to name {article} {what}: give at least 4 characters of its id"
            )),
            RefError::NotFound(r) => {
                Refusal::not_found(format!("{place} has no {what} with id `{r}`"))
            }
            RefError::Ambiguous(r) => Refusal::invalid(format!(
                "`{r}` matches more than one {what} of {place}: give more characters of the id"
            )),
        }
    }
}

/// The one id among `ids` that contains `reference` (at least four characters, any case).
pub fn find_by_ref<'a>(
    ids: impl Iterator<Item = &'a str>,
    reference: &str,
) -> Result<String, RefError> {
    let wanted = reference.trim().to_lowercase();
    if wanted.chars().count() < 4 {
        return Err(RefError::TooShort(reference.trim().to_string()));
    }
    let mut found = ids.filter(|id| id.to_lowercase().contains(&wanted));
    match (found.next(), found.next()) {
        (Some(id), None) => Ok(id.to_string()),
        (None, _) => Err(RefError::NotFound(reference.trim().to_string())),
        (Some(_), Some(_)) => Err(RefError::Ambiguous(reference.trim().to_string())),
    }
}

/// One step of splitmix64: the next value and the next state.
pub fn splitmix(state: u64) -> (u64, u64) {
    let next = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = next;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (z ^ (z >> 31), next)
}

macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn from_text(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum!(Status {
    NotStarted = "not_started",
    Open = "open",
    Closed = "closed",
    Killed = "killed",
});

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::NotStarted => "not started",
            Status::Open => "open",
            Status::Closed => "closed",
            Status::Killed => "killed",
        }
    }

    /// Closed and killed loops no longer need an owner or a decision from the lead.
    pub fn is_finished(self) -> bool {
        matches!(self, Status::Closed | Status::Killed)
    }
}

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

text_enum!(SignalState {
    Armed = "armed",
    Tripped = "tripped",
});

text_enum!(
    /// What the lead decided after a kill signal tripped.
    KillDecision { Retire = "retire", Continue = "continue" }
);

/// The understand loop's canvas of the customer job.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Canvas {
    pub performer: String,
    pub circumstance: String,
    pub workaround: String,
    pub functional_job: String,
    pub emotional_job: String,
    pub social_job: String,
    pub competing_solutions: String,
    pub hiring_criteria: String,
}

// Fields added after version 2 of the schema are left out of a record's JSON while they are
// empty, so a record written before them hashes as it did: the audit trail stays valid.

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    pub id: String,
    pub slug: String,
    pub title: String,
    pub statement: String,
    #[serde(flatten)]
    pub canvas: Canvas,
    pub created_at: Stamp,
    pub archived_at: Option<Stamp>,
    pub rev: i64,
    /// Who leads the job: the person who added it, or one named later. With the loops' owners,
    /// the people who may record on its loops in team mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    /// The day the job's history begins when it is earlier than the day it was recorded
    /// (backfill): the weeks from then on can be answered, and are never overdue.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<chrono::NaiveDate>,
}

/// A record marked as entered by mistake: it stays, with who voided it and why, and counts for
/// nothing (comparisons, rules, detectors).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Void {
    pub at: Stamp,
    pub by: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Loop {
    pub id: String,
    pub job_id: String,
    pub kind: LoopKind,
    pub status: Status,
    pub owner: Option<String>,
    pub notes: String,
    pub rev: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: String,
    pub loop_id: String,
    pub n: i64,
    pub text: String,
    pub custom: bool,
    pub done_at: Option<Stamp>,
    pub done_by: Option<String>,
    pub evidence: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub id: String,
    pub loop_id: String,
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
    pub id: String,
    pub loop_id: String,
    pub metric_id: String,
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
            None => super::num::show(self.value),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    pub id: String,
    pub loop_id: String,
    pub metric_id: String,
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
    pub id: String,
    pub loop_id: String,
    /// The intervention whose plan it departs from.
    pub intervention_id: String,
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KillSignal {
    pub id: String,
    pub loop_id: String,
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
        loop_id: &str,
        n: i64,
        text: String,
        canonical: bool,
        rule: Option<String>,
        ctx: &Ctx,
    ) -> KillSignal {
        KillSignal {
            id: ctx.new_id(),
            loop_id: loop_id.to_string(),
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
    pub id: String,
    pub loop_id: String,
    pub text: String,
    pub owner: String,
    pub threshold: Option<String>,
    /// When it was recorded (`at` in the store, the export and the audit trail).
    #[serde(rename = "at")]
    pub recorded_at: Stamp,
    pub recorded_by: String,
    /// The decision this one amends (a new version; the old one is kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
    /// When its named owner signed it off; pending until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<Stamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
    /// The flow step the decision belongs to (its id), from version 6.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
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

/// A closed review cycle and its compound test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cycle {
    pub id: String,
    pub job_id: String,
    /// The ISO week, `2026-W47`.
    pub week: String,
    pub understanding: bool,
    pub explanation: bool,
    pub creation: bool,
    pub distribution: bool,
    pub understanding_note: String,
    pub explanation_note: String,
    pub creation_note: String,
    pub distribution_note: String,
    pub note: String,
    pub closed_at: Stamp,
    pub closed_by: String,
}

impl Cycle {
    /// The day it was answered, when that was after the week that followed it (a week answered
    /// from history, not in the routine): shown as backfilled.
    pub fn backfilled(&self) -> Option<chrono::NaiveDate> {
        let week = super::time::Week::parse(&self.week).ok()?;
        let answered = self.closed_at.local_date();
        (super::time::Week::of(answered).previous() > week).then_some(answered)
    }

    pub fn answers(&self) -> [(Layer, bool, &str); 4] {
        [
            (
                Layer::Understanding,
                self.understanding,
                &self.understanding_note,
            ),
            (Layer::Explanation, self.explanation, &self.explanation_note),
            (Layer::Creation, self.creation, &self.creation_note),
            (
                Layer::Distribution,
                self.distribution,
                &self.distribution_note,
            ),
        ]
    }

    /// The first broken layer, in the test's order; `None` when the job compounds.
    pub fn broken_layer(&self) -> Option<Layer> {
        self.answers()
            .into_iter()
            .find(|(_, improved, _)| !improved)
            .map(|(l, _, _)| l)
    }

    pub fn next_job(&self) -> Option<LoopKind> {
        self.broken_layer().map(Layer::next_loop)
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

text_enum!(ProofKind {
    Case = "case",
    Diagram = "diagram",
    Story = "story",
    Benchmark = "benchmark",
    Standard = "standard",
});

text_enum!(Visibility {
    Private = "private",
    Public = "public",
});

/// A tool selected for a job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub id: String,
    pub job_id: String,
    pub name: String,
    pub at: When,
    pub recorded_by: String,
    pub recorded_at: Stamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Learning {
    pub id: String,
    pub loop_id: String,
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
    pub incident: Option<String>,
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

/// What a proof artifact brought back; all counts are given together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofOutcome {
    pub replies: i64,
    pub citations: i64,
    pub intros: i64,
    pub bookings: i64,
    pub sales: i64,
    pub reuse: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proof {
    pub id: String,
    pub job_id: String,
    pub title: String,
    pub kind: ProofKind,
    pub visibility: Visibility,
    pub link: Option<String>,
    pub at: When,
    pub recorded_by: String,
    pub outcome: Option<ProofOutcome>,
    pub outcome_at: Option<Stamp>,
}

text_enum!(
    /// What a step of the redesigned workflow is.
    StepKind {
        Input = "input",
        Decision = "decision",
        Action = "action",
        Output = "output",
        Exception = "exception",
        Handoff = "handoff",
    }
);

text_enum!(
    /// Who does a step: an agent, a system (deterministic software) or a human.
    Performer { Agent = "agent", System = "system", Human = "human" }
);

text_enum!(
    /// What an agent step does.
    AgentRole {
        Perception = "perception",
        Decision = "decision",
        Action = "action",
        Memory = "memory",
        Escalation = "escalation",
    }
);

text_enum!(
    /// Why a human keeps a step: the gate they hold.
    HumanGate {
        Judgment = "judgment",
        Taste = "taste",
        Relationship = "relationship",
        Exception = "exception",
        Approval = "approval",
        Liability = "liability",
    }
);

text_enum!(
    /// How sensitive the data a step handles is.
    DataClass {
        Public = "public",
        Internal = "internal",
        Confidential = "confidential",
        Personal = "personal",
        Special = "special",
    }
);

impl DataClass {
    /// Personal or special-category data: what the govern signal watches.
    pub fn is_sensitive(self) -> bool {
        matches!(self, DataClass::Personal | DataClass::Special)
    }
}

text_enum!(Severity {
    Low = "low",
    Medium = "medium",
    High = "high",
});

text_enum!(
    /// Who noticed an incident.
    DetectedBy {
        Agent = "agent",
        System = "system",
        Human = "human",
        Customer = "customer",
    }
);

text_enum!(
    /// What a critic check found.
    Verdict { Pass = "pass", Fail = "fail" }
);

/// A step of the redesigned workflow (the redesign loop's record): what it is, who does it, the
/// steps it follows, the data it handles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowStep {
    pub id: String,
    pub loop_id: String,
    pub name: String,
    pub kind: StepKind,
    pub by: Performer,
    /// An agent step's role.
    pub role: Option<AgentRole>,
    /// A human step's gate.
    pub gate: Option<HumanGate>,
    /// The ids of the steps it follows (its predecessors): the flow is a graph without cycles.
    pub after: Vec<String>,
    pub data: Vec<DataClass>,
    pub irreversible: bool,
    pub at: When,
    pub recorded_by: String,
    pub recorded_at: Stamp,
    /// The last `flow set` of it.
    pub changed_at: Option<Stamp>,
    pub changed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
}

/// Artifact work the redesign removed ("the weekly status spreadsheet"), and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowDrop {
    pub id: String,
    pub loop_id: String,
    pub name: String,
    pub why: String,
    pub at: When,
    pub recorded_by: String,
    pub recorded_at: Stamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
}

/// One act of governance on a flow step (the govern loop's record): its human owner, its
/// approval threshold, or a critic check, as of `at`. A step's governance is the latest of each
/// across its acts in force.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Governance {
    pub id: String,
    pub loop_id: String,
    pub step_id: String,
    pub owner: Option<String>,
    pub approval: Option<String>,
    /// A critic check's name, and who performs it.
    pub critic: Option<String>,
    pub critic_by: Option<Performer>,
    pub at: Stamp,
    pub recorded_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
}

/// What a critic check of a step found, at one time (the govern loop's record).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriticResult {
    pub id: String,
    pub loop_id: String,
    pub step_id: String,
    pub critic: String,
    pub result: Verdict,
    pub note: Option<String>,
    pub at: Stamp,
    pub recorded_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
}

/// Something that went wrong at a step (the improve loop's record), and what changed to fix it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Incident {
    pub id: String,
    pub loop_id: String,
    pub step_id: String,
    pub what: String,
    pub severity: Severity,
    pub tag: Option<String>,
    pub detected_by: Option<DetectedBy>,
    pub at: When,
    pub recorded_by: String,
    pub recorded_at: Stamp,
    /// What changed in the prompt, standard, workflow or instrument.
    pub change: Option<String>,
    pub fixed_at: Option<Stamp>,
    pub fixed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
}

/// One entry of the audit trail: who did what, when, and the values before and after.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEvent {
    pub seq: i64,
    pub id: String,
    pub at: Stamp,
    pub actor: String,
    pub command: String,
    pub job_id: Option<String>,
    pub loop_kind: Option<LoopKind>,
    pub summary: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}
