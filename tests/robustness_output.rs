//! Defects found by an adversarial pass over the release binary, in what
//! reports print: passwords printed by other findings or in percent-encoded
//! URLs, security findings without their rule id, unbounded messages.
//! (The fixes that broke code are tested in `fixes.rs`.)

use std::path::PathBuf;

#[path = "common/stdout.rs"]
mod stdout;
use stdout::run;

/// A scratch crate depending on `deps` (Cargo.toml lines) with one file.
fn scratch(name: &str, deps: &str, source: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "redis-lint-robustness-output-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!("[package]\nname = \"scratch\"\nversion = \"0.1.0\"\n\n[dependencies]\n{deps}\n"),
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), source).unwrap();
    dir
}

#[test]
fn no_format_prints_a_password_the_linter_recognised() {
    let source = r#"pub const URL: &str = "redis://app:p%40ss-w0rd@cache.internal:6379";
pub fn k(c: &mut redis::Connection) -> redis::RedisResult<()> {
    redis::Commands::set(c, "redis://app:p%40ss-w0rd@cache.internal:6379", 1)
}
pub fn open() -> redis::RedisResult<redis::Client> { redis::Client::open(URL) }
"#;
    let dir = scratch("secrets", "redis = \"1\"", source.as_bytes());
    let formats = ["human", "json", "json-lines", "concise", "github", "sarif"];
    let cargo = ["--message-format", "json"];
    for args in formats.iter().map(|f| ["--format", f]).chain([cargo]) {
        let format = args[1];
        let out = run(&dir, &["--select", "all", args[0], args[1]]);
        assert!(out.contains("sec-hardcoded-credentials"), "{format}: {out}");
        for secret in ["p%40ss-w0rd", "p@ss-w0rd"] {
            assert!(
                !out.contains(secret),
                "{format} prints the password:\n{out}"
            );
        }
    }
}

#[test]
fn security_findings_keep_their_rule_id_and_help() {
    let dir = scratch(
        "sec-id",
        "redis = \"1\"",
        b"pub const URL: &str = \"redis://app:hunter22@cache.internal:6379\";\n",
    );
    let out = run(
        &dir,
        &["--select", "sec-hardcoded-credentials", "--color", "never"],
    );
    assert!(out.contains("sec-hardcoded-credentials"), "{out}");
    assert!(
        out.contains("read the URL or the password from the environment"),
        "{out}"
    );
    assert!(out.contains(":1:23"), "{out}");
    assert!(!out.contains("hunter22"), "{out}");
}

#[test]
fn long_keys_are_cut_in_messages() {
    let key = format!("k{}", "e".repeat(99_000));
    let source = format!(
        "pub fn k(c: &mut redis::Connection) -> redis::RedisResult<()> {{ redis::Commands::set(c, \"{key}\", 1) }}\n"
    );
    let dir = scratch("long-key", "redis = \"1\"", source.as_bytes());
    let out = run(&dir, &["--select", "all", "--format", "concise"]);
    assert!(out.lines().count() > 1, "{out}");
    for line in out.lines() {
        assert!(
            line.len() < 1_000,
            "{} chars: {}…",
            line.len(),
            &line[..200]
        );
    }
}
