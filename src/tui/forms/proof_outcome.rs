//! Track what a proof artifact brought back: replies, citations, intros, bookings, sales, reuse.

use super::{Ask, Closed, Field, Form};
use crate::domain::intent::Intent;
use crate::domain::model::{ProofCounts, ProofOutcome, short_id};
use crate::tui::keymap::Action;

const COUNTS: [&str; 6] = [
    "replies",
    "citations",
    "intros",
    "bookings",
    "sales",
    "reuse",
];

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let d = ask
        .job
        .ok_or("the job is still loading; try again in a moment")?;
    if d.proofs.is_empty() {
        return Err(format!(
            "{} has no proof artifact yet: {} to add one",
            d.job.slug,
            ask.press(Action::AddProof)
        ));
    }
    let labels: Vec<String> = d
        .proofs
        .iter()
        .map(|p| format!("{} {}", short_id(&p.id), p.title))
        .collect();
    // The counts shown are always those of the proof chosen.
    let fills = d
        .proofs
        .iter()
        .map(|p| {
            let o = p.outcome.unwrap_or_default();
            let now = [
                o.replies,
                o.citations,
                o.intros,
                o.bookings,
                o.sales,
                o.reuse,
            ];
            COUNTS
                .iter()
                .zip(now)
                .map(|(n, v)| (*n, v.to_string()))
                .collect()
        })
        .collect();
    let mut fields = vec![Field::choice("proof", "proof (←/→)", labels, 0)];
    for name in COUNTS {
        fields.push(Field::count(name, name));
    }
    Ok(Form::new(
        format!("What proof of {} brought back", d.job.slug),
        fields,
        |f| {
            let id = f
                .text("proof")
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_string();
            Ok(Intent::TrackProof {
                slug: f.slug.clone().unwrap_or_default(),
                proof: id,
                counts: ProofCounts::all(ProofOutcome {
                    replies: f.count("replies"),
                    citations: f.count("citations"),
                    intros: f.count("intros"),
                    bookings: f.count("bookings"),
                    sales: f.count("sales"),
                    reuse: f.count("reuse"),
                }),
                was: shown_counts(f),
            })
        },
    )
    .on(&d.job.slug, None)
    .fills("proof", fills)
    .focus_on("replies"))
}

/// The counts the form showed for the proof chosen, before any was edited: the write is
/// refused if they changed meanwhile.
fn shown_counts(f: &Form) -> Option<ProofOutcome> {
    let fills = f.fills.as_ref()?;
    let shown = fills.values.get(f.choice(fills.choice))?;
    let get = |n: &str| -> Option<i64> {
        shown
            .iter()
            .find(|(k, _)| *k == n)
            .and_then(|(_, v)| v.parse().ok())
    };
    Some(ProofOutcome {
        replies: get("replies")?,
        citations: get("citations")?,
        intros: get("intros")?,
        bookings: get("bookings")?,
        sales: get("sales")?,
        reuse: get("reuse")?,
    })
}
