//! Following the advice leaves clean code: the "Use instead" Rust example
//! of every rule's doc page, linted as a small crate that declares the
//! clients (the linter reads their versions from Cargo.toml), is clean of
//! every rule that runs by default (and of the rule itself).

use redis_lint::diagnostic::Activation;
use redis_lint::engine::{self, Options};
use redis_lint::rules::{Rule, REGISTRY};

/// The crate the examples are linted in: the clients at the versions the
/// doc pages describe (redis-rs 1.x and the pools built on it, fred 10).
const MANIFEST: &str = r#"[package]
name = "advice"
version = "0.1.0"
edition = "2021"

[dependencies]
redis = { version = "1", features = ["tokio-comp", "connection-manager", "cluster-async"] }
fred = "10"
deadpool-redis = "0.23"
bb8 = "0.9"
bb8-redis = "0.26"
r2d2 = "0.8"
tokio = { version = "1", features = ["full"] }
axum = "0.8"
"#;

/// What the examples leave out: their imports.
const PRELUDE: &str = "use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use fred::prelude::*;
use redis::aio::{ConnectionManager, MultiplexedConnection};
use redis::streams::{StreamReadOptions, StreamReadReply};
use redis::{AsyncCommands, AsyncConnectionConfig, Commands, RedisResult};

";

/// Findings an example legitimately has, as (page, rule reported, why the
/// example is right as it is).
const NEEDS_CONTEXT: &[(&str, &str, &str)] = &[
    (
        "cmd-non-atomic-check-then-act",
        "cmd-lock-without-expiry",
        "a username claim is permanent: its SET NX is a claim, not a lock that must expire",
    ),
    (
        "conn-no-reconnect",
        "conn-never-connected",
        "the example builds clients for a caller to connect, and a snippet has no caller",
    ),
];

/// The Rust blocks of the page's "Use instead" section.
fn use_instead(doc: &str) -> Vec<String> {
    let Some(at) = doc.find("## Use instead") else {
        return Vec::new();
    };
    let section = &doc[at..];
    let section = match section[3..].find("\n## ") {
        Some(end) => &section[..end + 3],
        None => section,
    };
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(open) = rest.find("```rust\n") {
        let body = &rest[open + "```rust\n".len()..];
        let close = body.find("```").expect("a closed code block");
        blocks.push(body[..close].to_string());
        rest = &body[close + 3..];
    }
    blocks
}

/// (rule, line) of each finding on the example of `rule`.
fn lint_example(rule: &'static Rule, code: &str) -> Vec<(&'static str, u32, String)> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), MANIFEST).unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), format!("{PRELUDE}{code}")).unwrap();
    let mut rules: Vec<&'static Rule> = REGISTRY
        .iter()
        .copied()
        .filter(|r| r.meta.default == Activation::On)
        .collect();
    if !rules.iter().any(|r| r.meta.id == rule.meta.id) {
        rules.push(rule);
    }
    let outcome = engine::run(&Options {
        threads: Some(1),
        ..Options::new(vec![dir.path().to_path_buf()], rules)
    })
    .expect("lint runs")
    .outcome;
    let skip = PRELUDE.lines().count() as u32;
    outcome
        .findings
        .iter()
        .map(|f| (f.rule.id, f.span.start.line - skip, f.message.clone()))
        .collect()
}

#[test]
fn every_use_instead_example_is_clean() {
    let (mut dirty, mut excused, mut pages) = (Vec::new(), Vec::new(), 0);
    for &rule in REGISTRY.iter() {
        let blocks = use_instead(rule.meta.doc);
        if blocks.is_empty() {
            continue;
        }
        pages += 1;
        for (id, line, message) in lint_example(rule, &blocks.join("\n")) {
            let page = rule.meta.id;
            match NEEDS_CONTEXT
                .iter()
                .find(|(p, r, _)| *p == page && *r == id)
            {
                Some(entry) => excused.push(entry),
                None => dirty.push(format!("rules/{page}.md: {id} at line {line}: {message}")),
            }
        }
    }
    assert!(dirty.is_empty(), "\n{}", dirty.join("\n"));
    // Every Rust rule has a Rust example; the allow-list holds no stale entry.
    assert!(pages > 50, "only {pages} pages with a Rust example");
    for entry in NEEDS_CONTEXT {
        assert!(excused.contains(&entry), "not needed any more: {entry:?}");
    }
}
