//! Jobs, their loops and checklist steps, the weekly cycles, and the distribute loop's tools and
//! proof.

use serde::{Deserialize, Serialize};

use super::{CycleId, JobId, LoopId, ProofId, StepId, ToolId, Void};

use super::Canvas;
use crate::domain::kind::{Layer, LoopKind};
use crate::domain::time::{Stamp, When};

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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    pub id: JobId,
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Loop {
    pub id: LoopId,
    pub job_id: JobId,
    pub kind: LoopKind,
    pub status: Status,
    pub owner: Option<String>,
    pub notes: String,
    pub rev: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub id: StepId,
    pub loop_id: LoopId,
    pub n: i64,
    pub text: String,
    pub custom: bool,
    pub done_at: Option<Stamp>,
    pub done_by: Option<String>,
    pub evidence: Option<String>,
}

/// A closed review cycle and its compound test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cycle {
    pub id: CycleId,
    pub job_id: JobId,
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
        let week = crate::domain::time::Week::parse(&self.week).ok()?;
        let answered = self.closed_at.local_date();
        (crate::domain::time::Week::of(answered).previous() > week).then_some(answered)
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
    pub id: ToolId,
    pub job_id: JobId,
    pub name: String,
    pub at: When,
    pub recorded_by: String,
    pub recorded_at: Stamp,
    /// Recorded by mistake: it stays, and counts for nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void: Option<Void>,
}

/// What a proof artifact brought back; all counts are stored together.
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

/// The counts a command sets: each given one replaces the stored count, the others stay (so
/// "one citation came in" never wipes the replies).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProofCounts {
    pub replies: Option<i64>,
    pub citations: Option<i64>,
    pub intros: Option<i64>,
    pub bookings: Option<i64>,
    pub sales: Option<i64>,
    pub reuse: Option<i64>,
}

impl ProofCounts {
    /// Every count, as a form that shows them all gives them.
    pub fn all(o: ProofOutcome) -> ProofCounts {
        ProofCounts {
            replies: Some(o.replies),
            citations: Some(o.citations),
            intros: Some(o.intros),
            bookings: Some(o.bookings),
            sales: Some(o.sales),
            reuse: Some(o.reuse),
        }
    }

    /// Whether no count is given.
    pub fn is_empty(&self) -> bool {
        *self == ProofCounts::default()
    }

    /// The stored counts `o` with the given ones in their place.
    pub fn over(&self, o: ProofOutcome) -> ProofOutcome {
        ProofOutcome {
            replies: self.replies.unwrap_or(o.replies),
            citations: self.citations.unwrap_or(o.citations),
            intros: self.intros.unwrap_or(o.intros),
            bookings: self.bookings.unwrap_or(o.bookings),
            sales: self.sales.unwrap_or(o.sales),
            reuse: self.reuse.unwrap_or(o.reuse),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proof {
    pub id: ProofId,
    pub job_id: JobId,
    pub title: String,
    pub kind: ProofKind,
    pub visibility: Visibility,
    pub link: Option<String>,
    pub at: When,
    pub recorded_by: String,
    pub outcome: Option<ProofOutcome>,
    pub outcome_at: Option<Stamp>,
}
