//! Machine-applicable fixes of the memory, command and data-structure
//! rules, applied with `--fix` to scratch crates: the fixed text is checked
//! line by line (and must still parse). Whether a fix is safe depends on
//! the client version in the scratch crate's `Cargo.toml`; the fixed texts
//! were type-checked by hand against the clients (a `cargo check` per test
//! would build the clients again).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/stdout.rs"]
mod stdout;
use stdout::run;

/// A scratch crate with one source file, depending on `deps` (lines of a
/// `[dependencies]` table); returns the file's path.
fn scratch(name: &str, deps: &str, source: &str) -> PathBuf {
    let dir = common::scratch_crate("fixes", name, source);
    let manifest =
        format!("[package]\nname = \"scratch\"\nversion = \"0.1.0\"\n\n[dependencies]\n{deps}\n");
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    dir.join("src/lib.rs")
}

/// Runs `--fix` with one rule selected and returns the fixed text.
fn fix(name: &str, rule: &str, source: &str) -> String {
    fix_on(name, REDIS_0X, rule, source)
}

/// A redis-rs version whose methods the LMOVE fix may use.
const REDIS_0X: &str = "redis = \"0.27\"\nfred = \"10\"";

/// [`fix`] in a crate depending on `deps`.
fn fix_on(name: &str, deps: &str, rule: &str, source: &str) -> String {
    let file = scratch(name, deps, source);
    let out = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(["--select", rule, "--fix", "--format", "concise"])
        .arg(file.parent().unwrap().parent().unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert!(syn::parse_file(&fixed).is_ok(), "{fixed}");
    fixed
}

#[test]
fn del_of_a_collection_becomes_unlink() {
    let fixed = fix(
        "unlink",
        "memory-del-large-key",
        r#"use redis::Commands;
pub fn fill(con: &mut redis::Connection) -> redis::RedisResult<()> {
    con.zadd("board:season", "ada", 10)
}
pub fn reset(con: &mut redis::Connection) -> redis::RedisResult<usize> {
    con.del("board:season")
}
pub fn reset_raw(con: &mut redis::Connection) -> redis::RedisResult<usize> {
    redis::cmd("DEL").arg("board:season").query(con)
}
pub fn forget(con: &mut redis::Connection) -> redis::RedisResult<usize> {
    con.del("board:banner")
}
"#,
    );
    assert!(
        fixed.contains("    con.unlink(\"board:season\")\n"),
        "{fixed}"
    );
    assert!(
        fixed.contains("    redis::cmd(\"UNLINK\").arg(\"board:season\").query(con)\n"),
        "{fixed}"
    );
    // A string key keeps its DEL.
    assert!(fixed.contains("    con.del(\"board:banner\")\n"), "{fixed}");
}

#[test]
fn fred_del_in_the_same_crate_becomes_unlink() {
    let fixed = fix(
        "fred-unlink",
        "memory-del-large-key",
        r#"use fred::prelude::*;
pub async fn add(client: &Client) -> Result<(), Error> {
    client.sadd::<(), _, _>("team:members", "ada").await
}
pub async fn drop_team(client: &Client) -> Result<i64, Error> {
    client.del("team:members").await
}
"#,
    );
    assert!(
        fixed.contains("    client.unlink(\"team:members\").await\n"),
        "{fixed}"
    );
}

/// Carts are hashes, so the scanned keys can be large.
#[test]
fn del_in_a_fred_scan_loop_becomes_unlink() {
    let fixed = fix(
        "fred-scan",
        "memory-del-large-key",
        r#"use fred::prelude::*;
use futures::StreamExt;
pub async fn add_item(client: &Client, user: u64, sku: &str) -> Result<(), Error> {
    client.hset::<(), _, _>(format!("carts:{user}"), (sku, 1)).await
}
pub async fn purge(client: &Client) -> Result<(), Error> {
    let mut pages = client.scan("carts:*", Some(100), None);
    while let Some(page) = pages.next().await {
        let mut page = page?;
        if let Some(keys) = page.take_results() {
            client.del::<(), _>(keys).await?;
        }
        page.next();
    }
    Ok(())
}
"#,
    );
    assert!(
        fixed.contains("            client.unlink::<(), _>(keys).await?;\n"),
        "{fixed}"
    );
}

#[test]
fn rpoplpush_becomes_lmove_right_left() {
    let fixed = fix(
        "lmove",
        "ds-deprecated-rpoplpush",
        r#"use redis::{AsyncCommands, Commands};
pub fn claim(con: &mut redis::Connection) -> redis::RedisResult<Option<String>> {
    con.rpoplpush("jobs:pending", "jobs:running")
}
pub async fn wait(con: &mut redis::aio::MultiplexedConnection) -> redis::RedisResult<Option<String>> {
    con.brpoplpush("jobs:pending", "jobs:running", 5.0).await
}
pub fn claim_raw(con: &mut redis::Connection) -> redis::RedisResult<Option<String>> {
    redis::cmd("RPOPLPUSH").arg("jobs:pending").arg("jobs:running").query(con)
}
pub fn wait_raw(con: &mut redis::Connection) -> redis::RedisResult<Option<String>> {
    redis::cmd("BRPOPLPUSH").arg("jobs:pending").arg("jobs:running").arg(5).query(con)
}
"#,
    );
    for line in [
        "    con.lmove(\"jobs:pending\", \"jobs:running\", redis::Direction::Right, redis::Direction::Left)\n",
        "    con.blmove(\"jobs:pending\", \"jobs:running\", redis::Direction::Right, redis::Direction::Left, 5.0).await\n",
        "    redis::cmd(\"LMOVE\").arg(\"jobs:pending\").arg(\"jobs:running\").arg(\"RIGHT\").arg(\"LEFT\").query(con)\n",
        "    redis::cmd(\"BLMOVE\").arg(\"jobs:pending\").arg(\"jobs:running\").arg(\"RIGHT\").arg(\"LEFT\").arg(5).query(con)\n",
    ] {
        assert!(fixed.contains(line), "missing {line:?} in\n{fixed}");
    }
}

#[test]
fn fred_rpoplpush_gets_fully_qualified_directions() {
    let fixed = fix(
        "fred-lmove",
        "ds-deprecated-rpoplpush",
        r#"use fred::prelude::*;
pub async fn wait(client: &Client) -> Result<Option<String>, Error> {
    client.brpoplpush("jobs:{q}:pending", "jobs:{q}:running", 5.0).await
}
"#,
    );
    assert!(
        fixed.contains(
            "    client.blmove(\"jobs:{q}:pending\", \"jobs:{q}:running\", \
             fred::types::lists::LMoveDirection::Right, fred::types::lists::LMoveDirection::Left, 5.0).await\n"
        ),
        "{fixed}"
    );
}

#[test]
fn no_fix_where_the_argument_positions_are_uncertain() {
    let source = r#"use redis::Commands;
pub fn claim(con: &mut redis::Connection, src: &str) -> redis::RedisResult<Option<String>> {
    let mut c = redis::cmd("RPOPLPUSH");
    c.arg(src);
    c.arg("jobs:running");
    c.query(con)
}
"#;
    let fixed = fix("bound", "ds-deprecated-rpoplpush", source);
    assert_eq!(fixed, source);
}

#[test]
fn flush_async_is_applied_only_where_the_chain_runs_it() {
    let source = r#"pub fn mode(con: &mut redis::Connection, mode: &str) -> redis::RedisResult<()> {
    redis::cmd("FLUSHALL").arg(mode).query(con)
}
pub fn queued(pipe: &mut redis::Pipeline) {
    pipe.add_command(redis::cmd("FLUSHDB"));
}
pub fn returned() -> redis::Cmd {
    redis::cmd("FLUSHALL")
}
pub fn listed() -> Vec<redis::Cmd> {
    vec![redis::cmd("FLUSHALL")]
}
pub fn run(con: &mut redis::Connection) -> redis::RedisResult<()> {
    redis::cmd("FLUSHALL").query(con)
}
"#;
    let dir = crate_of("flush", "redis = \"1\"", source.as_bytes());
    let json = run(
        &dir,
        &["--select", "cmd-dangerous-command", "--format", "json"],
    );
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let fixes: Vec<(u64, Option<&str>)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["fix"]["applicability"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        fixes,
        [
            (2, None),
            (5, Some("unsafe")),
            (8, Some("unsafe")),
            (11, Some("unsafe")),
            (14, Some("safe"))
        ]
    );
    let text = fixed(&dir, "cmd-dangerous-command");
    assert_eq!(
        text,
        source.replace(
            "    redis::cmd(\"FLUSHALL\").query(con)",
            "    redis::cmd(\"FLUSHALL\").arg(\"ASYNC\").query(con)"
        )
    );
}

const RPOPLPUSH: &str = r#"use redis::Commands;
pub fn claim(con: &mut redis::Connection) -> redis::RedisResult<Option<String>> {
    con.rpoplpush("jobs:pending", "jobs:running")
}
pub fn claim_raw(con: &mut redis::Connection) -> redis::RedisResult<Option<String>> {
    redis::cmd("RPOPLPUSH").arg("jobs:pending").arg("jobs:running").query(con)
}
"#;

#[test]
fn lmove_methods_follow_the_client_version() {
    let raw = "    redis::cmd(\"LMOVE\").arg(\"jobs:pending\").arg(\"jobs:running\").arg(\"RIGHT\").arg(\"LEFT\").query(con)\n";
    let method = "    con.lmove(\"jobs:pending\", \"jobs:running\", redis::Direction::Right, redis::Direction::Left)\n";
    // 0.21: no public `Direction`; 1.x: typed commands may change the
    // return type. The raw command is fixed on both.
    for (name, deps) in [("old", "redis = \"0.21.5\""), ("typed", "redis = \"1\"")] {
        let text = fixed(
            &crate_of(name, deps, RPOPLPUSH.as_bytes()),
            "ds-deprecated-rpoplpush",
        );
        assert!(text.contains(raw), "{name}: {text}");
        assert!(text.contains("con.rpoplpush("), "{name}: {text}");
    }
    let text = fixed(
        &crate_of("proven", "redis = \"0.27\"", RPOPLPUSH.as_bytes()),
        "ds-deprecated-rpoplpush",
    );
    assert!(text.contains(raw) && text.contains(method), "{text}");
}

#[test]
fn fred_lmove_needs_fred_10() {
    let source = r#"use fred::prelude::*;
pub async fn claim(client: &Client) -> Result<Option<String>, Error> {
    client.rpoplpush("jobs:pending", "jobs:running").await
}
"#;
    let old = crate_of("fred9", "fred = \"9\"", source.as_bytes());
    let json = run(
        &old,
        &["--select", "ds-deprecated-rpoplpush", "--format", "json"],
    );
    assert!(json.contains("\"fix\": null"), "{json}");
    assert_eq!(fixed(&old, "ds-deprecated-rpoplpush"), source);
    let new = crate_of("fred10", "fred = \"10\"", source.as_bytes());
    assert!(fixed(&new, "ds-deprecated-rpoplpush").contains("client.lmove("));
}

#[test]
fn fixes_on_the_first_line_of_a_file_with_a_bom_land_in_place() {
    let source = "\u{feff}use redis::Commands; pub fn r(c: &mut redis::Connection) -> redis::RedisResult<()> { \
                  c.zadd::<_, _, _, ()>(\"b:s\", \"a\", 1)?; c.del(\"b:s\") }\n";
    let dir = crate_of("bom", "redis = \"1\"", source.as_bytes());
    let text = fixed(&dir, "memory-del-large-key");
    assert_eq!(text, source.replace("c.del(", "c.unlink("));
}

/// A scratch crate's folder.
fn crate_of(name: &str, deps: &str, source: &[u8]) -> PathBuf {
    let file = scratch(name, deps, "");
    std::fs::write(&file, source).unwrap();
    file.parent().unwrap().parent().unwrap().to_path_buf()
}

fn fixed(dir: &Path, rule: &str) -> String {
    run(dir, &["--select", rule, "--fix", "--format", "concise"]);
    std::fs::read_to_string(dir.join("src/lib.rs")).unwrap()
}
