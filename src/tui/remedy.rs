//! What to do about a refusal or after a command, in the TUI's words: the domain names the
//! intent (`Fix`), the TUI names the key.

use super::keymap::{Action, Keymap};
use crate::display::clean;
use crate::domain::LoopKind;
use crate::domain::detect::Cure;
use crate::domain::error::{Fix, Refusal, Remedy};
use crate::store::{Next, Place};

pub fn words(fix: &Fix, keys: &Keymap) -> String {
    let k = |a| keys.key_for(a);
    match fix {
        Fix::AddJob => format!("press {} to add one", k(Action::AddJob)),
        Fix::Backdate { week, .. } => format!(
            "press {} and give it a \"history since\" day in {week} or before",
            k(Action::EditJob)
        ),
        Fix::ChooseJob { nearest: Some(n) } => format!("did you mean `{}`?", clean(n)),
        Fix::ChooseJob { nearest: None } => "pick a job on the board".into(),
        Fix::Unarchive { .. } => format!(
            "bring it back first ({} lists the archived jobs)",
            k(Action::Archived)
        ),
        Fix::Reopen(_) => format!("press {} to reopen it", k(Action::Reopen)),
        Fix::SetMetric(_) => format!("press {} to set one", k(Action::Metric)),
        Fix::ReplaceMetric(_) => format!("press {} to replace it", k(Action::Metric)),
        Fix::RecordBaseline {
            before: Some(d), ..
        } => format!(
            "press {} to record a baseline dated before {d}, or {} to record a measurement",
            k(Action::Baseline),
            k(Action::Measure)
        ),
        Fix::RecordBaseline { before: None, .. } => {
            format!("press {} to record one", k(Action::Baseline))
        }
        Fix::RecordMeasurement(_) => format!("press {} to record one", k(Action::Measure)),
        Fix::BaselineNotLive { first, .. } => format!(
            "press {} to record it as a baseline, or give the day it was measured, on or after {first}",
            k(Action::Baseline)
        ),
        Fix::InterveneAfter { after, .. } => format!(
            "date the intervention on or after {after}, or void that baseline ({})",
            k(Action::Void)
        ),
        Fix::DecideAfterTrip(_) => format!(
            "press {} to retire or {} to continue",
            k(Action::Retire),
            k(Action::Continue)
        ),
        Fix::FinishSteps { .. } => format!(
            "press {} to mark them done, or answer y to close anyway",
            k(Action::Step)
        ),
        Fix::AddKillSignal(_) => format!("press {} to add one", k(Action::AddSignal)),
        Fix::Rearm { .. } => format!("press {} to re-arm it first", k(Action::Rearm)),
        Fix::ShowLoop(_) => format!("open the loop ({}) to see them", k(Action::Open)),
        Fix::ListProofs { .. } => format!("press {} to see the job's proof", k(Action::JobView)),
        Fix::ListTools { .. } => format!("press {} to see the job's tools", k(Action::JobView)),
        Fix::SignOffAs { owner, .. } => format!(
            "{} signs it off with {} on this loop",
            clean(owner),
            k(Action::SignOff)
        ),
        Fix::AskOwner { .. } => clean(&fix.plain()).into_owned(),
        Fix::Migrate => "the shared database needs an upgrade by whoever runs it".into(),
        Fix::GiveSlug => "type one in the slug field, e.g. support-triage".into(),
        Fix::WeighBreach(_) => format!(
            "Enter shows it; if the work should stop, {} adds a kill signal to trip",
            k(Action::AddSignal)
        ),
        Fix::LockPlan(_) => format!(
            "press {} to set the target; {} then starts the intervention with its horizon and locks the plan",
            k(Action::Target),
            k(Action::Intervene)
        ),
        Fix::GiveReason { locked } => format!(
            "say why in the reason field: the change is recorded as a deviation from the plan locked on {locked}"
        ),
    }
}

/// What answers a suggested kill signal: tripping it, or the record that removes its cause
/// (`kind`: the loop the keys act on).
pub fn suggestion(cure: Cure, slug: &str, kind: LoopKind, keys: &Keymap) -> String {
    let k = |a| keys.key_for(a);
    let trip = format!(
        "{} trips it (then {} retires or {} continues)",
        k(Action::TripSuggested),
        k(Action::Retire),
        k(Action::Continue)
    );
    let other = match cure {
        Cure::None => {
            return format!("{trip}; the record it points at is history, nothing else answers it");
        }
        Cure::Workaround => format!(
            "{} records the customer's current workaround on the job's canvas",
            k(Action::EditJob)
        ),
        Cure::HumanGate => format!(
            "{} adds a human step after the agent step ({} changes a step)",
            k(Action::FlowAdd),
            k(Action::FlowSet)
        ),
        Cure::OutcomeMetric => format!(
            "{} replaces the metric with one that measures an outcome",
            k(Action::Metric)
        ),
        Cure::BaselineBefore(at) if at == kind => format!(
            "{} records a baseline dated before the intervention",
            k(Action::Baseline)
        ),
        Cure::BaselineBefore(at) => format!(
            "{} on {}/{at} records a baseline dated before the intervention",
            k(Action::Baseline),
            clean(slug)
        ),
        Cure::Threshold => format!(
            "{} gives the decision an approval threshold, on the loop that recorded it",
            k(Action::Amend)
        ),
        Cure::Owner => format!("{} names the loop's owner", k(Action::Owner)),
        Cure::GovernStep => format!(
            "{} governs the step (owner, approval threshold, critic check)",
            k(Action::Govern)
        ),
        Cure::RecordChange => format!(
            "{} records the change made between them (a learning of kind change, dated between)",
            k(Action::Learn)
        ),
        Cure::TrackProof => format!(
            "{} tracks what the proof brought back",
            k(Action::TrackProof)
        ),
        Cure::WeighBreach => format!(
            "{} adds a kill signal of your own to trip",
            k(Action::AddSignal)
        ),
    };
    format!("{trip}; or {other}")
}

pub fn refusal(r: &Refusal, keys: &Keymap) -> String {
    match &r.remedy {
        None => r.message.clone(),
        Some(Remedy::Say(s)) => format!("{}: {s}", r.message),
        Some(Remedy::Do(fix)) => format!("{}: {}", r.message, words(fix, keys)),
    }
}

/// What helps after a store error, in the TUI's words: the checks and repairs are commands run
/// outside this screen (they need the database to themselves, or print a long report).
pub fn store_next(next: &Next) -> String {
    match next {
        Next::GiveFile => "start jobloop with the path of a database file".into(),
        Next::Init { db } => format!(
            "quit, and `jobloop --db {} init` makes a new database there",
            clean(db)
        ),
        Next::Verify => {
            "quit, and `jobloop verify` names every such record; restore a backup, or ask whoever edited it"
                .into()
        }
        Next::Doctor => "quit, and `jobloop doctor` says more".into(),
        Next::MoveLogAside { db } => format!(
            "quit, and `jobloop --db {} doctor --repair` moves the log aside (nothing is deleted)",
            clean(db)
        ),
        Next::RebuildStates => {
            "quit, and `jobloop doctor --repair` rebuilds them (records are not touched)".into()
        }
        Next::DropPlanted => {
            "quit, and `jobloop doctor --repair` drops them (records are not touched)".into()
        }
        Next::RestoreBackup => "restore the latest backup, or export what is readable".into(),
        Next::Utf8Database { encoding } => format!(
            "the shared database stores text as {encoding}: its owner creates a UTF-8 one and runs `jobloop migrate` in it"
        ),
        Next::CreateDatabase | Next::Migrate => {
            "whoever owns the shared database upgrades its schema (`jobloop migrate`)".into()
        }
        Next::Rename { place, role } => {
            let who = match place {
                Place::Lead { slug } => format!("the lead of {}", clean(slug)),
                Place::Owner { slug, kind } => format!("the owner of {}/{kind}", clean(slug)),
                Place::Decision { slug, kind, id } => format!(
                    "the owner of decision {} on {}/{kind}",
                    crate::domain::model::short_id(id),
                    clean(slug)
                ),
            };
            format!("the job's lead names {who} `{}`", clean(role))
        }
    }
}
