//! The export format: every record of a database as one JSON document, and the checks an import
//! makes before a single row is written.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use super::audit::{GENESIS, hash};
use super::error::Refusal;
use super::job::validate_slug;
use super::model::*;

pub const FORMAT: &str = "jobloop-export";

/// The largest record an import accepts (every text field jobloop writes is capped far below).
const MAX_RECORD: usize = 64 * 1024;
/// The largest audit event an import accepts (it holds a record's state before and after).
const MAX_EVENT: usize = 1024 * 1024;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    pub format: String,
    pub schema_version: i64,
    pub jobs: Vec<Job>,
    pub loops: Vec<Loop>,
    pub steps: Vec<Step>,
    pub metrics: Vec<Metric>,
    pub values: Vec<Value>,
    pub interventions: Vec<Intervention>,
    pub kill_signals: Vec<KillSignal>,
    pub decisions: Vec<Decision>,
    pub cycles: Vec<Cycle>,
    #[serde(default)]
    pub tools: Vec<Tool>,
    #[serde(default)]
    pub learnings: Vec<Learning>,
    #[serde(default)]
    pub proofs: Vec<Proof>,
    pub audit_events: Vec<AuditEvent>,
}

impl Dataset {
    pub fn rows(&self) -> usize {
        self.jobs.len()
            + self.loops.len()
            + self.steps.len()
            + self.metrics.len()
            + self.values.len()
            + self.interventions.len()
            + self.kill_signals.len()
            + self.decisions.len()
            + self.cycles.len()
            + self.tools.len()
            + self.learnings.len()
            + self.proofs.len()
            + self.audit_events.len()
    }

    /// Everything an import must hold true before writing: the format, unique ids, references
    /// that resolve, the loops' own invariants, and an intact audit chain.
    pub fn validate(&self, schema_version: i64) -> Result<(), Refusal> {
        let bad = |m: String| {
            Err(Refusal::rule(format!(
                "cannot import: {m}; nothing was written"
            )))
        };
        if self.format != FORMAT {
            return bad(format!("the format is `{}`, not `{FORMAT}`", self.format));
        }
        if !(1..=schema_version).contains(&self.schema_version) {
            return bad(format!(
                "the file has schema version {}, this jobloop reads 1 to {schema_version}",
                self.schema_version
            ));
        }
        let mut ids = HashSet::new();
        let mut unique = |table: &str, id: &str| {
            if ids.insert(id.to_string()) {
                Ok(())
            } else {
                Err(Refusal::rule(format!(
                    "cannot import: the id `{id}` appears twice (in {table}); nothing was written"
                )))
            }
        };
        let mut slugs = HashSet::new();
        for j in &self.jobs {
            unique("jobs", &j.id)?;
            validate_slug(&j.slug).or_else(|e| bad(e.message))?;
            if !slugs.insert(j.slug.as_str()) {
                return bad(format!("the slug `{}` appears twice", j.slug));
            }
        }
        let jobs: HashSet<&str> = self.jobs.iter().map(|j| j.id.as_str()).collect();
        let mut kinds = HashSet::new();
        for l in &self.loops {
            unique("loops", &l.id)?;
            if !jobs.contains(l.job_id.as_str()) {
                return bad(format!(
                    "loop `{}` belongs to a job that is not in the file",
                    l.id
                ));
            }
            if !kinds.insert((l.job_id.as_str(), l.kind)) {
                return bad(format!("job `{}` has two {} loops", l.job_id, l.kind));
            }
        }
        for j in &self.jobs {
            let n = self.loops.iter().filter(|l| l.job_id == j.id).count();
            if n != 6 {
                return bad(format!("job `{}` has {n} loops, not six", j.slug));
            }
        }
        let loops: HashSet<&str> = self.loops.iter().map(|l| l.id.as_str()).collect();
        let in_loop = |what: &str, id: &str, loop_id: &str| {
            if loops.contains(loop_id) {
                Ok(())
            } else {
                bad(format!(
                    "{what} `{id}` belongs to a loop that is not in the file"
                ))
            }
        };
        for s in &self.steps {
            unique("steps", &s.id)?;
            in_loop("step", &s.id, &s.loop_id)?;
        }
        let mut primary = HashSet::new();
        for m in &self.metrics {
            unique("metrics", &m.id)?;
            in_loop("metric", &m.id, &m.loop_id)?;
            if m.replaced_at.is_none() && !primary.insert(m.loop_id.as_str()) {
                return bad(format!("loop `{}` has two primary metrics", m.loop_id));
            }
        }
        let metrics: HashSet<(&str, &str)> = self
            .metrics
            .iter()
            .map(|m| (m.id.as_str(), m.loop_id.as_str()))
            .collect();
        let of_metric = |what: &str, id: &str, metric_id: &str, loop_id: &str| {
            if metrics.contains(&(metric_id, loop_id)) {
                Ok(())
            } else {
                bad(format!(
                    "{what} `{id}` refers to a metric that is not in the file"
                ))
            }
        };
        for v in &self.values {
            unique("values", &v.id)?;
            of_metric("value", &v.id, &v.metric_id, &v.loop_id)?;
            if !v.value.is_finite() {
                return bad(format!("value `{}` is not a finite number", v.id));
            }
        }
        for i in &self.interventions {
            unique("interventions", &i.id)?;
            of_metric("intervention", &i.id, &i.metric_id, &i.loop_id)?;
        }
        for k in &self.kill_signals {
            unique("kill_signals", &k.id)?;
            in_loop("kill signal", &k.id, &k.loop_id)?;
            if k.state == SignalState::Tripped && k.reason.as_deref().is_none_or(str::is_empty) {
                return bad(format!(
                    "kill signal `{}` is tripped without a reason",
                    k.id
                ));
            }
        }
        for d in &self.decisions {
            unique("decisions", &d.id)?;
            in_loop("decision", &d.id, &d.loop_id)?;
            if d.owner.trim().is_empty() {
                return bad(format!("decision `{}` has no owner", d.id));
            }
        }
        for c in &self.cycles {
            unique("cycles", &c.id)?;
            if !jobs.contains(c.job_id.as_str()) {
                return bad(format!(
                    "cycle `{}` belongs to a job that is not in the file",
                    c.id
                ));
            }
            super::time::Week::parse(&c.week)
                .map(|_| ())
                .or_else(|e| bad(e.message))?;
        }
        for t in &self.tools {
            unique("tools", &t.id)?;
            if !jobs.contains(t.job_id.as_str()) {
                return bad(format!(
                    "tool `{}` belongs to a job that is not in the file",
                    t.id
                ));
            }
        }
        for l in &self.learnings {
            unique("learnings", &l.id)?;
            in_loop("learning", &l.id, &l.loop_id)?;
        }
        for p in &self.proofs {
            unique("proofs", &p.id)?;
            if !jobs.contains(p.job_id.as_str()) {
                return bad(format!(
                    "proof `{}` belongs to a job that is not in the file",
                    p.id
                ));
            }
        }
        for k in &self.kill_signals {
            if let Some(rule) = &k.rule
                && super::rules::KillRule::parse(rule).is_err()
            {
                return bad(format!(
                    "kill signal `{}` has a malformed rule `{rule}`",
                    k.id
                ));
            }
        }
        // Absurd sizes: a record far larger than anything jobloop writes is not an honest export.
        let too_big = |what: &str, json: String, limit: usize| {
            if json.len() > limit {
                bad(format!(
                    "a {what} is {} bytes, over the {limit}-byte limit",
                    json.len()
                ))
            } else {
                Ok(())
            }
        };
        for j in &self.jobs {
            too_big(
                "job",
                serde_json::to_string(j).unwrap_or_default(),
                MAX_RECORD,
            )?;
        }
        for v in &self.values {
            too_big(
                "value",
                serde_json::to_string(v).unwrap_or_default(),
                MAX_RECORD,
            )?;
        }
        for d in &self.decisions {
            too_big(
                "decision",
                serde_json::to_string(d).unwrap_or_default(),
                MAX_RECORD,
            )?;
        }
        for l in &self.learnings {
            too_big(
                "learning",
                serde_json::to_string(l).unwrap_or_default(),
                MAX_RECORD,
            )?;
        }
        for e in &self.audit_events {
            too_big(
                "audit event",
                serde_json::to_string(e).unwrap_or_default(),
                MAX_EVENT,
            )?;
        }
        let mut prev = GENESIS.to_string();
        for (i, e) in self.audit_events.iter().enumerate() {
            unique("audit_events", &e.id)?;
            if e.seq != i as i64 + 1 {
                return bad(format!(
                    "audit event {} is out of sequence (expected {})",
                    e.seq,
                    i + 1
                ));
            }
            if e.prev_hash != prev || hash(e) != e.hash {
                return bad(format!(
                    "the audit trail is broken at event {} ({} by {} at {})",
                    e.seq, e.command, e.actor, e.at
                ));
            }
            if let Some(j) = &e.job_id
                && !jobs.contains(j.as_str())
            {
                return bad(format!(
                    "audit event {} refers to a job that is not in the file",
                    e.seq
                ));
            }
            prev = e.hash.clone();
        }
        Ok(())
    }
}
