//! Kill rules: a kill signal may carry a rule that the data can check, so it trips by itself
//! (checked on every write to its loop and by `jobloop check`).

use chrono::NaiveDate;
use std::fmt;

use super::error::Refusal;
use super::model::Better;
use super::stats::mean;
use super::time::Stamp;
use crate::display::num;

#[derive(Clone, Debug, PartialEq)]
pub enum KillRule {
    /// The last `n` live values are all worse than the baseline mean by more than `pct` percent.
    WorseThanBaseline { pct: f64, n: usize },
    /// The latest live value is below `x`.
    Below(f64),
    /// The latest live value is above `x`.
    Above(f64),
    /// No live value for `days` days.
    Stale { days: i64 },
    /// On or after `date`, the live mean is not better than the baseline mean by `pct` percent.
    By { date: NaiveDate, pct: f64 },
}

pub const GRAMMAR: &str = "a rule is one of: `worse-than-baseline P% for N`, `below X`, `above X`, `stale N days`, `by YYYY-MM-DD improved P%` (e.g. \"worse-than-baseline 10% for 3\")";

fn number(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

fn percent(s: &str) -> Option<f64> {
    s.strip_suffix('%').and_then(number).filter(|p| *p >= 0.0)
}

impl KillRule {
    pub fn parse(input: &str) -> Result<KillRule, Refusal> {
        let words: Vec<&str> = input.split_whitespace().collect();
        let rule = match words.as_slice() {
            ["worse-than-baseline", p, "for", n] => percent(p)
                .zip(n.parse::<usize>().ok().filter(|n| (1..=1000).contains(n)))
                .map(|(pct, n)| KillRule::WorseThanBaseline { pct, n }),
            ["below", x] => number(x).map(KillRule::Below),
            ["above", x] => number(x).map(KillRule::Above),
            ["stale", n, "days" | "day"] => n
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .map(|days| KillRule::Stale { days }),
            ["by", d, "improved", p] => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .ok()
                .zip(percent(p))
                .map(|(date, pct)| KillRule::By { date, pct }),
            _ => None,
        };
        rule.ok_or_else(|| Refusal::invalid(format!("`{input}` is not a kill rule: {GRAMMAR}")))
    }

    /// Checks the rule against a loop's values (time order). `Some(reason)` when it fires; the
    /// reason says which values broke it.
    pub fn check(
        &self,
        better: Better,
        baseline: &[f64],
        live: &[(Stamp, f64)],
        since: Stamp,
        now: Stamp,
    ) -> Option<String> {
        let worse_by = |v: f64, b: f64| match better {
            Better::Lower => v - b,
            Better::Higher => b - v,
        };
        match *self {
            KillRule::WorseThanBaseline { pct, n } => {
                let b = mean(baseline)?;
                if live.len() < n {
                    return None;
                }
                let last: Vec<f64> = live[live.len() - n..].iter().map(|p| p.1).collect();
                let limit = b.abs() * pct / 100.0;
                last.iter().all(|v| worse_by(*v, b) > limit).then(|| {
                    let shown: Vec<String> = last.iter().map(|v| num(*v)).collect();
                    format!(
                        "rule: the last {n} values ({}) are all more than {}% worse than the baseline mean {}",
                        shown.join(", "),
                        num(pct),
                        num(b)
                    )
                })
            }
            KillRule::Below(x) => {
                let (_, v) = live.last()?;
                (*v < x).then(|| format!("rule: the latest value {} is below {}", num(*v), num(x)))
            }
            KillRule::Above(x) => {
                let (_, v) = live.last()?;
                (*v > x).then(|| format!("rule: the latest value {} is above {}", num(*v), num(x)))
            }
            KillRule::Stale { days } => {
                let last = live.last().map_or(since, |(at, _)| *at);
                let idle = (now.0 - last.0).num_days();
                (idle >= days).then(|| match live.last() {
                    Some((at, _)) => format!(
                        "rule: no live value for {idle} days (the last was on {})",
                        at.local_date()
                    ),
                    None => {
                        format!("rule: no live value in the {idle} days since the metric was set")
                    }
                })
            }
            KillRule::By { date, pct } => {
                if now.local_date() < date {
                    return None;
                }
                let (Some(b), Some(l)) = (
                    mean(baseline),
                    mean(&live.iter().map(|p| p.1).collect::<Vec<_>>()),
                ) else {
                    return Some(format!(
                        "rule: by {date} there is no baseline and live data to show a {}% improvement",
                        num(pct)
                    ));
                };
                let gained = if b == 0.0 {
                    if worse_by(l, b) < 0.0 {
                        f64::INFINITY
                    } else {
                        0.0
                    }
                } else {
                    -worse_by(l, b) / b.abs() * 100.0
                };
                (gained < pct).then(|| {
                    format!(
                        "rule: by {date} the live mean {} is {}% better than the baseline mean {}, not the {}% required",
                        num(l),
                        num(gained.max(-1e9)),
                        num(b),
                        num(pct)
                    )
                })
            }
        }
    }
}

impl fmt::Display for KillRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KillRule::WorseThanBaseline { pct, n } => {
                write!(f, "worse-than-baseline {}% for {n}", num(*pct))
            }
            KillRule::Below(x) => write!(f, "below {}", num(*x)),
            KillRule::Above(x) => write!(f, "above {}", num(*x)),
            KillRule::Stale { days } => write!(f, "stale {days} days"),
            KillRule::By { date, pct } => write!(f, "by {date} improved {}%", num(*pct)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> Stamp {
        Stamp::parse(&format!("2026-10-{day:02}T12:00:00Z")).unwrap()
    }

    fn live(vs: &[f64]) -> Vec<(Stamp, f64)> {
        vs.iter()
            .enumerate()
            .map(|(i, v)| (at(i as u32 + 10), *v))
            .collect()
    }

    #[test]
    fn rules_parse_and_print_back() {
        for text in [
            "worse-than-baseline 10% for 3",
            "below 4.5",
            "above -2",
            "stale 14 days",
            "by 2026-12-31 improved 20%",
        ] {
            assert_eq!(KillRule::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn malformed_rules_are_refused_with_the_grammar() {
        for bad in [
            "",
            "worse-than-baseline 10 for 3",
            "worse-than-baseline 10% for 0",
            "below",
            "below x",
            "stale 0 days",
            "by 2026-13-01 improved 5%",
            "by 2026-12-01 improved -5%",
            "sometimes",
        ] {
            let err = KillRule::parse(bad).unwrap_err().message;
            assert!(err.contains("worse-than-baseline P% for N"), "{bad}: {err}");
        }
    }

    #[test]
    fn worse_than_baseline_fires_only_when_all_last_n_are_worse() {
        let r = KillRule::parse("worse-than-baseline 10% for 3").unwrap();
        let base = [10.0, 10.0];
        let now = at(20);
        // Lower is better: 11.5 is 15% worse.
        let fired = r.check(
            Better::Lower,
            &base,
            &live(&[9.0, 11.5, 11.2, 11.8]),
            at(1),
            now,
        );
        assert!(fired.unwrap().contains("11.5, 11.2, 11.8"));
        assert!(
            r.check(Better::Lower, &base, &live(&[11.5, 10.5, 11.8]), at(1), now)
                .is_none()
        );
        assert!(
            r.check(Better::Lower, &base, &live(&[11.5, 11.8]), at(1), now)
                .is_none()
        );
        // Higher is better: the same values are improvements.
        assert!(
            r.check(
                Better::Higher,
                &base,
                &live(&[11.5, 11.2, 11.8]),
                at(1),
                now
            )
            .is_none()
        );
        assert!(
            r.check(Better::Higher, &base, &live(&[8.5, 8.0, 7.0]), at(1), now)
                .is_some()
        );
        assert!(
            r.check(Better::Lower, &[], &live(&[20.0, 20.0, 20.0]), at(1), now)
                .is_none()
        );
    }

    #[test]
    fn below_and_above_read_the_latest_value() {
        let below = KillRule::Below(5.0);
        let now = at(20);
        assert!(
            below
                .check(Better::Higher, &[], &live(&[6.0, 4.0]), at(1), now)
                .is_some()
        );
        assert!(
            below
                .check(Better::Higher, &[], &live(&[4.0, 6.0]), at(1), now)
                .is_none()
        );
        assert!(below.check(Better::Higher, &[], &[], at(1), now).is_none());
        let above = KillRule::Above(5.0);
        assert!(
            above
                .check(Better::Lower, &[], &live(&[4.0, 6.0]), at(1), now)
                .is_some()
        );
        assert!(
            above
                .check(Better::Lower, &[], &live(&[6.0, 5.0]), at(1), now)
                .is_none()
        );
    }

    #[test]
    fn stale_counts_days_since_the_last_value_or_the_metric() {
        let r = KillRule::Stale { days: 7 };
        assert!(
            r.check(Better::Lower, &[], &live(&[1.0]), at(1), at(16))
                .is_none()
        );
        assert!(
            r.check(Better::Lower, &[], &live(&[1.0]), at(1), at(17))
                .unwrap()
                .contains("7 days")
        );
        assert!(r.check(Better::Lower, &[], &[], at(1), at(9)).is_some());
        assert!(r.check(Better::Lower, &[], &[], at(5), at(9)).is_none());
    }

    #[test]
    fn a_dated_criterion_fires_on_or_after_its_date_without_the_improvement() {
        let r = KillRule::parse("by 2026-10-20 improved 20%").unwrap();
        let base = [10.0, 10.0];
        // Lower is better: 8.5 is a 15% improvement, short of 20%.
        let weak = live(&[8.5, 8.5]);
        assert!(
            r.check(Better::Lower, &base, &weak, at(1), at(19))
                .is_none(),
            "before the date"
        );
        assert!(
            r.check(Better::Lower, &base, &weak, at(1), at(20))
                .unwrap()
                .contains("15%")
        );
        assert!(
            r.check(Better::Lower, &base, &live(&[7.5, 7.9]), at(1), at(25))
                .is_none()
        );
        assert!(
            r.check(Better::Higher, &base, &live(&[12.5, 12.1]), at(1), at(25))
                .is_none()
        );
        assert!(
            r.check(Better::Lower, &base, &[], at(1), at(25))
                .unwrap()
                .contains("no baseline and live data")
        );
    }
}
