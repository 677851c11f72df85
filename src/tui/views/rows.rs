//! The rows of a view model (`loop_view`, `job_view`) as styled lines: each tone in the theme's
//! style, and what a row asks for in keys.

use ratatui::style::Style;

use super::Shared;
use crate::domain::review::JobReview;
use crate::loop_view::{Ask, Row, RowKind, Tone};
use crate::tui::config::Theme;
use crate::tui::keymap::Action;

/// The rows of one section, after its heading; values newest first (beside the chart).
pub(super) fn push(
    out: &mut Vec<(String, Style)>,
    s: &Shared,
    rows: &[Row],
    slug: &str,
    job: Option<(&JobReview, bool)>,
) {
    let (values, rest): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r.kind == RowKind::Value);
    for row in rest.into_iter().chain(values.into_iter().rev()) {
        // Under its heading as on the command line (`cli::render::view_row`), two columns a
        // level; a section's heading alone starts at the edge.
        let indent = match row.depth {
            0 => "  ",
            1 => "    ",
            _ => "      ",
        };
        let mut text = format!("{indent}{}", row.text);
        let mut below = None;
        if let RowKind::Ask(ask) = row.kind {
            match words(ask, s, slug, job) {
                Said::After(w) => text.push_str(&w),
                Said::Below(w) => below = Some(w),
                Said::Nothing => {}
            }
        }
        out.push((text, style(s.theme, row.tone)));
        if let Some(w) = below {
            out.push((format!("      {w}"), s.theme.muted()));
        }
    }
}

enum Said {
    After(String),
    Below(String),
    Nothing,
}

/// What a row that asks for something says about it, in keys.
fn words(ask: Ask, s: &Shared, slug: &str, job: Option<(&JobReview, bool)>) -> Said {
    let k = |a| s.key(a);
    match ask {
        Ask::SetMetric => Said::After(format!(" ({} sets one)", k(Action::Metric))),
        Ask::SetTarget => Said::After(format!(" ({} sets one)", k(Action::Target))),
        Ask::Suggested(kind, cure) => {
            Said::Below(crate::tui::remedy::suggestion(cure, slug, kind, s.keys))
        }
        Ask::Flag(kind, f) => job
            .and_then(|(j, team)| {
                let l = j.loops.iter().find(|l| l.kind == kind)?;
                let fix = f.fix(&j.slug, kind, l.decisions_pending.first(), team);
                Some(Said::After(format!(
                    ": {}",
                    crate::tui::remedy::words(&fix, s.keys)
                )))
            })
            .unwrap_or(Said::Nothing),
        Ask::CloseCycle(_) => Said::After(format!(" ({} answers it)", k(Action::CloseCycle))),
        Ask::Reopen(_) => Said::After(format!(
            " (open that loop, then {} reopens it)",
            k(Action::Reopen)
        )),
        // The flow's, the proof's and the tools' headings name their keys already
        // (`views::job::heading`): said again on their empty row, they would be said twice.
        Ask::MapFlow | Ask::AddProof | Ask::AddTool => Said::Nothing,
    }
}

pub(super) fn style(theme: &Theme, tone: Tone) -> Style {
    match tone {
        Tone::Plain => Style::new(),
        Tone::Muted => theme.muted(),
        Tone::Accent => theme.accent(),
        Tone::Alert => theme.alert(),
        Tone::Title => theme.title(),
        Tone::Status(st) => theme.status(st),
    }
}
