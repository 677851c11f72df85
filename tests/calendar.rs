//! `jobloop calendar` through the real binary, parsed back by a strict reader of RFC 5545: CRLF
//! everywhere, no physical line over 75 octets, folds never inside a character, TEXT escaped so
//! hostile names read back exactly, every event with UID and DTSTAMP, and the UIDs the same in a
//! second export.

// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Db;
use std::collections::BTreeMap;

type Event = BTreeMap<String, (String, String)>;

/// The events of an iCalendar text: each property by name, with its parameters and value
/// (unescaped). Fails on anything RFC 5545 does not allow.
fn parse(bytes: &[u8]) -> Vec<Event> {
    let text = std::str::from_utf8(bytes).expect("UTF-8, with no character split by a fold");
    assert!(text.ends_with("\r\n"), "the last line ends with CRLF");
    let physical: Vec<&str> = text[..text.len() - 2].split("\r\n").collect();
    for l in &physical {
        assert!(l.len() <= 75, "{} octets: {l:?}", l.len());
        assert!(
            !l.contains('\n') && !l.contains('\r'),
            "a bare line break in {l:?}"
        );
    }
    let mut logical: Vec<String> = Vec::new();
    for l in physical {
        match l.strip_prefix(' ') {
            Some(rest) => logical
                .last_mut()
                .expect("a fold continues a line")
                .push_str(rest),
            None => logical.push(l.to_string()),
        }
    }
    assert_eq!(logical.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(logical.last().map(String::as_str), Some("END:VCALENDAR"));
    assert!(logical.iter().any(|l| l == "VERSION:2.0"));
    assert!(logical.iter().any(|l| l.starts_with("PRODID:")));
    let mut events = Vec::new();
    let mut current: Option<Event> = None;
    for l in &logical {
        match l.as_str() {
            "BEGIN:VEVENT" => current = Some(Event::new()),
            "END:VEVENT" => events.push(current.take().expect("an event to end")),
            _ => {
                if let Some(e) = current.as_mut() {
                    let colon = l.find(':').expect("name:value");
                    let (head, value) = (&l[..colon], &l[colon + 1..]);
                    let (name, params) = head.split_once(';').unwrap_or((head, ""));
                    // TEXT properties are escaped; the others (dates, the RRULE) are not.
                    let value = if ["UID", "SUMMARY", "DESCRIPTION"].contains(&name) {
                        unescape(value)
                    } else {
                        value.to_string()
                    };
                    e.insert(name.to_string(), (params.to_string(), value));
                }
            }
        }
    }
    // RFC 5545 §3.4: a calendar holds at least one component.
    assert!(!events.is_empty(), "a VCALENDAR with no component");
    for e in &events {
        for required in ["UID", "DTSTAMP", "DTSTART", "SUMMARY"] {
            assert!(e.contains_key(required), "{required} missing in {e:?}");
        }
        let stamp = &e["DTSTAMP"].1;
        assert!(stamp.len() == 16 && stamp.ends_with('Z'), "{stamp}");
        assert_eq!(e["DTSTART"].0, "VALUE=DATE");
    }
    events
}

/// TEXT unescaped; an unescaped comma or semicolon, or a stray backslash, is an error.
fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(c @ ('\\' | ';' | ',')) => out.push(c),
                other => panic!("a stray backslash before {other:?} in {v:?}"),
            },
            ',' | ';' => panic!("an unescaped {c:?} in {v:?}"),
            c => out.push(c),
        }
    }
    out
}

// long: one job with hostile names written as a calendar and read back field by field; the
// fields are the test
#[test]
fn the_calendar_reads_back_exactly_with_hostile_names() {
    let db = Db::new();
    let title = format!(
        "Refunds, returns; and \\ back-slashes — {}",
        "Ünïcödé 日本語の長い名前 ".repeat(6).trim_end()
    );
    db.ok(&["job", "add", &title, "--slug", "r"]);
    db.ok(&[
        "decide",
        "r",
        "govern",
        "Refund up to 50 €, no review; then ask",
        "--owner",
        "Chen",
    ]);
    db.ok(&[
        "metric",
        "set",
        "r",
        "instr",
        "first answer",
        "--unit",
        "h",
        "--better",
        "lower",
    ]);
    db.ok(&[
        "kill",
        "add",
        "r",
        "instr",
        "no proof, at all",
        "--rule",
        "by 2031-06-30 improved 20%",
    ]);
    for (i, v) in ["10", "11", "10.5", "9.5", "10", "10.2"].iter().enumerate() {
        db.ok(&[
            "baseline",
            "r",
            "instr",
            v,
            "--at",
            &format!("2026-10-0{}", i + 1),
        ]);
    }
    db.ok(&[
        "intervene",
        "r",
        "instr",
        "agent drafts",
        "--at",
        "2026-10-10",
        "--horizon",
        "8",
    ]);
    db.ok(&["measure", "r", "instr", "8", "--at", "2026-10-12"]);
    let file = db.dir.path().join("jobloop.ics");
    let out = db.ok(&["calendar", file.to_str().unwrap()]);
    assert!(out.contains("wrote 4 event(s)"), "{out}");
    let events = parse(&std::fs::read(&file).unwrap());
    let by_uid: BTreeMap<&str, &Event> = events
        .iter()
        .map(|e| (e["UID"].1.split('-').next().unwrap(), e))
        .collect();
    assert_eq!(
        by_uid.keys().copied().collect::<Vec<_>>(),
        ["check", "kill", "sign", "verdict"]
    );
    let check_in = by_uid["check"];
    assert_eq!(check_in["SUMMARY"].1, format!("Weekly check-in: {title}"));
    assert_eq!(check_in["RRULE"].1, "FREQ=WEEKLY;BYDAY=FR");
    assert_eq!(
        by_uid["sign"]["SUMMARY"].1,
        "Sign-off awaited from Chen: Refund up to 50 €, no review; then ask"
    );
    let kill = by_uid["kill"];
    assert_eq!(kill["DTSTART"].1, "20310630");
    assert_eq!(kill["DTEND"].1, "20310701");
    assert!(kill["SUMMARY"].1.ends_with("no proof, at all"), "{kill:?}");
    // One live value in two days since the intervention; the comparison needs more: a day
    // from today on.
    let verdict = by_uid["verdict"];
    assert!(verdict["SUMMARY"].1.contains("r/instrument"), "{verdict:?}");
    let today = jobloop::domain::Stamp::now()
        .local_date()
        .format("%Y%m%d")
        .to_string();
    assert!(verdict["DTSTART"].1 >= today, "{verdict:?}");

    // Again: the same events under the same UIDs; the file is refused without --force.
    let refused = db.run(&["calendar", file.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    db.ok(&["calendar", file.to_str().unwrap(), "--force"]);
    let again = parse(&std::fs::read(&file).unwrap());
    let uids = |es: &[Event]| es.iter().map(|e| e["UID"].1.clone()).collect::<Vec<_>>();
    assert_eq!(uids(&again), uids(&events));
    // Standard output gives the same calendar.
    let piped = db.run(&["calendar", "-"]);
    assert!(piped.status.success());
    assert_eq!(uids(&parse(&piped.stdout)), uids(&events));
}

/// No active job: no component to put in a calendar, which RFC 5545 does not allow; refused in
/// one line, no file written. A job with backfilled weeks has its check-ins from the first of
/// them, as `cycle close --week` and the review count them.
#[test]
fn no_calendar_without_an_event_and_check_ins_from_the_first_backfilled_week() {
    let db = Db::new();
    db.ok(&["job", "add", "Triage", "--slug", "t"]);
    db.ok(&["job", "archive", "t"]);
    let file = db.dir.path().join("empty.ics");
    let err = db.refused(&["calendar", file.to_str().unwrap()], 1);
    assert!(err.contains("nothing to put in a calendar yet"), "{err}");
    assert!(!file.exists());
    db.refused(&["calendar", "-"], 1);

    db.ok(&["job", "add", "Refunds", "--slug", "r"]);
    // Backfilled by a dated record, then answered, then that record voided: the answered week
    // keeps the history (and the check-ins) where they began.
    db.ok(&[
        "learn",
        "r",
        "improve",
        "an old lesson",
        "--type",
        "evidence",
        "--at",
        "2026-10-05",
    ]);
    let check_in = |db: &Db| {
        let events = parse(&db.run(&["calendar", "-"]).stdout);
        assert_eq!(events.len(), 1, "{events:?}");
        events[0]["DTSTART"].1.clone()
    };
    assert_eq!(check_in(&db), "20261009", "the Friday of 2026-W41");
    db.ok(&[
        "cycle",
        "close",
        "r",
        "--week",
        "2026-W41",
        "--understanding",
        "yes",
        "--explanation",
        "yes",
        "--creation",
        "yes",
        "--distribution",
        "no",
    ]);
    let id = db.json(&["loop", "show", "r", "improve", "--json"])["learnings"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    db.ok(&[
        "void",
        "r",
        "improve",
        &id,
        "--reason",
        "entered by mistake",
    ]);
    assert_eq!(check_in(&db), "20261009");
}

/// The verdict's day follows the live values' own spacing: weekly values, the first on the
/// intervention's day, promise the next values a week apart, not half that.
#[test]
fn the_expected_verdict_keeps_the_weekly_cadence_of_the_values() {
    let db = Db::new();
    let today = chrono::Local::now().date_naive();
    let day = |n: i64| (today + chrono::Duration::days(n)).to_string();
    db.ok(&["job", "add", "P", "--slug", "p", "--since", &day(-120)]);
    db.ok(&["metric", "set", "p", "instr", "m", "--better", "lower"]);
    for (n, v) in [(-42, "50"), (-35, "52"), (-28, "48"), (-21, "51")] {
        db.ok(&["baseline", "p", "instr", v, "--at", &day(n)]);
    }
    db.ok(&["intervene", "p", "instr", "x", "--at", &day(-14)]);
    db.ok(&["measure", "p", "instr", "45", "--at", &day(-14)]);
    db.ok(&["measure", "p", "instr", "46", "--at", &day(-7)]);
    let shown = db.ok(&["loop", "show", "p", "instr"]);
    let more: i64 = shown
        .split(" more live value(s) would make a verdict possible")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{shown}"));
    let out = db.run(&["calendar", "-"]);
    let verdict = parse(&out.stdout)
        .into_iter()
        .find(|e| e["UID"].1.starts_with("verdict"))
        .unwrap();
    let due = (today + chrono::Duration::days(-7 + 7 * more)).format("%Y%m%d");
    assert_eq!(verdict["DTSTART"].1, due.to_string());
}
