//! `Db` on PostgreSQL (the synchronous `postgres` crate, TLS through rustls): the shared store of
//! team mode. The same statements as SQLite, with `?N` parameters translated to `$N`; prepared
//! once per connection. Identity is the server's: the authenticated role (`session_user`).

use postgres::error::SqlState;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, Config, Statement};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::sql::{Db, Engine, P, Row};
use super::{Error, Result};

/// Whether `--db` names a PostgreSQL database rather than a file.
pub fn is_url(path: &Path) -> bool {
    path.to_str()
        .is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

/// The channel every write notifies, so open TUIs reload at once.
pub const CHANNEL: &str = "jobloop";

impl ToSql for P<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            P::Null => Ok(IsNull::Yes),
            P::Int(i) => match *ty {
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => i.to_string().to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            P::Real(f) => match *ty {
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => f.to_sql(ty, out),
            },
            P::Text(t) => t.as_ref().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// `?1` → `$1`, outside quoted text.
pub fn translate(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quote: Option<char> = None;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '?' && chars.peek().is_some_and(|d| d.is_ascii_digit()) => {
                out.push('$');
                continue;
            }
            None => {}
        }
        out.push(c);
    }
    out
}

/// What a PostgreSQL error means to jobloop.
pub fn error(e: postgres::Error) -> Error {
    if e.is_closed() {
        return Error::Lost(format!(
            "the connection to the database server was lost ({e}): nothing was acknowledged; run the command again once the server can be reached"
        ));
    }
    let Some(db) = e.as_db_error() else {
        // No answer from the server: an I/O failure on the connection.
        return Error::Lost(format!(
            "the database server did not answer ({e}): run the command again once it can be reached"
        ));
    };
    let code = db.code();
    let message = db.message().to_string();
    if *code == SqlState::T_R_SERIALIZATION_FAILURE || *code == SqlState::T_R_DEADLOCK_DETECTED {
        Error::Busy(format!(
            "another writer changed the same records at the same moment ({message}): nothing was written, try again"
        ))
    } else if *code == SqlState::LOCK_NOT_AVAILABLE || *code == SqlState::QUERY_CANCELED {
        Error::Busy(LOCKED.into())
    } else if *code == SqlState::INSUFFICIENT_PRIVILEGE {
        Error::Denied(format!("the database server refused: {message}"))
    } else if *code == SqlState::READ_ONLY_SQL_TRANSACTION
        || *code == SqlState::ADMIN_SHUTDOWN
        || *code == SqlState::CRASH_SHUTDOWN
        || *code == SqlState::CANNOT_CONNECT_NOW
    {
        Error::Lost(format!(
            "the database server is not the primary or is shutting down ({message}): run the command again once it is back, or point the URL at the primary"
        ))
    } else if *code == SqlState::INVALID_PASSWORD
        || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
    {
        Error::Denied(format!("the database server refused the login: {message}"))
    } else if *code == SqlState::INVALID_CATALOG_NAME {
        Error::NoDatabase(format!(
            "{message}: the database does not exist on the server"
        ))
        .then(super::Next::CreateDatabase)
    } else if *code == SqlState::DISK_FULL {
        Error::Io(format!(
            "the database server's disk is full ({message}): nothing was written"
        ))
    } else {
        Error::Storage(format!("database error: {message}"))
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Error {
        error(e)
    }
}

/// A lock held elsewhere for longer than jobloop waits; a transaction replaces it with who
/// holds the lock, once it can ask.
const LOCKED: &str =
    "the shared database is busy: another writer kept it locked; nothing was written, try again";

/// A connection to the shared database.
pub struct Pg {
    client: Client,
    config: Config,
    /// Statements prepared on this connection, by their translated text.
    statements: HashMap<String, Statement>,
    /// The authenticated role: the actor of every record made on this connection.
    pub identity: String,
    /// The URL without its password, for messages.
    pub shown: String,
    /// Whether the database held a jobloop schema when this connection opened.
    pub has_schema: bool,
    listening: bool,
    /// This session's server process: its own notifications are not another's change.
    backend_pid: i32,
    /// Changes seen through LISTEN/NOTIFY (and reconnects): the TUI reloads when it moves.
    version: i64,
    lock_timeout: Duration,
}

/// The URL as shown in messages: user, hosts and database, never the password.
fn shown(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .zip(config.get_ports().iter().chain(std::iter::repeat(&5432)))
        .map(|(h, p)| match h {
            postgres::config::Host::Tcp(h) => format!("{h}:{p}"),
            postgres::config::Host::Unix(path) => format!("{}:{p}", path.display()),
        })
        .collect();
    format!(
        "postgresql://{}{}/{}",
        config
            .get_user()
            .map(|u| format!("{u}@"))
            .unwrap_or_default(),
        hosts.join(","),
        config.get_dbname().unwrap_or("")
    )
}

fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Storage(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

fn connect_client(config: &Config) -> Result<Client> {
    config.connect(tls()?).map_err(|e| match e.as_db_error() {
        Some(_) => error(e),
        None if missing_password(&e) => {
            // The `postgres` crate reads neither PGPASSWORD nor ~/.pgpass: only the URL.
            let role = config.get_user().map(str::to_string).unwrap_or_else(|| {
                nix::unistd::User::from_uid(nix::unistd::getuid())
                    .ok()
                    .flatten()
                    .map(|u| u.name)
                    .unwrap_or_default()
            });
                        let hosts = shown(config);
            let rest = hosts
                .split_once('@')
                .map(|(_, r)| r)
                .unwrap_or(hosts.trim_start_matches("postgresql://"));
            Error::Denied(format!(
                "the database server asks for a password for role {role} and the URL gives none: put it in the URL (postgresql://{role}:PASSWORD@{rest})"
            ))
        }
        None => Error::Io(format!(
            "cannot reach the database server at {}: {e}",
            shown(config)
        )),
    })
}

/// Whether the server asked for a password the configuration does not have (the crate says so
/// only in words).
fn missing_password(e: &postgres::Error) -> bool {
    std::error::Error::source(e).is_some_and(|s| s.to_string() == "password missing")
}

impl Pg {
    /// Connects to `url` (libpq syntax: `postgresql://user:password@host1:5432,host2:5432/db?
    /// target_session_attrs=read-write&sslmode=require`).
    pub fn connect(url: &str) -> Result<Pg> {
        let mut config: Config = url.parse().map_err(|e| {
            Error::Unusable(format!(
                "`--db` looks like a PostgreSQL URL but cannot be read: {e}"
            ))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        if config.get_application_name().is_none() {
            config.application_name("jobloop");
        }
        let mut client = connect_client(&config)?;
        // One round trip: the lock timeout, who we are, and whether a jobloop schema is here.
        let lock_timeout = Duration::from_secs(5);
        let mut identity = String::new();
        let mut has_schema = false;
        let mut backend_pid = 0;
        for m in client.simple_query(&format!(
            "SET lock_timeout = {}; SELECT session_user::text, to_regclass('jobloop_meta')::text, pg_backend_pid()::text",
            lock_timeout.as_millis()
        ))? {
            if let postgres::SimpleQueryMessage::Row(r) = m {
                identity = r.get(0).unwrap_or_default().to_string();
                has_schema = r.get(1).is_some();
                backend_pid = r.get(2).and_then(|p| p.parse().ok()).unwrap_or(0);
            }
        }
        Ok(Pg {
            client,
            shown: shown(&config),
            config,
            statements: HashMap::new(),
            identity,
            has_schema,
            listening: false,
            version: 0,
            lock_timeout,
            backend_pid,
        })
    }

    /// A fresh connection after the old one was lost (a failover, a restart): the multi-host URL
    /// finds the current primary. Prepared statements belong to the old connection.
    pub fn reconnect(&mut self) -> Result<()> {
        self.client = connect_client(&self.config)?;
        self.statements.clear();
        self.listening = false;
        self.version += 1;
        self.apply_timeout()?;
        self.backend_pid = self
            .client
            .query_one("SELECT pg_backend_pid()", &[])?
            .get::<_, i32>(0);
        Ok(())
    }

    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }

    pub fn set_lock_timeout(&mut self, t: Duration) -> Result<()> {
        self.lock_timeout = t;
        self.apply_timeout()
    }

    fn apply_timeout(&mut self) -> Result<()> {
        let ms = self.lock_timeout.as_millis().max(1);
        self.client
            .batch_execute(&format!("SET lock_timeout = {ms}"))?;
        Ok(())
    }

    /// Moves when another session committed a change (LISTEN/NOTIFY) or the connection was
    /// replaced; never blocks.
    pub fn data_version(&mut self) -> Result<i64> {
        if self.client.is_closed() {
            self.reconnect()?;
        }
        if !self.listening {
            self.client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
            self.listening = true;
        }
        let mut seen = 0;
        {
            // A short wait lets the connection read what the server sent (a zero wait returns
            // before the socket is looked at).
            let mut notes = self.client.notifications();
            let mut it = notes.timeout_iter(Duration::from_millis(10));
            while let Some(n) = postgres::fallible_iterator::FallibleIterator::next(&mut it)? {
                // A session hears its own notifications too: only others' commits count.
                seen += i64::from(n.process_id() != self.backend_pid);
            }
        }
        self.version += seen;
        Ok(self.version)
    }

    /// Runs `f` in one transaction; `read` ones see one snapshot and cannot write. A write
    /// first locks the chain head, so writers append in turn and each loads what the one before
    /// it committed; it notifies listeners when it commits.
    pub fn transaction<T>(
        &mut self,
        write: bool,
        f: impl FnOnce(&mut dyn Db) -> Result<(T, bool)>,
    ) -> Result<T> {
        let Pg {
            client, statements, ..
        } = self;
        let mut tx = if write {
            client.transaction()?
        } else {
            client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?
        };
        if write {
            // Writers take turns on the chain head. The one holding it says since when in its
            // session's application name, which every member can see (a member cannot see
            // when another's transaction started).
            let locked = tx.batch_execute(
                "SELECT seq FROM public.chain_head WHERE id = 1 FOR UPDATE;
                 SELECT pg_catalog.set_config('application_name',
                     'jobloop writing since ' || pg_catalog.to_char(pg_catalog.clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC', true);",
            );
            if let Err(e) = locked {
                let timed_out = e.code() == Some(&SqlState::LOCK_NOT_AVAILABLE);
                drop(tx);
                return Err(if timed_out {
                    Error::Busy(holder_words(client, self.lock_timeout))
                } else {
                    error(e)
                });
            }
        }
        let mut db = PgDb {
            tx: &mut tx,
            statements,
        };
        let (out, commit) = match f(&mut db) {
            Err(Error::Busy(m)) if m == LOCKED => {
                drop(tx);
                return Err(Error::Busy(holder_words(client, self.lock_timeout)));
            }
            other => other?,
        };
        if write && commit {
            // The chain head moves once per transaction: updating one row for every event of a
            // large import or batch would make PostgreSQL walk ever longer version chains.
            db.exec(
                "UPDATE chain_head SET (seq, hash) = (SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1) WHERE id = 1 AND EXISTS (SELECT 1 FROM audit_events)",
                &[],
            )?;
            tx.batch_execute(&format!("NOTIFY {CHANNEL}"))?;
            tx.commit()?;
        } else {
            // Dropping the transaction rolls it back.
            tx.rollback()?;
        }
        Ok(out)
    }
}

/// Who holds the lock a command timed out waiting for, from the server's own view of its
/// sessions: the chain-head lock of a writer (taken `FOR UPDATE`, or by its `UPDATE`), or a
/// whole table locked with `LOCK TABLE`. The role and its session are the server's word; how
/// long is at least the time waited (a member may not see when another's transaction began),
/// and a jobloop writer's own word on when it started is added as its word.
fn holder_words(client: &mut Client, waited: Duration) -> String {
    let found = client
        .query_opt(
            "SELECT a.usename::text, COALESCE(a.application_name, ''), a.pid, c.relname::text, l.mode
               FROM pg_catalog.pg_locks l
               JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
               JOIN pg_catalog.pg_class c ON c.oid = l.relation
              WHERE l.granted AND l.pid <> pg_catalog.pg_backend_pid()
                AND c.relnamespace = 'public'::pg_catalog.regnamespace
                AND ((c.relname = 'chain_head' AND l.mode IN ('RowShareLock', 'RowExclusiveLock'))
                     OR l.mode IN ('ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'))
                AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_locks w WHERE w.pid = l.pid AND NOT w.granted)
              ORDER BY (c.relname = 'chain_head'), a.pid LIMIT 1",
            &[],
        )
        .ok()
        .flatten();
    let Some(row) = found else {
        return LOCKED.into();
    };
    let who: String = row.get(0);
    let app: String = row.get(1);
    let pid: i32 = row.get(2);
    let table: String = row.get(3);
    let mode: String = row.get(4);
    let own_word = app
        .strip_prefix("jobloop writing since ")
        .map(|at| format!("; it says it has been writing since {}", at))
        .unwrap_or_default();
    let program = if app.is_empty() || app.starts_with("jobloop") {
        String::new()
    } else {
        format!(", {}", app)
    };
    let what = if table == "chain_head" {
        "the chain-head lock".to_string()
    } else {
        format!("table {} ({mode})", table)
    };
    format!(
        "the shared database is busy: {} has held {what} for more than {:.1} s (session {pid}{program}{own_word}); nothing was written: try again, or ask them to finish",
        who,
        waited.as_secs_f64()
    )
}

/// A PostgreSQL transaction as a `Db`.
pub struct PgDb<'a, 't> {
    tx: &'a mut postgres::Transaction<'t>,
    statements: &'a mut HashMap<String, Statement>,
}

impl PgDb<'_, '_> {
    fn statement(&mut self, sql: &str) -> Result<Statement> {
        let text = translate(sql);
        if let Some(s) = self.statements.get(&text) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(&text)?;
        self.statements.insert(text, s.clone());
        Ok(s)
    }
}

struct PgRow(postgres::Row);

fn wrong(what: &str, ty: &Type) -> Error {
    Error::Storage(format!("expected {what}, found a column of type {ty}"))
}

impl Row for PgRow {
    fn int(&self, i: usize) -> Result<Option<i64>> {
        let ty = self.0.columns()[i].type_().clone();
        Ok(match ty {
            Type::INT8 => self.0.try_get::<_, Option<i64>>(i)?,
            Type::INT4 => self.0.try_get::<_, Option<i32>>(i)?.map(i64::from),
            Type::INT2 => self.0.try_get::<_, Option<i16>>(i)?.map(i64::from),
            Type::BOOL => self.0.try_get::<_, Option<bool>>(i)?.map(i64::from),
            other => return Err(wrong("a whole number", &other)),
        })
    }

    fn real(&self, i: usize) -> Result<Option<f64>> {
        let ty = self.0.columns()[i].type_().clone();
        Ok(match ty {
            Type::FLOAT8 => self.0.try_get::<_, Option<f64>>(i)?,
            Type::FLOAT4 => self.0.try_get::<_, Option<f32>>(i)?.map(f64::from),
            Type::INT8 => self.0.try_get::<_, Option<i64>>(i)?.map(|v| v as f64),
            Type::INT4 => self.0.try_get::<_, Option<i32>>(i)?.map(f64::from),
            other => return Err(wrong("a number", &other)),
        })
    }

    fn text(&self, i: usize) -> Result<Option<&str>> {
        let ty = self.0.columns()[i].type_();
        if !matches!(*ty, Type::TEXT | Type::VARCHAR | Type::NAME | Type::BPCHAR) {
            return Err(wrong("text", ty));
        }
        Ok(self.0.try_get::<_, Option<&str>>(i)?)
    }
}

impl Db for PgDb<'_, '_> {
    fn engine(&self) -> Engine {
        Engine::Postgres
    }

    fn exec(&mut self, sql: &str, params: &[P]) -> Result<usize> {
        let s = self.statement(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        Ok(self.tx.execute(&s, &refs)? as usize)
    }

    fn each(
        &mut self,
        sql: &str,
        params: &[P],
        f: &mut dyn FnMut(&dyn Row) -> Result<()>,
    ) -> Result<()> {
        let s = self.statement(sql)?;
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as _).collect();
        // Rows stream from the server as they are read: a large export never sits in memory.
        let mut rows = self.tx.query_raw(&s, refs.iter().copied())?;
        while let Some(row) = postgres::fallible_iterator::FallibleIterator::next(&mut rows)? {
            f(&PgRow(row))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_numbered_for_postgres_outside_quotes() {
        assert_eq!(
            translate("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND d = ?12"),
            "SELECT a FROM t WHERE b = $1 AND c = '?2' AND d = $12"
        );
        assert_eq!(translate("SELECT '?'"), "SELECT '?'");
    }
}
