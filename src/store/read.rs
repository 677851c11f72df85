//! Reads for the board, the review, a loop, a job, the log and the digest. The board reads one
//! row of derived state per loop and per job — never the loops' history; a loop's detail and a
//! job's view read that one loop's or job's records.

use std::collections::HashMap;

use super::load::{self, job_by_slug};
use super::rows::{self, JOB_COLS};
use super::sql::{Db, Undecodable, params};
use super::{Error, Result, Store};
use crate::domain::LoopKind;
use crate::domain::flow::{Flow, FlowView};
use crate::domain::loop_record::LoopRecord;
use crate::domain::model::*;
use crate::domain::review::{self, JobInput, JobReview, LoopReview};
use crate::domain::rules::KillRule;
use crate::domain::state::{JobState, LoopState};
use crate::domain::time::{Stamp, Week};
use crate::domain::verify::Table;

mod undo;

/// The jobs on the board with their stored state, and the rows that could not be read.
#[derive(Clone, Debug, Default)]
pub struct Board {
    pub jobs: Vec<JobInput>,
    pub unreadable: Vec<Undecodable>,
    /// Jobs whose stored derived state was missing or unreadable, shown as computed from their
    /// records instead (a review never drops a job for a damaged cache: its tripped signals and
    /// overdue tests are in it); `doctor --repair` rebuilds the stored state.
    pub recomputed: Vec<String>,
    /// Read from the shared database, where each person signs off as themselves.
    pub team: bool,
}

impl Board {
    pub fn review(&self, now: Stamp) -> review::Review {
        // Each job's review is independent: the large boards are reviewed on several cores.
        let week = crate::domain::time::Week::containing(now);
        let jobs = crate::par::map(&self.jobs, |j| review::job_review(j, now, week));
        review::assemble(jobs, now, self.team)
    }
}

/// Everything `loop show` and the TUI's loop detail display.
#[derive(Clone, Debug)]
pub struct LoopDetail {
    pub record: LoopRecord,
    /// The loop as the review sees it (comparison, flags, suggestions, rule checks).
    pub review: Option<LoopReview>,
    /// The loop's most recent audit events, newest first.
    pub events: Vec<AuditEvent>,
}

/// Everything the flow's views (`flow list`, `flow export`, the register, the TUI's lanes)
/// read of one job.
#[derive(Clone, Debug)]
pub struct FlowDetail {
    pub job: Job,
    pub flow: Flow,
    /// The decisions in force of every loop of the job, with their loop.
    pub decisions: Vec<(LoopKind, Decision)>,
    /// The job as the review sees it (its loops' kill signals and suggestions).
    pub review: Option<JobReview>,
}

impl FlowDetail {
    pub fn view(&self) -> FlowView {
        let decisions: Vec<Decision> = self.decisions.iter().map(|(_, d)| d.clone()).collect();
        FlowView::of(&self.flow, &decisions)
    }
}

/// The decisions in force (neither voided nor amended) of every loop of a job.
fn decisions_of(db: &mut dyn Db, job_id: &JobId) -> Result<Vec<(LoopKind, Decision)>> {
    let loops: Vec<(String, String)> = db.all(
        "SELECT id, kind FROM loops WHERE job_id = ?1 ORDER BY position",
        params![job_id],
        text_pair,
    )?;
    let mut out = Vec::new();
    for (id, kind) in loops {
        let Some(kind) = LoopKind::from_name(&kind) else {
            continue;
        };
        let all = db.all(
            &format!(
                "SELECT {} FROM decisions WHERE loop_id = ?1 ORDER BY at, id",
                super::tables::DECISION_COLS
            ),
            params![id],
            rows::decision,
        )?;
        for d in all.iter().filter(|d| {
            d.void.is_none()
                && !all
                    .iter()
                    .any(|n| n.supersedes.as_ref() == Some(&d.id) && n.void.is_none())
        }) {
            out.push((kind, d.clone()));
        }
    }
    Ok(out)
}

fn flow_detail_of(db: &mut dyn Db, job: Job, now: Stamp) -> Result<FlowDetail> {
    let id = job.id.clone();
    let board = inputs(db, vec![job.clone()], Which::One(&id))?;
    let review = board
        .jobs
        .first()
        .map(|j| review::job_review(j, now, Week::containing(now)));
    Ok(FlowDetail {
        flow: load::flow_of(db, &id)?,
        decisions: decisions_of(db, &id)?,
        review,
        job,
    })
}

/// What `publish` writes of one job: its loops' records, its flow and decisions, its proofs.
#[derive(Clone, Debug)]
pub struct PublishMaterial {
    pub detail: FlowDetail,
    pub records: Vec<LoopRecord>,
    pub proofs: Vec<Proof>,
}

/// Everything the job view and `job show` display.
#[derive(Clone, Debug)]
pub struct JobDetail {
    pub job: Job,
    pub review: Option<JobReview>,
    pub cycles: Vec<Cycle>,
    pub tools: Vec<Tool>,
    pub proofs: Vec<Proof>,
    /// Read from the shared database.
    pub team: bool,
}

fn text_pair(r: &dyn super::sql::Row) -> Result<(String, String)> {
    Ok((
        r.text(0)?.unwrap_or_default().to_string(),
        r.text(1)?.unwrap_or_default().to_string(),
    ))
}

/// A job's records, whole: what the HTML report reads (its charts need every value).
#[derive(Clone, Debug)]
pub struct JobRecords {
    /// The six loops, in the spec's order.
    pub loops: Vec<LoopRecord>,
    pub cycles: Vec<Cycle>,
    pub tools: Vec<Tool>,
    pub proofs: Vec<Proof>,
    pub job: Job,
    /// The week its history begins (`job::history_start`): a report of an earlier week leaves
    /// the job out.
    pub history_start: Week,
}

fn records_of(db: &mut dyn Db, job: Job) -> Result<JobRecords> {
    let mut loops = Vec::with_capacity(6);
    for kind in LoopKind::ALL {
        loops.push(load::loop_of(db, job.clone(), kind)?);
    }
    Ok(JobRecords {
        loops,
        cycles: load::cycles_of(db, &job.id)?,
        tools: load::tools_of(db, &job.id)?,
        proofs: load::proofs_of(db, &job.id)?,
        history_start: load::history_start(db, &job)?,
        job,
    })
}

/// Whose stored state `inputs` reads.
enum Which<'a> {
    /// Every job's.
    All,
    /// One job's, by id.
    One(&'a JobId),
    /// The first active jobs in board order (the TUI's first screen).
    First(i64),
}

/// The stored state of `jobs` (in their order): one job-state row each, six loop-state rows each.
fn inputs(db: &mut dyn Db, jobs: Vec<Job>, which: Which) -> Result<Board> {
    let mut board = Board {
        team: db.engine() == super::sql::Engine::Postgres,
        ..Board::default()
    };
    let (job_sql, loop_sql, p) = state_queries(&which);
    let mut job_states = job_states(db, job_sql, &p)?;
    let mut loop_states = loop_states(db, loop_sql, &p)?;
    for job in jobs {
        let state = job_states.remove(job.id.as_str());
        let loops = loop_states.remove(job.id.as_str()).unwrap_or_default();
        match board_row(&job, state, loops) {
            Ok(input) => board.jobs.push(input),
            Err(damaged) => match recomputed(db, &job)? {
                Some(input) => {
                    board.recomputed.push(job.slug.clone());
                    board.jobs.push(input);
                }
                None => board.unreadable.push(damaged),
            },
        }
    }
    Ok(board)
}

/// A job's state computed from its records, as `doctor --repair` would store it: `None` when
/// its records cannot be read either.
fn recomputed(db: &mut dyn Db, job: &Job) -> Result<Option<JobInput>> {
    let records = match records_of(db, job.clone()) {
        Ok(r) => r,
        Err(e) if matches!(e.bare(), Error::Undecodable(_) | Error::Storage(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(JobInput {
        job: job.clone(),
        state: JobState::compute(&records.cycles, &records.tools, &records.proofs),
        loops: records.loops.iter().map(LoopState::compute).collect(),
    }))
}

/// The queries (and their parameter) that read the job states and loop states of `which`.
fn state_queries<'a>(which: &Which<'a>) -> (&'static str, &'static str, Vec<super::sql::P<'a>>) {
    match *which {
        Which::One(id) => (
            "SELECT job_id, state FROM job_state WHERE job_id = ?1",
            "SELECT job_id, state, loop_id FROM loop_state WHERE job_id = ?1",
            vec![super::sql::ToP::p(id)],
        ),
        Which::First(n) => (
            "SELECT job_id, state FROM job_state WHERE job_id IN (SELECT id FROM jobs
             WHERE archived_at IS NULL ORDER BY created_at, slug LIMIT ?1)",
            "SELECT job_id, state, loop_id FROM loop_state WHERE job_id IN (SELECT id FROM jobs
             WHERE archived_at IS NULL ORDER BY created_at, slug LIMIT ?1)",
            vec![super::sql::P::Int(n)],
        ),
        Which::All => (
            "SELECT job_id, state FROM job_state",
            "SELECT job_id, state, loop_id FROM loop_state",
            vec![],
        ),
    }
}

/// Each job's stored state, by job id (a state that cannot be parsed is left out).
fn job_states(
    db: &mut dyn Db,
    sql: &str,
    p: &[super::sql::P],
) -> Result<HashMap<String, JobState>> {
    // Each state is parsed straight from the row it is read from (no copy of the text).
    let mut job_states: HashMap<String, JobState> = HashMap::new();
    db.each(sql, p, &mut |r| {
        let job = r.text(0)?.unwrap_or_default();
        if let Ok(s) = serde_json::from_str::<JobState>(r.text(1)?.unwrap_or_default()) {
            job_states.insert(job.to_string(), s);
        }
        Ok(())
    })?;
    Ok(job_states)
}

/// A loop's stored state, parsed, or the loop's id and why it cannot be.
type ParsedLoop = std::result::Result<LoopState, (String, String)>;

/// Each loop's stored state, parsed, by job id (in the order read).
fn loop_states(
    db: &mut dyn Db,
    sql: &str,
    p: &[super::sql::P],
) -> Result<HashMap<String, Vec<ParsedLoop>>> {
    // The loop states are read first and parsed on every core: parsing is most of the cost of
    // reading a large board.
    let mut texts: Vec<(String, String, String)> = Vec::new();
    db.each(sql, p, &mut |r| {
        texts.push((
            r.text(0)?.unwrap_or_default().to_string(),
            r.text(2)?.unwrap_or_default().to_string(),
            r.text(1)?.unwrap_or_default().to_string(),
        ));
        Ok(())
    })?;
    let parsed: Vec<ParsedLoop> = crate::par::map(&texts, |(_, id, text)| {
        serde_json::from_str::<LoopState>(text).map_err(|e| (id.clone(), e.to_string()))
    });
    let mut loop_states: HashMap<String, Vec<ParsedLoop>> = HashMap::new();
    for ((job, _, _), p) in texts.into_iter().zip(parsed) {
        loop_states.entry(job).or_default().push(p);
    }
    Ok(loop_states)
}

/// One job on the board when its state and all six loop states could be read; otherwise a row
/// that cannot be read, saying which.
/// The job with its stored states, or the job and why they cannot be used.
fn board_row(
    job: &Job,
    state: Option<JobState>,
    parsed: Vec<ParsedLoop>,
) -> std::result::Result<JobInput, Undecodable> {
    let mut loops: Vec<LoopState> = Vec::new();
    let mut bad = None;
    for parsed in parsed {
        match parsed {
            Ok(l) => loops.push(l),
            Err(e) => bad = Some(e),
        }
    }
    loops.sort_by_key(|l| l.kind);
    match (state, bad) {
        (Some(state), None) if loops.len() == 6 => Ok(JobInput {
            job: job.clone(),
            state,
            loops,
        }),
        (_, Some((id, why))) => Err(Undecodable {
            table: Table::LoopState,
            id,
            why: format!("its derived state cannot be read ({why})"),
        }),
        _ => Err(Undecodable {
            table: Table::JobState,
            id: job.slug.clone(),
            why: "its derived state is missing".into(),
        }),
    }
}

/// Jobs in board order (the first `limit` of them, when given), skipping (and reporting) rows
/// that cannot be read.
fn read_jobs(
    db: &mut dyn Db,
    include_archived: bool,
    limit: Option<i64>,
    skipped: &mut Vec<Undecodable>,
) -> Result<Vec<Job>> {
    let mut jobs = Vec::new();
    let sql = format!(
        "SELECT {JOB_COLS} FROM jobs WHERE ?1 = 1 OR archived_at IS NULL ORDER BY created_at, slug{}",
        if limit.is_some() { " LIMIT ?2" } else { "" }
    );
    // SQLite ignores parameters the text does not name; PostgreSQL refuses them.
    let n = limit.unwrap_or(0);
    let limited = params![include_archived, n];
    db.each(
        &sql,
        if limit.is_some() {
            limited
        } else {
            &limited[..1]
        },
        &mut |r| {
            match rows::job(r) {
                Ok(j) => jobs.push(j),
                Err(Error::Undecodable(u)) => skipped.push(u),
                Err(e) => return Err(e),
            }
            Ok(())
        },
    )?;
    Ok(jobs)
}

/// Loops whose rules fire now, judged from their stored rule inputs.
pub(super) fn rules_due(db: &mut dyn Db, now: Stamp) -> Result<Vec<(String, LoopKind)>> {
    let today = now.local_date();
    let mut due = Vec::new();
    db.each(
        "SELECT j.slug, s.state FROM loop_state s JOIN jobs j ON j.id = s.job_id
         WHERE j.archived_at IS NULL ORDER BY j.slug",
        &[],
        &mut |r| {
            let (slug, state) = text_pair(r)?;
            let Ok(s) = serde_json::from_str::<LoopState>(&state) else {
                return Ok(());
            };
            if s.status.is_finished() {
                return Ok(());
            }
            let Some(inputs) = &s.rules else {
                return Ok(());
            };
            let fires = s.kill_signals.iter().any(|k| {
                !k.tripped
                    && k.rule
                        .as_deref()
                        .and_then(|r| KillRule::parse(r).ok())
                        .is_some_and(|rule| {
                            rule.check_since(inputs, today, k.continued_at)
                                .fires()
                                .is_some()
                        })
            });
            if fires {
                due.push((slug, s.kind));
            }
            Ok(())
        },
    )?;
    Ok(due)
}

impl Store {
    /// Every active job with its six loops' derived state: what the board and the review read.
    pub fn board(&mut self) -> Result<Board> {
        self.read(|db| {
            let mut skipped = Vec::new();
            let jobs = read_jobs(db, false, None, &mut skipped)?;
            let mut board = inputs(db, jobs, Which::All)?;
            board.unreadable.extend(skipped);
            Ok(board)
        })
    }

    /// The first `n` active jobs of the board, and whether there are more: what the TUI's first
    /// screen shows while the rest is read, so the first frame costs a screenful, not the
    /// organisation.
    pub fn board_first(&mut self, n: usize) -> Result<(Board, bool)> {
        let n = i64::try_from(n).unwrap_or(i64::MAX);
        self.read(|db| {
            let mut skipped = Vec::new();
            let jobs = read_jobs(db, false, Some(n), &mut skipped)?;
            // Counted, not inferred from the rows read: a row that cannot be read is still a job
            // of the board.
            let active = db.int("SELECT count(*) FROM jobs WHERE archived_at IS NULL", &[])?;
            let mut board = inputs(db, jobs, Which::First(n))?;
            board.unreadable.extend(skipped);
            Ok((board, active > n))
        })
    }

    /// Every active job's records (or one job's, by slug, archived or not), in board order.
    pub fn records(&mut self, slug: Option<&str>) -> Result<Vec<JobRecords>> {
        self.read(|db| {
            let jobs = match slug {
                Some(s) => vec![job_by_slug(db, s)?],
                None => read_jobs(db, false, None, &mut Vec::new())?,
            };
            jobs.into_iter().map(|j| records_of(db, j)).collect()
        })
    }

    /// The week each job's history begins (`job::history_start`), by job id: what the digest and
    /// the calendar of a week read, as a cycle does.
    pub fn history_starts(&mut self) -> Result<HashMap<JobId, Week>> {
        self.read(|db| {
            let jobs = read_jobs(db, true, None, &mut Vec::new())?;
            let mut out = HashMap::with_capacity(jobs.len());
            for job in jobs {
                out.insert(job.id.clone(), load::history_start(db, &job)?);
            }
            Ok(out)
        })
    }

    pub fn jobs(&mut self, include_archived: bool) -> Result<Vec<Job>> {
        self.read(|db| read_jobs(db, include_archived, None, &mut Vec::new()))
    }

    pub fn job_detail(&mut self, slug: &str, now: Stamp) -> Result<JobDetail> {
        self.read(|db| {
            let job = job_by_slug(db, slug)?;
            let id = job.id.clone();
            let board = inputs(db, vec![job.clone()], Which::One(&id))?;
            let review = board
                .jobs
                .first()
                .map(|j| review::job_review(j, now, Week::containing(now)));
            Ok(JobDetail {
                team: db.engine() == super::sql::Engine::Postgres,
                review,
                cycles: load::cycles_of(db, &id)?,
                tools: load::tools_of(db, &id)?,
                proofs: load::proofs_of(db, &id)?,
                job,
            })
        })
    }

    pub fn loop_detail(
        &mut self,
        slug: &str,
        kind: LoopKind,
        events: usize,
        now: Stamp,
    ) -> Result<LoopDetail> {
        self.read(|db| {
            let record = load::loop_record(db, slug, kind)?;
            let id = record.job.id.clone();
            let board = inputs(db, vec![record.job.clone()], Which::One(&id))?;
            let review = board.jobs.first().and_then(|j| {
                review::job_review(j, now, Week::containing(now))
                    .loops
                    .into_iter()
                    .find(|l| l.kind == kind)
            });
            let events = super::audit::log(db, Some(&id), Some(kind), events)?;
            Ok(LoopDetail {
                record,
                review,
                events,
            })
        })
    }

    /// One job's flow with its governance, incidents and decisions.
    pub fn flow_detail(&mut self, slug: &str, now: Stamp) -> Result<FlowDetail> {
        self.read(|db| {
            let job = job_by_slug(db, slug)?;
            flow_detail_of(db, job, now)
        })
    }

    /// Every active job's flow, in board order: what the register reads.
    pub fn register(&mut self, now: Stamp) -> Result<Vec<FlowDetail>> {
        self.read(|db| {
            let jobs = read_jobs(db, false, None, &mut Vec::new())?;
            jobs.into_iter()
                .map(|job| flow_detail_of(db, job, now))
                .collect()
        })
    }

    /// Every job (archived ones too: their know-how stays) with what `publish` writes of it, in
    /// board order.
    pub fn publish_material(&mut self, now: Stamp) -> Result<Vec<PublishMaterial>> {
        self.read(|db| {
            let jobs = read_jobs(db, true, None, &mut Vec::new())?;
            jobs.into_iter()
                .map(|job| {
                    let records = LoopKind::ALL
                        .iter()
                        .map(|k| load::loop_of(db, job.clone(), *k))
                        .collect::<Result<Vec<_>>>()?;
                    let proofs = load::proofs_of(db, &job.id)?;
                    Ok(PublishMaterial {
                        detail: flow_detail_of(db, job, now)?,
                        records,
                        proofs,
                    })
                })
                .collect()
        })
    }

    /// The job of the incident whose id contains `reference` (at least 4 characters), and
    /// its whole id.
    pub fn find_incident(&mut self, reference: &str) -> Result<(String, IncidentId)> {
        self.read(|db| {
            let found: Vec<(String, String)> = db.all(
                "SELECT j.slug, i.id FROM incidents i JOIN loops l ON l.id = i.loop_id
                 JOIN jobs j ON j.id = l.job_id WHERE i.void_at IS NULL",
                &[],
                text_pair,
            )?;
            let id = crate::domain::model::find_by_ref(
                found.iter().map(|(_, id)| id.as_str()),
                reference,
            )
            .map(IncidentId::from_text)
            .map_err(|e| Error::Refused(e.about("incident", "the database")))?;
            let slug = found
                .iter()
                .find(|(_, i)| *i == id)
                .map(|(s, _)| s.clone())
                .unwrap_or_default();
            Ok((slug, id))
        })
    }

    pub fn proofs(&mut self, slug: &str) -> Result<Vec<Proof>> {
        self.read(|db| {
            let job = job_by_slug(db, slug)?;
            load::proofs_of(db, &job.id)
        })
    }

    pub fn cycles(&mut self, slug: &str) -> Result<Vec<Cycle>> {
        self.read(|db| {
            let job = job_by_slug(db, slug)?;
            load::cycles_of(db, &job.id)
        })
    }

    pub fn job(&mut self, slug: &str) -> Result<Job> {
        self.read(|db| job_by_slug(db, slug))
    }

    /// The newest `limit` events, newest first, optionally of one job (and one loop kind).
    pub fn log(
        &mut self,
        job: Option<&str>,
        kind: Option<LoopKind>,
        limit: usize,
    ) -> Result<Vec<AuditEvent>> {
        self.read(|db| {
            let job_id = match job {
                Some(slug) => Some(job_by_slug(db, slug)?.id),
                None => None,
            };
            super::audit::log(db, job_id.as_ref(), kind, limit)
        })
    }

    /// Per job slug, what happened in `week` (its newest `limit` events and how many).
    pub fn changes_in(
        &mut self,
        week: Week,
        limit: usize,
    ) -> Result<HashMap<String, super::Changes>> {
        self.read(|db| {
            let slugs: HashMap<String, String> = db
                .all("SELECT id, slug FROM jobs", &[], text_pair)?
                .into_iter()
                .collect();
            let by_id = super::audit::changes_in(db, week, limit)?;
            Ok(by_id
                .into_iter()
                .filter_map(|(id, c)| slugs.get(id.as_str()).map(|s| (s.clone(), c)))
                .collect())
        })
    }
}
