//! What reaches a person is honest: dates outside the range are refused naming it, the actor is
//! who acted, invisible characters never reach text output, the demo never mixes in.
//! Each fault is caused here, on this machine, against the real binary (or the library where
//! thousands of cases are needed); each test checks the one-line message, the exit code, and
//! that nothing recorded was lost or changed.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::file_db::{FileDb as Db, *};
use jobloop::domain::Stamp;
use std::process::Command;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// 4. Dates.
// ---------------------------------------------------------------------------------------------

fn today() -> String {
    Stamp::now().local_date().format("%Y-%m-%d").to_string()
}

#[test]
fn dates_before_1970_or_after_today_are_refused_naming_the_range() {
    let db = Db::measured();
    let tomorrow = (Stamp::now().local_date() + chrono::Days::new(1))
        .format("%Y-%m-%d")
        .to_string();
    let range = format!("between 1970-01-01 and today ({})", today());
    for bad in ["-0001-01-01", "0000-01-01", "1969-12-31", tomorrow.as_str()] {
        let at = format!("--at={bad}");
        for args in [
            vec!["baseline", "t", "instr", "4", at.as_str()],
            vec!["intervene", "t", "instr", "new tool", at.as_str()],
            vec!["tool", "t", "Zapier", at.as_str()],
        ] {
            let err = db.refused(&args, 2);
            assert!(err.contains(&range), "{args:?}: {err}");
        }
    }
    db.ok(&["baseline", "t", "instr", "4", "--at", "1970-01-01"]);
    db.ok(&["baseline", "t", "instr", "4", "--at", &today()]);
    let values = db.json(&["loop", "show", "t", "instr", "--json", "--all"]);
    let text = values.to_string();
    assert!(
        text.contains("1970-01-01") && text.contains(&today()),
        "{text}"
    );
}

/// One typed form of a day and of a week: what a lenient parser would guess at (`2026-11-2`, a
/// space around it, a time) is refused the same way by every option that takes one.
#[test]
fn dates_and_weeks_are_read_in_one_form_only() {
    let db = Db::measured();
    for bad in [
        "2026-01-2",
        "2026-1-02",
        " 2026-01-02",
        "2026-01-02 ",
        "2026-01-02T08:00:00Z",
    ] {
        for args in [
            vec!["baseline", "t", "instr", "4", "--at", bad],
            vec!["learn", "t", "instr", "a lesson", "--at", bad],
            vec!["job", "edit", "t", "--since", bad],
            vec!["job", "add", "Other", "--since", bad],
        ] {
            let err = db.refused(&args, 2);
            assert!(err.contains("write YYYY-MM-DD"), "{args:?}: {err}");
        }
    }
    for bad in ["2026-W2", " 2026-W02", "2026-W02 ", "2026-w02", "2026W02"] {
        for args in [
            vec!["cycle", "close", "t", "--week", bad],
            vec!["review", "--markdown", "--week", bad],
        ] {
            let err = db.refused(&args, 2);
            assert!(err.contains("write YYYY-Www"), "{args:?}: {err}");
        }
    }
    db.ok(&["baseline", "t", "instr", "4", "--at", "2026-01-02"]);
}

#[test]
fn impossible_and_five_digit_dates_are_refused_naming_the_range() {
    let db = Db::measured();
    for bad in ["10000-01-01", "2026-02-30", "2026-13-01"] {
        let err = db.refused(&["baseline", "t", "instr", "4", "--at", bad], 2);
        assert!(
            err.contains("1970-01-01") && err.contains(&today()),
            "{bad}: {err}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 10. Who is acting.
// ---------------------------------------------------------------------------------------------

#[test]
fn without_any_name_a_write_is_recorded_as_the_os_account() {
    let db = Db::new();
    let account = nix::unistd::User::from_uid(nix::unistd::geteuid())
        .unwrap()
        .map(|u| u.name);
    let Some(account) = account else {
        eprintln!("skipped: this account has no name in the user database");
        return;
    };
    let mut cmd = Command::new(bin());
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", db.dir.path())
        .arg("--db")
        .arg(&db.path)
        .args(["job", "add", "Job"]);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = db.json(&["log", "--json"]);
    assert_eq!(log[0]["actor"], account.as_str());
}

#[test]
fn an_overlong_actor_is_refused_and_creates_nothing() {
    let db = Db::new();
    let long = "a".repeat(101);
    let out = Command::new(bin())
        .arg("--db")
        .arg(&db.path)
        .args(["--as", &long, "job", "add", "Job"])
        .env_remove("JOBLOOP_USER")
        .output()
        .unwrap();
    let err = error_line(&out, 2, "--as of 101 characters");
    assert!(
        err.contains("101 characters long; the limit is 100"),
        "{err}"
    );
    let out = Command::new(bin())
        .arg("--db")
        .arg(&db.path)
        .args(["job", "add", "Job"])
        .env("JOBLOOP_USER", &long)
        .output()
        .unwrap();
    let err = error_line(&out, 2, "JOBLOOP_USER of 101 characters");
    assert!(err.contains("JOBLOOP_USER"), "{err}");
    assert!(
        names(db.dir.path()).is_empty(),
        "{:?}",
        names(db.dir.path())
    );
    // 100 characters (not bytes) are accepted.
    let limit = "é".repeat(100);
    let out = Command::new(bin())
        .arg("--db")
        .arg(&db.path)
        .args(["--as", &limit, "job", "add", "Job"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---------------------------------------------------------------------------------------------
// 11. The sanitiser.
// ---------------------------------------------------------------------------------------------

#[test]
fn invisible_and_reordering_characters_never_reach_text_output() {
    let db = Db::new();
    let title = "Pay\u{200b}pal \u{2028}line\u{2029}para \u{202e}gnp.exe\u{202c} \u{2066}iso\u{2069} \u{feff}bom \u{200f}rlm";
    db.ok(&["job", "add", title, "--slug", "evil"]);
    // An owner's name with invisible characters is refused as typed; one edited into the file
    // is still shown harmlessly.
    db.refused(&["loop", "owner", "evil", "govern", "Ma\u{200b}llory"], 2);
    sqlite(
        &db.path,
        "UPDATE loops SET owner = 'Ma' || char(8203) || 'llory' WHERE kind = 'govern'",
    );
    for args in [
        vec!["review"],
        vec!["review", "--markdown"],
        vec!["job", "show", "evil"],
        vec!["job", "list"],
        vec!["loop", "show", "evil", "govern"],
        vec!["log"],
    ] {
        let out = db.ok(&args);
        let raw: Vec<char> = out
            .chars()
            .filter(|&c| c != '\n' && jobloop::display::is_unsafe(c))
            .collect();
        assert!(raw.is_empty(), "{args:?} printed {raw:?}");
        // Shown, made visible (every output names the owner or the title).
        assert!(out.contains("\\u{200b}"), "{args:?}: {out}");
    }
    // JSON keeps the title exactly.
    let json = db.json(&["job", "show", "evil", "--json"]);
    assert_eq!(json["job"]["title"], title);
    // An error echoing what was typed.
    let err = db.refused(&["job", "show", "ev\u{2028}il\u{202e}"], 1);
    assert!(
        !err.trim_end().chars().any(jobloop::display::is_unsafe),
        "{err:?}"
    );
}

/// Markdown with every backslash-escaped character removed: what a renderer acts on.
fn unescaped(md: &str) -> String {
    let mut out = String::new();
    let mut chars = md.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            chars.next();
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn the_markdown_digest_escapes_images_html_and_links_in_titles() {
    let db = Db::new();
    let title = "![x](http://e/x.png) <img src=x> [click](http://evil.example) <b>bold</b>";
    db.ok(&["job", "add", title, "--slug", "md"]);
    db.ok(&[
        "loop",
        "owner",
        "md",
        "govern",
        "<img src=y onerror=alert(1)>",
    ]);
    let md = db.ok(&["review", "--markdown"]);
    assert!(md.contains("(md)") || md.contains("md"), "{md}");
    let acted_on = unescaped(&md);
    for raw in ["![", "<img", "](", "<b>", "http://", "[click]"] {
        assert!(!acted_on.contains(raw), "the digest renders `{raw}`:\n{md}");
    }
    // The words are still there for people to read.
    assert!(
        acted_on.contains("click") && acted_on.contains("img src=x"),
        "{md}"
    );
}

// ---------------------------------------------------------------------------------------------
// 12. The demo.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_demo_never_mixes_into_a_team_s_records() {
    let db = Db::measured();
    let err = db.refused(&["demo"], 1);
    assert!(err.contains("already holds records"), "{err}");
    let err = db.refused(&["demo", "--jobs", "1", "--weeks", "1", "--seed", "9"], 1);
    assert!(
        err.contains("the demo fills only an empty database"),
        "{err}"
    );
}

#[test]
fn an_impossibly_large_demo_is_refused_before_anything_is_written() {
    let db = Db::new();
    let free = nix::sys::statvfs::statvfs(db.dir.path())
        .map(|s| s.blocks_available() * s.fragment_size())
        .unwrap_or(u64::MAX);
    // 100,000 jobs over 520 weeks need several hundred GiB.
    if free > 500 << 30 {
        eprintln!("skipped: {} GiB are free here, enough to try", free >> 30);
        return;
    }
    let args = ["demo", "--jobs", "100000", "--weeks", "520"];
    let start = Instant::now();
    let err = db.fails(&args, 1);
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(
        err.contains("100000 jobs over 520 weeks") && err.contains("GiB") && err.contains("fewer"),
        "{err}"
    );
    assert!(
        names(db.dir.path()).is_empty(),
        "{:?}",
        names(db.dir.path())
    );
    // Into an existing empty database: the file is unchanged.
    db.ok(&["init"]);
    let bytes = std::fs::read(&db.path).unwrap();
    db.fails(&args, 1);
    assert_eq!(std::fs::read(&db.path).unwrap(), bytes);
    assert_eq!(names(db.dir.path()), ["jobloop.db"]);
}
