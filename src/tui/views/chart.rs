//! The loop's primary metric over time: baseline values as dots, live values as a line, the
//! baseline mean, the process limits of each phase (split at each intervention, provisional ones
//! fainter) and the interventions, with a legend, and the year on the
//! axis when the values span more than one.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::symbols::Marker;
use ratatui::text::Span;
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, LegendPosition};

use super::{Shared, fit};
use crate::display::num;
use crate::domain::model::{Phase, Status};
use crate::domain::stats::Process;
use crate::domain::time::When;
use crate::store::LoopDetail;

pub fn render(frame: &mut Frame, s: &Shared, d: &LoopDetail, area: Rect) {
    let theme = s.theme;
    let Some(m) = &d.record.metric else {
        return;
    };
    let values: Vec<_> = d
        .record
        .values
        .iter()
        .filter(|v| v.void.is_none())
        .collect();
    if values.is_empty() || area.height < 5 || area.width < 20 {
        return;
    }
    let process = d.review.as_ref().and_then(|l| l.process.clone());
    // Every limit drawn: the baseline's and each phase's own.
    let bounds: Vec<f64> = process
        .iter()
        .flat_map(|p| {
            [p.lower_limit, p.upper_limit].into_iter().chain(
                p.phases
                    .iter()
                    .flat_map(|f| f.lower_limit.into_iter().chain(f.upper_limit)),
            )
        })
        .collect();
    // Values near the limits of a number (1e307, 1e-300) are drawn divided by their largest
    // magnitude: the chart's arithmetic on them would overflow (and never finish drawing).
    let largest = values
        .iter()
        .map(|v| v.value.abs())
        .chain(bounds.iter().map(|v| v.abs()))
        .fold(0.0_f64, f64::max);
    let scale = if largest > 1e100 || (largest > 0.0 && largest < 1e-100) {
        largest
    } else {
        1.0
    };
    let y = |v: f64| v / scale;
    let day = |w: When| w.date().num_days_from_ce() as f64;
    let t0 = values.iter().map(|v| day(v.at)).fold(f64::MAX, f64::min);
    let x = |w: When| day(w) - t0;
    let base: Vec<(f64, f64)> = values
        .iter()
        .filter(|v| v.phase == Phase::Baseline)
        .map(|v| (x(v.at), y(v.value)))
        .collect();
    let live: Vec<(f64, f64)> = values
        .iter()
        .filter(|v| v.phase == Phase::Live)
        .map(|v| (x(v.at), y(v.value)))
        .collect();
    let interventions: Vec<f64> = d
        .record
        .interventions
        .iter()
        .filter(|i| i.void.is_none())
        .map(|i| x(i.at))
        .collect();
    let x_max = values
        .iter()
        .map(|v| x(v.at))
        .chain(interventions.iter().copied())
        .fold(1.0_f64, f64::max);
    let (mut lo, mut hi) = values
        .iter()
        .map(|v| y(v.value))
        .chain(bounds.iter().map(|v| y(*v)))
        .filter(|v| v.is_finite())
        .fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(v), h.max(v)));
    if !(hi - lo).is_finite() || hi - lo <= 0.0 {
        lo -= 1.0;
        hi += 1.0;
    }
    let padding = (hi - lo) * 0.1;
    let (lo, hi) = (lo - padding, hi + padding);
    let mean: Vec<(f64, f64)> = d
        .review
        .as_ref()
        .and_then(|l| l.baseline)
        .map(|b| vec![(0.0, y(b.mean)), (x_max, y(b.mean))])
        .unwrap_or_default();
    let limits = phase_limits(process.as_ref(), |w| x(w).max(0.0), x_max, y);
    let marks: Vec<Vec<(f64, f64)>> = interventions
        .iter()
        .map(|i| vec![(*i, lo), (*i, hi)])
        .collect();
    let mut sets = vec![
        Dataset::default()
            .name("• baseline")
            .marker(Marker::Dot)
            .graph_type(GraphType::Scatter)
            .style(theme.status(Status::NotStarted))
            .data(&base),
        Dataset::default()
            .name("⣿ live")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme.accent())
            .data(&live),
        Dataset::default()
            .name("⠒ baseline mean")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme.status(Status::Closed))
            .data(&mean),
    ];
    let (mut firm_named, mut provisional_named) = (false, false);
    for (limit, provisional) in &limits {
        let ds = Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .data(limit);
        sets.push(match provisional {
            // A first guess is drawn fainter and named so: no signal is judged against it.
            true if !provisional_named => {
                provisional_named = true;
                ds.name("⠤ limits (provisional)")
                    .style(theme.status(Status::NotStarted))
            }
            true => ds.style(theme.status(Status::NotStarted)),
            false if !firm_named => {
                firm_named = true;
                ds.name("⠤ process limits").style(theme.muted())
            }
            false => ds.style(theme.muted()),
        });
    }
    for (i, mark) in marks.iter().enumerate() {
        let ds = Dataset::default()
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(theme.alert())
            .data(mark);
        sets.push(if i == 0 {
            ds.name("│ intervention")
        } else {
            ds
        });
    }
    let first = values.iter().map(|v| v.at.date()).min();
    let last = values.iter().map(|v| v.at.date()).max();
    let (first, last) = match (first, last) {
        (Some(a), Some(b)) => (a, b),
        _ => return,
    };
    // The year appears when the span crosses one.
    let format = if first.format("%Y").to_string() == last.format("%Y").to_string() {
        "%m-%d"
    } else {
        "%Y-%m-%d"
    };
    let mut title = format!("{} ({} is better)", m.name, m.better);
    if scale != 1.0 {
        title.push_str(&format!(" — drawn ÷ {}", num(scale)));
    }
    let chart = Chart::new(sets)
        .block(Block::new().title(Span::styled(
            fit(&title, area.width as usize),
            theme.title(),
        )))
        .legend_position(Some(LegendPosition::TopRight))
        .hidden_legend_constraints((Constraint::Ratio(2, 3), Constraint::Ratio(2, 3)))
        .x_axis(Axis::default().bounds([0.0, x_max]).labels(vec![
            Span::raw(first.format(format).to_string()),
            Span::raw(last.format(format).to_string()),
        ]))
        .y_axis(
            Axis::default()
                .bounds([lo, hi])
                .labels(vec![Span::raw(num(lo * scale)), Span::raw(num(hi * scale))]),
        );
    frame.render_widget(chart, area);
}

/// Each phase's limits over its own span (from its intervention to the next), as lines with
/// whether they are provisional; a phase without limits of its own yet (fewer than two values)
/// carries the phase before it's forward, as process-behaviour charts do.
fn phase_limits(
    process: Option<&Process<When>>,
    x: impl Fn(When) -> f64,
    x_max: f64,
    y: impl Fn(f64) -> f64,
) -> Vec<(Vec<(f64, f64)>, bool)> {
    let Some(p) = process else {
        return Vec::new();
    };
    let starts: Vec<f64> = p.phases.iter().map(|f| f.from.map_or(0.0, &x)).collect();
    let mut carried = (p.lower_limit, p.upper_limit, p.provisional);
    let mut out = Vec::new();
    for (k, f) in p.phases.iter().enumerate() {
        if let (Some(lo), Some(hi)) = (f.lower_limit, f.upper_limit) {
            carried = (lo, hi, f.provisional);
        }
        let (from, to) = (starts[k], starts.get(k + 1).copied().unwrap_or(x_max));
        let (lo, hi, provisional) = carried;
        for v in [lo, hi] {
            out.push((vec![(from, y(v)), (to.max(from), y(v))], provisional));
        }
    }
    out
}

use chrono::Datelike;
