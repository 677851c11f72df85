//! Natural process limits (an XmR chart) of the baseline, read against the live values.

use super::*;
use crate::domain::num::exact;

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
    /// Fewer than `PROCESS_FIRM` baseline values: the limits are a first guess.
    pub provisional: bool,
    pub signals: Vec<ProcessSignal<T>>,
}

/// How many points in a row on one side of the centre make a signal.
pub const RUN_LENGTH: usize = 8;
/// Baseline values from which process limits are no longer provisional.
pub const PROCESS_FIRM: usize = 12;

/// Natural process limits from the baseline (in time order): centre ± 2.66 × the mean moving
/// range, computed and compared exactly. `None` with fewer than two baseline values or when the
/// baseline does not vary (every different value would otherwise be a "signal").
pub fn process<T: Copy>(baseline: &[(T, f64)], live: &[(T, f64)]) -> Option<Process<T>> {
    if baseline.len() < 2 || baseline.iter().all(|p| p.1 == baseline[0].1) {
        return None;
    }
    let values: Vec<BigRational> = baseline.iter().map(|p| exact(p.1)).collect();
    let center = exact_mean(&values)?;
    let ranges: Vec<BigRational> = values.windows(2).map(|w| (&w[1] - &w[0]).abs()).collect();
    let mr = exact_mean(&ranges)?;
    let spread = mr * BigRational::new(266.into(), 100.into());
    let (lower, upper) = (&center - &spread, &center + &spread);
    let mut signals: Vec<ProcessSignal<T>> = Vec::new();
    let mut run: Vec<T> = Vec::new();
    let mut run_side = None;
    let flush = |run: &[T], side: Option<Side>, signals: &mut Vec<ProcessSignal<T>>| {
        if let (Some(side), true) = (side, run.len() >= RUN_LENGTH) {
            signals.push(ProcessSignal::RunOfEight {
                side,
                from: run[0],
                to: run[run.len() - 1],
            });
        }
    };
    for &(at, value) in live {
        let v = exact(value);
        if v < lower || v > upper {
            signals.push(ProcessSignal::OutsideLimits { at, value });
        }
        let side = match v.cmp(&center) {
            std::cmp::Ordering::Greater => Some(Side::Above),
            std::cmp::Ordering::Less => Some(Side::Below),
            std::cmp::Ordering::Equal => None,
        };
        if side.is_some() && side == run_side {
            run.push(at);
        } else {
            flush(&run, run_side, &mut signals);
            run = if side.is_some() { vec![at] } else { Vec::new() };
            run_side = side;
        }
    }
    flush(&run, run_side, &mut signals);
    // Limits of values near the largest number can lie beyond it: then there are none to show,
    // nor signals read against them (never a limit clamped to the edge that was not computed).
    let fits = |r: &BigRational| Some(to_f64(r)).filter(|v| v.is_finite());
    Some(Process {
        center: fits(&center)?,
        lower_limit: fits(&lower)?,
        upper_limit: fits(&upper)?,
        provisional: baseline.len() < PROCESS_FIRM,
        signals,
    })
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
