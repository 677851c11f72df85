//! The plan a loop's verdict is judged by: its terms, deviations and guardrails in words.

use super::*;
use crate::domain::model::Better;
use crate::domain::plan::{DeviationView, EarlierPlan, GuardrailState, PlanState};
use crate::domain::review::LoopReview;
use crate::domain::stats::HorizonFrom;

/// The plan a loop's verdict is judged by, its deviations, the result under the amended plan
/// where it differs, and replaced metrics with their last verdicts: for `loop show`, `plan
/// show` and the TUI's loop detail alike.
pub fn plan_lines(l: &LoopReview, unit: &str, better: Better) -> Vec<String> {
    let mut lines = Vec::new();
    for g in &l.guardrails {
        lines.push(guardrail_line(g));
    }
    if let Some(p) = &l.plan {
        lines.push(format!(
            "plan {} locked {} by {} with the intervention of {} · hash {}…",
            p.version,
            p.locked_at.local_date(),
            clean(&p.locked_by),
            p.intervention_at,
            &p.hash[..p.hash.len().min(12)]
        ));
        lines.extend(plan_terms(p, unit));
        for d in &p.deviations {
            lines.push(deviation_line(d));
        }
        if let Some(a) = &l.amended_comparison {
            lines.push(format!(
                "  under the amended plan (not the verdict): {}",
                comparison_words(a, unit, better)
            ));
        }
    }
    lines.extend(earlier_lines(l, unit, better));
    lines
}

/// The plans before the one in force (each with its verdict, guardrails and deviations) and the
/// replaced metrics with their last verdicts: the loop's earlier changes, which a later one never
/// takes out of sight (`loop show` and the playbook alike).
pub fn earlier_lines(l: &LoopReview, unit: &str, better: Better) -> Vec<String> {
    let mut lines = Vec::new();
    for e in &l.earlier_plans {
        lines.extend(earlier_plan_lines(e, unit, better, ""));
    }
    for m in &l.superseded_metrics {
        let replaced = m
            .replaced_at
            .map(|r| format!(", replaced {}", r.local_date()))
            .unwrap_or_default();
        lines.push(format!(
            "replaced metric `{}` (set {}{replaced}): {} baseline, {} live value(s), {} intervention(s)",
            clean(&m.name),
            m.set_at.local_date(),
            m.baseline_n,
            m.live_n,
            m.interventions
        ));
        if let Some(c) = &m.comparison {
            lines.push(format!(
                "  its last verdict{}: {}",
                m.plan
                    .as_ref()
                    .map(|p| format!(" under plan {}", p.version))
                    .unwrap_or_default(),
                comparison_words(c, &m.unit, m.better)
            ));
        }
        for g in &m.guardrails {
            lines.push(format!("  {}", guardrail_line(g)));
        }
        for e in &m.earlier {
            lines.extend(earlier_plan_lines(e, &m.unit, m.better, "  "));
        }
    }
    lines
}

/// An earlier plan with its verdict, then its guardrails and deviations indented under it.
fn earlier_plan_lines(e: &EarlierPlan, unit: &str, better: Better, indent: &str) -> Vec<String> {
    let voided = if e.voided {
        "its intervention was voided; "
    } else {
        ""
    };
    let how = e.comparison.as_ref().map_or_else(
        || format!("{voided}no verdict"),
        |c| format!("{voided}its verdict: {}", comparison_words(c, unit, better)),
    );
    let mut lines = vec![format!(
        "{indent}earlier plan {} (intervention of {}, locked {}): {how}",
        e.plan.version,
        e.plan.intervention_at,
        e.plan.locked_at.local_date()
    )];
    for g in &e.guardrails {
        lines.push(format!("{indent}  {}", guardrail_line(g)));
    }
    for d in &e.plan.deviations {
        lines.push(format!("{indent}{}", deviation_line(d)));
    }
    lines
}

/// A change to a locked plan: when, who, what, why.
fn deviation_line(d: &DeviationView) -> String {
    format!(
        "  deviation {} by {}: {} — why: {}",
        d.at.local_date(),
        clean(&d.by),
        clean(&d.detail),
        clean(&d.reason)
    )
}

/// A guardrail, its limit and its verdict in one line; `BREACHED` when it is.
pub fn guardrail_line(g: &GuardrailState) -> String {
    let state = match (g.breached, g.removed) {
        (true, false) => " — BREACHED",
        (true, true) => " — BREACHED (removed after the lock, still judged under the locked plan)",
        (false, true) => " — removed, still judged under the locked plan",
        (false, false) => "",
    };
    let limit = g
        .max_worse
        .map_or_else(String::new, |m| format!(", at most {} worse", m.to_text()));
    let judged = g.comparison.as_ref().map_or_else(
        || "no values yet".to_string(),
        |c| comparison_words(c, &g.unit, g.better),
    );
    let note = g
        .limit_note
        .as_deref()
        .map(|n| format!(" · {n}"))
        .unwrap_or_default();
    format!(
        "guardrail {} ({}{} is better{limit}){state}: {judged}{note}",
        clean(&g.name),
        if g.unit.is_empty() {
            String::new()
        } else {
            format!("{}, ", clean(&g.unit))
        },
        g.better
    )
}

/// What a plan fixed, in words.
pub fn plan_terms(p: &PlanState, unit: &str) -> Vec<String> {
    let target = p.target.map_or_else(
        || "no target".to_string(),
        |t| format!("target {}", target_words(t, unit)),
    );
    let from = match p.horizon_from {
        HorizonFrom::Typed => "as typed",
        HorizonFrom::Target => "from the target",
        HorizonFrom::Default => "the default",
    };
    let rules = if p.kill_rules.is_empty() {
        "no kill rules".to_string()
    } else {
        format!(
            "kill rules {}",
            p.kill_rules
                .iter()
                .map(|r| format!("{}. {}", r.n, clean(&r.rule)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let guards = if p.guardrails.is_empty() {
        String::new()
    } else {
        format!(
            " · guardrails {}",
            p.guardrails
                .iter()
                .map(|g| match g.max_worse {
                    Some(m) => format!("{} (at most {} worse)", clean(&g.name), m.to_text()),
                    None => clean(&g.name).into_owned(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let mut lines = vec![
        format!(
            "  {} against {} baseline value(s) · {target} · horizon {} live value{} ({from}) · {rules}{guards}",
            clean(&p.metric),
            p.baseline_n,
            p.horizon,
            if p.horizon == 1 { "" } else { "s" }
        ),
        format!(
            "  decided by the {}, {}, {}",
            p.decision_rule.test, p.decision_rule.sides, p.decision_rule.spending
        ),
    ];
    if p.seen_live > 0 {
        lines.push(format!(
            "  {} live value(s) dated after the intervention had been recorded before it was locked",
            p.seen_live
        ));
    }
    lines
}
