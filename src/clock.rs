//! Where the front ends read the time. The domain never reads a clock: every command is stamped
//! with a `Stamp` passed in (`Ctx::now`), and the interactive screen asks this clock, so a test
//! can fix the time (a snapshot of a screen shows the same dates every day) and move it on (a
//! timer fires without the test sleeping).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::domain::Stamp;

/// The system clock, or a manual one shared by its clones.
#[derive(Clone, Debug, Default)]
pub struct Clock(Option<Arc<Mutex<Manual>>>);

#[derive(Debug)]
struct Manual {
    stamp: Stamp,
    /// The monotonic instant the manual time stands for (timers compare these).
    instant: Instant,
}

impl Clock {
    pub fn system() -> Clock {
        Clock(None)
    }

    /// A clock that shows `at` until it is moved on with `advance`.
    pub fn fixed(at: Stamp) -> Clock {
        Clock(Some(Arc::new(Mutex::new(Manual {
            stamp: at,
            instant: Instant::now(),
        }))))
    }

    /// The wall-clock time, in milliseconds (as stamps are stored).
    pub fn now(&self) -> Stamp {
        match self.manual() {
            Some(m) => m.stamp,
            None => Stamp::from_utc(Utc::now()),
        }
    }

    /// The monotonic time, for timers.
    pub fn instant(&self) -> Instant {
        match self.manual() {
            Some(m) => m.instant,
            None => Instant::now(),
        }
    }

    /// Moves a manual clock on (a system clock moves by itself: nothing happens).
    pub fn advance(&self, by: Duration) {
        if let Some(mut m) = self.manual() {
            m.instant += by;
            let by = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
            m.stamp = Stamp::from_utc(m.stamp.0.checked_add_signed(by).unwrap_or(m.stamp.0));
        }
    }

    fn manual(&self) -> Option<MutexGuard<'_, Manual>> {
        // A panic elsewhere cannot leave the time half-updated: take it as it is.
        self.0
            .as_ref()
            .map(|m| m.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

impl Stamp {
    /// The system clock's time. Only the front ends call it (the domain is handed its time).
    pub fn now() -> Stamp {
        Clock::system().now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_stands_still_until_moved_on() {
        let at = Stamp::parse("2026-11-22T12:00:00Z").unwrap();
        let clock = Clock::fixed(at);
        let other = clock.clone();
        let before = clock.instant();
        assert_eq!(clock.now(), at);
        other.advance(Duration::from_secs(90));
        assert_eq!(clock.now(), Stamp::parse("2026-11-22T12:01:30Z").unwrap());
        assert_eq!(clock.instant() - before, Duration::from_secs(90));
    }
}
