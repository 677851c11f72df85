//! The command line, as clap definitions. Values are parsed and checked here (numbers, dates,
//! loop kinds) so a typo is a usage error before the database is touched.

mod distribute;
mod flow;
mod job;
mod measure;
mod parse;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

use crate::domain::LoopKind;
use crate::domain::model::{Capability, LearningType};
use crate::domain::time::{Week, When};

#[derive(Parser, Debug)]
#[command(
    name = "jobloop",
    version,
    about = "Review the six AI-native loops of your team's customer jobs (no command: the board on a terminal, the weekly review when piped)",
    long_about = "jobloop keeps, for every customer job your team is making AI-native, the six loops \
(understand, redesign, instrument, govern, improve, distribute): who owns each, its primary metric, \
the baseline before any change, live measurements, kill signals, and the weekly compound test.\n\n\
Run without a command on a terminal to open the interactive board (the database is created if \
it does not exist yet); piped or redirected, it prints the weekly review as text, as `jobloop review` \
does.",
    after_help = "JOB is a job's slug (see `jobloop job list`); KIND is a loop kind or a unique prefix of one (`instr`)."
)]
pub struct Cli {
    /// Database file [default: $XDG_DATA_HOME/jobloop/jobloop.db]
    #[arg(long, global = true, env = "JOBLOOP_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Who is acting, for the audit trail [default: $JOBLOOP_USER, else $USER, else your account]
    #[arg(long = "as", global = true, value_name = "NAME")]
    pub actor: Option<String>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create the database (or initialise an existing empty file)
    Init,
    /// Add, edit, list, show or archive customer jobs
    #[command(subcommand)]
    Job(JobCmd),
    /// Look at a loop, name its owner, open, close, tick steps, retire or continue it
    #[command(name = "loop", subcommand)]
    Loop(LoopCmd),
    /// Set or replace a loop's primary metric
    #[command(subcommand)]
    Metric(MetricCmd),
    /// Record a baseline value (before any intervention) of a loop's primary metric
    Baseline(ValueArgs),
    /// Record a live measurement of a loop's primary metric
    Measure(ValueArgs),
    /// Start an intervention (needs a primary metric and an earlier baseline)
    Intervene {
        #[arg(value_name = "JOB")]
        job: String,
        #[arg(value_name = "KIND", value_parser = parse_kind)]
        kind: LoopKind,
        /// What changes in the work
        description: String,
        /// When it started, YYYY-MM-DD [default: today]
        #[arg(long, value_parser = parse_at, value_name = "DATE")]
        at: Option<When>,
        /// The planned number of live values, 1 to 520 [default: from the target, else 12]
        #[arg(long, value_name = "N")]
        horizon: Option<usize>,
    },
    /// Show a loop's locked plan, or change its horizon (a deviation with a reason)
    #[command(subcommand)]
    Plan(PlanCmd),
    /// Add or remove guardrails: metrics that must not get worse while the primary one improves
    #[command(subcommand)]
    Guard(GuardCmd),
    /// Values many at a time: import a CSV file or a pipe, export them, or print a template
    #[command(subcommand)]
    Values(ValuesCmd),
    /// Mark a value, intervention, decision or learning entered by mistake as void (it stays,
    /// with who voided it and why, and counts for nothing)
    Void {
        #[arg(value_name = "JOB")]
        job: String,
        #[arg(value_name = "KIND", value_parser = parse_kind)]
        kind: LoopKind,
        /// At least 4 characters of the record's id (see `loop show`)
        #[arg(value_name = "ID")]
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Undo your own last command with a compensating record (a void, a re-arm, a reopening…)
    Undo {
        /// Do it without asking
        #[arg(long)]
        yes: bool,
    },
    /// Add, trip or re-arm kill signals
    #[command(subcommand)]
    Kill(KillCmd),
    /// Record an irreversible decision and its human owner, who signs it off (--approve); amend
    /// its owner or threshold as a new version (--amend)
    Decide {
        #[arg(value_name = "JOB")]
        job: String,
        #[arg(value_name = "KIND", value_parser = parse_kind)]
        kind: LoopKind,
        /// The decision
        #[arg(required_unless_present_any = ["approve", "amend"])]
        text: Option<String>,
        /// The human owner of the decision (required for a new decision)
        #[arg(long, value_name = "NAME", required_unless_present_any = ["approve", "amend"])]
        owner: Option<String>,
        /// The approval threshold, e.g. "refunds under 50 EUR"
        #[arg(long, value_name = "TEXT")]
        threshold: Option<String>,
        /// The flow step the decision belongs to (its name or a unique prefix)
        #[arg(long, value_name = "STEP", conflicts_with_all = ["approve", "amend"])]
        step: Option<String>,
        /// Sign off decision ID as its named owner
        #[arg(long, value_name = "ID", conflicts_with_all = ["text", "amend", "threshold", "owner"])]
        approve: Option<String>,
        /// With --approve on a local file: record the named owner's sign-off on their word
        /// (witnessed by you, not signed by them; the trail and the review say so)
        #[arg(long, requires = "approve")]
        witnessed: bool,
        /// Record a new version of decision ID with another --owner or --threshold
        #[arg(long, value_name = "ID", conflicts_with = "text")]
        amend: Option<String>,
        /// The day it was taken, YYYY-MM-DD [default: today]
        #[arg(long, value_parser = parse_day, value_name = "DATE", conflicts_with_all = ["approve", "amend"])]
        at: Option<chrono::NaiveDate>,
    },
    /// Check every kill rule against the data now, and trip the signals whose rules fire
    Check,
    /// Record that a tool was selected for a job (or, with --void, that one was recorded by
    /// mistake)
    Tool {
        job: String,
        /// The tool's name (with --void: its name, or at least 4 characters of its id)
        name: String,
        /// When it was selected, YYYY-MM-DD [default: today]
        #[arg(long, value_parser = parse_at, value_name = "DATE", conflicts_with = "void")]
        at: Option<When>,
        /// Mark the tool as recorded by mistake: it stays, with who and why, and counts for
        /// nothing
        #[arg(long, requires = "reason")]
        void: bool,
        /// Why it is void
        #[arg(long, requires = "void")]
        reason: Option<String>,
    },
    /// Capture a learning on a loop: evidence, decision, feedback, correction, outcome, mistake
    /// or change
    Learn {
        job: String,
        #[arg(value_parser = parse_kind)]
        kind: LoopKind,
        text: String,
        #[arg(long = "type", value_parser = parse_learning, value_name = "TYPE")]
        kind_of: LearningType,
        /// A short tag; the same mistake twice is found by its tag
        #[arg(long)]
        tag: Option<String>,
        /// REALITY, DREAM or CONSUMED
        #[arg(long, value_parser = parse_capability)]
        capability: Option<Capability>,
        /// The incident it learns from (at least 4 characters of its id)
        #[arg(long, value_name = "ID")]
        incident: Option<String>,
        /// The day it is about, YYYY-MM-DD [default: today]
        #[arg(long, value_parser = parse_day, value_name = "DATE")]
        at: Option<chrono::NaiveDate>,
    },
    /// The redesigned workflow of a job: its steps (who does each, its data, its gates), the
    /// governance inside it, the work it removed, and its diagram
    #[command(subcommand)]
    Flow(FlowCmd),
    /// Record what a critic check of a flow step found
    #[command(subcommand)]
    Critic(CriticCmd),
    /// Incidents at a flow step, and the change that fixed each
    #[command(subcommand)]
    Incident(IncidentCmd),
    /// For the people who ask: every active job's agent steps, data classes, human gates and
    /// owners, approval thresholds, critic checks, open incidents, kill signals and decisions,
    /// labelled with the EU AI Act deployer duty and NIST AI RMF function each helps evidence
    /// (for orientation, not legal advice)
    Register {
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// A document a lead can attach
        #[arg(long)]
        markdown: bool,
    },
    /// Write the playbook (DIR/playbook/: per job its canvas, workflow, what was tried and
    /// shown, what was stopped and why, decisions, learnings) and the journeys (DIR/journeys/:
    /// public proof only) as Markdown; rewrites only its own pages that changed
    Publish {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Write an iCalendar file (RFC 5545) to import into a calendar program: each job's weekly
    /// check-in, the day each loop's verdict is expected to become possible, dated kill rules,
    /// decisions awaiting sign-off. Importing it again updates the events (`-`: standard output)
    Calendar {
        file: PathBuf,
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
    },
    /// Proof artifacts: add one, track what it brought back, list them
    #[command(subcommand)]
    Proof(ProofCmd),
    /// Close a review cycle with the compound test, or list past cycles
    #[command(subcommand)]
    Cycle(CycleCmd),
    /// The weekly review: every job's loops and what needs you
    Review {
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// A digest to paste into chat or email
        #[arg(long)]
        markdown: bool,
        /// The week the digest covers, e.g. 2026-W46 [default: this week]
        #[arg(long, value_parser = parse_week, requires = "markdown")]
        week: Option<Week>,
    },
    /// One self-contained HTML page to send to people who never open a terminal: the board,
    /// what needs whom, each metric as a chart with its comparison in words, kill signals and
    /// decisions, compound tests, proof artifacts. It fetches nothing and runs no script.
    Report {
        /// The file to write
        #[arg(long, value_name = "FILE")]
        html: PathBuf,
        /// Only this job (archived or not)
        #[arg(long, value_name = "SLUG")]
        job: Option<String>,
        /// A past week as it stood at its end, e.g. 2026-W45 [default: now]
        #[arg(long, value_parser = parse_week)]
        week: Option<Week>,
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
    },
    /// The audit trail, newest first
    Log {
        /// Only this job's events
        #[arg(value_name = "JOB")]
        job: Option<String>,
        /// Only this loop's events (with JOB)
        #[arg(long, value_parser = parse_kind, requires = "job")]
        kind: Option<LoopKind>,
        /// How many events
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
    /// Write every record as one JSON document (to FILE, or standard output without FILE or with -)
    Export {
        file: Option<PathBuf>,
        /// Replace FILE if it exists
        #[arg(long, requires = "file")]
        force: bool,
    },
    /// Restore an export into an empty database, all or nothing (`-` reads standard input)
    Import { file: PathBuf },
    /// Fill an empty database with a realistic example
    Demo {
        /// Number of jobs
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=100_000))]
        jobs: u32,
        /// Weeks of history
        #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=520))]
        weeks: u32,
        /// Seed of the generated values
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Check that the audit chain is intact and every record is what the trail recorded
    Verify,
    /// Check the file: a write-ahead log that does not belong to it, SQLite integrity,
    /// references, readable rows, the audit trail, the derived state; says what to do
    Doctor {
        /// Rebuild the derived state from the records (records are never touched) and move a
        /// write-ahead log that does not belong to the file aside (nothing is deleted)
        #[arg(long)]
        repair: bool,
    },
    /// Write a consistent, checked copy of the database to FILE
    Backup {
        file: PathBuf,
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
    },
    /// Print a shell completion script
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Create or upgrade the schema of a shared PostgreSQL database (run once, as its owner)
    Migrate,
    /// The people of a shared PostgreSQL database: each logs in as their own role
    #[command(subcommand)]
    Team(TeamCmd),
}

#[derive(Subcommand, Debug)]
pub enum TeamCmd {
    /// Add a person: a login role in jobloop's group role (needs CREATEROLE)
    Add {
        /// Their role name, which is also the name they own loops under
        name: String,
        /// Read a password for the role from the first line of standard input
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the people of the team
    List {
        #[arg(long)]
        json: bool,
    },
}

impl Command {
    /// Commands that never write, and so need no actor.
    pub fn reads_only(&self) -> bool {
        matches!(
            self,
            Command::Review { .. }
                | Command::Report { .. }
                | Command::Verify
                | Command::Doctor { repair: false }
                | Command::Backup { .. }
                | Command::Log { .. }
                | Command::Export { .. }
                | Command::Completions { .. }
                | Command::Job(JobCmd::List { .. } | JobCmd::Show { .. })
                | Command::Loop(LoopCmd::Show { .. })
                | Command::Plan(PlanCmd::Show { .. })
                | Command::Cycle(CycleCmd::List { .. })
                | Command::Proof(ProofCmd::List { .. })
                | Command::Values(ValuesCmd::Export { .. } | ValuesCmd::Template { .. })
                | Command::Flow(FlowCmd::List { .. } | FlowCmd::Export { .. })
                | Command::Incident(IncidentCmd::List { .. })
                | Command::Register { .. }
                | Command::Publish { .. }
                | Command::Calendar { .. }
        )
    }
}

pub(super) use distribute::{CycleCloseArgs, CycleCmd, ProofCmd};
pub(super) use flow::{CriticCmd, FlowCmd, IncidentCmd};
pub(super) use job::{JobCmd, LoopCmd};
pub(super) use measure::{GuardCmd, KillCmd, MetricCmd, PlanCmd, ValueArgs, ValuesCmd};
use parse::*;
