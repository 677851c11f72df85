//! The one sanitiser for text shown on a terminal, by the CLI and the TUI alike. Stored text can
//! come from anyone (an import, a paste); an escape sequence in a job title must not clear the
//! screen, write the clipboard (OSC 52) or reverse the line (bidi overrides). Such characters are
//! made visible as `\u{…}` instead of acted on. JSON output is not passed through here: it keeps
//! the text exactly, escaped by the JSON encoder.

use std::borrow::Cow;

use crate::domain::model::{Better, Status};
use crate::domain::stats::{Comparison, Process, ProcessSignal, Verdict};

/// The symbol of a loop's status, the same in the CLI, the digest and the TUI.
pub fn status_symbol(s: Status) -> &'static str {
    match s {
        Status::NotStarted => "·",
        Status::Open => "●",
        Status::Closed => "✓",
        Status::Killed => "✗",
    }
}

/// `9.1`, `12`, `0.25`: at most two decimals, no trailing zeros.
pub fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// A comparison with the baseline in plain words, never claiming more than the data shows.
pub fn comparison_words(c: &Comparison, unit: &str, better: Better) -> String {
    let u = |v: f64| {
        if unit.is_empty() {
            num(v)
        } else {
            format!("{} {}", num(v), clean(unit))
        }
    };
    let signed = |v: f64| if v > 0.0 { format!("+{}", u(v)) } else { u(v) };
    let (Some(b), Some(l)) = (c.baseline_mean, c.live_mean) else {
        return match c.baseline_mean {
            None => "no baseline yet: record one before any intervention".into(),
            Some(b) => format!(
                "baseline {} (n={}); no live values since the latest intervention",
                u(b),
                c.baseline_n
            ),
        };
    };
    let pct = c
        .pct_change
        .map(|p| format!(" ({p:+.0}%)"))
        .unwrap_or_default();
    let head = format!(
        "live {} (n={}) vs baseline {} (n={}): {}{pct}",
        u(l),
        c.live_n,
        u(b),
        c.baseline_n,
        signed(l - b)
    );
    let tail = match (c.verdict, c.ci_low, c.ci_high) {
        (Verdict::NotEnoughData, _, _) => {
            "not enough data to tell (each side needs at least 2 values)".to_string()
        }
        (v, Some(lo), Some(hi)) => {
            let interval = format!("95% interval {} to {}", signed(lo), signed(hi));
            match v {
                Verdict::Improved => format!("improved ({better} is better); {interval}"),
                Verdict::Worse => format!("worse ({better} is better); {interval}"),
                _ => format!("inconclusive: the {interval} includes no change"),
            }
        }
        (v, _, _) => v.as_str().to_string(),
    };
    format!("{head} — {tail}")
}

/// The process limits and what broke them, in one line.
pub fn process_words(p: &Process) -> String {
    let mut s = format!(
        "process limits {} to {} around {}",
        num(p.lower_limit),
        num(p.upper_limit),
        num(p.center)
    );
    let outside = p
        .signals
        .iter()
        .filter(|s| matches!(s, ProcessSignal::OutsideLimits { .. }))
        .count();
    let runs = p.signals.len() - outside;
    if outside > 0 {
        s.push_str(&format!("; {outside} live point(s) outside"));
    }
    if runs > 0 {
        s.push_str(&format!("; {runs} run(s) of 8 on one side"));
    }
    if p.signals.is_empty() {
        s.push_str("; no signal");
    }
    s
}

/// Characters that a terminal would act on rather than print.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() // C0, DEL, C1
        || matches!(c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text for one line: every control character (newlines and tabs included) made visible.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text that may span lines (notes, evidence): newlines are kept, tabs become spaces, every other
/// control character is made visible.
pub fn clean_multiline(s: &str) -> String {
    s.split('\n')
        .map(|line| clean(&line.replace('\t', "    ")).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_made_visible() {
        let osc52 = "title\u{1b}]52;c;ZXZpbA==\u{7}";
        let out = clean(osc52);
        assert!(!out.chars().any(|c| c.is_control()), "{out}");
        assert!(out.contains("\\u{1b}]52"));
        assert_eq!(clean("\u{9b}2J"), "\\u{9b}2J");
        assert_eq!(clean("a\u{7f}"), "a\\u{7f}");
    }

    #[test]
    fn bidi_controls_are_made_visible() {
        assert_eq!(clean("abc\u{202E}cba"), "abc\\u{202e}cba");
        assert_eq!(clean("x\u{2066}y\u{061C}"), "x\\u{2066}y\\u{61c}");
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(9.0), "9");
        assert_eq!(num(9.126), "9.13");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(-0.001), "0");
    }

    #[test]
    fn ordinary_text_is_untouched() {
        assert!(matches!(clean("Café — ✓ 日本"), Cow::Borrowed(_)));
    }

    #[test]
    fn multiline_keeps_newlines_only() {
        assert_eq!(clean_multiline("a\nb\tc\r"), "a\nb    c\\u{d}");
    }
}
