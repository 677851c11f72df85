//! Decisions, tools, learnings and proof artifacts.

use super::write;
use crate::domain::model::*;
use crate::store::Result;
use crate::store::sql::{Db, Fields, Put, Row, params};
use crate::store::tables::{self};

pub(in crate::store) fn set_approval(db: &mut dyn Db, d: &Decision) -> Result<()> {
    db.exec(
        "UPDATE decisions SET approved_at = ?2, approved_by = ?3, witnessed_by = ?4 WHERE id = ?1",
        params![d.id, d.approved_at, d.approved_by, d.witnessed_by],
    )?;
    Ok(())
}

/// A proof's outcome counts, as their columns name them.
const COUNTS: [&str; 6] = [
    "replies",
    "citations",
    "intros",
    "bookings",
    "sales",
    "reuse",
];

pub(in crate::store) fn proof(r: &dyn Row) -> Result<Proof> {
    let f = Fields::new(r, &tables::PROOFS)?;
    let mut counts = [None; 6];
    for (c, name) in counts.iter_mut().zip(COUNTS) {
        *c = f.opt_int(name)?;
    }
    let outcome = match counts {
        [
            Some(replies),
            Some(citations),
            Some(intros),
            Some(bookings),
            Some(sales),
            Some(reuse),
        ] => Some(ProofOutcome {
            replies,
            citations,
            intros,
            bookings,
            sales,
            reuse,
        }),
        _ => None,
    };
    Ok(Proof {
        id: f.own_id(),
        job_id: f.id_of("job_id")?,
        title: f.text("title")?,
        kind: f.choice("kind", ProofKind::from_text)?,
        visibility: f.choice("visibility", Visibility::from_text)?,
        link: f.opt_text("link")?,
        at: f.when("at")?,
        recorded_by: f.text("recorded_by")?,
        outcome,
        outcome_at: f.opt_stamp("outcome_at")?,
    })
}

/// Inserts a proof, or updates its outcome when it exists.
pub(in crate::store) fn upsert_proof(db: &mut dyn Db, p: &Proof) -> Result<()> {
    let Proof {
        id,
        job_id,
        title,
        kind,
        visibility,
        link,
        at,
        recorded_by,
        outcome,
        outcome_at,
    } = p;
    let counts: [Option<i64>; 6] = match outcome {
        Some(o) => {
            let ProofOutcome {
                replies,
                citations,
                intros,
                bookings,
                sales,
                reuse,
            } = *o;
            [replies, citations, intros, bookings, sales, reuse].map(Some)
        }
        None => [None; 6],
    };
    let mut put = Put::new(&tables::PROOFS)
        .put("id", id)
        .put("job_id", job_id)
        .put("title", title)
        .put("kind", kind)
        .put("visibility", visibility)
        .put("link", link)
        .put("at", at)
        .put("recorded_by", recorded_by)
        .put("outcome_at", outcome_at);
    for (name, count) in COUNTS.iter().zip(&counts) {
        put = put.put(name, count);
    }
    write(db, &tables::PROOFS, true, put)
}
