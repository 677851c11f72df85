//! What to do about a refusal or a flag, in the command line's words: the domain names the
//! intent (`Fix`), the CLI names the command.

use crate::display::clean;
use crate::domain::error::{At, Fix, Refusal, Remedy};
use crate::domain::model::short_id;
use crate::store::{self, Next, Place};

fn args(at: &At) -> String {
    format!("{} {}", at.slug, at.kind)
}

/// A name as one shell word, shown safely.
fn shell_word(s: &str) -> String {
    crate::domain::text::shell_word(&clean(s))
}

/// The command that carries out `fix`, as a short instruction.
// long: one arm per `Fix` variant, each its command in the CLI's words; split up, the
// exhaustive match (the compiler's check that every fix has words) would be lost.
pub(super) fn words(fix: &Fix) -> String {
    match fix {
        Fix::AddJob => "add one with `jobloop job add TITLE`".into(),
        Fix::Backdate { slug, week } => format!(
            "begin its history earlier with `jobloop job edit {} --since DATE` (a day in {week} or before)",
            clean(slug)
        ),
        Fix::ChooseJob { nearest: Some(n) } => {
            format!(
                "did you mean `{}`? (`jobloop job list` shows them all)",
                clean(n)
            )
        }
        Fix::ChooseJob { nearest: None } => "see the slugs with `jobloop job list`".into(),
        Fix::Unarchive { slug } => {
            format!("bring it back with `jobloop job unarchive {slug}` first")
        }
        Fix::Reopen(at) => format!("reopen it with `jobloop loop open {}`", args(at)),
        Fix::SetMetric(at) => format!(
            "set one with `jobloop metric set {} NAME --unit U --better higher|lower`",
            args(at)
        ),
        Fix::ReplaceMetric(at) => format!(
            "replace it with `jobloop metric replace {} NAME --unit U --better higher|lower`",
            args(at)
        ),
        Fix::RecordBaseline {
            at,
            before: Some(d),
        } => format!(
            "record a baseline dated before {d} with `jobloop baseline {} VALUE --at YYYY-MM-DD`, or record this value with `jobloop measure`",
            args(at)
        ),
        Fix::RecordBaseline { at, before: None } => {
            format!("record one with `jobloop baseline {} VALUE`", args(at))
        }
        Fix::BaselineNotLive { at, first } => format!(
            "record it as a baseline with `jobloop baseline {} VALUE --at YYYY-MM-DD`, or give the day it was measured, on or after {first}, with --at",
            args(at)
        ),
        Fix::RecordMeasurement(at) => {
            format!("record one with `jobloop measure {} VALUE`", args(at))
        }
        Fix::InterveneAfter { at, after } => format!(
            "date the intervention on or after {after} with --at, or void that baseline with `jobloop void {} ID --reason …`",
            args(at)
        ),
        Fix::DecideAfterTrip(at) => format!(
            "decide with `jobloop loop retire {} --reason …` or `jobloop loop continue {} --reason …`",
            args(at),
            args(at)
        ),
        Fix::FinishSteps { at, steps } => format!(
            "mark {} with `jobloop loop step {} N --done`, or close anyway with --force",
            if steps.len() == 1 { "it" } else { "them" },
            args(at)
        ),
        Fix::AddKillSignal(at) => format!("add one with `jobloop kill add {} TEXT`", args(at)),
        Fix::Rearm { at, n } => format!(
            "re-arm it with `jobloop kill rearm {} {n} --reason …` first",
            args(at)
        ),
        Fix::ShowLoop(at) => format!("see them with `jobloop loop show {}`", args(at)),
        Fix::ListProofs { slug } => format!("see the ids with `jobloop proof list {slug}`"),
        Fix::ListTools { slug } => {
            format!("see the tools' ids with `jobloop job show {slug} --json`")
        }
        Fix::SignOffAs {
            at,
            owner,
            decision,
            team: true,
        } => format!(
            "{} signs it off, logged in as themselves, with `jobloop decide {} --approve {}`",
            clean(owner),
            args(at),
            decision.as_deref().unwrap_or("ID")
        ),
        Fix::SignOffAs {
            at,
            owner,
            decision,
            team: false,
        } => format!(
            "{} signs it off with `jobloop --as {} decide {} --approve {}`, or you record the sign-off they gave you in person with `jobloop decide {} --approve {} --witnessed`",
            clean(owner),
            shell_word(owner),
            args(at),
            decision.as_deref().unwrap_or("ID"),
            args(at),
            decision.as_deref().unwrap_or("ID")
        ),
        Fix::AskOwner { .. } => clean(&fix.plain()).into_owned(),
        Fix::Migrate => "upgrade it with `jobloop migrate`".into(),
        Fix::GiveSlug => "give one with --slug, e.g. --slug support-triage".into(),
        Fix::WeighBreach(at) => format!(
            "see it with `jobloop plan show {0}`; if the work should stop, add a kill signal with `jobloop kill add {0} TEXT` and trip it",
            args(at)
        ),
        Fix::LockPlan(at) => format!(
            "lock the plan: set the change to look for with `jobloop metric target {0} -- -20%`, then start the intervention with `jobloop intervene {0} \"what changes\" --horizon N`",
            args(at)
        ),
        Fix::GiveReason { locked } => format!(
            "say why with --reason TEXT: the change is recorded as a deviation from the plan locked on {locked}, and the verdict stays that plan's"
        ),
    }
}

/// A refusal as one line for the command line.
pub(super) fn refusal(r: &Refusal) -> String {
    match &r.remedy {
        None => r.message.clone(),
        Some(Remedy::Say(s)) => format!("{}: {s}", r.message),
        Some(Remedy::Do(fix)) => format!("{}: {}", r.message, words(fix)),
    }
}

/// A store error as one line for the command line: what happened, then the command that helps.
pub(super) fn store_error(e: &store::Error) -> String {
    match (e.bare(), e.next()) {
        (store::Error::Refused(r), _) => refusal(r),
        (bare, Some(next)) => format!("{bare}: {}", next_words(std::slice::from_ref(next))),
        (bare, None) => bare.to_string(),
    }
}

/// The commands that carry out `next`, in order, as one instruction.
pub(super) fn next_words(next: &[Next]) -> String {
    let renames: Vec<String> = next
        .iter()
        .filter_map(|n| match n {
            Next::Rename { place, role } => Some(rename(place, role)),
            _ => None,
        })
        .collect();
    let mut said: Vec<String> = next
        .iter()
        .filter_map(|n| {
            Some(match n {
                Next::GiveFile => "give the path of a database file with --db".into(),
                Next::Init { db } => format!(
                    "`jobloop --db {} init` makes a new database there",
                    path_word(db)
                ),
                Next::Verify => {
                    "`jobloop verify` names every such record: restore a backup, or ask whoever edited it"
                        .into()
                }
                Next::Doctor => "`jobloop doctor` says more".into(),
                Next::MoveLogAside { db } => format!(
                    "`jobloop --db {} doctor --repair` moves the log aside (nothing is deleted)",
                    path_word(db)
                ),
                Next::RebuildStates => {
                    "`jobloop doctor --repair` rebuilds them (records are not touched)".into()
                }
                Next::DropPlanted => {
                    "`jobloop doctor --repair` drops them (records are not touched)".into()
                }
                Next::RestoreBackup => {
                    "restore the latest backup (`jobloop backup` makes one) or export what is readable"
                        .into()
                }
                Next::CreateDatabase => {
                    "create the database on the server, then run `jobloop --db URL migrate` (as the database's owner)"
                        .into()
                }
                Next::Migrate => {
                    "run `jobloop --db URL migrate` (as the database's owner)".into()
                }
                Next::Utf8Database { encoding } => format!(
                    "it stores text as {encoding}: create a UTF-8 one with `createdb -E UTF8 -T template0 NAME`, then run `jobloop --db URL migrate` in it"
                ),
                Next::Rename { .. } => return None,
            })
        })
        .collect();
    if !renames.is_empty() {
        let them = if renames.len() == 1 { "it" } else { "them" };
        said.push(format!(
            "the job's lead re-names {them} with {}",
            renames.join("; ")
        ));
    }
    said.join("; ")
}

/// A path as one shell word: quoted only when the shell would split or expand it.
fn path_word(p: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.@+/".contains(c);
    if !p.is_empty() && p.chars().all(plain) {
        p.to_string()
    } else {
        shell_word(p)
    }
}

/// The command that names `role` at `place`.
fn rename(place: &Place, role: &str) -> String {
    let role = shell_word(role);
    match place {
        Place::Lead { slug } => format!("`jobloop job lead {} {role}`", shell_word(slug)),
        Place::Owner { slug, kind } => {
            format!("`jobloop loop owner {} {kind} {role}`", shell_word(slug))
        }
        Place::Decision { slug, kind, id } => format!(
            "`jobloop decide {} {kind} --amend {} --owner {role}`",
            shell_word(slug),
            short_id(id)
        ),
    }
}
