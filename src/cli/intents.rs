//! What each write command asks for: the one intent it maps to (no rules here; the domain
//! applies them).

use super::args::*;
use super::today;
use crate::domain::LoopKind;
use crate::domain::cycle::CompoundAnswers;
use crate::domain::flow::{CriticSpec, StepEdit, StepSpec};
use crate::domain::intent::{Intent, InterventionSpec, LoopOp};
use crate::domain::job::{CanvasEdit, JobEdit};
use crate::domain::model::{Phase, ProofCounts};

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

/// The intent a write command asks for; `None` for a command that is not one intent.
pub(super) fn intent_of(command: &Command) -> Option<Intent> {
    match command {
        Command::Job(cmd) => job_intent(cmd),
        Command::Loop(cmd) => loop_intent(cmd),
        Command::Metric(cmd) => Some(metric_intent(cmd)),
        Command::Plan(cmd) => plan_intent(cmd),
        Command::Baseline(a) => Some(value_intent(a, Phase::Baseline)),
        Command::Measure(a) => Some(value_intent(a, Phase::Live)),
        Command::Guard(cmd) => Some(guard_intent(cmd)),
        Command::Kill(cmd) => Some(kill_intent(cmd)),
        Command::Decide { .. } => decide_intent(command),
        Command::Intervene { .. }
        | Command::Void { .. }
        | Command::Tool { .. }
        | Command::Learn { .. } => record_intent(command),
        Command::Proof(cmd) => proof_intent(cmd),
        Command::Cycle(CycleCmd::Close(a)) => Some(cycle_intent(a)),
        Command::Flow(cmd) => flow_intent(cmd),
        Command::Critic(_) | Command::Incident(_) => govern_improve_intent(command),
        _ => None,
    }
}

/// An operation on one loop of a job.
fn on(job: &str, kind: LoopKind, op: LoopOp) -> Intent {
    Intent::OnLoop {
        slug: job.to_string(),
        kind,
        op,
    }
}

/// `job add`, `job edit`, `job lead`, `job archive`, `job unarchive`.
fn job_intent(cmd: &JobCmd) -> Option<Intent> {
    Some(match cmd {
        JobCmd::Add {
            title,
            slug,
            statement,
            owner,
            since,
        } => Intent::AddJob {
            title: title.clone(),
            slug: slug.clone(),
            statement: statement.clone(),
            owner: owner.clone(),
            since: *since,
        },
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
                was: None,
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
        JobCmd::List { .. } | JobCmd::Show { .. } => return None,
    })
}

/// A loop's owner, opening and closing, steps, notes, retirement.
fn loop_intent(cmd: &LoopCmd) -> Option<Intent> {
    Some(match cmd {
        LoopCmd::Owner { job, kind, name } => on(job, *kind, LoopOp::assign_owner(name.clone())),
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
        LoopCmd::Note { job, kind, text } => on(
            job,
            *kind,
            LoopOp::SetNotes {
                text: text.clone(),
                was: None,
            },
        ),
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
    })
}

/// `metric set`, `metric replace`, `metric target`.
fn metric_intent(cmd: &MetricCmd) -> Intent {
    match cmd {
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
                shown: None,
                target_was: None,
            },
        ),
        MetricCmd::Target {
            job,
            kind,
            target,
            reason,
            ..
        } => on(job, *kind, LoopOp::set_target(*target, reason.clone())),
    }
}

/// `plan horizon` (`plan show` only reads).
fn plan_intent(cmd: &PlanCmd) -> Option<Intent> {
    Some(match cmd {
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
    })
}

/// `baseline` and `measure`: one value of the given phase.
fn value_intent(a: &ValueArgs, phase: Phase) -> Intent {
    on(
        &a.job,
        a.kind,
        LoopOp::RecordValue {
            phase,
            value: a.value.value,
            typed: Some(a.value.text.clone()),
            source: None,
            at: a.at.unwrap_or_else(today),
            note: a.note.clone(),
            reason: a.reason.clone(),
            guard: a.guard.clone(),
            shown: None,
        },
    )
}

/// `guard add`, `guard remove`.
fn guard_intent(cmd: &GuardCmd) -> Intent {
    match cmd {
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
    }
}

/// `kill add`, `kill trip`, `kill rearm`.
fn kill_intent(cmd: &KillCmd) -> Intent {
    match cmd {
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
    }
}

/// What a loop records as it runs: interventions, voids, decisions, tools, learnings.
fn record_intent(command: &Command) -> Option<Intent> {
    Some(match command {
        Command::Intervene {
            job,
            kind,
            description,
            at,
            horizon,
        } => on(
            job,
            *kind,
            LoopOp::Intervene(InterventionSpec {
                description: description.clone(),
                at: at.unwrap_or_else(today),
                horizon: *horizon,
            }),
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
        Command::Tool {
            job,
            name,
            void: true,
            reason,
            ..
        } => Intent::VoidTool {
            slug: job.clone(),
            tool: name.clone(),
            reason: reason.clone().unwrap_or_default(),
        },
        Command::Tool { job, name, at, .. } => Intent::SelectTool {
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
        _ => return None,
    })
}

/// `proof add`, `proof outcome`, `proof visibility` (`proof list` only reads).
fn proof_intent(cmd: &ProofCmd) -> Option<Intent> {
    Some(match cmd {
        ProofCmd::Add {
            job,
            title,
            kind,
            visibility,
            link,
            at,
        } => Intent::AddProof {
            slug: job.clone(),
            title: title.clone(),
            kind: *kind,
            visibility: *visibility,
            link: link.clone(),
            at: at.unwrap_or_else(today),
        },
        ProofCmd::Outcome {
            job,
            id,
            replies,
            citations,
            intros,
            bookings,
            sales,
            reuse,
        } => Intent::TrackProof {
            slug: job.clone(),
            proof: id.clone(),
            counts: ProofCounts {
                replies: replies.map(i64::from),
                citations: citations.map(i64::from),
                intros: intros.map(i64::from),
                bookings: bookings.map(i64::from),
                sales: sales.map(i64::from),
                reuse: reuse.map(i64::from),
            },
            was: None,
        },
        ProofCmd::Visibility {
            job,
            id,
            visibility,
            reason,
        } => Intent::SetProofVisibility {
            slug: job.clone(),
            proof: id.clone(),
            visibility: *visibility,
            reason: reason.clone(),
        },
        ProofCmd::List { .. } => return None,
    })
}

/// `cycle close`: the weekly compound test.
fn cycle_intent(a: &CycleCloseArgs) -> Intent {
    Intent::CloseCycle {
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
    }
}

/// The redesigned workflow: the redesign loop's steps, and the govern loop's hold on each.
fn flow_intent(cmd: &FlowCmd) -> Option<Intent> {
    let redesign = |op| on(job_of(cmd), LoopKind::Redesign, op);
    Some(match cmd {
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
        FlowCmd::Set { .. } => return flow_set_intent(cmd),
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
    })
}

/// A critic's result (the govern loop) and an incident (the improve loop).
fn govern_improve_intent(command: &Command) -> Option<Intent> {
    Some(match command {
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
        _ => return None,
    })
}

/// `decide`: a new decision, an amendment (`--amend`) or a sign-off (`--approve`).
fn decide_intent(command: &Command) -> Option<Intent> {
    Some(match command {
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
        _ => return None,
    })
}

/// `flow set`: what changes in a step (only what was given).
fn flow_set_intent(cmd: &FlowCmd) -> Option<Intent> {
    let redesign = |op| on(job_of(cmd), LoopKind::Redesign, op);
    Some(match cmd {
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
        _ => return None,
    })
}
