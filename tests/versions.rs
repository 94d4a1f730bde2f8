//! Client versions in real layouts: a git dependency has no version but its
//! `Cargo.lock` entry does, and a library checked out beside the
//! application that builds it (no `Cargo.lock` above the library) is built
//! with that application's lock.

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/sites.rs"]
mod sites;
use sites::sites;

const LOCK: &str = r#"version = 3

[[package]]
name = "redis"
version = "0.25.4"
source = "git+https://github.com/redis-rs/redis-rs?rev=0123456#0123456"
"#;

/// Opens an async connection without a config: no response timeout on
/// redis-rs 0.x, the 500 ms default on 1.x.
const STORE: &str = r#"use redis::aio::MultiplexedConnection;

pub async fn connect(client: &redis::Client) -> redis::RedisResult<MultiplexedConnection> {
    client.get_multiplexed_async_connection().await
}
"#;

/// `app/` (with the lock) depends by path on `store/` (git redis, no lock).
fn side_by_side() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redis-lint-versions-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let files = [
        (
            "app/Cargo.toml",
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\nstore = { path = \"../store\" }\n",
        ),
        ("app/Cargo.lock", LOCK),
        ("app/src/main.rs", "fn main() {}\n"),
        (
            "store/Cargo.toml",
            "[package]\nname = \"store\"\nversion = \"0.1.0\"\n\n[dependencies]\nredis = { git = \"https://github.com/redis-rs/redis-rs\", features = [\"aio\", \"tokio-comp\"] }\n",
        ),
        ("store/src/lib.rs", STORE),
    ];
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// The rules reported, as `file:line rule`.
fn findings(dir: &Path, paths: &[&str]) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(["--format", "json"])
        .args(paths)
        .current_dir(dir)
        .output()
        .unwrap();
    sites(&out.stdout, &out.stderr)
}

#[test]
fn a_library_beside_its_application_takes_the_applications_lock() {
    let dir = side_by_side();
    assert_eq!(
        findings(&dir, &["app", "store"]),
        ["store/src/lib.rs:4 conn-missing-timeout"],
        "the git dependency is redis 0.25 by app/Cargo.lock"
    );
    // Alone, nothing tells the library's redis version: no finding.
    assert_eq!(findings(&dir, &["store"]), Vec::<String>::new());
    std::fs::remove_dir_all(&dir).unwrap();
}
