//! A failure as the user sees it: one line on standard error and an exit code that says what
//! went wrong.

use super::*;

/// Exit codes: what went wrong, for scripts.
pub mod exit {
    /// A rule of the loops refused the command, or a record does not exist.
    pub const REFUSED: i32 = 1;
    /// The command line is wrong (a bad value, an unknown kind, an empty reason).
    pub const USAGE: i32 = 2;
    /// A command that only reads found no database at the path.
    pub const NO_DATABASE: i32 = 3;
    /// The file is not usable as a jobloop database (not one, newer, damaged, a folder, a FIFO).
    pub const UNUSABLE: i32 = 4;
    /// Another program held the database locked for longer than jobloop waits.
    pub const BUSY: i32 = 5;
    /// Permission denied: a read-only file or folder, someone else's loop or sign-off.
    pub const DENIED: i32 = 6;
    /// Reading or writing failed: a full disk, an output that cannot be written.
    pub const IO: i32 = 7;
    /// `verify` or `doctor` found problems in the file.
    pub const PROBLEMS: i32 = 8;
}

/// A failure as the user sees it: one line and an exit code.
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl From<store::Error> for Failure {
    fn from(e: store::Error) -> Failure {
        Failure {
            code: exit_code(&e),
            message: remedy::store_error(&e),
        }
    }
}

/// The exit code of a store error (the advice with it changes nothing).
fn exit_code(e: &store::Error) -> i32 {
    use store::Error::*;
    match e {
        Refused(r) if r.kind == RefusalKind::Invalid => exit::USAGE,
        Refused(r) if r.kind == RefusalKind::Forbidden => exit::DENIED,
        Refused(_) | Storage(_) => exit::REFUSED,
        NoDatabase(_) => exit::NO_DATABASE,
        Unusable(_) | Undecodable(_) => exit::UNUSABLE,
        Busy(_) => exit::BUSY,
        // Not "locked": the server went away (a restart, a failover, the network).
        Lost(_) => exit::IO,
        Tampered(_) => exit::PROBLEMS,
        Denied(_) => exit::DENIED,
        Io(_) => exit::IO,
        Advised(e, _) => exit_code(e),
    }
}

impl From<FileError> for Failure {
    fn from(e: FileError) -> Failure {
        let code = match &e {
            FileError::IsDatabase(_) | FileError::Exists(_) | FileError::NotAFile(..) => {
                exit::USAGE
            }
            FileError::Io(_, err) if err.kind() == io::ErrorKind::PermissionDenied => exit::DENIED,
            FileError::Io(..) => exit::IO,
        };
        fail(code, e.to_string())
    }
}

pub(super) fn fail(code: i32, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

/// Help and version go to stdout as clap renders them; an error becomes one line on stderr.
pub(super) fn clap_failure(e: clap::Error) -> i32 {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            0
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            exit::USAGE
        }
        _ => {
            let rendered = e.render().to_string();
            let first: Vec<&str> = rendered
                .lines()
                .take_while(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect();
            let line = first.join(" ");
            let line = line.strip_prefix("error: ").unwrap_or(&line);
            let _ = writeln!(
                io::stderr(),
                "jobloop: error: {} (see --help)",
                clean(line).trim_end_matches('.')
            );
            exit::USAGE
        }
    }
}
