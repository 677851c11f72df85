//! Real history in: a job's earlier weeks answered (backfill), with their refusals.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Db;
use jobloop::domain::{Stamp, Week};

/// The week `n` weeks before this one, and a day in it (its Monday).
fn weeks_ago(n: u32) -> (String, String) {
    let mut w = Week::containing(Stamp::now());
    for _ in 0..n {
        w = w.previous();
    }
    (w.to_string(), w.monday().to_string())
}

const YES: [&str; 8] = [
    "--understanding",
    "yes",
    "--explanation",
    "yes",
    "--creation",
    "no",
    "--distribution",
    "yes",
];

fn close(slug: &str, week: &str) -> Vec<String> {
    let mut args: Vec<String> = ["cycle", "close", slug, "--week", week]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.extend(YES.iter().map(|s| s.to_string()));
    args
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn a_job_with_an_earlier_start_answers_its_earlier_weeks_and_shows_them_backfilled() {
    let db = Db::new();
    let (w6, monday6) = weeks_ago(6);
    let (w4, _) = weeks_ago(4);
    db.ok(&["job", "add", "Triage", "--slug", "t"]);
    // Recorded today: there is no week 4 weeks ago yet, and the refusal says how to open it.
    let err = db.refused(&strs(&close("t", &w4)), 1);
    assert!(
        err.contains("history begins in") && err.contains("--since"),
        "{err}"
    );
    // A start in the future, or after the day it was recorded, is refused.
    db.refused(&["job", "edit", "t", "--since", "2999-01-01"], 2);
    // Begin its history six weeks ago: weeks 6 and 4 can be answered now.
    db.ok(&["job", "edit", "t", "--since", &monday6]);
    db.ok(&strs(&close("t", &w4)));
    db.ok(&strs(&close("t", &w6)));
    let (w7, _) = weeks_ago(7);
    db.refused(&strs(&close("t", &w7)), 1);
    let shown = db.ok(&["job", "show", "t"]);
    assert!(
        shown.contains(&format!(
            "{w4}  yes yes no  yes  next job: redesign (backfilled on"
        )),
        "{shown}"
    );
    // A later start that would drop a week already answered is refused.
    let (_, monday5) = weeks_ago(5);
    let err = db.refused(&["job", "edit", "t", "--since", &monday5], 1);
    assert!(err.contains(&w6), "{err}");
    // Weeks before the job was recorded are never overdue.
    let review = db.json(&["review", "--json"]);
    assert_eq!(review["jobs"][0]["cycle"]["overdue"], false, "{review}");
    db.ok(&["verify"]);
}

#[test]
fn job_add_since_opens_earlier_weeks_and_its_earliest_record_does_too() {
    let db = Db::new();
    let (w3, monday3) = weeks_ago(3);
    db.ok(&["job", "add", "Old", "--slug", "old", "--since", &monday3]);
    db.ok(&strs(&close("old", &w3)));
    // A job whose earliest dated record is older than the day it was recorded: that week opens.
    db.ok(&["job", "add", "Measured", "--slug", "m"]);
    db.ok(&["metric", "set", "m", "instr", "hours", "--better", "lower"]);
    let (w2, monday2) = weeks_ago(2);
    db.ok(&["baseline", "m", "instr", "5", "--at", &monday2]);
    db.ok(&strs(&close("m", &w2)));
    // Undoing the start puts the job back as it was.
    let db2 = Db::new();
    db2.ok(&["job", "add", "U", "--slug", "u"]);
    let before = db2.state();
    db2.ok(&["job", "edit", "u", "--since", &monday3]);
    db2.ok(&["undo", "--yes"]);
    let after = db2.ok(&["job", "show", "u", "--json"]);
    assert!(!after.contains("\"since\""), "{after}");
    assert_ne!(db2.state(), before, "undo is recorded, not erased");
    db.ok(&["verify"]);
}

/// A dated record opened earlier weeks, one was answered, and the record was voided as a
/// mistake: the answer keeps its week inside the history (it is a record of that week), so the
/// weeks from it on can still be answered, nothing is orphaned, and `verify` agrees. A start
/// after the answered week is still refused.
#[test]
fn an_answered_week_stays_in_the_history_when_the_record_that_opened_it_is_voided() {
    let db = Db::new();
    let (w6, monday6) = weeks_ago(6);
    let (w5, monday5) = weeks_ago(5);
    let (w7, _) = weeks_ago(7);
    db.ok(&["job", "add", "Triage", "--slug", "t"]);
    db.ok(&[
        "learn",
        "t",
        "improve",
        "old lesson",
        "--type",
        "evidence",
        "--at",
        &monday6,
    ]);
    db.ok(&strs(&close("t", &w6)));
    let id = db.json(&["loop", "show", "t", "improve", "--json"])["learnings"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    db.ok(&[
        "void",
        "t",
        "improve",
        &id,
        "--reason",
        "entered by mistake",
    ]);
    // The week after the answered one is inside the history; the week before is not.
    db.ok(&strs(&close("t", &w5)));
    let err = db.refused(&strs(&close("t", &w7)), 1);
    assert!(err.contains(&format!("history begins in {w6}")), "{err}");
    let err = db.refused(&["job", "edit", "t", "--since", &monday5], 1);
    assert!(err.contains(&w6), "{err}");
    // A report and a digest of that week have the job; of the week before, not.
    let page = db.dir.path().join("w.html");
    let out = db.ok(&["report", "--html", page.to_str().unwrap(), "--week", &w6]);
    assert!(out.contains("(1 job,"), "{out}");
    let out = db.ok(&[
        "report",
        "--html",
        page.to_str().unwrap(),
        "--week",
        &w7,
        "--force",
    ]);
    assert!(out.contains("(0 jobs,"), "{out}");
    db.ok(&["verify"]);
}

/// A job is on a report or a digest of a week only from the week its history begins: not a
/// job recorded later, nor one whose start or earliest record is later.
#[test]
fn a_report_or_digest_of_a_week_before_a_job_existed_leaves_it_out() {
    let db = Db::new();
    let (w3, monday3) = weeks_ago(3);
    let (w4, _) = weeks_ago(4);
    db.ok(&[
        "job", "add", "Old job", "--slug", "old", "--since", &monday3,
    ]);
    db.ok(&["job", "add", "New job", "--slug", "new"]);
    let page = db.dir.path().join("w.html");
    let page = page.to_str().unwrap();
    let out = db.ok(&["report", "--html", page, "--week", &w3]);
    assert!(out.contains("(1 job,"), "{out}");
    let html = std::fs::read_to_string(page).unwrap();
    assert!(
        html.contains("Old job") && !html.contains("New job"),
        "{html}"
    );
    let digest = db.ok(&["review", "--markdown", "--week", &w3]);
    assert!(
        digest.contains("Old job") && !digest.contains("New job"),
        "{digest}"
    );
    assert!(digest.contains("1 jobs ·"), "{digest}");
    let digest = db.ok(&["review", "--markdown", "--week", &w4]);
    assert!(
        !digest.contains("Old job") && !digest.contains("New job"),
        "{digest}"
    );
    // Asked for by name, a week before its history is refused with what to give instead.
    let err = db.refused(
        &[
            "report", "--html", page, "--week", &w4, "--job", "old", "--force",
        ],
        1,
    );
    assert!(err.contains(&format!("begins in {w3}")), "{err}");
    // This week has both.
    let digest = db.ok(&["review", "--markdown"]);
    assert!(
        digest.contains("Old job") && digest.contains("New job"),
        "{digest}"
    );
}

/// A job `t` whose instrument loop has a metric.
fn measured() -> Db {
    let db = Db::new();
    db.ok(&["job", "add", "Triage", "--slug", "t"]);
    db.ok(&["metric", "set", "t", "instr", "hours", "--better", "lower"]);
    db
}

/// `n` rows, one a day from 2020-01-01, the `bad`-th (1-based, if any) with a value that is not
/// a number; a Unicode, quoted note with a comma on each.
fn csv(n: usize, bad: Option<usize>) -> String {
    let mut text = String::from("job,kind,date,value,note\n");
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    for i in 0..n {
        let day = start + chrono::Days::new(i as u64);
        let value = if Some(i + 1) == bad {
            "n/a".to_string()
        } else {
            format!("{}.{:02}", 5 + i % 3, i % 100)
        };
        text.push_str(&format!("t,instr,{day},{value},\"café, semaine {i}\"\n"));
    }
    text
}

fn pipe(db: &Db, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = db
        .cmd()
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_csv_of_values_is_recorded_all_or_nothing_and_once() {
    let db = measured();
    let file = db.dir.path().join("values.csv");
    // A bad row in the middle of four hundred: nothing is recorded, and the line is named.
    std::fs::write(&file, csv(400, Some(250))).unwrap();
    let err = db.refused(&["values", "import", file.to_str().unwrap()], 2);
    assert!(err.contains("line 251, column `value`"), "{err}");
    // A dry run says what would be recorded and writes nothing.
    std::fs::write(&file, csv(400, None)).unwrap();
    let before = db.state();
    let dry = db.ok(&["values", "import", file.to_str().unwrap(), "--dry-run"]);
    assert!(dry.contains("would record 400 value(s)"), "{dry}");
    assert!(dry.contains("would record: recorded baseline 5.00 for t/instrument on 2020-01-01"));
    assert_eq!(db.state(), before);
    let out = db.ok(&["values", "import", file.to_str().unwrap()]);
    assert!(
        out.contains("recorded 400 value(s)") && out.contains("0 already"),
        "{out}"
    );
    // The same file again records nothing new.
    let again = db.ok(&["values", "import", file.to_str().unwrap()]);
    assert!(
        again.contains("recorded 0 value(s)") && again.contains("400 already"),
        "{again}"
    );
    // Exported in the same format, the values read back: typed text, notes, phases.
    let exported = db.ok(&["values", "export"]);
    assert!(exported.starts_with("job,kind,date,value,phase,guard,note,source\n"));
    assert!(exported.contains("t,instrument,2020-01-01,5.00,baseline,,\"café, semaine 0\",\n"));
    let other = measured();
    let out = pipe(&other, &["values", "import", "-"], &exported);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(other.ok(&["values", "export"]), exported);
    db.ok(&["verify"]);
}

#[test]
fn undo_takes_back_every_value_of_an_import_in_one_transaction() {
    let db = measured();
    db.ok(&["baseline", "t", "instr", "7", "--at", "2026-01-05"]);
    let rows =
        "date,value,kind,job\n2026-01-06,4,instr,t\n2026-01-07,5,instr,t\n2026-01-08,6,instr,t\n";
    let out = pipe(&db, &["values", "import", "-"], rows);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(db.review_loop("instrument")["baseline"]["n"], 4);
    let out = db.ok(&["undo", "--yes"]);
    assert_eq!(out.matches("voided").count(), 3, "{out}");
    // The three, and only them: the baseline typed alone stays.
    assert_eq!(db.review_loop("instrument")["baseline"]["n"], 1);
    let log = db.json(&["log", "--json"]);
    let voids = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["command"] == "void")
        .count();
    assert_eq!(voids, 3, "one audit event per value voided");
    // The undo itself is not undone: its voids stand, and it says so.
    let err = db.refused(&["undo", "--yes"], 1);
    assert!(err.contains("a void cannot be undone"), "{err}");
    db.ok(&["verify"]);
}

#[test]
fn rows_take_their_phase_from_the_date_and_identical_rows_are_separate_values() {
    let db = measured();
    db.ok(&["baseline", "t", "instr", "7", "--at", "2026-01-05"]);
    db.ok(&[
        "intervene",
        "t",
        "instr",
        "New triage",
        "--at",
        "2026-01-12",
    ]);
    let rows = "date,value,kind,job,source\n2026-01-12,4,instr,t,\n2026-01-19,4,instr,t,\n2026-01-19,4,instr,t,\n2026-01-26,3,instr,t,T-9\n";
    let out = pipe(&db, &["values", "import", "-"], rows);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let l = db.review_loop("instrument");
    assert_eq!(l["live_n"], 4, "{l}");
    // Again: nothing new; a row with a new source id is new even with the same number.
    let out = pipe(
        &db,
        &["values", "import", "-"],
        &format!("{rows}2026-01-26,3,instr,t,T-10\n"),
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("recorded 1 value(s) from -; 4 already"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // A baseline dated after the intervention is refused as the command refuses it.
    let out = pipe(
        &db,
        &["values", "import", "-"],
        "job,kind,date,value,phase\nt,instr,2026-02-02,5,baseline\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 2:") && err.contains("intervention"),
        "{err}"
    );
    // Unknown job, unknown column: named.
    let file = db.dir.path().join("x.csv");
    std::fs::write(&file, "job,kind,date,value\nnope,instr,2026-01-05,1\n").unwrap();
    let err = db.refused(&["values", "import", file.to_str().unwrap()], 1);
    assert!(err.contains("line 2"), "{err}");
    std::fs::write(&file, "job,kind,day,value\n").unwrap();
    let err = db.refused(&["values", "import", file.to_str().unwrap()], 2);
    assert!(err.contains("column `day`"), "{err}");
    // A source id already recorded with another number is refused, never silently kept old.
    let out = pipe(
        &db,
        &["values", "import", "-"],
        "job,kind,date,value,source\nt,instr,2026-01-26,4,T-9\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("source `T-9` is already recorded"), "{err}");
    let template = db.ok(&["values", "template", "t"]);
    assert!(template.starts_with("job,kind,date,value,phase,guard,note,source\nt,instrument,"));
}

// long: one loop's learnings and decisions dated, backfilled and read back in order; each check
// reads what the steps before recorded
#[test]
fn learnings_and_decisions_are_dated_by_the_day_they_are_about_and_keep_when_recorded() {
    let db = Db::new();
    db.ok(&["job", "add", "Triage", "--slug", "t"]);
    let (w5, monday5) = weeks_ago(5);
    let (_, monday3) = weeks_ago(3);
    let (_, monday1) = weeks_ago(1);
    // A learning about five weeks ago opens that week, like any dated record.
    db.ok(&[
        "learn",
        "t",
        "improve",
        "Acme tickets need a human",
        "--type",
        "mistake",
        "--tag",
        "acme",
        "--at",
        &monday5,
    ]);
    db.ok(&strs(&close("t", &w5)));
    db.ok(&[
        "decide",
        "t",
        "govern",
        "Refunds under 50 EUR go out unreviewed",
        "--owner",
        "Chen",
        "--at",
        &monday3,
    ]);
    let shown = db.ok(&["loop", "show", "t", "govern"]);
    let today = Stamp::now().local_date().to_string();
    assert!(
        shown.contains(&format!("{monday3} (recorded {today})")),
        "{shown}"
    );
    let json = db.json(&["loop", "show", "t", "improve", "--json"]);
    let learning = &json["learnings"][0];
    assert_eq!(learning["about"], monday5.as_str());
    assert!(learning["at"].as_str().unwrap().starts_with(&today[..4]));
    // The same mistake again, with a change dated between the two: the rule is quiet; the
    // change is backfilled, and it is the day it is about that counts, not the day it was typed.
    db.ok(&[
        "learn",
        "t",
        "improve",
        "Acme again",
        "--type",
        "mistake",
        "--tag",
        "acme",
        "--at",
        &monday1,
    ]);
    let suggested = |db: &Db| db.review_loop("improve")["suggested_kill_signals"].to_string();
    assert!(suggested(&db).contains("`acme`"), "{}", suggested(&db));
    db.ok(&[
        "learn",
        "t",
        "improve",
        "Routing rule for Acme",
        "--type",
        "change",
        "--at",
        &monday3,
    ]);
    assert!(!suggested(&db).contains("`acme`"), "{}", suggested(&db));
    // A day that has not come, a date that is not one: refused, nothing recorded.
    let before = db.state();
    db.refused(
        &[
            "learn",
            "t",
            "improve",
            "x",
            "--type",
            "evidence",
            "--at",
            "2999-01-01",
        ],
        2,
    );
    db.refused(
        &[
            "decide",
            "t",
            "govern",
            "x",
            "--owner",
            "A",
            "--at",
            "yesterday",
        ],
        2,
    );
    assert_eq!(db.state(), before);
    // Kept through export and import, and verified.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.json");
    db.ok(&["export", file.to_str().unwrap()]);
    let db2 = Db::new();
    db2.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(
        db2.json(&["loop", "show", "t", "improve", "--json"])["learnings"][0]["about"],
        monday5.as_str()
    );
    db2.ok(&["verify"]);
    db.ok(&["verify"]);
}

/// A baseline value that changes a plan locked by an intervention (a guardrail's or the primary
/// metric's, dated before it) needs a reason in an import as it does in `baseline`: refused
/// without `--reason`, naming the line, and recorded as a deviation with it. Live rows take
/// none, as `measure` takes none.
#[test]
fn an_import_needs_a_reason_where_the_command_needs_one() {
    let db = measured();
    db.ok(&[
        "guard",
        "add",
        "t",
        "instr",
        "cost",
        "--better",
        "lower",
        "--max-worse",
        "10%",
    ]);
    db.ok(&["baseline", "t", "instr", "5", "--at", "2026-01-05"]);
    db.ok(&[
        "baseline",
        "t",
        "instr",
        "3",
        "--guard",
        "cost",
        "--at",
        "2026-01-05",
    ]);
    db.ok(&[
        "intervene",
        "t",
        "instr",
        "New triage",
        "--at",
        "2026-01-19",
    ]);
    let rows = "job,kind,date,value,guard\nt,instr,2026-01-12,4,cost\nt,instr,2026-01-26,4.5,\n";
    // The command refuses it without a reason, and so does the import.
    db.refused(
        &[
            "baseline",
            "t",
            "instr",
            "4",
            "--guard",
            "cost",
            "--at",
            "2026-01-12",
        ],
        1,
    );
    let before = db.state();
    let out = pipe(&db, &["values", "import", "-"], rows);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("line 2") && err.contains("--reason"), "{err}");
    assert_eq!(db.state(), before);
    // With one, it is recorded as a deviation; the live row takes none.
    let out = pipe(
        &db,
        &[
            "values",
            "import",
            "-",
            "--reason",
            "found in the helpdesk export",
        ],
        rows,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan = db.ok(&["plan", "show", "t", "instr"]);
    assert!(
        plan.contains("baseline value 4 of guardrail cost dated 2026-01-12 added — why: found in the helpdesk export"),
        "{plan}"
    );
    assert_eq!(db.review_loop("instrument")["live_n"], 1);
    db.ok(&["verify"]);
}

also_on_postgres!(
    learnings_and_decisions_are_dated_by_the_day_they_are_about_and_keep_when_recorded,
    a_job_with_an_earlier_start_answers_its_earlier_weeks_and_shows_them_backfilled,
    job_add_since_opens_earlier_weeks_and_its_earliest_record_does_too,
    a_csv_of_values_is_recorded_all_or_nothing_and_once,
    rows_take_their_phase_from_the_date_and_identical_rows_are_separate_values,
    an_import_needs_a_reason_where_the_command_needs_one,
    an_answered_week_stays_in_the_history_when_the_record_that_opened_it_is_voided,
    a_report_or_digest_of_a_week_before_a_job_existed_leaves_it_out,
);

/// `values export` to a terminal shows stored control sequences as escapes (a note from a
/// helpdesk file must not write the clipboard or clear the screen); to a pipe it keeps them
/// exactly, as stored.
#[test]
fn values_shown_on_a_terminal_carry_no_live_escape() {
    let db = Db::new();
    db.ok(&["job", "add", "T", "--slug", "t"]);
    db.ok(&["metric", "set", "t", "instr", "hours", "--better", "lower"]);
    db.ok(&[
        "baseline",
        "t",
        "instr",
        "5",
        "--at",
        "2026-10-01",
        "--note",
        "x\u{1b}]52;c;SGk=\u{7}\u{1b}[2J",
    ]);
    let piped = db.ok(&["values", "export"]);
    assert!(
        piped.contains('\u{1b}'),
        "a pipe keeps what is stored: {piped:?}"
    );
    let command = format!("{} --db {} values export", common::bin(), db.path.display());
    let Ok(out) = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
    else {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return;
    };
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{shown}");
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
        "{shown:?}"
    );
    assert!(shown.contains("\\u{1b}]52"), "{shown:?}");
}
