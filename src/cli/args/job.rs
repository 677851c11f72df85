//! `job` and `loop`: the jobs, and the six loops' owners, steps and notes.

use clap::{Args, Subcommand};

use super::parse::*;
use crate::domain::LoopKind;

#[derive(Subcommand, Debug)]
pub enum JobCmd {
    /// Add a job; its six loops start not started
    Add {
        title: String,
        /// Unique short name [default: derived from the title]
        #[arg(long)]
        slug: Option<String>,
        /// The job statement: "When …, I want …, so I can …"
        #[arg(long, value_name = "TEXT")]
        statement: Option<String>,
        /// Owner of all six loops to start with
        #[arg(long, value_name = "NAME")]
        owner: Option<String>,
        /// The day its history begins, when earlier than today (backfill: earlier weeks' compound
        /// tests can then be answered), YYYY-MM-DD
        #[arg(long, value_parser = parse_day, value_name = "DATE")]
        since: Option<chrono::NaiveDate>,
    },
    /// Edit a job's title, statement or canvas (an empty value clears a field)
    Edit(JobEditArgs),
    /// List jobs
    List {
        /// Include archived jobs
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show a job: statement, canvas, loops and cycles
    Show {
        job: String,
        #[arg(long)]
        json: bool,
    },
    /// Name the job's lead (who, with each loop's owner, records on its loops in team mode)
    Lead { job: String, name: String },
    /// Hide a job from the board and review (nothing is deleted)
    Archive { job: String },
    /// Bring an archived job back
    Unarchive { job: String },
}

#[derive(Args, Debug)]
pub struct JobEditArgs {
    pub job: String,
    #[arg(long)]
    pub title: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub statement: Option<String>,
    /// Who performs the job
    #[arg(long, value_name = "TEXT")]
    pub performer: Option<String>,
    /// When and where the job arises
    #[arg(long, value_name = "TEXT")]
    pub circumstance: Option<String>,
    /// How the customer gets it done today
    #[arg(long, value_name = "TEXT")]
    pub workaround: Option<String>,
    #[arg(long = "functional", value_name = "TEXT")]
    pub functional_job: Option<String>,
    #[arg(long = "emotional", value_name = "TEXT")]
    pub emotional_job: Option<String>,
    #[arg(long = "social", value_name = "TEXT")]
    pub social_job: Option<String>,
    /// What the customer hires today instead
    #[arg(long = "competing", value_name = "TEXT")]
    pub competing_solutions: Option<String>,
    /// What a solution must do to be hired
    #[arg(long = "hiring-criteria", value_name = "TEXT")]
    pub hiring_criteria: Option<String>,
    /// The day the job's history begins, YYYY-MM-DD (backfill; an empty value: the day it was
    /// recorded)
    #[arg(long, value_parser = parse_since, value_name = "DATE")]
    pub since: Option<Since>,
}

#[derive(Subcommand, Debug)]
pub enum LoopCmd {
    /// Show a loop: owner, checklist, metric, values, kill signals, decisions, activity
    Show {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        #[arg(long)]
        json: bool,
        /// List every value, not only the latest
        #[arg(long)]
        all: bool,
    },
    /// Name the loop's human owner
    Owner {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        name: String,
    },
    /// Open (or reopen) a loop
    Open {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
    },
    /// Close a loop: its question is answered "yes"
    Close {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        /// Close even though checklist steps are not done
        #[arg(long)]
        force: bool,
    },
    /// Mark a checklist step done (with evidence) or undo it
    Step {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        /// Step number, from 1
        #[arg(value_parser = clap::value_parser!(i64).range(1..))]
        n: i64,
        #[arg(long, required_unless_present = "undo", conflicts_with = "undo")]
        done: bool,
        #[arg(long)]
        undo: bool,
        /// What shows the step is done
        #[arg(long, requires = "done", value_name = "TEXT")]
        evidence: Option<String>,
    },
    /// Replace the loop's notes (an empty TEXT clears them)
    Note {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        text: String,
    },
    /// Add a custom step to the loop's checklist
    StepAdd {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        text: String,
    },
    /// Decide after a tripped kill signal: stop the work (the loop is killed)
    Retire {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        #[arg(long)]
        reason: String,
    },
    /// Decide after a tripped kill signal: the work goes on
    Continue {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        #[arg(long)]
        reason: String,
    },
}
