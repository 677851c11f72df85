//! The figures on a file database of one size: the CLI's reads and writes, the TUI's first
//! frame and whole board, and the targets of BENCHMARKS.md they answer to.

use crate::measure::{
    BIN, Row, Size, Target, database, jobloop, key, median, ms, peak_mib, ratio, row, run, target,
    time,
};
use jobloop::store::{Missing, Store};
use jobloop::tui::app::App;
use jobloop::tui::config::Theme;
use jobloop::tui::keymap::Keymap;
use jobloop::tui::ui;
use jobloop::tui::worker::Worker;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use std::process::Command;
use std::time::{Duration, Instant};

/// Everything measured at one size; `full` adds the writes, verify, export, import and memory.
pub(crate) fn bench(jobs: usize, weeks: u32, full: bool, targets: &mut Vec<Target>) -> Size {
    let dir = tempfile::tempdir().unwrap();
    let (db, generated) = database(jobs, weeks, dir.path());
    let big = jobs >= 300;
    let runs = if big { 7 } else { 31 };
    let mut rows = Vec::new();
    let name = format!("{jobs}×{weeks}");

    // Reads: the review as a process, beside the sqlite3 shell grouping every value row.
    let group = time(runs, || {
        run(Command::new("sqlite3")
            .arg(&db)
            .arg("SELECT loop_id, count(*), avg(value) FROM metric_values GROUP BY loop_id"))
    });
    let review = time(runs, || run(&mut jobloop(&db, &["review", "--json"])));
    row(
        &mut rows,
        "`jobloop review --json` end to end",
        review,
        Some(("sqlite3 shell groups the value rows", group)),
    );

    // The TUI's first frame with data: the process start (measured as `jobloop --version`) plus
    // opening the file and drawing the first answer of the store's worker thread, in process on
    // a 160×50 TestBackend — as the TUI does, a screenful of jobs first, then the whole board.
    let start = time(runs, || run(Command::new(BIN).arg("--version")));
    let mut terminal = Terminal::new(TestBackend::new(160, 50)).unwrap();
    let mut first_draw = Vec::new();
    let mut whole_draw = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let store = Store::open(&db, Missing::Refuse).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let worker = Worker::spawn(store, tx, |r| r);
        let mut app = App::new(
            worker,
            Some("bench".into()),
            Keymap::default(),
            Theme::new(true),
            false,
        );
        app.size = Rect::new(0, 0, 160, 50);
        app.load();
        let mut first = None;
        while !app.board_complete() {
            app.on_worker(rx.recv().unwrap());
            if app.loaded.is_some() {
                terminal.draw(|f| ui::render(f, &mut app, 0)).unwrap();
                first.get_or_insert(t.elapsed());
            }
        }
        first_draw.push(first.unwrap());
        whole_draw.push(t.elapsed());
    }
    let first_frame = start + median(first_draw);
    row(
        &mut rows,
        "TUI: process start + open and draw the first frame with data (160×50)",
        first_frame,
        Some(("process start alone (`jobloop --version`)", start)),
    );
    let whole_board = start + median(whole_draw);
    row(
        &mut rows,
        "TUI: process start + the whole board read and drawn (footer totals)",
        whole_board,
        Some(("process start alone (`jobloop --version`)", start)),
    );
    let new_app = || {
        let store = Store::open(&db, Missing::Refuse).unwrap();
        let mut app = App::new(
            Worker::inline(store),
            Some("bench".into()),
            Keymap::default(),
            Theme::new(true),
            false,
        );
        app.size = Rect::new(0, 0, 160, 50);
        app.load();
        app
    };
    let mut app = new_app();
    let mut down = true;
    let key_press = time(runs * 10, || {
        app.handle(key(if down { KeyCode::Down } else { KeyCode::Up }));
        down = !down;
        terminal.draw(|f| ui::render(f, &mut app, 0)).unwrap();
    });
    row(
        &mut rows,
        "TUI: a key press to the next frame",
        key_press,
        None,
    );
    let detail = time(runs, || {
        app.handle(key(KeyCode::Char('l')));
        app.handle(key(KeyCode::Char('l')));
        app.handle(key(KeyCode::Enter));
        terminal.draw(|f| ui::render(f, &mut app, 0)).unwrap();
        app.handle(key(KeyCode::Esc));
        app.handle(key(KeyCode::Char('h')));
        app.handle(key(KeyCode::Char('h')));
    });
    row(
        &mut rows,
        "TUI: open the loop detail of a loop with its whole history, chart included",
        detail,
        None,
    );
    drop(app);

    match jobs {
        1000 => {
            target(
                targets,
                format!("{name}: `review --json` vs sqlite3 grouping the values"),
                "below 1.0×".into(),
                format!("{:.2}×", ratio(review, group)),
                review < group,
            );
            target(
                targets,
                format!("{name}: the TUI's first frame with data from process start"),
                "under 50 ms".into(),
                ms(first_frame),
                first_frame < Duration::from_millis(50),
            );
            target(
                targets,
                format!("{name}: a key press to the next frame"),
                "under 5 ms".into(),
                ms(key_press),
                key_press < Duration::from_millis(5),
            );
        }
        5000 => {
            target(
                targets,
                format!("{name}: `review --json`"),
                "under 500 ms".into(),
                ms(review),
                review < Duration::from_millis(500),
            );
            target(
                targets,
                format!("{name}: the TUI's first frame with data from process start"),
                "under 150 ms".into(),
                ms(first_frame),
                first_frame < Duration::from_millis(150),
            );
        }
        _ => {}
    }

    if full {
        let slug = "support-triage";
        let reference = dir.path().join("reference.db");
        std::fs::copy(&db, &reference).unwrap();
        let bare = time(runs, || {
            run(Command::new(std::env::current_exe().unwrap())
                .arg("--bare-insert")
                .arg(&reference))
        });
        let write = time(runs, || {
            run(&mut jobloop(&db, &["measure", slug, "instrument", "5"]))
        });
        row(
            &mut rows,
            "one acknowledged write: `jobloop measure` from process start to exit",
            write,
            Some(("bare process: the same pragmas, one insert, commit", bare)),
        );
        let few = runs.min(5);
        let dump = time(few, || run(Command::new("sqlite3").arg(&db).arg(".dump")));
        let export = time(few, || run(&mut jobloop(&db, &["export"])));
        row(
            &mut rows,
            "`jobloop export` end to end",
            export,
            Some(("sqlite3 shell `.dump` of the same file", dump)),
        );
        let verify = time(few, || run(&mut jobloop(&db, &["verify"])));
        row(
            &mut rows,
            "`jobloop verify` end to end",
            verify,
            Some(("`jobloop export` of the same file", export)),
        );
        let file = dir.path().join("export.json");
        run(&mut jobloop(&db, &["export", file.to_str().unwrap()]));
        let imported = dir.path().join("imported.db");
        let import = time(1, || {
            run(&mut jobloop(&imported, &["import", file.to_str().unwrap()]))
        });
        // The reference: the sqlite3 shell restoring its own `.dump` of the same file into a new
        // file (the same rows and indexes, derived state included, nothing checked).
        let sql = dir.path().join("dump.sql");
        let out = Command::new("sqlite3")
            .arg(&db)
            .arg(".dump")
            .stdout(std::fs::File::create(&sql).unwrap())
            .status()
            .unwrap();
        assert!(out.success());
        let restored = dir.path().join("restored.db");
        let restore = time(1, || {
            run(Command::new("sqlite3")
                .arg(&restored)
                .stdin(std::fs::File::open(&sql).unwrap()))
        });
        std::fs::remove_file(&sql).unwrap();
        row(
            &mut rows,
            "`jobloop import` of that export into a new file (one run)",
            import,
            Some((
                "sqlite3 shell restoring its `.dump` into a new file",
                restore,
            )),
        );
        let memory: Vec<(&str, f64)> = vec![
            (
                "review --json",
                peak_mib(&jobloop(&db, &["review", "--json"])),
            ),
            ("export", peak_mib(&jobloop(&db, &["export"]))),
            ("verify", peak_mib(&jobloop(&db, &["verify"]))),
            ("import", {
                let again = dir.path().join("again.db");
                peak_mib(&jobloop(&again, &["import", file.to_str().unwrap()]))
            }),
        ];
        if jobs == 1000 {
            target(
                targets,
                format!("{name}: one acknowledged write vs the bare insert"),
                "within 3×".into(),
                format!("{:.2}×", ratio(write, bare)),
                ratio(write, bare) <= 3.0,
            );
            target(
                targets,
                format!("{name}: `verify` vs `export`"),
                "within 2×".into(),
                format!("{:.2}×", ratio(verify, export)),
                ratio(verify, export) <= 2.0,
            );
            target(
                targets,
                format!("{name}: `export` vs sqlite3 `.dump`"),
                "within 5×".into(),
                format!("{:.2}×", ratio(export, dump)),
                ratio(export, dump) <= 5.0,
            );
            target(
                targets,
                format!("{name}: `import`"),
                "under 5 s".into(),
                ms(import),
                import < Duration::from_secs(5),
            );
        }
        let limit = if jobs == 5000 { 200.0 } else { 100.0 };
        for (what, mib) in &memory {
            if big && (jobs == 1000 || (jobs == 5000 && *what == "review --json")) {
                target(
                    targets,
                    format!("{name}: peak memory of `{what}`"),
                    format!("under {limit:.0} MB"),
                    format!("{mib:.0} MiB"),
                    mib * 1.048576 < limit,
                );
            }
        }
        let mem = memory
            .iter()
            .map(|(w, m)| format!("{w} {m:.0} MiB"))
            .collect::<Vec<_>>()
            .join(", ");
        rows.push(Row {
            what: format!("peak memory: {mem}"),
            median: Duration::ZERO,
            reference: None,
        });
    }
    if let Some(g) = generated {
        row(
            &mut rows,
            "generate the database with `jobloop demo` (one run)",
            g,
            None,
        );
    }
    let title = format!(
        "{jobs} jobs × {weeks} weeks ({:.0} MiB file)",
        std::fs::metadata(&db).unwrap().len() as f64 / 1048576.0,
    );
    Size {
        title,
        rows,
        review,
        first_frame,
        whole_board,
    }
}
