//! A metric as an inline SVG chart: baseline values as dots, live values as a line, the
//! baseline's process limits and centre, each intervention in force as a vertical mark, the
//! target as a line. Everything drawn comes from the domain (the record's values in force, the
//! review's process limits and comparison); this only places it. Numbers are written with a
//! fixed precision so the same data draws the same bytes.

use std::fmt::Write as _;

use super::html::text;
use crate::display::num;
use crate::domain::loop_record::LoopRecord;
use crate::domain::review::LoopReview;
use crate::domain::state::day_number;
use crate::domain::time::When;

const W: f64 = 640.0;
const H: f64 = 240.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 28.0;

/// The chart of `r`'s primary metric, or `None` without one.
pub(super) fn chart(r: &LoopRecord, l: &LoopReview) -> Option<String> {
    let m = r.metric.as_ref()?;
    let point = |at: When, v: f64| (day_number(at), v);
    let base: Vec<(f64, f64)> = r.baselines().map(|v| point(v.at, v.value)).collect();
    let live: Vec<(f64, f64)> = r.live().map(|v| point(v.at, v.value)).collect();
    let marks: Vec<(f64, String)> = r
        .active_interventions()
        .map(|i| (day_number(i.at), format!("{}: {}", i.at, i.description)))
        .collect();
    let limits = l.process.as_ref();
    let target = l
        .comparison
        .as_ref()
        .and_then(|c| Some(c.baseline_mean? + c.target?));
    let label = format!("{} ({}) — {}", m.name, m.better, r.addr());
    let mut out = format!(
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{a}" data-metric="{a}"><title>{a}</title>"#,
        a = text(&label)
    );
    if base.is_empty() && live.is_empty() {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle">no values yet</text></svg>"#,
            W / 2.0,
            H / 2.0
        );
        return Some(out);
    }
    let xs = base
        .iter()
        .chain(&live)
        .map(|p| p.0)
        .chain(marks.iter().map(|m| m.0));
    let ys = base
        .iter()
        .chain(&live)
        .map(|p| p.1)
        .chain(limits.iter().flat_map(|p| [p.lower_limit, p.upper_limit]))
        .chain(target);
    let fr = Frame {
        x: span(xs),
        y: span(ys),
    };
    axes(&mut out, &fr);
    if let Some(p) = limits {
        fr.hline(
            &mut out,
            "center",
            p.center,
            &format!("centre {}", num(p.center)),
        );
        fr.hline(
            &mut out,
            "limit",
            p.lower_limit,
            &format!("lower process limit {}", num(p.lower_limit)),
        );
        fr.hline(
            &mut out,
            "limit",
            p.upper_limit,
            &format!("upper process limit {}", num(p.upper_limit)),
        );
    }
    if let Some(t) = target {
        fr.hline(&mut out, "target", t, &format!("target {}", num(t)));
    }
    interventions(&mut out, &fr, &marks);
    points(&mut out, &fr, &base, &live);
    out.push_str("</svg>");
    Some(out)
}

/// The ranges of days and values drawn, and where a point of them falls on the chart.
struct Frame {
    x: (f64, f64),
    y: (f64, f64),
}

impl Frame {
    fn sx(&self, x: f64) -> f64 {
        let (x0, x1) = self.x;
        LEFT + (x - x0) / (x1 - x0) * (W - LEFT - RIGHT)
    }

    fn sy(&self, y: f64) -> f64 {
        let (y0, y1) = self.y;
        // In halves: values near both ends of what a number holds (±1.7e308) would make the
        // differences overflow to infinity, and every coordinate NaN.
        TOP + (y1 / 2.0 - y / 2.0) / (y1 / 2.0 - y0 / 2.0) * (H - TOP - BOTTOM)
    }

    /// A level across the chart (centre, limit, target) with what it is as its tooltip.
    fn hline(&self, out: &mut String, class: &str, y: f64, what: &str) {
        let _ = write!(
            out,
            r#"<line class="{class}" x1="{}" y1="{y}" x2="{}" y2="{y}"><title>{}</title></line>"#,
            f(LEFT),
            f(W - RIGHT),
            text(what),
            y = f(self.sy(y)),
        );
    }
}

/// The day a chart x stands for.
fn day(x: f64) -> String {
    crate::domain::time::epoch_day()
        .checked_add_signed(chrono::Duration::days(x as i64))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

/// Axes and their end labels: the value range on the left, the first and last day below.
fn axes(out: &mut String, fr: &Frame) {
    let _ = write!(
        out,
        r#"<line class="center" x1="{l}" y1="{t}" x2="{l}" y2="{b}"/><line class="center" x1="{l}" y1="{b}" x2="{r}" y2="{b}"/>"#,
        l = f(LEFT),
        t = f(TOP),
        b = f(H - BOTTOM),
        r = f(W - RIGHT)
    );
    for y in [fr.y.0, fr.y.1] {
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            f(LEFT - 4.0),
            f(fr.sy(y) + 4.0),
            text(&num(y))
        );
    }
    let _ = write!(
        out,
        r#"<text x="{}" y="{}">{}</text><text x="{}" y="{}" text-anchor="end">{}</text>"#,
        f(LEFT),
        f(H - 8.0),
        day(fr.x.0),
        f(W - RIGHT),
        f(H - 8.0),
        day(fr.x.1)
    );
}

/// Each intervention as a vertical line, with what it was as its tooltip.
fn interventions(out: &mut String, fr: &Frame, marks: &[(f64, String)]) {
    for (x, what) in marks {
        let _ = write!(
            out,
            r#"<line class="intervention" x1="{x}" y1="{}" x2="{x}" y2="{}"><title>intervention {}</title></line>"#,
            f(TOP),
            f(H - BOTTOM),
            text(what),
            x = f(fr.sx(*x)),
        );
    }
}

/// The live values' line, then every value as a point with its tooltip.
fn points(out: &mut String, fr: &Frame, base: &[(f64, f64)], live: &[(f64, f64)]) {
    if live.len() > 1 {
        let pts: Vec<String> = live
            .iter()
            .map(|p| format!("{},{}", f(fr.sx(p.0)), f(fr.sy(p.1))))
            .collect();
        let _ = write!(
            out,
            r#"<polyline class="live-line" points="{}"/>"#,
            pts.join(" ")
        );
    }
    for (class, pts, r) in [("baseline", base, 4.0), ("live", live, 3.0)] {
        for p in pts {
            let _ = write!(
                out,
                r#"<circle class="{class}" cx="{}" cy="{}" r="{r}"><title>{class} {} on {}</title></circle>"#,
                f(fr.sx(p.0)),
                f(fr.sy(p.1)),
                text(&num(p.1)),
                day(p.0)
            );
        }
    }
}

/// The range of `vs`, widened a little (and made non-empty) so nothing sits on the frame.
fn span(vs: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = vs
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    // Halves, and ends kept within what a number holds, for values near ±1.7e308.
    let pad = if hi > lo {
        (hi / 2.0 - lo / 2.0) * 0.12
    } else {
        lo.abs().max(1.0) * 0.1
    };
    ((lo - pad).max(f64::MIN), (hi + pad).min(f64::MAX))
}

/// A coordinate, to a tenth of a pixel.
fn f(v: f64) -> String {
    format!("{v:.1}")
}
