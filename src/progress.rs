//! The progress line of a long command (`export`, `keys rotate`), on stderr and only when
//! stderr is a terminal: a log file or a pipe gets no carriage returns and half lines.
//! Each update rewrites the line and leaves the cursor at its start, so a log line written
//! meanwhile covers it instead of running on after it.

use std::fmt::Display;
use std::io::{IsTerminal, Write};

pub struct ProgressLine {
    shown: bool,
}

impl ProgressLine {
    pub fn on_stderr() -> ProgressLine {
        ProgressLine { shown: std::io::stderr().is_terminal() }
    }

    pub fn update(&self, text: impl Display) {
        if self.shown {
            // Text, then erase to the end of the line, then back to its start.
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{text}\x1b[K\r");
            let _ = err.flush();
        }
    }

    /// Leaves `text` on a line of its own.
    pub fn finish(&self, text: impl Display) {
        if self.shown {
            eprintln!("{text}\x1b[K");
        }
    }

    /// Erases the line, for a summary printed in its place.
    pub fn clear(&self) {
        if self.shown {
            eprint!("\x1b[K");
        }
    }
}
