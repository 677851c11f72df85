//! Every failure has its own word: an output cut short by a closed pipe is an output failure
//! (exit 7), a lowered `user_version` says the file claims an older schema than it has (exit 4,
//! the file untouched), a lost connection to the shared database is an I/O failure (exit 7, not
//! "locked"), and a URL without the password the server asks for says which one is missing.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::file_db::{error_line, names as files};
use common::{Db, read};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A pipe whose reading end is already closed: every write to it fails with EPIPE.
fn closed_pipe() -> Stdio {
    let (reader, writer) = nix::unistd::pipe().unwrap();
    drop(reader);
    Stdio::from(writer)
}

/// The binary on `db` with SIGPIPE at its default (as a shell leaves it): jobloop must still
/// say what happened instead of dying of the signal. (`env --default-signal` resets it
/// between fork and exec, so the test needs no unsafe code.)
fn with_default_sigpipe(db: &Db) -> Command {
    let mut c = Command::new("env");
    c.arg("--default-signal=PIPE")
        .arg(common::bin())
        .arg("--db")
        .arg(&db.path);
    c.env_remove("JOBLOOP_DB")
        .env("JOBLOOP_USER", "tester")
        .env("NO_COLOR", "1");
    c
}

#[test]
fn output_cut_short_by_a_closed_pipe_is_an_output_failure() {
    let db = Db::new();
    db.ok(&["demo"]);
    for args in [
        &["export", "-"][..],
        &["export"],
        &["review"],
        &["review", "--json"],
        &["review", "--markdown"],
        &["log"],
        &["verify"],
        &["job", "list"],
        &["loop", "show", "support-triage", "instr"],
    ] {
        for sigpipe in [false, true] {
            let mut c = if sigpipe {
                with_default_sigpipe(&db)
            } else {
                db.cmd()
            };
            c.args(args).stdout(closed_pipe());
            let out = c.output().unwrap();
            let err = error_line(&out, 7, &format!("{args:?} (SIGPIPE default: {sigpipe})"));
            assert!(err.contains("closed pipe"), "{args:?}: {err}");
        }
    }
    // `export - | head`: the reader stops after a few bytes of a longer export.
    let mut child = db
        .cmd()
        .args(["export", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = error_line(&out, 7, "export - | head");
    assert!(err.contains("closed pipe"), "{err}");

    // A write whose acknowledgement cannot be printed: saved, and said so.
    let before = db.json(&["export"])["values"].as_array().unwrap().len();
    let out = db
        .cmd()
        .args(["measure", "support-triage", "instr", "4"])
        .stdout(closed_pipe())
        .output()
        .unwrap();
    let err = error_line(&out, 7, "measure into a closed pipe");
    assert!(err.contains("the command was saved, but"), "{err}");
    let after = db.json(&["export"])["values"].as_array().unwrap().len();
    assert_eq!(after, before + 1);
}

fn set_user_version(path: &Path, v: i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "user_version", v).unwrap();
}

#[test]
fn a_lowered_user_version_says_the_file_claims_an_older_schema_and_leaves_it_untouched() {
    let db = Db::new();
    db.ok(&["job", "add", "Triage", "--slug", "t"]);
    db.ok(&["metric", "set", "t", "instr", "hours", "--better", "lower"]);
    db.ok(&["baseline", "t", "instr", "9", "--at", "2026-10-01"]);
    let state = db.ok(&["export"]);
    let current = jobloop::store::SCHEMA_VERSION;
    for lowered in (0..current).rev() {
        set_user_version(&db.path, lowered);
        let bytes = read(&db.path);
        for args in [
            &["review"][..],
            &["export"],
            &["measure", "t", "instr", "4"],
            &["doctor"],
            &["doctor", "--repair"],
            &["init"],
            &["job", "add", "Another"],
        ] {
            let out = db.run(args);
            let err = error_line(&out, 4, &format!("{args:?} at user_version {lowered}"));
            assert!(err.contains("claims an older schema than it has"), "{err}");
            assert!(
                err.contains(&format!("says {lowered}, its tables are version {current}")),
                "{err}"
            );
            assert!(
                err.contains(&format!("PRAGMA user_version = {current}")),
                "{err}"
            );
            assert_eq!(read(&db.path), bytes, "{args:?} changed the file");
            // No pre-migration copy, no companion files: nothing was started.
            assert_eq!(files(db.dir.path()), ["jobloop.db"], "{args:?}");
        }
    }
    // Put back as the message says, the file is as it was.
    set_user_version(&db.path, current);
    assert_eq!(db.ok(&["export"]), state);
    assert!(db.ok(&["verify"]).contains("verified"));
}

/// A TCP proxy to the test cluster that cuts the first connection when the client sends
/// `marker`, and from then on closes every new connection at once: a server gone for good.
fn cutting_proxy(port: u16, marker: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let local = listener.local_addr().unwrap().port();
    let cut = Arc::new(AtomicBool::new(false));
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(mut client) = client else { continue };
            if cut.load(Ordering::SeqCst) {
                drop(client);
                continue;
            }
            let Ok(mut server) = TcpStream::connect(("127.0.0.1", port)) else {
                continue;
            };
            let (mut c_out, mut s_in) = (client.try_clone().unwrap(), server.try_clone().unwrap());
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut s_in, &mut c_out);
            });
            let cut = cut.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 16 * 1024];
                let mut tail: Vec<u8> = Vec::new();
                loop {
                    let n = match client.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    tail.extend_from_slice(&buf[..n]);
                    if tail.windows(marker.len()).any(|w| w == marker) {
                        cut.store(true, Ordering::SeqCst);
                        let _ = client.shutdown(std::net::Shutdown::Both);
                        let _ = server.shutdown(std::net::Shutdown::Both);
                        break;
                    }
                    if server.write_all(&buf[..n]).is_err() {
                        break;
                    }
                    let keep = tail.len().saturating_sub(marker.len());
                    tail.drain(..keep);
                }
            });
        }
    });
    local
}

#[test]
fn a_lost_connection_is_an_io_failure_not_a_lock() {
    let Some(cluster) = common::pg::require("a_lost_connection_is_an_io_failure_not_a_lock") else {
        return;
    };
    let url = cluster.new_database();
    let run = |url: &str, args: &[&str]| {
        Command::new(common::bin())
            .arg("--db")
            .arg(url)
            .args(args)
            .env_remove("JOBLOOP_DB")
            .output()
            .unwrap()
    };
    assert!(run(&url, &["job", "add", "Triage"]).status.success());
    // The same database through the proxy: the connection is cut when `verify` reads the trail,
    // and the server cannot be reached again. jobloop retries, then says what happened.
    let port = cutting_proxy(cluster.port, b"FROM audit_events ORDER BY seq");
    let through = url.replace(&format!(":{}/", cluster.port), &format!(":{port}/"));
    assert_ne!(through, url);
    let out = run(&through, &["verify"]);
    let err = error_line(&out, 7, "verify over a lost connection");
    assert!(err.contains("was lost"), "{err}");
    assert!(!err.contains("busy") && !err.contains("locked"), "{err}");
    assert!(err.contains("run the command again"), "{err}");
    // The database itself is intact.
    assert!(String::from_utf8_lossy(&run(&url, &["verify"]).stdout).contains("verified"));
}

#[test]
fn a_url_without_the_password_the_server_asks_for_says_which_is_missing() {
    let Some(cluster) =
        common::pg::require("a_url_without_the_password_the_server_asks_for_says_which_is_missing")
    else {
        return;
    };
    let url = cluster.new_database();
    // One member who must give a password (SCRAM), ahead of the cluster's trust rules.
    let mut add = Command::new(common::bin())
        .arg("--db")
        .arg(&url)
        .args(["team", "add", "pw_ana", "--password-stdin"])
        .env_remove("JOBLOOP_DB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin.take().unwrap().write_all(b"s3cret\n").unwrap();
    let added = add.wait_with_output().unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let admin = || cluster.admin();
    let hba: PathBuf = cluster.dir.join("data").join("pg_hba.conf");
    let rules = std::fs::read_to_string(&hba).unwrap();
    if !rules.contains("pw_ana") {
        std::fs::write(
            &hba,
            format!("host all pw_ana 127.0.0.1/32 scram-sha-256\n{rules}"),
        )
        .unwrap();
        admin().batch_execute("SELECT pg_reload_conf()").unwrap();
    }
    // PGPASSWORD is libpq's: the `postgres` crate does not read it (nor ~/.pgpass), so the
    // message does not offer it, and setting it changes nothing.
    let run = |url: &str| {
        Command::new(common::bin())
            .arg("--db")
            .arg(url)
            .arg("review")
            .env_remove("JOBLOOP_DB")
            .env("PGPASSWORD", "s3cret")
            .output()
            .unwrap()
    };
    let without = url.replace(&format!("{}@", cluster.user), "pw_ana@");
    // The reload is asynchronous: wait until the server asks for the password.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let out = loop {
        let out = run(&without);
        if !out.status.success() || std::time::Instant::now() > deadline {
            break out;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let err = error_line(&out, 6, "a URL without the password");
    assert!(err.contains("asks for a password for role pw_ana"), "{err}");
    assert!(
        err.contains("postgresql://pw_ana:PASSWORD@127.0.0.1:"),
        "{err}"
    );
    assert!(!err.contains("cannot reach"), "{err}");
    // With the password in the URL the login succeeds (and the review is read).
    let with = url.replace(&format!("{}@", cluster.user), "pw_ana:s3cret@");
    let out = run(&with);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A wrong one is refused by the server, in its words.
    let wrong = url.replace(&format!("{}@", cluster.user), "pw_ana:nope@");
    let err = error_line(&run(&wrong), 6, "a wrong password");
    assert!(err.contains("password authentication failed"), "{err}");
}
