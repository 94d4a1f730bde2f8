//! A synthetic workspace made by scripts/gen_workspace.py.

use std::path::Path;
use std::process::Command;

/// Generates a workspace of about `lines` lines of Rust into `dir`.
pub fn generate(dir: &Path, lines: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("python3")
        .arg(root.join("scripts/gen_workspace.py"))
        .arg(dir)
        .args(["--lines", lines])
        .output()
        .expect("python3 runs the generator");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
