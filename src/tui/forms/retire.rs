//! Retire (kill) the loop, or continue it after a tripped kill signal, with a reason. Retiring a
//! loop that never tripped a signal asks for confirmation. Both show the tripped signals being
//! decided, with their trip reason and evidence.

use super::{Ask, Closed, Field, Form, on_loop};
use crate::display::clean;
use crate::domain::intent::LoopOp;
use crate::domain::model::Status;

pub(super) fn open(ask: &Ask, retire: bool) -> Result<Form, Closed> {
    let l = ask.loop_review().ok_or("no loop here")?;
    let undecided = l.undecided().count();
    if l.status == Status::Killed {
        return Err(format!("{} is already retired", ask.addr()));
    }
    if !retire && undecided == 0 {
        return Err(format!(
            "{} has no tripped kill signal awaiting a decision: there is nothing to continue from",
            ask.addr()
        ));
    }
    let mut fields = vec![Field::text("reason", "reason", true)];
    // What is being decided, before the user confirms: each tripped signal awaiting a decision,
    // numbered as every screen numbers it, with why and on what evidence it tripped.
    let mut intro = Vec::new();
    for sig in l.undecided() {
        intro.push(format!(
            "Tripped kill signal {}: {}",
            sig.n,
            clean(&sig.text)
        ));
        if let Some(reason) = &sig.reason {
            let by = match (&sig.changed_by, sig.changed_at) {
                (Some(b), Some(at)) => format!(" ({}, {})", clean(b), at.local_minute()),
                _ => String::new(),
            };
            intro.push(format!("  trip reason: {}{by}", clean(reason)));
        }
        if let Some(e) = &sig.evidence {
            intro.push(format!("  evidence: {}", clean(e)));
        }
    }
    if retire && !l.kill_signals.iter().any(|k| k.signal.tripped) {
        intro.push("No kill signal of this loop ever tripped.".into());
        fields.push(Field::answer("sure", "retire it anyway"));
    }
    let title = if retire {
        format!("Retire (kill) {} — why?", ask.addr())
    } else {
        format!("Continue {} — why?", ask.addr())
    };
    let build = if retire {
        |f: &Form| {
            if f.answer("sure") == Some(false) {
                return Err("not retired: answer y to retire it anyway, or Esc".into());
            }
            on_loop(
                f,
                LoopOp::Retire {
                    reason: f.text("reason"),
                },
            )
        }
    } else {
        |f: &Form| {
            on_loop(
                f,
                LoopOp::Continue {
                    reason: f.text("reason"),
                },
            )
        }
    };
    Ok(Form::new(title, fields, build)
        .on(&ask.slug(), ask.kind)
        .intro(intro))
}
