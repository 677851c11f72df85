//! `publish`: the spec's routing of proof made into files. The *playbook* is the team's know-how
//! (per job: the canvas, the redesigned workflow, what was tried and what it showed, what was
//! retired and why, decisions, learnings); *journeys* are public proof only (a proof marked
//! public, what it is and what it brought back — nothing from a private proof, a note or the
//! job's records). Pages are Markdown with every stored text made inert, and depend on the
//! records alone (never on today), so a second run with no change writes nothing.

use crate::detail_rows::{decision_row, learning_lines};
use crate::digest::{inert, inert_lines};
use crate::display;
use crate::domain::flow::FlowView;
use crate::domain::model::*;
use crate::domain::time::When;
use crate::store::PublishMaterial;

/// The first line of every page: how `publish` knows a file is its own to rewrite or remove.
pub const MARK: &str =
    "<!-- written by jobloop publish: change the records in jobloop, not this file -->";

/// The two folders `publish` owns inside its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Folder {
    Playbook,
    Journeys,
}

impl Folder {
    pub const ALL: [Folder; 2] = [Folder::Playbook, Folder::Journeys];

    pub fn name(self) -> &'static str {
        match self {
            Folder::Playbook => "playbook",
            Folder::Journeys => "journeys",
        }
    }
}

/// One file to write: its folder, its name there, its whole text.
#[derive(Clone, Debug, PartialEq)]
pub struct Page {
    pub folder: Folder,
    pub name: String,
    pub text: String,
}

/// Every page of the material: one playbook page per job, one journey per public proof.
pub fn pages(material: &[PublishMaterial]) -> Vec<Page> {
    let mut out = Vec::new();
    for m in material {
        out.push(Page {
            folder: Folder::Playbook,
            name: format!("{}.md", m.detail.job.slug),
            text: playbook(m),
        });
        for p in m
            .proofs
            .iter()
            .filter(|p| p.visibility == Visibility::Public)
        {
            out.push(Page {
                folder: Folder::Journeys,
                name: journey_name(&m.detail.job, p),
                text: journey(&m.detail.job, p),
            });
        }
    }
    out
}

/// A stable, portable name: the job's slug, the title's letters and digits in any script
/// ("Évaluation" keeps its `é`, "客服" its characters), the proof's id (so two titles that read
/// alike never share a file). The title is composed (NFC) first, so the same title makes the
/// same bytes on every system; anything but a letter or digit — a slash, a dot, a control or
/// invisible character — becomes one `-`.
fn journey_name(job: &Job, p: &Proof) -> String {
    journey_file(&job.slug, &p.title, p.id.as_str())
}

fn journey_file(slug: &str, title_typed: &str, id: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut title = String::new();
    let mut kept = 0;
    for c in title_typed.nfc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            title.push(c);
            kept += 1;
        } else if !title.ends_with('-') && !title.is_empty() {
            title.push('-');
            kept += 1;
        }
        // 40 characters of at most 4 bytes: the name stays well under 255 bytes.
        if kept >= 40 {
            break;
        }
    }
    let title = title.trim_end_matches('-');
    let id = short_id(id);
    if title.is_empty() {
        format!("{slug}-{id}.md")
    } else {
        format!("{slug}-{title}-{id}.md")
    }
}

fn when(at: When) -> String {
    at.date().to_string()
}

/// A link that may stay a link: one `proof add` would accept (`link_problem`). Another — one an
/// import brought in, or stored before links were checked — is shown as inert text, never
/// followed.
fn link(url: &str) -> String {
    if crate::domain::evidence::link_problem(url).is_none() {
        format!("<{url}>")
    } else {
        inert(url)
    }
}

fn journey(job: &Job, p: &Proof) -> String {
    let mut out = format!("{MARK}\n\n# {}\n\n", inert(&p.title));
    out.push_str(&format!(
        "A {} about the job “{}”, published on {}.\n",
        p.kind,
        inert(&job.title),
        when(p.at)
    ));
    if let Some(l) = &p.link {
        out.push_str(&format!("\nWhere to find it: {}\n", link(l)));
    }
    out.push_str("\n## What it brought back\n\n");
    match (&p.outcome, p.outcome_at) {
        (Some(o), at) => {
            out.push_str("| replies | citations | intros | bookings | sales | reuse |\n");
            out.push_str("|---:|---:|---:|---:|---:|---:|\n");
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                o.replies, o.citations, o.intros, o.bookings, o.sales, o.reuse
            ));
            if let Some(at) = at {
                out.push_str(&format!("\nAs tracked on {}.\n", at.local_date()));
            }
        }
        (None, _) => out.push_str("Nothing tracked yet.\n"),
    }
    out
}

fn playbook(m: &PublishMaterial) -> String {
    let job = &m.detail.job;
    let mut out = format!("{MARK}\n\n# {}\n\n", inert(&job.title));
    if !job.statement.trim().is_empty() {
        out.push_str(&format!("> {}\n\n", inert_lines(&job.statement, "  \n> ")));
    }
    let lead = job
        .lead
        .as_deref()
        .map(|l| format!(", led by {}", inert(l)))
        .unwrap_or_default();
    out.push_str(&format!("Job `{}`{lead}.", job.slug));
    if let Some(at) = job.archived_at {
        out.push_str(&format!(" Archived on {}.", at.local_date()));
    }
    out.push('\n');
    canvas(&mut out, &job.canvas);
    workflow(&mut out, &m.detail.view());
    tried(&mut out, m);
    retired(&mut out, m);
    records(
        &mut out,
        "Decisions",
        m.records.iter().flat_map(|r| {
            // The decisions in force: an amended one is shown as its newest version.
            r.decisions
                .iter()
                .filter(|d| m.detail.decisions.iter().any(|(_, f)| f.id == d.id))
                .map(move |d| (r.lp.kind, decision_row(d, &r.decisions)))
        }),
    );
    records(
        &mut out,
        "Learnings",
        m.records.iter().flat_map(|r| {
            r.learnings
                .iter()
                .filter(|l| l.void.is_none())
                .map(move |l| (r.lp.kind, learning_lines(l)))
        }),
    );
    out
}

fn canvas(out: &mut String, c: &Canvas) {
    let fields = [
        ("Performer", &c.performer),
        ("Circumstance", &c.circumstance),
        ("Current workaround", &c.workaround),
        ("Functional job", &c.functional_job),
        ("Emotional job", &c.emotional_job),
        ("Social job", &c.social_job),
        ("Competing solutions", &c.competing_solutions),
        ("Hiring criteria", &c.hiring_criteria),
    ];
    let filled: Vec<_> = fields
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .collect();
    if filled.is_empty() {
        return;
    }
    out.push_str("\n## The job\n\n");
    for (label, v) in filled {
        out.push_str(&format!("- **{label}:** {}\n", inert_lines(v, "  \n  ")));
    }
}

fn workflow(out: &mut String, view: &FlowView) {
    let dropped: Vec<_> = view.dropped.iter().filter(|d| d.void.is_none()).collect();
    if view.steps.is_empty() && dropped.is_empty() {
        return;
    }
    out.push_str("\n## The redesigned workflow\n\n");
    for (n, s) in view.steps.iter().enumerate() {
        let mut parts = vec![format!("{} {}", s.by, s.kind)];
        parts.extend(s.role.map(|r| format!("{r} role")));
        parts.extend(s.gate.map(|g| format!("{g} gate")));
        if !s.after.is_empty() {
            let after: Vec<String> = s.after.iter().map(|a| inert(a)).collect();
            parts.push(format!("after {}", after.join(", ")));
        }
        if !s.data.is_empty() {
            let data: Vec<String> = s.data.iter().map(ToString::to_string).collect();
            parts.push(format!("data: {}", data.join(", ")));
        }
        if s.irreversible {
            parts.push("irreversible".into());
        }
        let g = &s.governance;
        parts.extend(g.owner.as_deref().map(|o| format!("owner {}", inert(o))));
        parts.extend(
            g.approval
                .as_deref()
                .map(|a| format!("approval: {}", inert(a))),
        );
        for c in &g.critics {
            let latest = c
                .latest
                .as_ref()
                .map(|l| format!(" ({})", l.result))
                .unwrap_or_default();
            parts.push(format!("critic {}{latest}", inert(&c.name)));
        }
        out.push_str(&format!(
            "{}. **{}** — {}\n",
            n + 1,
            inert(&s.name),
            parts.join("; ")
        ));
    }
    if !dropped.is_empty() {
        out.push_str("\nWork it removed:\n\n");
        for d in dropped {
            out.push_str(&format!("- **{}** — {}\n", inert(&d.name), inert(&d.why)));
        }
    }
}

/// Each loop's metric, its interventions and what the comparison showed, in words.
fn tried(out: &mut String, m: &PublishMaterial) {
    let reviews = m.detail.review.as_ref().map(|r| &r.loops);
    let mut section = String::new();
    for r in &m.records {
        let Some(metric) = &r.metric else { continue };
        let live: Vec<_> = r
            .interventions
            .iter()
            .filter(|i| i.void.is_none())
            .collect();
        let review = reviews.and_then(|ls| ls.iter().find(|l| l.kind == r.lp.kind));
        let tried_before =
            review.is_some_and(|l| !l.earlier_plans.is_empty() || !l.superseded_metrics.is_empty());
        if live.is_empty() && !tried_before {
            continue;
        }
        section.push_str(&format!(
            "\n### {}: {} ({})\n\n",
            r.lp.kind,
            inert(&metric.name),
            inert(&metric.unit)
        ));
        for i in live {
            section.push_str(&format!("- {} — {}\n", when(i.at), inert(&i.description)));
        }
        if let Some(c) = review.and_then(|l| l.comparison.as_ref()) {
            section.push_str("- what it showed:\n");
            for line in display::comparison_lines(c, &metric.unit, metric.better) {
                section.push_str(&format!("  - {}\n", inert(&line)));
            }
        }
        // What it cost beside the metric, and the loop's earlier changes with their own
        // verdicts: a later change never takes an earlier one's harm off the page.
        if let Some(l) = review {
            let guards = l.guardrails.iter().map(display::guardrail_line);
            let earlier = display::earlier_lines(l, &metric.unit, metric.better);
            for line in guards.chain(earlier) {
                // A plan's own guardrails and deviations are indented under it.
                let nested = if line.starts_with(' ') { "  " } else { "" };
                section.push_str(&format!("{nested}- {}\n", inert(line.trim_start())));
            }
        }
    }
    if !section.is_empty() {
        out.push_str("\n## What was tried, and what it showed\n");
        out.push_str(&section);
    }
}

/// Loops retired or continued on a kill signal, with the signal, the reason and the decision.
fn retired(out: &mut String, m: &PublishMaterial) {
    let mut lines = Vec::new();
    for r in &m.records {
        for k in r
            .kill_signals
            .iter()
            .filter(|k| k.state == SignalState::Tripped)
        {
            let decision = match (k.decision, &k.decision_reason) {
                (Some(d), Some(why)) => format!("; {d}: {}", inert(why)),
                (Some(d), None) => format!("; {d}"),
                _ => "; awaiting a decision".into(),
            };
            lines.push(format!(
                "- **{}** — signal {} “{}” tripped: {}{decision}\n",
                r.lp.kind,
                k.n,
                inert(&k.text),
                inert(k.reason.as_deref().unwrap_or(""))
            ));
        }
    }
    if !lines.is_empty() {
        out.push_str("\n## What was stopped, and why\n\n");
        out.extend(lines);
    }
}

fn records(
    out: &mut String,
    title: &str,
    rows: impl Iterator<Item = (crate::domain::LoopKind, String)>,
) {
    let rows: Vec<_> = rows.collect();
    if rows.is_empty() {
        return;
    }
    out.push_str(&format!("\n## {title}\n\n"));
    for (kind, row) in rows {
        out.push_str(&format!("- **{kind}** {}\n", inert_lines(&row, "  \n  ")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A link stored before links were checked (or brought in by `import`) that `proof add`
    /// would refuse stays text: no autolink, nothing a Markdown renderer would follow.
    #[test]
    fn only_a_link_proof_add_accepts_is_linked() {
        assert_eq!(link("https://example.com/s"), "<https://example.com/s>");
        for stored in [
            "javascript:alert(1)",
            "https://user:pass@example.com/",
            "data:text/html,<script>",
            "file:///etc/passwd",
            "https://example.com/a b",
        ] {
            let shown = link(stored);
            assert!(!shown.starts_with('<'), "{stored}: {shown}");
            assert!(!shown.contains("://"), "{stored}: {shown}");
            assert!(!shown.replace("\\<", "").contains('<'), "{stored}: {shown}");
        }
    }

    #[test]
    fn journey_names_keep_letters_of_every_script() {
        let id = "00000000-0000-0000-0000-00001f3c9a2e";
        let name = |title: &str| journey_file("t", title, id);
        assert_eq!(
            name("Évaluation des tickets"),
            "t-évaluation-des-tickets-1f3c9a2e.md"
        );
        assert_eq!(name("客服"), "t-客服-1f3c9a2e.md");
        // The same title typed decomposed (as macOS keeps names) makes the same name.
        assert_eq!(name("E\u{301}valuation"), name("Évaluation"));
        // Nothing that separates paths, hides or controls survives; the id always does.
        for hostile in [
            "../../etc/passwd",
            "a/b\\c",
            "x\u{0}y\u{202e}z\n",
            "..",
            "\u{200b}",
        ] {
            let n = name(hostile);
            let stem = n.strip_suffix("-1f3c9a2e.md").unwrap();
            assert!(
                stem.chars().all(|c| c == '-' || c.is_alphanumeric()),
                "{hostile:?}: {n}"
            );
        }
        assert_eq!(name("..."), "t-1f3c9a2e.md");
        // Long titles are cut at 40 characters, whatever their bytes.
        let long = name(&"客".repeat(300));
        assert!(long.len() < 255, "{}", long.len());
        assert_eq!(long.chars().filter(|c| *c == '客').count(), 40);
    }
}
