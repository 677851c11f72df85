//! The real binary in a real terminal (tmux): create a job, record a baseline on its instrument
//! loop, trip a kill signal with a reason, void a mistaken measurement, capture a learning, add
//! a proof artifact, watch a write from another process appear without a key press, quit with
//! `q`, then check through `review --json` and `verify`.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }

    fn wait_for(&self, text: &str) {
        self.wait_for_any(&[text]);
    }

    /// Waits until one of `texts` is on screen; returns which.
    fn wait_for_any(&self, texts: &[&str]) -> usize {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if let Some(i) = texts.iter().position(|t| screen.contains(t)) {
                return i;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("timed out waiting for {texts:?}; the screen was:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Presses `key` (a scroll key) until `text` is on screen, each time waiting for the screen
    /// to change.
    fn scroll_to(&self, text: &str, key: &str) {
        for _ in 0..60 {
            let before = self.screen();
            if before.contains(text) {
                return;
            }
            self.keys(&[key]);
            let start = Instant::now();
            while self.screen() == before {
                if start.elapsed() > Duration::from_secs(15) {
                    panic!("{key} did not scroll toward {text:?}; the screen was:\n{before}");
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("{text:?} is not on screen after 60 presses of {key}");
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    fn type_text(&self, text: &str) {
        assert!(
            self.run(&["send-keys", "-t", "e2e", "-l", text])
                .status
                .success()
        );
    }

    fn alive(&self) -> bool {
        self.run(&["has-session", "-t", "e2e"]).status.success()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn cli(db: &Path, args: &[&str]) -> Vec<u8> {
    let out = common::jobloop(db)
        .args(["--as", "someone-else"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

fn review(db: &Path) -> serde_json::Value {
    serde_json::from_slice(&cli(db, &["review", "--json"])).unwrap()
}

/// Starts the program on `db` as `user` in a tmux session of `size`, or says why not.
fn start(dir: &Path, db: &Path, user: &str, size: (u16, u16)) -> Option<Tmux> {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed (.ci/run installs it)");
        return None;
    }
    let tmux = Tmux {
        socket: format!("jobloop-e2e-{}-{user}", std::process::id()),
    };
    let command = format!(
        "env JOBLOOP_USER={user} XDG_CONFIG_HOME={} {} --db {}",
        dir.display(),
        common::bin(),
        db.display()
    );
    let (x, y) = (size.0.to_string(), size.1.to_string());
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        &x,
        "-y",
        &y,
        &command,
    ]);
    assert!(
        started.status.success(),
        "{}",
        String::from_utf8_lossy(&started.stderr)
    );
    Some(tmux)
}

/// A lead on a local file records the owner's sign-off they witnessed without leaving the
/// board (the form shows the threshold first), and a double click on a board cell opens that
/// loop; the trail tells the witnessed sign-off apart.
#[test]
fn a_lead_records_a_witnessed_sign_off_and_double_clicks_a_loop() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e2e.db");
    cli(&db, &["job", "add", "Refund requests"]);
    cli(
        &db,
        &[
            "decide",
            "refund-requests",
            "govern",
            "Agents may refund",
            "--owner",
            "Emil",
            "--threshold",
            "up to 50 EUR",
        ],
    );
    let Some(tmux) = start(dir.path(), &db, "ana", (120, 30)) else {
        return;
    };
    tmux.wait_for("refund-requests");
    // The board marks the pending sign-off on the govern cell.
    tmux.wait_for("✎");
    tmux.keys(&["l", "l", "l"]);
    tmux.wait_for("refund-requests/govern");
    tmux.keys(&["Y"]);
    tmux.wait_for("Record a sign-off you witnessed");
    tmux.wait_for("threshold: up to 50 EUR");
    tmux.keys(&["Enter"]);
    tmux.wait_for("witnessed");

    // A double click (SGR mouse reports: press and release, twice) on the distribute cell.
    let screen = tmux.screen();
    let header = screen
        .lines()
        .position(|l| l.starts_with("job "))
        .expect("the board's header");
    let column = screen.lines().nth(header).unwrap().find("distr").unwrap() + 2;
    let row = header + 2; // the first job's row, 1-based for the terminal
    let click = format!("\x1b[<0;{column};{row}M\x1b[<0;{column};{row}m");
    tmux.type_text(&format!("{click}{click}"));
    tmux.wait_for("Did the proof distribute into value?");
    tmux.keys(&["Escape"]);
    tmux.wait_for("refund-requests/distribute");
    tmux.keys(&["q"]);

    let log = String::from_utf8(cli(&db, &["log", "--json"])).unwrap();
    let events: Vec<serde_json::Value> = serde_json::from_str(&log).unwrap();
    let witness = events
        .iter()
        .find(|e| e["command"] == "decide witness")
        .unwrap_or_else(|| panic!("no witnessed sign-off in {log}"));
    assert_eq!(witness["actor"], "ana");
    let shown =
        String::from_utf8(cli(&db, &["loop", "show", "refund-requests", "govern"])).unwrap();
    assert!(
        shown.contains("WITNESSED sign-off: ana recorded Emil's sign-off on their word"),
        "{shown}"
    );
    cli(&db, &["verify"]);
}

// long: one session at a real terminal, key by key, each waiting for the screen the one before
// produced; split, the session would not be one
#[test]
fn a_lead_records_a_baseline_and_trips_a_kill_signal_in_the_tui() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e2e.db");
    let Some(tmux) = start(dir.path(), &db, "e2e-lead", (100, 30)) else {
        return;
    };
    tmux.wait_for("Welcome to jobloop");

    tmux.keys(&["a"]);
    tmux.wait_for("New job");
    tmux.type_text("Triage support tickets");
    tmux.keys(&["Enter"]);
    tmux.wait_for("added job `triage-support-tickets`");

    // The cursor starts on understand: two steps right is instrument.
    tmux.keys(&["l", "Right"]);
    tmux.keys(&["M"]);
    tmux.wait_for("Primary metric of triage-support-tickets/instrument");
    tmux.type_text("time to first answer");
    tmux.keys(&["Tab"]);
    tmux.type_text("h");
    tmux.keys(&["Enter"]);
    tmux.wait_for("set the primary metric");

    tmux.keys(&["b"]);
    tmux.wait_for("Baseline for triage-support-tickets/instrument");
    tmux.type_text("4x2");
    tmux.keys(&["Enter"]);
    tmux.wait_for("is not a number");
    tmux.keys(&["C-u"]);
    tmux.type_text("9.5");
    tmux.keys(&["Enter"]);
    tmux.wait_for("recorded baseline 9.5 h");

    tmux.keys(&["x"]);
    tmux.wait_for("Trip a kill signal of triage-support-tickets/instrument");
    tmux.type_text("The update reports adoption, not answer time");
    tmux.keys(&["Enter"]);
    tmux.wait_for("tripped kill signal 1");

    // A measurement typed wrong, then voided: it stays in the history and counts for nothing.
    tmux.keys(&["m"]);
    tmux.wait_for("Measurement for triage-support-tickets/instrument");
    tmux.type_text("950");
    tmux.keys(&["Enter"]);
    tmux.wait_for("recorded measurement 950 h");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Is the proof instrumented?");
    tmux.keys(&["V"]);
    tmux.wait_for("Void a record of triage-support-tickets/instrument");
    tmux.keys(&["Tab"]);
    tmux.type_text("typed 950 for 9.50");
    tmux.keys(&["Enter"]);
    tmux.wait_for("voided the live 950");
    // The values are below the checklist's evidence: scroll to them.
    tmux.scroll_to("VOID", "j");
    tmux.scroll_to("Is the proof instrumented?", "k");

    tmux.keys(&["g"]);
    tmux.wait_for("Learning on triage-support-tickets/instrument");
    tmux.type_text("Answer time is only honest when weekends are excluded");
    tmux.keys(&["C-s"]);
    tmux.wait_for("recorded evidence on triage-support-tickets/instrument");

    // The job view: a proof artifact.
    tmux.keys(&["J"]);
    tmux.wait_for("Triage support tickets");
    tmux.keys(&["p"]);
    tmux.wait_for("Proof artifact of triage-support-tickets");
    tmux.type_text("Case: triage in a day");
    tmux.keys(&["Enter"]);
    tmux.wait_for("added private case `Case: triage in a day`");
    // One Escape at a time: two in a row read as Alt-Escape.
    tmux.keys(&["Escape"]);
    tmux.wait_for("Is the proof instrumented?");
    tmux.keys(&["Escape"]);
    tmux.wait_for("triage-support-tickets/instrument · open");

    // Another process writes; the board shows it without a key press. Its two measured loops
    // were last measured ten days ago: an earlier week.
    let ten_days_ago = (chrono::Local::now().date_naive() - chrono::Days::new(10)).to_string();
    let emails = "answer-supplier-emails";
    cli(&db, &["job", "add", "Answer supplier emails"]);
    cli(
        &db,
        &[
            "metric",
            "set",
            emails,
            "instr",
            "reply time",
            "--unit",
            "h",
            "--better",
            "lower",
        ],
    );
    cli(
        &db,
        &["baseline", emails, "instr", "6", "--at", &ten_days_ago],
    );
    cli(
        &db,
        &[
            "metric", "set", emails, "improve", "resends", "--better", "lower",
        ],
    );
    cli(
        &db,
        &["baseline", emails, "improve", "3", "--at", &ten_days_ago],
    );
    tmux.wait_for(emails);

    // The week's values of every job in one form (Ctrl-n). The board may have been read
    // between those writes (before the metrics were set there is nothing to enter): the form is
    // opened again until it shows the last of them.
    let start = Instant::now();
    loop {
        tmux.keys(&["C-n"]);
        let form =
            tmux.wait_for_any(&["This week's values for every job", "nothing to enter"]) == 0;
        if form
            && tmux
                .screen()
                .contains("answer-supplier-emails/improve resends")
        {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{}",
            tmux.screen()
        );
        if form {
            tmux.keys(&["Escape"]);
            tmux.wait_for("triage-support-tickets/instrument · open");
        }
    }
    // Triage's instrument loop has this week's baseline: it is not asked again.
    let form = tmux.screen();
    assert!(
        !form.contains("triage-support-tickets/instrument time"),
        "{form}"
    );
    assert!(
        form.contains("answer-supplier-emails/instrument reply time"),
        "{form}"
    );
    tmux.type_text("5.5");
    tmux.keys(&["Tab"]);
    tmux.type_text("2");
    tmux.keys(&["Enter"]);
    tmux.wait_for("recorded baseline 5.5 h");

    tmux.keys(&["q"]);
    let start = Instant::now();
    while tmux.alive() {
        assert!(start.elapsed() < Duration::from_secs(10), "q did not quit");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Quitting closed the store: its write-ahead log is folded back into the one file.
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    assert!(
        !std::path::Path::new(&wal).exists(),
        "the -wal file is left"
    );

    let r = review(&db);
    let job = &r["jobs"][0];
    assert_eq!(job["slug"], "triage-support-tickets");
    let instr = job["loops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "instrument")
        .unwrap();
    assert_eq!(instr["status"], "open");
    assert_eq!(instr["metric"]["name"], "time to first answer");
    assert_eq!(instr["baseline"]["n"], 1);
    assert_eq!(instr["baseline"]["mean"], 9.5);
    let signal = &instr["kill_signals"][0];
    assert_eq!(signal["tripped"], true);
    assert_eq!(
        signal["reason"],
        "The update reports adoption, not answer time"
    );
    assert_eq!(signal["changed_by"], "e2e-lead");
    assert!(
        instr["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "kill-tripped")
    );
    // The voided 950 is not the latest value: there is none.
    assert!(instr["latest"].is_null(), "{instr}");
    let shown = String::from_utf8(cli(
        &db,
        &["loop", "show", "triage-support-tickets", "instrument"],
    ))
    .unwrap();
    assert!(shown.contains("VOID"), "{shown}");
    assert!(shown.contains("weekends are excluded"), "{shown}");
    // The form's two values, one audit event each.
    let emails = r["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["slug"] == "answer-supplier-emails")
        .unwrap();
    for l in emails["loops"].as_array().unwrap() {
        if l["kind"] == "instrument" || l["kind"] == "improve" {
            assert_eq!(l["baseline"]["n"], 2, "{l}");
        }
    }
    let log: serde_json::Value =
        serde_json::from_slice(&cli(&db, &["log", "answer-supplier-emails", "--json"])).unwrap();
    let by_lead = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["actor"] == "e2e-lead" && e["command"] == "baseline")
        .count();
    assert_eq!(by_lead, 2, "{log}");
    let proofs = String::from_utf8(cli(&db, &["proof", "list", "triage-support-tickets"])).unwrap();
    assert!(proofs.contains("Case: triage in a day"), "{proofs}");
    cli(&db, &["verify"]);
}

/// Asked to end by a signal (a logout, a supervisor, `kill`), the program ends as `q` does and
/// gives the terminal back to the shell it was run from: no alternate screen, no mouse
/// reporting, the cursor shown, and the exit a shell gives a program ended by that signal.
#[test]
fn a_request_to_end_gives_the_terminal_back() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed (.ci/run installs it)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    cli(&db, &["init"]);
    for (signal, code) in [("TERM", 143), ("HUP", 129)] {
        let t = Tmux {
            socket: format!("jobloop-e2e-{}-signal-{signal}", std::process::id()),
        };
        // Run from a shell, as a person does: the shell is what gets the terminal back.
        let command = format!(
            "env JOBLOOP_USER=lead XDG_CONFIG_HOME={} {} --db {}; echo ended=$?; sleep 60",
            dir.path().display(),
            common::bin(),
            db.display()
        );
        let started = t.run(&[
            "new-session",
            "-d",
            "-s",
            "e2e",
            "-x",
            "100",
            "-y",
            "30",
            "sh",
            "-c",
            &command,
        ]);
        assert!(started.status.success());
        t.wait_for("board");
        let flags = |f: &str| {
            let out = t.run(&["display-message", "-p", "-t", "e2e", f]).stdout;
            String::from_utf8_lossy(&out).trim().to_string()
        };
        assert_eq!(flags("#{alternate_on} #{mouse_any_flag}"), "1 1");
        let shell = flags("#{pane_pid}");
        let child = Command::new("pgrep").args(["-P", &shell]).output().unwrap();
        let pid = String::from_utf8_lossy(&child.stdout).trim().to_string();
        assert!(!pid.is_empty(), "no program under the shell");
        let killed = Command::new("kill")
            .args([&format!("-{signal}"), pid.as_str()])
            .status()
            .unwrap();
        assert!(killed.success());
        t.wait_for(&format!("ended={code}"));
        assert_eq!(
            flags("#{alternate_on} #{mouse_any_flag} #{cursor_flag}"),
            "0 0 1",
            "SIG{signal} left the terminal in the program's modes"
        );
    }
}
