//! HTML text made inert: stored text is first made visible where a terminal would act on it
//! (`display::clean`: escapes, bidi overrides, zero-width characters), then escaped, so a name
//! can neither open a tag, close an attribute, nor turn a line around.

use crate::display::clean;

/// Text (ours or stored) for an element's content or a quoted attribute.
pub fn text(s: &str) -> String {
    let s = clean(s);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text that may span lines (a statement, a learning): each line as `text`, the breaks kept.
pub fn text_lines(s: &str) -> String {
    s.trim()
        .split('\n')
        .map(|line| text(line.trim_end_matches('\r')))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// The page's style: readable on a phone (tables scroll sideways inside their box, charts
/// scale to the width) and on paper (no backgrounds, a job starts a page, nothing is cut in two).
pub(super) const STYLE: &str = r#"
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #1d1d1f; }
h1 { font-size: 1.5rem; margin: .2rem 0; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #ccc; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .3rem; }
.meta, .muted { color: #555; font-size: .9rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .25rem .4rem; text-align: left; vertical-align: top; }
th { background: #f4f4f6; }
td.st-open { background: #fff7d6; } td.st-closed { background: #e3f6e3; }
td.st-killed { background: #f8e0e0; } td.st-not-started { color: #777; }
.warn { color: #a40000; font-weight: 600; }
ul { padding-left: 1.2rem; } li { margin: .15rem 0; }
.chart { width: 100%; height: auto; max-width: 44rem; display: block; border: 1px solid #eee; }
.chart .baseline { fill: #1f5fbf; } .chart .live { fill: #d2691e; }
.chart .live-line { fill: none; stroke: #d2691e; stroke-width: 2; }
.chart .limit { stroke: #888; stroke-dasharray: 4 3; } .chart .center { stroke: #bbb; }
.chart .target { stroke: #178a3c; stroke-dasharray: 8 4; stroke-width: 1.5; }
.chart .intervention { stroke: #7a2ea0; stroke-width: 1.5; }
.chart text { font-size: 11px; fill: #444; }
.key span { margin-right: .8rem; white-space: nowrap; }
.job { break-before: page; }
.loop, table, .chart, li { break-inside: avoid; }
@media (max-width: 40rem) { body { padding: .5rem; font-size: 14px; } th, td { padding: .2rem; } }
@media print { body { max-width: none; color: #000; } th { background: none; } td[class^="st-"] { background: none; } a { color: #000; } }
"#;
