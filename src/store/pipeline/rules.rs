//! The kill rules after a write: who trips a signal whose rule fired, and the trips themselves,
//! one audited event each.

use super::*;

/// Who trips a signal whose rule fired during `ctx`'s command: on the local file jobloop
/// itself; on the shared database the role that ran the command (the server accepts no other
/// actor), the rule being named in the event as the cause.
fn rule_actor(ctx: &Ctx) -> Ctx {
    if ctx.team {
        ctx.clone()
    } else {
        // The command's own id source: a seeded demo stays the same file.
        Ctx {
            actor: SELF_ACTOR.to_string(),
            ..ctx.clone()
        }
    }
}

/// Trips, one audited event each, the kill signals whose rules the loop's data breaks; what
/// each trip did is added to `happened`.
/// The loop's kill rules read after a write, unless the writer is a decision's owner signing
/// off on a loop they may not otherwise record on: its rules are left to its owner and lead (the
/// next write or `check` by one of them fires them).
pub(in crate::store) fn rules_after(
    db: &mut dyn Db,
    record: &mut LoopRecord,
    ctx: &Ctx,
    happened: &mut Vec<Happening>,
) -> Result<Vec<String>> {
    if ctx.team && record.authorize(ctx).is_err() {
        return Ok(Vec::new());
    }
    fire_rules(db, record, ctx, happened)
}

fn fire_rules(
    db: &mut dyn Db,
    record: &mut LoopRecord,
    ctx: &Ctx,
    happened: &mut Vec<Happening>,
) -> Result<Vec<String>> {
    let bot = rule_actor(ctx);
    let mut fired = Vec::new();
    loop {
        let before = record.clone();
        let Some(outcome) = record.fire_next_rule(&bot) else {
            return Ok(fired);
        };
        if save_small_state(db, &before, record)? {
            record.lp.rev += 1;
        }
        let e = append(
            db,
            &bot,
            Change {
                command: outcome.command,
                job_id: Some(&record.job.id),
                loop_kind: Some(record.lp.kind),
                summary: &outcome.summary,
                before: before.audit_state(),
                after: record.audit_state(),
            },
            Map::new(),
        )?;
        happened.extend(
            hook::of_loop_change(&before, record, &bot.actor, bot.now)
                .into_iter()
                .map(|h| Happening {
                    seq: Some(e.seq),
                    ..h
                }),
        );
        fired.push(outcome.summary);
    }
}

/// `check` for one loop by `ctx`: fires its rules now (a no-op when they hold); what the
/// trips did is added to `happened`.
pub(in crate::store) fn check_loop(
    db: &mut dyn Db,
    slug: &str,
    kind: LoopKind,
    ctx: &Ctx,
    happened: &mut Vec<Happening>,
) -> Result<Vec<String>> {
    let mut record = load::loop_record(db, slug, kind)?;
    // On the shared store a member checks only the loops they may record on; the owners of the
    // others (or their lead) check theirs.
    if ctx.team && record.authorize(ctx).is_err() {
        return Ok(Vec::new());
    }
    guard::job_matches(db, &record.job)?;
    guard::loop_matches(db, &record)?;
    let fired = fire_rules(db, &mut record, ctx, happened)?;
    if !fired.is_empty() {
        happened.extend(load::save_loop_state_breaches(
            db, &record, &ctx.actor, ctx.now,
        )?);
    }
    Ok(fired)
}
