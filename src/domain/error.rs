//! Why the domain refused a command, and what would make it possible. The message says what was
//! wrong in plain words; the remedy is structured, so that each front end names its own way to
//! do it (the CLI a command, the TUI a key). No shell syntax lives in the domain.

use chrono::NaiveDate;
use std::fmt;

use super::kind::LoopKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalKind {
    /// The input itself is malformed (empty name, value out of range): a usage error.
    Invalid,
    /// A job, loop, step or signal that does not exist.
    NotFound,
    /// A rule of the loops forbids it in the current state (no baseline before an intervention).
    Rule,
    /// The record changed since it was read (a stale write).
    Conflict,
    /// The person acting may not do this (someone else's loop, someone else's sign-off).
    Forbidden,
}

/// A loop, by its job's slug and its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct At {
    pub slug: String,
    pub kind: LoopKind,
}

/// What would make a refused command possible, as an intent the user can carry out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Add a job first.
    AddJob,
    /// Give the job an earlier start so that `week` is part of its history (backfill).
    Backdate {
        slug: String,
        week: super::time::Week,
    },
    /// Pick an existing job (the nearest slug to what was typed, when there is one).
    ChooseJob { nearest: Option<String> },
    /// Bring an archived job back.
    Unarchive { slug: String },
    /// Reopen a retired or closed loop.
    Reopen(At),
    /// Set the loop's primary metric.
    SetMetric(At),
    /// Replace the loop's primary metric.
    ReplaceMetric(At),
    /// Record a baseline value, dated before `before` when given.
    RecordBaseline { at: At, before: Option<NaiveDate> },
    /// Record the value as a live measurement instead.
    RecordMeasurement(At),
    /// A live value dated before the first intervention (`first`): record it as a baseline, or
    /// give the day it was measured, on or after `first`.
    BaselineNotLive { at: At, first: NaiveDate },
    /// Date the intervention after `after` (the last baseline), or void that baseline.
    InterveneAfter { at: At, after: NaiveDate },
    /// Decide after a tripped kill signal: retire or continue.
    DecideAfterTrip(At),
    /// Mark these checklist steps done, or close anyway.
    FinishSteps { at: At, steps: Vec<i64> },
    /// Add a kill signal.
    AddKillSignal(At),
    /// Re-arm kill signal `n` first.
    Rearm { at: At, n: i64 },
    /// Look at the loop (its steps, signals, decisions are numbered there).
    ShowLoop(At),
    /// List the job's proof artifacts with their ids.
    ListProofs { slug: String },
    /// Look at the job's tools with their ids.
    ListTools { slug: String },
    /// Sign off as the decision's named owner (`decision`: its short id, when known).
    SignOffAs {
        at: At,
        owner: String,
        decision: Option<String>,
        /// On the shared database: the owner logs in as themselves (no `--as`).
        team: bool,
    },
    /// Ask the loop's owner or the job's lead to record it.
    AskOwner {
        owner: Option<String>,
        lead: Option<String>,
    },
    /// Upgrade the shared schema (`migrate`).
    Migrate,
    /// Give the job a slug of its own.
    GiveSlug,
    /// Say why the locked plan changes (it is recorded as a deviation); `locked`: the day the
    /// plan was locked.
    GiveReason { locked: NaiveDate },
    /// Set the target, then start the intervention with its horizon: that locks the plan.
    LockPlan(At),
    /// A guardrail is breached: look at it, and trip a kill signal if the work should stop.
    WeighBreach(At),
}

/// How a refusal can be resolved: an action, or plain advice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Remedy {
    Do(Fix),
    Say(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    /// What was wrong, without any front end's syntax.
    pub message: String,
    pub remedy: Option<Remedy>,
}

/// Refuses a write made over a value the front end showed, when that value changed after it
/// was shown (a teammate's edit, another window's): written anyway, the edit would silently
/// replace a change its author never saw. `was: None` is a write that showed nothing first.
/// Short values are named so the person sees what changed; long ones (notes) are not repeated.
pub fn check_shown(what: &str, now: &str, was: Option<&str>) -> Result<(), Refusal> {
    let Some(was) = was else { return Ok(()) };
    let (now, was) = (now.trim(), was.trim());
    if now == was {
        return Ok(());
    }
    let say = |v: &str| match v {
        "" => "nothing".to_string(),
        v if v.chars().count() <= 60 && !v.contains('\n') => format!("`{v}`"),
        _ => "other text".to_string(),
    };
    Err(Refusal::conflict(format!(
        "{what} changed to {} after {} was shown: nothing was written; look at it again and decide anew",
        say(now),
        say(was)
    )))
}

impl Refusal {
    fn new(kind: RefusalKind, message: impl Into<String>) -> Self {
        Refusal {
            kind,
            message: message.into(),
            remedy: None,
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(RefusalKind::Invalid, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(RefusalKind::NotFound, message)
    }
    pub fn rule(message: impl Into<String>) -> Self {
        Self::new(RefusalKind::Rule, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(RefusalKind::Conflict, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(RefusalKind::Forbidden, message)
    }

    /// The refusal with an action that resolves it.
    pub fn fix(mut self, fix: Fix) -> Self {
        self.remedy = Some(Remedy::Do(fix));
        self
    }

    /// The refusal with plain advice.
    pub fn advice(mut self, text: impl Into<String>) -> Self {
        self.remedy = Some(Remedy::Say(text.into()));
        self
    }
}

/// The plain form, for logs and tests: the message and the remedy in neutral words.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        match &self.remedy {
            Some(Remedy::Say(s)) => write!(f, ": {s}"),
            Some(Remedy::Do(fix)) => write!(f, ": {}", fix.plain()),
            None => Ok(()),
        }
    }
}

impl Fix {
    /// The remedy in words that name no command or key (front ends say it their way).
    pub fn plain(&self) -> String {
        match self {
            Fix::AddJob => "add a job first".into(),
            Fix::Backdate { slug, week } => {
                format!("give `{slug}` an earlier start (a day in {week} or before) first")
            }
            Fix::ChooseJob { nearest: Some(n) } => format!("did you mean `{n}`?"),
            Fix::ChooseJob { nearest: None } => "pick one of the jobs listed".into(),
            Fix::Unarchive { slug } => format!("bring `{slug}` back from the archive first"),
            Fix::Reopen(_) => "reopen the loop first".into(),
            Fix::SetMetric(_) => "set a primary metric first".into(),
            Fix::ReplaceMetric(_) => "replace the primary metric instead".into(),
            Fix::RecordBaseline {
                before: Some(d), ..
            } => {
                format!("record a baseline dated before {d} first")
            }
            Fix::RecordBaseline { before: None, .. } => "record a baseline first".into(),
            Fix::RecordMeasurement(_) => "record it as a measurement instead".into(),
            Fix::BaselineNotLive { first, .. } => {
                format!("record it as a baseline, or date it on or after {first}")
            }
            Fix::InterveneAfter { after, .. } => {
                format!("date the intervention on or after {after}, or void that baseline")
            }
            Fix::DecideAfterTrip(_) => "retire or continue the loop first".into(),
            Fix::FinishSteps { steps, .. } => format!(
                "mark step {} done first, or close anyway",
                steps
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Fix::AddKillSignal(_) => "add a kill signal first".into(),
            Fix::Rearm { n, .. } => format!("re-arm kill signal {n} first"),
            Fix::ShowLoop(_) => "see the loop for the numbers".into(),
            Fix::ListProofs { .. } => "see the proof ids in the job's proof list".into(),
            Fix::ListTools { .. } => "see the tool ids in the job's tools".into(),
            Fix::SignOffAs { owner, .. } => format!("only {owner} can sign it off"),
            Fix::AskOwner { owner, lead } => match (owner, lead) {
                (Some(o), Some(l)) => format!("ask {o} (the loop's owner) or {l} (the job's lead)"),
                (Some(o), None) => format!("ask {o}, the loop's owner"),
                (None, Some(l)) => format!("ask {l}, the job's lead"),
                (None, None) => "ask the job's lead to name an owner".into(),
            },
            Fix::Migrate => "upgrade the shared database first".into(),
            Fix::WeighBreach(_) => {
                "look at the guardrail; if the work should stop, trip a kill signal".into()
            }
            Fix::LockPlan(_) => {
                "set the target change, then start the intervention with its horizon".into()
            }
            Fix::GiveReason { locked } => format!(
                "give a reason: the change is recorded as a deviation from the plan locked on {locked}"
            ),
            Fix::GiveSlug => {
                "give a slug of lowercase letters, digits and hyphens, e.g. support-triage".into()
            }
        }
    }
}

impl std::error::Error for Refusal {}
