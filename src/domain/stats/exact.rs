//! The exact permutation test and the smallest p-value the counts allow.

use super::*;

/// The smallest two-sided p-value the permutation test as run can give with these group sizes:
/// exactly, only the observed arrangement (and, with equal sizes, its mirror) can be as
/// extreme; beyond `EXACT_LIMIT` arrangements the test is estimated by resampling, whose p is
/// never below 1/(resamples + 1). A look, a count of values needed or a detectable change is
/// promised only where this p can reach its level.
pub fn min_p(nb: usize, nl: usize) -> f64 {
    let arrangements = choose(nb + nl, nl);
    if arrangements > EXACT_LIMIT {
        return 1.0 / (RESAMPLES + 1) as f64;
    }
    let extremes: f64 = if nb == nl { 2.0 } else { 1.0 };
    (extremes / arrangements).min(1.0)
}

/// C(n, k), exact while it fits 128 bits, else from the log-gamma function.
fn choose(n: usize, k: usize) -> f64 {
    let k = k.min(n - k.min(n));
    let mut c: u128 = 1;
    for i in 1..=k as u128 {
        match c.checked_mul(n as u128 - k as u128 + i) {
            Some(v) => c = v / i,
            None => return statrs::function::factorial::ln_binomial(n as u64, k as u64).exp(),
        }
    }
    c as f64
}

/// The two-sided exact permutation p-value of the difference of means: the share of all ways to
/// split the values into groups of these sizes whose difference is at least as large (in absolute
/// value) as the observed one. Beyond `EXACT_LIMIT` arrangements, a fixed-seed Monte Carlo
/// estimate ((hits + 1) / (resamples + 1)).
pub fn permutation_p(baseline: &[f64], live: &[f64]) -> (f64, PMethod) {
    let decimals = |xs: &[f64]| -> Vec<Dec> { xs.iter().map(|v| decimal(*v)).collect() };
    permutation_p_typed(&decimals(baseline), &decimals(live))
}

/// [`permutation_p`] on the decimals as typed.
pub(crate) fn permutation_p_typed(baseline: &[Dec], live: &[Dec]) -> (f64, PMethod) {
    let (nb, nl) = (baseline.len(), live.len());
    // Enumerate subsets of the smaller group: for a group of size k with sum S out of N values
    // summing to T, the difference of means is proportional to S·N − T·k.
    let (group, rest) = if nl <= nb {
        (live, baseline)
    } else {
        (baseline, live)
    };
    let k = group.len();
    let values: Vec<&Dec> = group.iter().chain(rest).collect();
    let scaled = scale(&values);
    let arrangements = choose(nb + nl, k);
    let exhaustive = arrangements <= EXACT_LIMIT;
    let method = if exhaustive {
        PMethod::Exact
    } else {
        PMethod::MonteCarlo
    };
    let p = match scaled {
        Scaled::Small(v) => tail::<i128>(&v, k, exhaustive, arrangements),
        Scaled::Big(v) => tail::<BigInt>(&v, k, exhaustive, arrangements),
    };
    (p.min(1.0), method)
}

/// The values as integers of one common decimal scale (`v × 10^-e`), small when they fit i128
/// arithmetic with room for the sums and products of the test.
enum Scaled {
    Small(Vec<i128>),
    Big(Vec<BigInt>),
}

fn scale(decs: &[&Dec]) -> Scaled {
    let e = decs.iter().map(|(_, e)| *e).min().unwrap_or(0);
    // Machine integers when every scaled value fits with room to spare (the usual case: values
    // typed with a few decimals); big integers otherwise.
    let limit = 1i128 << 90;
    let small: Option<Vec<i128>> = decs
        .iter()
        .map(|(m, ei)| {
            let m = i128::try_from(m).ok()?;
            10i128
                .checked_pow(u32::try_from(ei - e).ok()?)
                .and_then(|p| m.checked_mul(p))
                .filter(|v| v.abs() < limit)
        })
        .collect();
    match small {
        Some(v) if decs.len() < (1 << 16) => Scaled::Small(v),
        _ => Scaled::Big(
            decs.iter()
                .map(|(m, ei)| {
                    m * num_traits::pow(BigInt::from(10), usize::try_from(ei - e).unwrap_or(0))
                })
                .collect(),
        ),
    }
}

/// Integer arithmetic the permutation test needs, for i128 and for big integers.
trait Acc: Clone + Ord {
    fn zero() -> Self;
    fn plus(&self, o: &Self) -> Self;
    fn minus(&self, o: &Self) -> Self;
    fn times(&self, k: usize) -> Self;
    fn magnitude(&self) -> Self;
}

impl Acc for i128 {
    fn zero() -> Self {
        0
    }
    fn plus(&self, o: &Self) -> Self {
        self + o
    }
    fn minus(&self, o: &Self) -> Self {
        self - o
    }
    fn times(&self, k: usize) -> Self {
        self * k as i128
    }
    fn magnitude(&self) -> Self {
        self.abs()
    }
}

impl Acc for BigInt {
    fn zero() -> Self {
        <BigInt as Zero>::zero()
    }
    fn plus(&self, o: &Self) -> Self {
        self + o
    }
    fn minus(&self, o: &Self) -> Self {
        self - o
    }
    fn times(&self, k: usize) -> Self {
        self * BigInt::from(k)
    }
    fn magnitude(&self) -> Self {
        self.abs()
    }
}

/// The share of k-subsets of `values` whose statistic |S·N − T·k| is at least the observed one,
/// where the observed subset is the first k values.
fn tail<A: Acc>(values: &[A], k: usize, exhaustive: bool, arrangements: f64) -> f64 {
    let n = values.len();
    let total = values.iter().fold(A::zero(), |a, v| a.plus(v));
    let tk = total.times(k);
    let observed_sum = values[..k].iter().fold(A::zero(), |a, v| a.plus(v));
    let observed = observed_sum.times(n).minus(&tk).magnitude();
    if observed == A::zero() {
        // Every arrangement is at least as extreme as no difference at all.
        return 1.0;
    }
    // Extreme: S·N at least T·k + observed, or at most T·k − observed (disjoint, observed > 0).
    let hi = tk.plus(&observed);
    let lo = tk.minus(&observed);
    let extreme = |sum: &A| {
        let s = sum.times(n);
        s >= hi || s <= lo
    };
    if exhaustive {
        let mut sorted = values.to_vec();
        sorted.sort();
        let count = count_tail(&sorted, n, 0, k, &A::zero(), &hi, &lo);
        return count as f64 / arrangements.round();
    }
    let mut state = RESAMPLE_SEED;
    let mut order: Vec<usize> = (0..n).collect();
    let mut hits = 0usize;
    for _ in 0..RESAMPLES {
        let mut sum = A::zero();
        for j in 0..k {
            let (r, next) = splitmix(state);
            state = next;
            let pick = j + (r % (n - j) as u64) as usize;
            order.swap(j, pick);
            sum = sum.plus(&values[order[j]]);
        }
        if extreme(&sum) {
            hits += 1;
        }
    }
    (hits + 1) as f64 / (RESAMPLES + 1) as f64
}

/// How many `left`-subsets of the ascending `values[start..]`, added to `sum`, have a scaled sum
/// `S·n` of at least `hi` or at most `lo` (`lo < hi`). The last member of a subset is counted by
/// binary search over the sorted rest instead of one by one, so the work is that of the
/// (k−1)-subsets: the exact test stays exact at a fraction of the cost.
fn count_tail<A: Acc>(
    values: &[A],
    n: usize,
    start: usize,
    left: usize,
    sum: &A,
    hi: &A,
    lo: &A,
) -> u64 {
    if left == 0 {
        let s = sum.times(n);
        return u64::from(s >= *hi || s <= *lo);
    }
    if left == 1 {
        let rest = &values[start..];
        let base = sum.times(n);
        // (sum + v)·n ≥ hi ⟺ v·n ≥ hi − sum·n; v·n grows with v.
        let need_hi = hi.minus(&base);
        let need_lo = lo.minus(&base);
        let below_hi = rest.partition_point(|v| v.times(n) < need_hi);
        let up_to_lo = rest.partition_point(|v| v.times(n) <= need_lo);
        return ((rest.len() - below_hi) + up_to_lo) as u64;
    }
    (start..=values.len() - left)
        .map(|i| count_tail(values, n, i + 1, left - 1, &sum.plus(&values[i]), hi, lo))
        .sum()
}
