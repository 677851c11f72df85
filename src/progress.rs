//! A progress bar on standard error for long work (a large demo, import or export): drawn only
//! when standard error is a terminal, so pipes and logs stay clean.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

pub struct Progress {
    label: &'static str,
    enabled: bool,
    last: Option<Instant>,
    drawn: bool,
}

/// How often the bar is redrawn at most.
const EVERY: Duration = Duration::from_millis(100);

impl Progress {
    pub fn new(label: &'static str) -> Progress {
        Progress {
            label,
            enabled: std::io::stderr().is_terminal(),
            last: None,
            drawn: false,
        }
    }

    /// Reports `done` of `total`; cheap to call often.
    pub fn set(&mut self, done: u64, total: u64) {
        if !self.enabled || total == 0 {
            return;
        }
        let now = Instant::now();
        // Short work never shows a bar, and a long one redraws at most every `EVERY`.
        let last = *self.last.get_or_insert(now);
        if now.duration_since(last) < EVERY {
            return;
        }
        self.last = Some(now);
        self.drawn = true;
        let width = 30;
        let filled = ((done.min(total) * width) / total) as usize;
        let _ = write!(
            std::io::stderr(),
            "\r{} [{}{}] {:>3}%",
            self.label,
            "#".repeat(filled),
            " ".repeat(width as usize - filled),
            done.min(total) * 100 / total
        );
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.drawn {
            // Clear the line so the acknowledgement starts clean.
            let _ = write!(
                std::io::stderr(),
                "\r{}\r",
                " ".repeat(self.label.len() + 40)
            );
        }
    }
}
