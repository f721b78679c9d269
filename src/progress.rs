//! Progress reporting on stderr (indicatif). Bars draw only when stderr is a terminal, so
//! `--json` output on stdout and logs in CI stay clean.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Creates progress bars and spinners, or hidden ones when quiet.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    quiet: bool,
}

impl Progress {
    /// Progress shown on stderr (when it is a terminal).
    pub fn stderr() -> Self {
        Progress { quiet: false }
    }

    /// No progress output at all (library use, tests).
    pub fn hidden() -> Self {
        Progress { quiet: true }
    }

    fn target(&self) -> ProgressDrawTarget {
        if self.quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        }
    }

    /// A bar for `len` steps.
    pub fn bar(&self, len: u64, message: &str) -> ProgressBar {
        let bar = ProgressBar::with_draw_target(Some(len), self.target());
        if let Ok(style) =
            ProgressStyle::with_template("{msg:40} [{bar:30}] {pos}/{len} {elapsed} (ETA {eta})")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message.to_string());
        bar
    }

    /// A spinner for a step of unknown length.
    pub fn spinner(&self, message: &str) -> ProgressBar {
        let bar = ProgressBar::with_draw_target(None, self.target());
        bar.set_message(message.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    }

    /// A warning line on stderr (unless quiet).
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            eprintln!("warning: {message}");
        }
    }

    /// An informational line on stderr (unless quiet).
    pub fn info(&self, message: &str) {
        if !self.quiet {
            eprintln!("{message}");
        }
    }
}
