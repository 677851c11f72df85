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
    /// 1970-01-01T00:00:00Z: a placeholder before a real time is known.
    pub const EPOCH: Stamp = Stamp(DateTime::UNIX_EPOCH);

    /// Truncates to milliseconds so that a value survives a text round trip unchanged.
    pub fn from_utc(t: DateTime<Utc>) -> Stamp {
        let ms = t.timestamp_millis();
        Stamp(Utc.timestamp_millis_opt(ms).single().unwrap_or(t))
    }

    /// Reads a stored or exported time. Only years 1970 to 9999 are accepted: that is the range
    /// jobloop writes, and anything else would not survive a round trip through text.
    pub fn parse(s: &str) -> Result<Stamp, Refusal> {
        let t = match Self::parse_stored(s) {
            Some(t) => t,
            None => DateTime::parse_from_rfc3339(s)
                .map(|t| Stamp::from_utc(t.with_timezone(&Utc)))
                .map_err(|_| Refusal::invalid(format!("`{s}` is not an RFC 3339 time")))?,
        };
        if !(1970..=9999).contains(&t.0.year()) {
            return Err(Refusal::invalid(format!(
                "`{s}` lies outside the years 1970 to 9999"
            )));
        }
        Ok(t)
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

/// The first day jobloop accepts.
pub fn epoch_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// A record's place in time: the day it is about, then the moment it was recorded (see
/// [`When::order_key`]).
pub type Moment = (NaiveDate, Stamp);

/// When something happened, as the person said it: a calendar date (`2026-11-16`, the same date
/// for a teammate in any time zone) or, for records from before jobloop kept dates, an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum When {
    Day(NaiveDate),
    At(Stamp),
}

impl When {
    /// The calendar date: the day itself, or the local date of an instant.
    pub fn date(self) -> NaiveDate {
        match self {
            When::Day(d) => d,
            When::At(s) => s.local_date(),
        }
    }

    /// The order of records in time: by date, then by the moment within it (an instant's own,
    /// or the moment a dated record was entered, so that a baseline entered before an
    /// intervention on the same day stays before it).
    pub fn order_key(self, recorded_at: Stamp) -> (NaiveDate, Stamp) {
        match self {
            When::Day(d) => (d, recorded_at),
            When::At(s) => (s.local_date(), s),
        }
    }

    pub fn to_text(self) -> String {
        match self {
            // Digit by digit, like `Stamp::to_text` (years are 1970 to 9999 here).
            When::Day(d) => {
                let mut out = String::with_capacity(10);
                push_digits(&mut out, d.year().clamp(0, 9999) as u32, 4);
                out.push('-');
                push_digits(&mut out, d.month(), 2);
                out.push('-');
                push_digits(&mut out, d.day(), 2);
                out
            }
            When::At(s) => s.to_text(),
        }
    }

    /// Reads the stored form: a date, or an RFC 3339 instant.
    pub fn parse(s: &str) -> Result<When, Refusal> {
        if s.len() == 10 {
            let d = parse_typed_day(s)
                .ok_or_else(|| Refusal::invalid(format!("`{s}` is not a date")))?;
            if d < epoch_day() || d.year() > 9999 {
                return Err(Refusal::invalid(format!(
                    "`{s}` lies outside the years 1970 to 9999"
                )));
            }
            return Ok(When::Day(d));
        }
        Stamp::parse(s).map(When::At)
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            When::Day(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            When::At(s) => write!(f, "{}", s.local_date().format("%Y-%m-%d")),
        }
    }
}

impl Serialize for When {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}

impl<'de> Deserialize<'de> for When {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<When, D::Error> {
        let s = String::deserialize(d)?;
        When::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The one form a person types a day in: `YYYY-MM-DD`, exactly ten characters (no spaces
/// around it, two-digit month and day). Every typed date — `--at`, `--since`, a CSV `date`
/// cell, a TUI date field — goes through here, so `2026-11-2` or ` 2026-11-02` is refused the
/// same way everywhere instead of being read differently by each parser.
pub fn parse_typed_day(input: &str) -> Option<NaiveDate> {
    let b = input.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let n = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    NaiveDate::from_ymd_opt(n(0, 4)? as i32, n(5, 7)?, n(8, 10)?)
}

/// Parses what a person types for "when": `YYYY-MM-DD` (a calendar date in their time zone),
/// and nothing else (see `parse_typed_day`). Only dates from 1970-01-01 to today are accepted:
/// a measurement cannot come from tomorrow, and nothing jobloop tracks predates 1970.
pub fn parse_when(input: &str, now: Stamp) -> Result<When, Refusal> {
    let today = now.local_date();
    let range = || {
        format!(
            "dates lie between 1970-01-01 and today ({})",
            today.format("%Y-%m-%d")
        )
    };
    let Some(date) = parse_typed_day(input) else {
        return Err(Refusal::invalid(format!(
            "`{}` is not a date: write YYYY-MM-DD (four-digit year, two-digit month and day, nothing around it), e.g. {}; {}",
            input,
            today.format("%Y-%m-%d"),
            range()
        )));
    };
    if date > today {
        return Err(Refusal::invalid(format!(
            "{input} is in the future: {}",
            range()
        )));
    }
    if date < epoch_day() {
        return Err(Refusal::invalid(format!(
            "{input} is before 1970: {}",
            range()
        )));
    }
    Ok(When::Day(date))
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

    /// Reads `2026-W47`: a four-digit year from 1970 and a week that exists in it.
    pub fn parse(input: &str) -> Result<Week, Refusal> {
        let bad = || {
            Refusal::invalid(format!(
                "`{}` is not an ISO week: write YYYY-Www, e.g. 2026-W47 (years 1970 to 9999)",
                input
            ))
        };
        let (y, w) = input.split_once("-W").ok_or_else(bad)?;
        if y.len() != 4 || w.len() != 2 || !y.bytes().chain(w.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let week: u32 = w.parse().map_err(|_| bad())?;
        if year < 1970 {
            return Err(bad());
        }
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
        let early = Stamp::parse("1970-01-02T03:04:05.006Z").unwrap();
        assert_eq!(early.to_text(), "1970-01-02T03:04:05.006Z");
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
    fn dates_parse_and_are_kept_in_range() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        assert_eq!(parse_when("2026-11-01", now()).unwrap(), When::Day(d));
        assert!(parse_when("1970-01-01", now()).is_ok());
        for (bad, says) in [
            ("2027-01-01", "in the future"),
            ("2026-13-01", "YYYY-MM-DD"),
            ("yesterday", "YYYY-MM-DD"),
            ("1969-12-31", "before 1970"),
            ("-0001-01-01", "YYYY-MM-DD"),
            ("0000-01-01", "before 1970"),
            ("99999-01-01", "YYYY-MM-DD"),
            // One form only: everything a lenient parser would guess at is refused.
            ("2026-11-2", "YYYY-MM-DD"),
            ("2026-1-02", "YYYY-MM-DD"),
            (" 2026-11-02", "YYYY-MM-DD"),
            ("2026-11-02 ", "YYYY-MM-DD"),
            ("2026-11-02\n", "YYYY-MM-DD"),
            ("2026/11/02", "YYYY-MM-DD"),
            ("+2026-11-02", "YYYY-MM-DD"),
            ("2026-11-+2", "YYYY-MM-DD"),
            ("２026-11-02", "YYYY-MM-DD"),
            ("2026-11-01T08:00:00+01:00", "YYYY-MM-DD"),
            ("1960-01-01T00:00:00Z", "YYYY-MM-DD"),
        ] {
            let err = parse_when(bad, now()).unwrap_err().to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
        assert!(
            parse_when("1969-12-31", now())
                .unwrap_err()
                .to_string()
                .contains("between 1970-01-01 and today")
        );
    }

    #[test]
    fn stored_dates_and_instants_read_back() {
        for text in ["2026-11-16", "2026-11-16T09:30:00.000Z"] {
            assert_eq!(When::parse(text).unwrap().to_text(), text);
        }
        assert!(When::parse("1969-12-31").is_err());
        assert!(When::parse("0987-01-02T03:04:05.006Z").is_err());
        assert!(Stamp::parse("-0001-01-01T00:00:00Z").is_err());
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
        assert!(Week::parse("-001-W01").is_err());
        assert!(Week::parse("1969-W01").is_err());
        assert!(Week::parse("2026-W7").is_err());
        // Week 1 of 2027 starts in 2027; 2026-12-31 is still in 2026-W53.
        let d = NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(Week::of(d).to_string(), "2026-W53");
        assert_eq!(
            Week::parse("2027-W01").unwrap().previous().to_string(),
            "2026-W53"
        );
    }
}
