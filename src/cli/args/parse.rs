//! Values parsed and checked as clap reads them, so a typo is a usage error before the database
//! is touched.

use super::flow::DataClasses;
use crate::domain::LoopKind;
use crate::domain::model::{
    AgentRole, Better, Capability, DetectedBy, HumanGate, LearningType, Measures, Performer,
    ProofKind, Severity, StepKind, Verdict, Visibility,
};
use crate::domain::num;
use crate::domain::stats::{Limit, Target};
use crate::domain::time::{Stamp, Week, When, parse_when};

pub(super) fn parse_kind(s: &str) -> Result<LoopKind, String> {
    LoopKind::parse(s).map_err(|e| e.message)
}

pub(super) fn parse_at(s: &str) -> Result<When, String> {
    parse_when(s, Stamp::now()).map_err(|e| e.message)
}

/// A calendar day from 1970 to today.
pub(super) fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    parse_at(s).map(|w| w.date())
}

/// `--since` of `job edit`: a day, or empty to clear it.
#[derive(Clone, Copy, Debug)]
pub struct Since(pub Option<chrono::NaiveDate>);

pub(super) fn parse_since(s: &str) -> Result<Since, String> {
    if s.is_empty() {
        return Ok(Since(None));
    }
    parse_day(s).map(|d| Since(Some(d)))
}

pub(super) fn parse_limit(s: &str) -> Result<Limit, String> {
    Limit::parse(s).map_err(|e| e.to_string())
}

pub(super) fn parse_target(s: &str) -> Result<Target, String> {
    Target::parse(s).map_err(|e| e.to_string())
}

pub(super) fn parse_week(s: &str) -> Result<Week, String> {
    Week::parse(s).map_err(|e| e.message)
}

/// A number with the text it was typed as (`10.00` is kept as typed).
#[derive(Clone, Debug)]
pub struct Typed {
    pub value: f64,
    pub text: String,
}

pub(super) fn parse_value(s: &str) -> Result<Typed, String> {
    num::parse(s).map_err(|e| e.message).map(|value| Typed {
        value,
        text: s.to_string(),
    })
}

pub(super) fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" => Ok(true),
        "no" | "n" | "false" => Ok(false),
        _ => Err(format!("`{s}` is not an answer: write yes or no")),
    }
}

pub(super) fn parse_better(s: &str) -> Result<Better, String> {
    Better::from_text(s.trim())
        .ok_or_else(|| format!("`{s}` is not a direction: write higher or lower"))
}

pub(super) fn one_of<T: Copy>(
    s: &str,
    all: &[T],
    name: impl Fn(T) -> &'static str,
    what: &str,
) -> Result<T, String> {
    let wanted = s.trim();
    all.iter()
        .copied()
        .find(|v| name(*v).eq_ignore_ascii_case(wanted))
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
            format!("`{s}` is not a {what}: write one of {}", names.join(", "))
        })
}

pub(super) fn parse_step_kind(s: &str) -> Result<StepKind, String> {
    one_of(s, StepKind::ALL, StepKind::as_str, "kind of step")
}

pub(super) fn parse_performer(s: &str) -> Result<Performer, String> {
    one_of(s, Performer::ALL, Performer::as_str, "performer")
}

pub(super) fn parse_role(s: &str) -> Result<AgentRole, String> {
    one_of(s, AgentRole::ALL, AgentRole::as_str, "role of an agent")
}

pub(super) fn parse_gate(s: &str) -> Result<HumanGate, String> {
    one_of(s, HumanGate::ALL, HumanGate::as_str, "human gate")
}

pub(super) fn parse_classes(s: &str) -> Result<DataClasses, String> {
    if s.trim().eq_ignore_ascii_case("none") {
        return Ok(DataClasses(Vec::new()));
    }
    crate::domain::flow::parse_classes(s).map(DataClasses)
}

pub(super) fn parse_verdict(s: &str) -> Result<Verdict, String> {
    one_of(s, Verdict::ALL, Verdict::as_str, "critic result")
}

pub(super) fn parse_severity(s: &str) -> Result<Severity, String> {
    one_of(s, Severity::ALL, Severity::as_str, "severity")
}

pub(super) fn parse_detected_by(s: &str) -> Result<DetectedBy, String> {
    one_of(s, DetectedBy::ALL, DetectedBy::as_str, "detector")
}

pub(super) fn parse_learning(s: &str) -> Result<LearningType, String> {
    one_of(s, LearningType::ALL, LearningType::as_str, "learning type")
}

pub(super) fn parse_capability(s: &str) -> Result<Capability, String> {
    one_of(s, Capability::ALL, Capability::as_str, "capability")
}

pub(super) fn parse_proof_kind(s: &str) -> Result<ProofKind, String> {
    one_of(s, ProofKind::ALL, ProofKind::as_str, "kind of proof")
}

pub(super) fn parse_visibility(s: &str) -> Result<Visibility, String> {
    one_of(s, Visibility::ALL, Visibility::as_str, "visibility")
}

pub(super) fn parse_measures(s: &str) -> Result<Measures, String> {
    Measures::from_text(s.trim())
        .ok_or_else(|| format!("`{s}` is not a kind of metric: write outcome or adoption"))
}
