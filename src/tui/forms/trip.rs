//! Trip a kill signal with a reason (the first armed one preselected); for the suggested
//! signal, the detector's reason is filled in and Enter confirms.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::LoopOp;
use crate::tui::keymap::Action;

pub(super) fn open(ask: &Ask, suggested: bool) -> Result<Form, Closed> {
    let l = ask.loop_review().ok_or("no loop here")?;
    let armed: Vec<(i64, String)> = l
        .kill_signals
        .iter()
        .filter(|k| !k.signal.tripped)
        .map(|k| (k.signal.n, format!("{}. {}", k.signal.n, k.signal.text)))
        .collect();
    if armed.is_empty() {
        return Err(format!(
            "{} has no armed kill signal to trip: {} to add one",
            ask.addr(),
            ask.press(Action::AddSignal)
        ));
    }
    let why = if suggested {
        match l.suggested_kill_signals.first() {
            Some(s) => Some(s.why.clone()),
            None => return Err(format!("no kill signal is suggested for {}", ask.addr())),
        }
    } else {
        None
    };
    let chosen = armed
        .iter()
        .position(|(n, _)| *n == 1)
        .filter(|_| suggested)
        .unwrap_or(0);
    let labels: Vec<String> = armed.into_iter().map(|(_, l)| l).collect();
    let mut reason = Field::text("reason", "reason", true);
    if let Some(why) = why {
        reason = reason.prefill(&format!("suggested: {why}"));
    }
    Ok(Form::new(
        format!("Trip a kill signal of {}", ask.addr()),
        vec![
            Field::choice("signal", "signal", labels, chosen),
            reason,
            Field::text("evidence", "evidence", false),
        ],
        |f| {
            let n = signal_number(f);
            on_loop(
                f,
                LoopOp::Trip {
                    n,
                    reason: f.text("reason"),
                    evidence: f.optional("evidence"),
                },
            )
        },
    )
    .on(&ask.slug(), ask.kind)
    .intro(vec![
        "The loop then waits for you to retire it or continue it.".into(),
    ])
    .focus_on("reason"))
}

/// The signal chosen, read back from its label (`3. text`).
fn signal_number(f: &Form) -> Option<i64> {
    f.text("signal")
        .split('.')
        .next()
        .and_then(|n| n.trim().parse().ok())
}
