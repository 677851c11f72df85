//! The user's intents, each applied in one transaction with its audit event: load the record,
//! let the domain change it (or refuse), persist what changed.

use rusqlite::{Connection, params};
use serde_json::{Value as Json, json};

use super::audit::append;
use super::load::{self, job_by_slug};
use super::{Error, Result, Store};
use crate::domain::audit::{Change, with_state_hash};
use crate::domain::cycle::{CompoundAnswers, close_cycle};
use crate::domain::evidence;
use crate::domain::job::{self, JobEdit, NewJob};
use crate::domain::loop_record::{Appended, LoopRecord, Outcome};
use crate::domain::model::*;
use crate::domain::time::{Stamp, Week};
use crate::domain::{Ctx, LoopKind, Refusal};

/// The acknowledgement of a command: printed only after its transaction committed.
#[derive(Clone, Debug, PartialEq)]
pub struct Ack {
    pub summary: String,
    /// False when the command asked for what already was: nothing was written.
    pub changed: bool,
    /// The audit event that records it.
    pub seq: Option<i64>,
}

impl Ack {
    fn unchanged(outcome: Outcome) -> Ack {
        Ack {
            summary: outcome.summary,
            changed: false,
            seq: None,
        }
    }
}

impl Store {
    pub fn add_job(
        &mut self,
        ctx: &Ctx,
        title: &str,
        slug: Option<&str>,
        statement: Option<&str>,
        owner: Option<&str>,
    ) -> Result<Ack> {
        self.write(|tx| {
            let new = NewJob::create(title, slug, statement, owner, ctx)?;
            if let Ok(existing) = job_by_slug(tx, &new.job.slug) {
                return Err(Refusal::rule(format!(
                    "a job with the slug `{}` already exists (\"{}\"): choose another with --slug",
                    existing.slug, existing.title
                ))
                .into());
            }
            insert_job(tx, &new.job)?;
            for record in &new.loops {
                insert_loop(tx, record)?;
            }
            job_event(
                tx,
                ctx,
                &new.job,
                &new.outcome(),
                Json::Null,
                new.audit_after(),
            )
        })
    }

    pub fn edit_job(&mut self, ctx: &Ctx, slug: &str, edit: &JobEdit) -> Result<Ack> {
        self.on_job(ctx, slug, |j| job::edit(j, edit))
    }

    pub fn set_job_archived(&mut self, ctx: &Ctx, slug: &str, archived: bool) -> Result<Ack> {
        self.on_job(ctx, slug, |j| Ok(job::set_archived(j, archived, ctx)))
    }

    fn on_job(
        &mut self,
        ctx: &Ctx,
        slug: &str,
        mut intent: impl FnMut(&mut Job) -> std::result::Result<Outcome, Refusal>,
    ) -> Result<Ack> {
        self.write(|tx| {
            let before = job_by_slug(tx, slug)?;
            let mut after = before.clone();
            let outcome = intent(&mut after)?;
            if !outcome.changed {
                return Ok(Ack::unchanged(outcome));
            }
            let n = tx.execute(
                "UPDATE jobs SET title = ?2, statement = ?3, performer = ?4, circumstance = ?5,
                    workaround = ?6, functional_job = ?7, emotional_job = ?8, social_job = ?9,
                    competing_solutions = ?10, hiring_criteria = ?11, archived_at = ?12, rev = ?13
                 WHERE id = ?1 AND rev = ?14",
                params![
                    after.id,
                    after.title,
                    after.statement,
                    after.canvas.performer,
                    after.canvas.circumstance,
                    after.canvas.workaround,
                    after.canvas.functional_job,
                    after.canvas.emotional_job,
                    after.canvas.social_job,
                    after.canvas.competing_solutions,
                    after.canvas.hiring_criteria,
                    after.archived_at,
                    after.rev,
                    before.rev
                ],
            )?;
            stale_check(n, slug)?;
            job_event(
                tx,
                ctx,
                &after,
                &outcome,
                with_state_hash(json!(before)),
                with_state_hash(json!(after)),
            )
        })
    }

    /// Applies one intent to one loop: the domain method decides, the store persists.
    pub fn on_loop(
        &mut self,
        ctx: &Ctx,
        slug: &str,
        kind: LoopKind,
        mut intent: impl FnMut(&mut LoopRecord, &Ctx) -> std::result::Result<Outcome, Refusal>,
    ) -> Result<Ack> {
        self.write(|tx| {
            let before = load::loop_record(tx, slug, kind)?;
            let mut record = before.clone();
            let outcome = intent(&mut record, ctx)?;
            if !outcome.changed {
                return Ok(Ack::unchanged(outcome));
            }
            let seq = append(
                tx,
                ctx,
                Change {
                    command: outcome.command,
                    job_id: Some(&record.job.id),
                    loop_kind: Some(kind),
                    summary: &outcome.summary,
                    before: before.audit_state(),
                    after: record.audit_after(&outcome),
                },
            )?;
            // Kill rules are checked on every write to their loop, in the same transaction.
            let mut summary = outcome.summary;
            for fired in fire_rules(tx, &mut record, ctx.now)? {
                summary.push('\n');
                summary.push_str(&fired);
            }
            save_loop(tx, &before, &record, outcome.appended.as_ref())?;
            Ok(Ack {
                summary,
                changed: true,
                seq: Some(seq),
            })
        })
    }

    pub fn select_tool(&mut self, ctx: &Ctx, slug: &str, name: &str, at: Stamp) -> Result<Ack> {
        self.write(|tx| {
            let job = job_by_slug(tx, slug)?;
            let (tool, outcome) = evidence::select_tool(&job, name, at, ctx)?;
            insert_tool(tx, &tool)?;
            job_event(tx, ctx, &job, &outcome, Json::Null, json!(tool))
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub fn add_proof(
        &mut self,
        ctx: &Ctx,
        slug: &str,
        title: &str,
        kind: ProofKind,
        visibility: Visibility,
        link: Option<&str>,
        at: Stamp,
    ) -> Result<Ack> {
        self.write(|tx| {
            let job = job_by_slug(tx, slug)?;
            let (proof, outcome) =
                evidence::add_proof(&job, title, kind, visibility, link, at, ctx)?;
            upsert_proof(tx, &proof)?;
            job_event(tx, ctx, &job, &outcome, Json::Null, json!(proof))
        })
    }

    pub fn track_proof_outcome(
        &mut self,
        ctx: &Ctx,
        slug: &str,
        id: &str,
        counts: ProofOutcome,
    ) -> Result<Ack> {
        self.write(|tx| {
            let job = job_by_slug(tx, slug)?;
            let mut proofs = load_proofs(tx, &job.id)?;
            let proof = evidence::find_proof(&mut proofs, id, slug)?;
            let before = json!(proof);
            let outcome = evidence::track_outcome(&job, proof, counts, ctx)?;
            if !outcome.changed {
                return Ok(Ack::unchanged(outcome));
            }
            upsert_proof(tx, proof)?;
            job_event(tx, ctx, &job, &outcome, before, json!(proof))
        })
    }

    /// `jobloop check`: every armed kill signal with a rule, checked against its loop's data
    /// now; the ones that fire are tripped. Returns what fired.
    pub fn check_rules(&mut self, now: Stamp) -> Result<Vec<String>> {
        let loops: Vec<(String, LoopKind)> = {
            let mut stmt = self.conn.prepare(
                "SELECT DISTINCT j.slug, l.kind FROM kill_signals k
                 JOIN loops l ON l.id = k.loop_id JOIN jobs j ON j.id = l.job_id
                 WHERE k.state = 'armed' AND k.rule IS NOT NULL AND j.archived_at IS NULL
                 ORDER BY j.slug, l.position",
            )?;
            stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?
        };
        let mut all = Vec::new();
        for (slug, kind) in loops {
            // Read first: most rules hold, and a read needs no write lock.
            let mut probe = load::loop_record(&self.conn, &slug, kind)?;
            let bot = Ctx {
                actor: SELF_ACTOR.to_string(),
                now,
            };
            if probe.fire_next_rule(&bot).is_none() {
                continue;
            }
            let ack = self.write(|tx| {
                let before = load::loop_record(tx, &slug, kind)?;
                let mut record = before.clone();
                let fired = fire_rules(tx, &mut record, now)?;
                if !fired.is_empty() {
                    save_loop(tx, &before, &record, None)?;
                }
                Ok(Ack {
                    summary: fired.join("\n"),
                    changed: !fired.is_empty(),
                    seq: None,
                })
            })?;
            if ack.changed {
                all.push(ack.summary);
            }
        }
        Ok(all)
    }

    /// Closes a job's cycle (the current ISO week unless `week` is given) with its compound test.
    pub fn close_cycle(
        &mut self,
        ctx: &Ctx,
        slug: &str,
        week: Option<Week>,
        answers: &CompoundAnswers,
    ) -> Result<Ack> {
        self.write(|tx| {
            let job = job_by_slug(tx, slug)?;
            let mut stmt = tx.prepare_cached("SELECT week FROM cycles WHERE job_id = ?1")?;
            let closed: Vec<Week> = stmt
                .query_map([&job.id], |r| r.get::<_, String>(0))?
                .filter_map(|w| w.ok().and_then(|w| Week::parse(&w).ok()))
                .collect();
            let week = week.unwrap_or_else(|| Week::containing(ctx.now));
            let (cycle, outcome) = close_cycle(&job, &closed, week, answers, ctx)?;
            insert_cycle(tx, &cycle)?;
            job_event(tx, ctx, &job, &outcome, Json::Null, json!(cycle))
        })
    }
}

pub(super) fn load_proofs(conn: &Connection, job_id: &str) -> Result<Vec<Proof>> {
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {} FROM proofs WHERE job_id = ?1 ORDER BY at, id",
            load::PROOF_COLS
        ))?
        .query_map([job_id], load::proof)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Appends the audit event of a job-level command and acknowledges it.
fn job_event(
    conn: &Connection,
    ctx: &Ctx,
    job: &Job,
    outcome: &Outcome,
    before: Json,
    after: Json,
) -> Result<Ack> {
    let seq = append(
        conn,
        ctx,
        Change {
            command: outcome.command,
            job_id: Some(&job.id),
            loop_kind: None,
            summary: &outcome.summary,
            before,
            after,
        },
    )?;
    Ok(Ack {
        summary: outcome.summary.clone(),
        changed: true,
        seq: Some(seq),
    })
}

/// The actor of everything jobloop does by itself.
pub const SELF_ACTOR: &str = "jobloop";

/// Trips, one audited event each, the kill signals whose rules the loop's data breaks.
fn fire_rules(conn: &Connection, record: &mut LoopRecord, now: Stamp) -> Result<Vec<String>> {
    let bot = Ctx {
        actor: SELF_ACTOR.to_string(),
        now,
    };
    let mut fired = Vec::new();
    loop {
        let before = record.audit_state();
        let Some(outcome) = record.fire_next_rule(&bot) else {
            return Ok(fired);
        };
        append(
            conn,
            &bot,
            Change {
                command: outcome.command,
                job_id: Some(&record.job.id),
                loop_kind: Some(record.lp.kind),
                summary: &outcome.summary,
                before,
                after: record.audit_state(),
            },
        )?;
        fired.push(outcome.summary);
    }
}

fn stale_check(updated: usize, what: &str) -> Result<()> {
    if updated == 1 {
        Ok(())
    } else {
        Err(Error::Refused(Refusal::conflict(format!(
            "{what} changed while this command ran: nothing was written; look again and retry"
        ))))
    }
}

pub(super) fn insert_job(conn: &Connection, j: &Job) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO jobs ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        load::JOB_COLS
    ))?
    .execute(params![
        j.id,
        j.slug,
        j.title,
        j.statement,
        j.canvas.performer,
        j.canvas.circumstance,
        j.canvas.workaround,
        j.canvas.functional_job,
        j.canvas.emotional_job,
        j.canvas.social_job,
        j.canvas.competing_solutions,
        j.canvas.hiring_criteria,
        j.created_at,
        j.archived_at,
        j.rev
    ])?;
    Ok(())
}

pub(super) fn insert_loop_row(conn: &Connection, l: &Loop) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO loops (id, job_id, kind, position, status, owner, notes, rev)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        l.id,
        l.job_id,
        l.kind,
        l.kind.position(),
        l.status,
        l.owner,
        l.notes,
        l.rev
    ])?;
    Ok(())
}

fn insert_loop(conn: &Connection, r: &LoopRecord) -> Result<()> {
    insert_loop_row(conn, &r.lp)?;
    for s in &r.steps {
        upsert_step(conn, s)?;
    }
    for k in &r.kill_signals {
        upsert_signal(conn, k)?;
    }
    Ok(())
}

/// Writes a loop after an intent: the loop row (guarded by its `rev`), its small child rows, and
/// the appended history row.
fn save_loop(
    conn: &Connection,
    before: &LoopRecord,
    after: &LoopRecord,
    appended: Option<&Appended>,
) -> Result<()> {
    let n = conn.execute(
        "UPDATE loops SET status = ?2, owner = ?3, notes = ?4, rev = rev + 1
         WHERE id = ?1 AND rev = ?5",
        params![
            after.lp.id,
            after.lp.status,
            after.lp.owner,
            after.lp.notes,
            before.lp.rev
        ],
    )?;
    stale_check(n, &after.addr())?;
    for s in after.steps.iter().filter(|s| !before.steps.contains(s)) {
        upsert_step(conn, s)?;
    }
    for k in after
        .kill_signals
        .iter()
        .filter(|k| !before.kill_signals.contains(k))
    {
        upsert_signal(conn, k)?;
    }
    // The replaced metric first: the index allows one unreplaced metric per loop.
    if let Some(old) = &after.retired_metric {
        upsert_metric(conn, old)?;
    }
    if after.metric != before.metric
        && let Some(m) = &after.metric
    {
        upsert_metric(conn, m)?;
    }
    match appended {
        Some(Appended::Value(v)) => insert_value(conn, v)?,
        Some(Appended::Intervention(i)) => insert_intervention(conn, i)?,
        Some(Appended::Decision(d)) => insert_decision(conn, d)?,
        Some(Appended::Learning(l)) => insert_learning(conn, l)?,
        None => {}
    }
    Ok(())
}

pub(super) fn upsert_step(conn: &Connection, s: &Step) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO steps ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET text = excluded.text, done_at = excluded.done_at,
            done_by = excluded.done_by, evidence = excluded.evidence",
        load::STEP_COLS
    ))?
    .execute(params![
        s.id, s.loop_id, s.n, s.text, s.custom, s.done_at, s.done_by, s.evidence
    ])?;
    Ok(())
}

pub(super) fn upsert_signal(conn: &Connection, k: &KillSignal) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO kill_signals ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, reason = excluded.reason,
            evidence = excluded.evidence, changed_by = excluded.changed_by,
            changed_at = excluded.changed_at, decision = excluded.decision,
            decision_reason = excluded.decision_reason, decided_by = excluded.decided_by,
            decided_at = excluded.decided_at",
        load::SIGNAL_COLS
    ))?
    .execute(params![
        k.id,
        k.loop_id,
        k.n,
        k.text,
        k.canonical,
        k.state,
        k.reason,
        k.evidence,
        k.changed_by,
        k.changed_at,
        k.decision,
        k.decision_reason,
        k.decided_by,
        k.decided_at,
        k.created_at,
        k.rule
    ])?;
    Ok(())
}

pub(super) fn upsert_metric(conn: &Connection, m: &Metric) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO metrics ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET replaced_at = excluded.replaced_at",
        load::METRIC_COLS
    ))?
    .execute(params![
        m.id,
        m.loop_id,
        m.name,
        m.unit,
        m.better,
        m.measures,
        m.set_at,
        m.set_by,
        m.replaced_at
    ])?;
    Ok(())
}

pub(super) fn insert_value(conn: &Connection, v: &Value) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO metric_values ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        load::VALUE_COLS
    ))?
    .execute(params![
        v.id,
        v.loop_id,
        v.metric_id,
        v.phase,
        v.value,
        v.at,
        v.note,
        v.recorded_by,
        v.recorded_at
    ])?;
    Ok(())
}

pub(super) fn insert_intervention(conn: &Connection, i: &Intervention) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO interventions ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        load::INTERVENTION_COLS
    ))?
    .execute(params![
        i.id,
        i.loop_id,
        i.metric_id,
        i.description,
        i.at,
        i.recorded_by,
        i.recorded_at
    ])?;
    Ok(())
}

pub(super) fn insert_decision(conn: &Connection, d: &Decision) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO decisions ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        load::DECISION_COLS
    ))?
    .execute(params![
        d.id,
        d.loop_id,
        d.text,
        d.owner,
        d.threshold,
        d.at,
        d.recorded_by
    ])?;
    Ok(())
}

pub(super) fn insert_tool(conn: &Connection, t: &Tool) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO tools ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        load::TOOL_COLS
    ))?
    .execute(params![
        t.id,
        t.job_id,
        t.name,
        t.at,
        t.recorded_by,
        t.recorded_at
    ])?;
    Ok(())
}

pub(super) fn insert_learning(conn: &Connection, l: &Learning) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO learnings ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        load::LEARNING_COLS
    ))?
    .execute(params![
        l.id,
        l.loop_id,
        l.text,
        l.kind,
        l.tag,
        l.capability,
        l.at,
        l.recorded_by
    ])?;
    Ok(())
}

/// Inserts a proof, or updates its outcome when it exists.
pub(super) fn upsert_proof(conn: &Connection, p: &Proof) -> Result<()> {
    let o = p.outcome;
    conn.prepare_cached(&format!(
        "INSERT INTO proofs ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (id) DO UPDATE SET replies = excluded.replies, citations = excluded.citations,
            intros = excluded.intros, bookings = excluded.bookings, sales = excluded.sales,
            reuse = excluded.reuse, outcome_at = excluded.outcome_at",
        load::PROOF_COLS
    ))?
    .execute(params![
        p.id,
        p.job_id,
        p.title,
        p.kind,
        p.visibility,
        p.link,
        p.at,
        p.recorded_by,
        o.map(|o| o.replies),
        o.map(|o| o.citations),
        o.map(|o| o.intros),
        o.map(|o| o.bookings),
        o.map(|o| o.sales),
        o.map(|o| o.reuse),
        p.outcome_at
    ])?;
    Ok(())
}

pub(super) fn insert_cycle(conn: &Connection, c: &Cycle) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO cycles ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        load::CYCLE_COLS
    ))?
    .execute(params![
        c.id,
        c.job_id,
        c.week,
        c.understanding,
        c.explanation,
        c.creation,
        c.distribution,
        c.understanding_note,
        c.explanation_note,
        c.creation_note,
        c.distribution_note,
        c.note,
        c.closed_at,
        c.closed_by
    ])?;
    Ok(())
}
