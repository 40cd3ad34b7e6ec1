//! Progress on stderr: a bar with rows/s and ETA on a terminal, a plain line
//! every few seconds otherwise (logs and CI keep a readable record).

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often a plain progress line is written.
const LINE_EVERY: Duration = Duration::from_secs(5);

pub enum Progress {
    Bar(ProgressBar),
    Lines {
        phase: &'static str,
        total: u64,
        done: u64,
        started: Instant,
        last_line: Instant,
    },
}

impl Progress {
    /// Progress of `phase` (`copying`, `verifying`, …) over `total` rows.
    pub fn start(phase: &'static str, total: u64) -> Self {
        if std::io::stderr().is_terminal() {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{prefix:>10} [{bar:30}] {human_pos}/{human_len} rows  {per_sec}  ETA {eta}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(phase);
            Progress::Bar(bar)
        } else {
            let now = Instant::now();
            Progress::Lines {
                phase,
                total,
                done: 0,
                started: now,
                last_line: now,
            }
        }
    }

    pub fn advance(&mut self, rows: u64) {
        match self {
            Progress::Bar(bar) => bar.inc(rows),
            Progress::Lines {
                phase,
                total,
                done,
                started,
                last_line,
            } => {
                *done += rows;
                if last_line.elapsed() >= LINE_EVERY {
                    *last_line = Instant::now();
                    eprintln!("{}", line(phase, *done, *total, started.elapsed()));
                }
            }
        }
    }

    pub fn finish(self) {
        match self {
            Progress::Bar(bar) => bar.finish_and_clear(),
            Progress::Lines {
                phase,
                total,
                done,
                started,
                ..
            } => eprintln!("{}", line(phase, done, total, started.elapsed())),
        }
    }
}

fn line(phase: &str, done: u64, total: u64, elapsed: Duration) -> String {
    let rate = rows_per_second(done, elapsed);
    let percent = (done * 100).checked_div(total).unwrap_or(100);
    let eta = if rate > 0.0 && total > done {
        format!(
            ", ETA {}",
            humantime::format_duration(Duration::from_secs(((total - done) as f64 / rate) as u64))
        )
    } else {
        String::new()
    };
    format!("{phase}: {done}/{total} rows ({percent}%), {rate:.0} rows/s{eta}")
}

pub fn rows_per_second(rows: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        rows as f64 / secs
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_line_has_the_rate_and_what_is_left() {
        assert_eq!(
            line("copying", 500, 1000, Duration::from_secs(5)),
            "copying: 500/1000 rows (50%), 100 rows/s, ETA 5s"
        );
        assert_eq!(
            line("verifying", 0, 0, Duration::ZERO),
            "verifying: 0/0 rows (100%), 0 rows/s"
        );
    }
}
