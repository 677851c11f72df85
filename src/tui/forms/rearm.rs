//! Re-arm a tripped kill signal, with a reason.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::domain::intent::LoopOp;

pub(super) fn open(ask: &Ask) -> Result<Form, Closed> {
    let l = ask.loop_review().ok_or("no loop here")?;
    let tripped: Vec<String> = l
        .kill_signals
        .iter()
        .filter(|k| k.signal.tripped)
        .map(|k| format!("{}. {}", k.signal.n, k.signal.text))
        .collect();
    if tripped.is_empty() {
        return Err(format!(
            "no kill signal of {} is tripped: nothing to re-arm",
            ask.addr()
        ));
    }
    Ok(Form::new(
        format!("Re-arm a kill signal of {}", ask.addr()),
        vec![
            Field::choice("signal", "signal", tripped, 0),
            Field::text("reason", "reason", true),
        ],
        |f| {
            let n = f
                .text("signal")
                .split('.')
                .next()
                .and_then(|n| n.trim().parse().ok())
                .ok_or("choose a signal")?;
            on_loop(
                f,
                LoopOp::Rearm {
                    n,
                    reason: f.text("reason"),
                },
            )
        },
    )
    .on(&ask.slug(), ask.kind)
    .focus_on("reason"))
}
