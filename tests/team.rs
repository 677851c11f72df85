//! Team mode on a shared PostgreSQL database: identity from the server, the owner rules
//! enforced by the domain and by the server, concurrent writers and open screens, a lost
//! connection, a failover to a synchronous standby, dates across time zones, and the round trip
//! to and from a local file. Skipped with a printed reason where PostgreSQL is not installed
//! (failing instead under `CI=true`).
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::pg;
use common::team::{Check, job, team};
use jobloop::store::{Missing, Store};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

#[test]
fn the_server_says_who_acts() {
    let Some(t) = team() else { return };
    job(&t);
    let log = t.as_user("ben", &["log", "mail"]).assert_ok();
    assert!(log.contains("ben "), "{log}");
    assert!(log.contains("ana "), "{log}");
    let before = t.export();
    let err = t
        .as_user("ben", &["--as", "ana", "baseline", "mail", "instr", "4"])
        .assert_code(6);
    assert!(
        err.contains("you act as the role you logged in with (ben)"),
        "{err}"
    );
    assert_eq!(t.export(), before);
    // `--as` naming yourself is fine.
    t.as_user("ben", &["--as", "ben", "baseline", "mail", "instr", "4"])
        .assert_ok();
    let members = t.as_user("tester", &["team", "list"]).assert_ok();
    assert_eq!(members, "ana\nben\n");
}

#[test]
fn owners_record_on_their_own_loops_only() {
    let Some(t) = team() else { return };
    job(&t);
    let before = t.export();
    // ben owns instrument, not govern; ana leads the job, so she may record on every loop.
    let err = t
        .as_user(
            "ben",
            &["learn", "mail", "govern", "a note", "--type", "evidence"],
        )
        .assert_code(6);
    assert!(
        err.contains("only its owner and the job's lead may"),
        "{err}"
    );
    let err = t
        .as_user("ben", &["job", "edit", "mail", "--workaround", "x"])
        .assert_code(6);
    assert!(err.contains("only its lead may"), "{err}");
    assert_eq!(t.export(), before);
    t.as_user(
        "ana",
        &["learn", "mail", "govern", "a note", "--type", "evidence"],
    )
    .assert_ok();
    t.as_user("ben", &["baseline", "mail", "instr", "4.5"])
        .assert_ok();
}

#[test]
fn the_server_refuses_what_the_domain_refuses() {
    let Some(t) = team() else { return };
    job(&t);
    let before = t.export();
    let govern = "(SELECT l.id FROM loops l JOIN jobs j ON j.id = l.job_id WHERE j.slug = 'mail' AND l.kind = 'govern')";
    // Behind jobloop's back, as ben: another owner's loop, the audit trail.
    let e = t
        .sql(
            "ben",
            &format!(
                "INSERT INTO learnings (id, loop_id, text, type, at, recorded_by) SELECT 'x', {govern}, 'sneaky', 'evidence', '2026-11-02T00:00:00.000Z', 'ben'"
            ),
        )
        .unwrap_err();
    assert!(format!("{e:?}").contains("row-level security"), "{e:?}");
    let changed = t
        .sql(
            "ben",
            &format!("UPDATE loops SET owner = 'ben' WHERE id = {govern}"),
        )
        .unwrap();
    assert_eq!(changed, 0, "ben cannot take over a loop");
    for sql in [
        "UPDATE audit_events SET summary = 'x'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        let e = t.sql("ben", sql).unwrap_err();
        assert!(
            format!("{e:?}").contains("permission denied"),
            "{sql}: {e:?}"
        );
    }
    assert_eq!(t.export(), before);
}

/// A tool is the job's record: only its lead voids one, and the void names who did it as the
/// server knows them. A member's SQL around jobloop changes nothing.
#[test]
fn a_tool_is_voided_by_the_jobs_lead_as_herself() {
    let Some(t) = team() else { return };
    job(&t);
    t.as_user("ana", &["tool", "mail", "Helpdesk agent"])
        .assert_ok();
    let before = t.export();
    let err = t
        .as_user(
            "ben",
            &[
                "tool",
                "mail",
                "helpdesk agent",
                "--void",
                "--reason",
                "mine now",
            ],
        )
        .assert_code(6);
    assert!(err.contains("only its lead may"), "{err}");
    let void = "SET void_at = '2026-11-02T00:00:00.000Z', void_by = 'ana', void_reason = 'x'";
    let said = common::team::refused(
        t.sql("ben", &format!("UPDATE tools {void}")),
        "ben voiding ana's tool",
    );
    assert!(
        said.contains("no row") || said.contains("security"),
        "{said}"
    );
    let as_ben = "SET void_at = '2026-11-02T00:00:00.000Z', void_by = 'ben', void_reason = 'x'";
    let said = common::team::refused(
        t.sql("ana", &format!("UPDATE tools {as_ben}")),
        "ana voiding under ben's name",
    );
    assert!(said.contains("ben"), "{said}");
    assert_eq!(t.export(), before);
    t.as_user(
        "ana",
        &[
            "tool",
            "mail",
            "Helpdesk agent",
            "--void",
            "--reason",
            "wrong job",
        ],
    )
    .assert_ok();
    let shown = t
        .as_user("ben", &["job", "show", "mail", "--json"])
        .assert_ok();
    let tools: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(tools["tools"][0]["void"]["by"], "ana");
    assert_eq!(tools["tools"][0]["void"]["reason"], "wrong job");
    t.as_user("ana", &["verify"]).assert_ok();
}

#[test]
fn a_decision_is_signed_off_by_its_owner_only() {
    let Some(t) = team() else { return };
    job(&t);
    let out = t
        .as_user(
            "ana",
            &[
                "decide",
                "mail",
                "govern",
                "Agents answer invoices",
                "--owner",
                "ben",
            ],
        )
        .assert_ok();
    // In team mode the remedy never suggests acting as someone else.
    assert!(
        out.contains(
            "ben signs it off, logged in as themselves, with `jobloop decide mail govern --approve"
        ),
        "{out}"
    );
    assert!(!out.contains("--as"), "{out}");
    let id = out.split("decision ").nth(1).unwrap()[..8].to_string();
    let review = t.as_user("ana", &["review", "--json"]).assert_ok();
    assert!(review.contains("decision-pending"), "{review}");
    let err = t
        .as_user("ana", &["decide", "mail", "govern", "--approve", &id])
        .assert_code(6);
    assert!(err.contains("cannot sign it off"), "{err}");
    // Nor record it as witnessed: on the shared database only the owner signs.
    let err = t
        .as_user(
            "ana",
            &["decide", "mail", "govern", "--approve", &id, "--witnessed"],
        )
        .assert_code(6);
    assert!(err.contains("cannot be witnessed there"), "{err}");
    // Nor, through the server, a witness on the row.
    let e = t
        .sql("ana", "UPDATE decisions SET witnessed_by = 'ana'")
        .unwrap_err();
    assert!(format!("{e:?}").contains("stays as it was"), "{e:?}");
    // ben signs off a decision on a loop he does not own: it is his decision.
    t.as_user("ben", &["decide", "mail", "govern", "--approve", &id])
        .assert_ok();
    // Nor may the lead sign it off through the server: a sign-off is the owner's, logged in as
    // themselves.
    let e = t
        .sql("ana", "UPDATE decisions SET approved_by = 'ana'")
        .unwrap_err();
    assert!(format!("{e:?}").contains("only ben signs off"), "{e:?}");
    t.as_user("tester", &["verify"]).assert_ok();
}

#[test]
fn the_schema_is_created_once_and_an_old_or_newer_one_is_refused() {
    let Some(t) = team() else { return };
    // Two more migrations at once change nothing.
    let a = std::thread::spawn({
        let u = t.url("tester");
        move || Store::migrate(Path::new(&u)).map(|_| ())
    });
    Store::migrate(Path::new(&t.url("tester"))).unwrap();
    a.join().unwrap().unwrap();
    t.sql(
        "tester",
        "UPDATE jobloop_meta SET value = '2' WHERE key = 'schema_version'",
    )
    .unwrap();
    let err = t.as_user("ana", &["review"]).assert_code(4);
    assert!(err.contains("run `jobloop --db URL migrate`"), "{err}");
    t.sql(
        "tester",
        "UPDATE jobloop_meta SET value = '99' WHERE key = 'schema_version'",
    )
    .unwrap();
    let err = t.as_user("ana", &["review"]).assert_code(4);
    assert!(err.contains("newer jobloop"), "{err}");
    let err = t.as_user("tester", &["migrate"]).assert_code(4);
    assert!(err.contains("newer jobloop"), "{err}");
    // A database without the schema says how to make one; nothing is created by a read.
    let cluster = t.cluster;
    cluster
        .admin()
        .batch_execute("CREATE DATABASE bare OWNER tester")
        .unwrap();
    let bare = cluster.url("tester", "bare");
    let out = Command::new(env!("CARGO_BIN_EXE_jobloop"))
        .args(["--db", &bare, "job", "add", "X"])
        .output()
        .unwrap();
    let err = out.assert_code(3);
    assert!(err.contains("migrate"), "{err}");
}

// long: four writers and two open screens run together and then every record counted; the parts
// only mean something together
#[test]
fn four_writers_and_two_open_screens_lose_nothing() {
    let Some(t) = team() else { return };
    t.as_user("tester", &["job", "add", "Triage", "--slug", "triage"])
        .assert_ok();
    t.as_user(
        "tester",
        &[
            "metric", "set", "triage", "instr", "hours", "--better", "lower",
        ],
    )
    .assert_ok();
    let url = t.url("tester");
    // Two screens: stores that poll for changes and reload the board as the TUI's worker does.
    // They start listening before any writer starts (as the TUI's worker does before its first
    // load), and after the writers stop they keep looking until they saw a change or ten
    // seconds passed: a loaded machine may deliver the notifications late, never not at all.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let listening = std::sync::Arc::new(std::sync::Barrier::new(3));
    let screens: Vec<_> = (0..2)
        .map(|_| {
            let url = url.clone();
            let stop = stop.clone();
            let listening = listening.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(Path::new(&url), Missing::Refuse).unwrap();
                let mut seen = s.data_version().unwrap();
                listening.wait();
                let mut reloads = 0;
                let mut stopped_at = None;
                loop {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let at = *stopped_at.get_or_insert_with(std::time::Instant::now);
                        if reloads > 0 || at.elapsed() > Duration::from_secs(10) {
                            break;
                        }
                    }
                    let v = s.data_version().unwrap();
                    if v != seen {
                        seen = v;
                        s.board().unwrap();
                        reloads += 1;
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                reloads
            })
        })
        .collect();
    listening.wait();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(Path::new(&url), Missing::Refuse).unwrap();
                let mut acked = Vec::new();
                for i in 0..50 {
                    let value = (w * 1000 + i) as f64;
                    let ctx = s.ctx(None, jobloop::domain::Stamp::now()).unwrap();
                    s.apply(
                        &ctx,
                        &jobloop::domain::Intent::OnLoop {
                            slug: "triage".into(),
                            kind: jobloop::domain::LoopKind::Instrument,
                            op: jobloop::domain::LoopOp::Learn {
                                text: format!("step {value}"),
                                kind: jobloop::domain::model::LearningType::Evidence,
                                tag: None,
                                capability: None,
                                incident: None,
                                about: None,
                            },
                        },
                    )
                    .expect("no error reaches a writer");
                    acked.push(value);
                }
                acked
            })
        })
        .collect();
    let acked: Vec<f64> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for s in screens {
        assert!(s.join().unwrap() > 0, "an open screen saw the changes");
    }
    assert_eq!(acked.len(), 200);
    let shown = t
        .as_user("tester", &["loop", "show", "triage", "instr"])
        .assert_ok();
    for v in acked {
        assert!(shown.contains(&format!("step {v}")), "step {v} is missing");
    }
    let verified = t.as_user("tester", &["verify"]).assert_ok();
    assert!(verified.contains("intact"), "{verified}");
}

#[test]
fn a_change_reaches_an_open_screen() {
    let Some(t) = team() else { return };
    let mut screen = Store::open(Path::new(&t.url("tester")), Missing::Refuse).unwrap();
    let v0 = screen.data_version().unwrap();
    t.as_user("ana", &["job", "add", "Mail"]).assert_ok();
    let start = Instant::now();
    while screen.data_version().unwrap() == v0 {
        // The TUI looks twice a second; the limit is generous for a loaded test machine.
        assert!(start.elapsed() < Duration::from_secs(10), "no notification");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The screen's own write is not another's change: only others' commits move the version
    // (so the TUI never takes a change made by someone else meanwhile for its own).
    let v1 = screen.data_version().unwrap();
    let ctx = screen.ctx(None, jobloop::domain::Stamp::now()).unwrap();
    screen
        .apply(
            &ctx,
            &jobloop::domain::Intent::AddJob {
                title: "Own".into(),
                slug: None,
                statement: None,
                owner: None,
                since: None,
            },
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(screen.data_version().unwrap(), v1);
}

#[test]
fn a_lost_connection_is_retried_on_a_new_one() {
    let Some(t) = team() else { return };
    t.as_user("tester", &["job", "add", "Triage", "--slug", "triage"])
        .assert_ok();
    let mut s = Store::open(Path::new(&t.url("tester")), Missing::Refuse).unwrap();
    // The server ends the store's session (a restart, a failover, an idle timeout).
    t.cluster
        .admin()
        .batch_execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND application_name = 'jobloop'",
            t.db
        ))
        .unwrap();
    let ctx = s.ctx(None, jobloop::domain::Stamp::now()).unwrap();
    let ack = s
        .apply(
            &ctx,
            &jobloop::domain::Intent::OnLoop {
                slug: "triage".into(),
                kind: jobloop::domain::LoopKind::Understand,
                op: jobloop::domain::LoopOp::AddStep {
                    text: "after the reconnect".into(),
                },
            },
        )
        .expect("the write reconnects and succeeds");
    assert!(ack.changed);
    let shown = t
        .as_user("tester", &["loop", "show", "triage", "understand"])
        .assert_ok();
    assert_eq!(shown.matches("after the reconnect").count(), 1, "{shown}");
}

#[test]
fn a_typed_date_is_the_same_day_in_every_time_zone() {
    let Some(t) = team() else { return };
    t.as_user("tester", &["job", "add", "Triage", "--slug", "triage"])
        .assert_ok();
    t.as_user(
        "tester",
        &[
            "metric", "set", "triage", "instr", "hours", "--better", "lower",
        ],
    )
    .assert_ok();
    let run = |tz: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_jobloop"))
            .arg("--db")
            .arg(t.url("tester"))
            .args(args)
            .env("TZ", tz)
            .output()
            .unwrap()
    };
    run(
        "Europe/Berlin",
        &["baseline", "triage", "instr", "4", "--at", "2026-11-16"],
    )
    .assert_ok();
    for tz in ["UTC", "America/Los_Angeles", "Pacific/Kiritimati"] {
        let shown = run(tz, &["loop", "show", "triage", "instr"]).assert_ok();
        assert!(shown.contains("2026-11-16"), "{tz}: {shown}");
    }
}

#[test]
fn an_export_moves_between_the_shared_store_and_a_file_unchanged() {
    let Some(t) = team() else { return };
    t.as_user("tester", &["demo"]).assert_ok();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shared.json");
    t.as_user("tester", &["export", file.to_str().unwrap()])
        .assert_ok();
    let local = dir.path().join("local.db");
    let run = |db: &str, args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_jobloop"))
            .arg("--db")
            .arg(db)
            .args(["--as", "tester"])
            .args(args)
            .output()
            .unwrap()
    };
    run(local.to_str().unwrap(), &["import", file.to_str().unwrap()]).assert_ok();
    let from_file = run(local.to_str().unwrap(), &["export"]).assert_ok();
    let shared = t.export();
    let body = |s: &str| s.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&from_file), shared);
    // And back into another shared database.
    let again = t.cluster.new_database();
    run(&again, &["import", file.to_str().unwrap()]).assert_ok();
    let back = run(&again, &["export"]).assert_ok();
    assert_eq!(body(&back), shared);
    run(&again, &["verify"]).assert_ok();
    // The demo's people are not on this team: doctor says they can never sign in, and finds
    // nothing else.
    let doctor = run(&again, &["doctor"]);
    let text = String::from_utf8_lossy(&doctor.stdout);
    assert!(
        text.contains("`Dana Levi`, the owner of support-triage/instrument, is not on the team"),
        "{text}"
    );
    assert_eq!(text.matches("FAIL").count(), 1, "{text}");
}

// long: one failover told in order (standby, writer, kill, promotion, reading back); each step
// needs the cluster the one before left
/// A primary with a synchronous standby; a writer acknowledging commands through a multi-host
/// URL; the primary killed; the standby promoted. Every acknowledged write is on the new primary.
#[test]
fn a_failover_keeps_every_acknowledged_write() {
    if pg::require("failover").is_none() {
        return;
    }
    let bin = pg::bin_dir().expect("PostgreSQL binaries");
    let primary = pg::private_dir("primary");
    let standby = pg::private_dir("standby");
    let (pp, sp) = (pg::free_port(), pg::free_port());
    assert!(pg::start_cluster(
        &bin,
        &primary,
        pp,
        &["wal_level=replica"]
    ));
    pg::stop_when_done(&bin, &primary);
    let status = pg::as_postgres(&bin, "pg_basebackup")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &pp.to_string(),
            "-U",
            "postgres",
            "-R",
            "-X",
            "stream",
            "-D",
        ])
        .arg(standby.join("data"))
        .status()
        .unwrap();
    assert!(status.success(), "pg_basebackup");
    assert!(pg::pg_ctl_start(&bin, &standby, sp, &[]));
    pg::stop_when_done(&bin, &standby);
    let admin = |port: u16| {
        postgres::Client::connect(
            &format!("host=127.0.0.1 port={port} user=postgres dbname=postgres"),
            postgres::NoTls,
        )
        .unwrap()
    };
    let mut p = admin(pp);
    for sql in [
        "ALTER SYSTEM SET synchronous_standby_names = '*'",
        "SELECT pg_reload_conf()",
        "CREATE ROLE tester LOGIN CREATEROLE",
        "CREATE DATABASE shared OWNER tester",
    ] {
        p.batch_execute(sql).unwrap();
    }
    let url = format!(
        "postgresql://tester@127.0.0.1:{pp},127.0.0.1:{sp}/shared?target_session_attrs=read-write&connect_timeout=2"
    );
    Store::migrate(Path::new(&url)).unwrap();
    let jl = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_jobloop"))
            .args(["--db", &url])
            .args(args)
            .output()
            .unwrap()
    };
    jl(&["job", "add", "Triage", "--slug", "triage"]).assert_ok();
    // The standby confirms synchronously from here on.
    let start = Instant::now();
    loop {
        let sync: Option<String> = p
            .query_opt("SELECT sync_state FROM pg_stat_replication", &[])
            .unwrap()
            .map(|r| r.get(0));
        if sync.as_deref() == Some("sync") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the standby never became synchronous"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut acked = Vec::new();
    let mut failed = 0;
    let mut killed = false;
    let mut n = 0;
    let deadline = Instant::now() + Duration::from_secs(90);
    while acked.len() < 30 && Instant::now() < deadline {
        n += 1;
        let text = format!("step {n}");
        let out = jl(&["loop", "step-add", "triage", "understand", &text]);
        if out.status.success() {
            acked.push(text);
        } else {
            failed += 1;
        }
        if acked.len() == 10 && !killed {
            killed = true;
            let pid: i32 = std::fs::read_to_string(primary.join("data/postmaster.pid"))
                .unwrap()
                .lines()
                .next()
                .unwrap()
                .parse()
                .unwrap();
            nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::SIGKILL)
                .unwrap();
            let promoted = pg::as_postgres(&bin, "pg_ctl")
                .arg("-D")
                .arg(standby.join("data"))
                .args(["-w", "promote"])
                .status()
                .unwrap();
            assert!(promoted.success(), "promote");
            // The promoted standby must not wait for a standby of its own.
            let mut s = admin(sp);
            s.batch_execute("ALTER SYSTEM RESET synchronous_standby_names")
                .unwrap();
            s.batch_execute("SELECT pg_reload_conf()").unwrap();
        }
    }
    assert!(
        killed && acked.len() >= 30,
        "the writer did not continue: {} acknowledged, {failed} failed",
        acked.len()
    );
    let out = Command::new(env!("CARGO_BIN_EXE_jobloop"))
        .args([
            "--db",
            &format!("postgresql://tester@127.0.0.1:{sp}/shared"),
        ])
        .args(["loop", "show", "triage", "understand"])
        .output()
        .unwrap()
        .assert_ok();
    for text in &acked {
        assert!(
            out.contains(&format!(" {text}\n")) || out.contains(&format!(". {text}")),
            "{text} was acknowledged but is missing:\n{out}"
        );
    }
    let verified = Command::new(env!("CARGO_BIN_EXE_jobloop"))
        .args([
            "--db",
            &format!("postgresql://tester@127.0.0.1:{sp}/shared"),
            "verify",
        ])
        .output()
        .unwrap()
        .assert_ok();
    assert!(verified.contains("intact"), "{verified}");
}

/// On the shared store, undo takes back the person's own last command and nothing a teammate
/// did after it: ana's note is kept from ben's undo of his earlier one, while an undo nobody
/// built on goes through.
#[test]
fn undo_never_takes_back_a_teammates_later_act() {
    let Some(t) = team() else { return };
    job(&t);
    t.as_user("ben", &["loop", "note", "mail", "instr", "ben's note"])
        .assert_ok();
    t.as_user("ana", &["loop", "note", "mail", "instr", "ana's note"])
        .assert_ok();
    let before = t.export();
    let err = t.as_user("ben", &["undo", "--yes"]).assert_code(1);
    assert!(
        err.contains("ana acted on mail/instrument") && err.contains("nothing was undone"),
        "{err}"
    );
    assert_eq!(t.export(), before);
    t.as_user("ana", &["undo", "--yes"]).assert_ok();
    let shown = t
        .as_user("ana", &["loop", "show", "mail", "instr"])
        .assert_ok();
    assert!(shown.contains("ben's note"), "{shown}");
    // Here each name is a login: the register says its sign-offs are authenticated.
    let register = t.as_user("ana", &["register", "--json"]).assert_ok();
    let register: serde_json::Value = serde_json::from_str(&register).unwrap();
    assert_eq!(register["names"], "authenticated");
}
