//! Checking and copying the file: `verify`, `doctor`, `backup`, and the quick check the TUI runs
//! when it opens.

use std::fs;
use std::path::Path;

use super::{Error, Result, Store};
use crate::domain::verify::{Break, Verified, verify};

/// One line of `doctor`: what was checked, whether it passed, and what to do if not.
#[derive(Clone, Debug)]
pub struct Finding {
    pub check: &'static str,
    pub ok: bool,
    pub detail: String,
}

impl Store {
    /// SQLite's own page-level check; `ok` on a sound file.
    pub fn integrity(&self, quick: bool) -> Result<Vec<String>> {
        let pragma = if quick {
            "quick_check"
        } else {
            "integrity_check"
        };
        let mut stmt = self.conn.prepare(&format!("PRAGMA {pragma}"))?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn foreign_key_problems(&self) -> Result<usize> {
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let n = stmt.query_map([], |_| Ok(()))?.count();
        Ok(n)
    }

    /// The audit chain and every record against the trail.
    pub fn verify(&mut self) -> Result<std::result::Result<Verified, Break>> {
        let ds = self.export()?;
        Ok(verify(&ds))
    }

    pub fn doctor(&mut self) -> Result<Vec<Finding>> {
        let integrity = self.integrity(false)?;
        let sound = integrity == ["ok"];
        let mut findings = vec![Finding {
            check: "integrity",
            ok: sound,
            detail: if sound {
                "SQLite's integrity check passes".into()
            } else {
                format!(
                    "{} — restore the latest backup (`jobloop backup` makes one) or export what is readable",
                    integrity.join("; ")
                )
            },
        }];
        let fk = self.foreign_key_problems()?;
        findings.push(Finding {
            check: "references",
            ok: fk == 0,
            detail: if fk == 0 {
                "every reference points at an existing record".into()
            } else {
                format!("{fk} records point at records that do not exist — the file was edited outside jobloop; restore a backup")
            },
        });
        let verified = self.verify()?;
        findings.push(match verified {
            Ok(v) => Finding {
                check: "audit",
                ok: true,
                detail: format!(
                    "the audit chain of {} events is intact and {} records match it",
                    v.events, v.records
                ),
            },
            Err(b) => Finding {
                check: "audit",
                ok: false,
                detail: format!("{b} — find out who edited the file; a backup from before that time has the true records"),
            },
        });
        Ok(findings)
    }

    /// A consistent copy of the open database at `target`: written to a temporary file beside
    /// it, synced, checked, then renamed into place, so `target` is never half written.
    pub fn backup(&self, target: &Path) -> Result<()> {
        let fail = |what: String| {
            Error::Unusable(format!(
                "backup failed: {what}; nothing was written to {}",
                target.display()
            ))
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| fail("the target has no file name".into()))?;
        let tmp = target.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let _ = fs::remove_file(&tmp);
        let result = (|| {
            self.conn
                .execute("VACUUM INTO ?1", [tmp.to_string_lossy()])
                .map_err(|e| fail(e.to_string()))?;
            fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .map_err(|e| fail(e.to_string()))?;
            let copy = rusqlite::Connection::open_with_flags(
                &tmp,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .map_err(|e| fail(e.to_string()))?;
            let check: String = copy
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .map_err(|e| fail(e.to_string()))?;
            drop(copy);
            if check != "ok" {
                return Err(fail(format!(
                    "the copy fails its integrity check ({check})"
                )));
            }
            fs::rename(&tmp, target).map_err(|e| fail(e.to_string()))?;
            if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
                let _ = fs::File::open(dir).and_then(|d| d.sync_all());
            }
            Ok(())
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }
}
