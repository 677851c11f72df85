//! The board's columns for a terminal width. All six loop columns stay on screen from 52 cells
//! up (the spec's loops are the point of the board); the job-level answers — the loop open now,
//! the last compound test, the next job it named — come next, then the selected column's metric
//! against its baseline and target. Only what is left widens the title: a wide terminal shows
//! more information, not only a longer name.

/// Column geometry for a board of a given width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Columns {
    /// The job's name (slug, then title where there is room) and its overdue mark.
    pub job: u16,
    /// One loop cell.
    pub cell: u16,
    /// How many loop columns are drawn (fewer than six only below 52 cells: they scroll).
    pub shown: usize,
    /// Whether loop names are written in full (headers, now, next) and a broken layer is named.
    pub words: bool,
    /// The loop open now; 0 when not drawn.
    pub now: u16,
    /// The last compound test; 0 when not drawn.
    pub last: u16,
    /// The next job the compound test named; 0 when not drawn.
    pub next: u16,
    /// The selected column's metric: latest value, baseline, target, sparkline; 0 when not drawn.
    pub metric: u16,
}

/// The narrowest cell: cursor mark, status symbol, three marks and a gap.
const CELL: u16 = 6;
/// A cell under a loop's whole name (`instrument`).
const WIDE_CELL: u16 = 11;
/// The job column never gets narrower than this while anything else is drawn.
const MIN_JOB: u16 = 16;
/// From this width on, cells and the job-level columns are written in full.
const WIDE: u16 = 180;

pub fn columns(width: u16) -> Columns {
    let six = CELL * 6;
    if width < MIN_JOB + six {
        // Too narrow for six cells: the columns scroll with the cursor.
        let shown = (width.saturating_sub(MIN_JOB) / CELL).clamp(1, 6);
        return Columns {
            job: width.saturating_sub(CELL * shown).max(10),
            cell: CELL,
            shown: shown as usize,
            words: false,
            now: 0,
            last: 0,
            next: 0,
            metric: 0,
        };
    }
    let (cell, words, now, last, next) = if width >= WIDE {
        (WIDE_CELL, true, 12, 20, 12)
    } else {
        (CELL, false, 6, 7, 7)
    };
    let mut c = Columns {
        job: 0,
        cell,
        shown: 6,
        words,
        now: 0,
        last: 0,
        next: 0,
        metric: 0,
    };
    let mut left = width - cell * 6;
    // The job-level answers, in the order the spec asks its questions, while the title keeps
    // its minimum.
    for (slot, w) in [(&mut c.now, now), (&mut c.last, last), (&mut c.next, next)] {
        if left >= MIN_JOB + w {
            *slot = w;
            left -= w;
        }
    }
    // The metric when it can say something (value, baseline and target need ~30 cells) and the
    // title keeps a recognisable 24.
    if left >= 24 + 30 {
        let job = (left / 2).clamp(24, 48);
        c.metric = left - job;
        left = job;
    }
    c.job = left;
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(c: &Columns) -> u16 {
        c.job + c.cell * c.shown as u16 + c.now + c.last + c.next + c.metric
    }

    #[test]
    fn every_loop_column_is_drawn_from_52_cells_and_the_width_is_used_exactly() {
        for width in 52..=400 {
            let c = columns(width);
            assert_eq!(c.shown, 6, "{width}");
            assert_eq!(total(&c), width, "{width}: {c:?}");
            assert!(c.job >= MIN_JOB, "{width}: {c:?}");
        }
    }

    #[test]
    fn an_80_column_terminal_answers_the_job_questions_and_a_wide_one_adds_the_metric() {
        let c = columns(80);
        assert!(c.now > 0 && c.last > 0 && c.next > 0, "{c:?}");
        assert!(c.job >= 20, "{c:?}");
        let c = columns(120);
        assert!(c.metric >= 30, "{c:?}");
        let c = columns(200);
        assert!(c.words && c.metric >= 40, "{c:?}");
        assert!(
            c.job <= 48,
            "the extra width is information, not title: {c:?}"
        );
    }

    #[test]
    fn below_52_cells_the_loop_columns_scroll() {
        for width in 20..52 {
            let c = columns(width);
            assert!(c.shown < 6, "{width}");
            assert!(total(&c) <= width.max(c.job + c.cell), "{width}: {c:?}");
        }
    }
}
