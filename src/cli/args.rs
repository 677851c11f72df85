//! The command line, as clap definitions. Values are parsed and checked here (numbers, dates,
//! loop kinds) so a typo is a usage error before the database is touched.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

use crate::domain::LoopKind;
use crate::domain::model::{
    AgentRole, Better, Capability, DataClass, DetectedBy, HumanGate, LearningType, Measures,
    Performer, ProofKind, Severity, StepKind, Verdict, Visibility,
};
use crate::domain::num;
use crate::domain::stats::{Limit, Target};
use crate::domain::time::{Stamp, Week, When, parse_when};

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
    /// Record that a tool was selected for a job
    Tool {
        job: String,
        /// The tool's name
        name: String,
        /// When it was selected, YYYY-MM-DD [default: today]
        #[arg(long, value_parser = parse_at, value_name = "DATE")]
        at: Option<When>,
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

/// Data classes given as `personal,internal` (`none` for none).
#[derive(Clone, Debug, PartialEq)]
pub struct DataClasses(pub Vec<DataClass>);

#[derive(Subcommand, Debug)]
pub enum FlowCmd {
    /// Add a step to a job's redesigned workflow (the redesign loop's record)
    Add {
        job: String,
        /// The step's name, unique in the flow
        name: String,
        /// input, decision, action, output, exception or handoff
        #[arg(long, value_parser = parse_step_kind)]
        kind: StepKind,
        /// Who does it: agent, system or human
        #[arg(long, value_parser = parse_performer)]
        by: Performer,
        /// An agent's role: perception, decision, action, memory or escalation
        #[arg(long, value_parser = parse_role)]
        role: Option<AgentRole>,
        /// A human's gate: judgment, taste, relationship, exception, approval or liability
        #[arg(long, value_parser = parse_gate)]
        gate: Option<HumanGate>,
        /// A step it follows (its name or a unique prefix); give it once per predecessor
        #[arg(long, value_name = "STEP")]
        after: Vec<String>,
        /// The data classes it handles: public, internal, confidential, personal, special
        #[arg(long, value_parser = parse_classes, value_name = "CLASS[,CLASS]")]
        data: Option<DataClasses>,
        /// It cannot be taken back (a payment sent, a message delivered)
        #[arg(long)]
        irreversible: bool,
        /// When it was mapped, YYYY-MM-DD [default: today]
        #[arg(long, value_parser = parse_at, value_name = "DATE")]
        at: Option<When>,
    },
    /// The flow of a job: its steps in order, with governance, critics, incidents and the work
    /// it removed
    List {
        job: String,
        #[arg(long)]
        json: bool,
    },
    /// Change a step (its name, kind, performer, role, gate, predecessors, data, irreversibility)
    Set {
        job: String,
        /// The step's name or a unique prefix
        step: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_parser = parse_step_kind)]
        kind: Option<StepKind>,
        /// Who does it now (a role or gate that no longer fits goes unless given again)
        #[arg(long, value_parser = parse_performer)]
        by: Option<Performer>,
        #[arg(long, value_parser = parse_role)]
        role: Option<AgentRole>,
        #[arg(long, value_parser = parse_gate)]
        gate: Option<HumanGate>,
        /// The steps it follows, all of them (give it once per predecessor)
        #[arg(long, value_name = "STEP", conflicts_with = "first")]
        after: Vec<String>,
        /// It follows no step: the flow starts here
        #[arg(long)]
        first: bool,
        /// Its data classes, all of them (`none` for none)
        #[arg(long, value_parser = parse_classes, value_name = "CLASS[,CLASS]")]
        data: Option<DataClasses>,
        #[arg(long, conflicts_with = "reversible")]
        irreversible: bool,
        #[arg(long)]
        reversible: bool,
    },
    /// Remove a step from the flow: it is voided with the reason and kept in the history
    Void {
        job: String,
        step: String,
        #[arg(long)]
        reason: String,
    },
    /// Record artifact work the redesign removed ("the weekly status spreadsheet"), and why
    Drop {
        job: String,
        /// The work that was removed
        name: String,
        #[arg(long)]
        why: String,
        /// When it was removed, YYYY-MM-DD [default: today]
        #[arg(long, value_parser = parse_at, value_name = "DATE")]
        at: Option<When>,
    },
    /// Govern a step (the govern loop's record): its human owner, its approval threshold, a
    /// critic check
    Govern {
        job: String,
        step: String,
        /// The human who owns the step's outcome
        #[arg(long, value_name = "NAME")]
        owner: Option<String>,
        /// Its approval threshold, e.g. "refunds over 50 EUR wait for the owner"
        #[arg(long, value_name = "TEXT")]
        approval: Option<String>,
        /// A named critic check of the step
        #[arg(long, value_name = "NAME", requires = "critic_by")]
        critic: Option<String>,
        /// Who performs the critic check: agent, system or human
        #[arg(long, value_parser = parse_performer, requires = "critic")]
        critic_by: Option<Performer>,
    },
    /// Write the flow as a diagram with lanes and gates (Mermaid or Graphviz DOT)
    Export {
        job: String,
        #[arg(long, conflicts_with = "dot", required_unless_present = "dot")]
        mermaid: bool,
        #[arg(long)]
        dot: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum CriticCmd {
    /// Record a critic check's result on a step (the govern loop's record)
    Result {
        job: String,
        /// The step's name or a unique prefix
        step: String,
        /// The critic check's name
        critic: String,
        /// pass or fail
        #[arg(value_parser = parse_verdict)]
        result: Verdict,
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum IncidentCmd {
    /// Record an incident at a flow step (the improve loop's record)
    Add {
        job: String,
        /// What happened
        what: String,
        /// The step it happened at (its name or a unique prefix)
        #[arg(long, value_name = "STEP")]
        step: String,
        /// low, medium or high
        #[arg(long, value_parser = parse_severity)]
        severity: Severity,
        /// A short tag; the same incident twice is found by its step and tag
        #[arg(long)]
        tag: Option<String>,
        /// Who noticed: agent, system, human or customer
        #[arg(long, value_parser = parse_detected_by)]
        detected_by: Option<DetectedBy>,
        /// When it happened, YYYY-MM-DD [default: today]
        #[arg(long, value_parser = parse_at, value_name = "DATE")]
        at: Option<When>,
    },
    /// Record what changed to fix an incident (in the prompt, standard, workflow or instrument)
    Fix {
        /// At least 4 characters of the incident's id
        id: String,
        #[arg(long)]
        change: String,
    },
    /// The incidents of one job or of all, open ones first
    List {
        job: Option<String>,
        #[arg(long)]
        json: bool,
    },
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

#[derive(Subcommand, Debug)]
pub enum ProofCmd {
    /// Turn proof into a case, diagram, story, benchmark or standard
    Add {
        job: String,
        title: String,
        #[arg(long, value_parser = parse_proof_kind)]
        kind: ProofKind,
        #[arg(long, value_parser = parse_visibility)]
        visibility: Visibility,
        #[arg(long)]
        link: Option<String>,
        /// When it was published, YYYY-MM-DD [default: today]
        #[arg(long, value_parser = parse_at, value_name = "DATE")]
        at: Option<When>,
    },
    /// Track what a proof brought back (ID: at least 4 characters of its id)
    Outcome {
        job: String,
        id: String,
        #[arg(long, default_value_t = 0)]
        replies: u32,
        #[arg(long, default_value_t = 0)]
        citations: u32,
        #[arg(long, default_value_t = 0)]
        intros: u32,
        #[arg(long, default_value_t = 0)]
        bookings: u32,
        #[arg(long, default_value_t = 0)]
        sales: u32,
        #[arg(long, default_value_t = 0)]
        reuse: u32,
    },
    /// Make a proof public (it goes to the journeys `publish` writes) or withdraw it (private
    /// again; its record stays), with why
    Visibility {
        job: String,
        /// At least 4 characters of its id
        id: String,
        #[arg(value_parser = parse_visibility)]
        visibility: Visibility,
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// List a job's proof artifacts with their ids
    List {
        job: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum CycleCmd {
    /// Answer the compound test and close the cycle (this ISO week unless --week)
    Close(CycleCloseArgs),
    /// List a job's closed cycles
    List {
        job: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct CycleCloseArgs {
    pub job: String,
    /// Did we learn better what matters? (required)
    #[arg(long, value_parser = parse_yes_no, value_name = "yes|no", required = true)]
    pub understanding: Option<bool>,
    /// Can we explain it with less drag? (required)
    #[arg(long, value_parser = parse_yes_no, value_name = "yes|no", required = true)]
    pub explanation: Option<bool>,
    /// Do we create more value with less waste? (required)
    #[arg(long, value_parser = parse_yes_no, value_name = "yes|no", required = true)]
    pub creation: Option<bool>,
    /// Does the proof reach better next actors? (required)
    #[arg(long, value_parser = parse_yes_no, value_name = "yes|no", required = true)]
    pub distribution: Option<bool>,
    /// The ISO week to close, e.g. 2026-W46 [default: this week]
    #[arg(long, value_parser = parse_week)]
    pub week: Option<Week>,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub understanding_note: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub explanation_note: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub creation_note: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub distribution_note: Option<String>,
}

fn parse_kind(s: &str) -> Result<LoopKind, String> {
    LoopKind::parse(s).map_err(|e| e.message)
}

fn parse_at(s: &str) -> Result<When, String> {
    parse_when(s, Stamp::now()).map_err(|e| e.message)
}

/// A calendar day from 1970 to today.
fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    parse_at(s).map(|w| w.date())
}

/// `--since` of `job edit`: a day, or empty to clear it.
#[derive(Clone, Copy, Debug)]
pub struct Since(pub Option<chrono::NaiveDate>);

fn parse_since(s: &str) -> Result<Since, String> {
    if s.is_empty() {
        return Ok(Since(None));
    }
    parse_day(s).map(|d| Since(Some(d)))
}

fn parse_limit(s: &str) -> Result<Limit, String> {
    Limit::parse(s).map_err(|e| e.to_string())
}

fn parse_target(s: &str) -> Result<Target, String> {
    Target::parse(s).map_err(|e| e.to_string())
}

fn parse_week(s: &str) -> Result<Week, String> {
    Week::parse(s).map_err(|e| e.message)
}

/// A number with the text it was typed as (`10.00` is kept as typed).
#[derive(Clone, Debug)]
pub struct Typed {
    pub value: f64,
    pub text: String,
}

fn parse_value(s: &str) -> Result<Typed, String> {
    num::parse(s).map_err(|e| e.message).map(|value| Typed {
        value,
        text: s.to_string(),
    })
}

fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Ok(true),
        "no" | "n" | "false" => Ok(false),
        _ => Err(format!("`{s}` is not an answer: write yes or no")),
    }
}

fn parse_better(s: &str) -> Result<Better, String> {
    Better::from_text(s.trim())
        .ok_or_else(|| format!("`{s}` is not a direction: write higher or lower"))
}

fn one_of<T: Copy>(
    s: &str,
    all: &[T],
    name: impl Fn(T) -> &'static str,
    what: &str,
) -> Result<T, String> {
    let wanted = s.trim();
    all.iter()
        .copied()
        .find(|v| name(*v).eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
            format!("`{s}` is not a {what}: write one of {}", names.join(", "))
        })
}

fn parse_step_kind(s: &str) -> Result<StepKind, String> {
    one_of(s, StepKind::ALL, StepKind::as_str, "kind of step")
}

fn parse_performer(s: &str) -> Result<Performer, String> {
    one_of(s, Performer::ALL, Performer::as_str, "performer")
}

fn parse_role(s: &str) -> Result<AgentRole, String> {
    one_of(s, AgentRole::ALL, AgentRole::as_str, "role of an agent")
}

fn parse_gate(s: &str) -> Result<HumanGate, String> {
    one_of(s, HumanGate::ALL, HumanGate::as_str, "human gate")
}

fn parse_classes(s: &str) -> Result<DataClasses, String> {
    if s.trim().eq_ignore_ascii_case("none") {
        return Ok(DataClasses(Vec::new()));
    }
    crate::domain::flow::parse_classes(s).map(DataClasses)
}

fn parse_verdict(s: &str) -> Result<Verdict, String> {
    one_of(s, Verdict::ALL, Verdict::as_str, "critic result")
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    one_of(s, Severity::ALL, Severity::as_str, "severity")
}

fn parse_detected_by(s: &str) -> Result<DetectedBy, String> {
    one_of(s, DetectedBy::ALL, DetectedBy::as_str, "detector")
}

fn parse_learning(s: &str) -> Result<LearningType, String> {
    one_of(s, LearningType::ALL, LearningType::as_str, "learning type")
}

fn parse_capability(s: &str) -> Result<Capability, String> {
    one_of(s, Capability::ALL, Capability::as_str, "capability")
}

fn parse_proof_kind(s: &str) -> Result<ProofKind, String> {
    one_of(s, ProofKind::ALL, ProofKind::as_str, "kind of proof")
}

fn parse_visibility(s: &str) -> Result<Visibility, String> {
    one_of(s, Visibility::ALL, Visibility::as_str, "visibility")
}

fn parse_measures(s: &str) -> Result<Measures, String> {
    Measures::from_text(s.trim())
        .ok_or_else(|| format!("`{s}` is not a kind of metric: write outcome or adoption"))
}
