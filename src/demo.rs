//! A realistic example database, made by driving the same intents a lead would use through the
//! same write path (rules, audit events, derived state), on a simulated clock: the demo can never
//! drift from what `verify` expects. The values come from a seeded generator, and ids from a
//! seeded sequence: the same seed in the same week gives the same file.

use chrono::Days;
use std::collections::BTreeMap;

use crate::domain::cycle::CompoundAnswers;
use crate::domain::intent::{Intent, LoopOp};
use crate::domain::job::{CanvasEdit, JobEdit};
use crate::domain::model::*;
use crate::domain::stats::Target;
use crate::domain::time::{Stamp, Week, When, start_of_day};
use crate::domain::{Ctx, LoopKind};
use crate::store::{self, Store};

struct Template {
    title: &'static str,
    slug: &'static str,
    statement: &'static str,
    canvas: [&'static str; 8],
    /// The instrument loop's metric: name, unit, better, baseline level, improvement per week.
    metric: (&'static str, &'static str, Better, f64, f64),
}

const TEMPLATES: [Template; 3] = [
    Template {
        title: "Triage support tickets",
        slug: "support-triage",
        statement: "When a ticket lands in the shared inbox, I want it routed to the right person with the context attached, so I can answer customers the same day.",
        canvas: [
            "Support lead of a 6-person team",
            "Monday mornings, 200+ tickets after the weekend",
            "Two agents skim every ticket and tag it by hand in a spreadsheet",
            "Route each ticket to the person who can close it",
            "Confident nothing urgent is buried",
            "Seen by sales as the team that never drops a customer",
            "Shared inbox rules, a help-desk add-on, an outsourced first line",
            "Routes correctly without a human re-reading; explains why it routed",
        ],
        metric: ("median time to first answer", "h", Better::Lower, 9.0, 0.6),
    },
    Template {
        title: "Turn a finished coaching session into a trustworthy next step",
        slug: "coaching-follow-up",
        statement: "When I finish a coaching session, I want a structured, trustworthy read of what happened and what is next, so I can follow up without hours of manual work.",
        canvas: [
            "A practising coach with 6-15 active clients",
            "Right after a session, between back-to-back clients",
            "A transcriber plus a generic chat assistant, then edits by hand",
            "Produce an accurate session analysis and a client-ready follow-up",
            "Confident the analysis is right; in control of the practice",
            "Seen as a professional who follows up",
            "Notes by hand, generic LLM prompts, a VA",
            "Accurate enough to send with light edits; done in minutes",
        ],
        metric: (
            "follow-ups sent within 24 h",
            "%",
            Better::Higher,
            45.0,
            3.5,
        ),
    },
    Template {
        title: "Reconcile supplier invoices",
        slug: "invoice-reconciliation",
        statement: "When supplier invoices arrive at month end, I want them matched to orders and receipts, so I can close the books without overtime.",
        canvas: [
            "Finance operations analyst",
            "The last five working days of the month",
            "Export to spreadsheets, VLOOKUP against purchase orders, email suppliers",
            "Match every invoice line to an order and a receipt",
            "Calm at month end instead of firefighting",
            "Trusted by the controller to close on time",
            "ERP matching rules, an outsourced AP team",
            "Flags mismatches with the evidence; never pays a duplicate",
        ],
        metric: (
            "invoices matched without rework",
            "%",
            Better::Higher,
            62.0,
            2.5,
        ),
    },
];

const OWNERS: [&str; 8] = [
    "Ana Souza",
    "Ben Okafor",
    "Chen Wei",
    "Dana Levi",
    "Emil Novak",
    "Farah Haddad",
    "Gus Berg",
    "Hana Sato",
];

/// A small deterministic generator (splitmix64): the demo needs repeatable numbers, not crypto.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let (value, state) = splitmix(self.0);
        self.0 = state;
        value
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Roughly normal noise (sum of uniforms), mean 0, standard deviation about `sd`.
    fn noise(&mut self, sd: f64) -> f64 {
        let s: f64 = (0..4).map(|_| self.unit()).sum::<f64>() - 2.0;
        s * sd * 1.73
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

mod script;
use script::{Act, Script};

/// How many bytes a job-week takes on disk, about (measured on the 1,000 × 52 demo).
const BYTES_PER_JOB_WEEK: u64 = 6_500;

/// Refuses a demo the disk cannot hold (it is written in one transaction, so the file's size is
/// needed twice while it commits), before anything is written.
fn check_room(store: &Store, jobs: usize, weeks: u32) -> Result<(), store::Error> {
    let need = BYTES_PER_JOB_WEEK
        .saturating_mul(jobs as u64)
        .saturating_mul(u64::from(weeks))
        .saturating_mul(5)
        / 2;
    let folder = store
        .path()
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    if let Ok(fs) = nix::sys::statvfs::statvfs(folder) {
        let free = fs.blocks_available() * fs.fragment_size();
        if need > free {
            return Err(store::Error::Refused(
                crate::domain::Refusal::rule(format!(
                    "a demo of {jobs} jobs over {weeks} weeks needs about {} of free disk space; {} is free where the database is",
                    bytes(need),
                    bytes(free)
                ))
                .advice("ask for fewer jobs or weeks"),
            ));
        }
    }
    Ok(())
}

fn bytes(n: u64) -> String {
    if n >= 1 << 30 {
        format!("{:.1} GiB", n as f64 / f64::from(1u32 << 30))
    } else {
        format!("{} MiB", n.div_ceil(1 << 20))
    }
}

/// Fills an empty database with `jobs` jobs and `weeks` weeks of history ending last Sunday,
/// through the write path, in one transaction. `on_week(done, total)` hears of progress.
pub fn load(
    store: &mut Store,
    jobs: usize,
    weeks: u32,
    seed: u64,
    now: Stamp,
    on_week: &mut dyn FnMut(u64, u64),
) -> Result<store::Ack, store::Error> {
    if !store.is_empty()? {
        return Err(store::Error::Refused(
            crate::domain::Refusal::rule(format!(
                "{} already holds records: the demo fills only an empty database",
                crate::display::clean(&store.path().display().to_string())
            ))
            .advice("load it into a new database file"),
        ));
    }
    check_room(store, jobs, weeks)?;
    let this_monday = Week::containing(now).monday();
    let first_monday = this_monday
        .checked_sub_days(Days::new(7 * u64::from(weeks)))
        .unwrap_or(this_monday);
    let mut scripts = scripts(jobs, weeks, seed, first_monday);
    let mut records = 0usize;
    // Ids from the seed: the same seed in the same week gives the same file.
    let ids = Ids::seeded(seed);
    store.batch(&mut |batch| {
        // Every act is applied in the order of its time, across weeks too (a fix scheduled a
        // week after its incident comes after the next week's first values): the trail's times
        // then run forward, as `doctor` checks. An act waits until no week still to come can
        // hold an earlier one: a week's acts never start before the earliest of the week before.
        let mut waiting: BTreeMap<(Stamp, usize, usize), (String, Act)> = BTreeMap::new();
        let mut apply_before = |until: Option<Stamp>,
                                waiting: &mut BTreeMap<(Stamp, usize, usize), (String, Act)>,
                                batch: &mut store::Batch|
         -> Result<(), store::Error> {
            while let Some(entry) = waiting.first_entry() {
                if until.is_some_and(|u| entry.key().0 >= u) {
                    break;
                }
                let ((at, _, _), (who, act)) = entry.remove_entry();
                let ctx = Ctx::local(who, at).with_ids(ids.clone());
                if let Some(intent) = resolve(batch, act)? {
                    batch.apply(&ctx, &intent)?;
                    records += 1;
                }
            }
            Ok(())
        };
        let mut queued = 0usize;
        for w in 0..weeks {
            let mut earliest: Option<Stamp> = None;
            for (i, s) in scripts.iter_mut().enumerate() {
                for (at, who, act) in s.week(w) {
                    earliest = Some(earliest.map_or(at, |e| e.min(at)));
                    // Each job's own acts keep their order at one instant.
                    queued += 1;
                    waiting.insert((at, i, queued), (who, act));
                }
            }
            apply_before(earliest, &mut waiting, batch)?;
            on_week(u64::from(w) + 1, u64::from(weeks));
        }
        apply_before(None, &mut waiting, batch)
    })?;
    Ok(store::Ack {
        summary: format!("loaded the demo: {jobs} jobs over {weeks} weeks ({records} commands)"),
        changed: true,
        seq: None,
        next: None,
        happened: Vec::new(),
    })
}

/// Each job's script: the templates in turn, numbered from the second round on.
fn scripts(jobs: usize, weeks: u32, seed: u64, first_monday: chrono::NaiveDate) -> Vec<Script> {
    (0..jobs)
        .map(|j| {
            let t = &TEMPLATES[j % TEMPLATES.len()];
            let round = j / TEMPLATES.len();
            let (title, slug) = if round == 0 {
                (t.title.to_string(), t.slug.to_string())
            } else {
                (
                    format!("{} ({})", t.title, round + 1),
                    format!("{}-{}", t.slug, round + 1),
                )
            };
            Script {
                j,
                t,
                slug,
                title,
                lead: OWNERS[j % OWNERS.len()],
                weeks,
                rng: Rng(seed ^ (j as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
                first_monday,
                iw: 3.min(weeks.saturating_sub(1)),
            }
        })
        .collect()
}

/// The intent a scripted act stands for, resolving the records it names by what the store
/// holds now; `None` when the record is not there (the act is skipped).
fn resolve(batch: &mut store::Batch, act: Act) -> Result<Option<Intent>, store::Error> {
    Ok(Some(match act {
        Act::Do(intent) => *intent,
        Act::VoidTypo {
            slug,
            kind,
            typed,
            reason,
        } => {
            let r = batch.loop_record(&slug, kind)?;
            let Some(v) = r.values.iter().rev().find(|v| v.value == typed) else {
                return Ok(None);
            };
            Intent::OnLoop {
                slug,
                kind,
                op: LoopOp::Void {
                    record: v.id.to_string(),
                    reason,
                },
            }
        }
        Act::Approve { slug, kind } => {
            let r = batch.loop_record(&slug, kind)?;
            let Some(d) = r.current_decisions().find(|d| d.approved_at.is_none()) else {
                return Ok(None);
            };
            Intent::OnLoop {
                slug,
                kind,
                op: LoopOp::Approve {
                    decision: d.id.to_string(),
                    witnessed: false,
                },
            }
        }
        Act::FixIncident { slug, change } => {
            let r = batch.loop_record(&slug, LoopKind::Improve)?;
            let Some(i) = r
                .flow
                .incidents
                .iter()
                .find(|i| i.void.is_none() && i.fixed_at.is_none())
            else {
                return Ok(None);
            };
            Intent::OnLoop {
                slug,
                kind: LoopKind::Improve,
                op: LoopOp::IncidentFix {
                    incident: i.id.to_string(),
                    change,
                },
            }
        }
        Act::TrackProof { slug, counts } => {
            let Some(p) = batch.proofs(&slug)?.into_iter().next() else {
                return Ok(None);
            };
            Intent::TrackProof {
                slug,
                proof: p.id.into_string(),
                counts: crate::domain::model::ProofCounts::all(counts),
                was: None,
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_goes_through_the_write_path_and_verifies() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("d.db"), store::Missing::Create).unwrap();
        let now = Stamp::parse("2026-11-20T12:00:00Z").unwrap();
        load(&mut store, 4, 9, 7, now, &mut |_, _| {}).unwrap();
        let report = store.verify().unwrap();
        assert_eq!(report.problems, vec![], "{:?}", report.problems);
        let board = store.board().unwrap();
        assert_eq!(board.jobs.len(), 4);
        let review = board.review(now);
        let coaching = &review.jobs[1];
        assert!(coaching.loops[2].needs_decision(), "an undecided trip");
        assert!(coaching.cycle.overdue, "an overdue cycle");
        assert!(
            !review.jobs[2].loops[1].suggested_kill_signals.is_empty(),
            "a tool before the map"
        );
        // The same seed gives the same records, ids included.
        let other = tempfile::tempdir().unwrap();
        let mut again = Store::open(&other.path().join("d.db"), store::Missing::Create).unwrap();
        load(&mut again, 4, 9, 7, now, &mut |_, _| {}).unwrap();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        store.export(&mut a, &mut |_| {}).unwrap();
        again.export(&mut b, &mut |_| {}).unwrap();
        assert!(a == b, "the same seed gave different files");
    }
}
