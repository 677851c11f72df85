//! Text for people. Every stored string goes through `display::clean` on its way out; JSON output
//! is produced elsewhere, straight from the domain structures.

use serde_json::json;
use std::fmt::Write as _;

use super::remedy;
use crate::display::{clean, comparison_lines, plan_lines};
use crate::domain::Stamp;
use crate::domain::model::*;
use crate::domain::review::{Flag, JobReview, LoopReview, Review};
use crate::store::sql::Undecodable;
use crate::store::{JobDetail, LoopDetail};

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The problems of rows the review had to skip, as lines to print after it.
pub(super) fn unreadable(rows: &[Undecodable]) -> String {
    let mut out = String::new();
    for u in rows {
        let _ = writeln!(
            out,
            "warning: {u}; it was left out — `jobloop doctor` says what to do"
        );
    }
    out
}

pub(super) fn review_text(r: &Review) -> String {
    if r.jobs.is_empty() {
        return "No jobs yet.\n\
                Add the first customer job:  jobloop job add \"Triage support tickets\"\n\
                or explore an example:       jobloop demo\n"
            .to_string();
    }
    let t = &r.totals;
    let mut out = format!(
        "Weekly review · {} · {} · {} · {} · {} without owner · {} without baseline",
        r.week,
        plural(t.jobs, "job", "jobs"),
        plural(t.open_loops, "open loop", "open loops"),
        plural(
            t.kill_tripped,
            "kill signal tripped",
            "kill signals tripped"
        ),
        t.no_owner,
        t.no_baseline,
    );
    if t.cycles_overdue > 0 {
        let _ = write!(
            out,
            " · {}",
            plural(t.cycles_overdue, "cycle overdue", "cycles overdue")
        );
    }
    if t.decisions_pending > 0 {
        let _ = write!(
            out,
            " · {}",
            plural(
                t.decisions_pending,
                "decision awaiting sign-off",
                "decisions awaiting sign-off"
            )
        );
    }
    out.push_str("\n\n");
    for j in &r.jobs {
        job_block(&mut out, j, r.team);
    }
    out
}

/// What clears a flag, as a command.
fn flag_advice(j: &JobReview, l: &LoopReview, f: Flag, team: bool) -> String {
    let how = match f {
        Flag::NoOwner => format!("`jobloop loop owner {} {} NAME`", j.slug, l.kind),
        _ => remedy::words(&f.fix(&j.slug, l.kind, l.decisions_pending.first(), team)),
    };
    format!("{}: {how}", f.problem())
}

fn job_block(out: &mut String, j: &JobReview, team: bool) {
    let _ = writeln!(out, "{}  {}", clean(&j.slug), clean(&j.title));
    let _ = writeln!(out, "  {}", crate::display::job_head(j));
    for l in &j.loops {
        out.push_str(&crate::display::loop_line(l));
    }
    let needs: Vec<(&LoopReview, Flag)> = j
        .loops
        .iter()
        .flat_map(|l| l.flags.iter().map(move |f| (l, *f)))
        .collect();
    if !needs.is_empty() {
        out.push_str("  needs you:\n");
        for (l, f) in needs {
            let _ = writeln!(
                out,
                "    {:<11} {}",
                l.kind.name(),
                clean(&flag_advice(j, l, f, team))
            );
        }
    }
    // Sign-offs the lead recorded on an owner's word are told apart from the owner's own.
    let witnessed: Vec<_> = j
        .loops
        .iter()
        .flat_map(|l| l.witnessed_sign_offs.iter().map(move |w| (l.kind, w)))
        .collect();
    if !witnessed.is_empty() {
        out.push_str("  witnessed sign-offs (recorded on the owner's word, not signed by them):\n");
        for (kind, w) in witnessed {
            let _ = writeln!(
                out,
                "    {:<11} {} recorded {}'s sign-off of {} on {}: {}",
                kind.name(),
                clean(&w.witnessed_by),
                clean(&w.owner),
                crate::domain::model::short_id(&w.id),
                w.at.local_date(),
                clean(&w.text)
            );
        }
    }
    let suggested: Vec<_> = j
        .loops
        .iter()
        .flat_map(|l| l.suggested_kill_signals.iter().map(move |s| (l.kind, s)))
        .collect();
    if !suggested.is_empty() {
        let _ = writeln!(
            out,
            "  suggested kill signals (trip with `jobloop kill trip {} KIND --reason …`):",
            j.slug
        );
        for (kind, s) in suggested {
            let _ = writeln!(
                out,
                "    {:<11} {} — {}",
                kind.name(),
                clean(&s.text),
                clean(&s.why)
            );
        }
    }
    out.push('\n');
}

pub(super) fn job_list(jobs: &[Job]) -> String {
    if jobs.is_empty() {
        return "No jobs yet: add one with `jobloop job add TITLE`.\n".into();
    }
    let width = jobs.iter().map(|j| j.slug.len()).max().unwrap_or(4).max(4);
    let mut out = String::new();
    for j in jobs {
        let archived = if j.archived_at.is_some() {
            "  (archived)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "{:<width$}  {}{archived}",
            clean(&j.slug),
            clean(&j.title)
        );
    }
    out
}

/// `job show`: the job's view model as text, with the commands that act on it.
pub(super) fn job_show(d: &JobDetail) -> String {
    let v = crate::job_view::JobView::of(d);
    let j = &d.job;
    let mut out = format!("{}\n", v.title);
    if v.archived {
        let _ = writeln!(
            out,
            "(archived: `jobloop job unarchive {}` brings it back)",
            j.slug
        );
    }
    let lead = v.lead.clone().unwrap_or_default();
    for (label, value) in
        std::iter::once(("lead", &lead)).chain(v.fields.iter().map(|(l, v)| (*l, v)))
    {
        let shown = if value.is_empty() {
            "—".into()
        } else {
            value.replace('\n', "\n                         ")
        };
        let _ = writeln!(out, "  {label:<22} {shown}");
    }
    let job = d.review.as_ref().map(|r| (r, d.team));
    for section in &v.sections {
        let legend = section
            .part
            .legend()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        let _ = writeln!(out, "\n{}{legend}", section.part.heading());
        for row in &section.rows {
            let _ = writeln!(out, "{}", view_row(row, &j.slug, job));
        }
    }
    out
}

/// `cycle list`: each compound test as the job view words it, newest first.
pub(super) fn cycles(cycles: &[Cycle], slug: &str) -> String {
    if cycles.is_empty() {
        return format!(
            "No cycle closed yet: `jobloop cycle close {slug} --understanding yes|no --explanation yes|no --creation yes|no --distribution yes|no`\n"
        );
    }
    let mut out =
        String::from("Cycles (compound test: understanding explanation creation distribution)\n");
    for c in cycles.iter().rev() {
        let (line, notes) = crate::job_view::cycle_lines(c);
        let _ = writeln!(out, "  {line}");
        for n in notes {
            let _ = writeln!(out, "      {n}");
        }
    }
    out
}

fn when(s: Stamp) -> String {
    s.local_minute()
}

/// How many values `loop show` lists unless asked for all.
pub(super) const VALUES_SHOWN: usize = 20;

/// `plan show`: the plan in force with its deviations, the verdict under it, the result under
/// the amended plan, and replaced metrics.
pub(super) fn plan_show(d: &LoopDetail) -> String {
    let r = &d.record;
    let args = format!("{} {}", r.job.slug, r.lp.kind);
    let mut out = format!("{}/{}\n", clean(&r.job.slug), r.lp.kind);
    let (Some(l), Some(m)) = (d.review.as_ref(), r.metric.as_ref()) else {
        let _ = writeln!(
            out,
            "no primary metric: no plan to lock yet (`jobloop metric set {args} NAME --unit U --better higher|lower`)"
        );
        return out;
    };
    if l.plan.is_none() {
        let _ = writeln!(
            out,
            "no plan is locked yet: the next intervention locks one (`jobloop intervene {args} \"what changes\" [--horizon N]`)"
        );
    }
    for line in plan_lines(l, &m.unit, m.better) {
        let _ = writeln!(out, "{line}");
    }
    if let (Some(_), Some(c)) = (&l.plan, &l.comparison) {
        let _ = writeln!(out, "verdict under the locked plan:");
        for line in comparison_lines(c, &m.unit, m.better) {
            let _ = writeln!(out, "  {line}");
        }
    }
    out
}

/// `loop show`: the loop's view model as text, with the commands that act on it.
pub(super) fn loop_show(d: &LoopDetail, all: bool) -> String {
    use crate::loop_view::{Alert, LoopView, Part, RowKind};
    let v = LoopView::of(d);
    let r = &d.record;
    let args = format!("{} {}", r.job.slug, r.lp.kind);
    let mut out = format!(
        "{}  {}  owner: {}\n{}\n",
        v.title, v.status, v.owner, v.question
    );
    for a in &v.alerts {
        let _ = writeln!(
            out,
            "{}",
            match a {
                Alert::Killed => format!(
                    "KILLED — reopen it with `jobloop loop open {args}` to record on it again"
                ),
                Alert::Tripped => format!(
                    "KILL SIGNAL TRIPPED — decide: `jobloop loop retire {args} --reason …` or `jobloop loop continue {args} --reason …`"
                ),
            }
        );
    }
    for section in &v.sections {
        // The sections a loop always has are shown empty; the others only with something in them.
        let always = matches!(
            section.part,
            Part::Checklist | Part::Metric | Part::KillSignals
        );
        if section.rows.is_empty() && !always {
            continue;
        }
        let _ = writeln!(out, "\n{}", section.part.heading());
        let values = section
            .rows
            .iter()
            .filter(|row| row.kind == RowKind::Value)
            .count();
        let hidden = if all {
            0
        } else {
            values.saturating_sub(VALUES_SHOWN)
        };
        let mut seen = 0;
        for row in &section.rows {
            if row.kind == RowKind::Value {
                seen += 1;
                if seen == 1 && hidden > 0 {
                    let _ = writeln!(
                        out,
                        "    … {hidden} earlier value(s): `jobloop loop show {args} --all` lists them"
                    );
                }
                if seen <= hidden {
                    continue;
                }
            }
            let _ = writeln!(out, "{}", loop_row(row, &r.job.slug, &args));
        }
    }
    out
}

/// A row of the loop detail: `SetMetric` names the loop's own command.
fn loop_row(row: &crate::loop_view::Row, slug: &str, args: &str) -> String {
    use crate::loop_view::{Ask, RowKind};
    match row.kind {
        RowKind::Ask(Ask::SetMetric) => format!(
            "  {}: `jobloop metric set {args} NAME --unit U --better higher|lower`",
            row.text
        ),
        _ => view_row(row, slug, None),
    }
}

/// A row of a view model on the command line: indented by depth, an `Ask` as its command.
fn view_row(row: &crate::loop_view::Row, slug: &str, job: Option<(&JobReview, bool)>) -> String {
    use crate::loop_view::RowKind;
    let indent = match row.depth {
        0 => "  ",
        1 => "    ",
        _ => "        ",
    };
    let ask = match row.kind {
        RowKind::Ask(a) => ask_words(a, slug, job),
        RowKind::Fact | RowKind::Value => String::new(),
    };
    format!("{indent}{}{ask}", row.text)
}

/// What follows a row that asks for something: the command that does it.
fn ask_words(ask: crate::loop_view::Ask, slug: &str, job: Option<(&JobReview, bool)>) -> String {
    use crate::loop_view::Ask;
    let slug = crate::domain::text::shell_word(slug);
    match ask {
        Ask::SetMetric => String::new(),
        Ask::SetTarget => String::new(),
        Ask::Suggested(kind, _) => {
            format!(" (trip with `jobloop kill trip {slug} {kind} --reason …`)")
        }
        Ask::Flag(kind, f) => job
            .and_then(|(j, team)| {
                let l = j.loops.iter().find(|l| l.kind == kind)?;
                let how = match f {
                    Flag::NoOwner => format!("`jobloop loop owner {slug} {kind} NAME`"),
                    _ => remedy::words(&f.fix(&j.slug, kind, l.decisions_pending.first(), team)),
                };
                Some(format!(": {}", clean(&how)))
            })
            .unwrap_or_default(),
        Ask::CloseCycle(week) => format!(
            ": `jobloop cycle close {slug}{} --understanding yes|no --explanation yes|no --creation yes|no --distribution yes|no`",
            week.map(|w| format!(" --week {w}")).unwrap_or_default()
        ),
        Ask::Reopen(kind) => format!(" — reopen it with `jobloop loop open {slug} {kind}`"),
        Ask::MapFlow => format!(
            ": `jobloop flow add {slug} STEP --kind KIND --by agent|system|human` maps its first step"
        ),
        Ask::AddProof => {
            format!(": `jobloop proof add {slug} TITLE --kind case --visibility public`")
        }
        Ask::AddTool => format!(": `jobloop tool {slug} NAME` records one"),
    }
}

pub(super) fn loop_json(d: &LoopDetail) -> serde_json::Value {
    let r = &d.record;
    let review = d.review.as_ref();
    json!({
        "comparison": review.and_then(|l| l.comparison.as_ref()),
        "process": review.and_then(|l| l.process.as_ref()),
        "flags": review.map(|l| &l.flags),
        "suggested_kill_signals": review.map(|l| &l.suggested_kill_signals),
        "rules": review.map(|l| l.kill_signals.iter().filter(|k| k.rule_check.is_some()).collect::<Vec<_>>()),
        "job": r.job.slug,
        "kind": r.lp.kind,
        "status": r.lp.status,
        "owner": r.lp.owner,
        "notes": r.lp.notes,
        "metric": r.metric,
        "steps": r.steps,
        "kill_signals": r.kill_signals,
        "values": r.values,
        "interventions": r.interventions,
        "decisions": r.decisions,
        "learnings": r.learnings,
        "events": d.events,
    })
}

/// `proof list`: each proof as the job view words it, with its outcome on the same line.
pub(super) fn proofs(proofs: &[Proof]) -> String {
    if proofs.is_empty() {
        return "No proof yet: `jobloop proof add JOB TITLE --kind case --visibility public`\n"
            .into();
    }
    let mut out = String::new();
    for p in proofs {
        let (line, outcome) = crate::job_view::proof_lines(p);
        let _ = writeln!(out, "{line}  — {outcome}");
    }
    out
}

pub(super) fn log(events: &[AuditEvent]) -> String {
    if events.is_empty() {
        return "No events yet.\n".into();
    }
    let mut out = String::new();
    for e in events {
        let _ = writeln!(
            out,
            "{:>6}  {}  {:<12} {:<14} {}",
            e.seq,
            when(e.at),
            clean(&e.actor),
            e.command,
            clean(&e.summary.replace('\n', " · "))
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::domain::{LoopKind, Stamp};
    use crate::loop_view::LoopView;
    use crate::store::{Missing, Store};
    use crate::tui::config::Theme;
    use crate::tui::keymap::Keymap;
    use crate::tui::views::Shared;

    /// The demo's three jobs over eight weeks up to `now`, in a file of its own.
    fn demo(now: Stamp) -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("d.db"), Missing::Create).unwrap();
        crate::demo::load(&mut store, 3, 8, 1, now, &mut |_, _| {}).unwrap();
        (dir, store)
    }

    /// A job that left last week's compound test unanswered is told which week is overdue and
    /// given the command that answers that week (not this one, which would leave it open); run,
    /// it clears the overdue week.
    #[test]
    fn an_overdue_compound_test_names_its_week_and_the_command_answers_that_week() {
        use crate::domain::cycle::CompoundAnswers;
        use crate::domain::intent::Intent;
        let now = Stamp::parse("2026-12-02T09:00:00Z").unwrap();
        let (_dir, mut store) = demo(now);
        let mut overdue = 0;
        for job in store.jobs(false).unwrap() {
            let d = store.job_detail(&job.slug, now).unwrap();
            let Some(week) = d.review.as_ref().and_then(|r| r.cycle.overdue_week()) else {
                continue;
            };
            overdue += 1;
            assert!(
                week < crate::domain::time::Week::containing(now),
                "{week} is before this week"
            );
            let cli = super::job_show(&d);
            let wanted = format!(
                "{week}'s compound test is overdue: `jobloop cycle close {} --week {week} ",
                job.slug
            );
            assert!(cli.contains(&wanted), "{wanted}\n{cli}");
            let yes = Some(true);
            let answers = CompoundAnswers {
                understanding: yes,
                explanation: yes,
                creation: yes,
                distribution: yes,
                ..CompoundAnswers::default()
            };
            let ctx = crate::domain::Ctx::local("ana", now);
            store
                .apply(
                    &ctx,
                    &Intent::CloseCycle {
                        slug: job.slug.clone(),
                        week: Some(week),
                        answers,
                    },
                )
                .unwrap();
            let d = store.job_detail(&job.slug, now).unwrap();
            assert!(d.cycles.iter().any(|c| c.week == week.to_string()));
            assert_eq!(d.review.and_then(|r| r.cycle.overdue_week()), None);
        }
        assert!(
            overdue > 0,
            "the demo has a job overdue for last week's test"
        );
    }

    /// The loop detail and the job view are each one view model: every row of them is on
    /// `loop show --all` / `job show` and on the TUI's loop detail / job view, for every loop and
    /// job of the demo (values, signals, decisions, flows, proof, cycles…).
    #[test]
    fn the_cli_and_the_tui_show_the_same_rows_of_each_loop_and_job() {
        let now = Stamp::parse("2026-11-30T09:00:00Z").unwrap();
        let (_dir, mut store) = demo(now);
        let theme = Theme::new(false);
        let keys = Keymap::default();
        let shared = Shared {
            theme: &theme,
            keys: &keys,
            review: None,
            now,
        };
        let mut rows = 0;
        let jobs = store.jobs(false).unwrap();
        assert_eq!(jobs.len(), 3);
        for job in jobs {
            let d = store.job_detail(&job.slug, now).unwrap();
            let cli = super::job_show(&d);
            let tui: Vec<String> = crate::tui::views::job::lines(&shared, &d)
                .into_iter()
                .map(|(t, _)| t)
                .collect();
            let view = crate::job_view::JobView::of(&d);
            for (label, value) in &view.fields {
                assert!(cli.contains(label) && cli.contains(value.lines().next().unwrap_or("")));
                assert!(tui.iter().any(|t| t.eq_ignore_ascii_case(label)), "{label}");
            }
            for section in &view.sections {
                assert!(cli.contains(section.part.heading()));
                for row in &section.rows {
                    rows += 1;
                    assert!(cli.contains(&row.text), "job show lacks {:?}", row.text);
                    assert!(
                        tui.iter().any(|t| t.contains(&row.text)),
                        "the TUI's job view lacks {:?}",
                        row.text
                    );
                }
            }
            for kind in LoopKind::ALL {
                let d = store.loop_detail(&job.slug, kind, 8, now).unwrap();
                let cli = super::loop_show(&d, true);
                let tui: Vec<String> = crate::tui::views::detail::lines(&shared, &d)
                    .into_iter()
                    .map(|(t, _)| t)
                    .collect();
                let view = LoopView::of(&d);
                for section in &view.sections {
                    for row in &section.rows {
                        rows += 1;
                        assert!(cli.contains(&row.text), "loop show lacks {:?}", row.text);
                        assert!(
                            tui.iter().any(|t| t.contains(&row.text)),
                            "the TUI lacks {:?}",
                            row.text
                        );
                    }
                    assert!(cli.contains(section.part.heading()) || section.rows.is_empty());
                }
            }
        }
        assert!(
            rows > 200,
            "the demo's loops have rows of every kind: {rows}"
        );
    }
}
