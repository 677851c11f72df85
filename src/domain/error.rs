//! Why the domain refused a command. Every refusal is a sentence that says what was wrong and what
//! to do; front ends print it as is.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefusalKind {
    /// The input itself is malformed (empty name, value out of range): a usage error.
    Invalid,
    /// A job, loop, step or signal that does not exist.
    NotFound,
    /// A rule of the loops forbids it in the current state (no baseline before an intervention).
    Rule,
    /// The record changed since it was read (a stale write).
    Conflict,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub kind: RefusalKind,
    pub message: String,
}

impl Refusal {
    pub fn invalid(message: impl Into<String>) -> Self {
        Refusal {
            kind: RefusalKind::Invalid,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Refusal {
            kind: RefusalKind::NotFound,
            message: message.into(),
        }
    }
    pub fn rule(message: impl Into<String>) -> Self {
        Refusal {
            kind: RefusalKind::Rule,
            message: message.into(),
        }
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Refusal {
            kind: RefusalKind::Conflict,
            message: message.into(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refusal {}
