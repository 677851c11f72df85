//! The rules of the six loops, pure Rust: no SQL, no terminal, no files. The CLI, the TUI and
//! import all change records through the intents defined here.

pub mod as_of;
pub mod audit;
pub mod calendar;
pub mod command;
pub mod cycle;
pub mod dataset;
pub mod detect;
pub mod error;
pub mod evidence;
pub mod flow;
pub mod hook;
pub mod id;
pub mod intent;
pub mod job;
pub mod kind;
pub mod loop_record;
pub mod model;
pub mod num;
pub mod plan;
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
pub mod value_import;
pub mod verify;
pub mod week_values;

pub use command::Command;
pub use error::{Fix, Refusal, RefusalKind, Remedy};
pub use intent::{Intent, LoopOp};
pub use kind::{Layer, LoopKind};
pub use model::Ctx;
pub use time::{Stamp, Week, When};

/// The domain is pure by construction of this check: no I/O, threads, SQL, terminal, display
/// code or other layers' modules (the sanitiser and the shell's words belong to the edges).
#[cfg(test)]
pub(crate) mod layering {
    /// The code (before any test module) of every Rust file under `dir`.
    pub(crate) fn sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("tests.rs")
                // Unit tests may use anything, in a `tests.rs` or a `tests/` folder.
                && !path.components().any(|c| c.as_os_str() == "tests")
                && let Ok(text) = std::fs::read_to_string(&path)
            {
                // Unit tests may use anything.
                let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
                out.push((path.display().to_string(), code));
            }
        }
    }

    /// `code` without its comments (what a rule about code, not prose, reads).
    pub(crate) fn without_comments(code: &str) -> String {
        code.lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_domain_uses_no_other_layer_and_no_io() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
        let mut files = Vec::new();
        sources(&dir, &mut files);
        assert!(files.len() > 20, "{dir:?}");
        let forbidden = [
            "crate::display",
            "crate::store",
            "crate::cli",
            "crate::tui",
            "crate::files",
            "crate::par",
            "crate::demo",
            "crate::digest",
            "std::thread",
            "std::fs",
            "std::process",
            "std::net",
            "std::time::Instant",
            "Utc::now",
            "Local::now",
            "Stamp::now",
            "std::env",
            "rusqlite",
            "postgres",
            "ratatui",
            "clap",
            "`jobloop ",
        ];
        for (path, code) in &files {
            for f in forbidden {
                assert!(!code.contains(f), "{path} uses {f}");
            }
        }
    }
}
