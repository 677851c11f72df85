//! Commands that write: each becomes one intent applied in one transaction, then acknowledged.

use super::*;

pub(super) fn write_cmd(
    store: &mut Store,
    ctx: &Ctx,
    command: &Command,
    hooks: &Hooks,
) -> Result<(), Failure> {
    if let Some(intent) = intent_of(command) {
        let a = store.apply(ctx, &intent)?;
        return ack(a, store, hooks);
    }
    match command {
        Command::Values(ValuesCmd::Import {
            file,
            dry_run,
            reason,
        }) => values::import(store, ctx, file, *dry_run, reason.as_deref(), hooks),
        Command::Check => {
            let now = Stamp::now();
            let checked = store.check_rules(now)?;
            let printed = check_words(store, now, checked.fired);
            after(store, hooks, &checked.happened);
            printed
        }
        Command::Doctor { repair: true } => doctor_cmd(store, true, None),
        Command::Undo { yes } => undo_cmd(store, ctx, *yes, hooks),
        Command::Incident(IncidentCmd::Fix { id, change }) => {
            let (slug, id) = store.find_incident(id)?;
            let intent = Intent::OnLoop {
                slug,
                kind: crate::domain::LoopKind::Improve,
                op: crate::domain::LoopOp::IncidentFix {
                    incident: id.into_string(),
                    change: change.clone(),
                },
            };
            let a = store.apply(ctx, &intent)?;
            ack(a, store, hooks)
        }
        other => Err(not_here(other)),
    }
}

/// What `check` says: what fired, else what still waits for a decision.
fn check_words(store: &mut Store, now: Stamp, fired: Vec<String>) -> Result<(), Failure> {
    // A rule that tripped its signal earlier still fires until the lead decides: `check`
    // says so, so it never reads "holds" where `loop show` reads "fires".
    let review = store.board()?.review(now);
    let waiting: Vec<String> = review
        .jobs
        .iter()
        .flat_map(|j| {
            j.loops.iter().flat_map(move |l| {
                l.kill_signals
                    .iter()
                    .filter(|k| k.signal.awaits_decision())
                    .map(move |k| {
                        format!(
                            "kill signal {} on {}/{} is tripped and awaits your decision: {}",
                            k.signal.n,
                            j.slug,
                            l.kind,
                            k.signal.reason.as_deref().unwrap_or("")
                        )
                    })
            })
        })
        .collect();
    let out = match (fired.is_empty(), waiting.is_empty()) {
        (true, true) => return emit("every kill rule holds\n"),
        (true, false) => [vec!["no rule tripped anything new".to_string()], waiting].concat(),
        // What just fired awaits a decision too: said once.
        (false, _) => fired,
    };
    // Each line cleaned on its own: the line breaks between them are ours.
    let lines: Vec<String> = out.iter().map(|l| clean(l).into_owned()).collect();
    emit(&format!("{}\n", lines.join("\n")))
}

fn undo_cmd(store: &mut Store, ctx: &Ctx, yes: bool, hooks: &Hooks) -> Result<(), Failure> {
    let Some((event, plan)) = store.undo_plan(&ctx.actor)? else {
        return Err(fail(
            exit::REFUSED,
            format!(
                "{} has recorded nothing yet: there is nothing to undo",
                clean(&ctx.actor)
            ),
        ));
    };
    let intent = plan.map_err(|r| {
        Failure::from(store::Error::Refused(crate::domain::Refusal {
            message: format!(
                "your last command ({}, {}): {}",
                clean(&event.summary.replace('\n', " ")),
                event.at.local_minute(),
                r.message
            ),
            ..r
        }))
    })?;
    if !yes {
        if !io::stdin().is_terminal() {
            return Err(fail(
                exit::USAGE,
                format!(
                    "undo would take back: {} — run `jobloop undo --yes` to do it",
                    clean(&event.summary.replace('\n', " "))
                ),
            ));
        }
        let _ = write!(
            io::stderr(),
            "take back your last command ({}, {})? [y/N] ",
            clean(&event.summary.replace('\n', " ")),
            event.at.local_minute()
        );
        let mut answer = String::new();
        let _ = io::stdin().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            return emit("nothing was changed\n");
        }
    }
    let a = store.apply(ctx, &intent)?;
    ack(a, store, hooks)
}
