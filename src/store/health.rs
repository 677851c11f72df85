//! Checking and copying the file: `verify`, `doctor`, `backup`, and the quick check the TUI runs
//! when it opens.

use std::collections::HashMap;
use std::path::Path;

use super::sql::Db;
use super::{Error, Next, Place, Result, Store};
use crate::domain::model::*;
use crate::domain::time::Stamp;
use crate::domain::verify::{Report, Wrong};
use crate::files::{FileError, produce_file};

mod verify;
pub(super) use verify::verify_in;

/// One line of `doctor`: what was checked, whether it passed, and what to do if not.
#[derive(Clone, Debug)]
pub struct Finding {
    pub check: &'static str,
    pub ok: bool,
    /// What was found, in plain words (shown through the front end's sanitiser).
    pub detail: String,
    /// What would help, in order; each front end words it.
    pub next: Vec<Next>,
}

impl Finding {
    fn ok(check: &'static str, detail: impl Into<String>) -> Finding {
        Finding {
            check,
            ok: true,
            detail: detail.into(),
            next: Vec::new(),
        }
    }

    /// A check that counts what is wrong: it passes at none, and says `fine` or `wrong`.
    fn counted(
        check: &'static str,
        wrong: usize,
        fine: impl Into<String>,
        bad: impl Into<String>,
    ) -> Finding {
        Finding {
            check,
            ok: wrong == 0,
            detail: if wrong == 0 { fine.into() } else { bad.into() },
            next: Vec::new(),
        }
    }
}

impl Store {
    /// Opens the database for `doctor`. A write-ahead log beside the file that does not belong
    /// to it is named (and the checks read the file alone, as it will be without it); with
    /// `repair` it is moved aside under a new name, nothing deleted, and the file opened as it
    /// is. The finding about the log comes back beside the store.
    pub fn open_for_doctor(path: &Path, repair: bool) -> Result<(Store, Option<Finding>)> {
        let judged = super::open::judge_log(path);
        let Some(why) = judged.as_ref().and_then(|j| j.foreign.clone()) else {
            drop(judged);
            return Ok((Store::open(path, super::Missing::Refuse)?, None));
        };
        let log = super::open::shown_companion(path, "-wal");
        if repair {
            let moved = super::open::move_log_aside(path)?;
            // Moved: an opener from now on finds no log to judge.
            drop(judged);
            let store = Store::open(path, super::Missing::Refuse)?;
            let finding = Finding {
                check: "wal",
                ok: true,
                detail: match moved {
                    Some(moved) => format!(
                        "{log} did not belong to this file ({why}): moved aside to {moved}, its index beside it (nothing was deleted); the file opens as it is without it"
                    ),
                    None => format!(
                        "{log} did not belong to this file ({why}) and was moved aside meanwhile by another process; the file opens as it is without it"
                    ),
                },
                next: Vec::new(),
            };
            return Ok((store, Some(finding)));
        }
        drop(judged);
        let store = Store {
            backend: super::Backend::Sqlite(super::open::open_alone(path)?),
            path: path.to_path_buf(),
            access: super::Access::ReadOnly,
            retries: 0,
            _held: None,
            file_id: None,
            damaged: None,
        };
        let finding = Finding {
            check: "wal",
            ok: false,
            detail: format!(
                "{log} does not belong to this file: replayed, it makes the file fail its checks ({why}) while the file alone is sound (the checks below read it alone)"
            ),
            next: vec![Next::MoveLogAside {
                db: super::open::shown(path),
            }],
        };
        Ok((store, Some(finding)))
    }

    /// SQLite's own page-level check; `ok` on a sound file.
    pub fn integrity(&mut self, quick: bool) -> Result<Vec<String>> {
        if self.is_shared() {
            // The server checks its own pages; reading the catalogue proves the connection works.
            return self.read(|db| {
                db.int("SELECT count(*) FROM jobloop_meta", &[])?;
                Ok(vec!["ok".to_string()])
            });
        }
        let pragma = if quick {
            "quick_check"
        } else {
            "integrity_check"
        };
        self.read(|db| {
            db.all(&format!("PRAGMA {pragma}"), &[], |r| {
                Ok(r.text(0)?.unwrap_or_default().to_string())
            })
        })
    }

    /// The audit chain, every record against the trail, and the derived state against the
    /// records.
    pub fn verify(&mut self) -> Result<Report> {
        self.read(|db| verify_in(db, true))
    }

    /// When and by which command the events numbered `seqs` were written.
    pub fn describe_events(
        &mut self,
        seqs: &[i64],
    ) -> Result<HashMap<i64, (crate::domain::Stamp, String)>> {
        self.read(|db| super::audit::describe(db, seqs))
    }

    /// Every check there is, with what to do about each problem; with `repair`, the derived
    /// state (never a record) is rebuilt from the records first.
    pub fn doctor(&mut self, repair: bool) -> Result<(Vec<Finding>, Report)> {
        if repair {
            let shared = self.is_shared();
            self.write_raw(|db| {
                if !shared {
                    drop_planted(db)?;
                }
                super::states::repair(db).map(|()| true)
            })?;
        }
        let mut findings = vec![self.integrity_finding()?];
        findings.push(self.references_finding()?);
        if !self.is_shared() {
            findings.push(planted_finding(&self.read(planted)?));
            findings.push(reshaped_finding(&self.read(reshaped)?));
        }
        let report = self.verify()?;
        let count = |f: fn(&Wrong) -> bool| report.problems.iter().filter(|p| f(&p.wrong)).count();
        let unreadable = count(|w| matches!(w, Wrong::Unreadable(_)));
        let stale = count(|w| *w == Wrong::Stale);
        let tampered = report.problems.len() - unreadable - stale + report.more;
        findings.push(readable_finding(unreadable));
        findings.push(audit_finding(tampered, &report));
        findings.push(times_finding(&self.read(backwards)?));
        if let super::Backend::Postgres(pg) = &mut self.backend {
            findings.push(names_finding(&super::pg_schema::case_twins(pg)?));
            let roles =
                pg.transaction(false, |db| Ok((super::pg_schema::role_facts(db)?, false)))?;
            findings.push(roles_finding(&roles));
        }
        findings.push(state_finding(stale));
        Ok((findings, report))
    }

    /// Does the database itself say its pages are sound?
    fn integrity_finding(&mut self) -> Result<Finding> {
        let integrity = self.integrity(false)?;
        let sound = integrity == ["ok"];
        Ok(Finding {
            check: "integrity",
            ok: sound,
            detail: if sound && self.is_shared() {
                "the shared database answers (its server checks its own pages)".into()
            } else if sound {
                "SQLite's integrity check passes".into()
            } else {
                integrity.join("; ")
            },
            next: if sound {
                Vec::new()
            } else {
                vec![Next::RestoreBackup]
            },
        })
    }

    /// Does every reference point at a record that exists, and a value or intervention at its
    /// own loop's metric?
    fn references_finding(&mut self) -> Result<Finding> {
        // PostgreSQL enforces every reference itself; SQLite's can be switched off by an editor.
        let fk = if self.is_shared() {
            0
        } else {
            self.read(|db| Ok(db.all("PRAGMA foreign_key_check", &[], |_| Ok(()))?.len()))?
        };
        // A value or intervention must belong to the loop of its metric (the shared server
        // refuses any other; a file can be edited).
        let crossed = self.read(|db| {
            db.int(
                "SELECT (SELECT count(*) FROM metric_values v JOIN metrics m ON m.id = v.metric_id WHERE m.loop_id <> v.loop_id)
                      + (SELECT count(*) FROM interventions i JOIN metrics m ON m.id = i.metric_id WHERE m.loop_id <> i.loop_id)",
                &[],
            )
        })?;
        let fk = fk + usize::try_from(crossed).unwrap_or(0);
        Ok(Finding::counted(
            "references",
            fk,
            "every reference points at an existing record",
            format!(
                "{fk} records point at records that do not exist, or at another loop's metric — the records were edited outside jobloop; restore a backup"
            ),
        ))
    }

    /// A consistent, checked, private copy of the open database at `target`.
    pub fn backup(&mut self, target: &Path, force: bool) -> std::result::Result<(), FileError> {
        let protected = self.protected();
        let super::Backend::Sqlite(conn) = &self.backend else {
            return Err(FileError::Io(
                target.to_path_buf(),
                std::io::Error::other(
                    "a shared PostgreSQL database is backed up by its server (pg_dump, base backups); an export is a portable copy",
                ),
            ));
        };
        produce_file(
            target,
            force,
            &protected,
            |tmp| {
                conn.execute("VACUUM INTO ?1", [tmp.to_string_lossy()])
                    .map(|_| ())
                    .map_err(|e| Error::sqlite(e).to_string())
            },
            |tmp| {
                let copy = rusqlite::Connection::open_with_flags(
                    tmp,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
                )
                .map_err(|e| e.to_string())?;
                let check: String = copy
                    .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                    .map_err(|e| e.to_string())?;
                if check == "ok" {
                    Ok(())
                } else {
                    Err(format!("the copy fails its integrity check ({check})"))
                }
            },
        )
    }
}

/// Can every row be read?
/// How far a command's time may lag one recorded before it: teammates' clocks on a shared
/// database differ by seconds, and a clock set right steps by less than a second.
const CLOCK_SKEW_SECONDS: i64 = 300;

/// Each place where the chain's times run back by more than the skew: an event stamped earlier
/// than the one just before it. One of the two was recorded with a wrong clock (set back, or the
/// one before set forward); a locked plan's looks follow the times values were recorded at, so
/// either can reorder them.
fn backwards(db: &mut dyn Db) -> Result<Vec<(i64, Stamp, Stamp)>> {
    let mut before: Option<Stamp> = None;
    let mut found = Vec::new();
    db.each(
        "SELECT seq, at FROM audit_events ORDER BY seq",
        &[],
        &mut |r| {
            let seq = r.int(0)?.unwrap_or(0);
            // A time that cannot be read is the audit check's to name.
            let Some(at) = r.text(1)?.and_then(|t| Stamp::parse(t).ok()) else {
                return Ok(());
            };
            if let Some(b) = before
                && (b.0 - at.0).num_seconds() > CLOCK_SKEW_SECONDS
            {
                found.push((seq, at, b));
            }
            before = Some(at);
            Ok(())
        },
    )?;
    Ok(found)
}

fn times_finding(found: &[(i64, Stamp, Stamp)]) -> Finding {
    match found.first() {
        None => Finding::ok("times", "the audit trail's times run forward"),
        Some((seq, at, before)) => Finding {
            check: "times",
            ok: false,
            detail: format!(
                "the audit trail's times run back at {} place(s) (event {seq} at {} follows event {} at {}): one of each pair was recorded with a wrong clock; a locked plan's looks follow the times values were recorded at, so check the verdicts of the loops they touched, in the log",
                found.len(),
                at.to_text(),
                seq - 1,
                before.to_text()
            ),
            next: Vec::new(),
        },
    }
}

fn readable_finding(unreadable: usize) -> Finding {
    Finding::counted(
        "readable",
        unreadable,
        "every row can be read",
        format!(
            "{unreadable} row(s) cannot be read (listed below) — the file was edited outside jobloop; restore those records from a backup"
        ),
    )
}

/// Is the audit chain whole, and do the records match it?
fn audit_finding(tampered: usize, report: &Report) -> Finding {
    Finding::counted(
        "audit",
        tampered,
        format!(
            "the audit chain of {} events is intact and {} records match it",
            report.events, report.records
        ),
        format!(
            "{tampered} problem(s) with the audit trail (listed below) — find out who edited the file; a backup from before has the true records"
        ),
    )
}

/// Does the derived state of every loop and job match its records?
fn state_finding(stale: usize) -> Finding {
    let mut found = Finding::counted(
        "state",
        stale,
        "the derived state of every loop and job matches its records",
        format!("{stale} derived state(s) differ from their records"),
    );
    if !found.ok {
        found.next.push(Next::RebuildStates);
    }
    found
}

/// On the shared database: owners and leads whose names are no role but differ from one only
/// by case (names compare exactly, so they name nobody who can log in).
fn names_finding(twins: &[super::pg_schema::CaseTwin]) -> Finding {
    if twins.is_empty() {
        return Finding::ok(
            "names",
            "every owner and lead is a member, named as their login role, and none as jobloop refuses",
        );
    }
    let (each, next): (Vec<String>, Vec<Option<Next>>) = twins
        .iter()
        .map(|t| {
            let (slug, kind) = t.place.split_once('/').unwrap_or((&t.place, ""));
            let (who, place) = match t.what.as_str() {
                "lead" => (
                    format!("the lead of {}", t.place),
                    Place::Lead { slug: slug.into() },
                ),
                "decision" => {
                    let id = t.id.clone().unwrap_or_default();
                    (
                        format!("the owner of decision {} on {}", short_id(&id), t.place),
                        Place::Decision {
                            slug: slug.into(),
                            kind: kind.into(),
                            id,
                        },
                    )
                }
                _ => (
                    format!("the owner of {}", t.place),
                    Place::Owner {
                        slug: slug.into(),
                        kind: kind.into(),
                    },
                ),
            };
            match (&t.role, &t.refused) {
                (None, None) => (
                    format!(
                        "`{}`, {who}, is not on the team: they can never sign in to sign off or record as themselves; the database's owner adds them, or name a member in their place",
                        t.name
                    ),
                    None,
                ),
                (Some(role), _) => (
                    format!("`{}`, {who}, is no role; the role is `{role}`", t.name),
                    Some(Next::Rename {
                        place,
                        role: role.clone(),
                    }),
                ),
                (None, why) => (
                    format!(
                        "{who} is named in a way jobloop refuses (written outside it): {}; name a member in its place",
                        why.as_deref().unwrap_or_default()
                    ),
                    None,
                ),
            }
        })
        .unzip();
    Finding {
        check: "names",
        ok: false,
        detail: each.join("; "),
        next: next.into_iter().flatten().collect(),
    }
}

/// On the shared database: members that no rule of the team binds (granted rights outside
/// jobloop, after they joined).
fn roles_finding(roles: &[crate::domain::team::RoleFacts]) -> Finding {
    let unbound: Vec<String> = roles
        .iter()
        .filter(|r| r.member)
        .filter_map(|r| r.unbound.map(|why| format!("`{}` {}", r.name, why.words())))
        .collect();
    if unbound.is_empty() {
        return Finding::ok("roles", "every member is bound by the team's rules");
    }
    Finding {
        check: "roles",
        ok: false,
        detail: format!(
            "{}: no rule of the team binds them — take those rights back (`ALTER ROLE … NOSUPERUSER NOBYPASSRLS NOCREATEROLE`, `REVOKE owner FROM …`), or take them off the team",
            unbound.join("; ")
        ),
        next: Vec::new(),
    }
}

/// The triggers and views in a file: jobloop's schema has none, so each was planted (`type`,
/// name, the table it is on). jobloop never runs them (`wal::no_planted_code`).
fn planted(db: &mut dyn Db) -> Result<Vec<(String, String, String)>> {
    db.all(
        "SELECT type, name, tbl_name FROM sqlite_schema WHERE type IN ('trigger', 'view') ORDER BY type, name",
        &[],
        |r| {
            let text = |i| r.text(i).map(|t| t.unwrap_or_default().to_string());
            Ok((text(0)?, text(1)?, text(2)?))
        },
    )
}

/// The tables and indexes whose definition carries a conflict clause or a collation: jobloop's
/// schema has none, and SQLite obeys one planted in a table for every plain INSERT (`ON
/// CONFLICT REPLACE` deletes an earlier record, `IGNORE` drops the new one) while the write is
/// acknowledged. Every write is refused while one is there (`sqlite::refuse_reshaped`).
pub(super) fn reshaped(db: &mut dyn Db) -> Result<Vec<(String, String, String)>> {
    db.all(
        "SELECT type, name, tbl_name FROM sqlite_schema
          WHERE type IN ('table', 'index')
            AND (upper(sql) LIKE '%ON CONFLICT%' OR upper(sql) LIKE '%COLLATE%')
          ORDER BY type, name",
        &[],
        |r| {
            let text = |i| r.text(i).map(|t| t.unwrap_or_default().to_string());
            Ok((text(0)?, text(1)?, text(2)?))
        },
    )
}

fn planted_finding(found: &[(String, String, String)]) -> Finding {
    let named: Vec<String> = found
        .iter()
        .map(|(kind, name, table)| match kind.as_str() {
            "trigger" => format!("trigger `{name}` on `{table}`"),
            _ => format!("{kind} `{name}`"),
        })
        .collect();
    Finding {
        check: "schema",
        ok: found.is_empty(),
        detail: if found.is_empty() {
            "no trigger or view beside jobloop's tables".into()
        } else {
            format!(
                "{} added outside jobloop (jobloop has none and never runs them, but a program that does would change what it writes)",
                named.join(", ")
            )
        },
        next: if found.is_empty() {
            Vec::new()
        } else {
            vec![Next::DropPlanted]
        },
    }
}

fn reshaped_finding(found: &[(String, String, String)]) -> Finding {
    if found.is_empty() {
        return Finding::ok("tables", "every table is as jobloop defines it");
    }
    let named: Vec<String> = found
        .iter()
        .map(|(kind, name, _)| format!("{kind} `{name}`"))
        .collect();
    Finding {
        check: "tables",
        ok: false,
        detail: format!(
            "{} redefined outside jobloop with a conflict clause or a collation, which would make a write replace or drop another record: every write is refused until the file is restored (or exported and imported into a new file)",
            named.join(", ")
        ),
        next: vec![Next::RestoreBackup],
    }
}

/// `doctor --repair` drops what was planted: code, not records, so nothing recorded is lost.
fn drop_planted(db: &mut dyn Db) -> Result<()> {
    for (kind, name, _) in planted(db)? {
        let kind = if kind == "trigger" { "TRIGGER" } else { "VIEW" };
        db.exec(
            &format!("DROP {kind} IF EXISTS \"{}\"", name.replace('"', "\"\"")),
            &[],
        )?;
    }
    Ok(())
}
