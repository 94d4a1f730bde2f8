//! `redis-lint keys` on the keyspace fixture workspace (three crates, a Lua
//! writer, two logical databases): its JSON and markdown inventories are
//! snapshotted, its Graphviz picture is rendered to SVG, and the external
//! writers option of `key-read-never-written` is honoured; the single-crate
//! application names its databases through consts.

#[path = "common/at_root.rs"]
mod at_root;

use std::process::Command;

use at_root::{lint, root};

const FIXTURE: &str = "fixtures/crates/keyspace";

fn keys(format: &str) -> String {
    let out = lint(&["keys", "--isolated", "--format", format, FIXTURE]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn json_inventory() {
    let text = keys("json");
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["version"], 1);
    let keys = doc["keys"].as_array().unwrap();
    let entry = |template: &str| {
        keys.iter()
            .find(|k| k["template"] == template)
            .unwrap_or_else(|| panic!("no entry {template}"))
    };
    // Two databases: one template, two entries.
    let teams: Vec<_> = keys
        .iter()
        .filter(|k| k["template"] == "team:{team}:members")
        .map(|k| (k["db"].clone(), k["type"].clone()))
        .collect();
    assert_eq!(teams.len(), 2, "{teams:?}");
    assert_eq!(entry("session:{sid}")["ttl"], "mixed");
    assert_eq!(entry("user:{user_id}:profile")["type"], "string|hash");
    // The Lua script's key is a write of the worker.
    let board = entry("board:{ARGV[1]}:top");
    assert_eq!(board["sites"][0]["op"], "write");
    insta::assert_snapshot!("keys_json", text);
}

#[test]
fn markdown_inventory() {
    insta::assert_snapshot!("keys_markdown", keys("markdown"));
}

#[test]
fn mermaid_names_every_template() {
    let text = keys("mermaid");
    assert!(text.starts_with("flowchart LR\n"));
    assert!(text.contains("-->|read| "), "{text}");
    assert!(
        text.contains("\"avatars:{user_id}:thumb (db 0)\""),
        "{text}"
    );
}

/// `dot` renders the picture; without Graphviz the test fails unless
/// `REDIS_LINT_SKIP_GRAPHVIZ=1` says it may be skipped (`.ci/run`
/// installs Graphviz).
#[test]
fn dot_renders_to_svg() {
    let text = keys("dot");
    let dot = Command::new("dot").arg("-V").output();
    if dot.is_err() {
        assert!(
            std::env::var_os("REDIS_LINT_SKIP_GRAPHVIZ").is_some(),
            "Graphviz `dot` is not installed (apt-get install graphviz), \
             or set REDIS_LINT_SKIP_GRAPHVIZ=1 to skip this test"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (input, svg) = (dir.path().join("keys.dot"), dir.path().join("keys.svg"));
    std::fs::write(&input, &text).unwrap();
    let status = Command::new("dot")
        .arg("-Tsvg")
        .arg(&input)
        .arg("-o")
        .arg(&svg)
        .status()
        .unwrap();
    assert!(status.success());
    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(svg.contains("<svg"), "{svg}");
    for template in [
        "session:{sid}",
        "user:{user_id}:profile",
        "board:{ARGV[1]}:top",
    ] {
        assert!(svg.contains(template), "the picture lacks {template}");
    }
}

/// Keys listed in `external-keys` count as written.
#[test]
fn external_keys_count_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("keyspace");
    copy_dir(&root().join(FIXTURE), &copy);
    let run = |extra: &str| {
        std::fs::write(
            copy.join("redis-lint.toml"),
            format!("[rules.key-read-never-written]\n{extra}"),
        )
        .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
            .args(["--select", "key-read-never-written", "--format", "concise"])
            .arg(&copy)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run("").contains("avatars:{user_id}:thumb"));
    assert!(!run("external-keys = [\"avatars:*\"]\n").contains("avatars:{user_id}:thumb"));
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == "target") {
            continue;
        }
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

/// The single-crate application: databases named by a const URL
/// (`config.rs`, database 2) and by `SELECT` of a const in a module that
/// connects on its own (`stats.rs`, database 3); examples left out.
#[test]
fn databases_from_consts_and_examples_left_out() {
    let out = lint(&[
        "keys",
        "--isolated",
        "--format",
        "json",
        "fixtures/crates/queue_app",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys = doc["keys"].as_array().unwrap();
    let daily: Vec<_> = keys
        .iter()
        .filter(|k| k["template"] == "daily:{day}")
        .map(|k| (k["db"].as_u64(), k["type"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        daily,
        [
            (Some(2), "string".to_string()),
            (Some(3), "hash".to_string())
        ]
    );
    assert!(keys.iter().all(|k| k["template"] != "demo:1"), "{keys:?}");
}
