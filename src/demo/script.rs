//! The weekly routine of one demo job, played week by week: setup, checklists, measures,
//! governance, learning, distribution, signals and the compound test, each a small piece.

use chrono::{Days, Duration};

use super::*;

mod flow;

/// One scripted command: when, who, what. Some commands name a record made earlier in the
/// script (by an id only the store knows): they are resolved when they run.
pub(super) type Step = (Stamp, String, Act);

pub(super) enum Act {
    /// Boxed: an intent is far larger than the other acts.
    Do(Box<Intent>),
    /// Void the latest value recorded with this number.
    VoidTypo {
        slug: String,
        kind: LoopKind,
        typed: f64,
        reason: String,
    },
    /// The decision's owner signs off the loop's pending decision.
    Approve { slug: String, kind: LoopKind },
    /// Record the fix of the job's first open incident.
    FixIncident { slug: String, change: String },
    /// Track what the job's first proof brought back.
    TrackProof { slug: String, counts: ProofOutcome },
}

/// The weekly routine of one job, played week by week.
pub(super) struct Script {
    pub(super) j: usize,
    pub(super) t: &'static Template,
    pub(super) slug: String,
    pub(super) title: String,
    pub(super) lead: &'static str,
    pub(super) weeks: u32,
    pub(super) rng: Rng,
    pub(super) first_monday: chrono::NaiveDate,
    /// The week of the instrument loop's intervention (the improve loop's is one later).
    pub(super) iw: u32,
}

pub(super) fn round1(v: f64) -> f64 {
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
            Act::Do(Box::new(Intent::OnLoop {
                slug: self.slug.clone(),
                kind,
                op,
            })),
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
                typed: None,
                source: None,
                at: When::Day(at.local_date()),
                note: note.map(str::to_string),
                reason: None,
                guard: None,
                shown: None,
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
                LoopOp::intervene(intervention.to_string(), When::Day(at.local_date())),
            );
        }
        let drift = trend * 3.5;
        for d in [1u64, 3] {
            let v = round1((level + drift + self.rng.noise(sd)).max(0.0));
            self.value(out, self.day(w, d, 15), kind, Phase::Live, v, None);
        }
    }

    /// One week of a job's story: each piece of it in its own function below.
    pub(super) fn week(&mut self, w: u32) -> Vec<Step> {
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
    pub(super) fn setup(&mut self, out: &mut Vec<Step>) {
        let (lead, j, t) = (self.lead, self.j, self.t);
        let family = j % TEMPLATES.len();
        out.push((
            self.day(0, 0, 9),
            lead.into(),
            Act::Do(Box::new(Intent::AddJob {
                title: self.title.clone(),
                slug: Some(self.slug.clone()),
                statement: Some(t.statement.into()),
                owner: None,
                since: None,
            })),
        ));
        let c = t.canvas;
        out.push((
            self.day(0, 0, 10),
            lead.into(),
            Act::Do(Box::new(Intent::EditJob {
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
            })),
        ));
        for (i, kind) in LoopKind::ALL.into_iter().enumerate() {
            let name = OWNERS[(j + i + 1) % OWNERS.len()];
            self.on(
                out,
                self.day(0, 0, 11),
                lead,
                kind,
                LoopOp::assign_owner(name),
            );
        }
        // The invoice job picked its tool before mapping the workflow: a suggested signal.
        if family == 2 {
            let at = self.day(0, 1, 8);
            out.push((
                at,
                lead.into(),
                Act::Do(Box::new(Intent::SelectTool {
                    slug: self.slug.clone(),
                    name: "InvoiceBot".into(),
                    at: When::Day(at.local_date()),
                })),
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
                shown: None,
                target_was: None,
            },
        );
        self.on(
            out,
            self.day(0, 1, 9),
            lead,
            Improve,
            LoopOp::metric("repeat mistakes", "per week", Better::Lower),
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
            LoopOp::kill_signal(
                "The metric slides back to where it started",
                Some("worse-than-baseline 10% for 3"),
            ),
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
        self.flow(out);
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
                    step: None,
                    about: None,
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
                    incident: None,
                    about: None,
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
                    incident: None,
                    about: None,
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
                Act::Do(Box::new(Intent::AddProof {
                    slug: self.slug.clone(),
                    title: format!("Case: {}", t.title.to_lowercase()),
                    kind: ProofKind::Case,
                    visibility: Visibility::Public,
                    link: None,
                    at: When::Day(at.local_date()),
                })),
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
                    LoopOp::kill_signal("Duplicate payments reach the bank run", None),
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
                Act::Do(Box::new(Intent::CloseCycle {
                    slug: self.slug.clone(),
                    week: Some(Week::of(self.day(w, 0, 0).local_date())),
                    answers,
                })),
            ));
        }
    }
}
