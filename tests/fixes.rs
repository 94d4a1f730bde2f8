//! Machine-applicable fixes of the memory and data-structure rules, applied
//! with `--fix` to scratch crates: the fixed text is checked line by line.

mod common;

use std::path::PathBuf;
use std::process::Command;

/// A scratch crate with one source file; returns the file's path.
fn scratch(name: &str, source: &str) -> PathBuf {
    common::scratch_crate("fixes", name, source).join("src/lib.rs")
}

/// Runs `--fix` with one rule selected and returns the fixed text.
fn fix(name: &str, rule: &str, source: &str) -> String {
    let file = scratch(name, source);
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

#[test]
fn del_in_a_fred_scan_loop_becomes_unlink() {
    let fixed = fix(
        "fred-scan",
        "memory-del-large-key",
        r#"use fred::prelude::*;
use futures::StreamExt;
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
