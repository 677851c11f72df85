//! Reference numbers come from SciPy 1.17.1 and from exact enumeration in Python with
//! `fractions.Fraction` (every arrangement of the values; |difference of means| ≥ observed), run
//! on 2026-11-29. The script is quoted beside each case.
//!
//! Split by what is promised: `compare`, `process`, `power`, `decimals`; the helpers below serve
//! them all.

use super::*;

mod compare;
mod decimals;
mod power;
mod process;

fn close(a: f64, b: f64, tol: f64) {
    assert!((a - b).abs() <= tol, "{a} vs {b}");
}

fn pts(vs: &[f64]) -> Vec<Point> {
    vs.iter()
        .enumerate()
        .map(|(i, v)| (7.0 * i as f64, *v))
        .collect()
}

fn cmp(b: &[f64], l: &[f64], better: Better) -> Comparison {
    compare(&pts(b), &pts(l), better, None, None)
}

fn typed_pts(vs: &[f64]) -> Vec<TypedPoint<'static>> {
    vs.iter()
        .enumerate()
        .map(|(i, v)| (7.0 * i as f64, *v, None))
        .collect()
}

fn level_of(k: usize, h: usize) -> f64 {
    sequential::level(k, h)
}
