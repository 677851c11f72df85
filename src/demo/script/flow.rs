//! Each demo family's redesigned workflow: its steps, the work it removed, its governance, a
//! critic's result and an incident, written as data; `Script::flow` plays them.

use super::*;
use DataClass::{Confidential, Internal, Personal, Special};
use Performer::{Agent, Human, System};

/// One step of a redesigned workflow.
struct FlowStep {
    name: &'static str,
    kind: StepKind,
    by: Performer,
    role: Option<AgentRole>,
    gate: Option<HumanGate>,
    after: &'static [&'static str],
    data: &'static [DataClass],
    irreversible: bool,
}

/// What a family's workflow records in the demo's first two weeks. Each family leaves one gap
/// the detectors point at (the coaching job names no critic; the invoice job's incident stays
/// open).
struct FamilyFlow {
    steps: &'static [FlowStep],
    /// The work the redesign removed, and why it is gone.
    dropped: (&'static str, &'static str),
    /// The agent's step and the output step the govern loop holds, with the output's approval.
    agent_step: &'static str,
    output: &'static str,
    approval: &'static str,
    /// The output's critic and its first result (with a note when it fails).
    critic: Option<(&'static str, Performer)>,
    critic_result: (Verdict, Option<&'static str>),
    /// An incident at a step: what happened, its tag, the step.
    incident: (&'static str, &'static str, &'static str),
    severity: Severity,
    detected_by: DetectedBy,
    /// The change that fixed it the next week, if it was fixed.
    fix: Option<&'static str>,
}

const fn step(
    name: &'static str,
    kind: StepKind,
    by: Performer,
    after: &'static [&'static str],
    data: &'static [DataClass],
) -> FlowStep {
    FlowStep {
        name,
        kind,
        by,
        role: None,
        gate: None,
        after,
        data,
        irreversible: false,
    }
}

const fn agent(mut s: FlowStep, role: AgentRole) -> FlowStep {
    s.role = Some(role);
    s
}

const fn gated(mut s: FlowStep, gate: HumanGate) -> FlowStep {
    s.gate = Some(gate);
    s
}

const fn irreversible(mut s: FlowStep) -> FlowStep {
    s.irreversible = true;
    s
}

/// One per template, in the templates' order.
const FAMILIES: [FamilyFlow; 3] = [
    FamilyFlow {
        steps: &[
            step(
                "Read new ticket",
                StepKind::Input,
                System,
                &[],
                &[Personal, Internal],
            ),
            agent(
                step(
                    "Classify and route",
                    StepKind::Decision,
                    Agent,
                    &["Read new ticket"],
                    &[Personal],
                ),
                AgentRole::Decision,
            ),
            agent(
                step(
                    "Draft first answer",
                    StepKind::Action,
                    Agent,
                    &["Classify and route"],
                    &[Personal],
                ),
                AgentRole::Action,
            ),
            gated(
                step(
                    "Review draft",
                    StepKind::Decision,
                    Human,
                    &["Draft first answer"],
                    &[Personal],
                ),
                HumanGate::Approval,
            ),
            irreversible(step(
                "Send answer",
                StepKind::Output,
                System,
                &["Review draft"],
                &[Personal],
            )),
        ],
        dropped: (
            "Monday tagging spreadsheet",
            "the agent tags and routes each ticket as it lands",
        ),
        agent_step: "Draft first answer",
        output: "Send answer",
        approval: "refunds and legal words wait for the reviewer",
        critic: Some(("routing spot-check", Human)),
        critic_result: (Verdict::Pass, None),
        incident: (
            "A reseller's ticket was routed as a direct customer",
            "reseller-routing",
            "Classify and route",
        ),
        severity: Severity::Medium,
        detected_by: DetectedBy::Human,
        fix: Some("Reseller accounts are a field the routing agent reads"),
    },
    FamilyFlow {
        steps: &[
            step(
                "Transcribe session",
                StepKind::Input,
                System,
                &[],
                &[Personal, Special],
            ),
            agent(
                step(
                    "Draft session analysis",
                    StepKind::Action,
                    Agent,
                    &["Transcribe session"],
                    &[Personal, Special],
                ),
                AgentRole::Perception,
            ),
            gated(
                step(
                    "Coach edits follow-up",
                    StepKind::Decision,
                    Human,
                    &["Draft session analysis"],
                    &[Personal],
                ),
                HumanGate::Judgment,
            ),
            irreversible(step(
                "Send follow-up",
                StepKind::Output,
                System,
                &["Coach edits follow-up"],
                &[Personal],
            )),
        ],
        dropped: (
            "Hand-typed session notes",
            "the transcript and the draft analysis replace them",
        ),
        agent_step: "Draft session analysis",
        output: "Send follow-up",
        approval: "nothing leaves without the coach's edit",
        critic: None,
        critic_result: (Verdict::Pass, None),
        incident: (
            "The analysis quoted the client's partner by name",
            "third-party-names",
            "Draft session analysis",
        ),
        severity: Severity::Medium,
        detected_by: DetectedBy::Human,
        fix: Some("The analysis prompt names only the client; others are 'a third person'"),
    },
    FamilyFlow {
        steps: &[
            step(
                "Receive invoice",
                StepKind::Input,
                System,
                &[],
                &[Confidential],
            ),
            agent(
                step(
                    "Extract fields",
                    StepKind::Action,
                    Agent,
                    &["Receive invoice"],
                    &[Confidential],
                ),
                AgentRole::Perception,
            ),
            agent(
                step(
                    "Match to purchase order",
                    StepKind::Decision,
                    Agent,
                    &["Extract fields"],
                    &[Confidential],
                ),
                AgentRole::Decision,
            ),
            irreversible(step(
                "Pay supplier",
                StepKind::Output,
                System,
                &["Match to purchase order"],
                &[Confidential],
            )),
        ],
        dropped: (
            "Re-keying invoices into the ledger",
            "the extracted fields go straight to the ledger",
        ),
        agent_step: "Match to purchase order",
        output: "Pay supplier",
        approval: "over 5,000 EUR waits for the finance lead",
        critic: Some(("duplicate-invoice check", System)),
        critic_result: (
            Verdict::Fail,
            Some("the same invoice number was paid twice"),
        ),
        incident: (
            "A duplicate invoice was paid",
            "duplicate-payment",
            "Pay supplier",
        ),
        severity: Severity::High,
        detected_by: DetectedBy::System,
        fix: None,
    },
];

impl Script {
    /// The redesigned workflow mapped the day redesign step 1 was done, the work it removed,
    /// and its governance.
    pub(super) fn flow(&mut self, out: &mut Vec<Step>) {
        let family = &FAMILIES[self.j % TEMPLATES.len()];
        self.flow_map(out, family);
        self.flow_governance(out, family);
        self.flow_incident(out, family);
    }

    /// The steps and the dropped work, on Thursday of the first week.
    fn flow_map(&mut self, out: &mut Vec<Step>, family: &FamilyFlow) {
        let at = self.day(0, 3, 11);
        let on = When::Day(at.local_date());
        for s in family.steps {
            self.on(
                out,
                at,
                self.lead,
                LoopKind::Redesign,
                LoopOp::FlowAdd {
                    name: s.name.into(),
                    step: crate::domain::flow::StepSpec {
                        kind: s.kind,
                        by: s.by,
                        role: s.role,
                        gate: s.gate,
                        after: s.after.iter().map(|a| (*a).to_string()).collect(),
                        data: s.data.to_vec(),
                        irreversible: s.irreversible,
                    },
                    at: on,
                },
            );
        }
        self.on(
            out,
            at,
            self.lead,
            LoopKind::Redesign,
            LoopOp::FlowDrop {
                name: family.dropped.0.into(),
                why: family.dropped.1.into(),
                at: on,
            },
        );
    }

    /// Governance the next day: the output step's owner, threshold and critic, the agent's
    /// step's weekly sample review; then the critics' first results.
    fn flow_governance(&mut self, out: &mut Vec<Step>, family: &FamilyFlow) {
        let lead = self.lead;
        let owner = OWNERS[(self.j + 3) % OWNERS.len()];
        let gov = self.day(0, 4, 10);
        self.on(
            out,
            gov,
            lead,
            LoopKind::Govern,
            LoopOp::FlowGovern {
                step: family.output.into(),
                owner: Some(owner.into()),
                approval: Some(family.approval.into()),
                critic: family
                    .critic
                    .map(|(name, by)| crate::domain::flow::CriticSpec {
                        name: name.into(),
                        by,
                    }),
            },
        );
        self.on(
            out,
            gov,
            lead,
            LoopKind::Govern,
            LoopOp::FlowGovern {
                step: family.agent_step.into(),
                owner: Some(owner.into()),
                approval: Some("a person reads what the agent got wrong each week".into()),
                critic: Some(crate::domain::flow::CriticSpec {
                    name: "weekly sample review".into(),
                    by: Human,
                }),
            },
        );
        if let Some((name, _)) = family.critic {
            let (result, note) = family.critic_result;
            self.on(
                out,
                self.day(1, 1, 16),
                lead,
                LoopKind::Govern,
                LoopOp::CriticResult {
                    step: family.output.into(),
                    critic: name.into(),
                    result,
                    note: note.map(str::to_string),
                },
            );
        }
        self.on(
            out,
            self.day(1, 4, 16),
            lead,
            LoopKind::Govern,
            LoopOp::CriticResult {
                step: family.agent_step.into(),
                critic: "weekly sample review".into(),
                result: Verdict::Pass,
                note: Some("20 of 20 sampled were right".into()),
            },
        );
    }

    /// An incident at the agent's step, fixed the next week when the family fixes it.
    fn flow_incident(&mut self, out: &mut Vec<Step>, family: &FamilyFlow) {
        let (what, tag, step) = family.incident;
        let seen = self.day(1, 4, 10);
        self.on(
            out,
            seen,
            self.lead,
            LoopKind::Improve,
            LoopOp::IncidentAdd {
                what: what.into(),
                step: step.into(),
                severity: family.severity,
                tag: Some(tag.into()),
                detected_by: Some(family.detected_by),
                at: When::Day(seen.local_date()),
            },
        );
        if let Some(change) = family.fix
            && self.weeks > 2
        {
            out.push((
                self.day(2, 1, 10),
                self.lead.into(),
                Act::FixIncident {
                    slug: self.slug.clone(),
                    change: change.into(),
                },
            ));
        }
    }
}
