//! What one audit event says it wrote: the state of a loop or a job after it, and the rows it
//! wrote in full. `verify` learns from it what every record must be, and every write checks
//! against it that what it loads is what the trail last recorded. An event may speak only for
//! what its command writes: a sign-off speaks for the signer's own decision and nothing else
//! (on the shared database a decision's owner may append that and no other event), so a forged
//! sign-off can neither set a loop's state nor claim another person's decision.

use serde_json::{Map, Value as Json};

use super::audit::STATE_KEY;
use super::command::{Command, Writes};
use super::kind::LoopKind;
use super::verify::Table;

/// An event as the trail's readers need it.
#[derive(Clone, Copy, Debug)]
pub struct Said<'a> {
    pub command: Option<Command>,
    pub actor: &'a str,
    pub job_id: Option<&'a str>,
    pub loop_kind: Option<LoopKind>,
    pub after: &'a Json,
}

/// A row an event wrote in full.
#[derive(Clone, Copy, Debug)]
pub struct Written<'a> {
    pub table: Table,
    pub id: &'a str,
    pub row: &'a Json,
    /// False when the event may not speak for it (a sign-off naming a row that is not the
    /// signer's own decision, signed by them): it teaches nothing and is reported.
    pub allowed: bool,
}

impl<'a> Said<'a> {
    fn writes(&self) -> Option<Writes> {
        self.command.map(Command::writes)
    }

    /// The state hash it recorded for the loop of kind `kind` after it: a command on that loop
    /// records its own, a new job all six; a sign-off never changes a loop's state.
    pub fn loop_state(&self, kind: LoopKind) -> Option<&'a str> {
        match self.loop_kind {
            Some(_) if self.writes() == Some(Writes::SignOff) => None,
            Some(k) if k == kind => self.after.get(STATE_KEY)?.as_str(),
            None if self.writes() == Some(Writes::NewJob) => {
                self.after.get("loops")?.get(kind.name())?.as_str()
            }
            _ => None,
        }
    }

    /// The state hash it recorded for its job after it (job commands only).
    pub fn job_state(&self) -> Option<&'a str> {
        if self.loop_kind.is_some() {
            return None;
        }
        let state = if self.writes() == Some(Writes::NewJob) {
            self.after.get("job")?
        } else {
            self.after
        };
        state.get(STATE_KEY)?.as_str()
    }

    /// Whether it claims a loop state it may not set (a sign-off with a state hash).
    pub fn oversteps_state(&self) -> bool {
        self.writes() == Some(Writes::SignOff) && self.after.get(STATE_KEY).is_some()
    }

    /// Every row it wrote in full, with its table: rows it updated, the row it appended to a
    /// loop, the cycle, tool or proof a job command added.
    pub fn rows(&self) -> Vec<Written<'a>> {
        let mut out = Vec::new();
        let sign_off = self.writes() == Some(Writes::SignOff);
        if let Some(tables) = self.after.get("updated").and_then(Json::as_object) {
            for (name, rows) in tables {
                let Some(table) = Table::from_name(name) else {
                    continue;
                };
                for row in rows.as_array().into_iter().flatten() {
                    if let Some(id) = row.get("id").and_then(Json::as_str) {
                        let allowed = !sign_off || self.signs_own(table, row);
                        out.push(Written {
                            table,
                            id,
                            row,
                            allowed,
                        });
                    }
                }
            }
        }
        if self.job_id.is_none() {
            return out;
        }
        if let Some(added) = self.after.get("added")
            && let Some(map) = added.as_object()
            && let Some(id) = added.get("id").and_then(Json::as_str)
        {
            out.push(Written {
                table: added_table(map),
                id,
                row: added,
                allowed: !sign_off,
            });
        }
        if self.loop_kind.is_some()
            && let Some(d) = self.after.get("deviation")
            && let Some(id) = d.get("id").and_then(Json::as_str)
        {
            out.push(Written {
                table: Table::Deviations,
                id,
                row: d,
                allowed: !sign_off,
            });
        }
        if self.loop_kind.is_none()
            && let Some(Writes::JobRow(table)) = self.writes()
            && let Some(id) = self.after.get("id").and_then(Json::as_str)
        {
            out.push(Written {
                table,
                id,
                row: self.after,
                allowed: true,
            });
        }
        out
    }

    /// A sign-off speaks for a decision its actor owns and has signed.
    /// A sign-off speaks only for the signer's own decision — or, witnessed, for the decision
    /// whose owner it names as signer, recorded by its witness.
    fn signs_own(&self, table: Table, row: &Json) -> bool {
        let text = |k: &str| row.get(k).and_then(Json::as_str);
        let is_actor = |k: &str| text(k) == Some(self.actor);
        table == Table::Decisions
            && if self.command == Some(Command::DecideWitness) {
                is_actor("witnessed_by")
                    && text("approved_by").is_some()
                    && text("owner") == text("approved_by")
            } else {
                is_actor("owner") && is_actor("approved_by") && text("witnessed_by").is_none()
            }
    }
}

/// The table an appended row belongs to, by its shape (events of every version carry rows
/// under `added`).
fn added_table(row: &Map<String, Json>) -> Table {
    // The records of version 6 first, each by a field it always carries and no older record
    // has (a governance act carries an `owner` like a decision).
    if row.contains_key("irreversible") {
        Table::FlowSteps
    } else if row.contains_key("why") {
        Table::FlowDrops
    } else if row.contains_key("severity") {
        Table::Incidents
    } else if row.contains_key("result") && row.contains_key("critic") {
        Table::CriticResults
    } else if row.contains_key("approval") && row.contains_key("step_id") {
        Table::Governance
    } else if row.contains_key("phase") {
        Table::Values
    } else if row.contains_key("description") {
        Table::Interventions
    } else if row.contains_key("owner") {
        Table::Decisions
    } else {
        Table::Learnings
    }
}
