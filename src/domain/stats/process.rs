//! Natural process limits (an XmR chart) of the baseline, read against the live values.

use super::*;

/// A point outside the natural process limits, or a long run on one side of the centre.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[serde(try_from = "FlatSignal<T>")]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub enum ProcessSignal<T> {
    OutsideLimits { at: T, value: f64 },
    RunOfEight { side: Side, from: T, to: T },
}

/// A signal read field by field: serde reads an internally tagged enum through a buffer of
/// its whole content, which made these a tenth of reading a large board. The JSON is the same.
#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
struct FlatSignal<T> {
    kind: SignalKind,
    at: Option<T>,
    value: Option<f64>,
    side: Option<Side>,
    from: Option<T>,
    to: Option<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum SignalKind {
    OutsideLimits,
    RunOfEight,
}

impl<T> TryFrom<FlatSignal<T>> for ProcessSignal<T> {
    type Error = &'static str;

    fn try_from(f: FlatSignal<T>) -> Result<Self, Self::Error> {
        match (f.kind, f.at, f.value, f.side, f.from, f.to) {
            (SignalKind::OutsideLimits, Some(at), Some(value), ..) => {
                Ok(ProcessSignal::OutsideLimits { at, value })
            }
            (SignalKind::RunOfEight, _, _, Some(side), Some(from), Some(to)) => {
                Ok(ProcessSignal::RunOfEight { side, from, to })
            }
            _ => Err("a process signal is missing a field"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Above,
    Below,
}

/// An XmR chart of the baseline, read against the live values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Process<T> {
    pub center: f64,
    pub lower_limit: f64,
    pub upper_limit: f64,
    /// Fewer than `SIGNALS_FROM` baseline values: the limits are a first guess, and no signal
    /// is judged against them.
    pub provisional: bool,
    pub signals: Vec<ProcessSignal<T>>,
    /// How many baseline values the limits come from (what `provisional` is judged by).
    #[serde(default)]
    pub baseline_n: usize,
    /// The chart split at each intervention, each phase with limits of its own values: the
    /// baseline phase first (the limits above), then one per intervention in time order.
    #[serde(default = "Vec::new")]
    pub phases: Vec<ProcessPhase<T>>,
}

/// One phase of the chart: the values between one intervention and the next (the baseline
/// values for the first phase), with their own limits, absent (`null`) with fewer than two
/// values or none that differ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProcessPhase<T> {
    /// The intervention that began the phase; `null` for the baseline phase.
    pub from: Option<T>,
    pub n: usize,
    pub center: Option<f64>,
    pub lower_limit: Option<f64>,
    pub upper_limit: Option<f64>,
    /// Fewer than `SIGNALS_FROM` values: its limits are a first guess.
    pub provisional: bool,
}

/// How many points in a row on one side of the centre make a signal.
pub const RUN_LENGTH: usize = 8;
/// Baseline values from which a live point outside the limits is a signal. Limits from fewer
/// cry wolf: the mean moving range of a handful of values is often far too small, so with no
/// change at least one of 12 live points fell outside limits from 5 baseline values in 28% of
/// simulated series, from 15 in 13%, from 30 in 8% (`tests/chart_sim.rs`; the rate falls as the
/// baseline grows, so the first size is the worst).
pub const SIGNALS_FROM: usize = 30;
/// Baseline values from which 8 live points in a row on one side of the centre are a signal
/// too: the centre of fewer values is far enough off that such runs come by chance (both rules
/// together stay within 10% of 12 live points only from about 40 values; from 60, 8.3%).
pub const RUNS_FROM: usize = 60;

/// A value in time with the text it was typed as, when known (`10.00`).
pub type TypedAt<'a, T> = (T, f64, Option<&'a str>);

/// The value as the decimal it was typed as (the shortest decimal of the number kept when the
/// text is not known): `m × 10^e`.
fn typed(v: f64, text: Option<&str>) -> (BigInt, i32) {
    decimal_of(v, text)
}

/// Centre and natural process limits, exactly, as integers over one denominator: each is
/// `numerator / den × 10^unit`. Integers, not rationals, because the chart is read often (every
/// loop's state, every simulated series) and rationals reduce by a gcd at every step.
struct Limits {
    lower: BigInt,
    center: BigInt,
    upper: BigInt,
    den: BigInt,
    unit: i32,
}

/// `m × 10^e` as a whole number of `10^unit` (`unit <= e`).
fn scaled((m, e): &(BigInt, i32), unit: i32) -> BigInt {
    m * num_traits::pow(BigInt::from(10), (e - unit) as usize)
}

impl Limits {
    /// Centre ± 2.66 × the mean moving range of `values` (in time order), with `unit` no coarser
    /// than any of them. `None` with fewer than two values or when they do not vary.
    fn of(values: &[(BigInt, i32)], unit: i32) -> Option<Limits> {
        let xs: Vec<BigInt> = values.iter().map(|v| scaled(v, unit)).collect();
        if xs.len() < 2 || xs.iter().all(|x| *x == xs[0]) {
            return None;
        }
        let n = BigInt::from(xs.len());
        let total: BigInt = xs.iter().sum();
        let ranges: BigInt = xs.windows(2).map(|w| (&w[1] - &w[0]).abs()).sum();
        // centre = total / n, spread = 2.66 × ranges / (n − 1): over 100 n (n − 1).
        let m1 = &n - 1;
        let center = BigInt::from(100) * &m1 * total;
        let spread = BigInt::from(266) * &n * ranges;
        Some(Limits {
            lower: &center - &spread,
            upper: &center + &spread,
            center,
            den: BigInt::from(100) * &n * m1,
            unit,
        })
    }

    /// A value over the limits' denominator, to compare with them (`unit` no coarser than it).
    fn place(&self, v: &(BigInt, i32)) -> BigInt {
        scaled(v, self.unit) * &self.den
    }

    /// A limit as the nearest number; `None` beyond the largest number (limits of values near
    /// it): never a limit clamped to the edge that was not computed.
    fn shown(&self, numerator: &BigInt) -> Option<f64> {
        let ten = |e: i32| num_traits::pow(BigInt::from(10), e.unsigned_abs() as usize);
        let r = if self.unit >= 0 {
            BigRational::new(numerator * ten(self.unit), self.den.clone())
        } else {
            BigRational::new(numerator.clone(), &self.den * ten(self.unit))
        };
        Some(to_f64(&r)).filter(|v| v.is_finite())
    }
}

/// The finest unit among decimals (the smallest exponent), 0 for none.
fn finest<'a>(values: impl IntoIterator<Item = &'a (BigInt, i32)>) -> i32 {
    values.into_iter().map(|v| v.1).min().unwrap_or(0).min(0)
}

/// Natural process limits from the baseline (in time order), computed and compared exactly on
/// the decimals as typed, read against the live values: see [`process_typed`].
pub fn process<T: Copy>(baseline: &[(T, f64)], live: &[(T, f64)]) -> Option<Process<T>> {
    let typed = |ps: &[(T, f64)]| -> Vec<TypedAt<'static, T>> {
        ps.iter().map(|&(at, v)| (at, v, None)).collect()
    };
    process_typed(&typed(baseline), &typed(live))
}

/// Natural process limits from the baseline (in time order): centre ± 2.66 × the mean moving
/// range, computed and compared exactly on the decimals as typed. `None` with fewer than two
/// baseline values or when the baseline does not vary (every different value would otherwise be
/// a "signal"). Signals are judged only from `SIGNALS_FROM` baseline values (runs from
/// `RUNS_FROM`); below, the limits are provisional and there are none. `phases` holds the
/// baseline phase alone: the caller adds one per intervention ([`phase`]).
pub fn process_typed<T: Copy>(
    baseline: &[TypedAt<'_, T>],
    live: &[TypedAt<'_, T>],
) -> Option<Process<T>> {
    let base: Vec<(BigInt, i32)> = baseline.iter().map(|p| typed(p.1, p.2)).collect();
    let n = base.len();
    let judged = n >= SIGNALS_FROM;
    let live: Vec<(T, f64, (BigInt, i32))> = if judged {
        live.iter().map(|p| (p.0, p.1, typed(p.1, p.2))).collect()
    } else {
        Vec::new()
    };
    let unit = finest(base.iter().chain(live.iter().map(|p| &p.2)));
    let limits = Limits::of(&base, unit)?;
    let mut signals: Vec<ProcessSignal<T>> = Vec::new();
    if judged {
        judge(&live, &limits, n >= RUNS_FROM, &mut signals);
    }
    // Limits beyond the largest number leave nothing to show, nor signals read against them.
    let (center, lower_limit, upper_limit) = (
        limits.shown(&limits.center)?,
        limits.shown(&limits.lower)?,
        limits.shown(&limits.upper)?,
    );
    Some(Process {
        center,
        lower_limit,
        upper_limit,
        provisional: !judged,
        signals,
        baseline_n: n,
        phases: vec![phase_of(None, &base)],
    })
}

/// The live points outside the limits and, with `runs`, the runs of `RUN_LENGTH` on one side of
/// the centre.
fn judge<T: Copy>(
    live: &[(T, f64, (BigInt, i32))],
    limits: &Limits,
    runs: bool,
    signals: &mut Vec<ProcessSignal<T>>,
) {
    let mut run: Vec<T> = Vec::new();
    let mut run_side = None;
    let flush = |run: &[T], side: Option<Side>, signals: &mut Vec<ProcessSignal<T>>| {
        if let (Some(side), true, true) = (side, runs, run.len() >= RUN_LENGTH) {
            signals.push(ProcessSignal::RunOfEight {
                side,
                from: run[0],
                to: run[run.len() - 1],
            });
        }
    };
    for (at, value, exact) in live {
        let (at, value) = (*at, *value);
        let v = limits.place(exact);
        if v < limits.lower || v > limits.upper {
            signals.push(ProcessSignal::OutsideLimits { at, value });
        }
        let side = match v.cmp(&limits.center) {
            std::cmp::Ordering::Greater => Some(Side::Above),
            std::cmp::Ordering::Less => Some(Side::Below),
            std::cmp::Ordering::Equal => None,
        };
        if side.is_some() && side == run_side {
            run.push(at);
        } else {
            flush(&run, run_side, signals);
            run = if side.is_some() { vec![at] } else { Vec::new() };
            run_side = side;
        }
    }
    flush(&run, run_side, signals);
}

/// The phase begun by the intervention `from` (`None`: the baseline phase) over its values
/// (value, typed text) in time order, with limits of its own.
pub fn phase<T>(from: Option<T>, values: &[(f64, Option<&str>)]) -> ProcessPhase<T> {
    let exact: Vec<(BigInt, i32)> = values.iter().map(|&(v, t)| typed(v, t)).collect();
    phase_of(from, &exact)
}

fn phase_of<T>(from: Option<T>, values: &[(BigInt, i32)]) -> ProcessPhase<T> {
    let l = Limits::of(values, finest(values));
    ProcessPhase {
        from,
        n: values.len(),
        center: l.as_ref().and_then(|l| l.shown(&l.center)),
        lower_limit: l.as_ref().and_then(|l| l.shown(&l.lower)),
        upper_limit: l.as_ref().and_then(|l| l.shown(&l.upper)),
        provisional: values.len() < SIGNALS_FROM,
    }
}

/// A one-line sparkline of values: ▁▂▃▄▅▆▇█ scaled between their min and max.
pub fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let (lo, hi) = values
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(*v), h.max(*v)));
    values
        .iter()
        .map(|v| {
            let span = hi - lo;
            if span <= 0.0 || !span.is_finite() {
                BARS[3]
            } else {
                BARS[(((v - lo) / span) * 7.0).round().clamp(0.0, 7.0) as usize]
            }
        })
        .collect()
}
