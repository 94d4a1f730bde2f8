//! The shipped integrations work as documented: the pre-commit hook's entry,
//! and the flags the CI and editor recipes in the README rely on.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn pre_commit_hook_entry_runs_on_staged_files() {
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let field = |name: &str| {
        hooks
            .lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("hook has no {name}"))
            .to_string()
    };
    assert_eq!(field("- id"), "redis-lint");
    assert_eq!(field("language"), "rust");
    assert_eq!(
        field("files"),
        r"'(\.rs|\.conf|(^|/)(docker-)?compose[^/]*\.ya?ml)$'",
        "Rust files and Redis configurations"
    );
    assert_eq!(
        field("require_serial"),
        "true",
        "one run sees every staged file of a crate"
    );
    let entry = field("entry");
    let mut words = entry.split_whitespace();
    assert_eq!(
        words.next(),
        Some("redis-lint"),
        "the entry runs the installed binary"
    );
    // pre-commit appends the staged file names to the entry.
    let out = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(words)
        .arg("fixtures/src/key_design/keys_command.rs")
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "findings fail the hook");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("fixtures/src/key_design/keys_command.rs:"),
        "{text}"
    );
    assert!(text.contains("key-keys-command"), "{text}");
}

#[test]
fn editor_on_save_reads_stdin_and_names_the_buffer() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args([
            "--message-format",
            "json",
            "--stdin-filename",
            "src/unsaved.rs",
        ])
        .current_dir(root().join("fixtures"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"use redis::Commands;\npub fn f(c: &mut redis::Connection) -> redis::RedisResult<Vec<String>> {\n    c.keys(\"a:*\")\n}\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let msg = lines
        .iter()
        .find(|l| l["reason"] == "compiler-message")
        .expect("a compiler message");
    assert_eq!(msg["message"]["code"]["code"], "key-keys-command");
    assert_eq!(msg["message"]["spans"][0]["file_name"], "src/unsaved.rs");
    assert_eq!(msg["message"]["spans"][0]["line_start"], 3);
    assert_eq!(lines.last().unwrap()["reason"], "build-finished");
}

/// The README's recipes name what exists: a pre-commit `rev:` that is a
/// commit hash (there are no release tags to pin), a workflow allowed to
/// upload SARIF, a rust-analyzer script that is in the repository, the
/// Rust version of `Cargo.toml`.
#[test]
fn readme_recipes_name_what_exists() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let revs: Vec<&str> = readme
        .lines()
        .filter_map(|l| l.trim().strip_prefix("rev: "))
        .map(|r| r.split_whitespace().next().unwrap_or(""))
        .collect();
    assert!(!revs.is_empty(), "the README has a pre-commit snippet");
    for rev in revs {
        assert!(
            rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit()),
            "pre-commit rev `{rev}` is not a commit hash"
        );
    }
    for needed in [
        "security-events: write",
        "actions/checkout@",
        "cargo install --locked",
        "require_serial",
        "scripts/rust-analyzer-check.sh",
    ] {
        assert!(readme.contains(needed), "README lacks `{needed}`");
    }
    assert!(root().join("scripts/rust-analyzer-check.sh").is_file());
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let rust_version = manifest
        .lines()
        .find_map(|l| l.strip_prefix("rust-version = "))
        .unwrap()
        .trim_matches('"');
    assert!(
        readme.contains(&format!("version\n{rust_version} or newer"))
            || readme.contains(&format!("version {rust_version} or newer")),
        "the README's prerequisites name rust-version {rust_version}"
    );
}
