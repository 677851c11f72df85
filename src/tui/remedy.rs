//! What to do about a refusal or after a command, in the TUI's words: the domain names the
//! intent (`Fix`), the TUI names the key.

use super::keymap::{Action, Keymap};
use crate::display::clean;
use crate::domain::error::{Fix, Refusal, Remedy};

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
        Fix::Unarchive { .. } => "it is archived: bring it back first".into(),
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

pub fn refusal(r: &Refusal, keys: &Keymap) -> String {
    match &r.remedy {
        None => r.message.clone(),
        Some(Remedy::Say(s)) => format!("{}: {s}", r.message),
        Some(Remedy::Do(fix)) => format!("{}: {}", r.message, words(fix, keys)),
    }
}
