//! The shared schema on PostgreSQL: `schema.sql` itself (types read the PostgreSQL way,
//! references checkable at commit for import), the chain head, and the access model — a group
//! role whose members read everything, write only what the owner rules allow (row-level
//! security, checked by the server against `session_user`), and can only append to the audit
//! trail.

use super::open::{MIGRATIONS, SCHEMA, SCHEMA_VERSION};
use super::pg::Pg;
use super::tables::{self, Scope};
use super::{Error, Result};

/// The group role every member of the team belongs to.
pub(super) const GROUP: &str = "jobloop_member";

/// A key of `jobloop_meta` naming a jobloop database (PostgreSQL has no `application_id`).
const APPLICATION: &str = "jobloop";

/// `schema.sql` as PostgreSQL reads it, with the chain head and the meta table.
pub(super) fn schema_sql() -> String {
    let mut out = dialect(SCHEMA);
    out.push_str(
        "CREATE TABLE chain_head (
             id   BIGINT PRIMARY KEY CHECK (id = 1),
             seq  BIGINT NOT NULL,
             hash TEXT NOT NULL
         );
         INSERT INTO chain_head (id, seq, hash) VALUES (1, 0, '');
         CREATE TABLE jobloop_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n",
    );
    out
}

/// SQL written for SQLite (the schema, a migration) as PostgreSQL reads it: no `STRICT`, `REAL`
/// as `DOUBLE PRECISION`, `INTEGER` as `BIGINT`, references deferrable (an import checks them
/// at the end). Comments are dropped.
fn dialect(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 2048);
    for line in sql.lines() {
        let code = line.split("--").next().unwrap_or("");
        if code.trim().is_empty() {
            continue;
        }
        let mut l = code.replace(") STRICT;", ");");
        l = replace_word(&l, "INTEGER", "BIGINT");
        l = replace_word(&l, "REAL", "DOUBLE PRECISION");
        if let Some(i) = l.find("REFERENCES ")
            && let Some(close) = l[i..].find(')')
        {
            let end = i + close + 1;
            l.insert_str(end, " DEFERRABLE INITIALLY IMMEDIATE");
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

fn replace_word(s: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().last();
        let after = rest[i + word.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
        out.push_str(&rest[..i]);
        out.push_str(if boundary(before) && boundary(after) {
            with
        } else {
            word
        });
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

/// A name as a quoted SQL identifier.
pub(super) fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The names of the record tables of one scope (see `tables::Scope`).
fn scoped(scope: Scope) -> Vec<&'static str> {
    tables::records()
        .filter(|t| t.scope == scope)
        .map(|t| t.name)
        .collect()
}

/// The functions every policy and trigger calls. Each names its tables with their schema and
/// runs with a fixed `search_path` (the session's temporary schema last), so nothing a member
/// creates — a temporary table called `jobs`, a function, a setting — changes a decision; names
/// are compared exactly, as the server compares its roles.
const FUNCTIONS_SQL: &str = include_str!("pg_functions.sql");

/// Grants, functions, policies and triggers, written so that running them again changes
/// nothing.
fn access_sql() -> String {
    let mut sql = grants_sql();
    sql.push_str(FIXED_POLICIES_SQL);
    sql.push_str(&scoped_policies_sql());
    sql.push_str(&guards_sql());
    sql
}

/// What the group may do to each table (and the functions its policies call).
fn grants_sql() -> String {
    let g = GROUP;
    let public = |names: &[&str]| {
        names
            .iter()
            .map(|t| format!("public.{t}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // A table none of whose columns a later command changes is only ever added to.
    let (changing, append_only): (Vec<&str>, Vec<&str>) =
        tables::records().map(|t| t.name).partition(|name| {
            tables::TABLES
                .iter()
                .any(|t| t.name == *name && t.changeable().next().is_some())
        });
    let (changing, append_only) = (public(&changing), public(&append_only));
    format!(
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC;
         GRANT USAGE ON SCHEMA public TO {g};
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO {g};
         GRANT INSERT, UPDATE, DELETE ON public.loop_state, public.job_state TO {g};
         GRANT UPDATE ON public.chain_head TO {g};
         GRANT INSERT ON public.audit_events TO {g};
         REVOKE UPDATE, DELETE, TRUNCATE ON public.audit_events FROM {g};
         GRANT INSERT, UPDATE ON {changing} TO {g};
         GRANT INSERT ON {append_only} TO {g};
         REVOKE UPDATE ON {append_only} FROM {g};
         {FUNCTIONS_SQL}
"
    )
}

/// Row-level security on the trail, the jobs and the loops: who may add and change which rows.
const FIXED_POLICIES_SQL: &str = "         ALTER TABLE public.audit_events ENABLE ROW LEVEL SECURITY;
         DROP POLICY IF EXISTS jobloop_read ON public.audit_events;
         CREATE POLICY jobloop_read ON public.audit_events FOR SELECT USING (true);
         DROP POLICY IF EXISTS jobloop_add ON public.audit_events;
         -- The server stamps who acted: an event names the logged-in role, about a job or loop
         -- they may write on.
         CREATE POLICY jobloop_add ON public.audit_events FOR INSERT
             WITH CHECK (public.jobloop_is_me(actor) AND job_id IS NOT NULL
                         AND public.jobloop_may_append(job_id, loop_kind, command));
         ALTER TABLE public.jobs ENABLE ROW LEVEL SECURITY;
         DROP POLICY IF EXISTS jobloop_read ON public.jobs;
         CREATE POLICY jobloop_read ON public.jobs FOR SELECT USING (true);
         DROP POLICY IF EXISTS jobloop_add ON public.jobs;
         CREATE POLICY jobloop_add ON public.jobs FOR INSERT WITH CHECK (public.jobloop_is_me(lead));
         DROP POLICY IF EXISTS jobloop_change ON public.jobs;
         -- The lead may hand the job to someone else.
         CREATE POLICY jobloop_change ON public.jobs FOR UPDATE
             USING (public.jobloop_is_me(lead)) WITH CHECK (true);
         ALTER TABLE public.loops ENABLE ROW LEVEL SECURITY;
         DROP POLICY IF EXISTS jobloop_read ON public.loops;
         CREATE POLICY jobloop_read ON public.loops FOR SELECT USING (true);
         DROP POLICY IF EXISTS jobloop_add ON public.loops;
         CREATE POLICY jobloop_add ON public.loops FOR INSERT WITH CHECK (public.jobloop_leads(job_id));
         DROP POLICY IF EXISTS jobloop_change ON public.loops;
         -- A loop's owner may hand it on only through its lead (the trigger checks `owner`).
         CREATE POLICY jobloop_change ON public.loops FOR UPDATE
             USING (public.jobloop_may_record(id)) WITH CHECK (true);
         -- The derived state: every writer rewrites it (a rebuild, any loop's), but no member
         -- deletes it (no policy: a member's DELETE removes nothing), so no one empties the
         -- team's board; a rebuild upserts every row.
         ALTER TABLE public.loop_state ENABLE ROW LEVEL SECURITY;
         ALTER TABLE public.job_state ENABLE ROW LEVEL SECURITY;
         DROP POLICY IF EXISTS jobloop_read ON public.loop_state;
         CREATE POLICY jobloop_read ON public.loop_state FOR SELECT USING (true);
         DROP POLICY IF EXISTS jobloop_add ON public.loop_state;
         CREATE POLICY jobloop_add ON public.loop_state FOR INSERT WITH CHECK (true);
         DROP POLICY IF EXISTS jobloop_change ON public.loop_state;
         CREATE POLICY jobloop_change ON public.loop_state FOR UPDATE USING (true) WITH CHECK (true);
         DROP POLICY IF EXISTS jobloop_read ON public.job_state;
         CREATE POLICY jobloop_read ON public.job_state FOR SELECT USING (true);
         DROP POLICY IF EXISTS jobloop_add ON public.job_state;
         CREATE POLICY jobloop_add ON public.job_state FOR INSERT WITH CHECK (true);
         DROP POLICY IF EXISTS jobloop_change ON public.job_state;
         CREATE POLICY jobloop_change ON public.job_state FOR UPDATE USING (true) WITH CHECK (true);
";

/// Row-level security on each loop's and each job's record tables.
fn scoped_policies_sql() -> String {
    let mut sql = String::new();
    for t in &scoped(Scope::Loop) {
        // A decision's named owner may sign it off on a loop they do not own.
        let change = if *t == "decisions" {
            "public.jobloop_may_record(loop_id) OR public.jobloop_is_me(owner)"
        } else {
            "public.jobloop_may_record(loop_id)"
        };
        sql.push_str(&format!(
            "ALTER TABLE public.{t} ENABLE ROW LEVEL SECURITY;
             DROP POLICY IF EXISTS jobloop_read ON public.{t};
             CREATE POLICY jobloop_read ON public.{t} FOR SELECT USING (true);
             DROP POLICY IF EXISTS jobloop_add ON public.{t};
             CREATE POLICY jobloop_add ON public.{t} FOR INSERT WITH CHECK (public.jobloop_may_record(loop_id));
             DROP POLICY IF EXISTS jobloop_change ON public.{t};
             CREATE POLICY jobloop_change ON public.{t} FOR UPDATE USING ({change}) WITH CHECK (true);
"
        ));
    }
    for t in &scoped(Scope::Job) {
        sql.push_str(&format!(
            "ALTER TABLE public.{t} ENABLE ROW LEVEL SECURITY;
             DROP POLICY IF EXISTS jobloop_read ON public.{t};
             CREATE POLICY jobloop_read ON public.{t} FOR SELECT USING (true);
             DROP POLICY IF EXISTS jobloop_add ON public.{t};
             CREATE POLICY jobloop_add ON public.{t} FOR INSERT WITH CHECK (public.jobloop_leads(job_id));
             DROP POLICY IF EXISTS jobloop_change ON public.{t};
             CREATE POLICY jobloop_change ON public.{t} FOR UPDATE USING (public.jobloop_leads(job_id)) WITH CHECK (true);
"
        ));
    }
    sql
}

/// The triggers that guard each record table's columns and actors, and the special guards
/// (metrics, the chain, sign-offs).
fn guards_sql() -> String {
    let mut sql = String::new();
    for g in tables::records() {
        let list = |cols: &mut dyn Iterator<Item = &'static str>| {
            literal(&cols.collect::<Vec<_>>().join(","))
        };
        sql.push_str(&format!(
            "DROP TRIGGER IF EXISTS jobloop_guard ON public.{t};
             CREATE TRIGGER jobloop_guard BEFORE INSERT OR UPDATE ON public.{t}
                 FOR EACH ROW EXECUTE FUNCTION public.jobloop_guard({changeable}, {actors}, {lead_only}, {vouched});
",
            t = g.name,
            changeable = list(&mut g.changeable()),
            actors = list(&mut g.actors()),
            lead_only = list(&mut g.lead_only()),
            vouched = literal(&g.vouched().collect::<Vec<_>>().join(",")),
        ));
    }
    sql.push_str(
        "DROP TRIGGER IF EXISTS jobloop_metric ON public.metric_values;
         CREATE TRIGGER jobloop_metric BEFORE INSERT OR UPDATE ON public.metric_values
             FOR EACH ROW EXECUTE FUNCTION public.jobloop_metric_guard();
         DROP TRIGGER IF EXISTS jobloop_metric ON public.interventions;
         CREATE TRIGGER jobloop_metric BEFORE INSERT OR UPDATE ON public.interventions
             FOR EACH ROW EXECUTE FUNCTION public.jobloop_metric_guard();
         DROP TRIGGER IF EXISTS jobloop_chain ON public.audit_events;
         CREATE TRIGGER jobloop_chain BEFORE INSERT ON public.audit_events
             FOR EACH ROW EXECUTE FUNCTION public.jobloop_chain_guard();
         DROP TRIGGER IF EXISTS jobloop_sign_off ON public.decisions;
         CREATE TRIGGER jobloop_sign_off BEFORE INSERT OR UPDATE ON public.decisions
             FOR EACH ROW EXECUTE FUNCTION public.jobloop_sign_off_guard();
",
    );
    sql
}

/// Creates the group role, committed on its own: roles belong to the whole cluster, and another
/// database's migration may be creating it at the same moment (then this waits for that one).
fn ensure_group(pg: &mut Pg) -> Result<()> {
    let sql = format!(
        "DO $$ BEGIN
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{GROUP}') THEN
                 CREATE ROLE {GROUP} NOLOGIN;
             END IF;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
         END $$;"
    );
    pg.client().batch_execute(&sql)?;
    Ok(())
}

/// The shared schema's version and its derived state's, or `None` when the database holds no
/// jobloop schema.
fn version(pg: &mut Pg) -> Result<Option<Found>> {
    if !pg.has_schema {
        return Ok(None);
    }
    let rows = pg.client().query(
        "SELECT key, value FROM jobloop_meta WHERE key IN ('application', 'schema_version', 'state_version', 'access_sha256')",
        &[],
    )?;
    let get = |k: &str| {
        rows.iter()
            .find(|r| r.get::<_, &str>(0) == k)
            .map(|r| r.get::<_, String>(1))
    };
    if get("application").as_deref() != Some(APPLICATION) {
        return Err(Error::Unusable(format!(
            "{} holds a `jobloop_meta` table that is not jobloop's; it was left untouched",
            pg.shown
        )));
    }
    Ok(get("schema_version")
        .and_then(|v| v.parse().ok())
        .map(|schema| Found {
            schema,
            states: get("state_version").and_then(|s| s.parse().ok()),
            access: get("access_sha256"),
        }))
}

/// What a shared schema records of itself.
struct Found {
    schema: i64,
    /// The format of its derived state.
    states: Option<i64>,
    /// The SHA-256 of the rules (grants, policies, guards) its last `migrate` installed.
    access: Option<String>,
}

/// The SHA-256 of the rules this jobloop installs: a shared schema whose rules are another's
/// (older, or never recorded) is brought up to them by `migrate`, even at the same version.
fn access_hash() -> String {
    crate::domain::plan::hash(&access_sql())
}

/// Records that every derived state is of this jobloop's format (after a rebuild).
pub(super) fn mark_states_current(db: &mut dyn super::sql::Db) -> Result<()> {
    db.exec(
        "INSERT INTO jobloop_meta (key, value) VALUES ('state_version', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        super::sql::params![crate::domain::state::STATE_VERSION.to_string()],
    )?;
    Ok(())
}

/// Refuses a database without the current schema, saying what to run; says whether the derived
/// state is of this jobloop's format.
pub(super) fn check(pg: &mut Pg) -> Result<bool> {
    let found = version(pg)?;
    let states_current = found
        .as_ref()
        .is_some_and(|f| f.states == Some(i64::from(crate::domain::state::STATE_VERSION)));
    let rules_current = found
        .as_ref()
        .is_some_and(|f| f.access.as_deref() == Some(access_hash().as_str()));
    match found.map(|f| f.schema) {
        None => Err(Error::NoDatabase(format!(
            "{} has no jobloop schema yet: it is created once",
            pg.shown
        ))
        .then(super::Next::Migrate)),
        Some(v) if v < SCHEMA_VERSION => Err(Error::Unusable(format!(
            "the shared schema of {} is version {v}; this jobloop needs {SCHEMA_VERSION}",
            pg.shown
        ))
        .then(super::Next::Migrate)),
        Some(v) if v > SCHEMA_VERSION => Err(Error::Unusable(format!(
            "{} was upgraded by a newer jobloop (schema version {v}; this one knows {SCHEMA_VERSION}): upgrade jobloop",
            pg.shown
        ))),
        Some(_) if !rules_current => Err(Error::Unusable(format!(
            "the rules {} holds its members to are not this jobloop's (they were installed by another version): they are renewed once, by the database's owner",
            pg.shown
        ))
        .then(super::Next::Migrate)),
        Some(_) => Ok(states_current),
    }
}

/// A shared database whose text is not UTF-8 (`SQL_ASCII` takes any bytes) would let one
/// member's invalid byte make every later read fail for the whole team: it is refused before
/// anything is created in it.
fn refuse_other_encoding(pg: &mut Pg) -> Result<()> {
    let encoding: String = pg
        .client()
        .query_one(
            "SELECT pg_catalog.pg_encoding_to_char(d.encoding)::text FROM pg_catalog.pg_database d
              WHERE d.datname = pg_catalog.current_database()",
            &[],
        )?
        .get(0);
    if encoding != "UTF8" {
        return Err(Error::Unusable(format!(
            "{} stores text as {encoding}, not UTF-8: one invalid byte could then make every read fail for the whole team; nothing was created",
            pg.shown
        ))
        .then(super::Next::Utf8Database { encoding }));
    }
    Ok(())
}

/// Creates the schema, or brings it to this version, once: concurrent `migrate`s wait on an
/// advisory lock and find the work done.
pub(super) fn migrate(pg: &mut Pg) -> Result<()> {
    let shown = pg.shown.clone();
    // A schema made before this check is upgraded as it is: refusing would strand its team.
    if !pg.has_schema {
        refuse_other_encoding(pg)?;
    }
    ensure_group(pg)?;
    let client = pg.client();
    let mut tx = client.transaction()?;
    tx.batch_execute("SELECT pg_advisory_xact_lock(7440925571137372499)")?;
    let exists: Option<String> = tx
        .query_one("SELECT to_regclass('jobloop_meta')::text", &[])?
        .get(0);
    let current: Option<i64> = match exists {
        None => None,
        Some(_) => tx
            .query_opt(
                "SELECT value FROM jobloop_meta WHERE key = 'schema_version'",
                &[],
            )?
            .and_then(|r| r.get::<_, String>(0).parse().ok()),
    };
    match current {
        Some(v) if v > SCHEMA_VERSION => {
            return Err(Error::Unusable(format!(
                "{shown} was upgraded by a newer jobloop (schema version {v}; this one knows {SCHEMA_VERSION}): upgrade jobloop"
            )));
        }
        Some(v) if v < 3 => {
            // The shared store starts at version 3: there is nothing older to bring forward.
            return Err(Error::Unusable(format!(
                "{shown} has shared schema version {v}, which this jobloop cannot upgrade"
            )));
        }
        Some(v) if v < SCHEMA_VERSION => {
            // The file's numbered migrations, read the PostgreSQL way, in this one transaction.
            for (to, sql) in MIGRATIONS.iter().filter(|(to, _)| *to > v) {
                tx.batch_execute(&dialect(sql))?;
                tx.execute(
                    "UPDATE jobloop_meta SET value = $1 WHERE key = 'schema_version'",
                    &[&to.to_string()],
                )?;
            }
        }
        Some(_) => {}
        None => {
            let objects: i64 = tx
                .query_one(
                    "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN ('jobs', 'loops', 'audit_events')",
                    &[],
                )?
                .get(0);
            if objects > 0 {
                return Err(Error::Unusable(format!(
                    "{shown} already has tables named like jobloop's but no jobloop schema record; it was left untouched"
                )));
            }
            tx.batch_execute(&schema_sql())?;
            tx.batch_execute(&format!(
                "INSERT INTO jobloop_meta (key, value) VALUES ('application', {}), ('schema_version', {});",
                literal(APPLICATION),
                literal(&SCHEMA_VERSION.to_string())
            ))?;
        }
    }
    tx.batch_execute(&access_sql())?;
    tx.execute(
        "INSERT INTO jobloop_meta (key, value) VALUES ('access_sha256', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&access_hash()],
    )?;
    // Dropped once no policy uses it (schema 3 let a decision's owner update the whole loop).
    tx.batch_execute(
        "DROP FUNCTION IF EXISTS public.jobloop_signs_on(text);
         DROP FUNCTION IF EXISTS public.jobloop_may_append(text, text);",
    )?;
    tx.commit()?;
    Ok(())
}

/// A person on the team.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Member {
    pub name: String,
    pub can_login: bool,
}

pub(super) fn members(pg: &mut Pg) -> Result<Vec<Member>> {
    let rows = pg.client().query(
        "SELECT r.rolname::text, r.rolcanlogin FROM pg_roles r
           JOIN pg_auth_members m ON m.member = r.oid
           JOIN pg_roles g ON g.oid = m.roleid
          WHERE g.rolname = $1 ORDER BY 1",
        &[&GROUP],
    )?;
    Ok(rows
        .iter()
        .map(|r| Member {
            name: r.get(0),
            can_login: r.get(1),
        })
        .collect())
}

/// What the server says of its roles (system roles aside): who is in the team's group, and
/// which no rule of the team binds.
pub(super) fn role_facts(
    db: &mut dyn super::sql::Db,
) -> Result<Vec<crate::domain::team::RoleFacts>> {
    use crate::domain::team::{RoleFacts, Unbound};
    db.all(
        "SELECT r.rolname::text,
                EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
                         WHERE m.member = r.oid AND g.rolname = ?1)::int,
                r.rolsuper::int, r.rolbypassrls::int, r.rolcreaterole::int,
                (r.oid = o.relowner)::int,
                (r.oid <> o.relowner AND pg_catalog.pg_has_role(r.oid, o.relowner, 'MEMBER'))::int
           FROM pg_catalog.pg_roles r,
                (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = 'public.jobs'::pg_catalog.regclass) o
          WHERE r.rolname NOT LIKE 'pg\\_%'",
        super::sql::params![GROUP],
        |r| {
            let flag = |i: usize| -> Result<bool> { Ok(r.int(i)?.unwrap_or(0) == 1) };
            let unbound = if flag(2)? {
                Some(Unbound::Superuser)
            } else if flag(3)? {
                Some(Unbound::BypassesRowSecurity)
            } else if flag(5)? {
                Some(Unbound::OwnsTables)
            } else if flag(6)? {
                Some(Unbound::InOwnersRole)
            } else if flag(4)? {
                Some(Unbound::CreatesRoles)
            } else {
                None
            };
            Ok(RoleFacts {
                name: r.text(0)?.unwrap_or_default().to_string(),
                member: flag(1)?,
                unbound,
            })
        },
    )
}

/// An owner or lead name that `doctor` lists: no role but one that differs only by case (names
/// compare exactly, so it names nobody who can log in), or a name the rule for owners and
/// leads refuses (`team::refusal`: a look-alike of a member, a role no rule binds…), written
/// outside jobloop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct CaseTwin {
    /// `loop`, `decision` or `lead`.
    pub what: String,
    /// The loop (`mail/govern`) or the job (`mail`).
    pub place: String,
    /// The decision's id, for a decision's owner.
    pub id: Option<String>,
    pub name: String,
    /// The role it differs from only by case, when it is no role itself.
    pub role: Option<String>,
    /// Why the rule for owners and leads refuses it, when it does.
    pub refused: Option<String>,
    /// A name jobloop takes (it refuses only look-alikes and unbound roles) but no member
    /// has: someone not on the team (yet).
    pub outsider: bool,
}

pub(super) fn case_twins(pg: &mut Pg) -> Result<Vec<CaseTwin>> {
    let rows = pg.client().query(
        "WITH names AS (
             SELECT 'loop' AS what, j.slug || '/' || l.kind AS place, NULL::text AS id, l.owner AS name
               FROM public.loops l JOIN public.jobs j ON j.id = l.job_id
              WHERE l.owner IS NOT NULL AND j.archived_at IS NULL
             UNION ALL
             SELECT 'decision', j.slug || '/' || l.kind, d.id, d.owner
               FROM public.decisions d JOIN public.loops l ON l.id = d.loop_id JOIN public.jobs j ON j.id = l.job_id
              WHERE d.void_at IS NULL AND j.archived_at IS NULL
                AND NOT EXISTS (SELECT 1 FROM public.decisions n WHERE n.supersedes = d.id AND n.void_at IS NULL)
             UNION ALL
             SELECT 'lead', j.slug, NULL, j.lead FROM public.jobs j
              WHERE j.lead IS NOT NULL AND j.archived_at IS NULL
         )
         SELECT n.what, n.place, n.id, n.name,
                (SELECT min(r.rolname::text) FROM pg_catalog.pg_roles r
                  WHERE lower(r.rolname) = lower(n.name) AND r.rolname <> n.name
                    AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles x WHERE x.rolname = n.name))
           FROM names n
          ORDER BY n.place, n.what",
        &[],
    )?;
    let roles = pg.transaction(false, |db| Ok((role_facts(db)?, false)))?;
    Ok(rows
        .iter()
        .map(|r| {
            let name: String = r.get(3);
            let role: Option<String> = r.get(4);
            // A name no member has can never sign in: their decision is never signed, their
            // loop never written by them, though the checklist counts them as its owner.
            let outsider = role.is_none() && !roles.iter().any(|x| x.member && x.name == name);
            let refused =
                crate::domain::team::refusal(&name, &roles, GROUP, false).map(|e| e.message);
            let outsider = outsider && refused.is_none();
            CaseTwin {
                what: r.get(0),
                place: r.get(1),
                id: r.get(2),
                name,
                role,
                refused,
                outsider,
            }
        })
        .filter(|t| t.role.is_some() || t.refused.is_some() || t.outsider)
        .collect())
}

/// Makes `name` a member: a login role (created when missing) in the group role, allowed to
/// connect to this database. Refused: a name the actor rules refuse, one longer than a role
/// name can be, one that differs from a member's only by case (two names for what people read
/// as one person), a superuser, the owner of jobloop's tables and the group itself (none of
/// them is bound by the members' rules).
pub(super) fn add_member(pg: &mut Pg, name: &str, password: Option<&str>) -> Result<String> {
    use crate::domain::Refusal;
    let n = crate::domain::text::person_name("team member's name", name)?;
    let n = n.as_str();
    if n.len() > 63 {
        return Err(Error::Refused(Refusal::invalid(format!(
            "the team member's name is {} bytes long; a database role name holds at most 63",
            n.len()
        ))));
    }
    let shown = pg.shown.clone();
    let roles = pg.transaction(false, |db| Ok((role_facts(db)?, false)))?;
    if let Some(r) = crate::domain::team::refusal(n, &roles, GROUP, true) {
        return Err(Error::Refused(r));
    }
    let exists = roles.iter().any(|r| r.name == n);
    ensure_group(pg)?;
    let client = pg.client();
    let role = ident(n);
    // Each step committed on its own and tolerant of a twin: roles and memberships belong to
    // the whole cluster, and the same person may be added to another team's database at the
    // same moment.
    if !exists {
        client.batch_execute(&format!(
            "DO $$ BEGIN CREATE ROLE {role} LOGIN;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
        ))?;
    }
    client.batch_execute(&format!(
        "DO $$ BEGIN GRANT {GROUP} TO {role};
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;"
    ))?;
    let mut tx = client.transaction()?;
    if let Some(p) = password {
        tx.batch_execute(&format!("ALTER ROLE {role} LOGIN PASSWORD {}", literal(p)))?;
    }
    let db: String = tx.query_one("SELECT current_database()::text", &[])?.get(0);
    tx.batch_execute(&format!(
        "GRANT CONNECT ON DATABASE {} TO {role}",
        ident(&db)
    ))?;
    tx.commit()?;
    Ok(format!(
        "{} is on the team of {shown}{}: they log in as `{}` and record on the loops they own or lead",
        n,
        if exists { " (existing role)" } else { "" },
        n
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_schema_reads_types_the_postgres_way() {
        let sql = schema_sql();
        assert!(!sql.contains("STRICT"));
        assert!(!sql.contains(" REAL"));
        assert!(!sql.contains("INTEGER"));
        assert!(sql.contains("value       DOUBLE PRECISION NOT NULL"));
        assert!(sql.contains("REFERENCES jobs (id) DEFERRABLE INITIALLY IMMEDIATE"));
        assert!(sql.contains("CREATE TABLE chain_head"));
    }

    #[test]
    fn identifiers_and_literals_are_quoted() {
        assert_eq!(ident("ana"), "\"ana\"");
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(literal("it's"), "'it''s'");
    }
}
