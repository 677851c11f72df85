//! The job view as one view model, computed once from what the store read: `job show` prints it
//! and the TUI's job view styles it, so both show the same facts in the same order — the
//! statement and canvas, the six loops with what needs the lead, the redesigned workflow, the
//! tools, the proof and every cycle. Each front end adds only how to act (`Ask`) and its layout.

use crate::display::{clean, clean_multiline, loop_line};
use crate::domain::flow::{FlowView, StepView};
use crate::domain::model::{Cycle, Performer, Proof, Status, Verdict, short_id};
use crate::domain::review::JobReview;
use crate::loop_view::{Ask, Row, RowKind, Tone};
use crate::store::JobDetail;

#[derive(Clone, Debug, PartialEq)]
pub struct JobView {
    /// `slug  title`.
    pub title: String,
    pub archived: bool,
    pub lead: Option<String>,
    /// The statement and the canvas: a label and the text as typed (cleaned), `""` when empty.
    pub fields: Vec<(&'static str, String)>,
    pub sections: Vec<JobSection>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct JobSection {
    pub part: JobPart,
    pub rows: Vec<Row>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobPart {
    Loops,
    Flow,
    Tools,
    Proof,
    Cycles,
}

impl JobPart {
    pub fn heading(self) -> &'static str {
        match self {
            JobPart::Loops => "Loops",
            JobPart::Flow => "Flow",
            JobPart::Tools => "Tools",
            JobPart::Proof => "Proof",
            JobPart::Cycles => "Cycles",
        }
    }

    /// What the columns of the section's rows are, when they need saying.
    pub fn legend(self) -> Option<&'static str> {
        (self == JobPart::Cycles)
            .then_some("compound test: understanding explanation creation distribution")
    }
}

fn row(text: impl Into<String>, tone: Tone, depth: u8) -> Row {
    Row {
        text: text.into(),
        tone,
        depth,
        kind: RowKind::Fact,
    }
}

fn ask(text: impl Into<String>, tone: Tone, depth: u8, ask: Ask) -> Row {
    Row {
        kind: RowKind::Ask(ask),
        ..row(text, tone, depth)
    }
}

impl JobView {
    pub fn of(d: &JobDetail) -> JobView {
        let j = &d.job;
        let c = &j.canvas;
        let fields = [
            ("statement", &j.statement),
            ("performer", &c.performer),
            ("circumstance", &c.circumstance),
            ("current workaround", &c.workaround),
            ("functional job", &c.functional_job),
            ("emotional job", &c.emotional_job),
            ("social job", &c.social_job),
            ("competing solutions", &c.competing_solutions),
            ("hiring criteria", &c.hiring_criteria),
        ]
        .into_iter()
        .map(|(label, v)| (label, clean_multiline(v)))
        .collect();
        let mut sections = Vec::new();
        if let Some(r) = &d.review {
            sections.push(JobSection {
                part: JobPart::Loops,
                rows: loops(r),
            });
            sections.push(JobSection {
                part: JobPart::Flow,
                rows: flow(&r.flow),
            });
        }
        let tools = if d.tools.is_empty() {
            vec![ask("none selected yet", Tone::Muted, 0, Ask::AddTool)]
        } else {
            d.tools
                .iter()
                .map(|t| {
                    let shown = format!("{}  {}  {}", short_id(&t.id), t.at, clean(&t.name));
                    match &t.void {
                        None => row(shown, Tone::Plain, 0),
                        Some(v) => row(
                            format!("{shown}  void: {}", clean(&v.reason)),
                            Tone::Muted,
                            0,
                        ),
                    }
                })
                .collect()
        };
        sections.push(JobSection {
            part: JobPart::Tools,
            rows: tools,
        });
        sections.push(JobSection {
            part: JobPart::Proof,
            rows: proofs(&d.proofs),
        });
        sections.push(JobSection {
            part: JobPart::Cycles,
            rows: cycles(&d.cycles),
        });
        JobView {
            title: format!("{}  {}", clean(&j.slug), clean(&j.title)),
            archived: j.archived_at.is_some(),
            lead: j.lead.as_deref().map(|l| clean(l).into_owned()),
            fields,
            sections,
        }
    }
}

/// Where the job stands, each loop on a line, then what needs the lead: flags, sign-offs
/// recorded on an owner's word, kill signals the data suggests.
fn loops(j: &JobReview) -> Vec<Row> {
    let mut rows = facts(j);
    flags(j, &mut rows);
    witnessed(j, &mut rows);
    suggested(j, &mut rows);
    rows
}

/// Where the job stands: the loop open now, the compound test due, the last one's answer, and
/// each loop on a line.
fn facts(j: &JobReview) -> Vec<Row> {
    let mut rows = vec![row(
        format!(
            "open now: {}",
            j.open_now
                .map_or("none (every loop closed or killed)", |k| k.name())
        ),
        Tone::Muted,
        0,
    )];
    if let Some(week) = j.cycle.overdue_week() {
        rows.push(ask(
            format!("{week}'s compound test is overdue"),
            Tone::Alert,
            0,
            Ask::CloseCycle(Some(week)),
        ));
    } else if j.cycle.due {
        rows.push(ask(
            format!("compound test due for {}", j.cycle.week),
            Tone::Muted,
            0,
            Ask::CloseCycle(None),
        ));
    }
    if let Some(c) = &j.last_compound {
        let said = match (c.compounds, j.next_job, j.next_job_status) {
            (true, _, _) => row(format!("{}: compounds", c.week), Tone::Muted, 0),
            (false, Some(k), Some(Status::Killed)) => ask(
                format!("{}: next job is {k}, which was killed", c.week),
                Tone::Alert,
                0,
                Ask::Reopen(k),
            ),
            (false, Some(k), _) => row(format!("{}: next job is {k}", c.week), Tone::Muted, 0),
            (false, None, _) => row(c.week.clone(), Tone::Muted, 0),
        };
        rows.push(said);
    }
    for l in &j.loops {
        rows.push(row(
            loop_line(l).trim().to_string(),
            Tone::Status(l.status),
            0,
        ));
    }
    rows
}

/// Each loop's flags, each a question for the lead.
fn flags(j: &JobReview, rows: &mut Vec<Row>) {
    for l in &j.loops {
        for f in &l.flags {
            rows.push(ask(
                format!("{:<11} {}", l.kind.name(), f.problem()),
                Tone::Alert,
                1,
                Ask::Flag(l.kind, *f),
            ));
        }
    }
}

/// Sign-offs someone recorded on an owner's word, so the lead sees who vouched.
fn witnessed(j: &JobReview, rows: &mut Vec<Row>) {
    for l in &j.loops {
        for w in &l.witnessed_sign_offs {
            rows.push(row(
                format!(
                    "{:<11} {} recorded {}'s sign-off of {} on {} on their word: {}",
                    l.kind.name(),
                    clean(&w.witnessed_by),
                    clean(&w.owner),
                    short_id(&w.id),
                    w.at.local_date(),
                    clean(&w.text)
                ),
                Tone::Muted,
                1,
            ));
        }
    }
}

/// Kill signals the data suggests, each for the lead to add or not.
fn suggested(j: &JobReview, rows: &mut Vec<Row>) {
    for l in &j.loops {
        for s in &l.suggested_kill_signals {
            rows.push(ask(
                format!(
                    "{:<11} suggested: {} — {}",
                    l.kind.name(),
                    clean(&s.text),
                    clean(&s.why)
                ),
                Tone::Alert,
                1,
                Ask::Suggested(l.kind, s.cure),
            ));
        }
    }
}

/// The flow as lanes (agent · system · human): each step numbered in flow order, with its
/// kind, role or gate, data classes, owner and critic state; the work removed and the open
/// incidents below.
fn flow(flow: &FlowView) -> Vec<Row> {
    if flow.steps.is_empty() {
        return vec![ask("not mapped yet", Tone::Muted, 0, Ask::MapFlow)];
    }
    let mut rows = vec![row(
        format!("{} steps, lanes agent · system · human", flow.steps.len()),
        Tone::Muted,
        0,
    )];
    for lane in [Performer::Agent, Performer::System, Performer::Human] {
        let steps: Vec<(usize, &StepView)> = flow
            .steps
            .iter()
            .enumerate()
            .filter(|(_, st)| st.by == lane)
            .collect();
        if steps.is_empty() {
            continue;
        }
        rows.push(row(lane.to_string(), Tone::Title, 0));
        for (i, st) in steps {
            rows.push(row(step_line(i, st), Tone::Plain, 1));
            if let Some((gov, failed)) = governance(st) {
                let tone = if failed { Tone::Alert } else { Tone::Muted };
                rows.push(row(gov, tone, 2));
            }
        }
    }
    if !flow.dropped.is_empty() {
        let names: Vec<String> = flow
            .dropped
            .iter()
            .map(|d| clean(&d.name).into_owned())
            .collect();
        rows.push(row(
            format!("work removed: {}", names.join(", ")),
            Tone::Muted,
            0,
        ));
    }
    for i in flow.incidents.iter().filter(|i| i.open) {
        rows.push(row(
            format!(
                "incident {} {} at {}: {}",
                short_id(&i.id),
                i.severity,
                clean(&i.step),
                clean(&i.what)
            ),
            Tone::Alert,
            0,
        ));
    }
    rows
}

/// A step: its number in flow order, name, kind, role or gate, irreversibility, data classes.
fn step_line(i: usize, st: &StepView) -> String {
    let mut what = vec![st.kind.to_string()];
    if let Some(r) = st.role {
        what.push(r.to_string());
    }
    if let Some(g) = st.gate {
        what.push(format!("{g} gate"));
    }
    if st.irreversible {
        what.push("irreversible".into());
    }
    let data = if st.data.is_empty() {
        String::new()
    } else {
        format!("  [{}]", crate::domain::flow::classes(&st.data))
    };
    format!(
        "{:>2} {} · {}{data}",
        i + 1,
        clean(&st.name),
        what.join(" · ")
    )
}

/// A step's owner, approval, critics and open incidents; whether any of them failed.
fn governance(st: &StepView) -> Option<(String, bool)> {
    let g = &st.governance;
    let mut gov = Vec::new();
    if let Some(o) = &g.owner {
        gov.push(format!("owner {}", clean(o)));
    }
    if let Some(a) = &g.approval {
        gov.push(format!("approval: {}", clean(a)));
    }
    let mut failed = false;
    for c in &g.critics {
        let state = match &c.latest {
            Some(l) if l.result == Verdict::Fail => {
                failed = true;
                "FAIL"
            }
            Some(_) => "pass",
            None => "no result",
        };
        gov.push(format!("critic {} ({}): {state}", clean(&c.name), c.by));
    }
    if st.open_incidents > 0 {
        gov.push(format!("{} open incident(s)", st.open_incidents));
        failed = true;
    }
    (!gov.is_empty()).then(|| (gov.join(" · "), failed))
}

/// Each proof artifact and what it brought back.
fn proofs(proofs: &[Proof]) -> Vec<Row> {
    if proofs.is_empty() {
        return vec![ask("none yet", Tone::Muted, 0, Ask::AddProof)];
    }
    let mut rows = Vec::new();
    for p in proofs {
        let (line, outcome) = proof_lines(p);
        rows.push(row(line, Tone::Plain, 0));
        rows.push(row(outcome, Tone::Muted, 2));
    }
    rows
}

/// A proof's line and what it brought back, as the job view and `proof list` show them.
pub(crate) fn proof_lines(p: &Proof) -> (String, String) {
    let line = format!(
        "{}  {}  {:<9} {:<7} {}",
        short_id(&p.id),
        p.at,
        p.kind,
        p.visibility,
        clean(&p.title)
    );
    let outcome = match p.outcome {
        None => "no outcome tracked".to_string(),
        Some(o) => format!(
            "{} replies · {} citations · {} intros · {} bookings · {} sales · {} reuse",
            o.replies, o.citations, o.intros, o.bookings, o.sales, o.reuse
        ),
    };
    (line, outcome)
}

/// Every compound test, newest first: its answers, the next job it named, its notes.
fn cycles(cycles: &[Cycle]) -> Vec<Row> {
    if cycles.is_empty() {
        return vec![ask(
            "none closed yet",
            Tone::Muted,
            0,
            Ask::CloseCycle(None),
        )];
    }
    let mut rows = Vec::new();
    for c in cycles.iter().rev() {
        let (line, notes) = cycle_lines(c);
        rows.push(row(line, Tone::Plain, 0));
        rows.extend(notes.into_iter().map(|n| row(n, Tone::Muted, 2)));
    }
    rows
}

/// A compound test's line (week, answers, verdict) and its layers' notes, as the job view and
/// `cycle list` show them.
pub(crate) fn cycle_lines(c: &Cycle) -> (String, Vec<String>) {
    let answers: Vec<&str> = c
        .answers()
        .iter()
        .map(|(_, ok, _)| if *ok { "yes" } else { "no " })
        .collect();
    let verdict = match c.next_job() {
        None => "compounds".to_string(),
        Some(k) => format!("next job: {k}"),
    };
    let note = if c.note.is_empty() {
        String::new()
    } else {
        format!(" — {}", clean(&c.note))
    };
    let late = c
        .backfilled()
        .map(|d| format!(" (backfilled on {d})"))
        .unwrap_or_default();
    let line = format!("{}  {}  {verdict}{late}{note}", c.week, answers.join(" "));
    let notes = c
        .answers()
        .into_iter()
        .filter(|(_, _, n)| !n.is_empty())
        .map(|(layer, _, n)| format!("{}: {}", layer.name(), clean(n)))
        .collect();
    (line, notes)
}
