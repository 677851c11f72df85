//! The only code that speaks SQL. A `Store` is one database; every command runs in one
//! transaction that also appends its audit event and updates the derived state, and is
//! acknowledged only after the commit returns. The pipeline and readers are written once over
//! `sql::Db`; `sqlite` implements it.

mod audit;
mod guard;
mod health;
mod load;
mod next;
mod open;
pub mod pg;
mod pg_schema;
mod pipeline;
mod read;
mod rows;
pub mod sql;
mod sqlite;
mod states;
pub mod tables;
mod transfer;
mod value_import;
mod wal;

use rusqlite::{Connection, ErrorCode, TransactionBehavior};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::domain::loop_record;
use crate::domain::model::Ids;
use crate::domain::{Ctx, Intent, Refusal, Stamp};
use sql::{Db, Undecodable};
use sqlite::SqliteDb;

pub use audit::Changes;
pub use guard::Disagreement;
pub use health::Finding;
pub use next::{Next, Place};
pub use open::{APPLICATION_ID, Access, Missing, SCHEMA_VERSION, no_orphan_log};
pub use pipeline::{Ack, SELF_ACTOR};
pub use read::{Board, FlowDetail, JobDetail, JobRecords, LoopDetail, PublishMaterial};
pub use transfer::ImportError;
pub use value_import::ValuesImported;

#[derive(Debug)]
pub enum Error {
    /// The domain said no: nothing was written.
    Refused(Refusal),
    /// A command that only reads found no database at the path.
    NoDatabase(String),
    /// The file cannot be used as a jobloop database (not ours, newer, damaged, a folder…).
    Unusable(String),
    /// Permission denied: a read-only file or folder.
    Denied(String),
    /// Reading or writing failed (a full disk, an I/O error); the transaction was rolled back.
    Io(String),
    /// SQLite failed; the transaction was rolled back.
    Storage(String),
    /// Another process held the lock for longer than jobloop waits; nothing was written.
    Busy(String),
    /// The connection to the shared database was lost (a failover, a restart): the command may
    /// be retried on a new connection.
    Lost(String),
    /// A row that cannot be read as a record (a file edited outside jobloop).
    Undecodable(Undecodable),
    /// A record a write loaded is not what the audit trail last recorded for it (edited behind
    /// jobloop's back): nothing was written.
    Tampered(guard::Disagreement),
    /// An error and the step that would help (worded by each front end).
    Advised(Box<Error>, Next),
}

impl Error {
    /// This error, with the step that would help.
    pub(crate) fn then(self, next: Next) -> Error {
        Error::Advised(Box::new(self), next)
    }

    /// The error itself, without the advice (what exit code and retry decisions look at).
    pub fn bare(&self) -> &Error {
        match self {
            Error::Advised(e, _) => e.bare(),
            other => other,
        }
    }

    /// The step that would help, if the store knows one.
    pub fn next(&self) -> Option<&Next> {
        match self {
            Error::Advised(_, n) => Some(n),
            Error::Tampered(_) => Some(&Next::Verify),
            Error::Undecodable(_) => Some(&Next::Doctor),
            _ => None,
        }
    }

    fn sqlite(e: rusqlite::Error) -> Error {
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            return match f.code {
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Error::Busy(
                    "the database is busy: another program kept it locked; nothing was written, try again"
                        .to_string(),
                ),
                ErrorCode::DiskFull => Error::Io(
                    "the disk is full: nothing was written and earlier records are intact; free some space and try again".to_string(),
                ),
                ErrorCode::ReadOnly | ErrorCode::PermissionDenied => Error::Denied(
                    "the database is read-only: nothing was written; make the file and its folder writable to record changes".to_string(),
                ),
                ErrorCode::CannotOpen => Error::Denied(format!(
                    "the database cannot be opened for writing ({e}): check the permissions of its folder"
                )),
                ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase => Error::Unusable(format!(
                    "the database file is damaged ({e}): restore it from a backup"
                ))
                .then(Next::Doctor),
                ErrorCode::SystemIoFailure => Error::Io(format!(
                    "reading or writing the disk failed (is it full?): {e}"
                )),
                _ => Error::Storage(format!("database error: {e}")),
            };
        }
        Error::Storage(format!("database error: {e}"))
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Error {
        Error::Refused(r)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::sqlite(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Refused(r) => write!(f, "{r}"),
            // What to do is the front end's to word (`Next::Verify`).
            Error::Tampered(d) => write!(f, "{d}"),
            Error::Undecodable(u) => write!(f, "{u}: the file was edited outside jobloop"),
            // The advice is the front end's to word (`cli::remedy`, `tui::remedy`).
            Error::Advised(e, _) => write!(f, "{e}"),
            Error::NoDatabase(m)
            | Error::Unusable(m)
            | Error::Denied(m)
            | Error::Io(m)
            | Error::Storage(m)
            | Error::Busy(m)
            | Error::Lost(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

pub struct Store {
    backend: Backend,
    /// The file, or the shared database's URL without its password.
    path: PathBuf,
    access: Access,
    /// How many times a write retries after the busy timeout (see `set_patience`).
    retries: u32,
    /// This process's hold on the file, as long as the connection (see `open::Held`).
    _held: Option<open::Held>,
    /// Which file the path named when it was opened (device and inode): a write first checks
    /// the path still names it.
    file_id: Option<(u64, u64)>,
    /// The damage a read or write of the file met. The connection was closed then, so this
    /// process keeps no lock on the file (others, and the `doctor` the message recommends, can
    /// open it), and everything after refuses with it.
    damaged: Option<String>,
}

/// The engine behind a store: the local file, or the team's shared PostgreSQL database.
enum Backend {
    Sqlite(Connection),
    Postgres(Box<pg::Pg>),
}

impl Store {
    /// Opens the database at `path`; `missing` says whether a missing file is created.
    pub fn open(path: &Path, missing: Missing) -> Result<Store> {
        Self::open_with(path, missing, false)
    }

    /// Like `open`, and also initialises an existing empty file.
    pub fn init(path: &Path) -> Result<Store> {
        Self::open_with(path, Missing::Create, true)
    }

    fn open_with(path: &Path, missing: Missing, init: bool) -> Result<Store> {
        if pg::is_url(path) {
            return Self::open_shared(path, false);
        }
        // Switching a file to WAL or migrating it needs a moment of exclusive access, which
        // SQLite refuses at once (no busy wait) while another process has the file open.
        let mut attempt = 0u32;
        let (conn, access, held) = loop {
            match open::open(path, missing, init) {
                Err(Error::Busy(_)) if attempt < 40 => {
                    attempt += 1;
                    std::thread::sleep(jitter(1));
                }
                other => break other?,
            }
        };
        let mut store = Store {
            backend: Backend::Sqlite(conn),
            path: path.to_path_buf(),
            access,
            retries: 4,
            _held: held,
            file_id: file_id(path),
            damaged: None,
        };
        if access == Access::ReadWrite {
            // What a killed import, demo or export left beside the file (by a process that is
            // gone) is removed by the next command that may write here.
            crate::files::remove_leftovers(path);
        }
        if access == Access::ReadWrite && store.read(|db| states::outdated(db))? {
            store.write_raw(|db| states::repair(db).map(|()| true))?;
        }
        Ok(store)
    }

    /// Opens the shared database at `url`; `migrate` creates or upgrades its schema first
    /// (`jobloop migrate`), otherwise an absent or outdated schema is refused.
    fn open_shared(url: &Path, migrate: bool) -> Result<Store> {
        let text = url.to_str().unwrap_or_default();
        let mut conn = pg::Pg::connect(text)?;
        if migrate {
            pg_schema::migrate(&mut conn)?;
            conn.has_schema = true;
        }
        let states_current = pg_schema::check(&mut conn)?;
        let mut store = Store {
            path: PathBuf::from(conn.shown.clone()),
            backend: Backend::Postgres(Box::new(conn)),
            access: Access::ReadWrite,
            retries: 4,
            _held: None,
            damaged: None,
            file_id: None,
        };
        // The shared schema records the format of its derived state: the first jobloop of a
        // newer format to open it rebuilds the states, once (under the chain-head lock).
        if !states_current {
            if migrate || store.read(|db| states::outdated(db))? {
                store.write_raw(|db| states::repair(db).map(|()| true))?;
            }
            // Recording the format takes the owner's rights: a member's opening leaves it to
            // the next `migrate` (and checks the states again until then).
            let marked = store.write_raw(|db| pg_schema::mark_states_current(db).map(|()| true));
            if let Err(e) = marked
                && !matches!(e, Error::Denied(_))
            {
                return Err(e);
            }
        }
        Ok(store)
    }

    /// `jobloop migrate`: creates or upgrades the shared schema, once, under a lock.
    pub fn migrate(url: &Path) -> Result<Store> {
        if !pg::is_url(url) {
            return Err(Error::Unusable(
                "`migrate` is for a shared PostgreSQL database (--db postgresql://…); a local file is upgraded when it is opened".into(),
            ));
        }
        Self::open_shared(url, true)
    }

    /// On the shared database: the authenticated role, who every record is by.
    pub fn identity(&self) -> Option<&str> {
        match &self.backend {
            Backend::Sqlite(_) => None,
            Backend::Postgres(p) => Some(&p.identity),
        }
    }

    /// Whether this is the shared store, where the server's identity acts and the owner rules
    /// hold.
    pub fn is_shared(&self) -> bool {
        matches!(self.backend, Backend::Postgres(_))
    }

    /// The context of a command by `actor` now: on the shared store the actor is the server's
    /// identity, and a different name given by the user is refused.
    pub fn ctx(&self, actor: Option<&str>, now: Stamp) -> Result<Ctx> {
        match self.identity() {
            None => Ok(Ctx::local(actor.unwrap_or_default(), now)),
            Some(me) => match actor {
                Some(given) if !given.is_empty() && !loop_record::same_person(given, me) => {
                    Err(Error::Denied(format!(
                        "on the shared database you act as the role you logged in with ({me}), not as {}: drop --as, or log in as that role",
                        given
                    )))
                }
                _ => Ok(Ctx {
                    actor: me.to_string(),
                    now,
                    team: true,
                    ids: Ids::fresh(),
                }),
            },
        }
    }

    /// The team's roles (`team list`).
    pub fn team(&mut self) -> Result<Vec<pg_schema::Member>> {
        match &mut self.backend {
            Backend::Sqlite(_) => Err(not_shared("team")),
            Backend::Postgres(p) => pg_schema::members(p),
        }
    }

    /// Adds a person to the team (`team add`): a login role in the jobloop group.
    pub fn team_add(&mut self, name: &str, password: Option<&str>) -> Result<String> {
        match &mut self.backend {
            Backend::Sqlite(_) => Err(not_shared("team add")),
            Backend::Postgres(p) => pg_schema::add_member(p, name, password),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn access(&self) -> Access {
        self.access
    }

    /// Why a store opened read-only cannot record, and what would let it: for the TUI, which
    /// says so when it opens.
    pub fn read_only_note(&self) -> Option<String> {
        (self.access == Access::ReadOnly && !self.is_shared()).then(|| {
            let (why, remedy) = open::read_only_why(&self.path);
            format!(
                "read-only: {} {why} — you can look, not record; {remedy}",
                self.path.display()
            )
        })
    }

    /// The files no command may overwrite: this database and its companions.
    pub fn protected(&self) -> crate::files::Protected {
        if self.is_shared() {
            return crate::files::Protected::nothing();
        }
        crate::files::Protected::database(&self.path)
    }

    /// How long a write waits for another process's lock: the CLI waits long (a script would
    /// rather wait than fail), the TUI briefly (a frozen screen is worse than "busy, retry").
    pub fn set_patience(&mut self, busy_timeout: Duration, retries: u32) -> Result<()> {
        match &mut self.backend {
            Backend::Sqlite(conn) => conn.busy_timeout(busy_timeout)?,
            Backend::Postgres(p) => p.set_lock_timeout(busy_timeout)?,
        }
        self.retries = retries;
        Ok(())
    }

    /// For a new database file no other process can see yet (an import or a demo built beside
    /// its final path, synced and moved into place when complete): no write-ahead log and no
    /// sync on each commit — the file is synced once at the end, and a failed build is deleted
    /// whole. A rollback still works: its journal is kept in memory.
    pub fn begin_unseen_build(&mut self) -> Result<()> {
        if let Backend::Sqlite(conn) = &mut self.backend {
            conn.execute_batch("PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;")?;
        }
        Ok(())
    }

    /// Ends [`Store::begin_unseen_build`]: the file is put in the mode every open expects
    /// (write-ahead log, full sync), so even a read-only first reader finds it so.
    pub fn end_unseen_build(&mut self) -> Result<()> {
        if let Backend::Sqlite(conn) = &mut self.backend {
            conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;")?;
        }
        Ok(())
    }

    /// A number that changes whenever another connection commits (SQLite's `data_version`):
    /// the TUI polls it to redraw only when something changed.
    pub fn data_version(&mut self) -> Result<i64> {
        self.check_not_damaged()?;
        // Only a connection in write-ahead mode can tell a copy put over its file: where the
        // file system gave none (the mode stayed a rollback journal), there is nothing to compare.
        if let Backend::Sqlite(conn) = &self.backend
            && self.access == Access::ReadWrite
            && conn
                .query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))
                .is_ok_and(|m| m.eq_ignore_ascii_case("wal"))
        {
            let replaced = self.let_go_if_damaged(still_in_wal_mode(&self.path));
            replaced?;
        }
        match &mut self.backend {
            Backend::Sqlite(conn) => Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?),
            Backend::Postgres(p) => p.data_version(),
        }
    }

    /// Applies one intent in its own transaction.
    pub fn apply(&mut self, ctx: &Ctx, intent: &Intent) -> Result<Ack> {
        self.write(ctx, |db, ctx| {
            pipeline::apply(db, ctx, intent, &mut pipeline::States::Now)
        })
    }

    /// Applies many intents in one transaction (the demo): all or nothing. Derived state is
    /// written once per changed loop and job at the end.
    pub fn batch(&mut self, f: &mut dyn FnMut(&mut Batch) -> Result<()>) -> Result<()> {
        self.write_raw(|db| {
            let mut batch = Batch {
                db,
                states: pipeline::States::later(),
            };
            f(&mut batch)?;
            // A batch (the demo) is not news: what it breached runs no hook.
            batch.states.finish(batch.db)?;
            Ok(true)
        })
    }

    /// `check`: every armed kill signal with a rule, checked against its loop's data now; the
    /// ones that fire are tripped (each in its own transaction). Returns what fired, and what
    /// the committed trips did for hooks.
    pub fn check_rules(&mut self, now: Stamp) -> Result<Checked> {
        let due = self.read(|db| read::rules_due(db, now))?;
        let ctx = self.ctx(None, now)?;
        let mut all = Checked::default();
        for (slug, kind) in due {
            let fired = self.write(&ctx, |db, ctx| {
                let mut happened = Vec::new();
                let fired = pipeline::check_loop(db, &slug, kind, ctx, &mut happened)?;
                Ok(Ack {
                    summary: fired.join("\n"),
                    changed: !fired.is_empty(),
                    seq: None,
                    next: None,
                    happened,
                })
            })?;
            if fired.changed {
                all.fired.push(fired.summary);
                all.happened.extend(fired.happened);
            }
        }
        Ok(all)
    }

    fn read_only_refusal(&self) -> Error {
        open::read_only_refusal(&self.path)
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction, committed when the command changed
    /// something and rolled back otherwise (a refusal, an error, or a no-op). SQLite's lock queue
    /// is not fair, so a writer still refused after the busy timeout retries with jitter.
    fn write(
        &mut self,
        ctx: &Ctx,
        mut f: impl FnMut(&mut dyn Db, &Ctx) -> Result<Ack>,
    ) -> Result<Ack> {
        // On the shared store a lost connection can leave a commit in doubt. The command's ids
        // are drawn before the first attempt and every attempt uses the same ones, so after a
        // reconnect the store first looks for the command's own audit event, and reports it
        // instead of writing the command twice.
        let planned: Vec<String> = if self.is_shared() {
            ctx.ids.draw(PLANNED_IDS)
        } else {
            Vec::new()
        };
        let mut ack = None;
        let mut found = None;
        self.write_with(
            &mut |db| {
                // Every attempt draws the planned ids first, in the same order.
                let a = f(db, &ctx.with_ids(Ids::planned(planned.clone())))?;
                let changed = a.changed;
                ack = Some(a);
                Ok(changed)
            },
            &mut |db| {
                found = audit::find_any(db, &planned)?;
                Ok(found.is_some())
            },
        )?;
        if let Some(e) = found {
            return Ok(Ack {
                summary: e.summary,
                changed: true,
                seq: Some(e.seq),
                next: None,
                // The commit was in doubt: what it did is not known here, so no hook runs.
                happened: Vec::new(),
            });
        }
        ack.ok_or_else(|| Error::Storage("the write produced no acknowledgement".into()))
    }

    /// Refuses at once once the file was found damaged (see `damaged`).
    fn check_not_damaged(&self) -> Result<()> {
        match &self.damaged {
            Some(m) => Err(Error::Unusable(m.clone()).then(Next::Doctor)),
            None => Ok(()),
        }
    }

    /// After a read or write of the file met damage: closes the connection, so nothing of this
    /// process holds the file (an open TUI would otherwise keep every other program out until
    /// it quits), without folding its write-ahead log into the file (the log may belong to the
    /// file as it was before a backup was copied over it).
    fn let_go_if_damaged<T>(&mut self, result: Result<T>) -> Result<T> {
        // What SQLite found damaged (not a refusal the store words as unusable, such as a
        // trail at its last sequence number: the file itself still reads).
        let damage = match &result {
            Err(Error::Advised(e, Next::Doctor)) => match &**e {
                Error::Unusable(m) => m.clone(),
                _ => return result,
            },
            _ => return result,
        };
        if let Backend::Sqlite(conn) = &mut self.backend
            && let Ok(closed) = Connection::open_in_memory()
        {
            let open = std::mem::replace(conn, closed);
            let _ = wal::hold_checkpoints(&open, true);
            // Closing cannot fail in a way that keeps a lock: SQLite releases them on close.
            let _ = open.close();
            self.damaged = Some(damage);
        }
        result
    }

    /// A write transaction; `f` says whether to commit.
    fn write_raw(&mut self, mut f: impl FnMut(&mut dyn Db) -> Result<bool>) -> Result<()> {
        self.write_with(&mut f, &mut |_| Ok(false))
    }

    /// A write transaction, retried when another writer held the lock (with jitter: SQLite's
    /// lock queue is not fair) and, on the shared store, when the connection was lost; before
    /// such a retry `committed` says whether the lost attempt had committed after all.
    fn write_with(
        &mut self,
        f: &mut dyn FnMut(&mut dyn Db) -> Result<bool>,
        committed: &mut dyn FnMut(&mut dyn Db) -> Result<bool>,
    ) -> Result<()> {
        if self.access == Access::ReadOnly {
            return Err(self.read_only_refusal());
        }
        self.check_not_damaged()?;
        let mut attempt = 0u32;
        let mut lost = 0u32;
        loop {
            let (path, opened) = (&self.path, self.file_id);
            let result = match &mut self.backend {
                Backend::Sqlite(conn) => (|| {
                    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                    still_the_file(path, opened)?;
                    refuse_reshaped(&mut SqliteDb(&tx))?;
                    let commit = f(&mut SqliteDb(&tx))?;
                    if commit {
                        tx.commit()?;
                    }
                    Ok(())
                })(),
                Backend::Postgres(p) => p.transaction(true, |db| Ok(((), f(db)?))),
            };
            let result = self.let_go_if_damaged(result);
            match result {
                Err(Error::Busy(_)) if attempt < self.retries => {
                    attempt += 1;
                    std::thread::sleep(jitter(attempt));
                }
                Err(Error::Lost(m)) if lost < LOST_RETRIES => {
                    lost += 1;
                    std::thread::sleep(jitter(lost).max(Duration::from_millis(500)));
                    let Backend::Postgres(p) = &mut self.backend else {
                        return Err(Error::Lost(m));
                    };
                    if p.reconnect().is_err() {
                        continue;
                    }
                    match p.transaction(false, |db| Ok((committed(db)?, false))) {
                        Ok(true) => return Ok(()),
                        Ok(false) | Err(Error::Lost(_)) => {}
                        Err(e) => return Err(e),
                    }
                }
                other => return other,
            }
        }
    }

    /// Runs `f` in one read transaction: every figure comes from the same moment of the file.
    fn read<T>(&mut self, mut f: impl FnMut(&mut dyn Db) -> Result<T>) -> Result<T> {
        self.check_not_damaged()?;
        let mut lost = 0u32;
        loop {
            let result = match &mut self.backend {
                Backend::Sqlite(conn) => (|| {
                    let tx = conn.transaction()?;
                    let out = f(&mut SqliteDb(&tx))?;
                    tx.finish()?;
                    Ok(out)
                })(),
                Backend::Postgres(p) => p.transaction(false, |db| Ok((f(db)?, false))),
            };
            let result = self.let_go_if_damaged(result);
            match result {
                Err(Error::Lost(_)) if lost < LOST_RETRIES => {
                    lost += 1;
                    std::thread::sleep(jitter(lost).max(Duration::from_millis(500)));
                    if let Backend::Postgres(p) = &mut self.backend {
                        let _ = p.reconnect();
                    }
                }
                other => return other,
            }
        }
    }

    pub fn is_empty(&mut self) -> Result<bool> {
        self.read(|db| {
            Ok(db.int(
                "SELECT (SELECT count(*) FROM jobs) + (SELECT count(*) FROM audit_events)",
                &[],
            )? == 0)
        })
    }
}

/// How many ids a command draws before its first attempt (more than any one command uses).
const PLANNED_IDS: usize = 64;
/// How many times a command reconnects after losing the shared database (a failover takes a
/// few seconds: the standby is promoted, the multi-host URL finds it).
const LOST_RETRIES: u32 = 30;

fn not_shared(what: &str) -> Error {
    Error::Unusable(format!(
        "`{what}` is for a shared PostgreSQL database (--db postgresql://…): a local file has one user"
    ))
}

/// Many intents in one transaction (see `Store::batch`).
/// What `check` tripped: a line each, and what the trips did for hooks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Checked {
    pub fired: Vec<String>,
    pub happened: Vec<crate::domain::hook::Happening>,
}

pub struct Batch<'a> {
    db: &'a mut dyn Db,
    states: pipeline::States,
}

impl Batch<'_> {
    pub fn apply(&mut self, ctx: &Ctx, intent: &Intent) -> Result<Ack> {
        pipeline::apply(self.db, ctx, intent, &mut self.states)
    }

    /// A loop as the batch has left it so far.
    pub fn loop_record(
        &mut self,
        slug: &str,
        kind: crate::domain::LoopKind,
    ) -> Result<crate::domain::loop_record::LoopRecord> {
        load::loop_record(self.db, slug, kind)
    }

    pub fn proofs(&mut self, slug: &str) -> Result<Vec<crate::domain::model::Proof>> {
        let job = load::job_by_slug(self.db, slug)?;
        load::proofs_of(self.db, &job.id)
    }
}

/// A pause of 20–80 ms times the attempt, varied by the clock so two waiting writers drift apart.
fn jitter(attempt: u32) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    Duration::from_millis(u64::from(attempt) * (20 + u64::from(nanos % 60)))
}

/// The store names what would help (`Next`) and leaves the words to each front end, and it shows
/// nothing itself: the sanitiser runs where text meets a terminal.
/// The device and inode of the file at `path`, where the system has them.
fn file_id(path: &Path) -> Option<(u64, u64)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Is the file at `path` still in write-ahead mode, as every jobloop file is once open? A copy
/// put over it (a backup restored with `cp`, which keeps the name and the inode) is not: this
/// process would then keep every other program out of it (they must switch it back to
/// write-ahead mode, which needs the file alone) and read pages the copy replaced. The header's
/// read and write versions (bytes 18 and 19) are 2 in write-ahead mode.
fn still_in_wal_mode(path: &Path) -> Result<()> {
    use std::io::Read;
    let mut header = [0u8; 20];
    let read = std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut header));
    match read {
        Ok(()) if header[18] == 2 && header[19] == 2 => Ok(()),
        // Gone or unreadable: the write path says so in its own words (`still_the_file`).
        Err(_) => Ok(()),
        Ok(()) => Err(Error::Unusable(format!(
            "{} was replaced while open (a copy put over it): open it again",
            open::shown(path)
        ))
        .then(Next::Doctor)),
    }
}

/// Refuses a write while a table is redefined outside jobloop with a conflict clause or a
/// collation (`health::reshaped`): SQLite would obey it for the write's plain INSERTs, deleting
/// an earlier record or dropping the new one, while the write was acknowledged. Checked under
/// the write lock, so a clause planted while a TUI is open stops its next write too.
fn refuse_reshaped(db: &mut dyn Db) -> Result<()> {
    match health::reshaped(db)?.first() {
        None => Ok(()),
        Some((kind, name, _)) => Err(Error::Unusable(format!(
            "{kind} `{name}` of the file was redefined outside jobloop (a conflict clause or a collation, which would make this write replace or drop another record): nothing was written"
        ))
        .then(Next::RestoreBackup)),
    }
}

/// Refuses a write when the path no longer names the file that was opened: deleted, the
/// connection would write into a file nobody can open again; replaced (a backup restored), it
/// would write the old file's pages beside the new one. Checked under the write lock.
fn still_the_file(path: &Path, opened: Option<(u64, u64)>) -> Result<()> {
    let Some(opened) = opened else {
        return Ok(());
    };
    match file_id(path) {
        Some(now) if now == opened => Ok(()),
        now => Err(Error::Unusable(format!(
            "{} is no longer the file that was opened: it was {} while open, and nothing was written; open it again",
            open::shown(path),
            if now.is_none() {
                "moved or deleted"
            } else {
                "replaced"
            }
        ))),
    }
}

#[cfg(test)]
mod layering {
    use crate::domain::layering::{sources, without_comments};

    #[test]
    fn the_store_words_no_command_and_uses_no_front_end() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store");
        let mut files = Vec::new();
        sources(&dir, &mut files);
        assert!(files.len() > 20, "{dir:?}");
        for (path, code) in &files {
            let code = without_comments(code);
            for f in [
                "`jobloop ",
                "jobloop --db",
                "crate::display",
                "crate::cli",
                "crate::tui",
            ] {
                assert!(!code.contains(f), "{path} uses {f}");
            }
        }
    }
}
