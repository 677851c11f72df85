//! What a job gives back: `proof` and the weekly compound test `cycle`.

use clap::{Args, Subcommand};

use super::parse::*;
use crate::domain::model::{ProofKind, Visibility};
use crate::domain::time::{Week, When};

#[derive(Subcommand, Debug)]
pub enum ProofCmd {
    /// Turn proof into a case, diagram, story, benchmark or standard
    Add {
        job: String,
        title: String,
        #[arg(long, value_parser = parse_proof_kind)]
        kind: ProofKind,
        #[arg(long, value_parser = parse_visibility)]
        visibility: Visibility,
        #[arg(long)]
        link: Option<String>,
        /// When it was published, YYYY-MM-DD [default: today]
        #[arg(long, value_parser = parse_at, value_name = "DATE")]
        at: Option<When>,
    },
    /// Track what a proof brought back (ID: at least 4 characters of its id)
    Outcome {
        job: String,
        id: String,
        /// The counts that changed; the others stay as they are
        #[arg(long)]
        replies: Option<u32>,
        #[arg(long)]
        citations: Option<u32>,
        #[arg(long)]
        intros: Option<u32>,
        #[arg(long)]
        bookings: Option<u32>,
        #[arg(long)]
        sales: Option<u32>,
        #[arg(long)]
        reuse: Option<u32>,
    },
    /// Make a proof public (it goes to the journeys `publish` writes) or withdraw it (private
    /// again; its record stays), with why
    Visibility {
        job: String,
        /// At least 4 characters of its id
        id: String,
        #[arg(value_parser = parse_visibility)]
        visibility: Visibility,
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// List a job's proof artifacts with their ids
    List {
        job: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum CycleCmd {
    /// Answer the compound test and close the cycle (this ISO week unless --week)
    Close(CycleCloseArgs),
    /// List a job's closed cycles
    List {
        job: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct CycleCloseArgs {
    pub job: String,
    /// Did we learn better what matters? (required)
    #[arg(long, value_parser = parse_yes_no, value_name = "yes|no", required = true)]
    pub understanding: Option<bool>,
    /// Can we explain it with less drag? (required)
    #[arg(long, value_parser = parse_yes_no, value_name = "yes|no", required = true)]
    pub explanation: Option<bool>,
    /// Do we create more value with less waste? (required)
    #[arg(long, value_parser = parse_yes_no, value_name = "yes|no", required = true)]
    pub creation: Option<bool>,
    /// Does the proof reach better next actors? (required)
    #[arg(long, value_parser = parse_yes_no, value_name = "yes|no", required = true)]
    pub distribution: Option<bool>,
    /// The ISO week to close, e.g. 2026-W46 [default: this week]
    #[arg(long, value_parser = parse_week)]
    pub week: Option<Week>,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub understanding_note: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub explanation_note: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub creation_note: Option<String>,
    #[arg(long, value_name = "TEXT")]
    pub distribution_note: Option<String>,
}
