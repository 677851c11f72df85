//! A shared database with people, for the team-mode tests: `tester` owns it (and leads what it
//! adds); `ana` and `ben` are members. Skipped (or, under `CI=true`, failed) without PostgreSQL.

use super::pg::{self, Cluster};
use std::process::{Command, Output};

/// A shared database with people: `tester` owns it (and leads what it adds); `ana` and `ben`
/// are members.
pub struct Team {
    pub cluster: &'static Cluster,
    pub db: String,
}

pub fn team() -> Option<Team> {
    let cluster = pg::require("team mode")?;
    let url = cluster.new_database();
    let db = url.rsplit('/').next().unwrap().to_string();
    let t = Team { cluster, db };
    for who in ["ana", "ben"] {
        t.as_user("tester", &["team", "add", who]).assert_ok();
    }
    Some(t)
}

pub trait Check {
    fn assert_ok(self) -> String;
    fn assert_code(self, code: i32) -> String;
}

impl Check for Output {
    fn assert_ok(self) -> String {
        assert!(
            self.status.success(),
            "failed ({:?}): {}",
            self.status.code(),
            String::from_utf8_lossy(&self.stderr)
        );
        String::from_utf8(self.stdout).unwrap()
    }

    fn assert_code(self, code: i32) -> String {
        let err = String::from_utf8_lossy(&self.stderr).into_owned();
        assert_eq!(self.status.code(), Some(code), "{err}");
        assert!(err.starts_with("jobloop: error: "), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        err
    }
}

impl Team {
    pub fn url(&self, user: &str) -> String {
        self.cluster.url(user, &self.db)
    }

    pub fn as_user(&self, user: &str, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_jobloop"))
            .arg("--db")
            .arg(self.url(user))
            .args(args)
            .env_remove("JOBLOOP_USER")
            .env_remove("JOBLOOP_DB")
            .output()
            .unwrap()
    }

    pub fn sql(&self, user: &str, sql: &str) -> Result<u64, postgres::Error> {
        let mut c = postgres::Client::connect(&self.url(user), postgres::NoTls).unwrap();
        c.execute(sql, &[])
    }

    pub fn export(&self) -> String {
        let out = self.as_user("tester", &["export"]).assert_ok();
        out.lines().skip(1).collect::<Vec<_>>().join("\n")
    }
}

/// A job led by ana with ben owning its instrument loop.
pub fn job(t: &Team) {
    t.as_user(
        "ana",
        &["job", "add", "Answer supplier emails", "--slug", "mail"],
    )
    .assert_ok();
    t.as_user("ana", &["loop", "owner", "mail", "instrument", "ben"])
        .assert_ok();
    t.as_user(
        "ben",
        &[
            "metric", "set", "mail", "instr", "hours", "--unit", "h", "--better", "lower",
        ],
    )
    .assert_ok();
}

/// The loop `kind` of job `mail`, as SQL.
pub fn loop_of(kind: &str) -> String {
    format!(
        "(SELECT l.id FROM public.loops l JOIN public.jobs j ON j.id = l.job_id WHERE j.slug = 'mail' AND l.kind = '{kind}')"
    )
}

/// What the server answered a member's SQL that must change nothing: its error, or "no row"
/// when the rules hid every row; a change is a failure naming `what`.
pub fn refused(result: Result<u64, postgres::Error>, what: &str) -> String {
    match result {
        Err(e) => format!("{e:?}"),
        Ok(0) => "no row".into(),
        Ok(n) => panic!("{what}: the server let it change {n} row(s)"),
    }
}

/// The id of job `slug`, read as the schema's owner.
pub fn job_id(t: &Team, slug: &str) -> String {
    let mut c = postgres::Client::connect(&t.url("tester"), postgres::NoTls).unwrap();
    c.query_one("SELECT id FROM jobs WHERE slug = $1", &[&slug])
        .unwrap()
        .get(0)
}

/// Appends an event as `user`, chained and hashed as jobloop does, saying what its writer
/// chooses: what a member with `psql` and the hash function can forge.
pub fn forge_event(
    t: &Team,
    user: &str,
    command: &str,
    job: &str,
    kind: Option<&str>,
    before: serde_json::Value,
    after: serde_json::Value,
) -> Result<u64, postgres::Error> {
    let mut c = postgres::Client::connect(&t.url(user), postgres::NoTls).unwrap();
    let (seq, prev): (i64, String) = c
        .query_one(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    let seq = seq + 1;
    let id = format!("forged-{seq}");
    let at = "2026-12-01T09:00:00.000Z";
    let (before, after) = (before.to_string(), after.to_string());
    let text = jobloop::domain::audit::EventText {
        seq,
        id: &id,
        at,
        actor: user,
        command,
        job_id: Some(job),
        loop_kind: kind,
        summary: "forged",
        before: &before,
        after: &after,
        prev_hash: &prev,
    };
    let hash = jobloop::domain::audit::hash_parts(&text);
    c.execute(
        "INSERT INTO audit_events (seq, id, at, actor, command, job_id, loop_kind, summary, before, after, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'forged', $8, $9, $10, $11)",
        &[&seq, &id, &at, &user, &command, &job, &kind, &before, &after, &prev, &hash],
    )
}
