//! What a loop measures and decides by: metrics, plans, baselines and measurements, values
//! files, guardrails and kill signals.

use clap::{Args, Subcommand};
use std::path::PathBuf;

use super::parse::*;
use crate::domain::LoopKind;
use crate::domain::model::{Better, Measures};
use crate::domain::stats::{Limit, Target};
use crate::domain::time::When;

#[derive(Args, Debug)]
pub struct MetricArgs {
    pub job: String,
    #[arg(value_parser = parse_kind)]
    pub kind: LoopKind,
    /// What is measured, e.g. "median time to first answer"
    pub name: String,
    /// Unit of the values, e.g. h, %, EUR
    #[arg(long, default_value = "")]
    pub unit: String,
    /// Which way is better
    #[arg(long, value_parser = parse_better)]
    pub better: Better,
    /// Whether it measures an outcome or mere adoption
    #[arg(long, value_parser = parse_measures, default_value = "outcome")]
    pub measures: Measures,
    /// The change you want to be able to see: a percentage (-20%) or a change in the unit (-1.5)
    #[arg(long, value_parser = parse_target, allow_hyphen_values = true)]
    pub target: Option<Target>,
    /// Why, when it changes a plan locked by an intervention (recorded as a deviation)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum MetricCmd {
    /// Set the loop's primary metric (one per loop)
    Set(MetricArgs),
    /// Replace the primary metric; baselines start again for the new one
    Replace(MetricArgs),
    /// Set the change the primary metric should be able to show (-20%, or -1.5 in its unit)
    Target {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        #[arg(value_parser = parse_target, allow_hyphen_values = true, required_unless_present = "clear")]
        target: Option<Target>,
        /// Remove the target
        #[arg(long, conflicts_with = "target")]
        clear: bool,
        /// Why, when it changes a plan locked by an intervention (recorded as a deviation)
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum GuardCmd {
    /// Watch a guardrail on a loop (record its values with `baseline`/`measure --guard NAME`)
    Add {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        /// What must not get worse, e.g. "cost per ticket"
        name: String,
        /// Unit of the values, e.g. EUR, %
        #[arg(long, default_value = "")]
        unit: String,
        /// Which way is better
        #[arg(long, value_parser = parse_better)]
        better: Better,
        /// How much worse it may get before it is breached: a percentage (10%) or an amount in
        /// its unit (0.5)
        #[arg(long, value_parser = parse_limit, value_name = "LIMIT", allow_hyphen_values = true)]
        max_worse: Limit,
        /// Why, when the plan is already locked (recorded as a deviation)
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Stop watching a guardrail (its values are kept)
    Remove {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        name: String,
        /// Why, when the plan is already locked (recorded as a deviation)
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum PlanCmd {
    /// Print the plan the latest intervention locked, with its deviations
    Show {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        #[arg(long)]
        json: bool,
    },
    /// Change the locked plan's horizon (the live values its 5% is spent over): a deviation
    Horizon {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        /// The number of live values, 1 to 520
        n: usize,
        /// Why (required: recorded as a deviation from the plan)
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
}

#[derive(Args, Debug)]
pub struct ValueArgs {
    pub job: String,
    #[arg(value_parser = parse_kind)]
    pub kind: LoopKind,
    /// Any hyphen value is a value here: clap's own test for a negative number does not know
    /// negative exponents (`-5e-324`, `-1e-3`), and `parse_value` says what is not a number.
    #[arg(value_parser = parse_value, allow_hyphen_values = true)]
    pub value: Typed,
    /// When it was taken, YYYY-MM-DD [default: today]
    #[arg(long, value_parser = parse_at, value_name = "DATE")]
    pub at: Option<When>,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// A value of this guardrail instead of the primary metric
    #[arg(long, value_name = "NAME")]
    pub guard: Option<String>,
    /// Why, when it changes a plan locked by an intervention (recorded as a deviation)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum ValuesCmd {
    /// Record the values of a CSV file (`-`: standard input) in one transaction, all or nothing.
    /// Its header names the columns job,kind,date,value and optionally phase (baseline/live;
    /// default: baseline before the loop's first intervention, live from it on), guard, note,
    /// source (the value's id where it came from). Rows already recorded are skipped.
    Import {
        file: PathBuf,
        /// Check every row and print what would be recorded; write nothing
        #[arg(long)]
        dry_run: bool,
        /// Why, for baseline rows that change a plan locked by an intervention (as
        /// `baseline --reason`): each such row is recorded as a deviation with it
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Write every value in the import's CSV format (standard output unless FILE is given)
    Export {
        file: Option<PathBuf>,
        /// CSV (the only format; accepted for scripts that say so)
        #[arg(long)]
        csv: bool,
        /// Replace FILE if it exists
        #[arg(long, requires = "file")]
        force: bool,
    },
    /// Print a CSV to fill in: a row per loop of JOB with a metric (and per guardrail)
    Template { job: String },
}

#[derive(Subcommand, Debug)]
pub enum KillCmd {
    /// Add a custom kill signal to a loop (armed), optionally with a rule the data can check
    Add {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        text: String,
        /// `worse-than-baseline P% for N`, `below X`, `above X`, `stale N days` or
        /// `by YYYY-MM-DD improved P%`
        #[arg(long)]
        rule: Option<String>,
        /// Why, when a rule is added to a plan locked by an intervention (a deviation)
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Trip a kill signal (the first armed one unless N is given); a reason is required
    Trip {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        n: Option<i64>,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        evidence: Option<String>,
    },
    /// Re-arm a tripped kill signal; a reason is required
    Rearm {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        n: i64,
        #[arg(long)]
        reason: String,
    },
}
