//! Every table, declared once: its name, its columns with their types, which columns a later
//! command may change and which name who acted, its place and order in an export, and whose rows
//! it holds (what the shared database lets a member write). Reading and writing rows by column
//! name, export, import, the PostgreSQL grants, policies and guards are derived from these
//! declarations; a test holds them against `schema.sql` on both stores.

use crate::domain::verify::Table;

/// A column's type, as `schema.sql` declares it (PostgreSQL reads `INTEGER` as `BIGINT` and
/// `REAL` as `DOUBLE PRECISION`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Text,
    Int,
    Real,
}

impl Ty {
    pub fn sqlite(self) -> &'static str {
        match self {
            Ty::Text => "TEXT",
            Ty::Int => "INTEGER",
            Ty::Real => "REAL",
        }
    }

    pub fn postgres(self) -> &'static str {
        match self {
            Ty::Text => "TEXT",
            Ty::Int => "BIGINT",
            Ty::Real => "DOUBLE PRECISION",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Col {
    pub name: &'static str,
    pub ty: Ty,
    /// May hold NULL.
    pub null: bool,
    /// A later command may change it (everything else stays as it was recorded).
    pub changes: bool,
    /// Names who acted: on the shared database it must be the logged-in role when written.
    pub actor: bool,
    /// Only the job's lead may change it (a loop's owner, the job's lead).
    pub lead_only: bool,
    /// The actor column that says who changed it: on the shared database a change of this
    /// column must name the logged-in role there (or clear both), so no member rewrites what
    /// another person did under that person's name.
    pub by: Option<&'static str>,
    /// How errors name it (`creation time`); the column's name when not given.
    pub label: &'static str,
    /// Holds 0 or 1: the record's yes or no.
    pub flag: bool,
}

impl Col {
    pub const fn named(name: &'static str) -> Col {
        Col {
            name,
            ty: Ty::Text,
            null: false,
            changes: false,
            actor: false,
            lead_only: false,
            by: None,
            label: name,
            flag: false,
        }
    }
    pub const fn text(self) -> Col {
        Col {
            ty: Ty::Text,
            ..self
        }
    }
    pub const fn int(self) -> Col {
        Col {
            ty: Ty::Int,
            ..self
        }
    }
    pub const fn real(self) -> Col {
        Col {
            ty: Ty::Real,
            ..self
        }
    }
    pub const fn null(self) -> Col {
        Col { null: true, ..self }
    }
    pub const fn changes(self) -> Col {
        Col {
            changes: true,
            ..self
        }
    }
    pub const fn actor(self) -> Col {
        Col {
            actor: true,
            ..self
        }
    }
    pub const fn lead_only(self) -> Col {
        Col {
            lead_only: true,
            ..self
        }
    }
    pub const fn flag(self) -> Col {
        Col { flag: true, ..self }
    }
    pub const fn label(self, label: &'static str) -> Col {
        Col { label, ..self }
    }
    pub const fn by(self, actor: &'static str) -> Col {
        Col {
            by: Some(actor),
            ..self
        }
    }
}

/// Whose rows a table holds: what a member of a shared database may write in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The jobs: a member adds one they lead; its lead changes it.
    Jobs,
    /// The loops: added with their job by its lead; changed by the loop's owner or the lead.
    Loops,
    /// Rows of one loop (`loop_id`): written by the loop's owner or the job's lead.
    Loop,
    /// Rows of one job (`job_id`): written by the job's lead.
    Job,
    /// The audit trail: appended to, never changed.
    Trail,
    /// Derived state, recomputed and compared by `verify`.
    Derived,
}

/// How `verify` accounts for a table's rows against the audit trail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accounted {
    /// The trail itself: its chain of hashes.
    Chain,
    /// A job's row, against the state hash its latest job event recorded.
    JobState,
    /// Part of a loop's audited state (its row, metric in force, steps, signals), against the
    /// state hash the loop's latest event recorded (a replaced metric is a row of its own).
    LoopState,
    /// Each row against the latest event that wrote it whole (`added`, `updated`, a job's row).
    Rows,
    /// Derived state: recomputed from the records and compared.
    Recomputed,
}

#[derive(Clone, Copy, Debug)]
pub struct TableDef {
    pub table: Table,
    pub name: &'static str,
    pub scope: Scope,
    pub accounted: Accounted,
    pub columns: &'static [Col],
    /// Its section in an export and the order its rows are written in (each section refers
    /// only to earlier ones); `None` for derived state, which an import rebuilds.
    pub export: Option<(&'static str, &'static str)>,
}

impl TableDef {
    /// The position of column `name` in `columns` (and in every `SELECT` of them).
    pub fn index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    pub fn column(&self, name: &str) -> Option<&Col> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// `INSERT INTO t (every column) VALUES (?1, …)`, and with `upsert` an update of the
    /// columns a later command may change when the row exists.
    pub fn insert_sql(&self, upsert: bool) -> String {
        let names: Vec<&str> = self.columns.iter().map(|c| c.name).collect();
        let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.name,
            names.join(", "),
            marks.join(", ")
        );
        let changed: Vec<String> = self
            .columns
            .iter()
            .filter(|c| c.changes)
            .map(|c| format!("{0} = excluded.{0}", c.name))
            .collect();
        if upsert && !changed.is_empty() {
            sql.push_str(&format!(
                " ON CONFLICT (id) DO UPDATE SET {}",
                changed.join(", ")
            ));
        }
        sql
    }

    pub fn changeable(&self) -> impl Iterator<Item = &'static str> {
        self.columns.iter().filter(|c| c.changes).map(|c| c.name)
    }

    pub fn actors(&self) -> impl Iterator<Item = &'static str> {
        self.columns.iter().filter(|c| c.actor).map(|c| c.name)
    }

    pub fn lead_only(&self) -> impl Iterator<Item = &'static str> {
        self.columns.iter().filter(|c| c.lead_only).map(|c| c.name)
    }

    /// Each column whose change names who made it, as `column:actor`.
    pub fn vouched(&self) -> impl Iterator<Item = String> {
        self.columns
            .iter()
            .filter_map(|c| c.by.map(|by| format!("{}:{by}", c.name)))
    }
}

/// Joins column names at compile time: `join!("a", "b")` is `"a, b"`.
macro_rules! join {
    ($first:literal $(, $rest:literal)*) => { concat!($first $(, ", ", $rest)*) };
}

/// Declares a table and the list of its columns as one text (`JOB_COLS`), for `SELECT`s.
macro_rules! table {
    ($(#[$m:meta])* $def:ident, $cols:ident: $table:expr, $name:literal, $scope:expr, $accounted:expr, $export:expr;
     $($col:literal => $($flag:ident $(($arg:literal))?)+),+ $(,)?) => {
        $(#[$m])*
        pub const $def: TableDef = TableDef {
            table: $table,
            name: $name,
            scope: $scope,
            accounted: $accounted,
            export: $export,
            columns: &[$(Col::named($col)$(.$flag($($arg)?))+),+],
        };
        pub const $cols: &str = join!($($col),+);
    };
}

table! {
    JOBS, JOB_COLS: Table::Jobs, "jobs", Scope::Jobs, Accounted::JobState, Some(("jobs", "created_at, id"));
    "id" => text,
    "slug" => text,
    "title" => text changes,
    "statement" => text changes,
    "performer" => text changes,
    "circumstance" => text changes,
    "workaround" => text changes,
    "functional_job" => text changes label("functional job"),
    "emotional_job" => text changes label("emotional job"),
    "social_job" => text changes label("social job"),
    "competing_solutions" => text changes label("competing solutions"),
    "hiring_criteria" => text changes label("hiring criteria"),
    "created_at" => text label("creation time"),
    "archived_at" => text null changes label("archive time"),
    "rev" => int changes label("revision"),
    "lead" => text null changes lead_only,
    "since" => text null changes,
}

table! {
    LOOPS, LOOP_COLS: Table::Loops, "loops", Scope::Loops, Accounted::LoopState,
    Some(("loops", "(SELECT j.created_at FROM jobs j WHERE j.id = loops.job_id), job_id, position"));
    "id" => text,
    "job_id" => text label("job"),
    "kind" => text,
    "position" => int,
    "status" => text changes,
    "owner" => text null changes lead_only,
    "notes" => text changes,
    "rev" => int changes label("revision"),
}

table! {
    STEPS, STEP_COLS: Table::Steps, "steps", Scope::Loop, Accounted::LoopState, Some(("steps", "loop_id, n"));
    "id" => text,
    "loop_id" => text label("loop"),
    "n" => int label("number"),
    "text" => text,
    "custom" => int flag label("custom flag"),
    "done_at" => text null changes by("done_by") label("done time"),
    "done_by" => text null changes actor label("done by"),
    "evidence" => text null changes by("done_by"),
}

table! {
    METRICS, METRIC_COLS: Table::Metrics, "metrics", Scope::Loop, Accounted::LoopState, Some(("metrics", "loop_id, set_at, id"));
    "id" => text,
    "loop_id" => text label("loop"),
    "name" => text,
    "unit" => text,
    "better" => text label("direction"),
    "measures" => text label("kind of measure"),
    "set_at" => text label("time set"),
    "set_by" => text actor label("setter"),
    "replaced_at" => text null changes label("replacement time"),
    "target" => text null changes,
    "role" => text,
    "max_worse" => text null label("limit"),
}

table! {
    VALUES, VALUE_COLS: Table::Values, "metric_values", Scope::Loop, Accounted::Rows, Some(("values", "loop_id, at, id"));
    "id" => text,
    "loop_id" => text label("loop"),
    "metric_id" => text label("metric"),
    "phase" => text,
    "value" => real,
    "at" => text label("date"),
    "note" => text,
    "recorded_by" => text actor label("recorder"),
    "recorded_at" => text label("time recorded"),
    "void_at" => text null changes by("void_by") label("void time"),
    "void_by" => text null changes actor label("voider"),
    "void_reason" => text null changes by("void_by") label("void reason"),
    "typed" => text null label("typed text"),
    "source" => text null,
}

table! {
    INTERVENTIONS, INTERVENTION_COLS: Table::Interventions, "interventions", Scope::Loop, Accounted::Rows, Some(("interventions", "loop_id, at, id"));
    "id" => text,
    "loop_id" => text label("loop"),
    "metric_id" => text label("metric"),
    "description" => text,
    "at" => text label("date"),
    "recorded_by" => text actor label("recorder"),
    "recorded_at" => text label("time recorded"),
    "void_at" => text null changes by("void_by") label("void time"),
    "void_by" => text null changes actor label("voider"),
    "void_reason" => text null changes by("void_by") label("void reason"),
    "plan" => text null,
    "plan_hash" => text null label("plan hash"),
}

table! {
    KILL_SIGNALS, SIGNAL_COLS: Table::KillSignals, "kill_signals", Scope::Loop, Accounted::LoopState, Some(("kill_signals", "loop_id, n"));
    "id" => text,
    "loop_id" => text label("loop"),
    "n" => int label("number"),
    "text" => text,
    "canonical" => int flag label("canonical flag"),
    "state" => text changes by("changed_by"),
    "reason" => text null changes by("changed_by"),
    "evidence" => text null changes by("changed_by"),
    "changed_by" => text null changes actor label("changed by"),
    "changed_at" => text null changes by("changed_by") label("change time"),
    "decision" => text null changes by("decided_by"),
    "decision_reason" => text null changes by("decided_by") label("decision reason"),
    "decided_by" => text null changes actor label("decided by"),
    "decided_at" => text null changes by("decided_by") label("decision time"),
    "created_at" => text label("creation time"),
    "rule" => text null,
}

table! {
    DECISIONS, DECISION_COLS: Table::Decisions, "decisions", Scope::Loop, Accounted::Rows, Some(("decisions", "loop_id, at, id"));
    "id" => text,
    "loop_id" => text label("loop"),
    "text" => text,
    "owner" => text,
    "threshold" => text null,
    "at" => text label("time"),
    "recorded_by" => text actor label("recorder"),
    "supersedes" => text null label("amended decision"),
    "approved_at" => text null changes by("approved_by") label("sign-off time"),
    "approved_by" => text null changes actor label("signer"),
    "void_at" => text null changes by("void_by") label("void time"),
    "void_by" => text null changes actor label("voider"),
    "void_reason" => text null changes by("void_by") label("void reason"),
    "step_id" => text null label("flow step"),
    "about" => text null label("day it is about"),
    "witnessed_by" => text null actor label("witness"),
}

table! {
    CYCLES, CYCLE_COLS: Table::Cycles, "cycles", Scope::Job, Accounted::Rows, Some(("cycles", "job_id, week"));
    "id" => text,
    "job_id" => text label("job"),
    "week" => text,
    "understanding" => int flag label("understanding answer"),
    "explanation" => int flag label("explanation answer"),
    "creation" => int flag label("creation answer"),
    "distribution" => int flag label("distribution answer"),
    "understanding_note" => text label("understanding note"),
    "explanation_note" => text label("explanation note"),
    "creation_note" => text label("creation note"),
    "distribution_note" => text label("distribution note"),
    "note" => text,
    "closed_at" => text label("closing time"),
    "closed_by" => text actor label("closer"),
}

table! {
    TOOLS, TOOL_COLS: Table::Tools, "tools", Scope::Job, Accounted::Rows, Some(("tools", "job_id, at, id"));
    "id" => text,
    "job_id" => text label("job"),
    "name" => text,
    "at" => text label("date"),
    "recorded_by" => text actor label("recorder"),
    "recorded_at" => text label("time recorded"),
    "void_at" => text null changes by("void_by") label("void time"),
    "void_by" => text null changes actor label("voider"),
    "void_reason" => text null changes by("void_by") label("void reason"),
}

table! {
    LEARNINGS, LEARNING_COLS: Table::Learnings, "learnings", Scope::Loop, Accounted::Rows, Some(("learnings", "loop_id, at, id"));
    "id" => text,
    "loop_id" => text label("loop"),
    "text" => text,
    "type" => text,
    "tag" => text null,
    "capability" => text null,
    "at" => text label("time"),
    "recorded_by" => text actor label("recorder"),
    "void_at" => text null changes by("void_by") label("void time"),
    "void_by" => text null changes actor label("voider"),
    "void_reason" => text null changes by("void_by") label("void reason"),
    "incident" => text null,
    "about" => text null label("day it is about"),
}

table! {
    PROOFS, PROOF_COLS: Table::Proofs, "proofs", Scope::Job, Accounted::Rows, Some(("proofs", "job_id, at, id"));
    "id" => text,
    "job_id" => text label("job"),
    "title" => text,
    "kind" => text,
    "visibility" => text changes,
    "link" => text null,
    "at" => text label("date"),
    "recorded_by" => text actor label("recorder"),
    "replies" => int null changes,
    "citations" => int null changes,
    "intros" => int null changes,
    "bookings" => int null changes,
    "sales" => int null changes,
    "reuse" => int null changes,
    "outcome_at" => text null changes label("outcome time"),
}

table! {
    DEVIATIONS, DEVIATION_COLS: Table::Deviations, "deviations", Scope::Loop, Accounted::Rows, Some(("deviations", "loop_id, at, id"));
    "id" => text,
    "loop_id" => text label("loop"),
    "intervention_id" => text label("intervention"),
    "what" => text,
    "detail" => text,
    "value" => text null,
    "reason" => text,
    "at" => text label("time"),
    "recorded_by" => text actor label("recorder"),
}

table! {
    FLOW_STEPS, FLOW_STEP_COLS: Table::FlowSteps, "flow_steps", Scope::Loop, Accounted::Rows, Some(("flow_steps", "loop_id, recorded_at, id"));
    "id" => text,
    "loop_id" => text label("loop"),
    "name" => text changes by("changed_by"),
    "kind" => text changes by("changed_by"),
    "performer" => text changes by("changed_by"),
    "role" => text null changes by("changed_by"),
    "gate" => text null changes by("changed_by"),
    "after_steps" => text changes by("changed_by") label("predecessors"),
    "data" => text changes by("changed_by") label("data classes"),
    "irreversible" => int flag changes by("changed_by") label("irreversible flag"),
    "at" => text label("date"),
    "recorded_by" => text actor label("recorder"),
    "recorded_at" => text label("time recorded"),
    "changed_at" => text null changes by("changed_by") label("change time"),
    "changed_by" => text null changes actor label("changed by"),
    "void_at" => text null changes by("void_by") label("void time"),
    "void_by" => text null changes actor label("voider"),
    "void_reason" => text null changes by("void_by") label("void reason"),
}

table! {
    FLOW_DROPS, FLOW_DROP_COLS: Table::FlowDrops, "flow_drops", Scope::Loop, Accounted::Rows, Some(("flow_drops", "loop_id, recorded_at, id"));
    "id" => text,
    "loop_id" => text label("loop"),
    "name" => text,
    "why" => text,
    "at" => text label("date"),
    "recorded_by" => text actor label("recorder"),
    "recorded_at" => text label("time recorded"),
    "void_at" => text null changes by("void_by") label("void time"),
    "void_by" => text null changes actor label("voider"),
    "void_reason" => text null changes by("void_by") label("void reason"),
}

table! {
    GOVERNANCE, GOVERNANCE_COLS: Table::Governance, "governance", Scope::Loop, Accounted::Rows, Some(("governance", "loop_id, at, id"));
    "id" => text,
    "loop_id" => text label("loop"),
    "step_id" => text label("flow step"),
    "owner" => text null,
    "approval" => text null label("approval threshold"),
    "critic" => text null,
    "critic_by" => text null label("critic performer"),
    "at" => text label("time"),
    "recorded_by" => text actor label("recorder"),
    "void_at" => text null changes by("void_by") label("void time"),
    "void_by" => text null changes actor label("voider"),
    "void_reason" => text null changes by("void_by") label("void reason"),
}

table! {
    CRITIC_RESULTS, CRITIC_RESULT_COLS: Table::CriticResults, "critic_results", Scope::Loop, Accounted::Rows, Some(("critic_results", "loop_id, at, id"));
    "id" => text,
    "loop_id" => text label("loop"),
    "step_id" => text label("flow step"),
    "critic" => text,
    "result" => text,
    "note" => text null,
    "at" => text label("time"),
    "recorded_by" => text actor label("recorder"),
    "void_at" => text null changes by("void_by") label("void time"),
    "void_by" => text null changes actor label("voider"),
    "void_reason" => text null changes by("void_by") label("void reason"),
}

table! {
    INCIDENTS, INCIDENT_COLS: Table::Incidents, "incidents", Scope::Loop, Accounted::Rows, Some(("incidents", "loop_id, at, id"));
    "id" => text,
    "loop_id" => text label("loop"),
    "step_id" => text label("flow step"),
    "what" => text,
    "severity" => text,
    "tag" => text null,
    "detected_by" => text null label("detected by"),
    "at" => text label("date"),
    "recorded_by" => text actor label("recorder"),
    "recorded_at" => text label("time recorded"),
    "change" => text null changes by("fixed_by"),
    "fixed_at" => text null changes by("fixed_by") label("fix time"),
    "fixed_by" => text null changes actor label("fixer"),
    "void_at" => text null changes by("void_by") label("void time"),
    "void_by" => text null changes actor label("voider"),
    "void_reason" => text null changes by("void_by") label("void reason"),
}

table! {
    AUDIT_EVENTS, EVENT_COLS: Table::AuditEvents, "audit_events", Scope::Trail, Accounted::Chain, Some(("audit_events", "seq"));
    "seq" => int,
    "id" => text,
    "at" => text label("time"),
    "actor" => text,
    "command" => text,
    "job_id" => text null label("job"),
    "loop_kind" => text null label("loop kind"),
    "summary" => text,
    "before" => text,
    "after" => text,
    "prev_hash" => text label("previous hash"),
    "hash" => text,
}

table! {
    LOOP_STATE, LOOP_STATE_COLS: Table::LoopState, "loop_state", Scope::Derived, Accounted::Recomputed, None;
    "loop_id" => text label("loop"),
    "job_id" => text label("job"),
    "state" => text,
}

table! {
    JOB_STATE, JOB_STATE_COLS: Table::JobState, "job_state", Scope::Derived, Accounted::Recomputed, None;
    "job_id" => text label("job"),
    "state" => text,
}

/// Every table, in export order (each refers only to earlier ones), derived state last.
pub const TABLES: [&TableDef; 21] = [
    &JOBS,
    &LOOPS,
    &STEPS,
    &METRICS,
    &VALUES,
    &INTERVENTIONS,
    &KILL_SIGNALS,
    &DECISIONS,
    &CYCLES,
    &TOOLS,
    &LEARNINGS,
    &PROOFS,
    &DEVIATIONS,
    &FLOW_STEPS,
    &FLOW_DROPS,
    &GOVERNANCE,
    &CRITIC_RESULTS,
    &INCIDENTS,
    &AUDIT_EVENTS,
    &LOOP_STATE,
    &JOB_STATE,
];

/// The tables a member of a shared database writes records in.
pub fn records() -> impl Iterator<Item = &'static TableDef> {
    TABLES.into_iter().filter(|t| {
        matches!(
            t.scope,
            Scope::Jobs | Scope::Loops | Scope::Loop | Scope::Job
        )
    })
}

/// The tables in an export, in its order.
pub fn exported() -> impl Iterator<Item = &'static TableDef> {
    TABLES.into_iter().filter(|t| t.export.is_some())
}

pub fn of(table: Table) -> Option<&'static TableDef> {
    TABLES.into_iter().find(|t| t.table == table)
}

#[cfg(test)]
mod tests;
