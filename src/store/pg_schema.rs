//! The shared schema on PostgreSQL: `schema.sql` itself (types read the PostgreSQL way,
//! references checkable at commit for import), the chain head, and the access model — a group
//! role whose members read everything, write only what the owner rules allow (row-level
//! security, checked by the server against `session_user`), and can only append to the audit
//! trail.

use super::open::{SCHEMA, SCHEMA_VERSION};
use super::pg::Pg;
use super::{Error, Result};

/// The group role every member of the team belongs to.
pub const GROUP: &str = "jobloop_member";

/// A key of `jobloop_meta` naming a jobloop database (PostgreSQL has no `application_id`).
const APPLICATION: &str = "jobloop";

/// `schema.sql` as PostgreSQL reads it: no `STRICT`, `REAL` as `DOUBLE PRECISION`, `INTEGER`
/// as `BIGINT`, references deferrable (an import checks them at the end).
pub fn schema_sql() -> String {
    let mut out = String::with_capacity(SCHEMA.len() + 2048);
    for line in SCHEMA.lines() {
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
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Tables a member writes rows of one loop in, with the column naming the loop.
const LOOP_TABLES: [&str; 7] = [
    "steps",
    "metrics",
    "metric_values",
    "interventions",
    "kill_signals",
    "decisions",
    "learnings",
];
/// Tables of one job that only its lead writes.
const JOB_TABLES: [&str; 3] = ["tools", "proofs", "cycles"];

/// Grants and policies, written so that running them again changes nothing.
fn access_sql() -> String {
    let g = GROUP;
    let mut sql = format!(
        "GRANT USAGE ON SCHEMA public TO {g};
         GRANT SELECT ON ALL TABLES IN SCHEMA public TO {g};
         GRANT INSERT, UPDATE, DELETE ON loop_state, job_state TO {g};
         GRANT UPDATE ON chain_head TO {g};
         GRANT INSERT ON audit_events TO {g};
         GRANT INSERT, UPDATE ON jobs, loops, {loops}, {jobs} TO {g};
         REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM {g};
         CREATE OR REPLACE FUNCTION jobloop_is_me(name text) RETURNS boolean
             LANGUAGE sql STABLE AS
             $f$ SELECT name IS NOT NULL AND lower(trim(name)) = lower(trim(session_user::text)) $f$;
         CREATE OR REPLACE FUNCTION jobloop_leads(job text) RETURNS boolean
             LANGUAGE sql STABLE AS
             $f$ SELECT EXISTS (SELECT 1 FROM jobs j WHERE j.id = job AND jobloop_is_me(j.lead)) $f$;
         CREATE OR REPLACE FUNCTION jobloop_may_record(lp text) RETURNS boolean
             LANGUAGE sql STABLE AS
             $f$ SELECT EXISTS (SELECT 1 FROM loops l JOIN jobs j ON j.id = l.job_id
                                WHERE l.id = lp AND (jobloop_is_me(l.owner) OR jobloop_is_me(j.lead))) $f$;
         CREATE OR REPLACE FUNCTION jobloop_signs_on(lp text) RETURNS boolean
             LANGUAGE sql STABLE AS
             $f$ SELECT EXISTS (SELECT 1 FROM decisions d WHERE d.loop_id = lp AND jobloop_is_me(d.owner)) $f$;
         ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
         DROP POLICY IF EXISTS jobloop_read ON jobs;
         CREATE POLICY jobloop_read ON jobs FOR SELECT USING (true);
         DROP POLICY IF EXISTS jobloop_add ON jobs;
         CREATE POLICY jobloop_add ON jobs FOR INSERT WITH CHECK (jobloop_is_me(lead));
         DROP POLICY IF EXISTS jobloop_change ON jobs;
         CREATE POLICY jobloop_change ON jobs FOR UPDATE USING (jobloop_is_me(lead));
         ALTER TABLE loops ENABLE ROW LEVEL SECURITY;
         DROP POLICY IF EXISTS jobloop_read ON loops;
         CREATE POLICY jobloop_read ON loops FOR SELECT USING (true);
         DROP POLICY IF EXISTS jobloop_add ON loops;
         CREATE POLICY jobloop_add ON loops FOR INSERT WITH CHECK (jobloop_leads(job_id));
         DROP POLICY IF EXISTS jobloop_change ON loops;
         -- A decision's owner signs it off on a loop they may not otherwise record on; the
         -- sign-off moves the loop's revision.
         CREATE POLICY jobloop_change ON loops FOR UPDATE
             USING (jobloop_may_record(id) OR jobloop_signs_on(id));
",
        loops = LOOP_TABLES.join(", "),
        jobs = JOB_TABLES.join(", "),
    );
    for t in LOOP_TABLES {
        // A decision's named owner may sign it off on a loop they do not own.
        let change = if t == "decisions" {
            "jobloop_may_record(loop_id) OR jobloop_is_me(owner)"
        } else {
            "jobloop_may_record(loop_id)"
        };
        sql.push_str(&format!(
            "ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;
             DROP POLICY IF EXISTS jobloop_read ON {t};
             CREATE POLICY jobloop_read ON {t} FOR SELECT USING (true);
             DROP POLICY IF EXISTS jobloop_add ON {t};
             CREATE POLICY jobloop_add ON {t} FOR INSERT WITH CHECK (jobloop_may_record(loop_id));
             DROP POLICY IF EXISTS jobloop_change ON {t};
             CREATE POLICY jobloop_change ON {t} FOR UPDATE USING ({change});
"
        ));
    }
    for t in JOB_TABLES {
        sql.push_str(&format!(
            "ALTER TABLE {t} ENABLE ROW LEVEL SECURITY;
             DROP POLICY IF EXISTS jobloop_read ON {t};
             CREATE POLICY jobloop_read ON {t} FOR SELECT USING (true);
             DROP POLICY IF EXISTS jobloop_add ON {t};
             CREATE POLICY jobloop_add ON {t} FOR INSERT WITH CHECK (jobloop_leads(job_id));
             DROP POLICY IF EXISTS jobloop_change ON {t};
             CREATE POLICY jobloop_change ON {t} FOR UPDATE USING (jobloop_leads(job_id));
"
        ));
    }
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
fn version(pg: &mut Pg) -> Result<Option<(i64, Option<i64>)>> {
    if !pg.has_schema {
        return Ok(None);
    }
    let rows = pg.client().query(
        "SELECT key, value FROM jobloop_meta WHERE key IN ('application', 'schema_version', 'state_version')",
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
        .map(|v| (v, get("state_version").and_then(|s| s.parse().ok()))))
}

/// Records that every derived state is of this jobloop's format (after a rebuild).
pub fn mark_states_current(db: &mut dyn super::sql::Db) -> Result<()> {
    db.exec(
        "INSERT INTO jobloop_meta (key, value) VALUES ('state_version', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        super::sql::params![crate::domain::state::STATE_VERSION.to_string()],
    )?;
    Ok(())
}

/// Refuses a database without the current schema, saying what to run; says whether the derived
/// state is of this jobloop's format.
pub fn check(pg: &mut Pg) -> Result<bool> {
    let found = version(pg)?;
    let states_current =
        found.is_some_and(|(_, s)| s == Some(i64::from(crate::domain::state::STATE_VERSION)));
    match found.map(|(v, _)| v) {
        None => Err(Error::NoDatabase(format!(
            "{} has no jobloop schema yet: create it once with `jobloop --db URL migrate` (as the database's owner)",
            pg.shown
        ))),
        Some(v) if v < SCHEMA_VERSION => Err(Error::Unusable(format!(
            "the shared schema of {} is version {v}; this jobloop needs {SCHEMA_VERSION}: run `jobloop --db URL migrate` (as the database's owner)",
            pg.shown
        ))),
        Some(v) if v > SCHEMA_VERSION => Err(Error::Unusable(format!(
            "{} was upgraded by a newer jobloop (schema version {v}; this one knows {SCHEMA_VERSION}): upgrade jobloop",
            pg.shown
        ))),
        Some(_) => Ok(states_current),
    }
}

/// Creates the schema, or brings it to this version, once: concurrent `migrate`s wait on an
/// advisory lock and find the work done.
pub fn migrate(pg: &mut Pg) -> Result<()> {
    ensure_group(pg)?;
    let shown = pg.shown.clone();
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
        Some(v) if v < SCHEMA_VERSION => {
            // The shared store starts at version 3: there is nothing older to bring forward.
            return Err(Error::Unusable(format!(
                "{shown} has shared schema version {v}, which this jobloop cannot upgrade"
            )));
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
    tx.commit()?;
    Ok(())
}

/// A person on the team.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Member {
    pub name: String,
    pub can_login: bool,
}

pub fn members(pg: &mut Pg) -> Result<Vec<Member>> {
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

/// Makes `name` a member: a login role (created when missing) in the group role, allowed to
/// connect to this database.
pub fn add_member(pg: &mut Pg, name: &str, password: Option<&str>) -> Result<String> {
    let n = name.trim();
    if n.is_empty() || n.len() > 63 || n.chars().any(|c| c.is_control()) {
        return Err(Error::Refused(crate::domain::Refusal::invalid(
            "a team member's name is 1 to 63 characters, printable (it becomes their database role)",
        )));
    }
    ensure_group(pg)?;
    let shown = pg.shown.clone();
    let client = pg.client();
    let exists: bool = client
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
            &[&n],
        )?
        .get(0);
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
        crate::display::clean(n),
        if exists { " (existing role)" } else { "" },
        crate::display::clean(n)
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
