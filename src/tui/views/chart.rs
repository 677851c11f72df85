//! The loop's primary metric over time: baseline values, live values, the baseline mean, the
//! process limits of each phase (split at each intervention, provisional ones apart), the
//! target and the interventions, with the year on the axis when the values span more than one.
//!
//! Drawn cell by cell with one character per kind of mark, not with braille lines: a braille
//! line takes whatever dot pattern its slope gives, so no legend can name what it drew, and
//! under `NO_COLOR` two braille lines look alike. Here each mark has its own character (`○`
//! baseline, `●` live, `─` mean, `╌` limits, `·` provisional limits, `═` target, `┆`
//! intervention), so the marks differ without colour, and the legend shows exactly the
//! characters drawn. Values are drawn last, over every line, so none is hidden; lines that
//! share a row take turns cell by cell, so none hides another. The legend sits under the plot,
//! never on it, in one compact line at 80 columns.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use unicode_width::UnicodeWidthStr;

use super::{Shared, fit};
use crate::display::num;
use crate::domain::model::{Phase, Status};
use crate::domain::stats::Process;
use crate::domain::time::When;
use crate::store::LoopDetail;
use crate::tui::config::Theme;

/// A kind of mark on the chart, in the legend's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    Baseline,
    Live,
    Mean,
    Limits,
    Provisional,
    Target,
    Intervention,
}

impl Mark {
    pub const ALL: [Mark; 7] = [
        Mark::Baseline,
        Mark::Live,
        Mark::Mean,
        Mark::Limits,
        Mark::Provisional,
        Mark::Target,
        Mark::Intervention,
    ];

    /// The one character this mark is drawn with, in the plot and in the legend.
    pub fn glyph(self) -> char {
        match self {
            Mark::Baseline => '○',
            Mark::Live => '●',
            Mark::Mean => '─',
            Mark::Limits => '╌',
            Mark::Provisional => '·',
            Mark::Target => '═',
            Mark::Intervention => '┆',
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mark::Baseline => "baseline value",
            Mark::Live => "live value",
            Mark::Mean => "baseline mean",
            Mark::Limits => "process limits",
            Mark::Provisional => "provisional limits",
            Mark::Target => "target",
            Mark::Intervention => "intervention",
        }
    }

    /// The name where the whole legend must fit one line of 80 columns.
    fn short(self) -> &'static str {
        match self {
            Mark::Baseline => "baseline",
            Mark::Live => "live",
            Mark::Mean => "mean",
            Mark::Limits => "limits",
            Mark::Provisional => "prov. limits",
            Mark::Target => "target",
            Mark::Intervention => "intervention",
        }
    }

    /// Colour on top of the glyph, never instead of it: under `NO_COLOR` the theme gives none.
    pub fn style(self, theme: &Theme) -> Style {
        match self {
            Mark::Baseline => Style::new(),
            Mark::Live => theme.accent().add_modifier(Modifier::BOLD),
            Mark::Mean => theme.status(Status::Closed),
            Mark::Limits => theme.muted(),
            Mark::Provisional => theme.status(Status::NotStarted),
            Mark::Target => theme.status(Status::Open),
            Mark::Intervention => theme.alert(),
        }
    }
}

/// A horizontal line from `from` to `to` (days) at `y`.
#[derive(Clone, Debug, PartialEq)]
pub struct Level {
    pub mark: Mark,
    pub from: f64,
    pub to: f64,
    pub y: f64,
}

/// What the chart draws, in its own coordinates: days from the first value across, values
/// (divided by `scale`) up.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub title: String,
    pub x_max: f64,
    pub lo: f64,
    pub hi: f64,
    /// Lowest and highest value shown, as labels of the y axis.
    pub y_labels: (String, String),
    /// First and last day, as labels of the x axis.
    pub x_labels: (String, String),
    pub baseline: Vec<(f64, f64)>,
    pub live: Vec<(f64, f64)>,
    pub levels: Vec<Level>,
    pub interventions: Vec<f64>,
}

/// Where the chart put its parts: what tests read back from the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Drawn {
    pub plot: Rect,
    pub legend: Rect,
}

pub fn render(frame: &mut Frame, s: &Shared, d: &LoopDetail, area: Rect) {
    if let Some(model) = model(d) {
        draw(frame.buffer_mut(), s.theme, &model, area);
    }
}

/// The chart of a loop's primary metric; `None` without a metric or values.
pub fn model(d: &LoopDetail) -> Option<Model> {
    let m = d.record.metric.as_ref()?;
    let values: Vec<_> = d
        .record
        .values
        .iter()
        .filter(|v| v.void.is_none() && v.value.is_finite())
        .collect();
    if values.is_empty() {
        return None;
    }
    let (process, mean, target) = review_levels(d);
    let bounds = levels_drawn(process.as_ref(), mean, target);
    let scale = scale_of(values.iter().map(|v| v.value).chain(bounds.iter().copied()));
    let t0 = values.iter().map(|v| day(v.at)).fold(f64::MAX, f64::min);
    let axes = Axes { t0, scale };
    let points = |phase: Phase| -> Vec<(f64, f64)> {
        values
            .iter()
            .filter(|v| v.phase == phase)
            .map(|v| (axes.x(v.at), axes.y(v.value)))
            .collect()
    };
    let interventions: Vec<f64> = d
        .record
        .interventions
        .iter()
        .filter(|i| i.void.is_none())
        .map(|i| axes.x(i.at))
        .collect();
    let x_max = values
        .iter()
        .map(|v| axes.x(v.at))
        .chain(interventions.iter().copied())
        .fold(1.0_f64, f64::max);
    let (lo, hi) = y_range(
        values
            .iter()
            .map(|v| axes.y(v.value))
            .chain(bounds.iter().map(|v| axes.y(*v))),
    );
    let levels = levels_of(axes, process.as_ref(), mean, target, &interventions, x_max);
    let x_labels = day_labels(values.iter().map(|v| v.at.date()))?;
    Some(Model {
        title: title(m, scale),
        x_max,
        lo,
        hi,
        y_labels: (num(lo * scale), num(hi * scale)),
        x_labels,
        baseline: points(Phase::Baseline),
        live: points(Phase::Live),
        levels,
        interventions,
    })
}

/// A day as a number, counted the same way for every value.
fn day(w: When) -> f64 {
    w.date().num_days_from_ce() as f64
}

/// The chart's coordinates: days from the first value (`t0`) across, values divided by `scale`
/// up.
#[derive(Clone, Copy)]
struct Axes {
    t0: f64,
    scale: f64,
}

impl Axes {
    /// Where a day sits across.
    fn x(self, w: When) -> f64 {
        day(w) - self.t0
    }

    /// Where a value sits up.
    fn y(self, v: f64) -> f64 {
        v / self.scale
    }
}

/// What the loop's review says to draw as levels: the process limits, the baseline mean, and
/// the level the plan aims at (the comparison's baseline mean moved by the target change).
fn review_levels(d: &LoopDetail) -> (Option<Process<When>>, Option<f64>, Option<f64>) {
    let review = d.review.as_ref();
    let process = review.and_then(|l| l.process.clone());
    let mean = review.and_then(|l| l.baseline).map(|b| b.mean);
    // The level the plan aims at: the comparison's baseline mean moved by the target change.
    let target = review
        .and_then(|l| l.comparison.as_ref())
        .and_then(|c| Some(c.baseline_mean? + c.target?))
        .filter(|t| t.is_finite());
    (process, mean, target)
}

/// The horizontal lines, in drawing order: the baseline mean across the whole chart, each
/// phase's limits, the target over the live values it is judged on.
fn levels_of(
    axes: Axes,
    process: Option<&Process<When>>,
    mean: Option<f64>,
    target: Option<f64>,
    interventions: &[f64],
    x_max: f64,
) -> Vec<Level> {
    let mean_level = mean.map(|mean| Level {
        mark: Mark::Mean,
        from: 0.0,
        to: x_max,
        y: axes.y(mean),
    });
    let mut levels: Vec<Level> = mean_level.into_iter().collect();
    levels.extend(phase_limits(
        process,
        |w| axes.x(w).max(0.0),
        x_max,
        |v| axes.y(v),
    ));
    if let Some(t) = target {
        // Over the live values it is judged on: from the latest intervention on.
        let from = interventions.iter().copied().fold(0.0, f64::max);
        levels.push(Level {
            mark: Mark::Target,
            from,
            to: x_max,
            y: axes.y(t),
        });
    }
    levels
}

/// The metric and its direction, and what its values are divided by when drawn.
fn title(m: &crate::domain::model::Metric, scale: f64) -> String {
    let mut title = format!("{} ({} is better)", m.name, m.better);
    if scale != 1.0 {
        title.push_str(&format!(" — drawn ÷ {}", num(scale)));
    }
    title
}

/// Every level drawn: the baseline's limits and each phase's own, the mean and the target.
fn levels_drawn(
    process: Option<&Process<When>>,
    mean: Option<f64>,
    target: Option<f64>,
) -> Vec<f64> {
    process
        .iter()
        .flat_map(|p| {
            [p.lower_limit, p.upper_limit].into_iter().chain(
                p.phases
                    .iter()
                    .flat_map(|f| f.lower_limit.into_iter().chain(f.upper_limit)),
            )
        })
        .chain(mean)
        .chain(target)
        .filter(|v| v.is_finite())
        .collect()
}

/// What values are divided by to be drawn: values near the limits of a number (1e307,
/// 1e-300) are drawn divided by their largest magnitude, as the chart's arithmetic on them
/// would overflow; other values as they are.
fn scale_of(values: impl Iterator<Item = f64>) -> f64 {
    let largest = values.map(f64::abs).fold(0.0_f64, f64::max);
    if largest > 1e100 || (largest > 0.0 && largest < 1e-100) {
        largest
    } else {
        1.0
    }
}

/// The range of the drawn values, made non-empty and padded by a tenth on each side.
fn y_range(ys: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = ys
        .filter(|v| v.is_finite())
        .fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(v), h.max(v)));
    if !(hi - lo).is_finite() || hi - lo <= 0.0 {
        lo -= 1.0;
        hi += 1.0;
    }
    let padding = (hi - lo) * 0.1;
    (lo - padding, hi + padding)
}

/// The first and last day under the chart; the year appears when the span crosses one.
fn day_labels(days: impl Iterator<Item = chrono::NaiveDate> + Clone) -> Option<(String, String)> {
    let first = days.clone().min()?;
    let last = days.max()?;
    let format = if first.year() == last.year() {
        "%m-%d"
    } else {
        "%Y-%m-%d"
    };
    Some((
        first.format(format).to_string(),
        last.format(format).to_string(),
    ))
}

/// Each phase's limits over its own span (from its intervention to the next), firm or
/// provisional; a phase without limits of its own yet (fewer than two values) carries the
/// phase before it's forward, as process-behaviour charts do.
fn phase_limits(
    process: Option<&Process<When>>,
    x: impl Fn(When) -> f64,
    x_max: f64,
    y: impl Fn(f64) -> f64,
) -> Vec<Level> {
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
            out.push(Level {
                mark: if provisional {
                    Mark::Provisional
                } else {
                    Mark::Limits
                },
                from,
                to: to.max(from),
                y: y(v),
            });
        }
    }
    out
}

/// The plot's cells, row by row: which mark each shows.
fn cells(m: &Model, w: u16, h: u16) -> Vec<Vec<Option<Mark>>> {
    let (w, h) = (w as usize, h as usize);
    let col = |x: f64| -> usize {
        let c = (x / m.x_max * (w - 1) as f64).round();
        (c.max(0.0) as usize).min(w - 1)
    };
    let row = |y: f64| -> usize {
        let r = ((m.hi - y) / (m.hi - m.lo) * (h - 1) as f64).round();
        (r.max(0.0) as usize).min(h - 1)
    };
    let mut grid = vec![vec![None; w]; h];
    // Lines in one row take turns cell by cell, so each shows along its span.
    for (r, cells) in grid.iter_mut().enumerate() {
        for (c, cell) in cells.iter_mut().enumerate() {
            let here: Vec<Mark> = m
                .levels
                .iter()
                .filter(|l| row(l.y) == r && col(l.from) <= c && c <= col(l.to))
                .map(|l| l.mark)
                .fold(Vec::new(), |mut v, mark| {
                    if !v.contains(&mark) {
                        v.push(mark);
                    }
                    v
                });
            if !here.is_empty() {
                *cell = Some(here[c % here.len()]);
            }
        }
    }
    for &x in &m.interventions {
        let c = col(x);
        for cells in grid.iter_mut() {
            cells[c] = Some(Mark::Intervention);
        }
    }
    // Values last: a line never hides one.
    for (mark, points) in [(Mark::Baseline, &m.baseline), (Mark::Live, &m.live)] {
        for &(x, y) in points {
            if y.is_finite() {
                grid[row(y)][col(x)] = Some(mark);
            }
        }
    }
    grid
}

/// The legend's lines at `width`: full names when they fit in `rows` lines, else short ones.
fn legend(marks: &[Mark], width: usize, rows: usize, theme: &Theme) -> Vec<Line<'static>> {
    let lay = |name: fn(Mark) -> &'static str| -> Vec<Vec<Span<'static>>> {
        let mut lines: Vec<Vec<Span>> = vec![Vec::new()];
        let mut used = 0;
        for &mark in marks {
            let text = name(mark);
            let need = 2 + text.width();
            if used > 0 && used + 2 + need > width {
                lines.push(Vec::new());
                used = 0;
            }
            let n = lines.len() - 1;
            let line = &mut lines[n];
            if used > 0 {
                line.push(Span::raw("  "));
                used += 2;
            }
            line.push(Span::styled(mark.glyph().to_string(), mark.style(theme)));
            line.push(Span::raw(format!(" {text}")));
            used += need;
        }
        lines
    };
    let full = lay(Mark::name);
    let lines = if full.len() <= rows {
        full
    } else {
        lay(Mark::short)
    };
    lines.into_iter().map(Line::from).collect()
}

/// Draws `m` in `area`: the title, the plot with its axes, and the legend under it. `None`
/// when the area is too small to draw it honestly.
pub fn draw(buf: &mut Buffer, theme: &Theme, m: &Model, area: Rect) -> Option<Drawn> {
    let area = area.intersection(buf.area);
    let label_w = m.y_labels.0.width().max(m.y_labels.1.width()) as u16;
    if area.width < label_w + 12 || area.height < 6 {
        return None;
    }
    let present: Vec<Mark> = Mark::ALL
        .into_iter()
        .filter(|k| match k {
            Mark::Baseline => !m.baseline.is_empty(),
            Mark::Live => !m.live.is_empty(),
            Mark::Intervention => !m.interventions.is_empty(),
            _ => m.levels.iter().any(|l| l.mark == *k),
        })
        .collect();
    // Room for three legend lines where the chart is tall, one where it is not.
    let rows = if area.height >= 16 { 3 } else { 1 };
    let legend_rows = legend(&present, area.width as usize, rows, theme).len() as u16;
    // Title, plot, the x axis with its dates, the legend.
    let plot_h = area.height.checked_sub(2 + legend_rows)?;
    if plot_h < 3 {
        return None;
    }
    let plot = Rect::new(
        area.x + label_w + 1,
        area.y + 1,
        area.width - label_w - 1,
        plot_h,
    );
    let grid = cells(m, plot.width, plot.height);
    // A mark whose every cell a value covers is not named.
    let shown: Vec<Mark> = present
        .into_iter()
        .filter(|k| grid.iter().flatten().any(|c| *c == Some(*k)))
        .collect();
    let legend_lines = legend(&shown, area.width as usize, rows, theme);

    Paragraph::new(Span::styled(
        fit(&m.title, area.width as usize),
        theme.title(),
    ))
    .render(Rect::new(area.x, area.y, area.width, 1), buf);
    for (r, cells) in grid.iter().enumerate() {
        let yy = plot.y + r as u16;
        buf[(plot.x - 1, yy)].set_symbol("│");
        for (c, cell) in cells.iter().enumerate() {
            if let Some(mark) = cell {
                let xx = plot.x + c as u16;
                buf[(xx, yy)]
                    .set_char(mark.glyph())
                    .set_style(mark.style(theme));
            }
        }
    }
    let muted = theme.muted();
    buf.set_string(area.x, plot.y, &m.y_labels.1, muted);
    buf.set_string(area.x, plot.y + plot.height - 1, &m.y_labels.0, muted);
    // The x axis, with the first and last day written on it.
    let axis_y = plot.y + plot.height;
    buf.set_string(
        plot.x - 1,
        axis_y,
        format!("└{}", "─".repeat(plot.width as usize)),
        Style::new(),
    );
    let (first, last) = (&m.x_labels.0, &m.x_labels.1);
    buf.set_string(plot.x, axis_y, first, muted);
    if (first.width() + last.width() + 1) as u16 <= plot.width {
        buf.set_string(
            plot.x + plot.width - last.width() as u16,
            axis_y,
            last,
            muted,
        );
    }
    let legend = Rect::new(area.x, axis_y + 1, area.width, legend_rows);
    Paragraph::new(legend_lines).render(legend, buf);
    Some(Drawn { plot, legend })
}

use chrono::Datelike;

#[cfg(test)]
mod tests;
