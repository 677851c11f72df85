//! Hooks through the real binary: a program named in the config file gets, after the commit, what
//! the write did as JSON on its standard input; one that fails or hangs is reported on standard
//! error and changes neither the write nor the exit code; refused commands, dry runs and reads
//! run nothing; a wrong hook config refuses the write with one line naming the file and the key.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Db;
use serde_json::Value as Json;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A database with a config directory of its own, and a folder hooks record into.
struct Hooked {
    db: Db,
    config: PathBuf,
    got: PathBuf,
}

impl Hooked {
    /// `hooks` is the `[hooks]` part of the config file; `{recorder}`, `{fail}` and `{hang}`
    /// stand for the test's programs.
    fn new(hooks: &str) -> Hooked {
        let db = Db::new();
        let config = db.dir.path().join("config");
        let got = db.dir.path().join("got");
        std::fs::create_dir_all(config.join("jobloop")).unwrap();
        std::fs::create_dir_all(&got).unwrap();
        let bin = db.dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        // Each event to a file of its own, complete before it is renamed to `.json`.
        let recorder = script(
            &bin,
            "recorder",
            &format!(
                "#!/bin/sh\nset -e\nf=$(mktemp \"{0}/event.XXXXXX\")\ncat > \"$f\"\nprintf '%s' \"$JOBLOOP_EVENT\" > \"$f.name\"\nmv \"$f\" \"$f.json\"\n",
                got.display()
            ),
        );
        let fail = script(
            &bin,
            "fail",
            "#!/bin/sh\ncat > /dev/null\necho 'the webhook answered 403 Forbidden' >&2\nexit 7\n",
        );
        // Never reads its input, never ends (a child too); the limit stops both.
        let hang = script(&bin, "hang", "#!/bin/sh\nsleep 600 &\nsleep 600\n");
        let text = hooks
            .replace("{recorder}", &recorder)
            .replace("{fail}", &fail)
            .replace("{hang}", &hang);
        let h = Hooked { db, config, got };
        h.write_config(&text);
        h
    }

    fn write_config(&self, text: &str) {
        std::fs::write(self.config.join("jobloop").join("config.toml"), text).unwrap();
    }

    fn run(&self, args: &[&str]) -> Output {
        self.db
            .cmd()
            .env("XDG_CONFIG_HOME", &self.config)
            .args(args)
            .output()
            .expect("run jobloop")
    }

    fn ok(&self, args: &[&str]) -> (String, String) {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "jobloop {args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    /// What the recorder received so far, oldest first, and forgets it.
    fn take(&self) -> Vec<Json> {
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&self.got)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .map(|p| (std::fs::metadata(&p).unwrap().modified().unwrap(), p))
            .collect();
        files.sort();
        let mut out = Vec::new();
        for (_, p) in files {
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(
                text.ends_with('\n') && text.matches('\n').count() == 1,
                "{text:?}"
            );
            let v: Json = serde_json::from_str(&text).unwrap();
            let name = std::fs::read_to_string(p.with_extension("name")).unwrap();
            assert_eq!(v["event"], name.as_str(), "JOBLOOP_EVENT names the event");
            out.push(v);
            std::fs::remove_file(&p).unwrap();
        }
        out
    }
}

fn script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path.display().to_string()
}

const ALL: &str =
    "[hooks]\ntimeout_seconds = 60\n[[hooks.run]]\nprogram = \"{recorder}\"\nevents = [\"*\"]\n";

/// `t/instrument` (lower is better) with a rule `above 12` and five baseline values.
fn measured(h: &Hooked) {
    h.ok(&["job", "add", "Triage tickets", "--slug", "t"]);
    h.ok(&[
        "metric",
        "set",
        "t",
        "instr",
        "first answer",
        "--unit",
        "h",
        "--better",
        "lower",
    ]);
    h.ok(&[
        "kill", "add", "t", "instr", "too slow", "--rule", "above 12",
    ]);
    for (i, v) in ["10", "11", "10.5", "9.5", "10"].iter().enumerate() {
        h.ok(&[
            "baseline",
            "t",
            "instr",
            v,
            "--at",
            &format!("2026-10-0{}", i + 1),
        ]);
    }
}

// long: one write of each kind in turn, each checked for the exact hook payload it produced
// after the one before
#[test]
fn a_hook_gets_what_each_write_did() {
    let h = Hooked::new(ALL);
    measured(&h);
    assert_eq!(h.take(), Vec::<Json>::new(), "nothing happened yet");

    // A value the rule finds too high: the signal trips by itself, and that is a trip.
    h.ok(&["measure", "t", "instr", "15", "--at", "2026-10-10"]);
    let got = h.take();
    assert_eq!(got.len(), 1, "{got:?}");
    let e = &got[0];
    assert_eq!(e["event"], "kill-tripped");
    assert_eq!(e["job"], "t");
    assert_eq!(e["job_title"], "Triage tickets");
    assert_eq!(e["loop"], "instrument");
    assert_eq!(e["actor"], "jobloop");
    assert_eq!(e["signal"], 2);
    assert_eq!(e["signal_text"], "too slow");
    assert!(e["reason"].as_str().unwrap().starts_with("rule:"), "{e}");
    assert!(
        e["what"]
            .as_str()
            .unwrap()
            .contains("kill signal 2 on t/instrument tripped"),
        "{e}"
    );
    assert!(
        e["review"].as_str().unwrap().starts_with("instrument")
            && e["review"]
                .as_str()
                .unwrap()
                .contains("KILL SIGNAL TRIPPED"),
        "{e}"
    );
    assert_eq!(e["database"], h.db.path.display().to_string());
    // The audit event it names is the trip.
    let seq = e["seq"].as_i64().unwrap();
    let log: Json = serde_json::from_str(&h.ok(&["log", "--json"]).0).unwrap();
    let event = log
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["seq"] == seq)
        .unwrap();
    assert_eq!(event["command"], "kill trip");
    assert!(e["at"].as_str().unwrap().starts_with("20"), "{e}");

    // A trip by hand is one too, by the person.
    h.ok(&[
        "kill",
        "trip",
        "t",
        "instr",
        "--reason",
        "the slide counts touches\nsecond line",
    ]);
    let got = h.take();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["event"], "kill-tripped");
    assert_eq!(got[0]["actor"], "tester");
    assert_eq!(got[0]["signal"], 1);
    // The reason as typed; `what`, one line whatever the reason holds.
    assert_eq!(got[0]["reason"], "the slide counts touches\nsecond line");
    let what = got[0]["what"].as_str().unwrap();
    assert!(
        !what.contains('\n') && what.contains("touches\\u{a}second"),
        "{what}"
    );

    // A decision waits for its owner, then is signed.
    let (out, _) = h.ok(&[
        "decide",
        "t",
        "govern",
        "Close exact duplicates",
        "--owner",
        "Chen",
    ]);
    let got = h.take();
    assert_eq!(got.len(), 1, "{got:?}");
    let d = &got[0];
    assert_eq!(d["event"], "decision-pending");
    assert_eq!(d["loop"], "govern");
    assert_eq!(d["decision_owner"], "Chen");
    assert_eq!(d["decision_text"], "Close exact duplicates");
    let id = d["decision"].as_str().unwrap();
    assert!(out.contains(id), "{out}");
    h.ok(&["--as", "Chen", "decide", "t", "govern", "--approve", id]);
    let got = h.take();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["event"], "decision-signed");
    assert_eq!(got[0]["actor"], "Chen");
    assert_eq!(got[0]["decision"], id);
    // A sign-off recorded on the owner's word is announced as witnessed, never as theirs.
    let (out, _) = h.ok(&[
        "decide",
        "t",
        "govern",
        "Close near duplicates",
        "--owner",
        "Chen",
    ]);
    let witnessed = h.take()[0]["decision"].as_str().unwrap().to_string();
    assert!(out.contains(&witnessed), "{out}");
    h.ok(&[
        "decide",
        "t",
        "govern",
        "--approve",
        &witnessed,
        "--witnessed",
    ]);
    let got = h.take();
    let what = got[0]["what"].as_str().unwrap();
    assert!(
        what.contains("recorded Chen's sign-off") && what.contains("witnessed, not signed by them"),
        "{what}"
    );
    assert_eq!(got[0]["witnessed_by"], "tester", "{got:?}");

    // A week answered.
    h.ok(&[
        "cycle",
        "close",
        "t",
        "--understanding",
        "yes",
        "--explanation",
        "yes",
        "--creation",
        "no",
        "--distribution",
        "no",
    ]);
    let got = h.take();
    assert_eq!(got.len(), 1, "{got:?}");
    let c = &got[0];
    assert_eq!(c["event"], "cycle-closed");
    assert_eq!(c["loop"], Json::Null);
    assert_eq!(c["compounds"], false);
    assert!(c["week"].as_str().unwrap().contains("-W"), "{c}");
    assert!(c["review"].as_str().unwrap().starts_with("t "), "{c}");

    // What records nothing tells nothing: reads, a refusal, a dry run, a repeated sign-off.
    h.ok(&["review"]);
    h.ok(&["loop", "show", "t", "instr"]);
    let refused = h.run(&["measure", "t", "instr", "20", "--at", "2031-01-01"]);
    assert!(!refused.status.success());
    let csv = h.db.dir.path().join("v.csv");
    std::fs::write(&csv, "job,kind,date,value\nt,instr,2026-10-11,30\n").unwrap();
    h.ok(&["values", "import", csv.to_str().unwrap(), "--dry-run"]);
    h.ok(&["--as", "Chen", "decide", "t", "govern", "--approve", id]);
    assert_eq!(h.take(), Vec::<Json>::new());
}

// long: one guardrail breached, written to again and recovered, in order; the promise is about
// what is told once across them
#[test]
fn a_guardrail_breach_is_told_once_when_it_happens() {
    let h = Hooked::new(
        "[hooks]\ntimeout_seconds = 60\n[[hooks.run]]\nprogram = \"{recorder}\"\nevents = [\"guardrail-breached\"]\n",
    );
    h.ok(&["job", "add", "Triage tickets", "--slug", "t"]);
    h.ok(&[
        "metric",
        "set",
        "t",
        "instr",
        "first answer",
        "--unit",
        "h",
        "--better",
        "lower",
    ]);
    h.ok(&[
        "guard",
        "add",
        "t",
        "instr",
        "cost",
        "--unit",
        "EUR",
        "--better",
        "lower",
        "--max-worse",
        "10%",
    ]);
    for (i, (v, c)) in [
        ("10", "5.0"),
        ("11", "5.2"),
        ("10.5", "4.9"),
        ("9.5", "5.1"),
        ("10", "5.0"),
        ("10.2", "4.8"),
    ]
    .iter()
    .enumerate()
    {
        let at = format!("2026-10-0{}", i + 1);
        h.ok(&["baseline", "t", "instr", v, "--at", &at]);
        h.ok(&["baseline", "t", "instr", c, "--at", &at, "--guard", "cost"]);
    }
    h.ok(&[
        "intervene",
        "t",
        "instr",
        "agent drafts",
        "--at",
        "2026-10-10",
        "--horizon",
        "8",
    ]);
    // Cost up by about 45%, from a CSV file: the breach comes from the whole import.
    let csv = h.db.dir.path().join("cost.csv");
    let mut rows = String::from("job,kind,date,value,guard\n");
    for (i, c) in ["7.2", "7.4", "7.1", "7.3", "7.0", "7.5"]
        .iter()
        .enumerate()
    {
        rows.push_str(&format!("t,instr,2026-10-{},{c},cost\n", 11 + i));
    }
    std::fs::write(&csv, rows).unwrap();
    h.ok(&["values", "import", csv.to_str().unwrap()]);
    let got = h.take();
    assert_eq!(got.len(), 1, "{got:?}");
    let g = &got[0];
    assert_eq!(g["event"], "guardrail-breached");
    assert_eq!(g["guardrail"], "cost");
    assert_eq!(g["loop"], "instrument");
    assert_eq!(g["actor"], "tester");
    let review: Json = serde_json::from_str(&h.ok(&["review", "--json"]).0).unwrap();
    let l = &review["jobs"][0]["loops"][2];
    assert_eq!(l["guardrails"][0]["breached"], true);
    // Still breached after the next value: nothing new to tell.
    h.ok(&[
        "measure",
        "t",
        "instr",
        "7.6",
        "--at",
        "2026-10-20",
        "--guard",
        "cost",
    ]);
    assert_eq!(h.take(), Vec::<Json>::new());
}

#[test]
fn a_failing_hook_is_reported_and_changes_nothing_else() {
    let h = Hooked::new(
        "[hooks]\ntimeout_seconds = 60\n[[hooks.run]]\nprogram = \"{fail}\"\nevents = [\"decision-pending\"]\n[[hooks.run]]\nprogram = \"{recorder}\"\nevents = [\"decision-pending\"]\n[[hooks.run]]\nprogram = \"/nonexistent/jobloop-hook\"\nevents = [\"decision-pending\"]\n",
    );
    h.ok(&["job", "add", "Triage tickets", "--slug", "t"]);
    let out = h.run(&[
        "decide",
        "t",
        "govern",
        "Close duplicates",
        "--owner",
        "Chen",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("recorded decision"));
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        stderr.contains("the write was recorded, but hook ")
            && stderr.contains("fail (decision-pending) failed: exited with code 7: the webhook answered 403 Forbidden"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hook /nonexistent/jobloop-hook (decision-pending) could not start"),
        "{stderr}"
    );
    // The other hook of the event ran, and the decision is recorded.
    assert_eq!(h.take().len(), 1);
    let review: Json = serde_json::from_str(&h.ok(&["review", "--json"]).0).unwrap();
    assert_eq!(
        review["jobs"][0]["loops"][3]["decisions_pending"][0]["text"],
        "Close duplicates"
    );
    // A refused command runs nothing and says nothing of hooks.
    let out = h.run(&["decide", "t", "govern", "", "--owner", "Chen"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("hook"), "{stderr}");
    assert_eq!(h.take(), Vec::<Json>::new());
}

#[test]
fn a_hook_that_hangs_is_stopped_at_the_limit() {
    let h = Hooked::new(
        "[hooks]\ntimeout_seconds = 1\n[[hooks.run]]\nprogram = \"{hang}\"\nevents = [\"cycle-closed\"]\n",
    );
    h.ok(&["job", "add", "Triage tickets", "--slug", "t"]);
    let out = h.run(&[
        "cycle",
        "close",
        "t",
        "--understanding",
        "yes",
        "--explanation",
        "yes",
        "--creation",
        "yes",
        "--distribution",
        "yes",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("hang (cycle-closed) did not finish within 1 s and was stopped"),
        "{stderr}"
    );
    let cycles: Json = serde_json::from_str(&h.ok(&["cycle", "list", "t", "--json"]).0).unwrap();
    assert_eq!(cycles.as_array().unwrap().len(), 1, "the week is answered");
}

#[test]
fn a_wrong_hook_config_refuses_the_write_naming_file_and_key() {
    let h = Hooked::new(ALL);
    h.ok(&["job", "add", "Triage tickets", "--slug", "t"]);
    h.write_config(
        "[[hooks.run]]\nprogram = \"/bin/true\"\nevents = [\"kill-tripped\", \"decision-pendng\"]\n",
    );
    let out = h.run(&[
        "decide",
        "t",
        "govern",
        "Close duplicates",
        "--owner",
        "Chen",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let file = h.config.join("jobloop").join("config.toml");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}: events of the 1st [[hooks.run]]: \"decision-pendng\" is not an event",
            file.display()
        )) && stderr.contains("nothing was recorded"),
        "{stderr}"
    );
    // Reads go on.
    let review: Json = serde_json::from_str(&h.ok(&["review", "--json"]).0).unwrap();
    assert_eq!(
        review["jobs"][0]["loops"][3]["decisions_pending"],
        Json::Array(vec![])
    );
}

#[test]
fn the_tui_shows_a_failing_hook_on_its_status_line() {
    use jobloop::domain::intent::Intent;
    use jobloop::domain::{Ctx, Stamp};
    use jobloop::hooks::{Hook, Hooks};
    use jobloop::store::{Missing, Store};
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.db"), Missing::Create).unwrap();
    store
        .apply(
            &Ctx::local("setup", Stamp::now()),
            &Intent::AddJob {
                title: "Job".into(),
                slug: None,
                statement: None,
                owner: Some("Ana".into()),
                since: None,
            },
        )
        .unwrap();
    let fail = script(
        dir.path(),
        "fail",
        "#!/bin/sh\necho 'chat is down' >&2\nexit 3\n",
    );
    let hooks = Hooks {
        hooks: vec![Hook {
            program: fail.into(),
            args: Vec::new(),
            events: None,
        }],
        timeout: std::time::Duration::from_secs(60),
    };
    let mut app = jobloop::tui::app::App::new(
        jobloop::tui::worker::Worker::inline_with_hooks(store, hooks),
        Some("tester".into()),
        jobloop::tui::keymap::Keymap::default(),
        jobloop::tui::config::Theme::new(false),
        false,
    );
    app.clock = jobloop::clock::Clock::fixed(Stamp::now());
    app.size = ratatui::layout::Rect::new(0, 0, 160, 30);
    app.start(false);
    for c in "lxthe tool came first".chars() {
        common::screen::press(&mut app, KeyCode::Char(c), KeyModifiers::NONE);
    }
    common::screen::press(&mut app, KeyCode::Enter, KeyModifiers::NONE);
    assert!(app.form.is_none());
    let message = app.message.as_ref().unwrap();
    assert!(message.error, "{}", message.text);
    assert!(
        message
            .text
            .starts_with("the write was recorded, but hook ")
            && message
                .text
                .contains("(kill-tripped) failed: exited with code 3: chat is down"),
        "{}",
        message.text
    );
    let screen = common::screen::text(&mut app);
    assert!(
        screen.contains("the write was recorded, but hook"),
        "{screen}"
    );
}
