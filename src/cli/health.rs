//! `verify` and `doctor`: what they found, in words, and the exit code that says it.

use super::*;

pub(super) fn verify_cmd(store: &mut Store) -> Result<(), Failure> {
    let report = store.verify()?;
    if report.problems.is_empty() {
        return emit(&format!(
            "verified: the audit chain of {} events is intact and {} records match it\nhead of the chain: {}\n",
            report.events,
            report.records,
            report.head.as_deref().unwrap_or("(no events yet)")
        ));
    }
    let text = problems_text(store, &report)?;
    emit(&text)?;
    Err(fail(
        exit::PROBLEMS,
        format!(
            "verify found {} problem(s): {}",
            report.problems.len() + report.more,
            report.problems[0]
        ),
    ))
}

/// Each problem with the event where the trail and the record part ways.
pub(super) fn problems_text(
    store: &mut Store,
    report: &crate::domain::verify::Report,
) -> Result<String, Failure> {
    let seqs: Vec<i64> = report.problems.iter().filter_map(|p| p.event).collect();
    let events = store.describe_events(&seqs)?;
    let mut text = String::new();
    for p in &report.problems {
        let at = p
            .event
            .map(|s| match events.get(&s) {
                Some((at, command)) => {
                    format!(" (event {s}, `{command}` at {})", at.local_minute())
                }
                None => format!(" (event {s})"),
            })
            .unwrap_or_default();
        text.push_str(&format!("problem: {}{at}\n", clean(&p.to_string())));
    }
    if report.more > 0 {
        text.push_str(&format!("… and {} more\n", report.more));
    }
    Ok(text)
}

/// `doctor`; `log` is what opening the file found about its write-ahead log.
pub(super) fn doctor_cmd(
    store: &mut Store,
    repair: bool,
    log: Option<store::Finding>,
) -> Result<(), Failure> {
    let (mut findings, report) = store.doctor(repair)?;
    findings.splice(0..0, log);
    let mut text = String::new();
    for f in &findings {
        let mark = if f.ok { "ok  " } else { "FAIL" };
        let next = if f.next.is_empty() {
            String::new()
        } else {
            format!(" — {}", super::remedy::next_words(&f.next))
        };
        text.push_str(&format!(
            "{mark} {:<11} {}{}\n",
            f.check,
            clean(&f.detail),
            clean(&next)
        ));
    }
    if !report.problems.is_empty() {
        text.push('\n');
        text.push_str(&problems_text(store, &report)?);
    }
    emit(&text)?;
    if findings.iter().all(|f| f.ok) {
        Ok(())
    } else {
        Err(fail(exit::PROBLEMS, "doctor found problems (see above)"))
    }
}
