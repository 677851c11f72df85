//! A week's values in one form: which metrics still have no value in the week (the primary
//! metric and each guardrail of every loop that is neither closed nor retired), what each is
//! typed against, and the rows the typed numbers become. The rows are recorded like an import's,
//! each by the same rule as a single value (`RecordValue`), all in one transaction.

use super::LoopKind;
use super::error::Refusal;
use super::loop_record::same_person;
use super::model::Better;
use super::num;
use super::review::{LoopReview, Review};
use super::time::{Week, When};
use super::value_import::{Place, ValueRow};

/// A metric that has no value in the week: one number field of the form.
#[derive(Clone, Debug, PartialEq)]
pub struct Due {
    pub slug: String,
    pub kind: LoopKind,
    /// The guardrail's name; `None` for the primary metric.
    pub guard: Option<String>,
    pub metric: String,
    pub unit: String,
    pub better: Better,
    /// The baseline mean it is compared with, as shown (3 significant digits).
    pub baseline: Option<String>,
    /// The newest value, as typed, and its day.
    pub last: Option<(String, When)>,
    /// The primary metric's target change, as written (`-20%`).
    pub target: Option<String>,
    /// The id of the metric shown (the primary one or the guardrail): its value is refused
    /// once that metric was replaced or removed.
    pub metric_id: Option<crate::domain::model::MetricId>,
}

impl Due {
    /// `job/loop metric`: how a refusal names the field.
    pub fn label(&self) -> String {
        format!("{}/{} {}", self.slug, self.kind, self.metric)
    }

    /// What the value is typed against, in words: `h, lower is better · baseline 9.25 · last 8 on
    /// 2026-11-09 · target -20%`.
    pub fn against(&self) -> String {
        let mut parts = vec![if self.unit.is_empty() {
            format!("{} is better", self.better)
        } else {
            format!("{}, {} is better", self.unit, self.better)
        }];
        if self.guard.is_some() {
            parts.push("guardrail".into());
        }
        if let Some(b) = &self.baseline {
            parts.push(format!("baseline {b}"));
        }
        if let Some((v, at)) = &self.last {
            parts.push(format!("last {v} on {}", at.date()));
        }
        if let Some(t) = &self.target {
            parts.push(format!("target {t}"));
        }
        parts.join(" · ")
    }
}

/// Every metric of `slug`'s loops (of every job's with `None`) that has no value in `week`, in
/// the board's order: jobs as reviewed, loops in the spec's order, the primary metric before
/// its guardrails. Closed and retired loops are left out (nothing more is measured on them),
/// and on a shared database the loops `actor` may not record on (neither its owner nor the
/// job's lead).
pub fn due(review: &Review, slug: Option<&str>, week: Week, actor: &str) -> Vec<Due> {
    let mut out = Vec::new();
    for j in review
        .jobs
        .iter()
        .filter(|j| slug.is_none_or(|s| s == j.slug))
    {
        for l in &j.loops {
            if l.status.is_finished() {
                continue;
            }
            let may = [l.owner.as_deref(), j.lead.as_deref()]
                .into_iter()
                .flatten()
                .any(|p| same_person(p, actor));
            if review.team && !may {
                continue;
            }
            out.extend(of_loop(&j.slug, l, week));
        }
    }
    out
}

fn of_loop(slug: &str, l: &LoopReview, week: Week) -> Vec<Due> {
    let last = |guard: Option<&str>| {
        l.last_values
            .iter()
            .find(|v| v.guard.as_deref() == guard)
            .map(|v| (v.shown.clone(), v.at))
    };
    let this_week = |last: &Option<(String, When)>| {
        last.as_ref()
            .is_some_and(|(_, at)| Week::of(at.date()) == week)
    };
    let mut out = Vec::new();
    if let Some(m) = &l.metric {
        let last = last(None);
        if !this_week(&last) {
            out.push(Due {
                slug: slug.to_string(),
                kind: l.kind,
                guard: None,
                metric: m.name.clone(),
                unit: m.unit.clone(),
                better: m.better,
                baseline: l.baseline.map(|b| num::estimate(b.mean, 3)),
                last,
                target: m.target.map(|t| t.to_text()),
                metric_id: Some(m.id.clone()),
            });
        }
    }
    for g in l.guardrails.iter().filter(|g| !g.removed) {
        let last = last(Some(&g.name));
        if !this_week(&last) {
            out.push(Due {
                slug: slug.to_string(),
                kind: l.kind,
                guard: Some(g.name.clone()),
                metric: g.name.clone(),
                unit: g.unit.clone(),
                better: g.better,
                baseline: g
                    .comparison
                    .as_ref()
                    .and_then(|c| c.baseline_mean)
                    .map(|m| num::estimate(m, 3)),
                last,
                target: None,
                metric_id: Some(g.id.clone()),
            });
        }
    }
    out
}

/// The rows to record: one per number typed (`typed[i]` for `due[i]`; an empty one is skipped),
/// all dated `at`, each phase read from its loop when it is recorded (baseline before the
/// loop's first intervention, live from it on). A number that cannot be read refuses the form,
/// naming its field.
pub fn rows(due: &[Due], typed: &[String], at: When) -> Result<Vec<ValueRow>, Refusal> {
    let mut rows = Vec::new();
    for (d, text) in due.iter().zip(typed) {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let value = num::parse(text).map_err(|e| Refusal {
            message: format!("{}: {}", d.label(), e.message),
            ..e
        })?;
        rows.push(ValueRow {
            place: Place::Field(d.label()),
            job: d.slug.clone(),
            kind: d.kind,
            date: at,
            value,
            typed: text.to_string(),
            phase: None,
            guard: d.guard.clone(),
            note: None,
            source: None,
            shown: d.metric_id.clone(),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(guard: Option<&str>) -> Due {
        Due {
            slug: "t".into(),
            kind: LoopKind::Instrument,
            guard: guard.map(str::to_string),
            metric: guard.unwrap_or("cycle time").into(),
            unit: "h".into(),
            better: Better::Lower,
            baseline: Some("9.25".into()),
            last: None,
            target: Some("-20%".into()),
            metric_id: None,
        }
    }

    #[test]
    fn empty_fields_are_skipped_and_numbers_are_kept_as_typed() {
        let at = When::Day(chrono::NaiveDate::from_ymd_opt(2026, 11, 9).unwrap_or_default());
        let d = [due(None), due(Some("errors")), due(Some("cost"))];
        let typed = ["10.50".to_string(), " ".into(), "3".into()];
        let rows = rows(&d, &typed, at).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].typed, "10.50");
        assert_eq!(rows[0].guard, None);
        assert_eq!(rows[1].guard.as_deref(), Some("cost"));
        assert!(rows.iter().all(|r| r.date == at && r.phase.is_none()));
    }

    #[test]
    fn a_number_that_cannot_be_read_names_its_field() {
        let at = When::Day(chrono::NaiveDate::from_ymd_opt(2026, 11, 9).unwrap_or_default());
        let d = [due(None), due(Some("errors"))];
        let err = rows(&d, &["4".into(), "4,5".into()], at).unwrap_err();
        assert!(
            err.message
                .starts_with("t/instrument errors: `4,5` is not a number"),
            "{}",
            err.message
        );
    }

    #[test]
    fn the_label_says_what_the_value_is_typed_against() {
        let mut d = due(None);
        d.last = Some((
            "8".into(),
            When::Day(chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap_or_default()),
        ));
        assert_eq!(
            d.against(),
            "h, lower is better · baseline 9.25 · last 8 on 2026-11-02 · target -20%"
        );
    }
}
