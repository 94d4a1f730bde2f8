//! `scripts/rust-analyzer-check.sh`, rust-analyzer's `check.overrideCommand`,
//! run on a scratch crate with a compiler error and a Redis finding: every
//! line it prints is a cargo JSON message as rust-analyzer reads them
//! (parsed with the `cargo_metadata` crate's `Message`), and both the
//! compiler's error and redis-lint's finding arrive.

use std::path::Path;
use std::process::Command;

use cargo_metadata::Message;

const LIB: &str = r#"pub fn keys(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> {
    redis::cmd("KEYS").arg("user:*").query(con)
}

pub fn answer() -> u32 {
    "forty-two"
}
"#;

#[test]
fn the_script_keeps_the_compilers_errors_and_adds_redis_lints() {
    let dir = std::env::temp_dir().join(format!("redis-lint-ra-script-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    // Its own workspace, so cargo does not look for one above the temp dir.
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"ra-scratch\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), LIB).unwrap();

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/rust-analyzer-check.sh");
    let out = Command::new("sh")
        .arg(&script)
        .current_dir(&dir)
        .env("REDIS_LINT", env!("CARGO_BIN_EXE_redis-lint"))
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The crate does not compile: the script exits with cargo check's status.
    assert!(!out.status.success(), "{stderr}");

    let mut codes = Vec::new();
    for message in Message::parse_stream(stdout.as_bytes()) {
        match message.unwrap() {
            Message::CompilerMessage(m) => {
                codes.extend(m.message.code.map(|c| c.code));
            }
            Message::TextLine(line) => panic!("not a cargo message: {line}\n{stderr}"),
            _ => {}
        }
    }
    assert!(
        codes.iter().any(|c| c == "E0308"),
        "the compiler's type error: {codes:?}\n{stderr}"
    );
    assert!(
        codes.iter().any(|c| c == "key-keys-command"),
        "redis-lint's finding: {codes:?}\n{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
