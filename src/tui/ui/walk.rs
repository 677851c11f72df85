//! The weekly review walk: one loop that needs the lead at a time, each fix a key away, then the
//! compound test for every job whose cycle is due.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::display::{clean, num, status_symbol};
use crate::domain::review::Flag;
use crate::tui::app::{App, WalkItem};
use crate::tui::keymap::Action;

fn fix_key(app: &App, f: Flag) -> String {
    let k = |a| app.keymap.keys_for(a);
    match f {
        Flag::KillTripped => format!(
            "kill signal tripped — decide: {} retire or {} continue",
            k(Action::Retire),
            k(Action::Continue)
        ),
        Flag::NoOwner => format!("no human owner — {} names one", k(Action::Owner)),
        Flag::NoMetric => format!("no primary metric — {} sets one", k(Action::Metric)),
        Flag::NoBaseline => format!(
            "no baseline before intervention — {} records one",
            k(Action::Baseline)
        ),
        Flag::NoMeasurementThisCycle => format!(
            "no measurement this week — {} records one",
            k(Action::Measure)
        ),
    }
}

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let Some(item) = app.walk.get(app.walk_pos) else {
        frame.render_widget(Paragraph::new("Nothing to review."), area);
        return;
    };
    let done = app.walk.iter().filter(|i| app.walk_resolved(i)).count();
    let mut lines = vec![
        Line::styled(
            format!(
                "Weekly review — {} of {} ({} resolved)",
                app.walk_pos + 1,
                app.walk.len(),
                done
            ),
            theme.title(),
        ),
        Line::raw(""),
    ];
    let resolved = app.walk_resolved(item);
    match item {
        WalkItem::Loop { slug, kind, flags } => {
            let job = app.review.jobs.iter().find(|j| &j.slug == slug);
            lines.push(Line::from(vec![
                Span::styled(format!("{}/{kind}", clean(slug)), theme.title()),
                Span::raw(format!(
                    "  {}",
                    job.map(|j| clean(&j.title).into_owned())
                        .unwrap_or_default()
                )),
            ]));
            lines.push(Line::styled(kind.question(), theme.muted()));
            if let Some(l) = app.loop_review(slug, *kind) {
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("{} {}", status_symbol(l.status), l.status.label()),
                        theme.status(l.status),
                    ),
                    Span::raw(format!(
                        " · owner: {}",
                        l.owner.as_deref().map(clean).unwrap_or("(none)".into())
                    )),
                ]));
                if let Some(m) = &l.metric {
                    let mut s = format!("metric: {}", clean(&m.name));
                    if let Some(b) = l.baseline {
                        s.push_str(&format!(" · baseline {} (n={})", num(b.mean), b.n));
                    }
                    if let Some(v) = l.latest {
                        s.push_str(&format!(" · latest {}", num(v)));
                    }
                    lines.push(Line::raw(s));
                }
                for k in l
                    .kill_signals
                    .iter()
                    .filter(|k| k.tripped && k.decision.is_none())
                {
                    lines.push(Line::styled(
                        format!(
                            "tripped: {} — {}",
                            clean(&k.text),
                            clean(k.reason.as_deref().unwrap_or(""))
                        ),
                        theme.alert(),
                    ));
                }
            }
            lines.push(Line::raw(""));
            let current = app
                .loop_review(slug, *kind)
                .map(|l| l.flags.clone())
                .unwrap_or_default();
            if let Some(l) = app.loop_review(slug, *kind) {
                for s in &l.suggested_kill_signals {
                    lines.push(Line::styled(
                        format!(
                            "~ suggested kill signal: {} — {} ({} trips it)",
                            clean(&s.text),
                            clean(&s.why),
                            app.keymap.key_for(Action::TripSuggested)
                        ),
                        theme.alert(),
                    ));
                }
            }
            for f in flags {
                let fixed = !current.contains(f);
                let (mark, style) = if fixed {
                    ("✓", theme.status(crate::domain::model::Status::Closed))
                } else {
                    ("•", theme.alert())
                };
                lines.push(Line::styled(format!("{mark} {}", fix_key(app, *f)), style));
            }
        }
        WalkItem::Compound { slug } => {
            lines.push(Line::styled(
                format!("Compound test for {} — {}", clean(slug), app.review.week),
                theme.title(),
            ));
            lines.push(Line::raw("Did each layer improve this week?"));
            for layer in crate::domain::Layer::ALL {
                lines.push(Line::raw(format!(
                    "  {:<14} {}",
                    layer.name(),
                    layer.meaning()
                )));
            }
            lines.push(Line::raw(format!(
                "{} opens the form; a broken layer names the next job.",
                app.keymap.keys_for(Action::CloseCycle)
            )));
        }
    }
    if resolved {
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!(
                "✓ resolved — {} for the next one",
                app.keymap.keys_for(Action::Down)
            ),
            theme.accent(),
        ));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
