//! What a calendar should hold of the board: each job's weekly check-in, the day each loop's
//! verdict is expected to become possible, the dates dated kill rules judge on, and the decisions
//! that wait for a sign-off. Each entry has an id that stays the same from one export to the next
//! (so a calendar program updates rather than duplicates it). Writing RFC 5545 is `crate::ics`.

use chrono::{Days, NaiveDate, Weekday};

use super::model::short_id;
use super::review::{JobInput, JobReview, LoopReview};
use super::rules::KillRule;
use super::stats::Verdict;
use super::time::Week;

/// One all-day entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Stable across exports: made of record ids, never of dates or titles.
    pub uid: String,
    pub date: NaiveDate,
    pub summary: String,
    pub description: String,
    /// Repeats every week from `date` (the check-in).
    pub weekly: bool,
}

/// The day of the week a job's check-in falls on: the last working day of the week whose
/// compound test it answers (the test is overdue once the next week begins).
pub const CHECK_IN: Weekday = Weekday::Fri;

/// A cadence assumed for a loop with no live values yet: the routine measures weekly.
const WEEKLY: f64 = 7.0;

/// The entries for `jobs` (their inputs, reviews and the week their history begins —
/// `job::history_start`, which counts backfilled weeks — in the same order), on `today`.
pub fn entries(jobs: &[(&JobInput, &JobReview, Option<Week>)], today: NaiveDate) -> Vec<Entry> {
    let mut out = Vec::new();
    let this_check_in = check_in_of(Week::of(today));
    for (input, review, history_start) in jobs {
        if input.job.archived_at.is_some() {
            continue;
        }
        let job = &input.job;
        // The check-ins begin with the history, backfilled weeks included (as the review and
        // `cycle close --week` count them); without it, from the job's start or record.
        let first = history_start.unwrap_or_else(|| super::job::first_week(job, None));
        out.push(Entry {
            uid: format!("check-in-{}@jobloop", job.id),
            date: check_in_of(first),
            summary: format!("Weekly check-in: {}", job.title),
            description: format!(
                "Review {slug} and answer the week's compound test: jobloop cycle close {slug}",
                slug = job.slug
            ),
            weekly: true,
        });
        for l in &review.loops {
            let addr = format!("{}/{}", job.slug, l.kind);
            if let Some((date, more, what)) = verdict_expected(l, today) {
                out.push(Entry {
                    uid: format!("verdict-{}-{}@jobloop", job.id, l.kind),
                    date,
                    summary: format!("Verdict possible: {addr}"),
                    description: format!(
                        "{more} more live value(s) of {} at the loop's measuring cadence {}",
                        l.metric.as_ref().map_or("the metric", |m| m.name.as_str()),
                        what.words()
                    ),
                    weekly: false,
                });
            }
            for k in l.kill_signals.iter().map(|k| &k.signal) {
                if k.tripped {
                    continue;
                }
                let Some(Ok(KillRule::By { date, .. })) = k.rule.as_deref().map(KillRule::parse)
                else {
                    continue;
                };
                out.push(Entry {
                    uid: format!("kill-rule-{}-{}-{}@jobloop", job.id, l.kind, k.n),
                    date,
                    summary: format!("Kill rule judges {addr}: {}", k.text),
                    description: format!(
                        "kill signal {} ({}) trips on this day unless its rule holds: {}",
                        k.n,
                        k.text,
                        k.rule.as_deref().unwrap_or("")
                    ),
                    weekly: false,
                });
            }
            for d in &l.decisions_pending {
                out.push(Entry {
                    uid: format!("sign-off-{}@jobloop", d.id),
                    date: this_check_in.max(today),
                    summary: format!("Sign-off awaited from {}: {}", d.owner, d.text),
                    description: format!(
                        "decision {} on {addr} waits for {}: jobloop --as {} decide {} {} --approve {}",
                        short_id(&d.id),
                        d.owner,
                        super::text::shell_word(&d.owner),
                        job.slug,
                        l.kind,
                        short_id(&d.id)
                    ),
                    weekly: false,
                });
            }
        }
    }
    out
}

fn check_in_of(week: Week) -> NaiveDate {
    week.monday() + Days::new(u64::from(CHECK_IN.num_days_from_monday()))
}

/// When a loop's verdict is expected to become possible, and how many more live values that
/// takes: the values the comparison says it still needs (a verdict at all, the target's power,
/// or the plan's horizon), at the loop's cadence — the days from its intervention to its latest
/// value over the live values since (a week without any), counted from the latest value.
pub fn verdict_expected(l: &LoopReview, today: NaiveDate) -> Option<(NaiveDate, usize, Expected)> {
    if l.status.is_finished() {
        return None;
    }
    let c = l.comparison.as_ref()?;
    // Without a plan no value makes a verdict possible.
    if c.caveats.contains(&crate::domain::stats::Caveat::NoPlan) {
        return None;
    }
    let horizon = l.plan.as_ref().map(|p| p.horizon);
    let (more, what) = match c.verdict {
        Verdict::NotEnoughData => (c.values_needed?, Expected::Possible),
        Verdict::Inconclusive => match (c.live_needed, horizon) {
            (Some(n), _) if n > c.live_n => (n - c.live_n, Expected::Target),
            (_, Some(h)) if h > c.live_n => (h - c.live_n, Expected::Final),
            _ => return None,
        },
        // A verdict was reached.
        _ => return None,
    };
    if more == 0 {
        return None;
    }
    let start = l.plan.as_ref().map(|p| p.intervention_at.date());
    let first = l.first_live_at.map(|w| w.date());
    let latest = l.latest_at.map(|w| w.date());
    // The spacing of the live values themselves; with one, the days since the intervention
    // (a first value on the intervention's day would otherwise halve the cadence).
    // Over the values in force: the dates are theirs (a voided value has none in the span).
    let n = c.live_in_force();
    let cadence = match (first, start, latest) {
        (Some(f), _, Some(e)) if n > 1 && e > f => (e - f).num_days() as f64 / (n - 1) as f64,
        (_, Some(s), Some(e)) if n == 1 && e > s => (e - s).num_days() as f64,
        _ => WEEKLY,
    };
    let days = (cadence * more as f64).ceil().clamp(1.0, 3650.0) as u64;
    // Never a day already past: when the values are late against the cadence, they still have
    // to come, at the same cadence, from today on.
    let due = latest.unwrap_or(today) + Days::new(days);
    let date = if due > today {
        due
    } else {
        today + Days::new(days)
    };
    Some((date, more, what))
}

/// What the values still needed would bring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// A verdict at all (none is possible yet).
    Possible,
    /// The target seen with 80% power.
    Target,
    /// The plan's horizon: its final result.
    Final,
}

impl Expected {
    fn words(self) -> &'static str {
        match self {
            Expected::Possible => "make a verdict possible",
            Expected::Target => {
                "give the target its promised power (80%): a verdict may come earlier"
            }
            Expected::Final => {
                "reach the plan's horizon, its final result: a verdict may come earlier"
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_in_is_the_friday_of_its_week() {
        use chrono::Datelike;
        let w = Week::parse("2026-W49").unwrap();
        assert_eq!(
            check_in_of(w),
            NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
        );
        assert_eq!(check_in_of(w).weekday(), Weekday::Fri);
    }
}
