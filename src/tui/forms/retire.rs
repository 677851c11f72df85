//! Retire (kill) the loop, or continue it after a tripped kill signal, with a reason. Retiring a
//! loop that never tripped a signal asks for confirmation.

use super::{Ask, Closed, Field, Form, on_loop};
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
    let mut intro = Vec::new();
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
