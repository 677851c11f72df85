//! Archive the job, after confirmation: it leaves the board; nothing is deleted.

use super::{Ask, Closed, Form, confirm};
use crate::domain::intent::Intent;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let j = ask.job_review().ok_or("no job here")?;
    Ok(confirm(
        format!("Archive {}?", j.slug),
        vec![
            format!("{} leaves the board and the review.", j.title),
            "Nothing is deleted; `jobloop job unarchive` brings it back.".into(),
        ],
        |f| {
            Ok(Intent::ArchiveJob {
                slug: f.slug.clone().unwrap_or_default(),
                archived: true,
            })
        },
    )
    .on(&j.slug, None))
}
