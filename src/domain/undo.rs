//! Undo: the lead's own last command is taken back by a compensating record — a void, a re-arm,
//! a reopening, the previous owner or text again — never by erasing history. Some commands have no
//! honest inverse (a sign-off, a replaced metric, a closed cycle); undo says so and what to do.

use serde_json::Value as Json;

use super::command::Command;
use super::error::Refusal;
use super::flow::StepEdit;
use super::intent::{Intent, LoopOp};
use super::job::{CanvasEdit, JobEdit};
use super::loop_record::LoopRecord;
use super::model::{AuditEvent, FlowStep, FlowStepId, Job, Visibility};

/// The reason recorded on a compensating record.
pub const REASON: &str = "undone by its author";

/// The job fields a `job edit` event's side (before or after) names, as an edit that sets
/// them: the fields it does not name stay as they are, the start included.
fn job_edit_of(side: &Json) -> JobEdit {
    let field = |k: &str| side[k].as_str().map(str::to_string);
    JobEdit {
        title: field("title"),
        statement: field("statement"),
        canvas: CanvasEdit {
            performer: field("performer"),
            circumstance: field("circumstance"),
            workaround: field("workaround"),
            functional_job: field("functional_job"),
            emotional_job: field("emotional_job"),
            social_job: field("social_job"),
            competing_solutions: field("competing_solutions"),
            hiring_criteria: field("hiring_criteria"),
        },
        // A start the event names (none: the day the job was recorded).
        since: side
            .get("since")
            .map(|d| d.as_str().and_then(crate::domain::time::parse_typed_day)),
        was: None,
    }
}

/// Whether what a command wrote can be built on from another loop of the job: the workflow's
/// records refer to each other across loops (a step governed in the govern loop, an incident at
/// it in the improve loop), so an undo of one looks at every loop of the job, not its own only.
pub fn reaches_whole_job(command: &str) -> bool {
    matches!(
        Command::parse(command),
        Some(
            Command::FlowAdd
                | Command::FlowSet
                | Command::FlowDrop
                | Command::FlowGovern
                | Command::CriticResult
                | Command::IncidentAdd
        )
    )
}

/// Why an undo is refused once someone acted on the same loop (or job) after the command: a
/// compensation written now would take back, or contradict, what they did too (a note they
/// wrote, a decision they signed, a step they made follow the added one, a loop they retired).
pub fn built_on(later: &AuditEvent, place: &str) -> Refusal {
    Refusal::conflict(format!(
        "{} acted on {place} after your command (`{}`: {}): undo would take that back too, so nothing was undone; correct your command with a new one",
        later.actor,
        later.command,
        later.summary.replace('\n', " ")
    ))
}

/// The intent that takes back `event` (the actor's last command) on `job` (and, for a loop
/// command, its loop as it is now). `earlier` holds the job's events before it, newest first,
/// when [`needs_history`] says the compensation must know what a record was before. A refusal
/// says why it cannot be undone.
// long: one arm per audit command, matched without a catch-all so that a new command does not
// compile until it says how it is taken back; the arms share the closures above.
pub fn compensation(
    event: &AuditEvent,
    job: &Job,
    record: Option<&LoopRecord>,
    earlier: &[AuditEvent],
) -> Result<Intent, Refusal> {
    let cannot = |what: &str, instead: &str| {
        Err(Refusal::rule(format!("{what} cannot be undone")).advice(instead.to_string()))
    };
    let slug = job.slug.clone();
    let on = |op: LoopOp| -> Result<Intent, Refusal> {
        let r = record.ok_or_else(|| Refusal::rule("the loop of that command is gone"))?;
        Ok(Intent::OnLoop {
            slug: slug.clone(),
            kind: r.lp.kind,
            op,
        })
    };
    let added_id = || {
        event.after["added"]["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| Refusal::rule("the event does not name the record it added"))
    };
    // What the command set a field to: an undo writes back over that and nothing else, so it
    // is refused when someone changed the field since (their change would vanish unseen).
    let after_text = |k: &str| event.after[k].as_str().map(str::to_string);
    // The index of the first changed entry of a list in the event's diff.
    let changed_index = |list: &str| -> Option<usize> {
        event.after[list]
            .as_object()
            .and_then(|m| m.keys().next())
            .and_then(|k| k.parse().ok())
    };
    let Some(command) = Command::parse(&event.command) else {
        return cannot(
            &format!("`{}`", event.command),
            "correct it with a new command",
        );
    };
    match command {
        Command::Baseline
        | Command::Measure
        | Command::Intervene
        | Command::Decide
        | Command::DecideAmend
        | Command::Learn
        | Command::FlowAdd
        | Command::FlowDrop
        | Command::FlowGovern
        | Command::CriticResult
        | Command::IncidentAdd => on(LoopOp::Void {
            record: added_id()?,
            reason: REASON.into(),
        }),
        Command::KillTrip => {
            let r = record.ok_or_else(|| Refusal::rule("the loop is gone"))?;
            let n = changed_index("kill_signals")
                .and_then(|i| r.kill_signals.get(i))
                .map(|k| k.n)
                .ok_or_else(|| Refusal::rule("the event does not name the signal it tripped"))?;
            on(LoopOp::Rearm {
                n,
                reason: REASON.into(),
            })
        }
        Command::LoopRetire | Command::LoopClose => on(LoopOp::Open),
        Command::LoopOwner => match event.before["owner"].as_str() {
            Some(previous) => on(LoopOp::AssignOwner {
                name: previous.to_string(),
                was: after_text("owner"),
            }),
            None => cannot(
                "naming the loop's first owner",
                "name another owner instead",
            ),
        },
        Command::LoopStep => {
            let r = record.ok_or_else(|| Refusal::rule("the loop is gone"))?;
            let i = changed_index("steps");
            let n = i
                .and_then(|i| r.steps.get(i))
                .map(|s| s.n)
                .ok_or_else(|| Refusal::rule("the event does not name its step"))?;
            // A step that was done before the command (its evidence restated) gets its earlier
            // evidence back, never unticked.
            let before = i.map(|i| &event.before["steps"][i.to_string()]);
            match before.filter(|b| !b["done_at"].is_null()) {
                None => on(LoopOp::UndoStep { n }),
                Some(b) => match b["evidence"].as_str() {
                    Some(e) => on(LoopOp::MarkStep {
                        n,
                        evidence: Some(e.to_string()),
                    }),
                    None => cannot(
                        "evidence added to a step already done",
                        "tick it again with the evidence you want",
                    ),
                },
            }
        }
        Command::LoopStepUndo => {
            let r = record.ok_or_else(|| Refusal::rule("the loop is gone"))?;
            let i = changed_index("steps")
                .ok_or_else(|| Refusal::rule("the event does not name its step"))?;
            let n = r
                .steps
                .get(i)
                .map(|s| s.n)
                .ok_or_else(|| Refusal::rule("the step is gone"))?;
            let evidence = event.before["steps"][i.to_string()]["evidence"]
                .as_str()
                .map(str::to_string);
            on(LoopOp::MarkStep { n, evidence })
        }
        Command::LoopNote => on(LoopOp::SetNotes {
            text: event.before["notes"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            was: after_text("notes"),
        }),
        Command::MetricTarget => {
            let previous = event.before["metric"]["target"]
                .as_str()
                .and_then(|t| super::stats::Target::parse(t).ok());
            on(LoopOp::SetTarget {
                target: previous,
                reason: Some(REASON.into()),
                // What the command set (empty: it cleared it).
                was: event.after["metric"]
                    .get("target")
                    .map(|t| t.as_str().unwrap_or_default().to_string()),
            })
        }
        Command::JobEdit => {
            let before = job_edit_of(&event.before);
            Ok(Intent::EditJob {
                slug,
                edit: JobEdit {
                    // An undo writes back only over what its command wrote.
                    was: Some(Box::new(job_edit_of(&event.after))),
                    ..before
                },
            })
        }
        Command::JobArchive => Ok(Intent::ArchiveJob {
            slug,
            archived: false,
        }),
        Command::JobUnarchive => Ok(Intent::ArchiveJob {
            slug,
            archived: true,
        }),
        Command::JobLead => match event.before["lead"].as_str() {
            Some(previous) => Ok(Intent::SetLead {
                slug,
                lead: previous.to_string(),
            }),
            None => cannot("naming the job's first lead", "name another lead instead"),
        },
        Command::Void => {
            let (what, instead) = voided(event);
            cannot(&format!("a void of {what}"), instead)
        }
        Command::DecideApprove | Command::DecideWitness => cannot(
            "a sign-off",
            "amend the decision: the new version waits for a new sign-off",
        ),
        Command::MetricSet | Command::MetricReplace => cannot(
            "setting a primary metric",
            "replace it with the metric you want",
        ),
        Command::LoopContinue => cannot(
            "a decision to continue",
            "trip a kill signal again if the work should stop",
        ),
        Command::KillAdd => cannot(
            "adding a kill signal",
            "leave it armed; it trips only when you say",
        ),
        Command::KillRearm => cannot("re-arming a kill signal", "trip it again with its reason"),
        Command::LoopOpen => cannot("opening a loop", "close or retire it"),
        Command::LoopStepAdd => cannot(
            "adding a checklist step",
            "mark it done when it no longer applies",
        ),
        Command::CycleClose => cannot(
            "closing a cycle",
            "the compound test is answered once per week; note the correction in next week's",
        ),
        Command::JobAdd => cannot("adding a job", "archive it"),
        // An undo is not undone in turn: a withdrawn proof must never go public again by a
        // second `undo`; making it public is a deliberate `proof visibility`.
        Command::ProofVisibility if event.summary.ends_with(REASON) => {
            cannot("an undo", "change the visibility again, with its reason")
        }
        Command::ProofVisibility => {
            let id = event.after["updated"]["proofs"][0]["id"].as_str();
            let was = event.before["visibility"]
                .as_str()
                .and_then(Visibility::from_text);
            match (id, was) {
                (Some(id), Some(visibility)) => Ok(Intent::SetProofVisibility {
                    slug,
                    proof: id.to_string(),
                    visibility,
                    reason: REASON.into(),
                }),
                _ => Err(Refusal::rule(
                    "the event does not name the proof it changed",
                )),
            }
        }
        Command::Tool => match event.after["id"].as_str() {
            Some(id) => Ok(Intent::VoidTool {
                slug,
                tool: id.to_string(),
                reason: REASON.into(),
            }),
            None => Err(Refusal::rule(
                "the event does not name the tool it recorded",
            )),
        },
        Command::ToolVoid => cannot("a void of a tool", "record the tool again, with its date"),
        Command::ProofAdd => cannot(
            "adding a proof artifact",
            "make it private, with a reason, if it should not be shown",
        ),
        Command::ProofOutcome => cannot(
            "tracking a proof's outcome",
            "track it again with the right counts: the latest count replaces it",
        ),
        Command::GuardAdd | Command::GuardRemove => cannot(
            "adding or removing a guardrail",
            "add or remove it again (with a reason once the plan is locked)",
        ),
        Command::PlanHorizon => cannot(
            "changing a plan's horizon",
            "change it again, with its reason: each change is a deviation kept in the plan",
        ),
        Command::FlowSet => {
            let now: FlowStep = event.after["updated"]["flow_steps"]
                .get(0)
                .and_then(|row| serde_json::from_value(row.clone()).ok())
                .ok_or_else(|| Refusal::rule("the event does not name the step it changed"))?;
            let Some(was) = step_before(earlier, &now.id) else {
                return cannot(
                    &format!("changing step `{}`", now.name),
                    "its earlier values are not in the log: change it again with `flow set`",
                );
            };
            on(LoopOp::FlowSet {
                step: now.id.to_string(),
                edit: restoring(&was, record.map(|r| &r.flow.steps))?,
            })
        }
        Command::FlowVoid => cannot(
            "removing a flow step (a void kept in its history)",
            "add the step to the flow again",
        ),
        Command::IncidentFix => cannot(
            "recording a fix",
            "record a new incident if it happens again; the fix stays in its history",
        ),
        Command::Migrate => cannot(
            "an upgrade of the schema",
            "restore the copy written before it",
        ),
    }
}

/// The intent that takes back a command that wrote many events at one instant (the week form,
/// `values import`): every value it recorded voided, in one transaction. `events` are the
/// command's, each with its job. A command that did more than record values cannot be taken
/// back whole, and undo never takes back part of one.
pub fn compensation_of_many(events: &[(AuditEvent, Job)]) -> Result<Intent, Refusal> {
    let n = events.len();
    if events
        .iter()
        .all(|(e, _)| Command::parse(&e.command) == Some(Command::Void))
    {
        return Err(Refusal::rule(format!(
            "your last command voided {n} values at once (an undo), and a void cannot be undone"
        ))
        .advice("record the values again".to_string()));
    }
    let mut values = Vec::new();
    for (event, job) in events {
        let value = matches!(
            Command::parse(&event.command),
            Some(Command::Baseline | Command::Measure)
        );
        let id = event.after["added"]["id"].as_str();
        let (true, Some(kind), Some(id)) = (value, event.loop_kind, id) else {
            return Err(Refusal::rule(format!(
                "your last command wrote {n} records at once, not all of them values: undo takes back a single command whole, never part of one"
            ))
            .advice("void the records you do not want, each with its reason".to_string()));
        };
        values.push((job.slug.clone(), kind, id.to_string()));
    }
    Ok(Intent::VoidValues {
        values,
        reason: REASON.into(),
    })
}

/// What a `void` event voided, by the table it changed, and how to put it back: a void is kept
/// in the history, so the record is recorded again rather than un-voided.
fn voided(event: &AuditEvent) -> (&'static str, &'static str) {
    let updated = &event.after["updated"];
    let table = [
        "values",
        "interventions",
        "decisions",
        "learnings",
        "flow_steps",
        "flow_drops",
        "governance",
        "critic_results",
        "incidents",
    ]
    .into_iter()
    .find(|t| !updated[*t].is_null());
    match table {
        Some("values") => (
            "a value",
            "record the value again as a baseline or a measurement",
        ),
        Some("interventions") => ("an intervention", "start it again"),
        Some("decisions") => ("a decision", "record it again"),
        Some("learnings") => ("a learning", "record it again"),
        Some("flow_steps") => ("a flow step", "add the step to the flow again"),
        Some("flow_drops") => ("removed work", "record it again"),
        Some("governance") => ("a governance act", "record it again"),
        Some("critic_results") => ("a critic result", "record it again"),
        Some("incidents") => ("an incident", "record it again"),
        _ => ("a record", "record it again with the command that made it"),
    }
}

/// Whether the compensation of `event` needs the job's earlier events (what a record was before
/// it changed), so a store reads them only then.
pub fn needs_history(event: &AuditEvent) -> bool {
    Command::parse(&event.command) == Some(Command::FlowSet)
}

/// The step `id` as the newest event before the change left it (added or changed).
fn step_before(earlier: &[AuditEvent], id: &FlowStepId) -> Option<FlowStep> {
    earlier.iter().find_map(|e| {
        let added = std::iter::once(&e.after["added"]);
        let updated = e.after["updated"]["flow_steps"]
            .as_array()
            .into_iter()
            .flatten();
        added
            .chain(updated)
            .filter(|row| row["id"].as_str() == Some(id.as_str()))
            .find_map(|row| serde_json::from_value::<FlowStep>(row.clone()).ok())
    })
}

/// The edit that puts a step back as `was`: every field, its predecessors by id. A step cannot
/// be put back onto predecessors that were removed since; the refusal says which.
fn restoring(was: &FlowStep, steps: Option<&Vec<FlowStep>>) -> Result<StepEdit, Refusal> {
    // A role or gate goes only with a change of performer: one the step gained while its
    // performer stayed cannot be taken away by an edit.
    let now = steps.and_then(|all| all.iter().find(|s| s.id == was.id));
    if let Some(now) = now
        && now.by == was.by
        && ((was.role.is_none() && now.role.is_some())
            || (was.gate.is_none() && now.gate.is_some()))
    {
        return Err(Refusal::rule(format!(
            "changing step `{}` cannot be undone: the {} it was given cannot be taken away by an edit",
            was.name,
            if now.role.is_some() { "role" } else { "gate" }
        ))
        .advice("record the step's change again with `flow set`"));
    }
    if let Some(gone) = steps.and_then(|all| {
        was.after
            .iter()
            .find_map(|id| all.iter().find(|s| &s.id == id && s.void.is_some()))
    }) {
        return Err(Refusal::rule(format!(
            "changing step `{}` cannot be undone: it followed `{}`, which was removed since",
            was.name, gone.name
        ))
        .advice("change the step with `flow set` to what it should follow now"));
    }
    Ok(StepEdit {
        name: Some(was.name.clone()),
        kind: Some(was.kind),
        by: Some(was.by),
        role: was.role,
        gate: was.gate,
        // Its predecessors by their whole ids: references a step resolves exactly.
        after: Some(was.after.iter().map(ToString::to_string).collect()),
        data: Some(was.data.clone()),
        irreversible: Some(was.irreversible),
    })
}

/// Whether an event changed a loop (so undo needs that loop's record).
pub fn on_loop(event: &AuditEvent) -> bool {
    event.loop_kind.is_some() && !matches!(event.after, Json::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::audit::{Change, next_event};
    use crate::domain::job::NewJob;
    use crate::domain::model::*;
    use crate::domain::time::{Stamp, When};

    fn ctx() -> Ctx {
        Ctx::local("ana", Stamp::parse("2026-11-20T12:00:00Z").unwrap())
    }

    /// Applies `op` and returns the event it would write, and the record after.
    fn run(r: &mut LoopRecord, op: LoopOp) -> AuditEvent {
        let before = r.audit_state();
        let out = r.apply(&op, &ctx()).unwrap();
        next_event(
            None,
            &ctx(),
            Change {
                command: out.command,
                job_id: Some(&r.job.id),
                loop_kind: Some(r.lp.kind),
                summary: &out.summary,
                before,
                after: r.audit_after(&out),
            },
        )
    }

    fn instrument() -> LoopRecord {
        let nj = NewJob::create("T", None, None, None, &ctx()).unwrap();
        let mut r = nj.loops[2].clone();
        r.apply(&LoopOp::metric("m", "", Better::Lower), &ctx())
            .unwrap();
        r
    }

    #[test]
    fn a_value_is_undone_by_voiding_it() {
        let mut r = instrument();
        let e = run(
            &mut r,
            LoopOp::value(
                Phase::Baseline,
                4.0,
                When::Day(chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()),
            ),
        );
        let job = r.job.clone();
        let Intent::OnLoop { op, .. } = compensation(&e, &job, Some(&r), &[]).unwrap() else {
            panic!()
        };
        let LoopOp::Void { record, .. } = &op else {
            panic!("{op:?}")
        };
        assert_eq!(record, &r.values[0].id);
        r.apply(&op, &ctx()).unwrap();
        assert_eq!(r.baselines().count(), 0);
    }

    #[test]
    fn a_trip_is_undone_by_rearming_and_a_step_by_undoing_it() {
        let mut r = instrument();
        let e = run(&mut r, LoopOp::trip("oops"));
        let job = r.job.clone();
        let Intent::OnLoop { op, .. } = compensation(&e, &job, Some(&r), &[]).unwrap() else {
            panic!()
        };
        assert!(matches!(op, LoopOp::Rearm { n: 1, .. }), "{op:?}");
        let e = run(
            &mut r,
            LoopOp::MarkStep {
                n: 3,
                evidence: None,
            },
        );
        let Intent::OnLoop { op, .. } = compensation(&e, &job, Some(&r), &[]).unwrap() else {
            panic!()
        };
        assert_eq!(op, LoopOp::UndoStep { n: 3 });
    }

    #[test]
    fn a_sign_off_cannot_be_undone_and_says_what_to_do() {
        let mut e = next_event(
            None,
            &ctx(),
            Change {
                command: Command::DecideApprove,
                job_id: Some(&crate::domain::id::Id::from_text("j")),
                loop_kind: Some(crate::domain::LoopKind::Govern),
                summary: "s",
                before: Json::Null,
                after: Json::Null,
            },
        );
        e.after = serde_json::json!({});
        let job = instrument().job;
        let err = compensation(&e, &job, None, &[]).unwrap_err();
        assert!(err.to_string().contains("amend"), "{err}");
    }
}
