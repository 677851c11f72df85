//! A loop's own state: who owns it, whether it is open, closed or retired, its checklist, its
//! notes, and the decision after a tripped kill signal.

use super::*;

impl LoopRecord {
    pub(super) fn assign_owner(
        &mut self,
        owner: &str,
        was: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        let owner = person_name("owner", owner)?;
        self.job_live()?;
        // In a team, who owns a loop is the lead's call: an owner may not hand it on.
        if ctx.team
            && !self
                .job
                .lead
                .as_deref()
                .is_some_and(|l| same_person(l, &ctx.actor))
        {
            return Err(Refusal::forbidden(format!(
                "{} may not name the owner of {}: only the job's lead names a loop's owner",
                ctx.actor,
                self.addr()
            ))
            .fix(Fix::AskOwner {
                owner: None,
                lead: self.job.lead.clone(),
            }));
        }
        check_shown(
            &format!("the owner of {}", self.addr()),
            self.lp.owner.as_deref().unwrap_or_default(),
            was,
        )?;
        if self.lp.owner.as_deref() == Some(owner.as_str()) {
            return Ok(Outcome::unchanged(
                Command::LoopOwner,
                format!("{owner} already owns {}; nothing changed", self.addr()),
            ));
        }
        self.lp.owner = Some(owner.clone());
        Ok(Outcome::done(
            Command::LoopOwner,
            format!("{owner} now owns {}", self.addr()),
        ))
    }

    pub(super) fn open(&mut self) -> Result<Outcome, Refusal> {
        self.job_live()?;
        if self.lp.status == Status::Open {
            return Ok(Outcome::unchanged(
                Command::LoopOpen,
                format!("{} is already open; nothing changed", self.addr()),
            ));
        }
        let verb = if self.lp.status == Status::NotStarted {
            "opened"
        } else {
            "reopened"
        };
        self.lp.status = Status::Open;
        Ok(Outcome::done(
            Command::LoopOpen,
            format!("{verb} {}", self.addr()),
        ))
    }

    /// Closing answers the loop's question "yes": refused while a kill signal awaits a decision,
    /// and while checklist steps are undone unless the lead says so explicitly (the summary then
    /// names the steps left undone).
    pub(super) fn close(&mut self, force: bool) -> Result<Outcome, Refusal> {
        self.writable()?;
        match self.lp.status {
            Status::Closed => {
                return Ok(Outcome::unchanged(
                    Command::LoopClose,
                    format!("{} is already closed; nothing changed", self.addr()),
                ));
            }
            Status::NotStarted => {
                return Err(Refusal::rule(format!(
                    "{} has not started: there is nothing to close yet",
                    self.addr()
                ))
                .advice("record something on it first, or open it"));
            }
            _ => {}
        }
        if let Some(k) = self.kill_signals.iter().find(|k| k.awaits_decision()) {
            return Err(Refusal::rule(format!(
                "kill signal {} of {} is tripped and undecided",
                k.n,
                self.addr()
            ))
            .fix(Fix::DecideAfterTrip(self.at())));
        }
        let undone: Vec<i64> = self
            .steps
            .iter()
            .filter(|s| s.done_at.is_none())
            .map(|s| s.n)
            .collect();
        if !undone.is_empty() && !force {
            return Err(Refusal::rule(format!(
                "{} has undone steps ({})",
                self.addr(),
                join(&undone)
            ))
            .fix(Fix::FinishSteps {
                at: self.at(),
                steps: undone,
            }));
        }
        self.lp.status = Status::Closed;
        let forced = if undone.is_empty() {
            String::new()
        } else {
            format!(" with step {} not done (closed anyway)", join(&undone))
        };
        Ok(Outcome::done(
            Command::LoopClose,
            format!("closed {}{forced}", self.addr()),
        ))
    }

    pub(super) fn mark_step(
        &mut self,
        n: i64,
        evidence: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let evidence = optional_text("evidence", evidence, MAX_LONG)?;
        let addr = self.addr();
        let step = self.step_mut(n)?;
        if step.done_at.is_some() && (evidence.is_none() || evidence == step.evidence) {
            return Ok(Outcome::unchanged(
                Command::LoopStep,
                format!("step {n} of {addr} is already done; nothing changed"),
            ));
        }
        // Other evidence for a step someone else ticked would silently replace who did it and
        // on what grounds: their tick stands as recorded. Its author may restate their own.
        if let Some(done) = step.done_at
            && !step
                .done_by
                .as_deref()
                .is_some_and(|by| same_person(by, &ctx.actor))
        {
            return Err(Refusal::rule(format!(
                "step {n} of {addr} is already done (by {} on {}, with its evidence): untick it first, then tick it with the new evidence",
                step.done_by.as_deref().unwrap_or("someone"),
                done.local_date(),
            )));
        }
        step.done_at = Some(ctx.now);
        step.done_by = Some(ctx.actor.clone());
        if evidence.is_some() {
            step.evidence = evidence;
        }
        let text = step.text.clone();
        self.touch();
        Ok(Outcome::done(
            Command::LoopStep,
            format!("done: step {n} of {addr} ({text})"),
        ))
    }

    pub(super) fn undo_step(&mut self, n: i64) -> Result<Outcome, Refusal> {
        self.writable()?;
        let addr = self.addr();
        let step = self.step_mut(n)?;
        if step.done_at.is_none() {
            return Ok(Outcome::unchanged(
                Command::LoopStepUndo,
                format!("step {n} of {addr} is not done; nothing changed"),
            ));
        }
        step.done_at = None;
        step.done_by = None;
        step.evidence = None;
        Ok(Outcome::done(
            Command::LoopStepUndo,
            format!("undone: step {n} of {addr}"),
        ))
    }

    pub(super) fn add_step(&mut self, text: &str, ctx: &Ctx) -> Result<Outcome, Refusal> {
        self.writable()?;
        let text = required_text("step text", text, MAX_SHORT)?;
        if self.steps.len() >= MAX_STEPS {
            return Err(Refusal::rule(format!(
                "{} already has {MAX_STEPS} steps, the most a checklist holds",
                self.addr()
            )));
        }
        let n = self.steps.iter().map(|s| s.n).max().unwrap_or(0) + 1;
        self.steps.push(Step {
            id: ctx.new_id(),
            loop_id: self.lp.id.clone(),
            n,
            text,
            custom: true,
            done_at: None,
            done_by: None,
            evidence: None,
        });
        self.touch();
        Ok(Outcome::done(
            Command::LoopStepAdd,
            format!("added step {n} to {}", self.addr()),
        ))
    }

    /// Replaces the loop's free-text notes (empty text clears them).
    pub(super) fn set_notes(&mut self, notes: &str, was: Option<&str>) -> Result<Outcome, Refusal> {
        self.job_live()?;
        check_shown(
            &format!("the notes of {}", self.addr()),
            &self.lp.notes,
            was,
        )?;
        let notes = optional_text("notes", Some(notes), MAX_NOTES)?.unwrap_or_default();
        if notes == self.lp.notes {
            return Ok(Outcome::unchanged(
                Command::LoopNote,
                format!("the notes of {} are unchanged", self.addr()),
            ));
        }
        self.lp.notes = notes;
        Ok(Outcome::done(
            Command::LoopNote,
            format!("updated the notes of {}", self.addr()),
        ))
    }

    /// The lead's decision to stop the work (usually after a tripped kill signal).
    pub(super) fn retire(&mut self, reason: &str, ctx: &Ctx) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, MAX_REASON)?;
        self.writable()?;
        self.decide_signals(KillDecision::Retire, &reason, ctx);
        self.lp.status = Status::Killed;
        Ok(Outcome::done(
            Command::LoopRetire,
            format!("retired {}: {reason}", self.addr()),
        ))
    }

    /// The lead's decision after a tripped kill signal: the work goes on, and why.
    pub(super) fn continue_after_trip(
        &mut self,
        reason: &str,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, MAX_REASON)?;
        self.writable()?;
        if !self.kill_signals.iter().any(KillSignal::awaits_decision) {
            return Err(Refusal::rule(format!(
                "{} has no tripped kill signal awaiting a decision: there is nothing to continue from",
                self.addr()
            )));
        }
        let rearmed: Vec<i64> = self
            .kill_signals
            .iter()
            .filter(|k| k.awaits_decision() && k.rule.is_some())
            .map(|k| k.n)
            .collect();
        self.decide_signals(KillDecision::Continue, &reason, ctx);
        // A rule keeps watching after "continue": its signal is armed again (the trip and the
        // decision stay in the history), and only newer evidence trips it again.
        for k in self
            .kill_signals
            .iter_mut()
            .filter(|k| rearmed.contains(&k.n))
        {
            k.state = SignalState::Armed;
        }
        let watching = match rearmed.as_slice() {
            [] => String::new(),
            ns => format!(
                "; the rule of kill signal {} watches again from now",
                join(ns)
            ),
        };
        Ok(Outcome::done(
            Command::LoopContinue,
            format!("{} continues: {reason}{watching}", self.addr()),
        ))
    }

    pub(super) fn decide_signals(&mut self, decision: KillDecision, reason: &str, ctx: &Ctx) {
        for k in self.kill_signals.iter_mut().filter(|k| k.awaits_decision()) {
            k.decision = Some(decision);
            k.decision_reason = Some(reason.to_string());
            k.decided_by = Some(ctx.actor.clone());
            k.decided_at = Some(ctx.now);
        }
    }

    pub(super) fn step_mut(&mut self, n: i64) -> Result<&mut Step, Refusal> {
        let count = self.steps.len();
        let (addr, at) = (self.addr(), self.at());
        self.steps.iter_mut().find(|s| s.n == n).ok_or_else(|| {
            Refusal::not_found(format!(
                "{addr} has no step {n}: its steps are numbered 1 to {count}"
            ))
            .fix(Fix::ShowLoop(at))
        })
    }
}

pub(super) fn join(ns: &[i64]) -> String {
    ns.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}
