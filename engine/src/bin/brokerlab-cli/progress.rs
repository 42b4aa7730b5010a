//! How a long `run` looks from the terminal: a progress bar on stderr once the run has taken more
//! than [`QUIET_FOR`] of wall time (shorter runs stay silent, and the bar is drawn only on a
//! terminal, so pipes and CI logs get no control characters), and Ctrl-C stops the run between
//! two steps of simulated time, so that the caller can still report where it stood.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use brokerlab_engine::ground::Millis;
use brokerlab_engine::Simulation;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes without a bar.
pub const QUIET_FOR: Duration = Duration::from_secs(2);

/// Simulated time between two looks at the clock and the Ctrl-C flag: short enough to stop
/// within a fraction of a second at the engine's highest rates, long enough to cost nothing.
pub const STEP_MS: Millis = 50;

pub struct Progress {
    started: Instant,
    duration: Millis,
    bar: Option<ProgressBar>,
    interrupted: Arc<AtomicBool>,
}

impl Progress {
    /// Starts the clock; Ctrl-C from now on asks the run to stop at the end of its step, and a
    /// second Ctrl-C ends the process at once, as a user pressing it again expects. (A run that
    /// cannot install the handler keeps the default one, which ends the process.)
    pub fn start(duration: Millis) -> Self {
        let interrupted = Arc::new(AtomicBool::new(false));
        let flag = interrupted.clone();
        if let Err(e) = ctrlc::set_handler(move || {
            if flag.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        }) {
            eprintln!("Ctrl-C will not give a partial report: {e}");
        }
        Progress {
            started: Instant::now(),
            duration,
            bar: None,
            interrupted,
        }
    }

    /// Called between steps of the run: draws, and says whether to go on.
    pub fn observe(&mut self, sim: &Simulation) -> ControlFlow<()> {
        if self.interrupted() {
            return ControlFlow::Break(());
        }
        if self.bar.is_none() && self.started.elapsed() >= QUIET_FOR {
            let bar = ProgressBar::with_draw_target(
                Some(self.duration.max(1)),
                ProgressDrawTarget::stderr(),
            );
            bar.set_style(
                ProgressStyle::with_template("{bar:20} {percent:>3}% {wide_msg}")
                    .expect("a valid template"),
            );
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(sim.now());
            bar.set_message(remaining(self.started.elapsed(), sim.now(), self.duration));
        }
        ControlFlow::Continue(())
    }

    /// Whether the user pressed Ctrl-C.
    pub fn interrupted(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }

    /// Removes the bar, so that what follows starts on a clean line.
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    /// Wall time since the start.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// "12 s, about 1 min 05 s left; Ctrl-C: stop and report": the wall time so far and what is left at
/// the pace since the start (indicatif's own estimate looks only at the last few steps, which
/// swing with the load).
pub fn remaining(elapsed: Duration, done_ms: Millis, duration_ms: Millis) -> String {
    let so_far = elapsed.as_secs_f64();
    let left = if done_ms == 0 {
        "time left unknown".to_string()
    } else {
        let left = so_far * duration_ms.saturating_sub(done_ms) as f64 / done_ms as f64;
        format!("about {} left", seconds(left))
    };
    format!("{}, {left}; Ctrl-C: stop and report", seconds(so_far))
}

/// Seconds as people say them: `42 s`, `3 min 20 s`, `2 h 05 min`.
fn seconds(s: f64) -> String {
    let s = s.round() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, s / 60 % 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_left_follows_the_pace_since_the_start() {
        let line = remaining(Duration::from_secs(10), 25_000, 100_000);
        assert_eq!(line, "10 s, about 30 s left; Ctrl-C: stop and report");
        assert_eq!(
            remaining(Duration::from_secs(90), 1, 100),
            "1 min 30 s, about 2 h 28 min left; Ctrl-C: stop and report"
        );
        assert!(remaining(Duration::from_secs(3), 0, 100).contains("time left unknown"));
    }
}
