//! Hooks: programs the config file names, run after a committed write with what it did (a
//! `domain::hook::Happening`) as one JSON object on standard input. They run beside each other,
//! each in a process group of its own, for at most the configured time: one still running then
//! is killed with its children. A hook's failure is a message for the front end to show; it never
//! undoes or fails the write, which was committed before any hook started.

mod spawn;

use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::domain::hook::{Event, Happening};

pub use spawn::{Launch, run_all};

/// How long hooks may run after a command when the config file does not say.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest time the config file may give: a command must come back.
const MAX_TIMEOUT_SECONDS: f64 = 600.0;

/// One program and the events that run it.
#[derive(Clone, Debug, PartialEq)]
pub struct Hook {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// `None`: every event (`*`).
    pub events: Option<BTreeSet<Event>>,
}

impl Hook {
    pub fn listens(&self, e: Event) -> bool {
        self.events.as_ref().is_none_or(|set| set.contains(&e))
    }
}

/// The hooks of the config file, with their time limit.
#[derive(Clone, Debug, PartialEq)]
pub struct Hooks {
    pub hooks: Vec<Hook>,
    pub timeout: Duration,
}

impl Default for Hooks {
    fn default() -> Hooks {
        Hooks {
            hooks: Vec::new(),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// Where a config problem is: the file and the key, for a one-line message.
fn at(file: &str, key: &str, problem: impl std::fmt::Display) -> String {
    format!("{file}: {key}: {problem}")
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn event_words() -> String {
    let names: Vec<&str> = Event::ALL.iter().map(|e| e.name()).collect();
    format!("{} or \"*\" (every event)", names.join(", "))
}

impl Hooks {
    /// Reads the `[hooks]` table of a parsed config file (`file` names it in messages). Every
    /// key is checked: an unknown one, an unknown event or a missing program is an error that
    /// names the file and the key.
    pub fn from_table(table: Option<&toml::Value>, file: &str) -> Result<Hooks, String> {
        let mut hooks = Hooks::default();
        let Some(table) = table else {
            return Ok(hooks);
        };
        let Some(table) = table.as_table() else {
            return Err(at(file, "hooks", "must be a table ([hooks])"));
        };
        for (key, value) in table {
            match key.as_str() {
                "timeout_seconds" => {
                    let secs = value
                        .as_float()
                        .or_else(|| value.as_integer().map(|i| i as f64))
                        .filter(|s| *s > 0.0 && *s <= MAX_TIMEOUT_SECONDS)
                        .ok_or_else(|| {
                            at(
                                file,
                                "hooks.timeout_seconds",
                                format!(
                                    "`{value}` is not a number of seconds from more than 0 to {MAX_TIMEOUT_SECONDS}"
                                ),
                            )
                        })?;
                    hooks.timeout = Duration::from_secs_f64(secs);
                }
                "run" => {
                    let list = value.as_array().ok_or_else(|| {
                        at(file, "hooks.run", "must be a list of [[hooks.run]] tables")
                    })?;
                    for (i, entry) in list.iter().enumerate() {
                        hooks.hooks.push(hook(entry, file, i + 1)?);
                    }
                }
                other => {
                    return Err(at(
                        file,
                        &format!("hooks.{other}"),
                        "unknown key (use timeout_seconds and [[hooks.run]])",
                    ));
                }
            }
        }
        Ok(hooks)
    }

    /// The hooks of the config file's text; `file` names it in messages.
    pub fn from_text(text: &str, file: &str) -> Result<Hooks, String> {
        let value: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text.get(..s.start).unwrap_or("").matches('\n').count() + 1);
            let place = line.map_or(String::new(), |l| format!(" line {l}"));
            format!("{file}{place}: {}", e.message().trim_end_matches('\n'))
        })?;
        Hooks::from_table(value.get("hooks"), file)
    }

    /// The hooks of the config file (none when there is no file). A file that cannot be read or
    /// whose hooks are wrong is an error: a write must not go on as if nobody listened.
    pub fn load() -> Result<Hooks, String> {
        let Some(path) = crate::paths::config_dir().map(|d| d.join("config.toml")) else {
            return Ok(Hooks::default());
        };
        Hooks::load_from(&path)
    }

    pub fn load_from(path: &Path) -> Result<Hooks, String> {
        let shown = crate::display::clean(&path.display().to_string()).into_owned();
        match std::fs::read_to_string(path) {
            Ok(text) => Hooks::from_text(&text, &shown),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Hooks::default()),
            Err(e) => Err(format!(
                "cannot read {shown}: {}",
                crate::files::io_words(&e)
            )),
        }
    }

    /// Whether any hook listens to any of `happened`: when none does, nothing is prepared.
    fn wanted(&self, happened: &[Happening]) -> bool {
        happened
            .iter()
            .any(|h| self.hooks.iter().any(|k| k.listens(h.event)))
    }

    /// One launch per hook listening to each happening, with its input (`review` gives the
    /// review line of a happening's loop or job; `database` names the store).
    fn launches(
        &self,
        happened: &[Happening],
        review: &mut dyn FnMut(&Happening) -> Option<String>,
        database: &str,
    ) -> Vec<Launch> {
        let mut out = Vec::new();
        for h in happened {
            let listeners: Vec<&Hook> = self.hooks.iter().filter(|k| k.listens(h.event)).collect();
            if listeners.is_empty() {
                continue;
            }
            let input = payload(h, review(h).as_deref(), database);
            for k in listeners {
                out.push(Launch {
                    program: k.program.clone(),
                    args: k.args.clone(),
                    event: h.event,
                    input: input.clone(),
                });
            }
        }
        out
    }
}

fn hook(entry: &toml::Value, file: &str, n: usize) -> Result<Hook, String> {
    let whose = |key: &str| format!("{key} of the {} [[hooks.run]]", ordinal(n));
    let table = entry.as_table().ok_or_else(|| {
        at(
            file,
            &format!("the {} hooks.run", ordinal(n)),
            "must be a table",
        )
    })?;
    let mut program = None;
    let mut args = Vec::new();
    let mut events: Option<Option<BTreeSet<Event>>> = None;
    for (key, value) in table {
        match key.as_str() {
            "program" => {
                let p = value
                    .as_str()
                    .filter(|p| !p.trim().is_empty())
                    .ok_or_else(|| {
                        at(file, &whose("program"), "must be the path of an executable")
                    })?;
                program = Some(PathBuf::from(p));
            }
            "args" => {
                args = value
                    .as_array()
                    .and_then(|a| {
                        a.iter()
                            .map(|v| v.as_str().map(str::to_string))
                            .collect::<Option<Vec<_>>>()
                    })
                    .ok_or_else(|| at(file, &whose("args"), "must be a list of strings"))?;
            }
            "events" => events = Some(events_of(value, file, &whose("events"))?),
            other => {
                return Err(at(
                    file,
                    &whose(other),
                    "unknown key (use program, args and events)",
                ));
            }
        }
    }
    let program = program.ok_or_else(|| {
        at(
            file,
            &whose("program"),
            "missing: name the executable to run",
        )
    })?;
    let events = events.ok_or_else(|| {
        at(
            file,
            &whose("events"),
            format!("missing: list the events that run it ({})", event_words()),
        )
    })?;
    Ok(Hook {
        program,
        args,
        events,
    })
}

/// A hook's `events`: the events it listens to, or `None` for every event (`"*"`).
fn events_of(
    value: &toml::Value,
    file: &str,
    place: &str,
) -> Result<Option<BTreeSet<Event>>, String> {
    let names = value.as_array().filter(|a| !a.is_empty()).ok_or_else(|| {
        at(
            file,
            place,
            format!("must be a list of events: {}", event_words()),
        )
    })?;
    let mut set = BTreeSet::new();
    let mut every = false;
    for name in names {
        match name.as_str() {
            Some("*") => every = true,
            Some(s) if Event::parse(s).is_some() => {
                set.extend(Event::parse(s));
            }
            _ => {
                return Err(at(
                    file,
                    place,
                    format!("{name} is not an event: use {}", event_words()),
                ));
            }
        }
    }
    Ok((!every).then_some(set))
}

/// The JSON a hook reads: the happening's fields, the review line of its loop (or, for a
/// cycle, its job) and the database. Fields are only ever added.
pub fn payload(h: &Happening, review: Option<&str>, database: &str) -> Vec<u8> {
    let mut value = serde_json::to_value(h).unwrap_or(Json::Null);
    if let Json::Object(map) = &mut value {
        map.insert(
            "review".into(),
            review.map_or(Json::Null, |r| Json::String(r.to_string())),
        );
        map.insert("database".into(), Json::String(database.to_string()));
    }
    let mut bytes = serde_json::to_vec(&value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The launches for what a committed write did, each with the review line of its loop (or job)
/// as the store reads it now; none (and nothing read) when no hook listens.
pub fn prepare(
    store: &mut crate::store::Store,
    hooks: &Hooks,
    happened: &[Happening],
    now: crate::domain::Stamp,
) -> Vec<Launch> {
    if !hooks.wanted(happened) {
        return Vec::new();
    }
    // A file's path as the hook can open it from any folder; a shared database's URL as shown
    // (never with its password).
    let database = if store.is_shared() {
        store.path().display().to_string()
    } else {
        std::path::absolute(store.path())
            .unwrap_or_else(|_| store.path().to_path_buf())
            .display()
            .to_string()
    };
    let mut reviews: std::collections::HashMap<String, Option<crate::domain::review::JobReview>> =
        Default::default();
    hooks.launches(
        happened,
        &mut |h| {
            let review = reviews
                .entry(h.job.clone())
                .or_insert_with(|| store.job_detail(&h.job, now).ok().and_then(|d| d.review));
            review_line(review.as_ref()?, h.kind)
        },
        &database,
    )
}

/// The line of the weekly review a happening belongs to: its loop's, or for a cycle its job's.
pub fn review_line(
    job: &crate::domain::review::JobReview,
    kind: Option<crate::domain::LoopKind>,
) -> Option<String> {
    let line = match kind {
        Some(k) => crate::display::loop_line(job.loops.iter().find(|l| l.kind == k)?),
        None => format!("{}  {}", job.slug, crate::display::job_head(job)),
    };
    Some(line.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Hooks, String> {
        Hooks::from_text(text, "config.toml")
    }

    #[test]
    fn hooks_name_a_program_and_its_events() {
        let h = parse(
            "[hooks]\ntimeout_seconds = 1.5\n[[hooks.run]]\nprogram = \"/bin/notify\"\nargs = [\"-q\"]\nevents = [\"kill-tripped\", \"cycle-closed\"]\n[[hooks.run]]\nprogram = \"log\"\nevents = [\"*\"]\n",
        )
        .unwrap();
        assert_eq!(h.timeout, Duration::from_millis(1500));
        assert_eq!(h.hooks.len(), 2);
        assert!(h.hooks[0].listens(Event::KillTripped));
        assert!(!h.hooks[0].listens(Event::DecisionSigned));
        assert_eq!(h.hooks[0].args, ["-q"]);
        assert!(Event::ALL.iter().all(|e| h.hooks[1].listens(*e)));
        assert_eq!(parse("").unwrap(), Hooks::default());
    }

    #[test]
    fn a_wrong_hook_is_named_by_file_and_key_on_one_line() {
        let cases = [
            (
                "[[hooks.run]]\nprogram = \"x\"\nevents = [\"kill-trippd\"]\n",
                "events of the 1st [[hooks.run]]",
                "kill-trippd",
            ),
            (
                "[[hooks.run]]\nprogram = \"x\"\nevents = [\"*\"]\n[[hooks.run]]\nevents = [\"*\"]\n",
                "program of the 2nd [[hooks.run]]",
                "missing",
            ),
            (
                "[[hooks.run]]\nprogram = \"x\"\n",
                "events of the 1st [[hooks.run]]",
                "missing",
            ),
            (
                "[[hooks.run]]\nprogram = \"x\"\nevents = []\n",
                "events of the 1st [[hooks.run]]",
                "list",
            ),
            (
                "[[hooks.run]]\nprogram = \"x\"\nevent = [\"*\"]\n",
                "event of the 1st [[hooks.run]]",
                "unknown key",
            ),
            ("[hooks]\ntimeout = 3\n", "hooks.timeout", "unknown key"),
            (
                "[hooks]\ntimeout_seconds = 0\n",
                "hooks.timeout_seconds",
                "0",
            ),
            (
                "[hooks]\ntimeout_seconds = \"5s\"\n",
                "hooks.timeout_seconds",
                "5s",
            ),
            ("[hooks\n", "config.toml line 1", ""),
        ];
        for (text, key, word) in cases {
            let e = parse(text).unwrap_err();
            assert!(
                e.starts_with("config.toml") && e.contains(key) && e.contains(word),
                "{text:?} gave {e:?}"
            );
            assert!(!e.contains('\n'), "{e:?} is more than one line");
        }
    }

    #[test]
    fn ordinals_read_as_english() {
        let words: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            words,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
                "111th"
            ]
        );
    }
}
