//! The prefilter's name search across crates: a key builder defined in one
//! crate must not hide a builder of the same name that another crate of
//! the run defines in a file without Redis words (that file must still be
//! parsed, or the other crate's finding is lost).

use std::path::{Path, PathBuf};
use std::process::Command;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Crates `a` and `b`, each with its own `session_key`; `b`'s lives in
/// `keys.rs`, which names no client.
fn two_crates() -> PathBuf {
    let dir = scratch("crates");
    write(
        &dir,
        &[
            ("a/Cargo.toml", &manifest("a", "redis = \"1\"\n")),
            (
                "a/src/lib.rs",
                "use redis::Commands;\n\npub fn session_key(id: u64) -> String {\n    format!(\"a:session:{id}\")\n}\n\npub fn save(con: &mut redis::Connection, id: u64) -> redis::RedisResult<()> {\n    con.set_ex(session_key(id), 1, 60)\n}\n",
            ),
            ("b/Cargo.toml", &manifest("b", "redis = \"1\"\n")),
            ("b/src/lib.rs", "mod keys;\nmod store;\n"),
            ("b/src/keys.rs", "pub fn session_key(id: u64) -> String {\n    format!(\"session:{id}\")\n}\n"),
            (
                "b/src/store.rs",
                "use redis::AsyncCommands;\n\nuse crate::keys::session_key;\n\npub async fn save(con: &mut redis::aio::MultiplexedConnection, id: u64) -> redis::RedisResult<()> {\n    con.set(session_key(id), 1).await\n}\n",
            ),
        ],
    );
    dir
}

/// An empty scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "redis-lint-prefilter-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// A crate's `Cargo.toml` with these `[dependencies]` lines.
fn manifest(name: &str, deps: &str) -> String {
    format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\n\n[dependencies]\n{deps}")
}

/// A file defining `session_key`, which builds `{prefix}:{id}`.
fn builder(prefix: &str) -> String {
    format!("pub fn session_key(id: u64) -> String {{\n    format!(\"{prefix}:{{id}}\")\n}}\n")
}

/// Whether the cache's entries say the run parsed `file`.
fn parsed_in(entries: &str, file: &str) -> bool {
    entries
        .lines()
        .any(|l| l.contains(file) && l.contains("\"parsed\":true"))
}

fn lint(dir: &Path, extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(["--format", "concise", "."])
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_name_one_crate_defines_is_still_searched_for_another() {
    let dir = two_crates();
    let filtered = lint(&dir, &[]);
    assert!(
        filtered.contains("b/src/store.rs:6:9: CRITICAL key-missing-ttl"),
        "{filtered}"
    );
    assert_eq!(filtered, lint(&dir, &["--no-prefilter"]));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Crate `app` builds its key with `common::session_key`, defined in a file
/// of `common` that names no client; crate `other` (which `app` does not
/// name) defines a `session_key` of its own. Only `common` can hold the
/// definition that matters; the output is the same as parsing everything.
#[test]
fn a_definition_is_searched_in_the_crates_a_path_names() {
    let dir = scratch("reach");
    write(
        &dir,
        &[
            (
                "app/Cargo.toml",
                &manifest("app", "redis = \"1\"\ncommon = { path = \"../common\" }\n"),
            ),
            (
                "app/src/lib.rs",
                "use redis::AsyncCommands;\n\npub async fn save(con: &mut redis::aio::MultiplexedConnection, id: u64) -> redis::RedisResult<()> {\n    con.set(common::session_key(id), 1).await\n}\n",
            ),
            ("common/Cargo.toml", &manifest("common", "")),
            ("common/src/lib.rs", "mod keys;\npub use keys::session_key;\n"),
            ("common/src/keys.rs", &builder("session")),
            ("other/Cargo.toml", &manifest("other", "")),
            ("other/src/lib.rs", &builder("other")),
        ],
    );
    let filtered = lint(&dir, &[]);
    assert!(
        filtered.contains("app/src/lib.rs:4:9: CRITICAL key-missing-ttl: SET to `session:{id}`"),
        "{filtered}"
    );
    assert_eq!(filtered, lint(&dir, &["--no-prefilter"]));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Crate `store` wraps a connection in `Sessions`; crate `web` depends on
/// it and calls its wrapper in a loop from a file without Redis words;
/// crate `game` has a `Sessions` of its own and does not depend on
/// `store`. `web`'s file is parsed for the name, `game`'s is not (it
/// cannot name `store`'s type), and the output is that of parsing all.
#[test]
fn a_redis_value_is_searched_only_in_the_crates_that_can_name_it() {
    let dir = scratch("values");
    let caller = "pub async fn touch_all(s: &mut store::Sessions, ids: &[u64]) {\n    for id in ids {\n        let _ = s.touch(*id).await;\n    }\n}\n";
    write(
        &dir,
        &[
            ("store/Cargo.toml", &manifest("store", "redis = \"1\"\n")),
            (
                "store/src/lib.rs",
                "use redis::AsyncCommands;\n\npub struct Sessions {\n    con: redis::aio::ConnectionManager,\n}\n\nimpl Sessions {\n    pub async fn touch(&mut self, id: u64) -> redis::RedisResult<()> {\n        self.con.expire(format!(\"session:{id}\"), 60).await\n    }\n}\n",
            ),
            ("web/Cargo.toml", &manifest("web", "store = { path = \"../store\" }\n")),
            ("web/src/lib.rs", caller),
            ("game/Cargo.toml", &manifest("game", "")),
            (
                "game/src/lib.rs",
                "pub struct Sessions {\n    live: Vec<u64>,\n}\n\nimpl Sessions {\n    pub fn count(&self) -> usize {\n        self.live.len()\n    }\n}\n",
            ),
        ],
    );
    let cache = dir.join("cache");
    let cache_arg = cache.to_str().unwrap();
    let filtered = lint(&dir, &["--cache", "--cache-dir", cache_arg]);
    assert!(
        filtered.contains("web/src/lib.rs:3:19: HIGH conn-command-in-loop"),
        "{filtered}"
    );
    assert_eq!(filtered, lint(&dir, &["--no-prefilter"]));
    let entries = std::fs::read_to_string(cache.join("facts-v2.txt")).unwrap();
    let parsed = |file: &str| parsed_in(&entries, file);
    assert!(parsed("web/src/lib.rs"), "{entries}");
    assert!(!parsed("game/src/lib.rs"), "{entries}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Two projects linted in one run, each with a crate `common`: `shop`'s
/// `web` builds its key with `common::session_key` from its own workspace,
/// `blog`'s `common` has a `session_key` of its own. `web`'s path means
/// `shop`'s crate only: the finding is the one a run over `shop` alone
/// gives, `blog`'s builder is not even parsed, and the output is that of
/// parsing all.
#[test]
fn a_crate_name_means_the_crate_of_its_own_project() {
    let dir = scratch("projects");
    let members = "[workspace]\nmembers = [\"web\", \"common\"]\n";
    write(
        &dir,
        &[
            ("shop/Cargo.toml", members),
            (
                "shop/web/Cargo.toml",
                &manifest("web", "redis = \"1\"\ncommon = { path = \"../common\" }\n"),
            ),
            (
                "shop/web/src/lib.rs",
                "use redis::AsyncCommands;\n\npub async fn save(con: &mut redis::aio::MultiplexedConnection, id: u64) -> redis::RedisResult<()> {\n    con.set(common::session_key(id), 1).await\n}\n",
            ),
            ("shop/common/Cargo.toml", &manifest("common", "")),
            ("shop/common/src/lib.rs", &builder("session")),
            ("blog/Cargo.toml", "[workspace]\nmembers = [\"common\"]\n"),
            ("blog/common/Cargo.toml", &manifest("common", "")),
            ("blog/common/src/lib.rs", &builder("post")),
        ],
    );
    let cache = dir.join("cache");
    let cache_arg = cache.to_str().unwrap();
    let together = lint(&dir, &["--cache", "--cache-dir", cache_arg]);
    assert!(
        together
            .contains("shop/web/src/lib.rs:4:9: CRITICAL key-missing-ttl: SET to `session:{id}`"),
        "{together}"
    );
    assert_eq!(together, lint(&dir, &["--no-prefilter"]));
    // The same finding as alone (the count of files scanned differs).
    let finding = |out: &str| out.lines().next().unwrap_or_default().to_string();
    let alone = lint(&dir.join("shop"), &[]);
    assert_eq!(finding(&together.replace("shop/", "")), finding(&alone));
    let entries = std::fs::read_to_string(cache.join("facts-v2.txt")).unwrap();
    let parsed = |file: &str| parsed_in(&entries, file);
    assert!(parsed("shop/common/src/lib.rs"), "{entries}");
    assert!(!parsed("blog/common/src/lib.rs"), "{entries}");
    std::fs::remove_dir_all(&dir).unwrap();
}
