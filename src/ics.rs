//! iCalendar (RFC 5545) out: the calendar's entries (`domain::calendar`) as all-day events, to
//! the letter — CRLF line ends, content lines folded at 75 octets without splitting a UTF-8
//! character, `DTSTAMP` on every event, TEXT escaped (backslash, semicolon, comma, line break).

use chrono::Datelike;

use crate::domain::Stamp;
use crate::domain::calendar::{CHECK_IN, Entry};

/// The longest content line, in octets, before it is folded (RFC 5545 §3.1).
const FOLD: usize = 75;

/// Whether an entry can be written: a DATE has four digits of year, so a day after 9998-12-31
/// has no end date to write.
pub fn writable(e: &Entry) -> bool {
    e.date.succ_opt().is_some_and(|d| d.year() <= 9999)
}

/// The whole calendar, generated at `now`. RFC 5545 wants at least one component in it: the
/// caller refuses a calendar with no writable entry rather than write one without.
pub fn calendar(entries: &[Entry], now: Stamp) -> String {
    let stamp = now.0.format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::new();
    let mut line = |s: &str| fold_into(&mut out, s);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line(&format!(
        "PRODID:-//jobloop//jobloop {}//EN",
        env!("CARGO_PKG_VERSION")
    ));
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    for e in entries.iter().filter(|e| writable(e)) {
        line("BEGIN:VEVENT");
        line(&format!("UID:{}", text(&e.uid)));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("DTSTART;VALUE=DATE:{}", e.date.format("%Y%m%d")));
        if let Some(next) = e.date.succ_opt() {
            line(&format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")));
        }
        if e.weekly {
            let day = match CHECK_IN {
                chrono::Weekday::Mon => "MO",
                chrono::Weekday::Tue => "TU",
                chrono::Weekday::Wed => "WE",
                chrono::Weekday::Thu => "TH",
                chrono::Weekday::Fri => "FR",
                chrono::Weekday::Sat => "SA",
                chrono::Weekday::Sun => "SU",
            };
            line(&format!("RRULE:FREQ=WEEKLY;BYDAY={day}"));
        }
        line(&format!("SUMMARY:{}", text(&e.summary)));
        line(&format!("DESCRIPTION:{}", text(&e.description)));
        // A reminder, not a meeting: the day stays free.
        line("TRANSP:TRANSPARENT");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

/// A TEXT value escaped (§3.3.11). Control characters, which TEXT cannot hold, become U+FFFD;
/// a line break becomes `\n`.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("\\n"),
            '\t' => out.push('\t'),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded: at most 75 octets a physical line, each continuation
/// starting with a space, never inside a character; then CRLF.
fn fold_into(out: &mut String, line: &str) {
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > FOLD {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            text("a,b;c\\d\ne\r\nf\u{1b}g"),
            "a\\,b\\;c\\\\d\\ne\\nf\u{FFFD}g"
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let mut out = String::new();
        let long = format!("SUMMARY:{}", "日本語の".repeat(40));
        fold_into(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
        assert!(!out.replace("\r\n", "").contains('\n'));
    }
}
