//! jobloop: review the six AI-native loops of a team's customer jobs.
//!
//! `domain` holds every rule, `store` every SQL statement, `cli` the command line and `tui` the
//! full-screen interface; `display` is the one sanitiser for text shown on a terminal, `files`
//! the one way records are written to files.

pub mod cli;
pub mod clock;
pub mod demo;
pub mod detail_rows;
pub mod diagram;
pub mod digest;
pub mod display;
pub mod domain;
pub mod files;
pub mod hooks;
pub mod ics;
pub mod job_view;
pub mod loop_view;
pub mod par;
pub mod paths;
pub mod progress;
pub mod publish;
pub mod register;
pub mod report;
pub mod store;
pub mod tui;
pub mod values_csv;
