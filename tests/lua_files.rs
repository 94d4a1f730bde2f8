//! Scripts kept in `.lua` files: findings point into the file, a file that
//! is not valid Lua is a problem of that file while the run goes on, and an
//! edited `.lua` file is read afresh by a cached run. `--` comments
//! suppress findings in a script.

use std::path::Path;
use std::process::Command;

mod common;

const RUST: &str = r#"
use redis::Script;

pub fn bump(con: &mut redis::Connection) -> redis::RedisResult<i64> {
    Script::new(include_str!("lua/bump.lua")).key("hits:{a}").invoke(con)
}

pub fn drop_all(con: &mut redis::Connection) -> redis::RedisResult<i64> {
    Script::new(include_str!("lua/broken.lua")).key("hits:{a}").invoke(con)
}

pub fn quiet(con: &mut redis::Connection) -> redis::RedisResult<i64> {
    Script::new(include_str!("lua/quiet.lua")).key("hits:{a}").invoke(con)
}

pub fn stale(con: &mut redis::Connection) -> redis::RedisResult<()> {
    redis::cmd("KEYS").arg("*").query(con)
}
"#;

fn lint(dir: &Path, cache: &Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(["--format", "json", "--cache", "--cache-dir"])
        .arg(cache)
        .arg(".")
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0..=2)), "{out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (file, line, rule) of every diagnostic.
fn sites(report: &serde_json::Value) -> Vec<(String, u64, String)> {
    let mut out: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn lua_files_are_linted_reported_on_and_read_afresh() {
    let dir = common::scratch_crate("lua_files", "bump", RUST);
    let cache = dir.join("cache");
    std::fs::create_dir_all(dir.join("src/lua")).unwrap();
    std::fs::write(
        dir.join("src/lua/bump.lua"),
        "local n = redis.call('INCR', KEYS[1])\nredis.call('SADD', 'hits:all', KEYS[1])\nreturn n\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/lua/broken.lua"), "local x = \nif then end\n").unwrap();
    // A Lua comment suppresses a finding in its script.
    std::fs::write(
        dir.join("src/lua/quiet.lua"),
        "-- redis-lint: allow(cluster-lua-undeclared-keys) -- one node only\n\
         redis.call('SADD', 'hits:all', KEYS[1])\n\
         redis.call('SADD', 'hits:other', KEYS[1]) -- redis-lint: allow(cluster-lua-undeclared-keys) -- a test set\n",
    )
    .unwrap();

    let first = lint(&dir, &cache);
    let found = sites(&first);
    let lua = (
        "src/lua/bump.lua".to_string(),
        2,
        "cluster-lua-undeclared-keys".to_string(),
    );
    assert!(found.contains(&lua), "{found:?}");
    assert!(
        !found.iter().any(|(f, _, _)| f.ends_with("quiet.lua")),
        "{found:?}"
    );
    // The rest of the crate is still linted.
    assert!(
        found
            .iter()
            .any(|(f, _, r)| f == "src/lib.rs" && r == "key-keys-command"),
        "{found:?}"
    );
    // The broken script is a problem of its own file, with a place.
    let all = first["diagnostics"].as_array().unwrap();
    assert!(
        all.iter().any(|d| d["file"] == "src/lua/broken.lua"
            && d["rule"] == "parse-error"
            && d["line"].as_u64().is_some()
            && d["message"].as_str().unwrap().contains("not valid Lua")),
        "{all:?}"
    );

    // The script now declares its key: the cached run reads the new text.
    std::fs::write(
        dir.join("src/lua/bump.lua"),
        "local n = redis.call('INCR', KEYS[1])\nredis.call('SADD', KEYS[2], KEYS[1])\nreturn n\n",
    )
    .unwrap();
    let second = sites(&lint(&dir, &cache));
    assert!(!second.contains(&lua), "{second:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
