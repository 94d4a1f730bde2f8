//! A file named on its own (pre-commit passes the staged files, editors
//! their buffer on standard input) is checked within its whole crate, so
//! crate-wide rules see the other files, and only the named file is
//! reported on.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const MANIFEST: &str =
    "[package]\nname = \"scratch\"\nversion = \"0.1.0\"\n\n[dependencies]\nredis = \"1\"\n";

/// A scratch crate with these `src/` files.
fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "redis-lint-precommit-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), MANIFEST).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join("src").join(file), text).unwrap();
    }
    dir
}

fn lint_in(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(["--format", "concise"])
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

/// The finding lines (`path:line:col: IMPACT rule: message`).
fn findings(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("src/"))
        .map(str::to_string)
        .collect()
}

const STORE: &str = "use redis::Commands;\n\nuse crate::keys::session_key;\n\n\
pub fn save(con: &mut redis::Connection, sid: &str, payload: &str) -> redis::RedisResult<()> {\n    \
con.set(session_key(sid), payload)\n}\n";

fn ttl_crate(name: &str) -> PathBuf {
    scratch(
        name,
        &[
            ("lib.rs", "pub mod keys;\npub mod store;\n"),
            (
                "keys.rs",
                "pub fn session_key(id: &str) -> String {\n    format!(\"session:{id}\")\n}\n",
            ),
            ("store.rs", STORE),
        ],
    )
}

const CONSUMER: &str = "use redis::streams::{StreamReadOptions, StreamReadReply};\n\
use redis::{Commands, RedisResult};\n\n\
pub fn read(con: &mut redis::Connection) -> RedisResult<StreamReadReply> {\n    \
let opts = StreamReadOptions::default().group(\"billing\", \"worker-1\").count(10);\n    \
con.xread_options(&[\"evt:orders\"], &[\">\"], &opts)\n}\n";

fn ack_crate(name: &str) -> PathBuf {
    scratch(
        name,
        &[
            ("lib.rs", "pub mod acker;\npub mod consumer;\n"),
            ("consumer.rs", CONSUMER),
            (
                "acker.rs",
                "use redis::{Commands, RedisResult};\n\n\
pub fn ack(con: &mut redis::Connection, id: &str) -> RedisResult<i64> {\n    \
con.xack(\"evt:orders\", \"billing\", &[id])\n}\n",
            ),
        ],
    )
}

#[test]
fn a_named_file_sees_the_key_builder_in_another_file() {
    let dir = ttl_crate("ttl");
    let whole = findings(&lint_in(&dir, &["."], None));
    assert_eq!(whole.len(), 1, "{whole:?}");
    assert!(whole[0].starts_with("src/store.rs:6:"), "{whole:?}");
    assert!(whole[0].contains("key-missing-ttl"), "{whole:?}");

    let out = lint_in(&dir, &["src/store.rs"], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(findings(&out), whole);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Scanned 1 files (1 with Redis code)"),
        "{text}"
    );

    // The other file has no findings of its own.
    let out = lint_in(&dir, &["src/keys.rs"], None);
    assert_eq!(out.status.code(), Some(0));
    assert!(findings(&out).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_named_file_sees_the_ack_in_another_file() {
    let dir = ack_crate("ack");
    assert!(findings(&lint_in(&dir, &["."], None)).is_empty());
    let out = lint_in(&dir, &["src/consumer.rs"], None);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(findings(&out).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn standard_input_replaces_its_file_within_the_crate() {
    let dir = ack_crate("stdin-ack");
    let stdin = ["--stdin-filename", "src/consumer.rs"];
    let out = lint_in(&dir, &stdin, Some(CONSUMER));
    assert_eq!(out.status.code(), Some(0));
    assert!(findings(&out).is_empty());

    let _ = std::fs::remove_dir_all(&dir);
    let dir = ttl_crate("stdin-ttl");
    // The buffer differs from the file on disk: the buffer is linted.
    let edited = STORE
        .replace("con.set(", "con.set_ex(")
        .replace(", payload)", ", payload, 60)");
    let out = lint_in(&dir, &["--stdin-filename", "src/store.rs"], Some(&edited));
    assert_eq!(out.status.code(), Some(0), "{:?}", findings(&out));
    let out = lint_in(&dir, &["--stdin-filename", "src/store.rs"], Some(STORE));
    let found = findings(&out);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains("key-missing-ttl"), "{found:?}");
    // Standard input for a file of the crate does not report the others.
    let out = lint_in(
        &dir,
        &["--stdin-filename", "src/keys.rs"],
        Some("pub fn f() {}\n"),
    );
    assert!(findings(&out).is_empty(), "{:?}", findings(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn suppressions_of_context_files_are_not_reported() {
    // `other.rs` is read only as context: its stale suppression and its
    // suppression without a reason belong to a run that names it.
    let other = "use redis::Commands;\n\n\
// redis-lint: allow(key-keys-command) -- admin tool\n\
pub fn count(con: &mut redis::Connection) -> redis::RedisResult<usize> {\n    \
con.scan_match::<_, String>(\"user:*\").map(|i| i.count())\n}\n\n\
// redis-lint: allow(cmd-dangerous-command)\n\
pub fn nothing() {}\n";
    let dir = scratch(
        "context-suppressions",
        &[
            ("lib.rs", "pub mod other;\npub mod store;\n"),
            ("other.rs", other),
            ("store.rs", "pub fn f() {}\n"),
        ],
    );
    let named = lint_in(&dir, &["src/store.rs"], None);
    assert_eq!(findings(&named), Vec::<String>::new());
    let whole = lint_in(&dir, &["src"], None);
    assert!(
        findings(&whole).iter().any(|l| l.contains("suppression")),
        "the whole-crate run reports them: {:?}",
        findings(&whole)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A key named without a namespace in `keys.rs` is reported at its builder;
/// a commit that touches only the file using it still shows the problem.
#[test]
fn a_named_file_shows_a_key_name_problem_reported_at_its_builder() {
    let dir = scratch(
        "name",
        &[
            ("lib.rs", "pub mod keys;\npub mod store;\n"),
            (
                "keys.rs",
                "pub fn visits_key(day: &str) -> String {\n    format!(\"{day}:visits\")\n}\n",
            ),
            (
                "store.rs",
                "use redis::Commands;\n\nuse crate::keys::visits_key;\n\n\
pub fn hit(con: &mut redis::Connection, day: &str) -> redis::RedisResult<i64> {\n    \
con.incr(visits_key(day), 1)\n}\n",
            ),
        ],
    );
    let whole = findings(&lint_in(&dir, &["."], None));
    assert_eq!(whole.len(), 1, "{whole:?}");
    assert!(whole[0].starts_with("src/keys.rs:1:"), "{whole:?}");
    assert!(whole[0].contains("key-no-namespace"), "{whole:?}");
    let out = lint_in(&dir, &["src/store.rs"], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(findings(&out), whole);
    let _ = std::fs::remove_dir_all(&dir);
}
