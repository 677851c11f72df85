//! `cargo bench`: jobloop at a lead's size and at an organisation's, each figure a median beside a
//! reference measured in the same run, and each target of BENCHMARKS.md checked.
//!
//! `JOBLOOP_BENCH_SIZES=small` runs 3 jobs × 8 weeks only; the default adds 300 jobs with 52 and
//! with 156 weeks of history and 1,000 jobs × 52 weeks; `all` adds 5,000 jobs × 52 weeks.
//! Databases are generated with `jobloop demo --seed 1` (through the real write path) and kept
//! in `target/bench-data`, keyed by size and schema version; each run works on a fresh copy.
// A test stops at the first thing that is not as it should be: unwrap and panic are its tools.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod file_store;
mod import;
mod measure;
mod shared_store;

/// The tests' throwaway PostgreSQL cluster, reused for the shared store's figures.
// Shared with the tests; the bench uses part of it.
#[allow(unreachable_pub)]
#[path = "../../tests/common/pg.rs"]
#[allow(dead_code, unused_macros)]
mod pg;

use crate::file_store::bench;
use crate::import::bench_import;
use crate::measure::{bare_insert, ms, peak_child, ratio, target};
use crate::shared_store::bench_postgres;
use jobloop::domain::time::Stamp;
use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--bare-insert") {
        bare_insert(Path::new(&args[i + 1]));
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--peak") {
        peak_child(&args[i + 1..]);
        return;
    }
    // `cargo test --benches` runs this without --bench; keep it quick then.
    if !args.iter().any(|a| a == "--bench") {
        println!("run with `cargo bench`");
        return;
    }
    // `small`: 3 × 8; `org`: 1,000 × 52 (to iterate on one figure); `large`: 5,000 × 52;
    // `import`: values import of 100,000 rows; default: every size but 5,000 × 52; `all`: every
    // size.
    let which = std::env::var("JOBLOOP_BENCH_SIZES").unwrap_or_default();
    let (small, history, org, large) = match which.as_str() {
        "small" => (true, false, false, false),
        "org" | "import" => (false, false, which == "org", false),
        "large" => (false, false, false, true),
        "all" => (true, true, true, true),
        _ => (true, true, true, false),
    };
    let import = matches!(which.as_str(), "" | "all" | "import");
    let mut targets = Vec::new();
    let mut results = Vec::new();
    if small {
        results.push(bench(3, 8, true, &mut targets));
    }
    if history {
        let short = bench(300, 52, false, &mut targets);
        let long = bench(300, 156, false, &mut targets);
        for (what, a, b) in [
            ("`review --json`", short.review, long.review),
            ("the TUI's first frame", short.first_frame, long.first_frame),
            ("the TUI's whole board", short.whole_board, long.whole_board),
        ] {
            target(
                &mut targets,
                format!("300 jobs: {what} with 156 weeks vs 52 weeks of history"),
                "within 1.3×".into(),
                format!("{:.2}× ({} vs {})", ratio(b, a), ms(b), ms(a)),
                ratio(b, a) <= 1.3,
            );
        }
        results.push(short);
        results.push(long);
    }
    if org {
        results.push(bench(1000, 52, true, &mut targets));
        match bench_postgres(1000, 52, &mut targets) {
            Some(size) => results.push(size),
            None => println!("\n(PostgreSQL is not installed: its figures are skipped)"),
        }
    }
    if large {
        results.push(bench(5000, 52, true, &mut targets));
    }
    if import {
        results.push(bench_import(100_000, &mut targets));
    }
    println!("\nMeasured {} (medians).", Stamp::now().local_minute());
    for size in results {
        println!("\n### {}\n", size.title);
        println!("| measured | median | reference (same run) | ratio |");
        println!("|---|---|---|---|");
        for r in size.rows {
            if r.median.is_zero() {
                println!("| {} | | | |", r.what);
                continue;
            }
            let (reference, ratio) = match r.reference {
                Some((what, d)) => (
                    format!("{what}: {}", ms(d)),
                    format!("{:.2}×", r.median.as_secs_f64() / d.as_secs_f64()),
                ),
                None => ("—".into(), "—".into()),
            };
            println!("| {} | {} | {reference} | {ratio} |", r.what, ms(r.median));
        }
    }
    if !targets.is_empty() {
        println!("\n### Targets\n");
        println!("| target | limit | measured | met |");
        println!("|---|---|---|---|");
        for t in targets {
            let met = if t.met { "yes" } else { "**no**" };
            println!("| {} | {} | {} | {met} |", t.what, t.limit, t.measured);
        }
    }
}
