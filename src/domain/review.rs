//! The weekly review: from one snapshot of the records, per job the six questions answered, the
//! loop open now, the flags that need the lead, and the compound test. `review --json` serialises
//! this structure as is; its field names are a contract.

use serde::Serialize;
use std::collections::BTreeMap;

use super::cycle::cycle_state;
use super::detect::{Suggestion, suggestions};
use super::kind::{Layer, LoopKind};
use super::model::*;
use super::stats::{Comparison, Process, compare, mean, process};
use super::time::{Stamp, Week};

/// Everything the review reads, loaded by the store in a few set-based queries.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    pub jobs: Vec<JobSnap>,
}

#[derive(Clone, Debug)]
pub struct JobSnap {
    pub job: Job,
    /// The six loops in the spec's order.
    pub loops: Vec<LoopSnap>,
    pub last_cycle: Option<Cycle>,
    /// Tools selected for the job: name and when.
    pub tools: Vec<(String, Stamp)>,
    /// Learnings of all the job's loops: type, tag, when.
    pub learnings: Vec<(LearningType, Option<String>, Stamp)>,
    /// Proof artifacts: title, when, whether an outcome is tracked.
    pub proofs: Vec<(String, Stamp, bool)>,
}

#[derive(Clone, Debug)]
pub struct LoopSnap {
    pub lp: Loop,
    pub metric: Option<Metric>,
    /// Checklist steps: number and when done.
    pub steps: Vec<(i64, Option<Stamp>)>,
    pub kill_signals: Vec<KillSignal>,
    /// Values of the metric in force, in time order.
    pub values: Vec<(Phase, Stamp, f64)>,
    /// Interventions on the metric in force, in time order.
    pub intervention_dates: Vec<Stamp>,
    pub decisions_without_threshold: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub n: i64,
    pub mean: f64,
}

/// What needs the lead on a loop, in the order the lead would fix it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Flag {
    KillTripped,
    NoOwner,
    NoMetric,
    NoBaseline,
    NoMeasurementThisCycle,
}

impl Flag {
    /// The sentence a lead reads, with the command that clears the flag.
    pub fn advice(self, slug: &str, kind: LoopKind) -> String {
        match self {
            Flag::KillTripped => format!(
                "kill signal tripped — decide: `jobloop loop retire {slug} {kind} --reason …` or `jobloop loop continue {slug} {kind} --reason …`"
            ),
            Flag::NoOwner => format!("no human owner: `jobloop loop owner {slug} {kind} NAME`"),
            Flag::NoMetric => format!(
                "no primary metric: `jobloop metric set {slug} {kind} NAME --unit U --better higher|lower`"
            ),
            Flag::NoBaseline => {
                format!("no baseline before intervention: `jobloop baseline {slug} {kind} VALUE`")
            }
            Flag::NoMeasurementThisCycle => {
                format!("no measurement this week: `jobloop measure {slug} {kind} VALUE`")
            }
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Review {
    pub generated_at: Stamp,
    pub week: String,
    pub jobs: Vec<JobReview>,
    pub totals: Totals,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    pub jobs: usize,
    pub open_loops: usize,
    pub kill_tripped: usize,
    pub no_owner: usize,
    pub no_baseline: usize,
    pub cycles_overdue: usize,
}

#[derive(Clone, Debug, Serialize)]
pub struct JobReview {
    pub slug: String,
    pub title: String,
    pub statement: String,
    pub open_now: Option<LoopKind>,
    pub questions: BTreeMap<LoopKind, bool>,
    pub loops: Vec<LoopReview>,
    pub last_compound: Option<CompoundReview>,
    pub next_job: Option<LoopKind>,
    pub cycle: CycleReview,
}

#[derive(Clone, Debug, Serialize)]
pub struct CycleReview {
    pub week: String,
    pub due: bool,
    pub overdue: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct LoopReview {
    pub kind: LoopKind,
    pub status: Status,
    pub owner: Option<String>,
    pub metric: Option<MetricReview>,
    pub baseline: Option<Summary>,
    pub latest: Option<f64>,
    pub latest_at: Option<Stamp>,
    pub live_n: i64,
    pub interventions: i64,
    pub steps: StepCount,
    pub kill_signals: Vec<SignalReview>,
    pub flags: Vec<Flag>,
    /// Baseline against the live values since the latest intervention; null without a metric
    /// or values.
    pub comparison: Option<Comparison>,
    /// The baseline's natural process limits read against the same live values.
    pub process: Option<Process>,
    /// Kill signals the records point at, for the lead to trip.
    pub suggested_kill_signals: Vec<Suggestion>,
    /// The metric's last values (baseline and live) in time order, for a sparkline.
    pub recent: Vec<f64>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct StepCount {
    pub done: i64,
    pub total: i64,
}

#[derive(Clone, Debug, Serialize)]
pub struct MetricReview {
    pub name: String,
    pub unit: String,
    pub better: Better,
    pub measures: Measures,
}

#[derive(Clone, Debug, Serialize)]
pub struct SignalReview {
    pub n: i64,
    pub text: String,
    pub canonical: bool,
    pub tripped: bool,
    pub reason: Option<String>,
    pub evidence: Option<String>,
    pub changed_by: Option<String>,
    pub changed_at: Option<Stamp>,
    pub decision: Option<KillDecision>,
    pub decision_reason: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CompoundReview {
    pub week: String,
    pub understanding: bool,
    pub explanation: bool,
    pub creation: bool,
    pub distribution: bool,
    pub note: String,
    pub broken_layer: Option<Layer>,
    pub compounds: bool,
    pub closed_at: Stamp,
    pub closed_by: String,
}

impl LoopReview {
    pub fn needs_decision(&self) -> bool {
        self.flags.contains(&Flag::KillTripped)
    }

    /// The loop's tripped kill signals that still wait for a decision.
    pub fn undecided(&self) -> impl Iterator<Item = &SignalReview> {
        self.kill_signals
            .iter()
            .filter(|k| k.tripped && k.decision.is_none())
    }
}

pub fn build(snapshot: &Snapshot, now: Stamp) -> Review {
    let week = Week::containing(now);
    // Jobs are independent: a large review is computed on every core.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let jobs: Vec<JobReview> = if snapshot.jobs.len() < 64 || threads < 2 {
        snapshot
            .jobs
            .iter()
            .map(|j| job_review(j, now, week))
            .collect()
    } else {
        let chunk = snapshot.jobs.len().div_ceil(threads);
        std::thread::scope(|s| {
            let parts: Vec<_> = snapshot
                .jobs
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || {
                        part.iter()
                            .map(|j| job_review(j, now, week))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().unwrap_or_default())
                .collect()
        })
    };
    let mut totals = Totals {
        jobs: jobs.len(),
        ..Totals::default()
    };
    for j in &jobs {
        totals.cycles_overdue += usize::from(j.cycle.overdue);
        for l in &j.loops {
            totals.open_loops += usize::from(l.status == Status::Open);
            for f in &l.flags {
                match f {
                    Flag::KillTripped => totals.kill_tripped += 1,
                    Flag::NoOwner => totals.no_owner += 1,
                    Flag::NoBaseline => totals.no_baseline += 1,
                    _ => {}
                }
            }
        }
    }
    Review {
        generated_at: now,
        week: week.to_string(),
        jobs,
        totals,
    }
}

fn job_review(j: &JobSnap, now: Stamp, week: Week) -> JobReview {
    let loops: Vec<LoopReview> = j
        .loops
        .iter()
        .map(|l| {
            let mut r = loop_review(l, week);
            r.suggested_kill_signals = suggestions(j, l.lp.kind, now);
            r
        })
        .collect();
    let open_now = loops
        .iter()
        .find(|l| l.status != Status::Closed)
        .map(|l| l.kind);
    let questions = loops
        .iter()
        .map(|l| (l.kind, l.status == Status::Closed))
        .collect();
    let last_week = j
        .last_cycle
        .as_ref()
        .and_then(|c| Week::parse(&c.week).ok());
    let state = cycle_state(j.job.created_at, last_week, now);
    let last_compound = j.last_cycle.as_ref().map(|c| CompoundReview {
        week: c.week.clone(),
        understanding: c.understanding,
        explanation: c.explanation,
        creation: c.creation,
        distribution: c.distribution,
        note: c.note.clone(),
        broken_layer: c.broken_layer(),
        compounds: c.broken_layer().is_none(),
        closed_at: c.closed_at,
        closed_by: c.closed_by.clone(),
    });
    JobReview {
        slug: j.job.slug.clone(),
        title: j.job.title.clone(),
        statement: j.job.statement.clone(),
        open_now,
        questions,
        loops,
        next_job: j.last_cycle.as_ref().and_then(Cycle::next_job),
        last_compound,
        cycle: CycleReview {
            week: state.current.to_string(),
            due: state.due,
            overdue: state.overdue,
        },
    }
}

/// Values with their times, in time order.
pub type Series = Vec<(Stamp, f64)>;

/// Baseline values, and the live values since the latest intervention (all of them when there
/// was none), each in time order.
pub fn split_values(l: &LoopSnap) -> (Series, Series) {
    let base = l
        .values
        .iter()
        .filter(|(p, _, _)| *p == Phase::Baseline)
        .map(|(_, at, v)| (*at, *v))
        .collect();
    let live = l
        .values
        .iter()
        .filter(|(p, at, _)| {
            *p == Phase::Live && l.intervention_dates.last().is_none_or(|i| at >= i)
        })
        .map(|(_, at, v)| (*at, *v))
        .collect();
    (base, live)
}

fn loop_review(l: &LoopSnap, week: Week) -> LoopReview {
    let status = l.lp.status;
    let base_values: Vec<f64> = l
        .values
        .iter()
        .filter(|(p, _, _)| *p == Phase::Baseline)
        .map(|(_, _, v)| *v)
        .collect();
    let baseline = mean(&base_values).map(|mean| Summary {
        n: base_values.len() as i64,
        mean,
    });
    let latest = l
        .values
        .iter()
        .rev()
        .find(|(p, _, _)| *p == Phase::Live)
        .map(|(_, at, v)| (*v, *at));
    let live_n = l
        .values
        .iter()
        .filter(|(p, _, _)| *p == Phase::Live)
        .count() as i64;
    let (comparison, process) = match &l.metric {
        Some(m) if !l.values.is_empty() => {
            let (base, live) = split_values(l);
            let bv: Vec<f64> = base.iter().map(|p| p.1).collect();
            let lv: Vec<f64> = live.iter().map(|p| p.1).collect();
            (Some(compare(&bv, &lv, m.better)), process(&base, &live))
        }
        _ => (None, None),
    };
    let mut flags = Vec::new();
    if !status.is_finished() {
        if l.kill_signals.iter().any(KillSignal::awaits_decision) {
            flags.push(Flag::KillTripped);
        }
        if l.lp.owner.is_none() {
            flags.push(Flag::NoOwner);
        }
    }
    if status == Status::Open {
        if l.metric.is_none() {
            flags.push(Flag::NoMetric);
        } else {
            // Without a metric the baseline and measurements cannot exist; `no-metric` says so.
            if baseline.is_none() {
                flags.push(Flag::NoBaseline);
            }
            if latest.is_none_or(|(_, at)| Week::containing(at) != week) {
                flags.push(Flag::NoMeasurementThisCycle);
            }
        }
    }
    LoopReview {
        kind: l.lp.kind,
        status,
        owner: l.lp.owner.clone(),
        metric: l.metric.as_ref().map(|m| MetricReview {
            name: m.name.clone(),
            unit: m.unit.clone(),
            better: m.better,
            measures: m.measures,
        }),
        baseline,
        latest: latest.map(|(v, _)| v),
        latest_at: latest.map(|(_, at)| at),
        live_n,
        interventions: l.intervention_dates.len() as i64,
        steps: StepCount {
            done: l.steps.iter().filter(|(_, d)| d.is_some()).count() as i64,
            total: l.steps.len() as i64,
        },
        kill_signals: l
            .kill_signals
            .iter()
            .map(|k| SignalReview {
                n: k.n,
                text: k.text.clone(),
                canonical: k.canonical,
                tripped: k.state == SignalState::Tripped,
                reason: k.reason.clone(),
                evidence: k.evidence.clone(),
                changed_by: k.changed_by.clone(),
                changed_at: k.changed_at,
                decision: k.decision,
                decision_reason: k.decision_reason.clone(),
            })
            .collect(),
        flags,
        comparison,
        process,
        suggested_kill_signals: Vec::new(),
        recent: l
            .values
            .iter()
            .skip(l.values.len().saturating_sub(RECENT))
            .map(|(_, _, v)| *v)
            .collect(),
    }
}

/// How many of a metric's latest values a sparkline shows.
pub const RECENT: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::job::NewJob;

    fn now() -> Stamp {
        Stamp::parse("2026-11-20T12:00:00Z").unwrap()
    }

    fn snap(f: impl FnOnce(&mut Vec<LoopSnap>)) -> Snapshot {
        let ctx = Ctx {
            actor: "ana".into(),
            now: Stamp::parse("2026-11-02T12:00:00Z").unwrap(),
        };
        let nj = NewJob::create("Triage", None, None, None, &ctx).unwrap();
        let mut loops: Vec<LoopSnap> = nj
            .loops
            .iter()
            .map(|r| LoopSnap {
                lp: r.lp.clone(),
                metric: None,
                steps: r.steps.iter().map(|s| (s.n, None)).collect(),
                kill_signals: r.kill_signals.clone(),
                values: Vec::new(),
                intervention_dates: Vec::new(),
                decisions_without_threshold: 0,
            })
            .collect();
        f(&mut loops);
        Snapshot {
            jobs: vec![JobSnap {
                job: nj.job,
                loops,
                last_cycle: None,
                tools: Vec::new(),
                learnings: Vec::new(),
                proofs: Vec::new(),
            }],
        }
    }

    #[test]
    fn a_fresh_job_is_open_at_understand_and_needs_owners() {
        let r = build(&snap(|_| {}), now());
        let j = &r.jobs[0];
        assert_eq!(j.open_now, Some(LoopKind::Understand));
        assert!(j.questions.values().all(|v| !v));
        assert_eq!(j.loops[0].flags, vec![Flag::NoOwner]);
        assert_eq!(r.totals.no_owner, 6);
        assert!(j.cycle.due && j.cycle.overdue);
    }

    #[test]
    fn open_now_skips_closed_loops_and_questions_follow() {
        let r = build(
            &snap(|l| {
                l[0].lp.status = Status::Closed;
                l[1].lp.status = Status::Killed;
            }),
            now(),
        );
        let j = &r.jobs[0];
        assert_eq!(j.open_now, Some(LoopKind::Redesign));
        assert!(j.questions[&LoopKind::Understand]);
        assert!(!j.questions[&LoopKind::Redesign]);
        // Finished loops ask nothing of the lead.
        assert!(j.loops[0].flags.is_empty() && j.loops[1].flags.is_empty());
    }

    #[test]
    fn open_loops_name_the_missing_metric_baseline_and_measurement() {
        let r = build(
            &snap(|l| {
                l[2].lp.status = Status::Open;
                l[2].lp.owner = Some("Ana".into());
                l[3].lp.status = Status::Open;
                l[3].metric = Some(Metric {
                    id: "m".into(),
                    loop_id: l[3].lp.id.clone(),
                    name: "x".into(),
                    unit: "h".into(),
                    better: Better::Lower,
                    measures: Measures::Outcome,
                    set_at: now(),
                    set_by: "ana".into(),
                    replaced_at: None,
                });
                l[3].values = vec![(
                    Phase::Live,
                    Stamp::parse("2026-11-10T00:00:00Z").unwrap(),
                    1.0,
                )];
                l[4].kill_signals[0].state = SignalState::Tripped;
            }),
            now(),
        );
        let j = &r.jobs[0];
        assert_eq!(j.loops[2].flags, vec![Flag::NoMetric]);
        assert_eq!(
            j.loops[3].flags,
            vec![
                Flag::NoOwner,
                Flag::NoBaseline,
                Flag::NoMeasurementThisCycle
            ]
        );
        assert_eq!(j.loops[4].flags, vec![Flag::KillTripped, Flag::NoOwner]);
        assert_eq!(r.totals.kill_tripped, 1);
        assert_eq!(r.totals.open_loops, 2);
    }

    #[test]
    fn the_last_compound_test_names_the_next_job() {
        let mut s = snap(|_| {});
        let job_id = s.jobs[0].job.id.clone();
        s.jobs[0].last_cycle = Some(Cycle {
            id: "c".into(),
            job_id,
            week: "2026-W46".into(),
            understanding: true,
            explanation: false,
            creation: true,
            distribution: false,
            understanding_note: String::new(),
            explanation_note: String::new(),
            creation_note: String::new(),
            distribution_note: String::new(),
            note: String::new(),
            closed_at: now(),
            closed_by: "ana".into(),
        });
        let r = build(&s, now());
        let j = &r.jobs[0];
        assert_eq!(j.next_job, Some(LoopKind::Instrument));
        let c = j.last_compound.as_ref().unwrap();
        assert_eq!(c.broken_layer, Some(Layer::Explanation));
        assert!(!c.compounds);
        assert!(j.cycle.due && !j.cycle.overdue);
    }
}
