//! The linter's standard output on a folder (for tests that read a report).

use std::path::Path;
use std::process::Command;

/// Runs the binary with `args` on `dir` and returns its standard output;
/// the run must end with an exit code (no signal).
pub fn run(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(args)
        .arg(dir)
        .output()
        .unwrap();
    assert!(out.status.code().is_some());
    String::from_utf8(out.stdout).unwrap()
}
