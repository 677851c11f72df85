//! Set-up shared by the kill-signal tests (`proof_rules`, `proof_detectors`): job `triage`, and
//! its instrument loop measured.

use super::Db;

/// Job `triage`, led by Ana.
pub fn job(db: &Db) {
    db.ok(&["job", "add", "Triage", "--owner", "Ana"]);
}

/// `triage/instrument` with a metric (lower is better) and two baseline values of 10.
pub fn measured(db: &Db) {
    db.ok(&[
        "metric", "set", "triage", "instr", "hours", "--better", "lower",
    ]);
    db.ok(&["baseline", "triage", "instr", "10", "--at", "2026-10-01"]);
    db.ok(&["baseline", "triage", "instr", "10", "--at", "2026-10-02"]);
}
