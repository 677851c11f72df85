//! The weekly digest: Markdown a lead pastes into chat or email. Shared by `review --markdown`
//! and the TUI's "write digest" key. Stored text is sanitised and table cells escaped.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::display::{clean, num, status_symbol};
use crate::domain::review::{JobReview, Review};
use crate::domain::stats::sparkline;
use crate::store::Changes;

/// How many changes per job the digest lists.
pub const CHANGES_SHOWN: usize = 8;

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    clean(&s.replace('|', "\\|")).into_owned()
}

/// `changes` is keyed by job slug (see `Store::changes_since_last_cycle`).
pub fn markdown(review: &Review, changes: &HashMap<String, Changes>) -> String {
    let mut out = format!("## Weekly review — {}\n\n", review.week);
    if review.jobs.is_empty() {
        out.push_str("No jobs yet.\n");
        return out;
    }
    let t = &review.totals;
    let _ = writeln!(
        out,
        "{} jobs · {} open loops · {} kill signals tripped · {} loops without owner · {} without baseline · {} cycles overdue\n",
        t.jobs, t.open_loops, t.kill_tripped, t.no_owner, t.no_baseline, t.cycles_overdue
    );
    out.push_str("| job | understand | redesign | instrument | govern | improve | distribute | open now | next job |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for j in &review.jobs {
        let cells: Vec<String> = j
            .loops
            .iter()
            .map(|l| {
                let mark = if l.needs_decision() { " ⚠" } else { "" };
                format!("{} {}{mark}", status_symbol(l.status), l.status.label())
            })
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&j.title),
            cells.join(" | "),
            j.open_now.map_or("—", |k| k.name()),
            j.next_job.map_or("—", |k| k.name())
        );
    }
    for j in &review.jobs {
        job_section(&mut out, j, changes.get(&j.slug));
    }
    out
}

fn job_section(out: &mut String, j: &JobReview, changes: Option<&Changes>) {
    let _ = writeln!(out, "\n### {} (`{}`)\n", cell(&j.title), cell(&j.slug));
    let mut head = vec![format!(
        "**Open now:** {}",
        j.open_now.map_or("none", |k| k.name())
    )];
    match (&j.last_compound, j.next_job) {
        (Some(c), None) => head.push(format!(
            "**{}:** all four layers improved — the job compounds",
            c.week
        )),
        (Some(c), Some(k)) => head.push(format!(
            "**{}:** {} broke — **next job: {k}**",
            c.week,
            c.broken_layer.map_or("a layer", |l| l.name())
        )),
        (None, _) => head.push("no compound test yet".into()),
    }
    if j.cycle.overdue {
        head.push("compound test **overdue**".into());
    } else if j.cycle.due {
        head.push(format!("compound test due for {}", j.cycle.week));
    }
    let _ = writeln!(out, "{}\n", head.join(" · "));

    let since = j
        .last_compound
        .as_ref()
        .map_or("so far".to_string(), |c| format!("since {}", c.week));
    match changes.filter(|c| c.total > 0) {
        None => {
            let _ = writeln!(out, "Nothing changed {since}.\n");
        }
        Some(c) => {
            let _ = writeln!(out, "**Changed {since}** ({} records):\n", c.total);
            for e in &c.events {
                let _ = writeln!(
                    out,
                    "- {} {}: {}",
                    e.at.local_date(),
                    clean(&e.actor),
                    clean(&e.summary.replace('\n', " "))
                );
            }
            let more = c.total - c.events.len() as i64;
            if more > 0 {
                let _ = writeln!(out, "- … and {more} more (`jobloop log {}`)", j.slug);
            }
            out.push('\n');
        }
    }

    let measured: Vec<_> = j.loops.iter().filter(|l| l.metric.is_some()).collect();
    if !measured.is_empty() {
        out.push_str("| loop | metric | baseline | live | change | verdict | trend |\n|---|---|---|---|---|---|---|\n");
        for l in measured {
            let (Some(m), Some(c)) = (&l.metric, &l.comparison) else {
                continue;
            };
            let side = |mean: Option<f64>, n: usize| {
                mean.map_or("—".into(), |v| format!("{} (n={n})", num(v)))
            };
            let _ = writeln!(
                out,
                "| {} | {} ({}{} is better) | {} | {} | {} | {} | {} |",
                l.kind,
                cell(&m.name),
                if m.unit.is_empty() {
                    String::new()
                } else {
                    format!("{}, ", cell(&m.unit))
                },
                m.better,
                side(c.baseline_mean, c.baseline_n),
                side(c.live_mean, c.live_n),
                c.pct_change.map_or("—".into(), |p| format!("{p:+.0}%")),
                c.verdict.as_str(),
                sparkline(&l.recent)
            );
        }
        out.push('\n');
    }

    let mut signals = Vec::new();
    for l in &j.loops {
        for k in l.undecided() {
            signals.push(format!(
                "- **tripped** ({}): {} — {}",
                l.kind,
                clean(&k.text),
                clean(k.reason.as_deref().unwrap_or(""))
            ));
        }
        for s in &l.suggested_kill_signals {
            signals.push(format!(
                "- suggested ({}): {} — {}",
                l.kind,
                clean(&s.text),
                clean(&s.why)
            ));
        }
    }
    if !signals.is_empty() {
        let _ = writeln!(out, "**Kill signals:**\n\n{}\n", signals.join("\n"));
    }
    let needs: Vec<String> = j
        .loops
        .iter()
        .flat_map(|l| {
            l.flags
                .iter()
                .map(move |f| format!("- {}: {}", l.kind, clean(&f.advice(&j.slug, l.kind))))
        })
        .collect();
    if !needs.is_empty() {
        let _ = writeln!(out, "**Needs the lead:**\n\n{}", needs.join("\n"));
    }
}
