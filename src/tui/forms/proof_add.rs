//! Turn proof into something that travels: a case, diagram, story, benchmark or standard.

use super::{Ask, Closed, Field, Form};
use crate::domain::intent::Intent;
use crate::domain::model::{ProofKind, Visibility};

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let j = ask.job_review().ok_or("no job here")?;
    let kinds = ProofKind::ALL
        .iter()
        .map(|k| k.as_str().to_string())
        .collect();
    let vis = Visibility::ALL
        .iter()
        .map(|k| k.as_str().to_string())
        .collect();
    Ok(Form::new(
        format!("Proof artifact of {}", j.slug),
        vec![
            Field::text("title", "title", true),
            Field::choice("kind", "kind", kinds, 0),
            Field::choice("visibility", "visibility", vis, 0),
            Field::text("link", "link", false),
            Field::date("date", "published on", ask.now),
        ],
        |f| {
            Ok(Intent::AddProof {
                slug: f.slug.clone().unwrap_or_default(),
                title: f.text("title"),
                kind: ProofKind::ALL
                    .get(f.choice("kind"))
                    .copied()
                    .ok_or("choose a kind")?,
                visibility: Visibility::ALL
                    .get(f.choice("visibility"))
                    .copied()
                    .ok_or("choose a visibility")?,
                link: f.optional("link"),
                at: f.date("date")?,
            })
        },
    )
    .on(&j.slug, None))
}
