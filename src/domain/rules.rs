//! Kill rules: a kill signal may carry a rule that the data can check, so it trips by itself
//! (checked on every write to its loop and by `check`). Comparisons are exact on the typed
//! decimals: `0.3 → 0.33` is exactly 10% worse and does not fire "worse than baseline by more
//! than 10%". Rules read the same live values as the comparison: those since the latest
//! intervention.

use chrono::NaiveDate;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::error::Refusal;
use super::model::Better;
use super::num::{estimate, exact, parse as parse_number, show, to_f64};
use super::time::Stamp;

#[derive(Clone, Debug, PartialEq)]
pub enum KillRule {
    /// The last `n` live values are all worse than the baseline mean by more than `pct` percent.
    WorseThanBaseline { pct: f64, n: usize },
    /// The latest live value is below `x`.
    Below(f64),
    /// The latest live value is above `x`.
    Above(f64),
    /// No live value for `days` calendar days.
    Stale { days: i64 },
    /// On or after `date`, the live mean is not better than the baseline mean by `pct` percent.
    By { date: NaiveDate, pct: f64 },
}

pub const GRAMMAR: &str = "a rule is one of: `worse-than-baseline P% for N`, `below X`, `above X`, `stale N days`, `by YYYY-MM-DD improved P%` (e.g. \"worse-than-baseline 10% for 3\")";

/// The largest N of `worse-than-baseline P% for N`.
pub const MAX_RUN: usize = 1000;

fn number(s: &str) -> Option<f64> {
    parse_number(s).ok()
}

fn percent(s: &str) -> Option<f64> {
    s.strip_suffix('%').and_then(number).filter(|p| *p >= 0.0)
}

impl KillRule {
    pub fn parse(input: &str) -> Result<KillRule, Refusal> {
        Self::read(input).map_err(|why| {
            Refusal::invalid(format!("`{}` is not a kill rule: {why}", input)).advice(GRAMMAR)
        })
    }

    /// The rule, or what is wrong with it (a known shape with a bad part says which part).
    fn read(input: &str) -> Result<KillRule, String> {
        let words: Vec<&str> = input.split_whitespace().collect();
        let pct = |p: &str| percent(p).ok_or_else(|| format!("`{p}` is not a percentage like 10%"));
        match words.as_slice() {
            ["worse-than-baseline", p, "for", n] => {
                let pct = pct(p)?;
                let n = n
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_RUN).contains(n))
                    .ok_or_else(|| format!("N (`{n}`) is a whole number from 1 to {MAX_RUN}"))?;
                Ok(KillRule::WorseThanBaseline { pct, n })
            }
            ["below", x] => number(x)
                .map(KillRule::Below)
                .ok_or_else(|| format!("`{x}` is not a number")),
            ["above", x] => number(x)
                .map(KillRule::Above)
                .ok_or_else(|| format!("`{x}` is not a number")),
            ["stale", n, "days" | "day"] => n
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .map(|days| KillRule::Stale { days })
                .ok_or_else(|| format!("the days (`{n}`) are a whole number from 1 to 3650")),
            ["by", d, "improved", p] => {
                let date = super::time::parse_typed_day(d)
                    .filter(|x| {
                        *x >= super::time::epoch_day() && x.format("%Y").to_string().len() == 4
                    })
                    .ok_or_else(|| {
                        format!("`{d}` is not a date from 1970-01-01 to 9999-12-31 (YYYY-MM-DD)")
                    })?;
                Ok(KillRule::By { date, pct: pct(p)? })
            }
            _ => Err("it has none of the known shapes".into()),
        }
    }

    /// How many of the latest live values this rule reads (for the stored rule inputs).
    pub fn tail(&self) -> usize {
        match self {
            KillRule::WorseThanBaseline { n, .. } => *n,
            KillRule::Below(_) | KillRule::Above(_) => 1,
            _ => 0,
        }
    }
}

impl fmt::Display for KillRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KillRule::WorseThanBaseline { pct, n } => {
                write!(f, "worse-than-baseline {}% for {n}", show(*pct))
            }
            KillRule::Below(x) => write!(f, "below {}", show(*x)),
            KillRule::Above(x) => write!(f, "above {}", show(*x)),
            KillRule::Stale { days } => write!(f, "stale {days} days"),
            KillRule::By { date, pct } => write!(f, "by {date} improved {}%", show(*pct)),
        }
    }
}

/// What a rule reads of its loop, kept with the loop's state so `check` needs no history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleInputs {
    pub better: Better,
    pub baseline_n: usize,
    /// The exact sum of the baseline values, as a fraction.
    #[serde(with = "ratio_text")]
    pub baseline_sum: BigRational,
    /// Every baseline value is positive, so percentages of it mean something.
    pub baseline_positive: bool,
    /// Live values since the latest intervention.
    pub live_n: usize,
    #[serde(with = "ratio_text")]
    pub live_sum: BigRational,
    /// The latest of those live values, oldest first, as many as the loop's rules read.
    pub live_tail: Vec<f64>,
    /// The date of the latest live value (any), for `stale`.
    pub last_live: Option<NaiveDate>,
    /// When the metric was set, for `stale` before any live value.
    pub metric_set: Stamp,
    /// When the latest live value since the intervention was recorded: a rule re-armed by a
    /// decision to continue fires again only on evidence newer than that decision.
    #[serde(default)]
    pub latest_recorded: Option<Stamp>,
}

/// Exact fractions as `numerator/denominator` text.
mod ratio_text {
    use num_rational::BigRational;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(r: &BigRational, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&r.to_string())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BigRational, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl RuleInputs {
    /// Inputs from a loop's values: baseline values, live values since the latest
    /// intervention, and the date of the latest live value of all. `tail` is how many of the
    /// latest live values the rules read.
    pub fn new(
        better: Better,
        baseline: &[f64],
        live_since: &[f64],
        last_live: Option<NaiveDate>,
        metric_set: Stamp,
        tail: usize,
        latest_recorded: Option<Stamp>,
    ) -> RuleInputs {
        let sum = |xs: &[f64]| xs.iter().fold(BigRational::zero(), |a, v| a + exact(*v));
        RuleInputs {
            better,
            baseline_n: baseline.len(),
            baseline_sum: sum(baseline),
            baseline_positive: !baseline.is_empty() && baseline.iter().all(|v| *v > 0.0),
            live_n: live_since.len(),
            live_sum: sum(live_since),
            live_tail: live_since[live_since.len().saturating_sub(tail)..].to_vec(),
            last_live,
            metric_set,
            latest_recorded,
        }
    }

    fn baseline_mean(&self) -> Option<BigRational> {
        (self.baseline_n > 0).then(|| &self.baseline_sum / n(self.baseline_n))
    }

    fn live_mean(&self) -> Option<BigRational> {
        (self.live_n > 0).then(|| &self.live_sum / n(self.live_n))
    }
}

fn n(k: usize) -> BigRational {
    BigRational::from_integer(BigInt::from(k))
}

/// A rule's verdict on its loop now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "result", content = "why", rename_all = "kebab-case")]
pub enum RuleCheck {
    /// The data breaks the rule: the signal trips, with this reason.
    Fires(String),
    /// The data holds.
    Holds(String),
    /// The data cannot tell (no values yet, percentages of a baseline that is not positive).
    CannotJudge(String),
}

impl RuleCheck {
    pub fn fires(&self) -> Option<&str> {
        match self {
            RuleCheck::Fires(why) => Some(why),
            _ => None,
        }
    }
}

impl KillRule {
    /// Checks the rule of a signal against its inputs on `today`. `continued_at` is when the
    /// lead decided to continue after this rule last tripped the signal: the rule keeps
    /// watching, but only evidence newer than that decision can trip it again (a new live
    /// value; for `stale`, the days counted again from the decision).
    pub fn check_since(
        &self,
        i: &RuleInputs,
        today: NaiveDate,
        continued_at: Option<Stamp>,
    ) -> RuleCheck {
        let Some(decided) = continued_at else {
            return self.check(i, today);
        };
        if let KillRule::Stale { days } = *self {
            let from = decided.local_date();
            if i.last_live.is_none_or(|d| d < from) {
                let idle = (today - from).num_days();
                return if idle >= days {
                    RuleCheck::Fires(format!(
                        "rule: no live value for {idle} days since the decision to continue on {from}"
                    ))
                } else {
                    RuleCheck::Holds(format!(
                        "{idle} of {days} days without a live value since the decision to continue on {from}"
                    ))
                };
            }
            return self.check(i, today);
        }
        if i.latest_recorded.is_none_or(|r| r <= decided) {
            return RuleCheck::Holds(format!(
                "watching again since the decision to continue on {}: no new live value yet",
                decided.local_date()
            ));
        }
        self.check(i, today)
    }

    /// Checks the rule against its inputs on `today` (the reader's calendar date).
    pub fn check(&self, i: &RuleInputs, today: NaiveDate) -> RuleCheck {
        match *self {
            KillRule::WorseThanBaseline { pct: p, n: count } => worse_than_baseline(i, p, count),
            KillRule::Below(x) | KillRule::Above(x) => beyond_bound(self, i, x),
            KillRule::Stale { days } => stale(i, today, days),
            KillRule::By { date, pct: p } => improved_by(i, today, date, p),
        }
    }
}

/// How much worse `v` is than `b` in the metric's direction.
fn worse_by(i: &RuleInputs, v: &BigRational, b: &BigRational) -> BigRational {
    match i.better {
        Better::Lower => v - b,
        Better::Higher => b - v,
    }
}

/// `p` percent as an exact fraction.
fn pct(p: f64) -> BigRational {
    exact(p) / n(100)
}

/// `worse-than-baseline P% for N`: are the last N live values all worse than the baseline mean
/// by more than P%?
fn worse_than_baseline(i: &RuleInputs, p: f64, count: usize) -> RuleCheck {
    let Some(b) = i.baseline_mean() else {
        return RuleCheck::CannotJudge("no baseline yet".into());
    };
    if !i.baseline_positive {
        return RuleCheck::CannotJudge(
            "a percentage of the baseline needs positive baseline values; use `below X` or `above X`".into(),
        );
    }
    if i.live_tail.len() < count || i.live_n < count {
        return RuleCheck::Holds(format!(
            "{} of {count} live values since the latest intervention so far",
            i.live_n.min(count)
        ));
    }
    let limit = &b * pct(p);
    let last = &i.live_tail[i.live_tail.len() - count..];
    let shown: Vec<String> = last.iter().map(|v| show(*v)).collect();
    if last.iter().all(|v| worse_by(i, &exact(*v), &b) > limit) {
        RuleCheck::Fires(format!(
            "rule: the last {count} values ({}) are all more than {}% worse than the baseline mean {}",
            shown.join(", "),
            show(p),
            estimate(to_f64(&b), 6)
        ))
    } else {
        RuleCheck::Holds(format!(
            "the last {count} values ({}) are not all more than {}% worse than the baseline mean {}",
            shown.join(", "),
            show(p),
            estimate(to_f64(&b), 6)
        ))
    }
}

/// `below X` / `above X` (`rule` says which): is the latest live value past `x`?
fn beyond_bound(rule: &KillRule, i: &RuleInputs, x: f64) -> RuleCheck {
    let Some(v) = i.live_tail.last() else {
        return RuleCheck::CannotJudge("no live value yet".into());
    };
    let (ev, ex) = (exact(*v), exact(x));
    let (broken, word) = match rule {
        KillRule::Below(_) => (ev < ex, "below"),
        _ => (ev > ex, "above"),
    };
    if broken {
        RuleCheck::Fires(format!(
            "rule: the latest value {} is {word} {}",
            show(*v),
            show(x)
        ))
    } else {
        RuleCheck::Holds(format!(
            "the latest value {} is not {word} {}",
            show(*v),
            show(x)
        ))
    }
}

/// `stale N days`: has there been no live value for N days (or since the metric was set)?
fn stale(i: &RuleInputs, today: NaiveDate, days: i64) -> RuleCheck {
    let since = i.last_live.unwrap_or_else(|| i.metric_set.local_date());
    let idle = (today - since).num_days();
    let last = match i.last_live {
        Some(d) => format!("the last was on {d}"),
        None => format!("none since the metric was set on {since}"),
    };
    if idle >= days {
        RuleCheck::Fires(format!("rule: no live value for {idle} days ({last})"))
    } else {
        RuleCheck::Holds(format!(
            "{idle} of {days} days without a live value ({last})"
        ))
    }
}

/// `by DATE improved P%`: from `date` on, is the live mean at least P% better than the
/// baseline mean?
fn improved_by(i: &RuleInputs, today: NaiveDate, date: NaiveDate, p: f64) -> RuleCheck {
    if today < date {
        return RuleCheck::Holds(format!(
            "holds until {date}, when the live mean must be {}% better than the baseline mean",
            show(p)
        ));
    }
    let missing = match (i.baseline_mean(), i.live_mean()) {
        (Some(b), Some(l)) => Ok((b, l)),
        (None, None) => Err("no baseline and no live values since the latest intervention"),
        (None, Some(_)) => Err("no baseline values"),
        (Some(_), None) => Err("no live values since the latest intervention"),
    };
    let (b, l) = match missing {
        Ok(pair) => pair,
        Err(what) => {
            return RuleCheck::Fires(format!(
                "rule: by {date} there are {what} to show a {}% improvement",
                show(p)
            ));
        }
    };
    if !i.baseline_positive {
        return RuleCheck::CannotJudge(
            "a percentage of the baseline needs positive baseline values".into(),
        );
    }
    // Improvement as a share of the baseline mean, compared exactly with P%.
    let gained = -worse_by(i, &l, &b) / &b;
    let wanted = pct(p);
    let shown = estimate(to_f64(&(&gained * n(100))), 4);
    if gained < wanted {
        RuleCheck::Fires(format!(
            "rule: by {date} the live mean {} is {shown}% better than the baseline mean {}, not the {}% required",
            estimate(to_f64(&l), 6),
            estimate(to_f64(&b), 6),
            show(p)
        ))
    } else {
        RuleCheck::Holds(format!(
            "the live mean is {shown}% better than the baseline mean, at least the {}% required",
            show(p)
        ))
    }
}

/// Whether a number is negative (exactly), for tests of direction.
pub fn negative(v: f64) -> bool {
    exact(v).is_negative()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 10, d).unwrap()
    }

    fn inputs(better: Better, baseline: &[f64], live: &[f64]) -> RuleInputs {
        RuleInputs::new(
            better,
            baseline,
            live,
            (!live.is_empty()).then(|| day(10)),
            Stamp::parse("2026-10-01T12:00:00Z").unwrap(),
            10,
            None,
        )
    }

    #[test]
    fn rules_parse_and_print_back_with_the_typed_precision() {
        for text in [
            "worse-than-baseline 10% for 3",
            "below 4.5",
            "below 0.004",
            "above -2",
            "above 1e-7",
            "stale 14 days",
            "by 2026-12-31 improved 20%",
            "worse-than-baseline 12.5% for 1",
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
            "below 1e999",
            "stale 0 days",
            "by 2026-13-01 improved 5%",
            "by 2026-12-01 improved -5%",
            "by 1969-12-01 improved 5%",
            "by 2026-12-1 improved 5%",
            "by +2026-12-01 improved 5%",
            "sometimes",
        ] {
            let err = KillRule::parse(bad).unwrap_err();
            assert!(
                err.to_string().contains("worse-than-baseline P% for N"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn exactly_p_percent_worse_does_not_fire() {
        // 0.3 → 0.33 is exactly 10% worse (higher is worse here).
        let r = KillRule::parse("worse-than-baseline 10% for 1").unwrap();
        let i = inputs(Better::Lower, &[0.3], &[0.33]);
        assert!(matches!(r.check(&i, day(20)), RuleCheck::Holds(_)));
        let i = inputs(Better::Lower, &[0.3], &[0.33]);
        assert!(matches!(r.check(&i, day(20)), RuleCheck::Holds(_)));
        let i = inputs(Better::Lower, &[0.3], &[0.331]);
        assert!(r.check(&i, day(20)).fires().is_some());
        // Higher is better: 0.27 is exactly 10% worse than 0.3.
        let i = inputs(Better::Higher, &[0.3], &[0.27]);
        assert!(matches!(r.check(&i, day(20)), RuleCheck::Holds(_)));
    }

    #[test]
    fn worse_than_baseline_needs_all_last_n_worse() {
        let r = KillRule::parse("worse-than-baseline 10% for 3").unwrap();
        let fired = r.check(
            &inputs(Better::Lower, &[10.0, 10.0], &[9.0, 11.5, 11.2, 11.8]),
            day(20),
        );
        assert!(fired.fires().unwrap().contains("11.5, 11.2, 11.8"));
        assert!(
            r.check(
                &inputs(Better::Lower, &[10.0], &[11.5, 10.5, 11.8]),
                day(20)
            )
            .fires()
            .is_none()
        );
        assert!(
            r.check(&inputs(Better::Lower, &[10.0], &[11.5, 11.8]), day(20))
                .fires()
                .is_none()
        );
        assert!(
            r.check(&inputs(Better::Higher, &[10.0], &[8.5, 8.0, 7.0]), day(20))
                .fires()
                .is_some()
        );
        assert!(matches!(
            r.check(&inputs(Better::Lower, &[], &[20.0, 20.0, 20.0]), day(20)),
            RuleCheck::CannotJudge(_)
        ));
        // A baseline that is not positive has no percentages.
        assert!(matches!(
            r.check(
                &inputs(Better::Lower, &[-1.0, 2.0], &[20.0, 20.0, 20.0]),
                day(20)
            ),
            RuleCheck::CannotJudge(_)
        ));
    }

    #[test]
    fn below_and_above_compare_exactly() {
        let below = KillRule::parse("below 0.004").unwrap();
        assert!(
            below
                .check(&inputs(Better::Higher, &[], &[0.0039]), day(20))
                .fires()
                .is_some()
        );
        assert!(
            below
                .check(&inputs(Better::Higher, &[], &[0.004]), day(20))
                .fires()
                .is_none()
        );
        let above = KillRule::Above(0.3);
        assert!(
            above
                .check(&inputs(Better::Lower, &[], &[0.1 + 0.2]), day(20))
                .fires()
                .is_some()
        );
        assert!(
            above
                .check(&inputs(Better::Lower, &[], &[0.3]), day(20))
                .fires()
                .is_none()
        );
    }

    #[test]
    fn stale_counts_calendar_days() {
        let r = KillRule::Stale { days: 7 };
        let i = inputs(Better::Lower, &[], &[1.0]); // last live value on day 10
        assert!(r.check(&i, day(16)).fires().is_none());
        assert!(r.check(&i, day(17)).fires().unwrap().contains("7 days"));
        let none = inputs(Better::Lower, &[], &[]);
        assert!(
            r.check(&none, day(8)).fires().is_some(),
            "counted from the metric"
        );
        assert!(r.check(&none, day(5)).fires().is_none());
    }

    #[test]
    fn a_dated_criterion_fires_on_or_after_its_date_without_the_improvement() {
        let r = KillRule::parse("by 2026-10-20 improved 20%").unwrap();
        let weak = inputs(Better::Lower, &[10.0, 10.0], &[8.5, 8.5]); // 15% better
        assert!(r.check(&weak, day(19)).fires().is_none(), "before the date");
        assert!(r.check(&weak, day(20)).fires().unwrap().contains("15%"));
        let exactly = inputs(Better::Lower, &[10.0], &[8.0]); // exactly 20%
        assert!(r.check(&exactly, day(25)).fires().is_none());
        let strong = inputs(Better::Higher, &[10.0], &[12.5, 12.1]);
        assert!(r.check(&strong, day(25)).fires().is_none());
        // A baseline exists: what is missing is live values, and the reason says so.
        let none = inputs(Better::Lower, &[10.0], &[]);
        assert!(
            r.check(&none, day(25))
                .fires()
                .unwrap()
                .contains("there are no live values since the latest intervention")
        );
    }

    #[test]
    fn inputs_round_trip_as_json_exactly() {
        let i = inputs(Better::Higher, &[0.1, 0.2], &[0.18181818181818182]);
        let text = serde_json::to_string(&i).unwrap();
        let back: RuleInputs = serde_json::from_str(&text).unwrap();
        assert_eq!(back, i);
        assert_eq!(back.baseline_sum, exact(0.3));
    }
}

#[cfg(test)]
mod dated {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn inputs(baseline: &[f64], live: &[f64]) -> RuleInputs {
        RuleInputs::new(
            Better::Lower,
            baseline,
            live,
            (!live.is_empty()).then(|| day("2026-11-10")),
            Stamp::parse("2026-10-01T12:00:00Z").unwrap(),
            1,
            None,
        )
    }

    #[test]
    fn a_dated_rule_waits_for_its_date_then_judges_what_exists() {
        let rule = KillRule::parse("by 2026-12-01 improved 20%").unwrap();
        let with_baseline = inputs(&[10.0, 12.0], &[]);
        // Before its date it holds, and says until when.
        let before = rule.check(&with_baseline, day("2026-11-30"));
        assert!(
            matches!(&before, RuleCheck::Holds(w) if w.starts_with("holds until 2026-12-01")),
            "{before:?}"
        );
        // On its date, with a baseline but no live values, it names what is missing.
        let on = rule.check(&with_baseline, day("2026-12-01"));
        assert_eq!(
            on,
            RuleCheck::Fires(
                "rule: by 2026-12-01 there are no live values since the latest intervention to show a 20% improvement".into()
            )
        );
        let none = rule.check(&inputs(&[], &[]), day("2026-12-01"));
        assert!(
            none.fires()
                .unwrap()
                .contains("no baseline and no live values")
        );
        // After it, judged against the baseline that exists: 11 → 8.8 is exactly 20% better.
        assert!(matches!(
            rule.check(&inputs(&[10.0, 12.0], &[8.8]), day("2026-12-02")),
            RuleCheck::Holds(_)
        ));
        assert!(
            rule.check(&inputs(&[10.0, 12.0], &[8.9]), day("2026-12-02"))
                .fires()
                .unwrap()
                .contains("not the 20% required")
        );
    }
}
