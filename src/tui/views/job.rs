//! The job view: the statement and the whole canvas, its six loops, the tools selected, the
//! proof artifacts with what they brought back, and every past cycle with its answers and notes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Paragraph;

use super::scroll::Scroll;
use super::{Go, Shared};
use crate::display::{clean, status_symbol};
use crate::domain::flow::{FlowView, StepView};
use crate::domain::model::{Performer, Verdict, short_id};
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

/// The flow as lanes (agent · system · human): each step numbered in flow order, with its
/// kind, role or gate, data classes, owner and critic state; the work removed and the open
/// incidents below.
fn flow_lanes(out: &mut Vec<(String, Style)>, s: &Shared, flow: &FlowView) {
    let theme = s.theme;
    let plain = Style::new();
    out.push((String::new(), plain));
    if flow.steps.is_empty() {
        out.push(("Flow: not mapped yet".into(), theme.title()));
        return;
    }
    out.push((
        format!(
            "Flow ({} steps, lanes agent · system · human)",
            flow.steps.len()
        ),
        theme.title(),
    ));
    for lane in [Performer::Agent, Performer::System, Performer::Human] {
        let steps: Vec<(usize, &StepView)> = flow
            .steps
            .iter()
            .enumerate()
            .filter(|(_, st)| st.by == lane)
            .collect();
        if steps.is_empty() {
            continue;
        }
        out.push((format!("  {lane}"), theme.title()));
        for (i, st) in steps {
            let mut what = vec![st.kind.to_string()];
            if let Some(r) = st.role {
                what.push(r.to_string());
            }
            if let Some(g) = st.gate {
                what.push(format!("{g} gate"));
            }
            if st.irreversible {
                what.push("irreversible".into());
            }
            let data = if st.data.is_empty() {
                String::new()
            } else {
                format!("  [{}]", crate::domain::flow::classes(&st.data))
            };
            out.push((
                format!(
                    "    {:>2} {} · {}{data}",
                    i + 1,
                    clean(&st.name),
                    what.join(" · ")
                ),
                plain,
            ));
            let g = &st.governance;
            let mut gov = Vec::new();
            if let Some(o) = &g.owner {
                gov.push(format!("owner {}", clean(o)));
            }
            if let Some(a) = &g.approval {
                gov.push(format!("approval: {}", clean(a)));
            }
            let mut failed = false;
            for c in &g.critics {
                let state = match &c.latest {
                    Some(l) if l.result == Verdict::Fail => {
                        failed = true;
                        "FAIL"
                    }
                    Some(_) => "pass",
                    None => "no result",
                };
                gov.push(format!("critic {} ({}): {state}", clean(&c.name), c.by));
            }
            if st.open_incidents > 0 {
                gov.push(format!("{} open incident(s)", st.open_incidents));
                failed = true;
            }
            if !gov.is_empty() {
                out.push((
                    format!("       {}", gov.join(" · ")),
                    if failed { theme.alert() } else { theme.muted() },
                ));
            }
        }
    }
    if !flow.dropped.is_empty() {
        let names: Vec<String> = flow
            .dropped
            .iter()
            .map(|d| clean(&d.name).into_owned())
            .collect();
        out.push((
            format!("  work removed: {}", names.join(", ")),
            theme.muted(),
        ));
    }
    for i in flow.incidents.iter().filter(|i| i.open) {
        out.push((
            format!(
                "  incident {} {} at {}: {}",
                short_id(&i.id),
                i.severity,
                clean(&i.step),
                clean(&i.what)
            ),
            theme.alert(),
        ));
    }
}

fn lines(s: &Shared, d: &JobDetail) -> Vec<(String, Style)> {
    let theme = s.theme;
    let k = |a| s.key(a);
    let plain = Style::new();
    let j = &d.job;
    let mut out: Vec<(String, Style)> = vec![(
        format!("{}  {}", clean(&j.slug), clean(&j.title)),
        theme.title(),
    )];
    if j.archived_at.is_some() {
        out.push(("archived".into(), theme.alert()));
    }
    if let Some(lead) = &j.lead {
        out.push((format!("lead: {}", clean(lead)), theme.muted()));
    }
    let field = |out: &mut Vec<(String, Style)>, label: &str, v: &str| {
        out.push((label.to_string(), theme.title()));
        if v.is_empty() {
            out.push(("  —".into(), theme.muted()));
        }
        for line in v.split('\n').filter(|_| !v.is_empty()) {
            out.push((format!("  {}", clean(line)), plain));
        }
    };
    out.push((
        format!(
            "({} edits the statement and the canvas)",
            k(Action::EditJob)
        ),
        theme.muted(),
    ));
    field(&mut out, "Statement", &j.statement);
    let c = &j.canvas;
    for (label, v) in [
        ("Performer", &c.performer),
        ("Circumstance", &c.circumstance),
        ("Current workaround", &c.workaround),
        ("Functional job", &c.functional_job),
        ("Emotional job", &c.emotional_job),
        ("Social job", &c.social_job),
        ("Competing solutions", &c.competing_solutions),
        ("Hiring criteria", &c.hiring_criteria),
    ] {
        field(&mut out, label, v);
    }
    if let Some(r) = &d.review {
        out.push((String::new(), plain));
        out.push((
            format!(
                "Loops (open now: {})",
                r.open_now.map_or("none", |k| k.name())
            ),
            theme.title(),
        ));
        for l in &r.loops {
            let verdict = l
                .comparison
                .as_ref()
                .map(|c| format!(" · {}", crate::display::verdict_label(c)))
                .unwrap_or_default();
            out.push((
                format!(
                    "  {:<11} {} {:<12} owner {}{verdict}",
                    l.kind.name(),
                    status_symbol(l.status),
                    l.status.label(),
                    l.owner.as_deref().map(clean).unwrap_or("none".into())
                ),
                theme.status(l.status),
            ));
        }
        flow_lanes(&mut out, s, &r.flow);
        if r.cycle.overdue {
            out.push((
                format!(
                    "last week's compound test is overdue: {} closes it",
                    k(Action::CloseCycle)
                ),
                theme.alert(),
            ));
        }
    }
    out.push((String::new(), plain));
    out.push((
        format!("Tools ({} records one)", k(Action::Tool)),
        theme.title(),
    ));
    for t in &d.tools {
        out.push((format!("  {}  {}", t.at, clean(&t.name)), plain));
    }
    out.push((String::new(), plain));
    out.push((
        format!(
            "Proof ({} adds, {} tracks what it brought back)",
            k(Action::AddProof),
            k(Action::TrackProof)
        ),
        theme.title(),
    ));
    for p in &d.proofs {
        out.push((
            format!(
                "  {}  {}  {} {} · {}",
                short_id(&p.id),
                p.at,
                p.visibility,
                p.kind,
                clean(&p.title)
            ),
            plain,
        ));
        let outcome = match p.outcome {
            None => "no outcome tracked".to_string(),
            Some(o) => format!(
                "{} replies · {} citations · {} intros · {} bookings · {} sales · {} reuse",
                o.replies, o.citations, o.intros, o.bookings, o.sales, o.reuse
            ),
        };
        out.push((format!("      {outcome}"), theme.muted()));
    }
    out.push((String::new(), plain));
    out.push((
        format!("Cycles ({} closes one)", k(Action::CloseCycle)),
        theme.title(),
    ));
    for c in d.cycles.iter().rev() {
        let verdict = match c.next_job() {
            None => "compounds".to_string(),
            Some(k) => format!("next job: {k}"),
        };
        let late = c
            .backfilled()
            .map(|d| format!(" (backfilled on {d})"))
            .unwrap_or_default();
        out.push((format!("  {}  {verdict}{late}", c.week), plain));
        for (layer, ok, note) in c.answers() {
            let answer = if ok { "yes" } else { "no" };
            let note = if note.is_empty() {
                String::new()
            } else {
                format!(" — {}", clean(note))
            };
            out.push((
                format!("      {:<14} {answer}{note}", layer.name()),
                theme.muted(),
            ));
        }
        if !c.note.is_empty() {
            out.push((format!("      note: {}", clean(&c.note)), theme.muted()));
        }
    }
    out
}
