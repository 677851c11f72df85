//! Irreversible decisions: recorded with their human owner, signed off by that owner only, and
//! amended as a new version that waits for a new sign-off.

use super::*;

impl LoopRecord {
    /// Records an irreversible decision and the human who owns it; it is pending until that
    /// person signs it off.
    pub(super) fn decide(
        &mut self,
        text: &str,
        owner: &str,
        threshold: Option<&str>,
        step_id: Option<FlowStepId>,
        about: Option<NaiveDate>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        let text = required_text("decision", text, MAX_REASON)?;
        let owner = person_name("decision owner", owner)?;
        let threshold = optional_text("threshold", threshold, MAX_SHORT)?;
        self.writable()?;
        let row = Decision {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            text: text.clone(),
            owner: owner.clone(),
            threshold,
            recorded_at: ctx.now,
            recorded_by: ctx.actor.clone(),
            supersedes: None,
            approved_at: None,
            approved_by: None,
            void: None,
            step_id,
            about,
            witnessed_by: None,
        };
        self.decisions.push(row.clone());
        self.touch();
        let fix = Fix::SignOffAs {
            at: self.at(),
            owner: owner.clone(),
            decision: Some(short_id(&row.id).to_string()),
            team: ctx.team,
        };
        Ok(Outcome::appending(
            Command::Decide,
            format!(
                "recorded decision {} on {} owned by {owner} (pending their sign-off): {text}",
                short_id(&row.id),
                self.addr()
            ),
            Row::Decision(row),
        )
        .then(fix))
    }

    /// Decisions in force: not voided and not amended by a later version.
    pub fn current_decisions(&self) -> impl Iterator<Item = &Decision> {
        self.decisions.iter().filter(|d| {
            d.void.is_none()
                && !self
                    .decisions
                    .iter()
                    .any(|n| n.supersedes.as_ref() == Some(&d.id) && n.void.is_none())
        })
    }

    pub(super) fn decision_index(&self, reference: &str) -> Result<usize, Refusal> {
        self.not_amended(reference)?;
        let current: Vec<&Decision> = self.current_decisions().collect();
        let found = find_by_ref(current.iter().map(|d| &d.id), reference).map_err(|e| {
            e.about("decision", &self.addr())
                .fix(Fix::ShowLoop(self.at()))
        })?;
        Ok(self
            .decisions
            .iter()
            .position(|d| d.id == *found)
            .unwrap_or(0))
    }

    /// A decision amended by a newer version (perhaps while a form showed it) is named as such,
    /// with the version in force: its owner or threshold changed, and that one is what counts.
    fn not_amended(&self, reference: &str) -> Result<(), Refusal> {
        let all = self.decisions.iter().filter(|d| d.void.is_none());
        let Ok(found) = find_by_ref(all.clone().map(|d| &d.id), reference) else {
            return Ok(());
        };
        let mut newest = found.clone();
        while let Some(n) = all.clone().find(|d| d.supersedes.as_ref() == Some(&newest)) {
            newest = n.id.clone();
        }
        if newest == *found {
            return Ok(());
        }
        let now = self.decisions.iter().find(|d| d.id == newest);
        Err(Refusal::conflict(format!(
            "decision {} on {} was amended: the version in force is {} (owner {}{}); look at it before acting on it",
            short_id(found),
            self.addr(),
            short_id(&newest),
            now.map_or("?", |d| d.owner.as_str()),
            now.and_then(|d| d.threshold.as_deref())
                .map(|t| format!(", threshold {t}"))
                .unwrap_or_default()
        )))
    }

    /// The named owner signs a decision off — or, `witnessed`, the actor records the owner's
    /// sign-off on the owner's word: only on a local file (in team mode only the owner signs,
    /// and the server decides who they are), and never for the actor's own decision.
    pub(super) fn approve(
        &mut self,
        reference: &str,
        witnessed: bool,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let idx = self.decision_index(reference)?;
        let addr = self.addr();
        let at = self.at();
        let d = &mut self.decisions[idx];
        check_signer(d, witnessed, ctx, &addr, at)?;
        if d.approved_at.is_some() {
            return Ok(Outcome::unchanged(
                Command::DecideApprove,
                format!(
                    "decision {} is already signed off; nothing changed",
                    short_id(&d.id)
                ),
            ));
        }
        d.approved_at = Some(ctx.now);
        d.approved_by = Some(if witnessed {
            d.owner.clone()
        } else {
            ctx.actor.clone()
        });
        d.witnessed_by = witnessed.then(|| ctx.actor.clone());
        let row = d.clone();
        Ok(signed_off(row, witnessed, ctx, &addr))
    }

    pub(super) fn amend(
        &mut self,
        reference: &str,
        owner: Option<&str>,
        threshold: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let idx = self.decision_index(reference)?;
        let old = self.decisions[idx].clone();
        let owner = match owner {
            Some(o) => person_name("decision owner", o)?,
            None => old.owner.clone(),
        };
        let threshold = match threshold {
            Some(t) => optional_text("threshold", Some(t), MAX_SHORT)?,
            None => old.threshold.clone(),
        };
        if owner == old.owner && threshold == old.threshold {
            return Ok(Outcome::unchanged(
                Command::DecideAmend,
                format!(
                    "decision {} already has this owner and threshold; nothing changed",
                    short_id(&old.id)
                ),
            ));
        }
        let row = Decision {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            text: old.text.clone(),
            owner: owner.clone(),
            threshold,
            recorded_at: ctx.now,
            recorded_by: ctx.actor.clone(),
            supersedes: Some(old.id.clone()),
            approved_at: None,
            approved_by: None,
            void: None,
            step_id: old.step_id.clone(),
            // A new version of the same decision: it was taken on the day the first was.
            about: old.about,
            witnessed_by: None,
        };
        self.decisions.push(row.clone());
        let fix = Fix::SignOffAs {
            at: self.at(),
            owner: owner.clone(),
            decision: Some(short_id(&row.id).to_string()),
            team: ctx.team,
        };
        Ok(Outcome::appending(
            Command::DecideAmend,
            format!(
                "amended decision {} on {} as {} (owner {owner}, pending their sign-off)",
                short_id(&old.id),
                self.addr(),
                short_id(&row.id)
            ),
            Row::Decision(row),
        )
        .then(fix))
    }
}

/// May the actor sign this decision off? The owner signs; a witness records the owner's word
/// only on a local file, and never for their own decision.
fn check_signer(
    d: &Decision,
    witnessed: bool,
    ctx: &Ctx,
    addr: &str,
    at: At,
) -> Result<(), Refusal> {
    if witnessed {
        if ctx.team {
            return Err(Refusal::forbidden(format!(
                "on the shared database only {} signs decision {} off: a sign-off cannot be witnessed there",
                d.owner,
                short_id(&d.id)
            ))
            .fix(Fix::SignOffAs {
                at,
                owner: d.owner.clone(),
                decision: Some(short_id(&d.id).to_string()),
                team: ctx.team,
            }));
        }
        if same_person(&d.owner, &ctx.actor) {
            return Err(Refusal::invalid(format!(
                "decision {} is yours: sign it off yourself, without --witnessed",
                short_id(&d.id)
            )));
        }
    } else if !same_person(&d.owner, &ctx.actor) {
        return Err(Refusal::forbidden(format!(
            "decision {} on {addr} is owned by {}; {} cannot sign it off",
            short_id(&d.id),
            d.owner,
            ctx.actor
        ))
        .fix(Fix::SignOffAs {
            at,
            owner: d.owner.clone(),
            decision: Some(short_id(&d.id).to_string()),
            team: ctx.team,
        }));
    }
    Ok(())
}

/// What a sign-off reports (a witnessed one says whose word it is), with the decision's row.
fn signed_off(row: Decision, witnessed: bool, ctx: &Ctx, addr: &str) -> Outcome {
    let threshold = row
        .threshold
        .as_deref()
        .map(|t| format!(" (threshold: {t})"))
        .unwrap_or_default();
    let mut out = if witnessed {
        Outcome::done(
            Command::DecideWitness,
            format!(
                "{} recorded {}'s sign-off of decision {} on {addr} on their word (witnessed, not signed by them){threshold}: {}",
                ctx.actor,
                row.owner,
                short_id(&row.id),
                row.text
            ),
        )
    } else {
        Outcome::done(
            Command::DecideApprove,
            format!(
                "{} signed off decision {} on {addr}{threshold}: {}",
                ctx.actor,
                short_id(&row.id),
                row.text
            ),
        )
    };
    out.updated.push(Row::Decision(row));
    out
}
