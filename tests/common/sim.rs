//! What the statistical simulations share: a seeded generator of weekly values as a lead types
//! them (two decimals), the number of series a run measures, and values as weekly points.

use jobloop::domain::model::splitmix;
use jobloop::domain::stats::Point;

/// A seeded source of draws (splitmix64, the generator the domain uses), so each simulated rate
/// is the same on every run.
pub struct Rng(pub u64);

impl Rng {
    pub fn uniform(&mut self) -> f64 {
        let (r, next) = splitmix(self.0);
        self.0 = next;
        ((r >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// A standard normal draw (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// A weekly value as a lead types it: two decimals.
    pub fn value(&mut self, mean: f64, sd: f64) -> f64 {
        ((mean + sd * self.normal()) * 100.0).round() / 100.0
    }

    /// `n` consecutive weeks of a stationary AR(1) process with lag-1 correlation `phi` (0:
    /// independent weeks), mean 50 and standard deviation 5, typed to two decimals.
    pub fn weeks(&mut self, n: usize, phi: f64) -> Vec<f64> {
        let mut x = self.normal();
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            if i > 0 {
                x = phi * x + (1.0 - phi * phi).sqrt() * self.normal();
            }
            out.push(((50.0 + 5.0 * x) * 100.0).round() / 100.0);
        }
        out
    }
}

/// How many series a simulation measures per case: `var` from the environment, else `default`.
pub fn series(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Values a week apart, as the comparison reads them.
pub fn points(xs: &[f64]) -> Vec<Point> {
    xs.iter()
        .enumerate()
        .map(|(i, x)| (i as f64 * 7.0, *x))
        .collect()
}
