//! Archive the job, after confirmation: it leaves the board; nothing is deleted. From the
//! archived jobs, the same key (and `Enter`) brings one back.

use super::{Ask, Closed, Form, confirm};
use crate::domain::intent::Intent;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    if ask.archived {
        return restore(ask);
    }
    let j = ask.job_review().ok_or("no job here")?;
    Ok(confirm(
        format!("Archive {}?", j.slug),
        vec![
            format!("{} leaves the board and the review.", j.title),
            format!(
                "Nothing is deleted; {} lists archived jobs and brings one back (`jobloop job unarchive` too).",
                ask.keys.key_for(crate::tui::keymap::Action::Archived)
            ),
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

/// Bring an archived job back to the board and the review, after confirmation.
fn restore(ask: &Ask) -> Result<Form, Closed> {
    let slug = ask.slug.ok_or("no archived job here")?;
    Ok(confirm(
        format!("Bring {slug} back?"),
        vec![
            "It returns to the board and the weekly review with every record it had.".into(),
            format!(
                "{} archives it again.",
                ask.keys.key_for(crate::tui::keymap::Action::Archive)
            ),
        ],
        |f| {
            Ok(Intent::ArchiveJob {
                slug: f.slug.clone().unwrap_or_default(),
                archived: false,
            })
        },
    )
    .on(slug, None))
}
