//! A realistic example database, made by driving the same intents a lead would use through the
//! same write path (rules, audit events, derived state), on a simulated clock: the demo can never
//! drift from what `verify` expects. The values come from a seeded generator, and ids from a
//! seeded sequence: the same seed in the same week gives the same file.

use chrono::{Days, Duration};

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

/// One scripted command: when, who, what. Some commands name a record made earlier in the
/// script (by an id only the store knows): they are resolved when they run.
type Step = (Stamp, String, Act);

enum Act {
    Do(Intent),
    /// Void the latest value recorded with this number.
    VoidTypo {
        slug: String,
        kind: LoopKind,
        typed: f64,
        reason: String,
    },
    /// The decision's owner signs off the loop's pending decision.
    Approve {
        slug: String,
        kind: LoopKind,
    },
    /// Track what the job's first proof brought back.
    TrackProof {
        slug: String,
        counts: ProofOutcome,
    },
}

/// The weekly routine of one job, played week by week.
struct Script {
    j: usize,
    t: &'static Template,
    slug: String,
    title: String,
    lead: &'static str,
    weeks: u32,
    rng: Rng,
    first_monday: chrono::NaiveDate,
    /// The week of the instrument loop's intervention (the improve loop's is one later).
    iw: u32,
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

impl Script {
    /// An instant in week `week`, `d` days after its Monday, at `hour`: each job's clock runs
    /// 100 ms behind the previous one's, so jobs interleave but never reorder their own steps.
    fn day(&self, week: u32, d: u64, hour: i64) -> Stamp {
        let date = self
            .first_monday
            .checked_add_days(Days::new(7 * u64::from(week) + d))
            .unwrap_or(self.first_monday);
        Stamp::from_utc(
            start_of_day(date).0
                + Duration::hours(hour)
                + Duration::milliseconds(self.j as i64 * 100),
        )
    }

    fn on(&self, out: &mut Vec<Step>, at: Stamp, who: &str, kind: LoopKind, op: LoopOp) {
        out.push((
            at,
            who.to_string(),
            Act::Do(Intent::OnLoop {
                slug: self.slug.clone(),
                kind,
                op,
            }),
        ));
    }

    fn value(
        &self,
        out: &mut Vec<Step>,
        at: Stamp,
        kind: LoopKind,
        phase: Phase,
        v: f64,
        note: Option<&str>,
    ) {
        self.on(
            out,
            at,
            self.lead,
            kind,
            LoopOp::RecordValue {
                phase,
                value: v,
                at: When::Day(at.local_date()),
                note: note.map(str::to_string),
                reason: None,
                guard: None,
            },
        );
    }

    /// A loop with a metric: two baselines a week before `iw`, the intervention in week `iw`,
    /// then two measurements a week, changed by 3.5 × `trend` from the first: a step, as an
    /// intervention that works makes (a ramp through every live week would be weeks that move
    /// together, which the verdict allows for).
    #[allow(clippy::too_many_arguments)]
    fn measured(
        &mut self,
        out: &mut Vec<Step>,
        w: u32,
        kind: LoopKind,
        (level, trend, sd): (f64, f64, f64),
        iw: u32,
        intervention: &str,
    ) {
        if w < iw.max(1) {
            // Two a week, like the live values: a verdict that survives weekly looks needs a
            // baseline of more than a handful of values.
            for d in [1u64, 3] {
                let v = round1(level + self.rng.noise(sd));
                self.value(
                    out,
                    self.day(w, d, 10),
                    kind,
                    Phase::Baseline,
                    v,
                    Some("before any change"),
                );
            }
        }
        if iw == 0 || self.weeks <= iw || w < iw {
            return;
        }
        if w == iw {
            let at = self.day(iw, 0, 9);
            self.on(
                out,
                at,
                self.lead,
                kind,
                LoopOp::Intervene {
                    description: intervention.to_string(),
                    at: When::Day(at.local_date()),
                    horizon: None,
                },
            );
        }
        let drift = trend * 3.5;
        for d in [1u64, 3] {
            let v = round1((level + drift + self.rng.noise(sd)).max(0.0));
            self.value(out, self.day(w, d, 15), kind, Phase::Live, v, None);
        }
    }

    /// One week of a job's story: each piece of it in its own function below.
    fn week(&mut self, w: u32) -> Vec<Step> {
        let mut out = Vec::new();
        if w == 0 {
            self.setup(&mut out);
        }
        self.checklists(&mut out, w);
        self.measures(&mut out, w);
        self.governance(&mut out, w);
        self.learning(&mut out, w);
        self.distribution(&mut out, w);
        self.signals(&mut out, w);
        self.compound_test(&mut out, w);
        out
    }

    /// The job, its canvas, its owners and (for the invoice job) a tool, in its first week.
    fn setup(&mut self, out: &mut Vec<Step>) {
        let (lead, j, t) = (self.lead, self.j, self.t);
        let family = j % TEMPLATES.len();
        out.push((
            self.day(0, 0, 9),
            lead.into(),
            Act::Do(Intent::AddJob {
                title: self.title.clone(),
                slug: Some(self.slug.clone()),
                statement: Some(t.statement.into()),
                owner: None,
            }),
        ));
        let c = t.canvas;
        out.push((
            self.day(0, 0, 10),
            lead.into(),
            Act::Do(Intent::EditJob {
                slug: self.slug.clone(),
                edit: JobEdit {
                    canvas: CanvasEdit {
                        performer: Some(c[0].into()),
                        circumstance: Some(c[1].into()),
                        workaround: Some(c[2].into()),
                        functional_job: Some(c[3].into()),
                        emotional_job: Some(c[4].into()),
                        social_job: Some(c[5].into()),
                        competing_solutions: Some(c[6].into()),
                        hiring_criteria: Some(c[7].into()),
                    },
                    ..JobEdit::default()
                },
            }),
        ));
        for (i, kind) in LoopKind::ALL.into_iter().enumerate() {
            let name = OWNERS[(j + i + 1) % OWNERS.len()].into();
            self.on(
                out,
                self.day(0, 0, 11),
                lead,
                kind,
                LoopOp::AssignOwner { name },
            );
        }
        // The invoice job picked its tool before mapping the workflow: a suggested signal.
        if family == 2 {
            let at = self.day(0, 1, 8);
            out.push((
                at,
                lead.into(),
                Act::Do(Intent::SelectTool {
                    slug: self.slug.clone(),
                    name: "InvoiceBot".into(),
                    at: When::Day(at.local_date()),
                }),
            ));
        }
        self.setup_loops(out);
    }

    /// The first week's metrics, checklist evidence and kill rule.
    fn setup_loops(&mut self, out: &mut Vec<Step>) {
        use LoopKind::*;
        let (lead, t) = (self.lead, self.t);
        let (name, unit, better, _, _) = t.metric;
        let target = if better == Better::Lower {
            "-15%"
        } else {
            "+15%"
        };
        self.on(
            out,
            self.day(0, 1, 9),
            lead,
            Instrument,
            LoopOp::SetMetric {
                name: name.into(),
                unit: unit.into(),
                better,
                measures: Measures::Outcome,
                replace: false,
                target: Target::parse(target).ok(),
                reason: None,
            },
        );
        self.on(
            out,
            self.day(0, 1, 9),
            lead,
            Improve,
            LoopOp::SetMetric {
                name: "repeat mistakes".into(),
                unit: "per week".into(),
                better: Better::Lower,
                measures: Measures::Outcome,
                replace: false,
                target: None,
                reason: None,
            },
        );
        self.on(
            out,
            self.day(0, 1, 12),
            lead,
            Instrument,
            LoopOp::MarkStep {
                n: 1,
                evidence: Some("One outcome metric agreed with the team".into()),
            },
        );
        // A kill rule that watches the instrument loop (and holds while the numbers improve).
        self.on(
            out,
            self.day(0, 1, 13),
            lead,
            Instrument,
            LoopOp::AddKillSignal {
                text: "The metric slides back to where it started".into(),
                rule: Some("worse-than-baseline 10% for 3".into()),
                reason: None,
            },
        );
        self.on(
            out,
            self.day(0, 3, 10),
            lead,
            Redesign,
            LoopOp::MarkStep {
                n: 1,
                evidence: Some("Flow mapped on one page with its exceptions".into()),
            },
        );
    }

    /// Understand's and redesign's checklists ticked with evidence; understand closed in week 3.
    fn checklists(&mut self, out: &mut Vec<Step>, w: u32) {
        use LoopKind::*;
        let lead = self.lead;
        // Understand: the checklist with evidence over the first two weeks, closed in week 3.
        let evidence = [
            "Shadowed two people for a day; workaround written up",
            "Costed at 6 hours a week of senior time",
            "Five customer interviews outside the team",
            "Agreed: a week of measured turnaround beats any demo",
        ];
        for (n, e) in evidence.iter().enumerate() {
            if (n as u32 / 2).min(self.weeks - 1) == w {
                self.on(
                    out,
                    self.day(w, 1 + n as u64, 14),
                    lead,
                    Understand,
                    LoopOp::MarkStep {
                        n: n as i64 + 1,
                        evidence: Some((*e).into()),
                    },
                );
            }
        }
        if w == 2 {
            self.on(
                out,
                self.day(2, 0, 9),
                lead,
                Understand,
                LoopOp::Close { force: false },
            );
        }
        if w == 3 {
            self.on(
                out,
                self.day(3, 2, 10),
                lead,
                Redesign,
                LoopOp::MarkStep {
                    n: 2,
                    evidence: Some("Dropped the weekly status spreadsheet".into()),
                },
            );
        }
    }

    /// Instrument and improve: baselines, the change, then live values (and a voided typo).
    fn measures(&mut self, out: &mut Vec<Step>, w: u32) {
        use LoopKind::*;
        let (lead, j, t) = (self.lead, self.j, self.t);
        let family = j % TEMPLATES.len();
        // Instrument and improve: baselines, the change, then live values.
        let (_, _, better, level, gain) = t.metric;
        let sign = if better == Better::Lower { -1.0 } else { 1.0 };
        let iw = self.iw;
        self.measured(
            out,
            w,
            Instrument,
            (level, sign * gain, level * 0.06),
            iw,
            "Agent drafts the first pass; a person approves",
        );
        if w == iw && iw > 0 {
            self.on(
                out,
                self.day(iw, 0, 8),
                lead,
                Instrument,
                LoopOp::MarkStep {
                    n: 2,
                    evidence: Some("Baseline weeks recorded before the change".into()),
                },
            );
        }
        let iw2 = (iw + 1).min(self.weeks - 1);
        self.measured(
            out,
            w,
            Improve,
            (7.0, -0.4, 1.0),
            iw2,
            "Corrections go into the shared standard the agent reads",
        );
        // The coaching job mistyped a measurement and voided it the same day.
        if family == 1 && w == iw + 1 && w < self.weeks {
            let at = self.day(w, 2, 15);
            let typo = round1(level * 10.0);
            self.value(
                out,
                at,
                Instrument,
                Phase::Live,
                typo,
                Some("typed in a hurry"),
            );
            out.push((
                self.day(w, 2, 16),
                lead.into(),
                Act::VoidTypo {
                    slug: self.slug.clone(),
                    kind: Instrument,
                    typed: typo,
                    reason: format!("typo: meant {}", round1(level)),
                },
            ));
        }
    }

    /// Govern: the irreversible decision, its threshold and its owner's sign-off.
    fn governance(&mut self, out: &mut Vec<Step>, w: u32) {
        use LoopKind::*;
        let (lead, j) = (self.lead, self.j);
        let family = j % TEMPLATES.len();
        // Govern: the approval threshold and the owner of the irreversible decision, who signs it
        // off the next day.
        let decider = OWNERS[(j + 3) % OWNERS.len()];
        if w == 1 {
            self.on(
                out,
                self.day(1, 2, 15),
                lead,
                Govern,
                LoopOp::Decide {
                    text: "The agent may send customer-facing messages without review".into(),
                    owner: decider.into(),
                    threshold: Some(
                        "only below 0.2 risk score; everything else waits for a person".into(),
                    ),
                },
            );
            self.on(
                out,
                self.day(1, 2, 16),
                lead,
                Govern,
                LoopOp::MarkStep {
                    n: 2,
                    evidence: Some("Thresholds written into the routing config".into()),
                },
            );
            if family != 1 {
                out.push((
                    self.day(1, 3, 9),
                    decider.into(),
                    Act::Approve {
                        slug: self.slug.clone(),
                        kind: Govern,
                    },
                ));
            }
        }
    }

    /// Improve: what the team learned, and a mistake that came back after a change.
    fn learning(&mut self, out: &mut Vec<Step>, w: u32) {
        use LoopKind::*;
        let lead = self.lead;
        // Improve: what the team learned, and a mistake that came back after a change.
        if w == 1 {
            self.on(
                out,
                self.day(1, 4, 11),
                lead,
                Improve,
                LoopOp::Learn {
                    text: "Tickets from resellers were routed as direct customers".into(),
                    kind: LearningType::Mistake,
                    tag: Some("reseller-routing".into()),
                    capability: Some(Capability::Reality),
                },
            );
        }
        if w == 2 {
            self.on(
                out,
                self.day(2, 4, 11),
                lead,
                Improve,
                LoopOp::Learn {
                    text: "Reseller accounts are now a field the agent reads".into(),
                    kind: LearningType::Change,
                    tag: Some("reseller-routing".into()),
                    capability: None,
                },
            );
        }
    }

    /// Distribute: proof published, then its outcome tracked.
    fn distribution(&mut self, out: &mut Vec<Step>, w: u32) {
        use LoopKind::*;
        let (lead, j, t) = (self.lead, self.j, self.t);
        let family = j % TEMPLATES.len();
        // Distribute starts late: proof has to exist first.
        if w == 5 {
            self.on(
                out,
                self.day(5, 1, 11),
                lead,
                Distribute,
                LoopOp::MarkStep {
                    n: 1,
                    evidence: Some("One-page case with before/after numbers".into()),
                },
            );
            let at = self.day(5, 1, 12);
            out.push((
                at,
                lead.into(),
                Act::Do(Intent::AddProof {
                    slug: self.slug.clone(),
                    title: format!("Case: {}", t.title.to_lowercase()),
                    kind: ProofKind::Case,
                    visibility: Visibility::Public,
                    link: None,
                    at: When::Day(at.local_date()),
                }),
            ));
        }
        if w == 7 && family != 0 {
            out.push((
                self.day(7, 2, 10),
                lead.into(),
                Act::TrackProof {
                    slug: self.slug.clone(),
                    counts: ProofOutcome {
                        replies: 4,
                        citations: 1,
                        intros: 2,
                        bookings: 1,
                        sales: 0,
                        reuse: 3,
                    },
                },
            ));
        }
    }

    /// Kill signals tripped by the lead: one undecided, one decided to continue.
    fn signals(&mut self, out: &mut Vec<Step>, w: u32) {
        use LoopKind::*;
        let (lead, j) = (self.lead, self.j);
        let family = j % TEMPLATES.len();
        // The coaching job's instrument loop reports adoption: its kill signal is tripped, undecided.
        if family == 1 && self.weeks > 2 && w == self.weeks - 2 {
            self.on(
                out,
                self.day(w, 2, 17),
                lead,
                Instrument,
                LoopOp::Trip {
                    n: Some(1),
                    reason: "The weekly update counts sessions analysed, not follow-up quality"
                        .into(),
                    evidence: Some("Slides of the last two reviews".into()),
                },
            );
        }
        // The invoice job added its own kill signal, tripped it, and decided to continue.
        if family == 2 && self.weeks > 4 {
            let steps = [
                (
                    2,
                    0,
                    12,
                    LoopOp::AddKillSignal {
                        text: "Duplicate payments reach the bank run".into(),
                        rule: None,
                        reason: None,
                    },
                ),
                (
                    4,
                    1,
                    12,
                    LoopOp::Trip {
                        n: Some(2),
                        reason: "One duplicate paid in week 5".into(),
                        evidence: Some("AP ticket 4411".into()),
                    },
                ),
                (
                    4,
                    2,
                    9,
                    LoopOp::Continue {
                        reason: "Caught by the bank; a duplicate check now runs before payment"
                            .into(),
                    },
                ),
            ];
            for (sw, d, h, op) in steps {
                if w == sw {
                    self.on(out, self.day(sw, d, h), lead, Improve, op);
                }
            }
        }
    }

    /// The weekly compound test.
    fn compound_test(&mut self, out: &mut Vec<Step>, w: u32) {
        let (lead, j) = (self.lead, self.j);
        let family = j % TEMPLATES.len();
        // The compound test every Friday; one job leaves last week's open (an overdue cycle).
        if !(family == 1 && w + 1 == self.weeks) {
            let answers = CompoundAnswers {
                understanding: Some(self.rng.chance(0.85)),
                explanation: Some(self.rng.chance(0.75)),
                creation: Some(self.rng.chance(0.7)),
                distribution: Some(w > 3 && self.rng.chance(0.6)),
                note: Some(format!("week {} review", w + 1)),
                ..CompoundAnswers::default()
            };
            out.push((
                self.day(w, 4, 16),
                lead.into(),
                Act::Do(Intent::CloseCycle {
                    slug: self.slug.clone(),
                    week: Some(Week::of(self.day(w, 0, 0).local_date())),
                    answers,
                }),
            ));
        }
    }
}

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
    let mut scripts: Vec<Script> = (0..jobs)
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
        .collect();
    let mut records = 0usize;
    // Ids from the seed: the same seed in the same week gives the same file.
    let ids = Ids::seeded(seed);
    store.batch(&mut |batch| {
        for w in 0..weeks {
            let mut steps: Vec<(usize, Step)> = Vec::new();
            for (i, s) in scripts.iter_mut().enumerate() {
                steps.extend(s.week(w).into_iter().map(|step| (i, step)));
            }
            // The week in time order; each job's own steps keep their order.
            steps.sort_by_key(|(i, (at, _, _))| (*at, *i));
            for (_, (at, who, act)) in steps {
                let ctx = Ctx::local(who, at).with_ids(ids.clone());
                let intent = match act {
                    Act::Do(intent) => intent,
                    Act::VoidTypo {
                        slug,
                        kind,
                        typed,
                        reason,
                    } => {
                        let r = batch.loop_record(&slug, kind)?;
                        let Some(v) = r.values.iter().rev().find(|v| v.value == typed) else {
                            continue;
                        };
                        Intent::OnLoop {
                            slug,
                            kind,
                            op: LoopOp::Void {
                                record: v.id.clone(),
                                reason,
                            },
                        }
                    }
                    Act::Approve { slug, kind } => {
                        let r = batch.loop_record(&slug, kind)?;
                        let Some(d) = r.current_decisions().find(|d| d.approved_at.is_none())
                        else {
                            continue;
                        };
                        Intent::OnLoop {
                            slug,
                            kind,
                            op: LoopOp::Approve {
                                decision: d.id.clone(),
                            },
                        }
                    }
                    Act::TrackProof { slug, counts } => {
                        let Some(p) = batch.proofs(&slug)?.into_iter().next() else {
                            continue;
                        };
                        Intent::TrackProof {
                            slug,
                            proof: p.id,
                            counts,
                        }
                    }
                };
                batch.apply(&ctx, &intent)?;
                records += 1;
            }
            on_week(u64::from(w) + 1, u64::from(weeks));
        }
        Ok(())
    })?;
    Ok(store::Ack {
        summary: format!("loaded the demo: {jobs} jobs over {weeks} weeks ({records} commands)"),
        changed: true,
        seq: None,
        next: None,
    })
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
