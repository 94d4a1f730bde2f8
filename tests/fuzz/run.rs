//! Runs the binary on one fuzz input with a time limit, measuring its
//! wall time and peak resident memory (the kernel's high-water mark,
//! `VmHWM`, read while the child lives). A run of the binary, unlike a call
//! of the library, survives a stack overflow: the child dies of a signal
//! and the fuzzer reports the input instead of dying with it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// Only `drain`: this runner waits itself, to read the memory meanwhile.
#[allow(dead_code)]
#[path = "../common/bounded.rs"]
mod bounded;

pub const BIN: &str = env!("CARGO_BIN_EXE_redis-lint");

/// Far above what a bounded input needs, even in a debug build on a busy
/// machine; past it the input is a hang.
pub const TIME_LIMIT: Duration = Duration::from_secs(60);

/// Peak resident memory past this is a failure: every input here is a
/// few megabytes at most, and the bounds keep the work linear.
pub const MEMORY_LIMIT_KIB: u64 = 2 << 20;

pub struct Ran {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub took: Duration,
    pub peak_kib: u64,
}

impl Ran {
    /// Fails when the child died of a signal (a stack overflow aborts),
    /// exited with an error (2: the run itself failed), took too long or
    /// used too much memory.
    pub fn bounded(self, what: &str) -> Result<Ran, String> {
        match self.code {
            Some(0 | 1) => {}
            other => {
                return Err(format!(
                    "{what}: exit {other:?} (a signal when None); stderr:\n{}",
                    tail(&self.stderr)
                ))
            }
        }
        if self.peak_kib > MEMORY_LIMIT_KIB {
            return Err(format!("{what}: peak memory {} MiB", self.peak_kib >> 10));
        }
        Ok(self)
    }
}

fn tail(text: &str) -> &str {
    let start = text.len().saturating_sub(2_000);
    let start = (start..=text.len())
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(text.len());
    &text[start..]
}

/// Runs `redis-lint args` in `cwd` (one thread, a clean environment plus
/// `env`), feeding `stdin`; kills it past [`TIME_LIMIT`].
pub fn lint(
    cwd: &Path,
    args: &[&str],
    stdin: Option<&[u8]>,
    env: &[(&str, &str)],
) -> Result<Ran, String> {
    let mut child = Command::new(BIN)
        .args(["--threads", "1"])
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {BIN}: {e}"))?;
    let out = bounded::drain(child.stdout.take());
    let err = bounded::drain(child.stderr.take());
    let input = child.stdin.take();
    let bytes = stdin.map(<[u8]>::to_vec);
    let feeder = std::thread::spawn(move || {
        if let (Some(mut pipe), Some(bytes)) = (input, bytes) {
            // The child may refuse the input before reading it all.
            let _ = pipe.write_all(&bytes);
        }
    });
    let status_file = format!("/proc/{}/status", child.id());
    let started = Instant::now();
    let mut peak_kib = 0;
    let status = loop {
        // Read before reaping: the high-water mark dies with the process.
        peak_kib = peak_kib.max(high_water_kib(&status_file));
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "redis-lint {args:?} ran past {TIME_LIMIT:?} (a hang)"
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = started.elapsed();
    let _ = feeder.join();
    Ok(Ran {
        code: status.code(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        took,
        peak_kib,
    })
}

/// `VmHWM` of a live process, in KiB; 0 once it is gone.
fn high_water_kib(status_file: &str) -> u64 {
    let Ok(status) = std::fs::read_to_string(status_file) else {
        return 0;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
