//! Text and Markdown for people. Every stored string goes through `display::clean` on its way
//! out; JSON output is produced elsewhere, straight from the domain structures.

use serde_json::json;
use std::fmt::Write as _;

use crate::display::{clean, clean_multiline, comparison_words, num, process_words, status_symbol};
use crate::domain::Stamp;
use crate::domain::evidence::short_id;
use crate::domain::model::*;
use crate::domain::review::{Flag, JobReview, LoopReview, Review};
use crate::store::LoopDetail;

fn with_unit(v: f64, unit: &str) -> String {
    if unit.is_empty() {
        num(v)
    } else {
        format!("{} {}", num(v), clean(unit))
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn loop_line(l: &LoopReview) -> String {
    let mut line = format!(
        "    {:<11} {} {:<12} {:<18}",
        l.kind.name(),
        status_symbol(l.status),
        l.status.label(),
        l.owner.as_deref().map(clean).unwrap_or("(no owner)".into()),
    );
    let mut facts = Vec::new();
    if let Some(m) = &l.metric {
        let mut f = clean(&m.name).into_owned();
        if let Some(b) = &l.baseline {
            let _ = write!(f, ": baseline {} (n={})", with_unit(b.mean, &m.unit), b.n);
        }
        if let Some(v) = l.latest {
            let _ = write!(f, " → latest {}", with_unit(v, &m.unit));
        }
        if let Some(c) = &l.comparison
            && c.baseline_n > 0
            && c.live_n > 0
        {
            let _ = write!(f, " [{}]", c.verdict.as_str());
        }
        facts.push(f);
    }
    facts.push(format!("{}/{} steps", l.steps.done, l.steps.total));
    if l.needs_decision() {
        facts.push("KILL SIGNAL TRIPPED — decide".into());
    }
    line.push_str(&facts.join(" · "));
    line.trim_end().to_string() + "\n"
}

pub fn review_text(r: &Review) -> String {
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
    out.push_str("\n\n");
    for j in &r.jobs {
        job_block(&mut out, j);
    }
    out
}

fn job_block(out: &mut String, j: &JobReview) {
    let _ = writeln!(out, "{}  {}", clean(&j.slug), clean(&j.title));
    let mut head = vec![format!(
        "open now: {}",
        j.open_now.map_or("none (every loop closed)", |k| k.name())
    )];
    if j.cycle.overdue {
        head.push("compound test OVERDUE for last week".into());
    } else if j.cycle.due {
        head.push(format!("compound test due for {}", j.cycle.week));
    }
    if let Some(c) = &j.last_compound {
        head.push(match (c.compounds, j.next_job) {
            (true, _) => format!("{}: compounds", c.week),
            (false, Some(k)) => format!("{}: next job is {k}", c.week),
            (false, None) => c.week.clone(),
        });
    }
    let _ = writeln!(out, "  {}", head.join(" · "));
    for l in &j.loops {
        out.push_str(&loop_line(l));
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
                clean(&f.advice(&j.slug, l.kind))
            );
        }
    }
    let suggested: Vec<_> = j
        .loops
        .iter()
        .flat_map(|l| l.suggested_kill_signals.iter().map(move |s| (l.kind, s)))
        .collect();
    if !suggested.is_empty() {
        out.push_str(
            "  suggested kill signals (trip with `jobloop kill trip JOB KIND --reason …`):\n",
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

pub fn job_list(jobs: &[Job]) -> String {
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

pub fn job_show(j: &Job, review: Option<&JobReview>, cycles: &[Cycle]) -> String {
    let mut out = format!("{}  {}\n", clean(&j.slug), clean(&j.title));
    if j.archived_at.is_some() {
        out.push_str("(archived: `jobloop job unarchive` brings it back)\n");
    }
    let field = |out: &mut String, label: &str, v: &str| {
        let shown = if v.is_empty() {
            "—".into()
        } else {
            clean_multiline(v)
        };
        let _ = writeln!(out, "  {label:<20} {shown}");
    };
    field(&mut out, "statement", &j.statement);
    let c = &j.canvas;
    field(&mut out, "performer", &c.performer);
    field(&mut out, "circumstance", &c.circumstance);
    field(&mut out, "current workaround", &c.workaround);
    field(&mut out, "functional job", &c.functional_job);
    field(&mut out, "emotional job", &c.emotional_job);
    field(&mut out, "social job", &c.social_job);
    field(&mut out, "competing solutions", &c.competing_solutions);
    field(&mut out, "hiring criteria", &c.hiring_criteria);
    out.push('\n');
    if let Some(r) = review {
        job_block(&mut out, r);
    }
    out.push_str(&cycles_text(cycles));
    out
}

fn cycles_text(cycles: &[Cycle]) -> String {
    if cycles.is_empty() {
        return "No cycle closed yet: `jobloop cycle close JOB --understanding yes|no …`\n".into();
    }
    let mut out =
        String::from("Cycles (compound test: understanding explanation creation distribution)\n");
    for c in cycles.iter().rev() {
        let answers: Vec<&str> = c
            .answers()
            .iter()
            .map(|(_, ok, _)| if *ok { "yes" } else { "no " })
            .collect();
        let verdict = match c.next_job() {
            None => "compounds".to_string(),
            Some(k) => format!("next job: {k}"),
        };
        let note = if c.note.is_empty() {
            String::new()
        } else {
            format!(" — {}", clean(&c.note))
        };
        let _ = writeln!(out, "  {}  {}  {verdict}{note}", c.week, answers.join(" "));
    }
    out
}

pub fn cycles(cycles: &[Cycle]) -> String {
    cycles_text(cycles)
}

fn when(s: Stamp) -> String {
    s.local_minute()
}

pub fn loop_show(d: &LoopDetail, review: Option<&LoopReview>) -> String {
    let r = &d.record;
    let mut out = format!(
        "{}/{}  {} {}  owner: {}\n{}\n",
        clean(&r.job.slug),
        r.lp.kind,
        status_symbol(r.lp.status),
        r.lp.status.label(),
        r.lp.owner.as_deref().map(clean).unwrap_or("(none)".into()),
        r.lp.kind.question()
    );
    if r.kill_signals.iter().any(KillSignal::awaits_decision) {
        out.push_str(
            "KILL SIGNAL TRIPPED — decide: `jobloop loop retire …` or `jobloop loop continue …`\n",
        );
    }
    out.push_str("\nChecklist\n");
    for s in &r.steps {
        let mark = if s.done_at.is_some() { "[x]" } else { "[ ]" };
        let _ = writeln!(out, "  {mark} {}. {}", s.n, clean(&s.text));
        if let (Some(at), Some(by)) = (s.done_at, &s.done_by) {
            let ev = s
                .evidence
                .as_deref()
                .map(|e| format!(": {}", clean(e)))
                .unwrap_or_default();
            let _ = writeln!(out, "        done {} by {}{ev}", when(at), clean(by));
        }
    }
    out.push_str("\nPrimary metric\n");
    match &r.metric {
        None => out.push_str(
            "  none: `jobloop metric set JOB KIND NAME --unit U --better higher|lower`\n",
        ),
        Some(m) => {
            let _ = writeln!(
                out,
                "  {} ({}{} is better, measures {})",
                clean(&m.name),
                if m.unit.is_empty() {
                    String::new()
                } else {
                    format!("{}, ", clean(&m.unit))
                },
                m.better,
                m.measures
            );
            if let Some(c) = review.and_then(|l| l.comparison.as_ref()) {
                let _ = writeln!(out, "  {}", comparison_words(c, &m.unit, m.better));
            }
            if let Some(p) = review.and_then(|l| l.process.as_ref()) {
                let _ = writeln!(out, "  {}", process_words(p));
            }
            for v in d
                .values
                .iter()
                .rev()
                .take(12)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
            {
                let note = if v.note.is_empty() {
                    String::new()
                } else {
                    format!("  {}", clean(&v.note))
                };
                let _ = writeln!(
                    out,
                    "    {}  {:<8} {:>10}{note}",
                    v.at.local_date(),
                    v.phase,
                    with_unit(v.value, &m.unit)
                );
            }
        }
    }
    if !d.interventions.is_empty() {
        out.push_str("\nInterventions\n");
        for i in &d.interventions {
            let _ = writeln!(
                out,
                "  {}  {} ({})",
                i.at.local_date(),
                clean(&i.description),
                clean(&i.recorded_by)
            );
        }
    }
    out.push_str("\nKill signals\n");
    for k in &r.kill_signals {
        let state = match (k.state, k.decision) {
            (SignalState::Armed, _) => "armed".to_string(),
            (SignalState::Tripped, None) => "TRIPPED".to_string(),
            (SignalState::Tripped, Some(d)) => format!("tripped, decided: {d}"),
        };
        let _ = writeln!(out, "  {}. [{state}] {}", k.n, clean(&k.text));
        if let Some(reason) = &k.reason {
            let by = match (&k.changed_by, k.changed_at) {
                (Some(b), Some(at)) => format!(" ({}, {})", clean(b), when(at)),
                _ => String::new(),
            };
            let _ = writeln!(out, "        reason: {}{by}", clean(reason));
        }
        if let Some(e) = &k.evidence {
            let _ = writeln!(out, "        evidence: {}", clean(e));
        }
        if let Some(dr) = &k.decision_reason {
            let _ = writeln!(out, "        decision: {}", clean(dr));
        }
    }
    if !d.decisions.is_empty() {
        out.push_str("\nDecisions\n");
        for dc in &d.decisions {
            let th = dc
                .threshold
                .as_deref()
                .map(|t| format!(" — threshold: {}", clean(t)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  {}  {} — owner: {}{th}",
                dc.at.local_date(),
                clean(&dc.text),
                clean(&dc.owner)
            );
        }
    }
    if !r.lp.notes.is_empty() {
        let _ = writeln!(out, "\nNotes\n  {}", clean_multiline(&r.lp.notes));
    }
    if !d.events.is_empty() {
        out.push_str("\nRecent activity\n");
        for e in &d.events {
            let _ = writeln!(
                out,
                "  {}  {:<10} {}",
                when(e.at),
                clean(&e.actor),
                clean(&e.summary)
            );
        }
    }
    out
}

pub fn loop_json(d: &LoopDetail, review: Option<&LoopReview>) -> serde_json::Value {
    let r = &d.record;
    json!({
        "comparison": review.and_then(|l| l.comparison.as_ref()),
        "process": review.and_then(|l| l.process.as_ref()),
        "flags": review.map(|l| &l.flags),
        "job": r.job.slug,
        "kind": r.lp.kind,
        "status": r.lp.status,
        "owner": r.lp.owner,
        "notes": r.lp.notes,
        "metric": r.metric,
        "steps": r.steps,
        "kill_signals": r.kill_signals,
        "values": d.values,
        "interventions": d.interventions,
        "decisions": d.decisions,
        "events": d.events,
    })
}

pub fn proofs(proofs: &[Proof]) -> String {
    if proofs.is_empty() {
        return "No proof yet: `jobloop proof add JOB TITLE --kind case --visibility public`\n"
            .into();
    }
    let mut out = String::new();
    for p in proofs {
        let outcome = match p.outcome {
            None => "no outcome tracked".to_string(),
            Some(o) => format!(
                "{} replies · {} citations · {} intros · {} bookings · {} sales · {} reuse",
                o.replies, o.citations, o.intros, o.bookings, o.sales, o.reuse
            ),
        };
        let _ = writeln!(
            out,
            "{}  {}  {:<9} {:<7} {}  — {outcome}",
            short_id(&p.id),
            p.at.local_date(),
            p.kind,
            p.visibility,
            clean(&p.title)
        );
    }
    out
}

pub fn log(events: &[AuditEvent]) -> String {
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
            clean(&e.summary)
        );
    }
    out
}
