//! Add a job: its title, slug, statement and the owner of its six loops.

use super::{Ask, Field, Form};
use crate::domain::intent::Intent;

pub(super) fn open(_: &Ask) -> Form {
    Form::new(
        "New job".into(),
        vec![
            Field::text("title", "title", true),
            Field::text("slug", "slug", false).note("blank: made from the title"),
            Field::lines("statement", "statement", 3).note("When …, I want to …, so I can …"),
            Field::text("owner", "owner of the six loops", false),
            Field::text("since", "history since", false)
                .note("YYYY-MM-DD for a job older than today: its earlier weeks can be answered"),
        ],
        |f| {
            Ok(Intent::AddJob {
                title: f.text("title"),
                slug: f.optional("slug"),
                statement: f.optional("statement"),
                owner: f.optional("owner"),
                since: match f.optional("since") {
                    Some(_) => Some(f.date("since")?.date()),
                    None => None,
                },
            })
        },
    )
}
