//! Time as the loops see it: instants stored in UTC with millisecond precision (so text order is
//! time order), dates typed by people in their local calendar, and cycles that are ISO weeks.

use chrono::{
    DateTime, Datelike, Days, IsoWeek, Local, LocalResult, NaiveDate, NaiveTime, SecondsFormat,
    TimeZone, Timelike, Utc,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

use super::error::Refusal;

/// A UTC instant, written as RFC 3339 with milliseconds and `Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp(pub DateTime<Utc>);

impl Stamp {
    pub fn now() -> Stamp {
        Stamp::from_utc(Utc::now())
    }

    /// Truncates to milliseconds so that a value survives a text round trip unchanged.
    pub fn from_utc(t: DateTime<Utc>) -> Stamp {
        let ms = t.timestamp_millis();
        Stamp(Utc.timestamp_millis_opt(ms).single().unwrap_or(t))
    }

    pub fn parse(s: &str) -> Result<Stamp, Refusal> {
        if let Some(t) = Self::parse_stored(s) {
            return Ok(t);
        }
        DateTime::parse_from_rfc3339(s)
            .map(|t| Stamp::from_utc(t.with_timezone(&Utc)))
            .map_err(|_| Refusal::invalid(format!("`{s}` is not an RFC 3339 time")))
    }

    /// The exact form jobloop stores (`2026-11-22T12:00:00.123Z`), read without a general
    /// parser: the review reads hundreds of thousands of them.
    fn parse_stored(s: &str) -> Option<Stamp> {
        let b = s.as_bytes();
        if b.len() != 24
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b[19] != b'.'
            || b[23] != b'Z'
        {
            return None;
        }
        let n = |from: usize, to: usize| -> Option<u32> {
            b[from..to].iter().try_fold(0u32, |acc, c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        let date = NaiveDate::from_ymd_opt(n(0, 4)? as i32, n(5, 7)?, n(8, 10)?)?;
        let time = NaiveTime::from_hms_milli_opt(n(11, 13)?, n(14, 16)?, n(17, 19)?, n(20, 23)?)?;
        Some(Stamp(Utc.from_utc_datetime(&date.and_time(time))))
    }

    /// `2026-11-22T12:00:00.123Z`, written digit by digit: exports and reviews write
    /// hundreds of thousands of these.
    pub fn to_text(self) -> String {
        let t = self.0;
        let year = t.year();
        if !(0..=9999).contains(&year) {
            return t.to_rfc3339_opts(SecondsFormat::Millis, true);
        }
        let mut out = String::with_capacity(24);
        push_digits(&mut out, year as u32, 4);
        out.push('-');
        push_digits(&mut out, t.month(), 2);
        out.push('-');
        push_digits(&mut out, t.day(), 2);
        out.push('T');
        push_digits(&mut out, t.hour(), 2);
        out.push(':');
        push_digits(&mut out, t.minute(), 2);
        out.push(':');
        push_digits(&mut out, t.second(), 2);
        out.push('.');
        push_digits(&mut out, t.timestamp_subsec_millis().min(999), 3);
        out.push('Z');
        out
    }

    /// The calendar day this instant falls on for the person at the keyboard.
    pub fn local_date(self) -> NaiveDate {
        self.0.with_timezone(&Local).date_naive()
    }

    /// `2026-11-22 14:05` in local time, for people.
    pub fn local_minute(self) -> String {
        self.0
            .with_timezone(&Local)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl Serialize for Stamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}

impl<'de> Deserialize<'de> for Stamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Stamp, D::Error> {
        let s = String::deserialize(d)?;
        Stamp::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// `v` as exactly `width` decimal digits.
fn push_digits(out: &mut String, v: u32, width: u32) {
    for i in (0..width).rev() {
        out.push(char::from(b'0' + ((v / 10u32.pow(i)) % 10) as u8));
    }
}

/// The start (local midnight) of a calendar day, as an instant.
pub fn start_of_day(date: NaiveDate) -> Stamp {
    let naive = date.and_time(NaiveTime::MIN);
    let local = match Local.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        // A midnight skipped by a DST change: the day starts an hour later; UTC is close enough.
        LocalResult::None => Utc.from_utc_datetime(&naive),
    };
    Stamp::from_utc(local)
}

/// Parses what a person types for "when": `YYYY-MM-DD` (the start of that local day) or a full
/// RFC 3339 time. Dates in the future are refused: a measurement cannot come from tomorrow.
pub fn parse_when(input: &str, now: Stamp) -> Result<Stamp, Refusal> {
    let input = input.trim();
    let at = if let Ok(date) = NaiveDate::parse_from_str(input, "%Y-%m-%d") {
        start_of_day(date)
    } else if let Ok(t) = DateTime::parse_from_rfc3339(input) {
        Stamp::from_utc(t.with_timezone(&Utc))
    } else {
        return Err(Refusal::invalid(format!(
            "`{input}` is not a date: write YYYY-MM-DD, e.g. {}",
            now.local_date().format("%Y-%m-%d")
        )));
    };
    if at > now {
        return Err(Refusal::invalid(format!(
            "{input} is in the future: record values on or before today ({})",
            now.local_date().format("%Y-%m-%d")
        )));
    }
    Ok(at)
}

/// An ISO week, the default review cycle: `2026-W47`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week {
    pub year: i32,
    pub week: u32,
}

impl Week {
    pub fn of(date: NaiveDate) -> Week {
        let w: IsoWeek = date.iso_week();
        Week {
            year: w.year(),
            week: w.week(),
        }
    }

    pub fn containing(at: Stamp) -> Week {
        Week::of(at.local_date())
    }

    pub fn monday(self) -> NaiveDate {
        NaiveDate::from_isoywd_opt(self.year, self.week, chrono::Weekday::Mon)
            .unwrap_or(NaiveDate::MIN)
    }

    pub fn previous(self) -> Week {
        Week::of(
            self.monday()
                .checked_sub_days(Days::new(7))
                .unwrap_or(NaiveDate::MIN),
        )
    }

    pub fn parse(input: &str) -> Result<Week, Refusal> {
        let bad = || {
            Refusal::invalid(format!(
                "`{input}` is not an ISO week: write YYYY-Www, e.g. 2026-W47"
            ))
        };
        let (y, w) = input.trim().split_once("-W").ok_or_else(bad)?;
        let year: i32 = y.parse().map_err(|_| bad())?;
        let week: u32 = w.parse().map_err(|_| bad())?;
        NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Mon).ok_or_else(bad)?;
        Ok(Week { year, week })
    }
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Stamp {
        Stamp::parse("2026-11-22T12:00:00Z").unwrap()
    }

    #[test]
    fn stamps_round_trip_as_text() {
        let s = Stamp::parse("2026-11-22T12:00:00.123456Z").unwrap();
        assert_eq!(s.to_text(), "2026-11-22T12:00:00.123Z");
        let early = Stamp::parse("0987-01-02T03:04:05.006Z").unwrap();
        assert_eq!(early.to_text(), "0987-01-02T03:04:05.006Z");
        assert_eq!(
            early.to_text(),
            early.0.to_rfc3339_opts(SecondsFormat::Millis, true)
        );
        assert_eq!(Stamp::parse(&s.to_text()).unwrap(), s);
    }

    #[test]
    fn the_stored_form_and_other_rfc3339_forms_agree() {
        for (fast, general) in [
            ("2026-11-22T12:00:00.123Z", "2026-11-22T13:00:00.123+01:00"),
            ("2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59.999000Z"),
        ] {
            assert_eq!(Stamp::parse(fast).unwrap(), Stamp::parse(general).unwrap());
        }
        assert!(Stamp::parse("2026-02-30T12:00:00.000Z").is_err());
        assert!(Stamp::parse("2026-11-22T12:00:00.12xZ").is_err());
    }

    #[test]
    fn dates_parse_and_the_future_is_refused() {
        assert!(parse_when("2026-11-01", now()).is_ok());
        assert!(parse_when("2026-11-01T08:00:00+01:00", now()).is_ok());
        let err = parse_when("2027-01-01", now()).unwrap_err().to_string();
        assert!(err.contains("in the future"), "{err}");
        let err = parse_when("2026-13-01", now()).unwrap_err().to_string();
        assert!(err.contains("YYYY-MM-DD"), "{err}");
        assert!(parse_when("yesterday", now()).is_err());
    }

    #[test]
    fn weeks_are_iso_weeks() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(); // a Sunday
        let w = Week::of(d);
        assert_eq!(w.to_string(), "2026-W47");
        assert_eq!(w.monday(), NaiveDate::from_ymd_opt(2026, 11, 16).unwrap());
        assert_eq!(w.previous().to_string(), "2026-W46");
        assert_eq!(Week::parse("2026-W47").unwrap(), w);
        assert!(Week::parse("2026-W54").is_err());
        assert!(Week::parse("47").is_err());
        // Week 1 of 2027 starts in 2027; 2026-12-31 is still in 2026-W53.
        let d = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(Week::of(d).to_string(), "2026-W53");
        assert_eq!(
            Week::parse("2027-W01").unwrap().previous().to_string(),
            "2026-W53"
        );
    }
}
