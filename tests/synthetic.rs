//! The synthetic workspace of the benchmark (scripts/gen_workspace.py), at a
//! small size: the prefilter changes no finding, and the output is
//! byte-identical with 1 and 4 threads.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/generated.rs"]
mod generated;

fn workspace() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redis-lint-synthetic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    generated::generate(&dir, "40000");
    dir
}

fn lint(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(["--format", "json"])
        .args(args)
        .arg(dir)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn prefilter_and_thread_count_change_nothing_on_the_synthetic_workspace() {
    let dir = workspace();
    let default = lint(&dir, &[]);
    let doc: serde_json::Value = serde_json::from_slice(&default).unwrap();
    assert!(
        doc["summary"]["findings"].as_u64().unwrap() > 10,
        "the workspace has findings"
    );
    assert!(doc["summary"]["files_scanned"].as_u64().unwrap() > 50);
    let findings = |bytes: &[u8]| -> serde_json::Value {
        serde_json::from_slice::<serde_json::Value>(bytes).unwrap()["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| !d["section"].is_null())
            .cloned()
            .collect()
    };
    assert_eq!(
        findings(&default),
        findings(&lint(&dir, &["--no-prefilter"])),
        "prefilter changed findings"
    );
    assert_eq!(
        lint(&dir, &["--threads", "1"]),
        lint(&dir, &["--threads", "4"]),
        "thread count changed output"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
