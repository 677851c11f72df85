//! The job view: the statement and the whole canvas, its six loops, the tools selected, the
//! proof artifacts with what they brought back, and every past cycle with its answers and notes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Paragraph;

use super::scroll::Scroll;
use super::{Go, Shared};
use crate::display::clean;
use crate::job_view::JobPart;
use crate::store::JobDetail;
use crate::tui::keymap::Action;
use crate::tui::worker::Request;

pub struct JobView {
    pub slug: String,
    pub data: Option<JobDetail>,
    scroll: Scroll,
}

impl JobView {
    pub fn new(slug: String) -> JobView {
        JobView {
            slug,
            data: None,
            scroll: Scroll::default(),
        }
    }

    pub fn load(&self) -> Request {
        Request::Job {
            slug: self.slug.clone(),
        }
    }

    pub fn handle(&mut self, action: Action) -> Go {
        if self.scroll.key(action) {
            Go::Stay
        } else {
            Go::Pass
        }
    }

    pub fn render(&mut self, frame: &mut Frame, s: &Shared, area: Rect) {
        let Some(d) = &self.data else {
            frame.render_widget(
                Paragraph::new(format!("Loading {}…", clean(&self.slug))),
                area,
            );
            return;
        };
        self.scroll.render(frame, s.theme, &lines(s, d), area);
    }
}

/// The job's view model as styled lines, with the keys that act on it.
pub(crate) fn lines(s: &Shared, d: &JobDetail) -> Vec<(String, Style)> {
    let theme = s.theme;
    let k = |a| s.key(a);
    let v = crate::job_view::JobView::of(d);
    let mut out: Vec<(String, Style)> = vec![(v.title.clone(), theme.title())];
    if v.archived {
        out.push((
            format!(
                "archived: {} lists archived jobs to bring back",
                k(Action::Archived)
            ),
            theme.alert(),
        ));
    }
    if let Some(lead) = &v.lead {
        out.push((format!("lead: {lead}"), theme.muted()));
    }
    out.push((
        format!(
            "({} edits the statement and the canvas)",
            k(Action::EditJob)
        ),
        theme.muted(),
    ));
    for (label, value) in &v.fields {
        out.push((capitalised(label), theme.title()));
        if value.is_empty() {
            out.push(("  —".into(), theme.muted()));
        }
        for line in value.split('\n').filter(|_| !value.is_empty()) {
            out.push((format!("  {line}"), Style::new()));
        }
    }
    let job = d.review.as_ref().map(|r| (r, d.team));
    for section in &v.sections {
        out.push((String::new(), Style::new()));
        out.push((heading(s, section.part), theme.title()));
        if let Some(legend) = section.part.legend() {
            out.push((legend.to_string(), theme.muted()));
        }
        super::rows::push(&mut out, s, &section.rows, &d.job.slug, job);
    }
    out
}

/// A section's heading, with the keys that add to it.
fn heading(s: &Shared, part: JobPart) -> String {
    let k = |a| s.key(a);
    let keys = match part {
        JobPart::Flow => format!(
            " ({} adds a step, {} governs one)",
            k(Action::FlowAdd),
            k(Action::Govern)
        ),
        JobPart::Tools => format!(" ({} records one)", k(Action::Tool)),
        JobPart::Proof => format!(
            " ({} adds, {} tracks what it brought back)",
            k(Action::AddProof),
            k(Action::TrackProof)
        ),
        JobPart::Cycles => format!(" ({} closes one)", k(Action::CloseCycle)),
        JobPart::Loops => String::new(),
    };
    format!("{}{keys}", part.heading())
}

fn capitalised(label: &str) -> String {
    let mut c = label.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
