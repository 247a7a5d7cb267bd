//! Writing to stdout and stderr without panicking. A reader that closes the
//! pipe early (`wmaudit rules | head -1`) is a clean stop, as in ripgrep: no
//! message, no panic. Any other write error (`> /dev/full`) is an error that
//! says so.

use std::io::{self, Write};

use anyhow::{Context as _, Result};

/// Runs `write` against a locked, buffered stdout and flushes it. A closed
/// pipe is success: the reader has all it wanted.
pub fn to_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    let result = write(&mut out).and_then(|()| out.flush());
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
            // Drop the rest of the buffer unwritten rather than fail again.
            let _ = out.into_parts();
            Ok(())
        }
        other => other.context("cannot write to stdout"),
    }
}

/// One line on stderr; a stderr that cannot be written is not worth dying for.
/// Messages quote the input (names, file contents), so what could act on a
/// terminal is escaped.
pub fn warn(line: impl std::fmt::Display) {
    let line = line.to_string();
    let _ = writeln!(
        io::stderr().lock(),
        "{}",
        wmaudit_core::display::terminal_safe(&line)
    );
}
