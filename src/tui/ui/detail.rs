//! The loop detail: owner, status, checklist, the metric as a chart against its baseline, kill
//! signals, decisions and the loop's recent audit events.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph, Wrap};

use super::fit;
use crate::display::{clean, comparison_words, num, process_words, status_symbol};
use crate::domain::model::{KillSignal, Phase, SignalState};
use crate::domain::stats::mean;
use crate::store::LoopDetail;
use crate::tui::app::App;
use crate::tui::keymap::Action;

pub fn render(frame: &mut Frame, app: &App, area: Rect) {
    let Some(d) = &app.detail else {
        frame.render_widget(Paragraph::new("No loop selected."), area);
        return;
    };
    let r = &d.record;
    let theme = &app.theme;
    let [title, middle, bottom] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(6),
        Constraint::Length(area.height.saturating_sub(12).clamp(3, 8)),
    ])
    .areas(area);

    let head = vec![
        Span::styled(
            format!("{}/{} ", clean(&r.job.slug), r.lp.kind),
            theme.title(),
        ),
        Span::styled(
            format!("{} {}", status_symbol(r.lp.status), r.lp.status.label()),
            theme.status(r.lp.status),
        ),
        Span::raw(format!(
            " · owner: {}",
            r.lp.owner.as_deref().map(clean).unwrap_or("(none)".into())
        )),
    ];
    let second = if r.kill_signals.iter().any(KillSignal::awaits_decision) {
        Line::styled(
            format!(
                "KILL SIGNAL TRIPPED — decide: {} retire · {} continue",
                app.keymap.keys_for(Action::Retire),
                app.keymap.keys_for(Action::Continue)
            ),
            theme.alert(),
        )
    } else {
        Line::styled(r.lp.kind.question(), theme.muted())
    };
    frame.render_widget(Paragraph::new(vec![Line::from(head), second]), title);

    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(middle);
    // One line per item, cut to the column: at 80×24 everything must still be on screen.
    let lines: Vec<Line> = left_lines(app, d)
        .into_iter()
        .map(|(text, style)| Line::styled(fit(&text, left.width.saturating_sub(1) as usize), style))
        .collect();
    frame.render_widget(Paragraph::new(lines), left);
    render_metric(frame, app, d, right);

    let events: Vec<Line> = d
        .events
        .iter()
        .map(|e| {
            Line::raw(fit(
                &format!("{}  {}  {}", e.at.local_minute(), e.actor, e.summary),
                bottom.width as usize,
            ))
        })
        .collect();
    frame.render_widget(
        Paragraph::new(events)
            .block(Block::new().title(Span::styled("Recent activity", theme.title()))),
        bottom,
    );
}

/// The left column, one styled row per item.
fn left_lines(app: &App, d: &LoopDetail) -> Vec<(String, Style)> {
    let theme = &app.theme;
    let r = &d.record;
    let mut lines = vec![("Checklist".to_string(), theme.title())];
    for s in &r.steps {
        let mark = if s.done_at.is_some() { "[x]" } else { "[ ]" };
        let evidence = s
            .evidence
            .as_deref()
            .map(|e| format!(" — {}", clean(e)))
            .unwrap_or_default();
        lines.push((
            format!("{mark} {}. {}{evidence}", s.n, clean(&s.text)),
            Style::new(),
        ));
    }
    lines.push(("Kill signals".to_string(), theme.title()));
    for k in &r.kill_signals {
        let (state, style) = match (k.state, k.decision) {
            (SignalState::Armed, _) => ("armed".to_string(), Style::new()),
            (SignalState::Tripped, None) => ("TRIPPED".to_string(), theme.alert()),
            (SignalState::Tripped, Some(dec)) => (format!("tripped → {dec}"), theme.muted()),
        };
        lines.push((format!("{}. [{state}] {}", k.n, clean(&k.text)), style));
        if let (SignalState::Tripped, Some(reason)) = (k.state, &k.reason) {
            lines.push((format!("   reason: {}", clean(reason)), theme.muted()));
        }
    }
    if let Some(l) = app.loop_review(&r.job.slug, r.lp.kind) {
        for s in &l.suggested_kill_signals {
            lines.push((
                format!(
                    "suggested ({} trips it): {}",
                    app.keymap.key_for(Action::TripSuggested),
                    clean(&s.why)
                ),
                theme.alert(),
            ));
        }
    }
    if !d.decisions.is_empty() {
        lines.push(("Decisions".to_string(), theme.title()));
        for dc in &d.decisions {
            let threshold = dc
                .threshold
                .as_deref()
                .map(|t| format!(", threshold: {}", clean(t)))
                .unwrap_or_default();
            lines.push((
                format!(
                    "{} — owner {}{threshold}",
                    clean(&dc.text),
                    clean(&dc.owner)
                ),
                Style::new(),
            ));
        }
    }
    lines
}

/// The comparison with the baseline in words, from the same review the board shows.
fn comparison(app: &App, d: &LoopDetail) -> String {
    let r = &d.record;
    let Some(m) = &r.metric else {
        return format!(
            "No primary metric yet: press {} to set one.",
            app.keymap.key_for(Action::Metric)
        );
    };
    let Some(l) = app.loop_review(&r.job.slug, r.lp.kind) else {
        return String::new();
    };
    let mut s = match &l.comparison {
        Some(c) => comparison_words(c, &m.unit, m.better),
        None => format!(
            "No values yet: press {} to record a baseline.",
            app.keymap.key_for(Action::Baseline)
        ),
    };
    if let Some(p) = &l.process {
        s.push_str(". ");
        s.push_str(&process_words(p));
    }
    s
}

fn render_metric(frame: &mut Frame, app: &App, d: &LoopDetail, area: Rect) {
    let theme = &app.theme;
    let [chart_area, words] =
        Layout::vertical([Constraint::Min(4), Constraint::Length(4)]).areas(area);
    frame.render_widget(
        Paragraph::new(comparison(app, d)).wrap(Wrap { trim: false }),
        words,
    );
    let Some(m) = &d.record.metric else { return };
    if d.values.is_empty() {
        return;
    }
    let t0 = d
        .values
        .iter()
        .map(|v| v.at)
        .min()
        .unwrap_or(d.values[0].at);
    let days = |s: crate::domain::Stamp| (s.0 - t0.0).num_minutes() as f64 / 1440.0;
    let point = |v: &crate::domain::model::Value| (days(v.at), v.value);
    let base: Vec<(f64, f64)> = d
        .values
        .iter()
        .filter(|v| v.phase == Phase::Baseline)
        .map(point)
        .collect();
    let live: Vec<(f64, f64)> = d
        .values
        .iter()
        .filter(|v| v.phase == Phase::Live)
        .map(point)
        .collect();
    let x_max = d
        .values
        .iter()
        .map(|v| days(v.at))
        .chain(d.interventions.iter().map(|i| days(i.at)))
        .fold(1.0_f64, f64::max);
    let process = app
        .loop_review(&d.record.job.slug, d.record.lp.kind)
        .and_then(|l| l.process.clone());
    // The y range covers every value and the process limits, with a little room.
    let (mut y_min, mut y_max) = d
        .values
        .iter()
        .map(|v| v.value)
        .chain(process.iter().flat_map(|p| [p.lower_limit, p.upper_limit]))
        .fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if (y_max - y_min).abs() < f64::EPSILON {
        y_min -= 1.0;
        y_max += 1.0;
    }
    let pad = (y_max - y_min) * 0.1;
    let (y_min, y_max) = (y_min - pad, y_max + pad);
    let mean_line: Vec<(f64, f64)> = mean(&base.iter().map(|p| p.1).collect::<Vec<_>>())
        .map(|b| vec![(0.0, b), (x_max, b)])
        .unwrap_or_default();
    let limits: Vec<Vec<(f64, f64)>> = process
        .iter()
        .flat_map(|p| [p.lower_limit, p.upper_limit])
        .map(|y| vec![(0.0, y), (x_max, y)])
        .collect();
    let marks: Vec<Vec<(f64, f64)>> = d
        .interventions
        .iter()
        .map(|i| vec![(days(i.at), y_min), (days(i.at), y_max)])
        .collect();
    let mut sets = vec![
        Dataset::default()
            .name("baseline")
            .marker(Marker::Dot)
            .graph_type(GraphType::Scatter)
            .style(theme.muted())
            .data(&base),
        Dataset::default()
            .name("live")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme.accent())
            .data(&live),
        Dataset::default()
            .name("baseline mean")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme.status(crate::domain::model::Status::Closed))
            .data(&mean_line),
    ];
    for (i, limit) in limits.iter().enumerate() {
        let name = if i == 0 { "process limits" } else { "" };
        sets.push(
            Dataset::default()
                .name(name)
                .marker(Marker::Dot)
                .graph_type(GraphType::Line)
                .style(theme.muted())
                .data(limit),
        );
    }
    for (i, mk) in marks.iter().enumerate() {
        let name = if i == 0 { "intervention" } else { "" };
        sets.push(
            Dataset::default()
                .name(name)
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(theme.alert())
                .data(mk),
        );
    }
    let last = d.values.iter().map(|v| v.at).max().unwrap_or(t0);
    let chart = Chart::new(sets)
        .block(Block::new().title(Span::styled(
            fit(
                &format!(
                    "{} ({})",
                    m.name,
                    m.better.as_str().to_owned() + " is better"
                ),
                area.width as usize,
            ),
            theme.title(),
        )))
        .x_axis(Axis::default().bounds([0.0, x_max]).labels(vec![
            Span::raw(t0.local_date().format("%m-%d").to_string()),
            Span::raw(last.local_date().format("%m-%d").to_string()),
        ]))
        .y_axis(
            Axis::default()
                .bounds([y_min, y_max])
                .labels(vec![Span::raw(num(y_min)), Span::raw(num(y_max))]),
        );
    frame.render_widget(chart, chart_area);
}
