//! The weekly digest: Markdown a lead pastes into chat or email. Shared by `review --markdown`
//! and the TUI's "write digest" key. It covers one week — what happened in it, by the date of each
//! event — whenever it is written and whether or not that week's cycle is closed. Stored text is
//! sanitised and escaped so that a title can neither act on a terminal nor render as an image,
//! a link or HTML in the lead's message.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::display::{clean, num, pct, status_symbol};
use crate::domain::model::{ProofOutcome, Status};
use crate::domain::review::{JobReview, ProofReview, Review};
use crate::domain::state::ProofFact;
use crate::domain::stats::sparkline;
use crate::domain::time::Week;
use crate::store::Changes;

/// How many changes per job the digest lists.
pub const CHANGES_SHOWN: usize = 8;

/// Stored text made inert for Markdown: the characters Markdown (CommonMark, GitHub, chat
/// clients) would act on are escaped with a backslash, and `://` and `www.` are broken so that
/// nothing is linked automatically.
/// Text that may span lines (a statement, a canvas field, a learning), each line made inert
/// and joined by `joiner` (a Markdown hard break, continued in a quote or a list item), so a
/// line break typed is shown as one, never as `\u{a}`.
pub fn inert_lines(s: &str, joiner: &str) -> String {
    s.trim()
        .split('\n')
        .map(|line| inert(line.trim_end_matches('\r')))
        .collect::<Vec<_>>()
        .join(joiner)
}

pub fn inert(s: &str) -> String {
    let s = clean(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '('
                | ')'
                | '<'
                | '>'
                | '!'
                | '|'
                | '#'
                | '~'
                | '&'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out.replace("://", ":\\/\\/").replace("www.", "www\\.")
}

/// `changes` is keyed by job slug (see `Store::changes_in`).
pub fn markdown(review: &Review, week: Week, changes: &HashMap<String, Changes>) -> String {
    let mut out = format!("## Weekly review — {week}\n\n");
    if review.jobs.is_empty() {
        out.push_str("No jobs yet.\n");
        return out;
    }
    let t = &review.totals;
    let _ = writeln!(
        out,
        "{} jobs · {} open loops · {} kill signals tripped · {} loops without owner · {} without baseline · {} cycles overdue · {} decisions awaiting sign-off\n",
        t.jobs,
        t.open_loops,
        t.kill_tripped,
        t.no_owner,
        t.no_baseline,
        t.cycles_overdue,
        t.decisions_pending
    );
    out.push_str("| job | understand | redesign | instrument | govern | improve | distribute | open now | next job |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for j in &review.jobs {
        let cells: Vec<String> = j
            .loops
            .iter()
            .map(|l| {
                let breached = l.guardrails.iter().any(|g| g.breached);
                let mark = if l.needs_decision() || breached {
                    " ⚠"
                } else {
                    ""
                };
                format!("{} {}{mark}", status_symbol(l.status), l.status.label())
            })
            .collect();
        let next = match (j.next_job, j.next_job_status) {
            (Some(k), Some(Status::Killed)) => format!("{k} (killed)"),
            (Some(k), _) => k.to_string(),
            (None, _) => "—".into(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {next} |",
            inert(&j.title),
            cells.join(" | "),
            j.open_now.map_or("—", |k| k.name()),
        );
    }
    for j in &review.jobs {
        job_section(&mut out, j, week, changes.get(&j.slug));
    }
    out
}

/// What the distribute loop's proof did: published and tracked this week, and in all.
fn proof_section(out: &mut String, p: &ProofReview, week: Week) {
    if p.artifacts == 0 {
        return;
    }
    let what = |f: &ProofFact| {
        format!(
            "{} ({} {})",
            inert(&f.title),
            if f.public { "public" } else { "private" },
            f.kind
        )
    };
    for f in &p.published_this_week {
        // Only a public proof is published; a private one is kept for the team.
        let verb = if f.public {
            "published"
        } else {
            "added (private)"
        };
        let _ = writeln!(out, "- **Proof {verb} in {week}:** {}", what(f));
    }
    for f in &p.tracked_this_week {
        if let Some(o) = f.outcome {
            let _ = writeln!(
                out,
                "- **Proof tracked in {week}:** {} brought back {}",
                what(f),
                outcome_words(&o)
            );
        }
    }
    let _ = writeln!(
        out,
        "- **Proof in all:** {} artifact(s), {} public, {} tracked{}\n",
        p.artifacts,
        p.public,
        p.tracked,
        if p.tracked > 0 {
            format!(": {}", outcome_words(&p.brought_back))
        } else {
            String::new()
        }
    );
}

/// An outcome's counts in words, the ones that are not zero (or "nothing yet").
pub fn outcome_words(o: &ProofOutcome) -> String {
    let parts: Vec<String> = [
        (o.replies, "replies"),
        (o.citations, "citations"),
        (o.intros, "intros"),
        (o.bookings, "bookings"),
        (o.sales, "sales"),
        (o.reuse, "reuse"),
    ]
    .iter()
    .filter(|(n, _)| *n != 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        "nothing yet".into()
    } else {
        parts.join(", ")
    }
}

fn job_section(out: &mut String, j: &JobReview, week: Week, changes: Option<&Changes>) {
    let _ = writeln!(out, "\n### {} ({})\n", inert(&j.title), inert(&j.slug));
    let _ = writeln!(out, "{}\n", job_head(j).join(" · "));
    proof_section(out, &j.proof, week);
    changes_section(out, j, week, changes);
    metrics_table(out, j);
    deviations_section(out, j, week);
    signals_section(out, j);
    needs_section(out, j);
}

/// The job's state in a line: the loop open now, the last compound test, what is due.
fn job_head(j: &JobReview) -> Vec<String> {
    let mut head = vec![format!(
        "**Open now:** {}",
        j.open_now.map_or("none", |k| k.name())
    )];
    match (&j.last_compound, j.next_job, j.next_job_status) {
        (Some(c), None, _) => head.push(format!(
            "**{}:** all four layers improved — the job compounds",
            c.week
        )),
        (Some(c), Some(k), status) => head.push(format!(
            "**{}:** {} broke — **next job: {k}**{}",
            c.week,
            c.broken_layer.map_or("a layer", |l| l.name()),
            if status == Some(Status::Killed) {
                " (killed: reopen it first)"
            } else {
                ""
            }
        )),
        (None, _, _) => head.push("no compound test yet".into()),
    }
    if j.cycle.overdue {
        head.push("compound test **overdue**".into());
    } else if j.cycle.due {
        head.push(format!("compound test due for {}", j.cycle.week));
    }
    head
}

/// What was recorded in the week, the latest first few.
fn changes_section(out: &mut String, j: &JobReview, week: Week, changes: Option<&Changes>) {
    match changes.filter(|c| c.total > 0) {
        None => {
            let _ = writeln!(out, "Nothing was recorded in {week}.\n");
        }
        Some(c) => {
            let _ = writeln!(out, "**In {week}** ({} records):\n", c.total);
            for e in &c.events {
                let _ = writeln!(
                    out,
                    "- {} {}: {}",
                    e.at.local_date(),
                    inert(&e.actor),
                    inert(&e.summary.replace('\n', " "))
                );
            }
            let more = c.total - c.events.len() as i64;
            if more > 0 {
                let _ = writeln!(out, "- … and {more} more (`jobloop log {}`)", j.slug);
            }
            out.push('\n');
        }
    }
}

/// Each measured loop's metric, baseline, live values, change, verdict and trend.
fn metrics_table(out: &mut String, j: &JobReview) {
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
            let change_of = |c: &crate::domain::stats::Comparison| match (c.pct_change, c.delta) {
                (Some(p), _) => pct(p),
                (None, Some(d)) => num(d),
                _ => "—".into(),
            };
            let change = change_of(c);
            // A locked verdict that still counts voided values says so, with the result
            // without them, as `loop show` and the report do: the figures above count them.
            // A guardrail's name in the label is Markdown-escaped, as every name here.
            let mut verdict = crate::display::verdict_label_naming(c, &inert);
            let voided = c.caveats.iter().find_map(|k| match k {
                crate::domain::stats::Caveat::CountsVoided { n } => Some(*n),
                _ => None,
            });
            if let Some(n) = voided {
                let _ = write!(verdict, " (counts {n} voided value(s)");
                if let Some(a) = &l.amended_comparison {
                    let _ = write!(verdict, "; without them {}, not the verdict", change_of(a));
                }
                verdict.push(')');
            }
            let _ = writeln!(
                out,
                "| {} | {} ({}{} is better) | {} | {} | {} | {} | {} |",
                l.kind,
                inert(&m.name),
                if m.unit.is_empty() {
                    String::new()
                } else {
                    format!("{}, ", inert(&m.unit))
                },
                m.better,
                side(c.baseline_mean, c.baseline_n),
                side(c.live_mean, c.live_n),
                change,
                verdict,
                sparkline(&l.recent)
            );
        }
        out.push('\n');
    }
}

/// Changes to locked plans made in the week.
fn deviations_section(out: &mut String, j: &JobReview, week: Week) {
    // Changes to locked plans made this week, in force or under a replaced metric.
    let deviations: Vec<String> = j
        .loops
        .iter()
        .flat_map(|l| {
            l.plan
                .iter()
                .chain(l.earlier_plans.iter().map(|e| &e.plan))
                .chain(l.superseded_metrics.iter().filter_map(|m| m.plan.as_ref()))
                .flat_map(|p| &p.deviations)
                .filter(|d| Week::containing(d.at) == week)
                .map(move |d| {
                    format!(
                        "- {} ({}) {}: {} — why: {}",
                        d.at.local_date(),
                        l.kind,
                        inert(&d.by),
                        inert(&d.detail),
                        inert(&d.reason)
                    )
                })
        })
        .collect();
    if !deviations.is_empty() {
        let _ = writeln!(
            out,
            "**Deviations from locked plans in {week}** (verdicts stay the locked plans'):\n\n{}\n",
            deviations.join("\n")
        );
    }
}

/// Kill signals tripped and awaiting a decision, and those suggested.
fn signals_section(out: &mut String, j: &JobReview) {
    let mut signals = Vec::new();
    for l in &j.loops {
        for k in l.undecided() {
            signals.push(format!(
                "- **tripped** ({}): {} — {}",
                l.kind,
                inert(&k.text),
                inert(k.reason.as_deref().unwrap_or(""))
            ));
        }
        for s in &l.suggested_kill_signals {
            signals.push(format!(
                "- suggested ({}): {} — {}",
                l.kind,
                inert(&s.text),
                inert(&s.why)
            ));
        }
    }
    if !signals.is_empty() {
        let _ = writeln!(out, "**Kill signals:**\n\n{}\n", signals.join("\n"));
    }
}

/// What each loop needs from the lead.
fn needs_section(out: &mut String, j: &JobReview) {
    let needs: Vec<String> = j
        .loops
        .iter()
        .flat_map(|l| {
            l.flags
                .iter()
                .map(move |f| format!("- {}: {}", l.kind, f.problem()))
        })
        .collect();
    if !needs.is_empty() {
        let _ = writeln!(out, "**Needs the lead:**\n\n{}", needs.join("\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_cannot_render_as_images_links_or_html() {
        for hostile in [
            "![x](http://evil.example/track.png)",
            "[click me](javascript:alert(1))",
            "<img src=x onerror=alert(1)>",
            "<https://evil.example>",
            "visit www.evil.example now",
            "see https://evil.example/x",
        ] {
            let s = inert(hostile);
            // What Markdown still reads as syntax: the text left once every backslash escape
            // (a backslash and the character after it) is taken out.
            let mut bare = String::new();
            let mut chars = s.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    chars.next();
                } else {
                    bare.push(c);
                }
            }
            for bad in ["[", "]", "(", ")", "<", ">", "!", "://", "www."] {
                assert!(!bare.contains(bad), "{hostile} → {s}");
            }
        }
        assert_eq!(inert("a\u{1b}[2J"), "a\\\\u{1b}\\[2J");
    }
}
