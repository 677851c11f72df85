//! `report --html`: one self-contained page, through the real binary on the demo data.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::Db;
use common::report::{HOSTILE, demo_with_hostile_job, report};

/// One database for every test here: a report only reads, so they share it (each writes its
/// own file).
fn db() -> &'static Db {
    static DB: std::sync::OnceLock<Db> = std::sync::OnceLock::new();
    DB.get_or_init(demo_with_hostile_job)
}

/// The `<svg>…</svg>` elements of a page.
fn svgs(page: &str) -> Vec<&str> {
    page.match_indices("<svg")
        .map(|(i, _)| {
            let end = page[i..].find("</svg>").expect("a closed svg");
            &page[i..i + end + 6]
        })
        .collect()
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// The value of every `attr="…"` in the page.
fn attributes<'a>(page: &'a str, attr: &str) -> Vec<&'a str> {
    let key = format!(" {attr}=\"");
    page.match_indices(&key)
        .map(|(i, _)| {
            let rest = &page[i + key.len()..];
            &rest[..rest.find('"').expect("a closed attribute")]
        })
        .collect()
}

#[test]
fn the_page_shows_every_job_every_loop_and_a_chart_per_metric() {
    let db = db();
    let page = report(db, "r.html", &[]);
    let review = db.json(&["review", "--json"]);
    let jobs = review["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 4);
    let mut metrics = 0;
    for j in jobs {
        let slug = j["slug"].as_str().unwrap();
        assert!(page.contains(&format!("id=\"job-{slug}\"")), "{slug}");
        assert!(page.contains(&format!("href=\"#job-{slug}\"")), "{slug}");
        for l in j["loops"].as_array().unwrap() {
            metrics += usize::from(!l["metric"].is_null());
        }
    }
    // Each job's six loops on the board and in its section.
    for kind in [
        "understand",
        "redesign",
        "instrument",
        "govern",
        "improve",
        "distribute",
    ] {
        assert_eq!(
            count(&page, &format!("data-loop=\"{kind}\"")),
            2 * jobs.len(),
            "{kind}"
        );
    }
    let charts = svgs(&page);
    assert_eq!(charts.len(), metrics);
    assert_eq!(metrics, 7, "the demo's six metrics and the hostile job's");
    for svg in &charts {
        // Every metric of these jobs has baseline and live values, so dots and a line.
        assert!(svg.contains("class=\"baseline\""), "{svg}");
        assert!(svg.contains("class=\"live\""), "{svg}");
        assert!(svg.contains("class=\"live-line\""), "{svg}");
        assert!(svg.contains("class=\"intervention\""), "{svg}");
    }
    // The demo's instrument loops have targets; the limits come from six baseline values.
    assert!(charts.iter().any(|s| s.contains("class=\"target\"")));
    assert!(charts.iter().any(|s| s.contains("class=\"limit\"")));
    // The comparison in words, signals, decisions, compound tests and proofs.
    for part in [
        "What needs whom",
        "The comparison",
        "live 7.15 h",
        "Kill signals",
        "Decisions",
        "Compound tests",
        "Proof artifacts",
        "as of ",
    ] {
        assert!(page.contains(part), "{part}");
    }
    assert!(page.contains("<meta name=\"viewport\""));
    assert!(page.contains("@media print"));
}

#[test]
fn hostile_text_is_escaped_and_nothing_is_loaded_or_run() {
    let db = db();
    let page = report(db, "hostile.html", &[]);
    assert!(!page.contains(HOSTILE));
    assert!(
        page.contains(
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Tom &amp; Jerry&#39;s \\u{202e}evil"
        ),
        "the title escaped and its right-to-left override made visible"
    );
    assert!(!page.contains('\u{202e}'));
    assert!(!page.to_ascii_lowercase().contains("<script"));
    assert!(!page.contains("<img"));
    assert!(!page.contains("<b>Eve"));
    assert!(
        page.contains("&lt;/svg&gt;&lt;script&gt;x"),
        "the intervention's words"
    );
    assert!(
        page.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
        "the metric's name"
    );
    // Nothing refers to anything outside the page: links are in-page anchors, nothing has a
    // source, the style loads nothing.
    assert!(attributes(&page, "src").is_empty());
    for href in attributes(&page, "href") {
        assert!(href.starts_with('#') && !href.contains("//"), "{href}");
    }
    assert!(!page.contains("url("));
    assert!(!page.contains("@import"));
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
}

#[test]
fn one_job_and_a_past_week_as_it_stood_at_its_end() {
    let db = db();
    let one = report(db, "one.html", &["--job", "hostile"]);
    assert_eq!(count(&one, "<section class=\"job\""), 1);
    assert!(one.contains("id=\"job-hostile\""));
    assert!(!one.contains("id=\"job-support-triage\""));
    let now = svgs(&one);
    assert_eq!(now.len(), 1);
    assert_eq!(count(now[0], "class=\"baseline\""), 4);
    assert_eq!(count(now[0], "class=\"live\""), 2);

    // The week of the intervention (October 19–25): the baseline and the change, no live value.
    let then = report(db, "then.html", &["--job", "hostile", "--week", "2026-W43"]);
    assert!(
        then.contains("as of the end of 2026-W43"),
        "says what as of means"
    );
    let svg = svgs(&then);
    assert_eq!(svg.len(), 1);
    assert_eq!(count(svg[0], "class=\"baseline\""), 4);
    assert_eq!(count(svg[0], "class=\"live\""), 0);
    assert_eq!(count(svg[0], "class=\"intervention\""), 1);
    assert!(
        then.contains("no live values to compare yet"),
        "the comparison then"
    );
    // Before the first value: the chart says so.
    let before = report(
        db,
        "before.html",
        &["--job", "hostile", "--week", "2026-W39"],
    );
    assert!(svgs(&before)[0].contains("no values yet"));
    // A past week of every job has every job.
    let all = report(db, "all.html", &["--week", "2026-W43"]);
    assert_eq!(count(&all, "<section class=\"job\""), 4);
}

#[test]
fn the_same_data_makes_the_same_page() {
    let db = db();
    let strip = |p: String| -> String {
        p.lines()
            .filter(|l| !l.contains("generated at") && !l.contains("as of 2"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let a = strip(report(db, "a.html", &[]));
    let b = strip(report(db, "b.html", &[]));
    assert_eq!(a, b);
}

#[test]
fn refusals_say_what_to_do_and_write_nothing() {
    let db = db();
    let file = db.dir.path().join("refused.html");
    let f = file.to_str().unwrap();
    let err = db.refused(&["report", "--html", f, "--job", "nope"], 1);
    assert!(
        err.contains("no job `nope`") && err.contains("job list"),
        "{err}"
    );
    let err = db.refused(&["report", "--html", f, "--week", "2999-W01"], 2);
    assert!(
        err.contains("has not begun yet") && err.contains("earlier one"),
        "{err}"
    );
    let err = db.refused(&["report", "--html", f, "--week", "2026-W99"], 2);
    assert!(
        err.contains("not an ISO week") && err.contains("2026-W47"),
        "{err}"
    );
    let err = db.refused(&["report", "--html", f, "--week", "last week"], 2);
    assert!(err.contains("YYYY-Www"), "{err}");
    assert!(!file.exists());
    std::fs::write(&file, "mine").unwrap();
    let err = db.refused(&["report", "--html", f], 2);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    let db_file = db.path.to_str().unwrap();
    let err = db.refused(&["report", "--html", db_file, "--force"], 2);
    assert!(err.contains("the database itself"), "{err}");
    db.ok(&["report", "--html", f, "--force"]);
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
}

/// Text written over several lines (a statement, a canvas field, a learning) keeps its line
/// breaks in the pages made for people who never open a terminal: `<br>` in the report, a
/// Markdown hard break in the playbook, never a literal `\u{a}`.
#[test]
fn line_breaks_typed_are_shown_as_breaks() {
    let db = Db::new();
    db.ok(&[
        "job",
        "add",
        "Multi",
        "--slug",
        "m",
        "--statement",
        "When a ticket lands,\nI want it routed,\nso I can answer fast.",
    ]);
    db.ok(&["job", "edit", "m", "--workaround", "Line one\nLine two"]);
    db.ok(&[
        "learn",
        "m",
        "improve",
        "first line\nsecond line",
        "--type",
        "mistake",
    ]);
    let html = report(&db, "r.html", &[]);
    assert!(!html.contains("\\u{a}"), "{html}");
    assert!(
        html.contains("When a ticket lands,<br>I want it routed,<br>so I can answer fast."),
        "{html}"
    );
    assert!(html.contains("first line<br>second line"), "{html}");
    let dir = db.dir.path().join("pub");
    db.ok(&["publish", dir.to_str().unwrap()]);
    let playbook = std::fs::read_to_string(dir.join("playbook/m.md")).unwrap();
    assert!(!playbook.contains("\\u{a}"), "{playbook}");
    assert!(
        playbook
            .contains("> When a ticket lands,  \n> I want it routed,  \n> so I can answer fast."),
        "{playbook}"
    );
    assert!(playbook.contains("Line one  \n  Line two"), "{playbook}");
    assert!(
        playbook.contains("first line  \n  second line"),
        "{playbook}"
    );
}

/// Values near both ends of what a number holds (accepted, and compared honestly as "cannot
/// compute") still draw: no coordinate is NaN and no axis reads `inf`.
#[test]
fn extreme_values_still_draw() {
    let db = Db::new();
    db.ok(&["job", "add", "B", "--slug", "b"]);
    db.ok(&[
        "metric", "set", "b", "instr", "x", "--unit", "u", "--better", "lower",
    ]);
    db.ok(&["baseline", "b", "instr", "1e308", "--at", "2026-10-01"]);
    db.ok(&[
        "baseline",
        "b",
        "instr",
        "--at",
        "2026-10-02",
        "--",
        "-1e308",
    ]);
    let html = report(&db, "r.html", &[]);
    assert!(!html.contains("NaN"), "a NaN coordinate");
    assert!(
        !html.contains(">inf<") && !html.contains(">-inf<"),
        "an infinite axis"
    );
    assert!(
        html.contains("<circle class=\"baseline\""),
        "the points are drawn"
    );
}
