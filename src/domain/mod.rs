//! The rules of the six loops, pure Rust: no SQL, no terminal, no files. The CLI, the TUI and
//! import all change records through the intents defined here.

pub mod audit;
pub mod command;
pub mod cycle;
pub mod dataset;
pub mod detect;
pub mod error;
pub mod evidence;
pub mod intent;
pub mod job;
pub mod kind;
pub mod loop_record;
pub mod model;
pub mod num;
pub mod review;
pub mod rules;
pub mod state;
pub mod stats;
pub mod suggest;
pub mod team;
pub mod text;
pub mod time;
pub mod trail;
pub mod undo;
pub mod verify;

pub use command::Command;
pub use error::{Fix, Refusal, RefusalKind, Remedy};
pub use intent::{Intent, LoopOp};
pub use kind::{Layer, LoopKind};
pub use model::Ctx;
pub use time::{Stamp, Week, When};
