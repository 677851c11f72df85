//! Running hook programs with a deadline. Each gets its input on a pipe written by a thread of
//! its own (a program that never reads cannot block us), its standard output discarded and the
//! tail of its standard error kept for the message (a program that writes without end cannot fill
//! a pipe and stall, nor fill our memory). Each runs in a process group of its own, so a shell
//! script's children die with it at the deadline.

use std::io::{Read, Write};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::display::clean;
use crate::domain::hook::Event;

/// One hook program to run with one input.
#[derive(Clone, Debug, PartialEq)]
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub event: Event,
    pub input: Vec<u8>,
}

/// How many hook programs one command starts at most; more are reported, not run.
const MOST: usize = 32;
/// How much of a hook's standard error is kept for its message.
const TAIL: usize = 4096;
/// How often a running hook is looked at.
const POLL: Duration = Duration::from_millis(10);

struct Running {
    name: String,
    child: Child,
    /// The tail of its standard error, sent when the pipe closes.
    stderr: mpsc::Receiver<Vec<u8>>,
    done: Option<ExitStatus>,
}

/// Runs every launch at once and waits for them until `limit` has passed since the call;
/// returns one line per hook that failed (could not start, exited with an error, was ended by
/// a signal, or was still running at the limit and was killed).
pub fn run_all(launches: Vec<Launch>, limit: Duration) -> Vec<String> {
    let deadline = Instant::now() + limit;
    let mut failures = Vec::new();
    let mut running = start_all(launches, &mut failures);
    wait_all(&mut running, deadline, &mut failures);
    for r in &mut running {
        failures.extend(outcome(r, limit));
    }
    failures
}

/// Starts up to `MOST` launches; each that cannot start, and the skipped ones, is a failure.
fn start_all(launches: Vec<Launch>, failures: &mut Vec<String>) -> Vec<Running> {
    let skipped = launches.len().saturating_sub(MOST);
    let mut running = Vec::new();
    for l in launches.into_iter().take(MOST) {
        let name = format!(
            "hook {} ({})",
            clean(&l.program.display().to_string()),
            l.event
        );
        match start(&l) {
            Ok((child, stderr)) => running.push(Running {
                name,
                child,
                stderr,
                done: None,
            }),
            Err(e) => failures.push(format!(
                "{name} could not start: {}",
                if e.kind() == std::io::ErrorKind::NotFound {
                    "no such program (give its absolute path, or a name on PATH)".to_string()
                } else {
                    crate::files::io_words(&e)
                }
            )),
        }
    }
    if skipped > 0 {
        failures.push(format!(
            "{skipped} more hook run(s) were skipped: at most {MOST} run after one command"
        ));
    }
    running
}

/// Waits until every hook is done or the deadline has passed.
fn wait_all(running: &mut [Running], deadline: Instant, failures: &mut Vec<String>) {
    loop {
        for r in running.iter_mut().filter(|r| r.done.is_none()) {
            match r.child.try_wait() {
                Ok(Some(status)) => r.done = Some(status),
                Ok(None) => {}
                Err(e) => {
                    failures.push(format!(
                        "{} could not be watched: {}",
                        r.name,
                        crate::files::io_words(&e)
                    ));
                    stop(&mut r.child);
                    r.done = Some(ExitStatus::default());
                }
            }
        }
        if running.iter().all(|r| r.done.is_some()) || Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(POLL.min(deadline.saturating_duration_since(Instant::now())));
    }
}

/// What went wrong with a hook, if anything: still running at the limit (it is stopped), or
/// ended with an error (with the last line it wrote to standard error).
fn outcome(r: &mut Running, limit: Duration) -> Option<String> {
    match r.done {
        None => {
            stop(&mut r.child);
            Some(format!(
                "{} did not finish within {} and was stopped",
                r.name,
                seconds(limit)
            ))
        }
        Some(status) if !status.success() => {
            let why = match status.code() {
                Some(code) => format!("exited with code {code}"),
                None => "was ended by a signal".to_string(),
            };
            // The pipe closes when the program (and whatever it left running) is gone;
            // a moment is allowed for the last bytes, never more.
            let said = r
                .stderr
                .recv_timeout(Duration::from_millis(200))
                .ok()
                .and_then(|tail| last_line(&tail));
            Some(match said {
                Some(line) => format!("{} failed: {why}: {line}", r.name),
                None => format!("{} failed: {why}", r.name),
            })
        }
        Some(_) => None,
    }
}

fn start(l: &Launch) -> std::io::Result<(Child, mpsc::Receiver<Vec<u8>>)> {
    let mut child = Command::new(&l.program)
        .args(&l.args)
        .env("JOBLOOP_EVENT", l.event.name())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        let input = l.input.clone();
        // A program that exits or closes its input early makes this write fail: that is its
        // choice, not a failure.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
    }
    let (tx, rx) = mpsc::channel();
    if let Some(mut stderr) = child.stderr.take() {
        std::thread::spawn(move || {
            let mut tail = Vec::new();
            let mut buf = [0u8; 8192];
            loop {
                match stderr.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        tail.extend_from_slice(&buf[..n]);
                        if tail.len() > 2 * TAIL {
                            tail.drain(..tail.len() - TAIL);
                        }
                    }
                }
            }
            let _ = tx.send(tail);
        });
    }
    Ok((child, rx))
}

/// Kills the hook's whole process group (its children too), then reaps it.
fn stop(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The last line a program wrote to its standard error, made safe to show and kept short.
fn last_line(tail: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(tail);
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?.trim();
    let shown = clean(line);
    let mut out: String = shown.chars().take(200).collect();
    if shown.chars().count() > 200 {
        out.push('…');
    }
    Some(out)
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Launch {
        Launch {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            event: Event::KillTripped,
            input: b"{\"event\":\"kill-tripped\"}\n".to_vec(),
        }
    }

    #[test]
    fn a_hook_reads_its_input_and_succeeds_silently() {
        let failures = run_all(
            vec![sh(
                "read line; test \"$line\" = '{\"event\":\"kill-tripped\"}' && test \"$JOBLOOP_EVENT\" = kill-tripped",
            )],
            Duration::from_secs(20),
        );
        assert!(failures.is_empty(), "{failures:?}");
    }

    #[test]
    fn failures_say_which_hook_and_why() {
        let failures = run_all(
            vec![
                sh("echo 'the webhook said 403' >&2; exit 3"),
                sh("exit 0"),
                Launch {
                    program: "/nonexistent/hook".into(),
                    ..sh("")
                },
            ],
            Duration::from_secs(20),
        );
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(
            failures[0].contains("could not start") && failures[0].contains("/nonexistent/hook"),
            "{failures:?}"
        );
        assert!(
            failures[1].contains("exited with code 3")
                && failures[1].ends_with("the webhook said 403"),
            "{failures:?}"
        );
    }

    #[test]
    fn a_hook_past_the_limit_is_stopped_with_its_children() {
        // The script's child holds standard error open: it must die with the script, or the
        // message would wait for it.
        let failures = run_all(vec![sh("sleep 30 & sleep 30")], Duration::from_millis(300));
        assert_eq!(failures.len(), 1, "{failures:?}");
        assert!(
            failures[0].contains("did not finish within 0.3 s"),
            "{failures:?}"
        );
    }

    #[test]
    fn endless_output_and_an_unread_input_change_nothing() {
        let big = Launch {
            input: vec![b'x'; 1 << 20],
            ..sh("head -c 3000000 /dev/zero | tr '\\0' 'y' >&2; exec 0<&-; exit 0")
        };
        let failures = run_all(vec![big], Duration::from_secs(20));
        assert!(failures.is_empty(), "{failures:?}");
    }
}
