//! What each write command asks for: the one intent it maps to (no rules here; the domain
//! applies them).

use super::args::*;
use super::today;
use crate::domain::Ctx;
use crate::domain::LoopKind;
use crate::domain::cycle::CompoundAnswers;
use crate::domain::flow::{CriticSpec, StepEdit, StepSpec};
use crate::domain::intent::{Intent, LoopOp};
use crate::domain::job::{CanvasEdit, JobEdit};
use crate::domain::model::{Phase, ProofOutcome};

/// The job a flow command names.
fn job_of(cmd: &FlowCmd) -> &str {
    match cmd {
        FlowCmd::Add { job, .. }
        | FlowCmd::List { job, .. }
        | FlowCmd::Set { job, .. }
        | FlowCmd::Void { job, .. }
        | FlowCmd::Drop { job, .. }
        | FlowCmd::Govern { job, .. }
        | FlowCmd::Export { job, .. } => job,
    }
}

/// The intent a write command asks for.
pub(super) fn intent_of(ctx: &Ctx, command: &Command) -> Option<Intent> {
    let on = |job: &str, kind, op| Intent::OnLoop {
        slug: job.to_string(),
        kind,
        op,
    };
    Some(match command {
        Command::Job(cmd) => match cmd {
            JobCmd::Edit(a) => Intent::EditJob {
                slug: a.job.clone(),
                edit: JobEdit {
                    title: a.title.clone(),
                    statement: a.statement.clone(),
                    canvas: CanvasEdit {
                        performer: a.performer.clone(),
                        circumstance: a.circumstance.clone(),
                        workaround: a.workaround.clone(),
                        functional_job: a.functional_job.clone(),
                        emotional_job: a.emotional_job.clone(),
                        social_job: a.social_job.clone(),
                        competing_solutions: a.competing_solutions.clone(),
                        hiring_criteria: a.hiring_criteria.clone(),
                    },
                    since: a.since.map(|s| s.0),
                },
            },
            JobCmd::Lead { job, name } => Intent::SetLead {
                slug: job.clone(),
                lead: name.clone(),
            },
            JobCmd::Archive { job } => Intent::ArchiveJob {
                slug: job.clone(),
                archived: true,
            },
            JobCmd::Unarchive { job } => Intent::ArchiveJob {
                slug: job.clone(),
                archived: false,
            },
            _ => return None,
        },
        Command::Loop(cmd) => match cmd {
            LoopCmd::Owner { job, kind, name } => {
                on(job, *kind, LoopOp::AssignOwner { name: name.clone() })
            }
            LoopCmd::Open { job, kind } => on(job, *kind, LoopOp::Open),
            LoopCmd::Close { job, kind, force } => on(job, *kind, LoopOp::Close { force: *force }),
            LoopCmd::Step {
                job,
                kind,
                n,
                undo,
                evidence,
                ..
            } => on(
                job,
                *kind,
                if *undo {
                    LoopOp::UndoStep { n: *n }
                } else {
                    LoopOp::MarkStep {
                        n: *n,
                        evidence: evidence.clone(),
                    }
                },
            ),
            LoopCmd::Note { job, kind, text } => {
                on(job, *kind, LoopOp::SetNotes { text: text.clone() })
            }
            LoopCmd::StepAdd { job, kind, text } => {
                on(job, *kind, LoopOp::AddStep { text: text.clone() })
            }
            LoopCmd::Retire { job, kind, reason } => on(
                job,
                *kind,
                LoopOp::Retire {
                    reason: reason.clone(),
                },
            ),
            LoopCmd::Continue { job, kind, reason } => on(
                job,
                *kind,
                LoopOp::Continue {
                    reason: reason.clone(),
                },
            ),
            LoopCmd::Show { .. } => return None,
        },
        Command::Metric(cmd) => match cmd {
            MetricCmd::Set(a) | MetricCmd::Replace(a) => on(
                &a.job,
                a.kind,
                LoopOp::SetMetric {
                    name: a.name.clone(),
                    unit: a.unit.clone(),
                    better: a.better,
                    measures: a.measures,
                    replace: matches!(cmd, MetricCmd::Replace(_)),
                    target: a.target,
                    reason: a.reason.clone(),
                },
            ),
            MetricCmd::Target {
                job,
                kind,
                target,
                reason,
                ..
            } => on(
                job,
                *kind,
                LoopOp::SetTarget {
                    target: *target,
                    reason: reason.clone(),
                },
            ),
        },
        Command::Plan(cmd) => match cmd {
            PlanCmd::Show { .. } => return None,
            PlanCmd::Horizon {
                job,
                kind,
                n,
                reason,
            } => on(
                job,
                *kind,
                LoopOp::SetHorizon {
                    horizon: *n,
                    reason: reason.clone(),
                },
            ),
        },
        Command::Baseline(a) | Command::Measure(a) => on(
            &a.job,
            a.kind,
            LoopOp::RecordValue {
                phase: if matches!(command, Command::Baseline(_)) {
                    Phase::Baseline
                } else {
                    Phase::Live
                },
                value: a.value.value,
                typed: Some(a.value.text.clone()),
                source: None,
                at: a.at.unwrap_or_else(today),
                note: a.note.clone(),
                reason: a.reason.clone(),
                guard: a.guard.clone(),
            },
        ),
        Command::Guard(cmd) => match cmd {
            GuardCmd::Add {
                job,
                kind,
                name,
                unit,
                better,
                max_worse,
                reason,
            } => on(
                job,
                *kind,
                LoopOp::AddGuardrail {
                    name: name.clone(),
                    unit: unit.clone(),
                    better: *better,
                    max_worse: *max_worse,
                    reason: reason.clone(),
                },
            ),
            GuardCmd::Remove {
                job,
                kind,
                name,
                reason,
            } => on(
                job,
                *kind,
                LoopOp::RemoveGuardrail {
                    name: name.clone(),
                    reason: reason.clone(),
                },
            ),
        },
        Command::Intervene {
            job,
            kind,
            description,
            at,
            horizon,
        } => on(
            job,
            *kind,
            LoopOp::Intervene {
                description: description.clone(),
                at: at.unwrap_or_else(today),
                horizon: *horizon,
            },
        ),
        Command::Void {
            job,
            kind,
            id,
            reason,
        } => on(
            job,
            *kind,
            LoopOp::Void {
                record: id.clone(),
                reason: reason.clone(),
            },
        ),
        Command::Kill(cmd) => match cmd {
            KillCmd::Add {
                job,
                kind,
                text,
                rule,
                reason,
            } => on(
                job,
                *kind,
                LoopOp::AddKillSignal {
                    text: text.clone(),
                    rule: rule.clone(),
                    reason: reason.clone(),
                },
            ),
            KillCmd::Trip {
                job,
                kind,
                n,
                reason,
                evidence,
            } => on(
                job,
                *kind,
                LoopOp::Trip {
                    n: *n,
                    reason: reason.clone(),
                    evidence: evidence.clone(),
                },
            ),
            KillCmd::Rearm {
                job,
                kind,
                n,
                reason,
            } => on(
                job,
                *kind,
                LoopOp::Rearm {
                    n: *n,
                    reason: reason.clone(),
                },
            ),
        },
        Command::Decide {
            job,
            kind,
            text,
            owner,
            threshold,
            approve,
            amend,
            step,
            at,
            witnessed,
        } => on(
            job,
            *kind,
            match (approve, amend) {
                (Some(id), _) => LoopOp::Approve {
                    decision: id.clone(),
                    witnessed: *witnessed,
                },
                (None, Some(id)) => LoopOp::Amend {
                    decision: id.clone(),
                    owner: owner.clone(),
                    threshold: threshold.clone(),
                },
                (None, None) => LoopOp::Decide {
                    text: text.clone().unwrap_or_default(),
                    owner: owner.clone().unwrap_or_default(),
                    threshold: threshold.clone(),
                    step: step.clone(),
                    about: *at,
                },
            },
        ),
        Command::Tool { job, name, at } => Intent::SelectTool {
            slug: job.clone(),
            name: name.clone(),
            at: at.unwrap_or_else(today),
        },
        Command::Learn {
            job,
            kind,
            text,
            kind_of,
            tag,
            capability,
            incident,
            at,
        } => on(
            job,
            *kind,
            LoopOp::Learn {
                text: text.clone(),
                kind: *kind_of,
                tag: tag.clone(),
                capability: *capability,
                incident: incident.clone(),
                about: *at,
            },
        ),
        Command::Proof(ProofCmd::Add {
            job,
            title,
            kind,
            visibility,
            link,
            at,
        }) => Intent::AddProof {
            slug: job.clone(),
            title: title.clone(),
            kind: *kind,
            visibility: *visibility,
            link: link.clone(),
            at: at.unwrap_or_else(today),
        },
        Command::Proof(ProofCmd::Outcome {
            job,
            id,
            replies,
            citations,
            intros,
            bookings,
            sales,
            reuse,
        }) => Intent::TrackProof {
            slug: job.clone(),
            proof: id.clone(),
            counts: ProofOutcome {
                replies: i64::from(*replies),
                citations: i64::from(*citations),
                intros: i64::from(*intros),
                bookings: i64::from(*bookings),
                sales: i64::from(*sales),
                reuse: i64::from(*reuse),
            },
        },
        Command::Proof(ProofCmd::Visibility {
            job,
            id,
            visibility,
            reason,
        }) => Intent::SetProofVisibility {
            slug: job.clone(),
            proof: id.clone(),
            visibility: *visibility,
            reason: reason.clone(),
        },
        Command::Cycle(CycleCmd::Close(a)) => Intent::CloseCycle {
            slug: a.job.clone(),
            week: a.week,
            answers: CompoundAnswers {
                understanding: a.understanding,
                explanation: a.explanation,
                creation: a.creation,
                distribution: a.distribution,
                understanding_note: a.understanding_note.clone(),
                explanation_note: a.explanation_note.clone(),
                creation_note: a.creation_note.clone(),
                distribution_note: a.distribution_note.clone(),
                note: a.note.clone(),
            },
        },
        Command::Flow(cmd) => {
            let redesign = |op| on(job_of(cmd), LoopKind::Redesign, op);
            match cmd {
                FlowCmd::Add {
                    name,
                    kind,
                    by,
                    role,
                    gate,
                    after,
                    data,
                    irreversible,
                    at,
                    ..
                } => redesign(LoopOp::FlowAdd {
                    name: name.clone(),
                    step: StepSpec {
                        kind: *kind,
                        by: *by,
                        role: *role,
                        gate: *gate,
                        after: after.clone(),
                        data: data.clone().map(|d| d.0).unwrap_or_default(),
                        irreversible: *irreversible,
                    },
                    at: at.unwrap_or_else(today),
                }),
                FlowCmd::Set {
                    step,
                    name,
                    kind,
                    by,
                    role,
                    gate,
                    after,
                    first,
                    data,
                    irreversible,
                    reversible,
                    ..
                } => redesign(LoopOp::FlowSet {
                    step: step.clone(),
                    edit: StepEdit {
                        name: name.clone(),
                        kind: *kind,
                        by: *by,
                        role: *role,
                        gate: *gate,
                        after: if *first {
                            Some(Vec::new())
                        } else {
                            (!after.is_empty()).then(|| after.clone())
                        },
                        data: data.clone().map(|d| d.0),
                        irreversible: match (irreversible, reversible) {
                            (true, _) => Some(true),
                            (_, true) => Some(false),
                            _ => None,
                        },
                    },
                }),
                FlowCmd::Void { step, reason, .. } => redesign(LoopOp::FlowVoid {
                    step: step.clone(),
                    reason: reason.clone(),
                }),
                FlowCmd::Drop { name, why, at, .. } => redesign(LoopOp::FlowDrop {
                    name: name.clone(),
                    why: why.clone(),
                    at: at.unwrap_or_else(today),
                }),
                FlowCmd::Govern {
                    job,
                    step,
                    owner,
                    approval,
                    critic,
                    critic_by,
                } => on(
                    job,
                    LoopKind::Govern,
                    LoopOp::FlowGovern {
                        step: step.clone(),
                        owner: owner.clone(),
                        approval: approval.clone(),
                        critic: critic
                            .clone()
                            .zip(*critic_by)
                            .map(|(name, by)| CriticSpec { name, by }),
                    },
                ),
                FlowCmd::List { .. } | FlowCmd::Export { .. } => return None,
            }
        }
        Command::Critic(CriticCmd::Result {
            job,
            step,
            critic,
            result,
            note,
        }) => on(
            job,
            LoopKind::Govern,
            LoopOp::CriticResult {
                step: step.clone(),
                critic: critic.clone(),
                result: *result,
                note: note.clone(),
            },
        ),
        Command::Incident(IncidentCmd::Add {
            job,
            what,
            step,
            severity,
            tag,
            detected_by,
            at,
        }) => on(
            job,
            LoopKind::Improve,
            LoopOp::IncidentAdd {
                what: what.clone(),
                step: step.clone(),
                severity: *severity,
                tag: tag.clone(),
                detected_by: *detected_by,
                at: at.unwrap_or_else(today),
            },
        ),
        _ => {
            let _ = ctx;
            return None;
        }
    })
}
