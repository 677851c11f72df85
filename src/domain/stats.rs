//! Honest numbers for small samples. Leads enter 2–30 weekly values by hand, so every comparison
//! says how sure it is and when the data cannot tell yet:
//!
//! - the difference of means is computed exactly on the typed decimals (`num`), so identical
//!   values differ by exactly 0 and never get a verdict;
//! - an exact permutation test (`exact_p`) that assumes nothing about the shape of the data, and
//!   the smallest p-value the sample sizes allow at all (`min_p`);
//! - Welch's 95% interval for the size of the change, with each spread floored by the resolution
//!   the values were typed with, so it is never zero-wide;
//! - a verdict only when both agree; the smallest detectable change at these counts (`mde`) and
//!   how many live values a target change needs (`live_needed`);
//! - caveats a statistician would raise (trend, no variation, autocorrelation, normal model);
//! - natural process limits (an XmR chart) of the baseline, computed exactly.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{Signed, Zero};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use super::model::{Better, splitmix};
use super::num::{decimal, decimal_of, exact_mean, rational, to_f64};

mod caveat;
mod compare;
mod exact;
mod power;
mod process;
pub mod sequential;
mod serial;

pub use caveat::*;
pub use compare::*;
pub use exact::*;
pub use power::*;
pub use process::*;
pub use sequential::{DEFAULT_HORIZON, HORIZON_CAP, HorizonFrom, Sequential};
pub use serial::*;

/// The level at which a change counts as shown.
pub const ALPHA: f64 = 0.05;
/// Arrangements enumerated exactly; above this the exact test is estimated by resampling.
pub const EXACT_LIMIT: f64 = 200_000.0;
/// Resamples of the Monte Carlo estimate, drawn from a fixed seed so the answer is repeatable.
pub const RESAMPLES: usize = 20_000;
const RESAMPLE_SEED: u64 = 0x6a6f_626c_6f6f_7031;
/// The power `mde` and `live_needed` are computed for.
pub const POWER: f64 = 0.80;
/// The largest count the "how many more values" searches consider.
const SEARCH_CAP: usize = 100_000;

/// A decimal `m × 10^e`, exactly as typed (or, when the text is not known, the shortest decimal
/// that reads back as the value kept).
pub type Dec = (BigInt, i32);

/// One side of a comparison as the decision code reads it: the values kept, for spreads and
/// intervals, and the decimals they were typed as, for everything computed exactly.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Values<'a> {
    pub(crate) x: &'a [f64],
    pub(crate) dec: &'a [Dec],
}

impl<'a> Values<'a> {
    pub(crate) fn len(&self) -> usize {
        self.x.len()
    }
    /// The first `k` values.
    pub(crate) fn prefix(&self, k: usize) -> Values<'a> {
        Values {
            x: &self.x[..k],
            dec: &self.dec[..k],
        }
    }
    pub(crate) fn exact(&self) -> Vec<BigRational> {
        self.dec.iter().map(rational).collect()
    }
}

/// The resolution that floors a spread: the finest among the decimals of every value compared
/// (`num::resolution`), 1 when there are none.
pub(crate) fn finest(decs: &[&[Dec]]) -> f64 {
    decs.iter()
        .flat_map(|d| d.iter())
        .map(|(_, e)| *e)
        .min()
        .map_or(1.0, |e| if e >= 0 { 1.0 } else { 10f64.powi(e) })
}

pub fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// The sample standard deviation (n − 1 in the denominator), computed on the values scaled by
/// their largest magnitude so that squares neither overflow nor underflow; `None` below two
/// values.
pub fn sd(xs: &[f64]) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    let scale = xs.iter().fold(0.0_f64, |a, x| a.max(x.abs()));
    if scale == 0.0 {
        return Some(0.0);
    }
    let ys: Vec<f64> = xs.iter().map(|x| x / scale).collect();
    let m = mean(&ys)?;
    let var = ys.iter().map(|y| (y - m).powi(2)).sum::<f64>() / (ys.len() - 1) as f64;
    Some(var.sqrt() * scale)
}

/// Student's t quantile: the t with P(T ≤ t) = p for `df` degrees of freedom (df may be
/// fractional, as in Welch's test). From 1,000 degrees of freedom on, the Cornish–Fisher
/// expansion around the normal quantile (three terms: error below 1e-11 there): statrs' inverse
/// loses precision from about 50,000 and fails outright near 110,000.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if df >= 1000.0 {
        let z = z_quantile(p);
        let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
        return z
            + (z3 + z) / (4.0 * df)
            + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df * df)
            + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3));
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(t) => t.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

/// The standard normal quantile.
pub fn z_quantile(p: f64) -> f64 {
    Normal::new(0.0, 1.0).map_or(f64::NAN, |n| n.inverse_cdf(p))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Improved,
    Worse,
    Inconclusive,
    NotEnoughData,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Improved => "improved",
            Verdict::Worse => "worse",
            Verdict::Inconclusive => "inconclusive",
            Verdict::NotEnoughData => "not-enough-data",
        }
    }
}

/// How `exact_p` was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PMethod {
    /// Every arrangement of the values into the two groups was counted.
    Exact,
    /// Too many arrangements to count: `RESAMPLES` random ones from a fixed seed.
    MonteCarlo,
}

/// What a statistician would point out before trusting the comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Caveat {
    /// The baseline drifts: its Theil–Sen slope per week has a 95% interval that excludes 0.
    BaselineTrend {
        slope_per_week: f64,
        low: f64,
        high: f64,
    },
    /// Every baseline value is the same: its spread is only the typing resolution.
    BaselineConstant,
    /// Consecutive values move together: the lag-1 autocorrelation within the phases,
    /// bias-corrected (`serial`), is above 0, and the verdict allows for it: its interval is
    /// `widened` times as wide as Welch's 95% interval shown, which assumes independent values.
    Autocorrelated { lag1: f64, widened: f64 },
    /// Too few values to exclude that consecutive values move together (a lag-1 correlation of
    /// 0.5 lies within their 95% bound): the interval and the verdict allow only for the
    /// correlation they show.
    IndependenceUntested,
    /// The interval alone would call a change that the exact test cannot confirm.
    NormalModel,
    /// The difference of the means lies beyond the largest number a value can hold (about
    /// 1.8e308): no difference, interval, test or verdict is computed (`delta` is null).
    OutOfRange,
    /// No intervention is recorded, so no plan was locked before these live values came in:
    /// the figures are shown, the verdict is withheld (`inconclusive`).
    NoPlan,
    /// No plan is in force because its intervention was voided after plan `version` had
    /// reached `verdict`: voiding a change takes back no verdict its looks reached, so every
    /// view still shows it.
    VoidedPlanVerdict { version: u32, verdict: Verdict },
    /// `plans` earlier plans of the metric already compared `looks` live values with its
    /// baseline: each plan spends its own 5%, so restarts raise the chance of a verdict under
    /// no change above 5% overall.
    EarlierLooks { plans: usize, looks: usize },
    /// A locked verdict still counts `n` live values voided after the lock: a look cannot be
    /// taken back. The result without them is the amended one, shown beside.
    CountsVoided { n: usize },
    /// `n` live values were recorded after values dated later: the locked plan's looks take
    /// values in the order they were recorded, so they were later looks, never a rewrite of
    /// the looks already made.
    RecordedLate { n: usize },
    /// `n` live values share a week with another: the rule counts each value as one weekly
    /// look, and values of one week are not independent weeks.
    SharedWeeks { n: usize },
    /// Plan `version`, earlier (voided or not), reached "worse": a later plan's verdict does not
    /// take it out of sight.
    EarlierPlanWorse { version: u32 },
    /// Plan `version`, earlier (voided or not), saw guardrail `guardrail` get worse beyond its
    /// limit: a later plan, which may never measure it, does not take the breach out of sight.
    EarlierPlanBreach { version: u32, guardrail: String },
    /// `n` baseline values in force were recorded after live values of an earlier attempt on
    /// the loop (this metric's earlier plans, or a metric it replaced) had been recorded: a
    /// baseline typed after seeing how a change went can be chosen to flatter the next one.
    BaselineAfterLooks { n: usize },
    /// Guardrail `guardrail`, locked by the plan in force, has no live value under it: what
    /// the change costs there is unknown.
    GuardrailUnmeasured { guardrail: String },
    /// The change is below a billionth of the values themselves: what a computer's rounding
    /// leaves in a computed number (`0.30000000000000004`), not a change anyone measured.
    BelowRounding,
}

/// A change the lead wants to be able to see: a percentage of the baseline mean, or an absolute
/// change in the metric's unit. Its sign is the direction of improvement. Written as typed:
/// `-20%` or `-1.5`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Target {
    pub change: f64,
    pub percent: bool,
}

impl Target {
    pub fn parse(input: &str) -> Result<Target, super::Refusal> {
        let text = input.trim();
        let (number, percent) = match text.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (text, false),
        };
        let change = super::num::parse(number).map_err(|_| {
            super::Refusal::invalid(format!(
                "`{}` is not a target change: write a percentage like -20% or a change in the metric's unit like -1.5",
                input
            ))
        })?;
        if change == 0.0 {
            return Err(super::Refusal::invalid(
                "a target change of zero cannot be detected: give the change you want to see, like -20%",
            ));
        }
        Ok(Target { change, percent })
    }

    pub fn to_text(self) -> String {
        let n = super::num::show(self.change);
        let n = if self.change > 0.0 {
            format!("+{n}")
        } else {
            n
        };
        if self.percent { format!("{n}%") } else { n }
    }
}

impl Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Target, D::Error> {
        let s = String::deserialize(d)?;
        Target::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// How much worse a guardrail may get: a percentage of its baseline mean, or an amount in its
/// unit. Written as typed, without a sign: `10%` or `0.5`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit {
    pub amount: f64,
    pub percent: bool,
}

impl Limit {
    pub fn parse(input: &str) -> Result<Limit, super::Refusal> {
        let text = input.trim();
        let (number, percent) = match text.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (text, false),
        };
        let amount = super::num::parse(number)
            .ok()
            .filter(|a| *a >= 0.0 && !number.starts_with(['+', '-']))
            .ok_or_else(|| {
                super::Refusal::invalid(format!(
                    "`{input}` is not a limit: write how much worse it may get, without a sign, as a percentage like 10% or an amount in its unit like 0.5"
                ))
            })?;
        let amount = if amount == 0.0 { 0.0 } else { amount };
        Ok(Limit { amount, percent })
    }

    pub fn to_text(self) -> String {
        let n = super::num::show(self.amount);
        if self.percent { format!("{n}%") } else { n }
    }
}

impl Serialize for Limit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_text())
    }
}

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Limit, D::Error> {
        let s = String::deserialize(d)?;
        Limit::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
