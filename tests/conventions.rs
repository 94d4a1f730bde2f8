//! Command-line conventions users of ruff and clippy expect: statistics,
//! fixable markers and `--show-fixes`, `--extend-select`, `--exclude`,
//! `--quiet` / `--verbose`, `--output-format`, "did you mean", cargo's
//! package options, the rules table, the cache's own `.gitignore`.

mod common;

use std::collections::BTreeSet;
use std::process::Output;

#[path = "common/at_root.rs"]
mod at_root;

use at_root::lint;
use redis_lint::diagnostic::Fixable;
use redis_lint::rules::{META_RULES, REGISTRY};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = lint(&all);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(&out), stderr(&out)))
}

/// The rules of a JSON document's findings.
fn rules_of(doc: &serde_json::Value) -> BTreeSet<String> {
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

const MEMORY: &str = "fixtures/src/memory";

#[test]
fn statistics_count_findings_per_rule() {
    let out = lint(&["--statistics", MEMORY]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let del = text
        .lines()
        .find(|l| l.contains("memory-del-large-key"))
        .unwrap_or_else(|| panic!("{text}"));
    let words: Vec<&str> = del.split_whitespace().collect();
    assert!(words[0].parse::<usize>().unwrap() > 0, "{del}");
    assert_eq!(
        &words[1..],
        ["memory-del-large-key", "MEDIUM", "[*]"],
        "{del}"
    );
    assert!(!text.contains("Scanned"), "{text}");

    let doc = json(&["--statistics", MEMORY]);
    let first = &doc.as_array().unwrap()[0];
    for field in ["count", "rule", "impact", "fixable"] {
        assert!(!first[field].is_null(), "{field} in {first}");
    }
}

#[test]
fn fixable_findings_are_marked_and_counted() {
    let out = lint(&["--format", "concise", MEMORY]);
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.contains("memory-del-large-key: [*] ")),
        "{text}"
    );
    assert!(text.contains(" fixable with --fix"), "{text}");
    assert!(!text.contains("Fixes (--fix applies them)"), "{text}");

    let out = lint(&["--format", "concise", "--show-fixes", MEMORY]);
    let text = stdout(&out);
    assert!(
        text.contains("Fixes (--fix applies them):\n  fixtures/src/memory/"),
        "{text}"
    );

    let out = lint(&["--color", "never", MEMORY]);
    assert!(stdout(&out).contains("guide §"), "{}", stdout(&out));
    assert!(stdout(&out).contains("] [*]"), "{}", stdout(&out));
}

#[test]
fn extend_select_adds_to_the_selection() {
    let opt_in = "conn-stored-connection-no-reconnect";
    let default = rules_of(&json(&["fixtures/src/connections"]));
    assert!(!default.contains(opt_in));
    let extended = rules_of(&json(&[
        "--extend-select",
        opt_in,
        "fixtures/src/connections",
    ]));
    assert!(extended.contains(opt_in), "{extended:?}");
    assert!(extended.is_superset(&default), "{extended:?}");
    // With --select, it adds to that selection.
    let both = rules_of(&json(&[
        "--select",
        "memory-del-large-key",
        "--extend-select",
        opt_in,
        "fixtures/src",
    ]));
    let want: BTreeSet<String> = ["memory-del-large-key", opt_in].map(String::from).into();
    assert_eq!(both, want);
}

#[test]
fn exclude_leaves_out_matching_files_and_folders() {
    let doc = json(&["--exclude", "fixtures/src/memory", "fixtures/src"]);
    let files: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert!(!files.is_empty());
    assert!(files.iter().all(|f| !f.starts_with("fixtures/src/memory/")));
    let doc = json(&[
        "--exclude",
        "**/del_large_key.rs",
        "--exclude",
        "*.conf",
        MEMORY,
    ]);
    assert!(!rules_of(&doc).contains("memory-del-large-key"));

    let out = lint(&["--exclude", "[", MEMORY]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--exclude"), "{}", stderr(&out));
}

#[test]
fn quiet_prints_only_findings_and_verbose_tells_more() {
    let out = lint(&["--format", "concise", "-q", MEMORY]);
    let text = stdout(&out);
    assert!(!text.is_empty());
    assert!(text.lines().all(|l| l.starts_with(MEMORY)), "{text}");

    let out = lint(&["--format", "concise", "-v", MEMORY]);
    let err = stderr(&out);
    assert!(err.contains("redis-lint: configuration: "), "{err}");
    assert!(err.contains(" parsed, "), "{err}");
    assert!(stdout(&out).contains("Scanned"));
}

#[test]
fn output_format_is_an_alias_of_format() {
    let a = lint(&["--output-format", "concise", MEMORY]);
    let b = lint(&["--format", "concise", MEMORY]);
    assert_eq!(stdout(&a), stdout(&b));
}

#[test]
fn unknown_rules_get_a_suggestion() {
    for flag in ["--select", "--ignore", "--extend-select"] {
        let out = lint(&[flag, "key-keys-comand", MEMORY]);
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(
            err.contains("did you mean `key-keys-command`?"),
            "{flag}: {err}"
        );
    }
    let out = lint(&["--select", "zzzz", MEMORY]);
    assert!(!stderr(&out).contains("did you mean"), "{}", stderr(&out));
    let out = lint(&["explain", "key-keys-comand"]);
    assert!(stderr(&out).contains("did you mean `key-keys-command`?"));
}

#[test]
fn packages_are_found_with_cargo_metadata() {
    let by_name = json(&["-p", "redis-lint-fixtures"]);
    let by_manifest = json(&["--manifest-path", "fixtures/Cargo.toml"]);
    let by_path = json(&["fixtures"]);
    assert_eq!(by_name["diagnostics"], by_path["diagnostics"]);
    assert_eq!(by_manifest["diagnostics"], by_path["diagnostics"]);
    let workspace = json(&["--workspace"]);
    assert!(
        workspace["summary"]["files_scanned"].as_u64()
            > by_path["summary"]["files_scanned"].as_u64()
    );

    let out = lint(&["-p", "no-such-package"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no package `no-such-package`"),
        "{}",
        stderr(&out)
    );
    let out = lint(&["-p", "redis-lint-fixtures", "src"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn rules_table_has_a_header_and_a_fix_column() {
    let out = lint(&["rules"]);
    let text = stdout(&out);
    let header: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        ["RULE", "SECTION", "IMPACT", "DEFAULT", "FIX", "SUMMARY"]
    );
    let del = text
        .lines()
        .find(|l| l.starts_with("memory-del-large-key "))
        .unwrap();
    assert!(del.contains(" [*] "), "{del}");

    // The fixable rules (`fixable` in each rule's metadata) are exactly
    // those whose findings carry fixes: the fixtures' findings, and an
    // unused suppression (whose fix deletes it).
    let stale = common::scratch_crate(
        "conventions",
        "fixable",
        "pub fn ping(con: &mut redis::Connection) -> redis::RedisResult<()> {\n    \
         // redis-lint: allow(key-keys-command) -- no KEYS here any more\n    \
         redis::cmd(\"PING\").query(con)\n}\n",
    );
    let mut with_fixes = BTreeSet::new();
    for target in ["fixtures", stale.to_str().unwrap()] {
        let doc = json(&["--select", "all", target]);
        for d in doc["diagnostics"].as_array().unwrap() {
            if !d["fix"].is_null() {
                with_fixes.insert(d["rule"].as_str().unwrap().to_string());
            }
        }
    }
    let _ = std::fs::remove_dir_all(&stale);
    let fixable: BTreeSet<String> = REGISTRY
        .iter()
        .chain(META_RULES)
        .filter(|r| r.meta.fixable == Fixable::Yes)
        .map(|r| r.meta.id.to_string())
        .collect();
    assert_eq!(with_fixes, fixable);
    assert!(text.contains("unused-suppression[*]"), "{text}");
}

#[test]
fn the_cache_folder_ignores_itself() {
    let dir = common::scratch_crate("conventions", "cache", "pub fn f() {}\n");
    let cache = dir.join("cache");
    let out = lint(&[
        "--cache",
        "--cache-dir",
        cache.to_str().unwrap(),
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(cache.join(".gitignore")).unwrap(),
        "*\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every finding leads to its rule's documentation: the last help line in
/// human output, a note in cargo's messages, a line after concise output;
/// `explain` and `rules` name the guide the sections come from; problem
/// ids have pages too.
#[test]
fn rule_docs_are_reachable_from_findings() {
    let file = "fixtures/src/key_design/keys_command.rs";
    let hint = "for more information, try `redis-lint explain key-keys-command`";
    let human = stdout(&lint(&[
        "--color",
        "never",
        "--select",
        "key-keys-command",
        file,
    ]));
    let helps = human.matches("help: ").count();
    assert!(helps > 0, "{human}");
    assert_eq!(human.matches(hint).count(), helps, "{human}");

    // Concise output: once, on standard error (standard output stays one
    // line per finding, then the summary).
    let concise = lint(&["--format", "concise", "--select", "key-keys-command", file]);
    assert!(!stdout(&concise).contains("redis-lint explain"));
    assert_eq!(stderr(&concise).trim_end(), hint);
    let quiet = lint(&[
        "--format",
        "concise",
        "-q",
        "--select",
        "key-keys-command",
        file,
    ]);
    assert!(!stderr(&quiet).contains("redis-lint explain"));

    let cargo = stdout(&lint(&[
        "--message-format",
        "json",
        "--select",
        "key-keys-command",
        file,
    ]));
    assert!(cargo.contains(hint), "{cargo}");

    let guide = "Redis Best Practices, version 1.1.0 (Redis, January 2026)";
    assert!(stdout(&lint(&["explain", "key-keys-command"])).contains(guide));
    assert!(stdout(&lint(&["rules"])).contains(guide));
    let parse = lint(&["explain", "parse-error"]);
    assert_eq!(parse.status.code(), Some(0));
    assert!(stdout(&parse).starts_with("# parse-error\n"));
}

/// SARIF links each rule to its page when a base is known: `docs-url` in
/// the configuration (this build's Cargo.toml names no repository).
#[test]
fn sarif_links_rule_pages_from_docs_url() {
    let file = "fixtures/src/key_design/keys_command.rs";
    let sarif = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--format", "sarif", "--select", "key-keys-command"];
        all.extend_from_slice(args);
        serde_json::from_slice(&lint(&all).stdout).unwrap()
    };
    let dir = common::scratch_crate("conventions", "docs-url", "pub fn f() {}\n");
    let config = dir.join("redis-lint.toml");
    std::fs::write(
        &config,
        "docs-url = \"https://docs.example.com/redis-lint/rules/\"\n",
    )
    .unwrap();
    let log = sarif(&["--config", config.to_str().unwrap(), file]);
    let driver = &log["runs"][0]["tool"]["driver"];
    let keys = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "key-keys-command")
        .unwrap();
    assert_eq!(
        keys["helpUri"],
        "https://docs.example.com/redis-lint/rules/key-keys-command.md"
    );
    assert_eq!(
        driver["informationUri"],
        "https://docs.example.com/redis-lint/rules"
    );
    std::fs::write(&config, "docs-url = \"docs/rules\"\n").unwrap();
    let bad = lint(&["--config", config.to_str().unwrap(), file]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("`docs-url` is an http(s) URL"));
    let _ = std::fs::remove_dir_all(&dir);

    if env!("CARGO_PKG_REPOSITORY").is_empty() {
        let plain = sarif(&["--isolated", file]);
        let driver = &plain["runs"][0]["tool"]["driver"];
        assert!(driver["informationUri"].is_null());
        assert!(driver["rules"][0]["helpUri"].is_null());
    }
}
