//! `publish`: the playbook (the team's know-how) and the journeys (public proof only), through
//! the real binary — what each holds and never holds, hostile text made inert, a second run that
//! writes nothing, files it did not write left alone, its own stale pages removed.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::fs;
use std::path::Path;

use common::Db;

/// Every file under `dir` with its text, sorted by path.
fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for sub in ["playbook", "journeys"] {
        let Ok(entries) = fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            out.push((
                format!("{sub}/{}", p.file_name().unwrap().to_string_lossy()),
                fs::read_to_string(&p).unwrap(),
            ));
        }
    }
    out.sort();
    out
}

fn recorded() -> Db {
    let db = Db::new();
    db.ok(&[
        "job",
        "add",
        "Triage <script>alert(1)</script>",
        "--slug",
        "t",
    ]);
    db.ok(&[
        "job",
        "edit",
        "t",
        "--workaround",
        "A shared inbox and a spreadsheet",
    ]);
    db.ok(&["loop", "note", "t", "instr", "PRIVATE-LOOP-NOTE"]);
    db.ok(&["metric", "set", "t", "instr", "hours", "--better", "lower"]);
    db.ok(&[
        "baseline",
        "t",
        "instr",
        "5",
        "--note",
        "PRIVATE-VALUE-NOTE",
    ]);
    db.ok(&[
        "learn",
        "t",
        "improve",
        "Resellers need their own route",
        "--type",
        "mistake",
        "--tag",
        "resellers",
    ]);
    db.ok(&[
        "decide",
        "t",
        "govern",
        "Refunds under 50 EUR go out",
        "--owner",
        "Chen",
    ]);
    db.ok(&[
        "proof",
        "add",
        "t",
        "PRIVATE-PROOF-TITLE",
        "--kind",
        "case",
        "--visibility",
        "private",
        "--link",
        "https://intranet.example/PRIVATE-LINK",
    ]);
    db.ok(&[
        "proof",
        "add",
        "t",
        "Triage in minutes [x](javascript:alert(1))",
        "--kind",
        "story",
        "--visibility",
        "public",
        "--link",
        "https://example.com/story",
    ]);
    db
}

// long: one playbook published, changed and published again; each run is checked against the
// files the one before wrote
#[test]
fn the_playbook_keeps_know_how_and_the_journeys_only_public_proof() {
    let db = recorded();
    let dir = db.dir.path().join("site");
    let out = db.ok(&["publish", dir.to_str().unwrap()]);
    assert!(out.contains("1 playbook page(s) and 1 journey(s)"), "{out}");
    let files = tree(&dir);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(names[1], "playbook/t.md");
    assert!(names[0].starts_with("journeys/t-triage-in-minutes-x-javascript-alert-1-"));
    let (journey, playbook) = (&files[0].1, &files[1].1);
    // The playbook: canvas, decisions, learnings; the journey: the public proof and its link.
    for know_how in [
        "A shared inbox and a spreadsheet",
        "Refunds under 50 EUR go out",
        "Resellers need their own route",
    ] {
        assert!(playbook.contains(know_how), "{know_how}: {playbook}");
    }
    assert!(journey.contains("<https://example.com/story>"), "{journey}");
    // Nothing private in the journeys: not the private proof, its link, a note.
    for (name, text) in files.iter().filter(|(n, _)| n.starts_with("journeys/")) {
        for private in [
            "PRIVATE-PROOF",
            "PRIVATE-LINK",
            "PRIVATE-LOOP",
            "PRIVATE-VALUE",
        ] {
            assert!(!text.contains(private), "{private} in {name}: {text}");
        }
    }
    // Hostile text is inert: no HTML, no link Markdown would follow.
    for (name, text) in &files {
        let bare = text.replace("\\<", "").replace("\\]", "");
        assert!(!bare.contains("<script"), "{name}: {text}");
        assert!(!bare.contains("](javascript"), "{name}: {text}");
        assert!(text.contains("\\<script\\>"), "{name}: {text}");
    }
    // A second run with nothing changed writes nothing: same bytes, same modification times.
    let times = |dir: &Path| -> Vec<std::time::SystemTime> {
        tree(dir)
            .iter()
            .map(|(n, _)| fs::metadata(dir.join(n)).unwrap().modified().unwrap())
            .collect()
    };
    let before = times(&dir);
    let again = db.ok(&["publish", dir.to_str().unwrap()]);
    assert!(
        again.contains("0 written, 2 unchanged, 0 removed"),
        "{again}"
    );
    assert_eq!(times(&dir), before);
    assert_eq!(tree(&dir), files);
    // The week's digest says what proof was published and what it brought back.
    let digest = db.ok(&["review", "--markdown"]);
    assert!(
        digest.contains("**Proof published in") && digest.contains("(public story)"),
        "{digest}"
    );
    assert!(
        digest.contains("**Proof in all:** 2 artifact(s), 1 public, 0 tracked"),
        "{digest}"
    );
    // A change rewrites only the page it changes.
    db.ok(&[
        "proof",
        "outcome",
        "t",
        &proof_id(&db),
        "--replies",
        "3",
        "--intros",
        "1",
    ]);
    let digest = db.ok(&["review", "--markdown"]);
    assert!(
        digest.contains("brought back 3 replies, 1 intros"),
        "{digest}"
    );
    let proof = &db.json(&["review", "--json"])["jobs"][0]["proof"];
    assert_eq!(proof["brought_back"]["replies"], 3, "{proof}");
    assert_eq!(proof["public"], 1, "{proof}");
    let out = db.ok(&["publish", dir.to_str().unwrap()]);
    assert!(out.contains("1 written, 1 unchanged"), "{out}");
    assert!(tree(&dir)[0].1.contains("| 3 | 0 | 1 | 0 | 0 | 0 |"));
    // A proof withdrawn leaves the journeys (its record stays); undone, it comes back.
    db.ok(&[
        "proof",
        "visibility",
        "t",
        &proof_id(&db),
        "private",
        "--reason",
        "the customer asked us to take it down",
    ]);
    let out = db.ok(&["publish", dir.to_str().unwrap()]);
    assert!(
        out.contains("removed journeys/t-triage-in-minutes"),
        "{out}"
    );
    assert_eq!(tree(&dir).len(), 1);
    assert_eq!(
        db.json(&["proof", "list", "t", "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    db.ok(&["undo", "--yes"]);
    db.ok(&["publish", dir.to_str().unwrap()]);
    assert_eq!(tree(&dir).len(), 2);
    let err = db.refused(
        &[
            "proof",
            "visibility",
            "t",
            "zzzz",
            "private",
            "--reason",
            "x",
        ],
        1,
    );
    assert!(err.contains("proof"), "{err}");
    assert!(db.ok(&["verify"]).contains("intact"));
}

also_on_postgres!(the_playbook_keeps_know_how_and_the_journeys_only_public_proof);

/// The id of the public proof of `t`.
fn proof_id(db: &Db) -> String {
    db.json(&["proof", "list", "t", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["visibility"] == "public")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn publish_rewrites_and_removes_only_its_own_pages() {
    let db = recorded();
    let dir = db.dir.path().join("site");
    fs::create_dir_all(dir.join("playbook")).unwrap();
    // Someone's own file where a page would go: nothing is written, it is named.
    fs::write(dir.join("playbook/t.md"), "my notes").unwrap();
    let out = db.run(&["publish", dir.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0));
    assert!(
        err.contains("t.md was not written by jobloop publish"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        fs::read_to_string(dir.join("playbook/t.md")).unwrap(),
        "my notes"
    );
    assert!(fs::read_dir(dir.join("journeys")).unwrap().next().is_none());
    // Moved away, the run goes through; another file of theirs stays as it was.
    fs::rename(dir.join("playbook/t.md"), dir.join("playbook/mine.md")).unwrap();
    db.ok(&["publish", dir.to_str().unwrap()]);
    assert_eq!(
        fs::read_to_string(dir.join("playbook/mine.md")).unwrap(),
        "my notes"
    );
    // A page of its own that no record wants any more (a job renamed, a proof withdrawn) goes.
    let journey = tree(&dir)[0].0.clone();
    fs::copy(dir.join(&journey), dir.join("journeys/old-proof.md")).unwrap();
    let out = db.ok(&["publish", dir.to_str().unwrap()]);
    assert!(out.contains("removed journeys/old-proof.md"), "{out}");
    assert!(!dir.join("journeys/old-proof.md").exists());
    // A file, or a link, where a folder should be: refused in one line.
    let file = db.dir.path().join("a-file");
    fs::write(&file, "x").unwrap();
    let err = db.refused(&["publish", file.to_str().unwrap()], 2);
    assert!(err.contains("is not a folder"), "{err}");
    let linked = db.dir.path().join("linked");
    fs::create_dir_all(&linked).unwrap();
    std::os::unix::fs::symlink(db.dir.path(), linked.join("journeys")).unwrap();
    let err = db.refused(&["publish", linked.to_str().unwrap()], 2);
    assert!(err.contains("is a link"), "{err}");
}

/// A proof's link is one people follow from a page: only http(s) without credentials, or
/// mailto:, is taken; the refusal is one line that says what to give, and nothing is recorded.
/// What was typed in a title never breaks the confirmation's line.
#[test]
fn a_proof_link_is_a_plain_web_or_mail_address_and_confirmations_stay_on_their_line() {
    let db = Db::new();
    db.ok(&["job", "add", "Triage", "--slug", "t"]);
    for bad in [
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
        "https://user:pass@example.com/",
        "https://exa mple.com",
        "https://example.com/\u{7}",
    ] {
        let err = db.refused(
            &[
                "proof",
                "add",
                "t",
                "Story",
                "--kind",
                "story",
                "--visibility",
                "public",
                "--link",
                bad,
            ],
            2,
        );
        assert!(
            err.contains("give an http:// or https:// address"),
            "{bad}: {err}"
        );
    }
    let out = db.ok(&[
        "proof",
        "add",
        "t",
        "Two\nINJECTED line",
        "--kind",
        "story",
        "--visibility",
        "public",
        "--link",
        "mailto:ana@example.com",
    ]);
    assert!(
        out.lines().all(|l| !l.starts_with("INJECTED")),
        "a typed newline broke the confirmation: {out:?}"
    );
    assert!(
        out.starts_with("added public story `Two\\u{a}INJECTED line`"),
        "{out}"
    );
    let out = db.ok(&["proof", "outcome", "t", &proof_id(&db), "--replies", "1"]);
    assert!(out.lines().all(|l| !l.starts_with("INJECTED")), "{out:?}");
}
