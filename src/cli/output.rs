//! What a command prints: text or JSON on standard output, an acknowledgement with its next
//! step, and the hooks a committed write runs.

use super::*;

/// A failed write to standard output: a full disk (`/dev/full`), and a closed pipe too (`jobloop
/// export - | head` did not deliver the whole export, so it is not a success). SIGPIPE is
/// ignored (Rust's default), so a closed pipe is this error, never a silent death.
pub(super) fn out_err(e: io::Error) -> Failure {
    let remedy = if e.kind() == io::ErrorKind::BrokenPipe {
        "let the program read to the end, or write to a file"
    } else {
        "run it again where the output can be written"
    };
    fail(
        exit::IO,
        format!("cannot write the output: {}; {remedy}", io_words(&e)),
    )
}

/// A writer that keeps the error of its failed write, for a caller that gets it in other words.
pub(super) struct Watched<W> {
    inner: W,
    pub(super) failed: std::cell::Cell<Option<io::Error>>,
}

impl<W> Watched<W> {
    pub(super) fn new(inner: W) -> Watched<W> {
        Watched {
            inner,
            failed: std::cell::Cell::new(None),
        }
    }

    fn keep<T>(&self, r: io::Result<T>) -> io::Result<T> {
        r.inspect_err(|e| {
            let again = match e.raw_os_error() {
                Some(code) => io::Error::from_raw_os_error(code),
                None => io::Error::from(e.kind()),
            };
            self.failed.set(Some(again));
        })
    }
}

impl<W: Write> Write for Watched<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = self.inner.write(buf);
        self.keep(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        let r = self.inner.flush();
        self.keep(r)
    }
}

pub(super) fn emit(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(out_err)?;
    out.flush().map_err(out_err)
}

/// JSON for scripts: indented on a terminal, compact when piped.
pub(super) fn emit_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    // Streamed: a large review is never held twice in memory.
    let mut out = io::BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let written = if io::stdout().is_terminal() {
        serde_json::to_writer_pretty(&mut out, value)
    } else {
        serde_json::to_writer(&mut out, value)
    };
    written.map_err(|e| match e.io_error_kind() {
        Some(kind) => out_err(io::Error::from(kind)),
        None => fail(exit::IO, format!("cannot write JSON: {e}")),
    })?;
    out.write_all(b"\n").map_err(out_err)?;
    out.flush().map_err(out_err)
}

/// An acknowledgement, with the likely next step in the CLI's words, then the hooks of what the
/// write did (its hooks run even when it cannot be printed: the write was committed).
pub(super) fn ack(a: Ack, store: &mut Store, hooks: &Hooks) -> Result<(), Failure> {
    let printed = say(&a);
    after(store, hooks, &a.happened);
    printed
}

/// An acknowledgement printed. One that cannot be printed is an error that says the command was
/// saved all the same.
pub(super) fn say(a: &Ack) -> Result<(), Failure> {
    let mut text = crate::display::clean_multiline(&a.summary);
    if let Some(next) = &a.next {
        text.push_str(&format!("\nnext: {}", remedy::words(next)));
    }
    text.push('\n');
    emit(&text).map_err(|mut f| {
        if a.changed {
            f.message = format!("the command was saved, but {}", f.message);
        }
        f
    })
}

/// The config file's hooks, read before a write: hooks that cannot be read refuse the command,
/// so nobody is left believing a hook tells them what it never will.
pub(super) fn hooks_for_writes() -> Result<Hooks, Failure> {
    Hooks::load().map_err(|m| {
        fail(
            exit::USAGE,
            format!("{m}; fix the config file: nothing was recorded"),
        )
    })
}

/// Runs the hooks listening to what a committed write did and waits for them up to their time
/// limit; each failure is one line on standard error and changes nothing else (the write
/// stands, the exit code is the command's).
pub(super) fn after(store: &mut Store, hooks: &Hooks, happened: &[Happening]) {
    let launches = crate::hooks::prepare(store, hooks, happened, Stamp::now());
    if launches.is_empty() {
        return;
    }
    let failures = crate::hooks::run_all(launches, hooks.timeout);
    let mut err = io::stderr().lock();
    for line in failures {
        let _ = writeln!(
            err,
            "jobloop: warning: the write was recorded, but {}",
            clean(&line)
        );
    }
}
