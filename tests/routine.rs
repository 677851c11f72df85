//! The weekly routine through the real binary, from an empty database to a closed cycle.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Db;

fn loop_of<'a>(review: &'a serde_json::Value, slug: &str, kind: &str) -> &'a serde_json::Value {
    let job = review["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["slug"] == slug)
        .unwrap_or_else(|| panic!("no job {slug} in review"));
    job["loops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == kind)
        .unwrap()
}

// long: the weekly routine end to end, in the order a lead lives it; each step starts from the
// state the one before left
#[test]
fn the_weekly_routine_end_to_end() {
    let db = Db::new();
    let out = db.ok(&[
        "job",
        "add",
        "Triage support tickets",
        "--slug",
        "triage",
        "--statement",
        "When a ticket lands, I want it routed, so I can answer the same day",
    ]);
    assert!(out.contains("added job `triage`"), "{out}");

    let review = db.json(&["review", "--json"]);
    let job = &review["jobs"][0];
    assert_eq!(job["open_now"], "understand");
    assert_eq!(job["loops"].as_array().unwrap().len(), 6);
    let kinds: Vec<&str> = job["loops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "understand",
            "redesign",
            "instrument",
            "govern",
            "improve",
            "distribute"
        ]
    );
    assert!(
        job["loops"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["status"] == "not_started")
    );
    assert_eq!(job["questions"]["understand"], false);

    // Understand: the canvas and the checklist, then close it.
    db.ok(&[
        "job",
        "edit",
        "triage",
        "--workaround",
        "Two agents tag tickets by hand",
    ]);
    db.ok(&["loop", "owner", "triage", "understand", "Ana"]);
    for n in ["1", "2", "3", "4"] {
        db.ok(&[
            "loop",
            "step",
            "triage",
            "underst",
            n,
            "--done",
            "--evidence",
            "interviews",
        ]);
    }
    db.ok(&["loop", "close", "triage", "understand"]);

    // Instrument: metric, baselines before the change, the change, live values.
    db.ok(&["loop", "owner", "triage", "instr", "Ben"]);
    db.ok(&[
        "metric",
        "set",
        "triage",
        "instr",
        "time to triage",
        "--unit",
        "h",
        "--better",
        "lower",
    ]);
    db.ok(&[
        "baseline",
        "triage",
        "instr",
        "9",
        "--at",
        "2026-10-01",
        "--note",
        "week 1",
    ]);
    db.ok(&["baseline", "triage", "instr", "11", "--at", "2026-10-08"]);
    db.ok(&["baseline", "triage", "instr", "10", "--at", "2026-10-15"]);
    db.ok(&[
        "intervene",
        "triage",
        "instr",
        "Agent drafts the routing",
        "--at",
        "2026-10-20",
    ]);
    db.ok(&["measure", "triage", "instr", "7", "--at", "2026-10-27"]);
    db.ok(&["measure", "triage", "instr", "6.5"]);

    // A kill signal, tripped with a reason, then the decision to continue.
    db.ok(&[
        "kill",
        "add",
        "triage",
        "instr",
        "Misrouted tickets exceed 5%",
    ]);
    let out = db.ok(&[
        "kill",
        "trip",
        "triage",
        "instr",
        "2",
        "--reason",
        "7% misrouted",
        "--evidence",
        "sample of 100",
    ]);
    assert!(out.contains("tripped kill signal 2"), "{out}");

    let review = db.json(&["review", "--json"]);
    assert_eq!(review["jobs"][0]["open_now"], "redesign");
    assert_eq!(review["jobs"][0]["questions"]["understand"], true);
    let instr = loop_of(&review, "triage", "instrument");
    assert_eq!(instr["status"], "open");
    assert_eq!(instr["owner"], "Ben");
    assert_eq!(instr["metric"]["name"], "time to triage");
    assert_eq!(instr["metric"]["better"], "lower");
    assert_eq!(instr["baseline"]["n"], 3);
    assert_eq!(instr["baseline"]["mean"], 10.0);
    assert_eq!(instr["latest"], 6.5);
    assert_eq!(instr["interventions"], 1);
    let flags: Vec<&str> = instr["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert_eq!(flags, ["kill-tripped"]);
    let k = &instr["kill_signals"][1];
    assert_eq!(k["tripped"], true);
    assert_eq!(k["reason"], "7% misrouted");
    assert_eq!(k["evidence"], "sample of 100");
    assert_eq!(k["changed_by"], "tester");

    let text = db.ok(&["review"]);
    assert!(text.contains("KILL SIGNAL TRIPPED"), "{text}");
    db.ok(&[
        "loop",
        "continue",
        "triage",
        "instr",
        "--reason",
        "misroutes fixed by a rule",
    ]);
    let review = db.json(&["review", "--json"]);
    assert!(
        loop_of(&review, "triage", "instrument")["flags"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Govern: an irreversible decision with its owner.
    db.ok(&[
        "decide",
        "triage",
        "govern",
        "Auto-close duplicates",
        "--owner",
        "Chen",
        "--threshold",
        "exact duplicates only",
    ]);
    let shown = db.json(&["loop", "show", "triage", "govern", "--json"]);
    assert_eq!(shown["decisions"][0]["owner"], "Chen");
    assert_eq!(
        shown["status"], "open",
        "a decision is activity: it opens the loop"
    );

    // The compound test closes the week; the first broken layer names the next job.
    let out = db.ok(&[
        "cycle",
        "close",
        "triage",
        "--understanding",
        "yes",
        "--explanation",
        "yes",
        "--creation",
        "no",
        "--distribution",
        "no",
        "--note",
        "routing still manual",
    ]);
    assert!(out.contains("creation broke"), "{out}");
    let review = db.json(&["review", "--json"]);
    let job = &review["jobs"][0];
    assert_eq!(job["next_job"], "redesign");
    assert_eq!(job["last_compound"]["creation"], false);
    assert_eq!(job["last_compound"]["compounds"], false);
    assert_eq!(job["cycle"]["due"], false);

    // Every command left its audit event, with the actor.
    let log = db.json(&["log", "--json", "--limit", "100"]);
    let events = log.as_array().unwrap();
    assert_eq!(events.len(), 21);
    assert!(events.iter().all(|e| e["actor"] == "tester"));
    assert_eq!(events[0]["command"], "cycle close");
    let trip = events.iter().find(|e| e["command"] == "kill trip").unwrap();
    assert_eq!(trip["before"]["kill_signals"]["1"]["state"], "armed");
    assert_eq!(trip["after"]["kill_signals"]["1"]["state"], "tripped");

    // Retire: the loop is killed and refuses further records until reopened.
    db.ok(&[
        "kill",
        "trip",
        "triage",
        "improve",
        "--reason",
        "same mistake twice",
    ]);
    db.ok(&[
        "loop",
        "retire",
        "triage",
        "improve",
        "--reason",
        "not worth it yet",
    ]);
    let review = db.json(&["review", "--json"]);
    assert_eq!(loop_of(&review, "triage", "improve")["status"], "killed");
    db.refused(&["loop", "step", "triage", "improve", "1", "--done"], 1);
    db.ok(&["loop", "open", "triage", "improve"]);

    db.ok(&["loop", "note", "triage", "improve", "Retro every Friday"]);
    let shown = db.json(&["loop", "show", "triage", "improve", "--json"]);
    assert_eq!(shown["notes"], "Retro every Friday");
    assert!(
        db.ok(&["loop", "show", "triage", "improve"])
            .contains("Retro every Friday")
    );
}

#[test]
fn help_says_what_no_command_does_on_a_terminal_and_when_piped() {
    // `text_outputs_read_well` checks the piped side; the terminal side is the TUI's tests.
    let db = Db::new();
    let long = db.ok(&["--help"]);
    assert!(
        long.contains("on a terminal to open the interactive board"),
        "{long}"
    );
    assert!(
        long.contains("piped or redirected, it prints the weekly review as text"),
        "{long}"
    );
    let short = db.ok(&["-h"]);
    assert!(
        short.contains("no command: the board on a terminal, the weekly review when piped"),
        "{short}"
    );
}

#[test]
fn text_outputs_read_well() {
    let db = Db::new();
    // Piped, the program prints the review; with no database there it says how to make one.
    // (The shared store has its schema from `migrate` already.)
    if !db.shared() {
        let err = db.refused(&[], 3);
        assert!(err.contains("there is no database at"), "{err}");
        db.ok(&["init"]);
    }
    let empty = db.ok(&[]);
    assert!(empty.contains("No jobs yet"), "{empty}");
    db.ok(&["demo"]);
    let review = db.ok(&[]);
    assert!(review.starts_with("Weekly review"), "{review}");
    assert!(review.contains("support-triage"));
    assert!(review.contains("needs you:"));
    let md = db.ok(&["review", "--markdown"]);
    assert!(md.contains("| job | understand | redesign |"), "{md}");
    assert!(
        md.contains("### Triage support tickets (support-triage)"),
        "{md}"
    );
    assert!(md.contains("| loop | metric | baseline | live | change | verdict | trend |"));
    assert!(md.contains("| improved, target reached |"), "{md}");
    assert!(md.chars().any(|c| ('▁'..='█').contains(&c)), "a sparkline");
    assert!(md.contains("**In 2026-W") || md.contains("Nothing was recorded in 2026-W"));
    assert!(md.contains("- **tripped** (instrument)"), "{md}");
    assert!(md.contains("**next job: redesign**"), "{md}");
    let show = db.ok(&["loop", "show", "support-triage", "instrument"]);
    assert!(
        show.contains("Checklist") && show.contains("Kill signals"),
        "{show}"
    );
    let job = db.ok(&["job", "show", "coaching-follow-up"]);
    assert!(job.contains("current workaround"), "{job}");
    let list = db.ok(&["job", "list"]);
    assert_eq!(list.lines().count(), 3);
    let log = db.ok(&["log", "support-triage", "--limit", "5"]);
    assert_eq!(log.lines().count(), 5);
}

#[test]
fn the_demo_tells_a_story() {
    let db = Db::new();
    let out = db.ok(&["demo"]);
    assert!(out.contains("3 jobs over 8 weeks"), "{out}");
    let review = db.json(&["review", "--json"]);
    let jobs = review["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 3);
    assert_eq!(review["totals"]["kill_tripped"], 1);
    assert!(jobs.iter().all(|j| j["last_compound"].is_object()));
    assert!(jobs.iter().any(|j| j["cycle"]["overdue"] == true));
    let instr = loop_of(&review, "support-triage", "instrument");
    assert!(instr["baseline"]["n"].as_i64().unwrap() >= 3);
    assert!(instr["live_n"].as_i64().unwrap() >= 4);
    // The demo fills only an empty database.
    db.refused(&["demo"], 1);
    // A seed gives the same records every time (within a week: dates end last Sunday).
    let again = Db::new();
    again.ok(&["demo"]);
    assert_eq!(again.ok(&["export"]), db.ok(&["export"]));
    let other = Db::new();
    other.ok(&["demo", "--seed", "2"]);
    assert_ne!(other.ok(&["export"]), db.ok(&["export"]));
}

#[test]
fn archived_jobs_leave_the_review_but_keep_their_records() {
    let db = Db::new();
    db.ok(&["job", "add", "Old job"]);
    db.ok(&["job", "archive", "old-job"]);
    assert!(
        db.json(&["review", "--json"])["jobs"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(db.ok(&["job", "list"]).contains("No jobs"));
    assert!(db.ok(&["job", "list", "--all"]).contains("(archived)"));
    let err = db.refused(&["loop", "owner", "old-job", "govern", "Ana"], 1);
    assert!(err.contains("job unarchive old-job"), "{err}");
    db.ok(&["job", "unarchive", "old-job"]);
    db.ok(&["loop", "owner", "old-job", "govern", "Ana"]);
}

/// The TUI's first screen reads the head of the board: the same jobs, in the same order, with
/// the same state as the whole board's first rows, archived jobs left out.
#[test]
fn the_first_screen_is_the_head_of_the_board() {
    let db = Db::new();
    for i in 0..7 {
        db.ok(&[
            "job",
            "add",
            &format!("Job {i}"),
            "--slug",
            &format!("job-{i}"),
        ]);
    }
    db.ok(&["loop", "owner", "job-1", "govern", "Ana"]);
    db.ok(&["job", "archive", "job-2"]);
    let mut store = jobloop::store::Store::open(&db.path, jobloop::store::Missing::Refuse).unwrap();
    let whole = store.board().unwrap();
    let slugs = |b: &jobloop::store::Board| -> Vec<String> {
        b.jobs.iter().map(|j| j.job.slug.clone()).collect()
    };
    assert_eq!(slugs(&whole).len(), 6);
    for (n, more) in [
        (0, true),
        (1, true),
        (3, true),
        (5, true),
        (6, false),
        (50, false),
    ] {
        let (head, has_more) = store.board_first(n).unwrap();
        assert_eq!(has_more, more, "first {n}");
        assert_eq!(slugs(&head), slugs(&whole)[..n.min(6)], "first {n}");
        for (a, b) in head.jobs.iter().zip(&whole.jobs) {
            assert_eq!(a.loops, b.loops, "first {n}: {}", a.job.slug);
            assert!(head.unreadable.is_empty());
        }
    }
    assert_eq!(
        store.board_first(usize::MAX).unwrap().0.jobs.len(),
        6,
        "no limit overflows"
    );
}

#[test]
fn unchanged_commands_write_no_event() {
    let db = Db::new();
    db.ok(&["job", "add", "Job"]);
    db.ok(&["loop", "owner", "job", "govern", "Ana"]);
    let before = db.state();
    let out = db.ok(&["loop", "owner", "job", "govern", "Ana"]);
    assert!(out.contains("nothing changed"), "{out}");
    assert_eq!(db.state(), before);
}

#[test]
fn replacing_a_metric_is_explicit_and_restarts_baselines() {
    let db = Db::new();
    db.ok(&["job", "add", "Job"]);
    db.ok(&[
        "metric", "set", "job", "instr", "hours", "--better", "lower",
    ]);
    db.ok(&["baseline", "job", "instr", "5", "--at", "2026-01-05"]);
    let err = db.refused(
        &[
            "metric", "set", "job", "instr", "csat", "--better", "higher",
        ],
        1,
    );
    assert!(err.contains("metric replace"), "{err}");
    db.ok(&[
        "metric", "replace", "job", "instr", "csat", "--better", "higher",
    ]);
    let review = db.json(&["review", "--json"]);
    let l = loop_of(&review, "job", "instrument");
    assert_eq!(l["metric"]["name"], "csat");
    assert!(l["baseline"].is_null());
    assert!(
        l["flags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "no-baseline")
    );
    let ex = db.json(&["export"]);
    assert_eq!(
        ex["metrics"].as_array().unwrap().len(),
        2,
        "the old metric is kept"
    );
}

// long: one review's JSON read for each figure it carries in turn; the figures are the test
#[test]
fn review_json_carries_the_comparison_and_process_limits() {
    let db = Db::new();
    db.ok(&["job", "add", "Job"]);
    db.ok(&[
        "metric", "set", "job", "instr", "hours", "--unit", "h", "--better", "lower",
    ]);
    for (v, d) in [
        ("9.5", "2026-10-01"),
        ("10.5", "2026-10-02"),
        ("10", "2026-10-03"),
        ("11", "2026-10-04"),
    ] {
        db.ok(&["baseline", "job", "instr", v, "--at", d]);
    }
    db.ok(&[
        "intervene",
        "job",
        "instr",
        "agent drafts",
        "--at",
        "2026-10-05",
    ]);
    for (v, d) in [
        ("7", "2026-10-06"),
        ("6.5", "2026-10-07"),
        ("8", "2026-10-08"),
    ] {
        db.ok(&["measure", "job", "instr", v, "--at", d]);
    }
    let review = db.json(&["review", "--json"]);
    let l = loop_of(&review, "job", "instrument");
    let c = &l["comparison"];
    assert_eq!(c["baseline_n"], 4);
    assert_eq!(c["live_n"], 3);
    // 1 in 35 would pass one test at 5%, but the lead looks every week: no look before the
    // 7th can reach its share of 5% with 4 baseline values.
    assert_eq!(c["verdict"], "not-enough-data");
    assert_eq!(c["values_needed"], 4);
    assert_eq!(c["sequential"]["horizon"], 12);
    assert_eq!(c["sequential"]["horizon_from"], "default");
    assert!(c["target_met"].is_null());
    // SciPy's Welch interval for these values: (-4.6067, -1.5600).
    assert!((c["ci_low"].as_f64().unwrap() + 4.606699).abs() < 1e-5);
    assert!((c["ci_high"].as_f64().unwrap() + 1.559968).abs() < 1e-5);
    let p = &l["process"];
    assert_eq!(p["center"], 10.25);
    // Limits from 4 baseline values are a first guess: no signal is judged against them.
    assert_eq!(p["provisional"], true);
    assert_eq!(p["baseline_n"], 4);
    assert_eq!(p["signals"].as_array().map(Vec::len), Some(0));
    // The chart is split at the intervention: the baseline phase, then the live values' own.
    assert_eq!(p["phases"][0]["center"], 10.25);
    assert!(p["phases"][0]["from"].is_null());
    assert_eq!(p["phases"][1]["n"], 3);
    // Without a metric there is nothing to compare.
    assert!(loop_of(&review, "job", "govern")["comparison"].is_null());
    assert!(loop_of(&review, "job", "govern")["process"].is_null());
    let text = db.ok(&["loop", "show", "job", "instr"]);
    assert!(
        text.contains("not enough data: a lead looks every week, so 5% is shared among the plan's 12 live values and no look so far can reach its share (the best possible p now is 0.029); 4 more live value(s) would make a verdict possible"),
        "{text}"
    );
    for (v, d) in [
        ("7.5", "2026-10-09"),
        ("7", "2026-10-10"),
        ("6", "2026-10-11"),
        ("7.2", "2026-10-12"),
    ] {
        db.ok(&["measure", "job", "instr", v, "--at", d]);
    }
    let review = db.json(&["review", "--json"]);
    let c = &loop_of(&review, "job", "instrument")["comparison"];
    assert_eq!(c["verdict"], "improved");
    assert_eq!(c["sequential"]["decided_at"], 7);
    let text = db.ok(&["loop", "show", "job", "instr"]);
    assert!(
        text.contains(
            "improved (lower is better): decided at live value 7 of the plan's 12 (p = 0.003"
        ),
        "{text}"
    );
}

// The same tests on the shared PostgreSQL store.
#[test]
fn a_lead_records_a_sign_off_witnessed_and_the_trail_says_so() {
    let db = Db::new();
    db.ok(&["job", "add", "Mail", "--slug", "m"]);
    let out = db.ok(&[
        "decide",
        "m",
        "govern",
        "Agents answer invoices",
        "--owner",
        "Chen",
        "--threshold",
        "under 50 EUR",
    ]);
    let id = out.split("decision ").nth(1).unwrap()[..8].to_string();
    // The lead alone cannot sign it; the refusal names both ways.
    let err = db.refused(&["decide", "m", "govern", "--approve", &id], 6);
    assert!(err.contains("--witnessed"), "{err}");
    // Witnessed: the owner's sign-off recorded by the lead, with the threshold, said as such.
    let out = db.ok(&["decide", "m", "govern", "--approve", &id, "--witnessed"]);
    assert!(
        out.contains("recorded Chen's sign-off") && out.contains("witnessed, not signed by them"),
        "{out}"
    );
    assert!(out.contains("under 50 EUR"), "{out}");
    let shown = db.ok(&["loop", "show", "m", "govern"]);
    assert!(
        shown.contains("WITNESSED sign-off: tester recorded Chen's sign-off"),
        "{shown}"
    );
    let d = &db.json(&["loop", "show", "m", "govern", "--json"])["decisions"][0];
    assert_eq!(d["approved_by"], "Chen", "{d}");
    assert_eq!(d["witnessed_by"], "tester", "{d}");
    let log = db.ok(&["log", "m"]);
    assert!(log.contains("decide witness"), "{log}");
    // The review tells it apart from a signed one, in words and in JSON.
    let review = db.ok(&["review"]);
    assert!(
        review.contains("witnessed sign-offs (recorded on the owner's word, not signed by them):")
            && review.contains("tester recorded Chen's sign-off of"),
        "{review}"
    );
    let govern = db.json(&["review", "--json"])["jobs"][0]["loops"][3].clone();
    assert_eq!(govern["kind"], "govern", "{govern}");
    assert_eq!(
        govern["witnessed_sign_offs"][0]["owner"], "Chen",
        "{govern}"
    );
    assert_eq!(
        govern["witnessed_sign_offs"][0]["witnessed_by"], "tester",
        "{govern}"
    );
    // The register, the document for the people who ask, never calls it signed.
    let register = db.ok(&["register"]);
    assert!(
        register.contains("WITNESSED sign-off: recorded by tester")
            && !register.contains("signed off"),
        "{register}"
    );
    let r = &db.json(&["register", "--json"])["jobs"][0]["decisions"][0];
    assert_eq!(r["signed_off"], false, "{r}");
    assert_eq!(r["witnessed_by"], "tester", "{r}");
    // The owner's own decision is signed, not witnessed; a sign-off is never undone.
    let out = db.ok(&["decide", "m", "govern", "Refunds", "--owner", "tester"]);
    let mine = out.split("decision ").nth(1).unwrap()[..8].to_string();
    let err = db.refused(
        &["decide", "m", "govern", "--approve", &mine, "--witnessed"],
        2,
    );
    assert!(err.contains("sign it off yourself"), "{err}");
    db.refused(&["decide", "m", "govern", "--witnessed"], 2);
    assert!(db.ok(&["verify"]).contains("intact"));
}

also_on_postgres!(
    the_weekly_routine_end_to_end,
    text_outputs_read_well,
    the_demo_tells_a_story,
    archived_jobs_leave_the_review_but_keep_their_records,
    the_first_screen_is_the_head_of_the_board,
    unchanged_commands_write_no_event,
    replacing_a_metric_is_explicit_and_restarts_baselines,
    review_json_carries_the_comparison_and_process_limits,
);
