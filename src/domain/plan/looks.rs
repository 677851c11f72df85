//! The looks a locked plan made: which live values, in which order, and what a comparison
//! says of them (values recorded late, voided after the lock, sharing a week, or no plan).

use super::*;

/// The plan's looks (`looked_at` over its `window`) against its own baseline, direction,
/// target and horizon.
pub(super) fn locked_comparison(p: &Plan, values: &[Value], window: &[&Value]) -> Comparison {
    let live = looked_at(p, window);
    // The plan keeps each baseline value's number; its typed text is the value's own.
    let baseline: Vec<TypedPoint> = p
        .baseline
        .iter()
        .map(|b| {
            let typed = values
                .iter()
                .find(|v| v.id == b.id)
                .and_then(|v| v.typed.as_deref());
            (day_number(b.at), b.value, typed)
        })
        .collect();
    let mut c = compare_typed(
        &baseline,
        &typed_points(&live),
        p.metric.better,
        p.target,
        Some((p.horizon, p.horizon_from)),
    );
    // More baseline values no longer count for this plan: its baseline is locked.
    if c.baseline_needed.is_some()
        && let Some(note) = c.live_needed_note.as_mut()
    {
        note.push_str(" (in a next plan: this plan's baseline is locked)");
    }
    note_looks(&mut c, &live);
    c
}

/// What a comparison over a plan's `looks` (in the order recorded) says of them: values voided
/// after the lock that still count, values recorded after later-dated ones, and values that
/// share a week.
pub(super) fn note_looks(c: &mut Comparison, looks: &[&Value]) {
    let voided = looks.iter().filter(|v| v.void.is_some()).count();
    if voided > 0 {
        c.caveats.push(Caveat::CountsVoided { n: voided });
    }
    let late = recorded_late(looks);
    if late > 0 {
        c.caveats.push(Caveat::RecordedLate { n: late });
    }
    note_shared_weeks(c, looks);
}

/// The live values a locked plan's looks saw, in the order they were recorded. Each recorded
/// value is one look whatever its date, so a value entered after later-dated ones is the next
/// look, never a rewrite of the looks already made (which could turn a final "inconclusive"
/// into a verdict); a value voided after the lock still counts, as a look cannot be taken
/// back (the result without it is the amended one, shown beside). Values recorded before the
/// lock (a back-dated intervention entered after they were seen) are left out: a plan cannot
/// be locked around data already in. Values of one command (a file) keep their date order.
fn looked_at<'a>(p: &Plan, window: &[&'a Value]) -> Vec<&'a Value> {
    let mut live: Vec<&Value> = window
        .iter()
        .filter(|v| !p.seen_live.contains(&v.id))
        .copied()
        .collect();
    live.sort_by_key(|v| recorded_order(v));
    live
}

/// The order looks were made in: when each value was recorded, and within one command (a
/// file of values) by date, then by id, so the order never depends on how they were loaded.
pub(super) fn recorded_order(v: &Value) -> (Stamp, Key, &str) {
    (v.recorded_at, v.at.order_key(v.recorded_at), v.id.as_str())
}

/// The values in force (not voided) of `window`, in time order.
pub(super) fn in_force<'a>(window: &[&'a Value]) -> Vec<&'a Value> {
    window
        .iter()
        .filter(|v| v.void.is_none())
        .copied()
        .collect()
}

/// How many of `looks` (in the order recorded) are dated before a value recorded earlier.
fn recorded_late(looks: &[&Value]) -> usize {
    let mut latest: Option<chrono::NaiveDate> = None;
    let mut late = 0;
    for v in looks {
        let d = v.at.date();
        if latest.is_some_and(|l| d < l) {
            late += 1;
        }
        latest = latest.max(Some(d));
    }
    late
}

/// Live values that share an ISO week with another are not independent weeks: the rule counts
/// each as a weekly look, so the comparison says how many do.
pub(super) fn note_shared_weeks(c: &mut Comparison, live: &[&Value]) {
    use chrono::Datelike;
    let mut weeks: std::collections::HashMap<chrono::IsoWeek, usize> =
        std::collections::HashMap::new();
    for v in live {
        *weeks.entry(v.at.date().iso_week()).or_default() += 1;
    }
    let n: usize = weeks.values().filter(|k| **k > 1).sum();
    if n > 0 {
        c.caveats.push(Caveat::SharedWeeks { n });
    }
}

/// With no intervention there is no locked plan: what counts as a change, and when to decide,
/// was fixed before no live value, and a target set after seeing them would choose the
/// horizon. The figures stay; the verdict is withheld and the comparison says why.
pub(super) fn withhold_without_plan(c: &mut Comparison) {
    if c.live_n == 0 {
        return;
    }
    // No count of values makes a verdict possible without a plan: none is promised either.
    c.verdict = Verdict::Inconclusive;
    c.values_needed = None;
    c.sequential = None;
    c.target_met = None;
    c.caveats.push(Caveat::NoPlan);
}

/// Values in time with the text they were typed as.
pub(super) fn typed_points<'a>(vs: &[&'a Value]) -> Vec<TypedPoint<'a>> {
    vs.iter()
        .map(|v| (day_number(v.at), v.value, v.typed.as_deref()))
        .collect()
}
