//! Decisions, tools, learnings and proof artifacts.

use super::{put_void, void, write};
use crate::domain::model::*;
use crate::store::Result;
use crate::store::sql::{Db, Fields, Put, Row, params};
use crate::store::tables::{self};

pub(in crate::store) fn decision(r: &dyn Row) -> Result<Decision> {
    let f = Fields::new(r, &tables::DECISIONS)?;
    Ok(Decision {
        id: f.own_id(),
        loop_id: f.id_of("loop_id")?,
        text: f.text("text")?,
        owner: f.text("owner")?,
        threshold: f.opt_text("threshold")?,
        recorded_at: f.stamp("at")?,
        recorded_by: f.text("recorded_by")?,
        supersedes: f.opt_id_of("supersedes")?,
        approved_at: f.opt_stamp("approved_at")?,
        approved_by: f.opt_text("approved_by")?,
        void: void(&f)?,
        step_id: f.opt_id_of("step_id")?,
        about: f.opt_date("about")?,
        witnessed_by: f.opt_text("witnessed_by")?,
    })
}

pub(in crate::store) fn insert_decision(db: &mut dyn Db, d: &Decision) -> Result<()> {
    let Decision {
        id,
        loop_id,
        text,
        owner,
        threshold,
        recorded_at,
        recorded_by,
        supersedes,
        approved_at,
        approved_by,
        void,
        step_id,
        about,
        witnessed_by,
    } = d;
    let put = Put::new(&tables::DECISIONS)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("text", text)
        .put("owner", owner)
        .put("threshold", threshold)
        .put("at", recorded_at)
        .put("recorded_by", recorded_by)
        .put("supersedes", supersedes)
        .put("approved_at", approved_at)
        .put("approved_by", approved_by)
        .put("step_id", step_id)
        .put("about", about)
        .put("witnessed_by", witnessed_by);
    write(db, &tables::DECISIONS, false, put_void(put, void))
}

pub(in crate::store) fn set_approval(db: &mut dyn Db, d: &Decision) -> Result<()> {
    db.exec(
        "UPDATE decisions SET approved_at = ?2, approved_by = ?3, witnessed_by = ?4 WHERE id = ?1",
        params![d.id, d.approved_at, d.approved_by, d.witnessed_by],
    )?;
    Ok(())
}

pub(in crate::store) fn tool(r: &dyn Row) -> Result<Tool> {
    let f = Fields::new(r, &tables::TOOLS)?;
    Ok(Tool {
        id: f.own_id(),
        job_id: f.id_of("job_id")?,
        name: f.text("name")?,
        at: f.when("at")?,
        recorded_by: f.text("recorded_by")?,
        recorded_at: f.stamp("recorded_at")?,
    })
}

pub(in crate::store) fn insert_tool(db: &mut dyn Db, t: &Tool) -> Result<()> {
    let Tool {
        id,
        job_id,
        name,
        at,
        recorded_by,
        recorded_at,
    } = t;
    let put = Put::new(&tables::TOOLS)
        .put("id", id)
        .put("job_id", job_id)
        .put("name", name)
        .put("at", at)
        .put("recorded_by", recorded_by)
        .put("recorded_at", recorded_at);
    write(db, &tables::TOOLS, false, put)
}

pub(in crate::store) fn learning(r: &dyn Row) -> Result<Learning> {
    let f = Fields::new(r, &tables::LEARNINGS)?;
    Ok(Learning {
        id: f.own_id(),
        loop_id: f.id_of("loop_id")?,
        text: f.text("text")?,
        kind: f.choice("type", LearningType::from_text)?,
        tag: f.opt_text("tag")?,
        capability: f.opt_choice("capability", Capability::from_text)?,
        recorded_at: f.stamp("at")?,
        recorded_by: f.text("recorded_by")?,
        void: void(&f)?,
        incident: f.opt_id_of("incident")?,
        about: f.opt_date("about")?,
    })
}

pub(in crate::store) fn insert_learning(db: &mut dyn Db, l: &Learning) -> Result<()> {
    let Learning {
        id,
        loop_id,
        text,
        kind,
        tag,
        capability,
        recorded_at,
        recorded_by,
        void,
        incident,
        about,
    } = l;
    let put = Put::new(&tables::LEARNINGS)
        .put("id", id)
        .put("loop_id", loop_id)
        .put("text", text)
        .put("type", kind)
        .put("tag", tag)
        .put("capability", capability)
        .put("at", recorded_at)
        .put("recorded_by", recorded_by)
        .put("incident", incident)
        .put("about", about);
    write(db, &tables::LEARNINGS, false, put_void(put, void))
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
