//! The audit trail's entries.

use serde::{Deserialize, Serialize};

use super::{EventId, JobId};

use crate::domain::kind::LoopKind;
use crate::domain::time::Stamp;

/// One entry of the audit trail: who did what, when, and the values before and after.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEvent {
    pub seq: i64,
    pub id: EventId,
    pub at: Stamp,
    pub actor: String,
    pub command: String,
    pub job_id: Option<JobId>,
    pub loop_kind: Option<LoopKind>,
    pub summary: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}
