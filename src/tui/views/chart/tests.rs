use super::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

/// Six baseline weeks around 10 (one exactly on the mean), an intervention, eight live
/// weeks falling towards the target: the newest points land top-right or bottom-right,
/// where a legend box used to sit.
fn model(better_up: bool) -> Model {
    let sign = if better_up { 1.0 } else { -1.0 };
    let baseline: Vec<(f64, f64)> = [9.0, 11.0, 10.0, 9.5, 10.5, 10.0]
        .iter()
        .enumerate()
        .map(|(i, v)| (7.0 * i as f64, *v))
        .collect();
    let live: Vec<(f64, f64)> = (0..8)
        .map(|i| (42.0 + 7.0 * i as f64, 10.0 + sign * 0.5 * i as f64))
        .collect();
    let level = |mark, from, to, y| Level { mark, from, to, y };
    Model {
        title: "hours to answer (lower is better)".into(),
        x_max: 91.0,
        lo: 5.0,
        hi: 15.0,
        y_labels: ("5".into(), "15".into()),
        x_labels: ("09-01".into(), "12-01".into()),
        baseline,
        live,
        levels: vec![
            level(Mark::Mean, 0.0, 91.0, 10.0),
            level(Mark::Limits, 0.0, 40.0, 8.0),
            level(Mark::Limits, 0.0, 40.0, 12.0),
            level(Mark::Provisional, 40.0, 91.0, 8.0),
            level(Mark::Provisional, 40.0, 91.0, 12.0),
            // The target on a limit's row: both must show.
            level(Mark::Target, 40.0, 91.0, 10.0 + sign * 2.0),
        ],
        interventions: vec![40.0],
    }
}

/// The chart drawn on a TestBackend: its buffer and where the parts went.
fn drawn(m: &Model, color: bool, (w, h): (u16, u16)) -> (Buffer, Drawn) {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    let theme = Theme::new(color);
    let mut parts = None;
    t.draw(|f| {
        let area = f.area();
        parts = draw(f.buffer_mut(), &theme, m, area)
    })
    .unwrap();
    (t.backend().buffer().clone(), parts.unwrap())
}

fn text(buf: &Buffer, r: Rect) -> String {
    (r.y..r.y + r.height)
        .flat_map(|y| (r.x..r.x + r.width).map(move |x| (x, y)))
        .map(|p| buf[p].symbol().to_string())
        .collect()
}

/// The marks the legend names: each entry is the glyph then a space then its name.
fn legend_marks(buf: &Buffer, r: Rect) -> Vec<Mark> {
    let legend = text(buf, r);
    Mark::ALL
        .into_iter()
        .filter(|k| {
            [k.name(), k.short()]
                .iter()
                .any(|n| legend.contains(&format!("{} {n}", k.glyph())))
        })
        .collect()
}

fn plot_marks(buf: &Buffer, r: Rect) -> Vec<Mark> {
    let plot = text(buf, r);
    Mark::ALL
        .into_iter()
        .filter(|k| plot.contains(k.glyph()))
        .collect()
}

#[test]
fn the_legend_names_exactly_the_glyphs_in_the_plot_at_every_size() {
    for size in [(80, 9), (54, 37), (120, 12), (40, 20)] {
        for up in [true, false] {
            let (buf, d) = drawn(&model(up), false, size);
            let (legend, plot) = (legend_marks(&buf, d.legend), plot_marks(&buf, d.plot));
            assert_eq!(
                legend,
                Mark::ALL.to_vec(),
                "{size:?}\n{}",
                text(&buf, buf.area)
            );
            assert_eq!(plot, legend, "{size:?}");
            // Nothing else is drawn in the plot: every cell is a named mark or blank.
            let names: String = legend.iter().map(|k| k.glyph()).collect();
            assert!(
                text(&buf, d.plot)
                    .chars()
                    .all(|c| c == ' ' || names.contains(c)),
                "{size:?}"
            );
            assert!(d.legend.intersection(d.plot).is_empty());
            assert!(
                d.legend.y > d.plot.y + d.plot.height,
                "the legend is under the plot"
            );
        }
    }
}

#[test]
fn at_80_columns_the_legend_is_one_line_and_the_plot_keeps_its_rows() {
    let (buf, d) = drawn(&model(false), true, (80, 9));
    assert_eq!(d.legend.height, 1);
    assert_eq!(d.plot.height, 6);
    let legend = text(&buf, d.legend);
    assert!(
        legend.starts_with("○ baseline  ● live  ─ mean  ╌ limits"),
        "{legend}"
    );
}

#[test]
fn a_value_on_a_line_and_lines_sharing_a_row_all_show() {
    let m = model(true);
    let g = cells(&m, 60, 11);
    let count = |k: Mark| g.iter().flatten().filter(|c| **c == Some(k)).count();
    // Every value has a cell of its own (none share one here) and a line never takes it.
    assert_eq!(count(Mark::Baseline), m.baseline.len());
    assert_eq!(count(Mark::Live), m.live.len());
    // The target shares the upper limit's row after the intervention: both show there.
    let (lim, tgt) = (
        g[3].iter()
            .filter(|c| **c == Some(Mark::Provisional))
            .count(),
        g[3].iter().filter(|c| **c == Some(Mark::Target)).count(),
    );
    assert!(lim > 5 && tgt > 5, "{lim} {tgt}");
}

#[test]
fn marks_differ_by_glyph_without_colour_and_by_colour_too_with_it() {
    let glyphs: std::collections::BTreeSet<char> = Mark::ALL.iter().map(|k| k.glyph()).collect();
    assert_eq!(glyphs.len(), Mark::ALL.len(), "one glyph per mark");
    let (plain, d) = drawn(&model(false), false, (80, 20));
    let (colour, _) = drawn(&model(false), true, (80, 20));
    assert_eq!(
        text(&plain, plain.area),
        text(&colour, colour.area),
        "colour adds, never replaces"
    );
    let mut fg_of = std::collections::BTreeMap::new();
    for y in d.plot.y..d.plot.y + d.plot.height {
        for x in d.plot.x..d.plot.x + d.plot.width {
            assert_eq!(plain[(x, y)].fg, Color::Reset, "no colour under NO_COLOR");
            if let Some(k) = Mark::ALL
                .iter()
                .find(|k| colour[(x, y)].symbol() == k.glyph().to_string())
            {
                fg_of.entry(format!("{k:?}")).or_insert(colour[(x, y)].fg);
                assert_eq!(colour[(x, y)].fg, *fg_of.get(&format!("{k:?}")).unwrap());
            }
        }
    }
    // Each mark its own colour, the baseline in the terminal's own.
    let colours: std::collections::BTreeSet<String> =
        fg_of.values().map(|c| format!("{c:?}")).collect();
    assert_eq!(colours.len(), Mark::ALL.len(), "{fg_of:?}");
    assert_eq!(fg_of["Live"], Color::Cyan);
}

#[test]
fn too_small_an_area_draws_nothing_rather_than_a_cramped_chart() {
    let m = model(true);
    let mut t = Terminal::new(TestBackend::new(80, 5)).unwrap();
    t.draw(|f| {
        assert!({
            let area = f.area();
            draw(f.buffer_mut(), &Theme::new(true), &m, area).is_none()
        })
    })
    .unwrap();
}
