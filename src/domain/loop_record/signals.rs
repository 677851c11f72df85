//! Kill signals: added, tripped with a reason, re-armed, and tripped by their rules.

use super::*;

impl LoopRecord {
    /// Adds a kill signal, optionally with a rule the data can check (see `rules`).
    pub(super) fn add_kill_signal(
        &mut self,
        text: &str,
        rule: Option<&str>,
        reason: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        self.writable()?;
        let text = required_text("kill signal", text, MAX_SHORT)?;
        let rule = match rule.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(KillRule::parse(r)?.to_string()),
            None => None,
        };
        // A rule added after the plan was locked can stop the work on data already seen.
        let deviation = match &rule {
            Some(r) => self.loop_deviation(
                DeviationKind::KillRuleAdded,
                format!("kill rule `{r}` added"),
                reason,
                ctx,
            )?,
            None => None,
        };
        if self.kill_signals.len() >= MAX_SIGNALS {
            return Err(Refusal::rule(format!(
                "{} already has {MAX_SIGNALS} kill signals, the most a loop holds",
                self.addr()
            )));
        }
        let n = self.kill_signals.iter().map(|k| k.n).max().unwrap_or(0) + 1;
        self.kill_signals.push(KillSignal::armed(
            &self.lp.id,
            n,
            text,
            false,
            rule.clone(),
            ctx,
        ));
        if let Some(d) = &deviation {
            self.deviations.push(d.clone());
        }
        self.touch();
        let with_rule = rule.map(|r| format!(" (rule: {r})")).unwrap_or_default();
        Ok(Outcome::done(
            Command::KillAdd,
            format!("armed kill signal {n} on {}{with_rule}", self.addr()),
        )
        .deviating(deviation))
    }

    pub(super) fn signal_index(&self, n: i64) -> Result<usize, Refusal> {
        self.kill_signals
            .iter()
            .position(|k| k.n == n)
            .ok_or_else(|| {
                Refusal::not_found(format!("{} has no kill signal {n}", self.addr()))
                    .fix(Fix::ShowLoop(self.at()))
            })
    }

    /// Trips a kill signal (the first armed one when `n` is not given). The loop does not end by
    /// itself: it waits for the lead to retire it or continue it.
    pub(super) fn trip(
        &mut self,
        n: Option<i64>,
        reason: &str,
        evidence: Option<&str>,
        ctx: &Ctx,
    ) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, MAX_REASON)?;
        let evidence = optional_text("evidence", evidence, MAX_LONG)?;
        self.writable()?;
        if self.lp.status == Status::Closed {
            return Err(Refusal::rule(format!(
                "{} is closed, so its kill signals no longer trip",
                self.addr()
            ))
            .fix(Fix::Reopen(self.at())));
        }
        let idx = match n {
            Some(n) => self.signal_index(n)?,
            None => self
                .kill_signals
                .iter()
                .position(|k| k.state == SignalState::Armed)
                .ok_or_else(|| {
                    Refusal::rule(format!("{} has no armed kill signal to trip", self.addr()))
                        .fix(Fix::AddKillSignal(self.at()))
                })?,
        };
        let at = self.at();
        let k = &mut self.kill_signals[idx];
        if k.state == SignalState::Tripped {
            return Err(Refusal::rule(format!(
                "kill signal {} is already tripped (\"{}\")",
                k.n,
                k.reason.clone().unwrap_or_default(),
            ))
            .fix(Fix::Rearm { at, n: k.n }));
        }
        k.change(SignalState::Tripped, reason.clone(), evidence, ctx);
        let n = k.n;
        self.touch();
        Ok(Outcome::done(
            Command::KillTrip,
            format!(
                "tripped kill signal {n} on {}: {reason}; the loop waits for a decision",
                self.addr()
            ),
        )
        .then(Fix::DecideAfterTrip(self.at())))
    }

    pub(super) fn rearm(&mut self, n: i64, reason: &str, ctx: &Ctx) -> Result<Outcome, Refusal> {
        let reason = required_text("reason", reason, MAX_REASON)?;
        self.writable()?;
        let idx = self.signal_index(n)?;
        let k = &mut self.kill_signals[idx];
        if k.state == SignalState::Armed {
            return Ok(Outcome::unchanged(
                Command::KillRearm,
                format!("kill signal {n} is already armed; nothing changed"),
            ));
        }
        k.change(SignalState::Armed, reason.clone(), None, ctx);
        Ok(Outcome::done(
            Command::KillRearm,
            format!("re-armed kill signal {n} on {}: {reason}", self.addr()),
        ))
    }

    /// What the loop's kill rules read now.
    pub fn rule_inputs(&self) -> Option<RuleInputs> {
        let metric = self.metric.as_ref()?;
        // The locked plan's baseline, when one is locked: a deviation cannot disarm a rule.
        let baseline: Vec<f64> = match self.plan_in_force() {
            Some((_, p)) => p.baseline.iter().map(|v| v.value).collect(),
            None => self.baselines().map(|v| v.value).collect(),
        };
        let since: Vec<&Value> = self.live_since_intervention().collect();
        let live: Vec<f64> = since.iter().map(|v| v.value).collect();
        let latest_recorded = since.last().map(|v| v.recorded_at);
        let last_live = self.live().map(|v| v.at.date()).max();
        let tail = self
            .kill_signals
            .iter()
            .filter_map(|k| k.rule.as_deref().and_then(|r| KillRule::parse(r).ok()))
            .map(|r| r.tail())
            .max()
            .unwrap_or(0);
        Some(RuleInputs::new(
            metric.better,
            &baseline,
            &live,
            last_live,
            metric.set_at,
            tail,
            latest_recorded,
        ))
    }

    /// Trips the first armed kill signal whose rule the loop's values break, with a reason that
    /// starts `rule:`; `None` when every rule holds. Call until `None` to fire them all, one
    /// audited trip at a time.
    pub fn fire_next_rule(&mut self, ctx: &Ctx) -> Option<Outcome> {
        if self.writable().is_err() || self.lp.status == Status::Closed {
            return None;
        }
        let inputs = self.rule_inputs()?;
        let today = ctx.now.local_date();
        let (idx, reason) = self.kill_signals.iter().enumerate().find_map(|(i, k)| {
            if k.state != SignalState::Armed {
                return None;
            }
            let rule = KillRule::parse(k.rule.as_deref()?).ok()?;
            rule.check_since(&inputs, today, k.continued_at())
                .fires()
                .map(|r| (i, r.to_string()))
        })?;
        let addr = self.addr();
        let k = &mut self.kill_signals[idx];
        k.change(SignalState::Tripped, reason.clone(), None, ctx);
        Some(Outcome::done(
            Command::KillTrip,
            format!(
                "kill signal {} on {addr} tripped by its rule — {reason}",
                k.n
            ),
        ))
    }
}
