//! `report --html`: one self-contained HTML page a lead can send to people who never open a
//! terminal — the board, what needs whom, each metric as a chart with its comparison in words,
//! kill signals and decisions, the compound tests and the proof artifacts. Nothing is fetched
//! (the style is inline, the charts are inline SVG, a Content-Security-Policy forbids any load)
//! and nothing runs (no script). Every judgement (states, flags, verdicts, limits) is the
//! domain's, computed from the records the same way the stored state is (`LoopState::compute`,
//! `review::build`); for a past week from the records as they stood then (`domain::as_of`).

mod html;
mod svg;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::detail_rows::{decision_row, learning_lines, signal_rows};
use crate::display::{comparison_lines, phase_words, plan_lines, process_words, status_symbol};
use crate::domain::as_of;
use crate::domain::loop_record::LoopRecord;
use crate::domain::model::{Status, Visibility};
use crate::domain::review::{self, Flag, JobInput, JobReview, LoopReview, Review};
use crate::domain::state::{JobState, LoopState};
use crate::domain::time::{Stamp, Week, start_of_day};
use crate::store::JobRecords;
pub use html::{text, text_lines};

/// What the page shows, and as of when.
pub struct Scope {
    /// The week to show as it stood at its end; `None`: now.
    pub week: Option<Week>,
    /// The command's clock: the "generated at" line, and "now" for the current state.
    pub generated: Stamp,
    /// The report of a shared database.
    pub team: bool,
}

impl Scope {
    /// The instant the review is taken at: now, or the last second of the week (never later
    /// than now, for the week in progress).
    fn instant(&self) -> Stamp {
        match self.week {
            None => self.generated,
            Some(w) => {
                let after = as_of::last_day(w)
                    .succ_opt()
                    .map(start_of_day)
                    .unwrap_or(self.generated);
                let end = Stamp::from_utc(after.0 - chrono::Duration::seconds(1));
                end.min(self.generated)
            }
        }
    }
}

/// A job as the page shows it: its records (as of the scope's week) and its review.
struct Shown {
    records: JobRecords,
    review: JobReview,
}

/// The whole page.
pub fn page(jobs: &[JobRecords], scope: &Scope) -> String {
    let at = scope.instant();
    let shown: Vec<JobRecords> = jobs
        .iter()
        .map(|j| match scope.week {
            None => j.clone(),
            Some(w) => {
                let end = as_of::last_day(w);
                JobRecords {
                    loops: j.loops.iter().map(|r| as_of::loop_record(r, end)).collect(),
                    cycles: as_of::cycles(&j.cycles, w, end),
                    tools: as_of::tools(&j.tools, end),
                    proofs: as_of::proofs(&j.proofs, end),
                    job: j.job.clone(),
                    history_start: j.history_start,
                }
            }
        })
        .collect();
    let inputs: Vec<JobInput> = shown
        .iter()
        .map(|j| JobInput {
            job: j.job.clone(),
            state: JobState::compute(&j.cycles, &j.tools, &j.proofs),
            loops: j.loops.iter().map(LoopState::compute).collect(),
        })
        .collect();
    let review = review::build(&inputs, at, scope.team);
    let jobs: Vec<Shown> = shown
        .into_iter()
        .zip(review.jobs.iter().cloned())
        .map(|(records, review)| Shown { records, review })
        .collect();

    let week = scope
        .week
        .unwrap_or_else(|| Week::containing(scope.generated));
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'">
<meta name="referrer" content="no-referrer">
<title>jobloop report — {week}</title>
<style>{}</style></head><body>
<header><h1>jobloop report — {week}</h1>
<p class="meta">generated at {} by jobloop {} · {}</p></header>
"#,
        html::STYLE,
        scope.generated.local_minute(),
        env!("CARGO_PKG_VERSION"),
        text(&as_of_words(scope, at)),
    );
    totals(&mut out, &review);
    if jobs.is_empty() {
        out.push_str("<p>No jobs yet.</p>\n</body></html>\n");
        return out;
    }
    board(&mut out, &jobs);
    needs(&mut out, &jobs);
    for j in &jobs {
        job_section(&mut out, j);
    }
    out.push_str("</body></html>\n");
    out
}

/// What "as of" means on this page.
fn as_of_words(scope: &Scope, at: Stamp) -> String {
    match scope.week {
        None => format!(
            "as of {}: every record in the database now",
            at.local_minute()
        ),
        Some(w) => format!(
            "as of the end of {w} ({}): values, interventions, decisions, learnings, compound tests, tools and proofs dated up to then (backfilled ones included), with the sign-offs, voids, trips and kill decisions, steps done and proof outcomes recorded by then; each loop's status and owner are today's (their history is in `jobloop log`)",
            at.local_minute()
        ),
    }
}

fn totals(out: &mut String, review: &Review) {
    let t = &review.totals;
    let _ = writeln!(
        out,
        "<p>{} jobs · {} open loops · {} kill signals tripped · {} loops without owner · {} without baseline · {} compound tests overdue · {} decisions awaiting sign-off</p>",
        t.jobs,
        t.open_loops,
        t.kill_tripped,
        t.no_owner,
        t.no_baseline,
        t.cycles_overdue,
        t.decisions_pending
    );
}

fn status_class(s: Status) -> &'static str {
    match s {
        Status::NotStarted => "st-not-started",
        Status::Open => "st-open",
        Status::Closed => "st-closed",
        Status::Killed => "st-killed",
    }
}

fn board(out: &mut String, jobs: &[Shown]) {
    out.push_str("<section><h2>Board</h2><div class=\"scroll\"><table class=\"board\"><thead><tr><th>job</th>");
    for k in crate::domain::LoopKind::ALL {
        let _ = write!(out, "<th>{k}</th>");
    }
    out.push_str("<th>open now</th><th>next job</th></tr></thead><tbody>\n");
    for j in jobs {
        let r = &j.review;
        let _ = write!(
            out,
            "<tr><td><a href=\"#job-{}\">{}</a></td>",
            text(&r.slug),
            text(&r.title)
        );
        for l in &r.loops {
            let breached = l.guardrails.iter().any(|g| g.breached);
            let warn = if l.needs_decision() || breached {
                " <span class=\"warn\" title=\"needs a decision\">⚠</span>"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<td class=\"{}\" data-loop=\"{}\">{} {}{warn}<br><span class=\"muted\">{}</span></td>",
                status_class(l.status),
                l.kind,
                status_symbol(l.status),
                l.status.label(),
                text(l.owner.as_deref().unwrap_or("no owner"))
            );
        }
        let next = match (r.next_job, r.next_job_status) {
            (Some(k), Some(Status::Killed)) => format!("{k} (killed)"),
            (Some(k), _) => k.to_string(),
            (None, _) => "—".into(),
        };
        let _ = writeln!(
            out,
            "<td>{}</td><td>{next}</td></tr>",
            r.open_now.map_or("—", |k| k.name())
        );
    }
    out.push_str("</tbody></table></div></section>\n");
}

/// Who is asked to act on a flag of a loop: the decision's owner for a sign-off, else the
/// loop's owner, else the job's lead.
fn asked(r: &JobReview, l: &LoopReview, f: Flag) -> Vec<(String, String)> {
    let fallback = || {
        l.owner
            .clone()
            .or_else(|| r.lead.clone())
            .unwrap_or_else(|| "nobody named".into())
    };
    match f {
        Flag::DecisionPending => l
            .decisions_pending
            .iter()
            .map(|p| {
                (
                    p.owner.clone(),
                    format!("sign off the decision “{}”", p.text),
                )
            })
            .collect(),
        Flag::KillTripped => l
            .undecided()
            .map(|k| {
                (
                    fallback(),
                    format!(
                        "decide on tripped kill signal {}: {} — {}",
                        k.n,
                        k.text,
                        k.reason.as_deref().unwrap_or("")
                    ),
                )
            })
            .collect(),
        Flag::NoOwner => vec![(
            r.lead.clone().unwrap_or_else(|| "nobody named".into()),
            f.problem().to_string(),
        )],
        _ => vec![(fallback(), f.problem().to_string())],
    }
}

fn needs(out: &mut String, jobs: &[Shown]) {
    // Person → (job, loop, what), in a stable order.
    let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for j in jobs {
        let r = &j.review;
        if r.cycle.overdue {
            by.entry(r.lead.clone().unwrap_or_else(|| "nobody named".into()))
                .or_default()
                .push(format!(
                    "{}: the compound test of {} is overdue",
                    r.slug, r.cycle.week
                ));
        }
        for l in &r.loops {
            for f in &l.flags {
                for (who, what) in asked(r, l, *f) {
                    by.entry(who)
                        .or_default()
                        .push(format!("{}/{}: {what}", r.slug, l.kind));
                }
            }
        }
    }
    out.push_str("<section><h2>What needs whom</h2>\n");
    if by.is_empty() {
        out.push_str("<p>Nothing waits for anyone.</p>");
    }
    for (who, items) in &by {
        let _ = write!(out, "<h3>{}</h3><ul>", text(who));
        for i in items {
            let _ = write!(out, "<li>{}</li>", text(i));
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

fn list(out: &mut String, title: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    let _ = write!(out, "<h3>{}</h3><ul>", text(title));
    for l in lines {
        let _ = write!(out, "<li>{}</li>", text_lines(l));
    }
    out.push_str("</ul>\n");
}

fn job_section(out: &mut String, j: &Shown) {
    let r = &j.review;
    let _ = write!(
        out,
        "<section class=\"job\" id=\"job-{}\"><h2>{} <span class=\"muted\">({})</span></h2>",
        text(&r.slug),
        text(&r.title),
        text(&r.slug)
    );
    if !r.statement.trim().is_empty() {
        let _ = writeln!(out, "<p class=\"meta\">{}</p>", text_lines(&r.statement));
    }
    let mut meta = Vec::new();
    meta.push(format!("lead: {}", r.lead.as_deref().unwrap_or("none")));
    meta.push(format!(
        "open now: {}",
        r.open_now.map_or("none", |k| k.name())
    ));
    if r.cycle.overdue {
        meta.push(format!("compound test of {} overdue", r.cycle.week));
    } else if r.cycle.due {
        meta.push(format!("compound test due for {}", r.cycle.week));
    }
    let _ = writeln!(out, "<p class=\"meta\">{}</p>", text(&meta.join(" · ")));
    for (rec, l) in j.records.loops.iter().zip(&r.loops) {
        loop_section(out, rec, l);
    }
    cycles(out, &j.records);
    proofs(out, &j.records);
    out.push_str("</section>\n");
}

fn loop_section(out: &mut String, rec: &LoopRecord, l: &LoopReview) {
    let interesting = rec.metric.is_some()
        || !rec.decisions.is_empty()
        || rec
            .kill_signals
            .iter()
            .any(|k| k.state != crate::domain::model::SignalState::Armed || k.decision.is_some())
        || !rec.learnings.is_empty();
    let _ = write!(
        out,
        "<div class=\"loop\" data-loop=\"{}\"><h3>{} {} — {}{}</h3>",
        l.kind,
        status_symbol(l.status),
        l.kind,
        l.status.label(),
        text(
            &l.owner
                .as_deref()
                .map(|o| format!(" · owner {o}"))
                .unwrap_or_else(|| " · no owner".into())
        )
    );
    if !interesting {
        out.push_str(
            "<p class=\"muted\">no metric, signals, decisions or learnings yet</p></div>\n",
        );
        return;
    }
    if let (Some(m), Some(svg)) = (&l.metric, svg::chart(rec, l)) {
        metric_part(out, l, m, &svg);
    }
    list(out, "Kill signals", &signal_rows_of(rec, l));
    let decisions: Vec<String> = rec
        .decisions
        .iter()
        .map(|d| decision_row(d, &rec.decisions))
        .collect();
    list(out, "Decisions", &decisions);
    let learnings: Vec<String> = rec.learnings.iter().map(learning_lines).collect();
    list(out, "Learnings", &learnings);
    out.push_str("</div>\n");
}

/// The chart's key: only what it draws (read from the drawing's own classes), so a chart
/// without a target or limits names none.
fn chart_key(svg: &str) -> String {
    let keys: String = [
        ("circle class=\"baseline\"", "● baseline"),
        ("circle class=\"live\"", "— live"),
        ("line class=\"limit\"", "┆ process limits"),
        ("line class=\"intervention\"", "│ intervention"),
        ("line class=\"target\"", "╌ target"),
    ]
    .iter()
    .filter(|(drawn, _)| svg.contains(drawn))
    .map(|(_, key)| format!("<span>{key}</span>"))
    .collect();
    match keys.is_empty() {
        true => String::new(),
        false => format!("<p class=\"key muted\">{keys}</p>"),
    }
}

/// The loop's metric, its chart and the comparison in words.
fn metric_part(
    out: &mut String,
    l: &LoopReview,
    m: &crate::domain::state::MetricSummary,
    svg: &str,
) {
    let target = m
        .target
        .map(|t| format!(" · target {}", crate::display::target_words(t, &m.unit)))
        .unwrap_or_default();
    let _ = write!(
        out,
        "<p><b>{}</b>{} ({} is better){}</p>{svg}{}",
        text(&m.name),
        text(&if m.unit.is_empty() {
            String::new()
        } else {
            format!(", {}", m.unit)
        }),
        m.better,
        text(&target),
        chart_key(svg)
    );
    let mut words = match &l.comparison {
        Some(c) => comparison_lines(c, &m.unit, m.better),
        None => vec!["no values yet".into()],
    };
    if let Some(p) = &l.process {
        words.push(process_words(p, l.signals_total, l.comparison.as_ref()));
        words.extend(phase_words(p));
    }
    words.extend(plan_lines(l, &m.unit, m.better));
    list(out, "The comparison", &words);
}

/// Each kill signal with its rule's check, then those suggested.
fn signal_rows_of(rec: &LoopRecord, l: &LoopReview) -> Vec<String> {
    rec.kill_signals
        .iter()
        .map(|k| {
            let check = l
                .kill_signals
                .iter()
                .find(|s| s.signal.n == k.n)
                .and_then(|s| s.rule_check.as_ref());
            let (head, details) = signal_rows(k, check);
            std::iter::once(head)
                .chain(details)
                .collect::<Vec<_>>()
                .join(" · ")
        })
        .chain(
            l.suggested_kill_signals
                .iter()
                .map(|s| format!("suggested: {} — {}", s.text, s.why)),
        )
        .collect()
}

fn cycles(out: &mut String, j: &JobRecords) {
    out.push_str("<h3>Compound tests</h3>");
    if j.cycles.is_empty() {
        out.push_str("<p class=\"muted\">none answered yet</p>\n");
        return;
    }
    out.push_str("<div class=\"scroll\"><table><thead><tr><th>week</th><th>understanding</th><th>explanation</th><th>creation</th><th>distribution</th><th>result</th><th>note</th><th>answered</th></tr></thead><tbody>");
    let mut cs: Vec<_> = j.cycles.iter().collect();
    cs.sort_by(|a, b| b.week.cmp(&a.week));
    for c in cs {
        let _ = write!(out, "<tr><td>{}</td>", text(&c.week));
        for (_, improved, note) in c.answers() {
            let mark = if improved {
                "✓ improved"
            } else {
                "✗ broke"
            };
            let note = if note.is_empty() {
                String::new()
            } else {
                format!(" — {note}")
            };
            let _ = write!(out, "<td>{}</td>", text(&format!("{mark}{note}")));
        }
        let result = match c.broken_layer() {
            None => "compounds".to_string(),
            Some(layer) => format!("{} broke: next job {}", layer.name(), layer.next_loop()),
        };
        let answered = match c.backfilled() {
            Some(d) => format!(
                "{} by {} (backfilled on {d})",
                c.closed_at.local_date(),
                c.closed_by
            ),
            None => format!("{} by {}", c.closed_at.local_date(), c.closed_by),
        };
        let _ = write!(
            out,
            "<td>{}</td><td>{}</td><td>{}</td></tr>",
            text(&result),
            text(&c.note),
            text(&answered)
        );
    }
    out.push_str("</tbody></table></div>\n");
}

fn proofs(out: &mut String, j: &JobRecords) {
    out.push_str("<h3>Proof artifacts</h3>");
    if j.proofs.is_empty() {
        out.push_str("<p class=\"muted\">none yet</p>\n");
        return;
    }
    out.push_str("<ul>");
    for p in &j.proofs {
        let brought = match p.outcome {
            None => "what it brought back is not tracked yet".to_string(),
            Some(o) => format!(
                "brought back {} replies, {} citations, {} intros, {} bookings, {} sales, {} reuses{}",
                o.replies,
                o.citations,
                o.intros,
                o.bookings,
                o.sales,
                o.reuse,
                p.outcome_at
                    .map(|a| format!(" (as of {})", a.local_date()))
                    .unwrap_or_default()
            ),
        };
        // A link is shown as text, never made a link: the page fetches and opens nothing.
        let link = match (&p.link, p.visibility) {
            (Some(l), Visibility::Public) => format!(" · {l}"),
            _ => String::new(),
        };
        let _ = write!(
            out,
            "<li>{}</li>",
            text(&format!(
                "{} ({}, {}, {}){link}: {brought}",
                p.title, p.kind, p.visibility, p.at
            ))
        );
    }
    out.push_str("</ul>\n");
}
