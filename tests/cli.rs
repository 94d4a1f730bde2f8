//! The installed binaries as users and tools call them: exit codes, the
//! JSON document, the cargo-subcommand form, bad files, determinism.

mod common;

use std::path::PathBuf;
use std::process::Command;

#[path = "common/at_root.rs"]
mod at_root;

use at_root::{lint, root};

fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = lint(&all);
    let doc = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), doc)
}

/// A scratch crate with one source file.
fn scratch(name: &str, source: &str) -> PathBuf {
    common::scratch_crate("cli", name, source)
}

#[test]
fn clean_code_exits_zero() {
    let dir = scratch("clean", "pub fn add(a: u32, b: u32) -> u32 { a + b }\n");
    let out = lint(&[dir.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout)
        .contains("Scanned 1 files (0 with Redis code): 0 findings"));
}

#[test]
fn findings_exit_one_with_miette_diagnostics() {
    let out = lint(&[
        "--color",
        "never",
        "fixtures/src/key_design/keys_command.rs",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("key-keys-command [CRITICAL · guide §2.6]"),
        "{text}"
    );
    assert!(text.contains("help:"), "{text}");
    assert!(
        text.contains("fixtures/src/key_design/keys_command.rs:"),
        "{text}"
    );
    assert!(
        text.contains("CRITICAL)"),
        "summary counts findings by impact: {text}"
    );
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(lint(&["--no-such-flag"]).status.code(), Some(2));
    assert_eq!(lint(&["--format", "xml", "."]).status.code(), Some(2));
    assert_eq!(lint(&["does/not/exist"]).status.code(), Some(2));
    assert_eq!(lint(&["--help"]).status.code(), Some(0));
}

#[test]
fn json_document_shape() {
    let (code, doc) = json(&["fixtures/src/key_design/keys_command.rs"]);
    assert_eq!(code, 1);
    assert_eq!(doc["version"], 2);
    let diags = doc["diagnostics"].as_array().unwrap();
    assert!(!diags.is_empty());
    for d in diags {
        for field in [
            "rule", "section", "impact", "severity", "message", "help", "file",
        ] {
            assert!(d[field].is_string(), "{field} missing in {d}");
        }
        for field in ["line", "column", "end_line", "end_column"] {
            assert!(
                d[field].as_u64().is_some_and(|n| n >= 1),
                "{field} must be 1-based in {d}"
            );
        }
        assert_eq!(d["file"], "fixtures/src/key_design/keys_command.rs");
    }
    let first = &diags[0];
    assert_eq!(first["rule"], "key-keys-command");
    assert_eq!(first["section"], "2.6");
    assert_eq!(first["impact"], "CRITICAL");
    assert_eq!(first["severity"], "error");
    let summary = &doc["summary"];
    assert_eq!(summary["files_scanned"], 1);
    assert_eq!(summary["files_with_redis"], 1);
    assert_eq!(summary["findings"].as_u64().unwrap() as usize, diags.len());
    assert_eq!(
        summary["by_impact"]["CRITICAL"].as_u64().unwrap() as usize,
        diags.len()
    );
}

#[test]
fn cargo_subcommand_form_drops_its_name() {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-redis-lint"))
        .args([
            "redis-lint",
            "--format",
            "json",
            "fixtures/src/key_design/keys_command.rs",
        ])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let direct = lint(&[
        "--format",
        "json",
        "fixtures/src/key_design/keys_command.rs",
    ]);
    assert_eq!(out.stdout, direct.stdout);
}

#[test]
fn bad_files_are_reported_and_the_rest_is_linted() {
    let (code, doc) = json(&["fixtures/parse_errors"]);
    assert_eq!(code, 1);
    let diags = doc["diagnostics"].as_array().unwrap();
    let find = |file: &str, rule: &str| {
        diags
            .iter()
            .find(|d| d["file"].as_str().unwrap().ends_with(file) && d["rule"] == rule)
    };
    let parse = find("unclosed_block.rs", "parse-error").expect("parse error reported");
    assert!(parse["line"].as_u64().unwrap() >= 1);
    assert!(
        find("latin1.rs", "read-error").expect("non-UTF-8 reported")["message"]
            .as_str()
            .unwrap()
            .contains("UTF-8")
    );
    assert!(
        find("still_linted.rs", "key-keys-command").is_some(),
        "valid neighbour still linted"
    );
    assert_eq!(doc["summary"]["problems"], 2);
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let run = |threads: &str| {
        Command::new(env!("CARGO_BIN_EXE_redis-lint"))
            .args(["--format", "json", "fixtures"])
            .env("RAYON_NUM_THREADS", threads)
            .current_dir(root())
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert!(!one.is_empty());
    assert_eq!(one, run("4"));
    let default = lint(&["--format", "json", "fixtures"]).stdout;
    assert_eq!(one, default);
    let human = |t: &str| lint(&["--color", "never", "--threads", t, "fixtures"]).stdout;
    assert_eq!(human("1"), human("3"));
}

#[test]
fn test_code_is_skipped_unless_asked() {
    let dir = scratch(
        "tests",
        "#[cfg(test)]\nmod tests {\n    use redis::Commands;\n    #[test]\n    fn wipe() {\n        \
         let mut con = redis::Client::open(\"redis://127.0.0.1/\").unwrap().get_connection().unwrap();\n        \
         let _: () = redis::cmd(\"FLUSHALL\").query(&mut con).unwrap();\n    }\n}\n",
    );
    let path = dir.to_str().unwrap();
    assert_eq!(json(&[path]).0, 0);
    let (code, doc) = json(&["--lint-tests", path]);
    assert_eq!(code, 1);
    assert!(doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["rule"] == "cmd-dangerous-command"));
}

#[test]
fn cache_gives_the_same_result_and_follows_edits() {
    let dir = scratch(
        "cache",
        "use redis::Commands;\npub fn f(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> {\n    \
         con.keys(\"user:*\")\n}\n",
    );
    let cache = dir.join("cache");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_redis-lint"))
            .args(["--format", "json", "--cache", "--cache-dir"])
            .arg(&cache)
            .arg(dir.join("src"))
            .output()
            .unwrap()
    };
    let cold = run();
    assert!(cache.join("facts-v2.txt").is_file(), "cache written");
    let warm = run();
    assert_eq!(cold.stdout, warm.stdout);
    assert_eq!(warm.status.code(), Some(1));
    // An edited file is linted afresh, not served from the cache.
    std::fs::write(dir.join("src/lib.rs"), "pub fn f() {}\n").unwrap();
    let edited = run();
    assert_eq!(
        edited.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&edited.stdout)
    );
    // A corrupt cache is ignored, not fatal.
    std::fs::write(cache.join("facts-v2.txt"), "not json").unwrap();
    assert_eq!(run().status.code(), Some(0));
}

#[test]
fn rules_and_explain_subcommands() {
    let out = lint(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for rule in redis_lint::rules::REGISTRY.iter() {
        assert!(
            text.contains(rule.meta.id),
            "{} missing from `rules`",
            rule.meta.id
        );
    }
    let (_, listing) = {
        let out = lint(&["rules", "--format", "json"]);
        (
            out.status.code(),
            serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        )
    };
    let first = &listing.as_array().unwrap()[0];
    for field in ["id", "section", "impact", "default", "summary"] {
        assert!(first[field].is_string(), "{field} in {first}");
    }
    let doc = lint(&["explain", "cluster-crossslot"]);
    assert_eq!(doc.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&doc.stdout).starts_with("# cluster-crossslot"));
    assert_eq!(lint(&["explain", "no-such-rule"]).status.code(), Some(2));
}

#[test]
fn selection_flags() {
    let file = "fixtures/src/key_design/missing_ttl.rs";
    let rules_of = |args: &[&str]| -> std::collections::BTreeSet<String> {
        let mut all = args.to_vec();
        all.push(file);
        json(&all).1["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["rule"].as_str().unwrap().to_string())
            .collect()
    };
    let all = rules_of(&[]);
    assert!(all.contains("key-missing-ttl") && all.contains("cmd-lock-without-expiry"));
    assert_eq!(
        rules_of(&["--select", "key-missing-ttl"]),
        ["key-missing-ttl".to_string()].into()
    );
    assert_eq!(
        rules_of(&["--select", "key"]),
        ["key-missing-ttl".to_string()].into()
    );
    assert_eq!(
        rules_of(&["--select", "2.4"]),
        ["key-missing-ttl".to_string()].into()
    );
    assert!(!rules_of(&["--ignore", "cmd"]).contains("cmd-lock-without-expiry"));
    assert!(!rules_of(&["--min-impact", "critical"]).contains("cmd-lock-without-expiry"));
    assert_eq!(lint(&["--select", "nonsense", file]).status.code(), Some(2));
    assert_eq!(lint(&["--min-impact", "huge", file]).status.code(), Some(2));
}

#[test]
fn threshold_flags() {
    // dangerous_command.rs has HIGH findings only.
    let file = "fixtures/src/commands/dangerous_command.rs";
    assert_eq!(lint(&[file]).status.code(), Some(1));
    assert_eq!(lint(&["--exit-zero", file]).status.code(), Some(0));
    assert_eq!(
        lint(&["--fail-on", "critical", file]).status.code(),
        Some(0)
    );
    assert_eq!(lint(&["--fail-on", "high", file]).status.code(), Some(1));
    assert_eq!(
        lint(&["--max-findings", "1000", file]).status.code(),
        Some(0)
    );
    assert_eq!(lint(&["--max-findings", "1", file]).status.code(), Some(1));
}

#[test]
fn safe_fixes_are_recorded_in_json() {
    let (_, doc) = json(&["fixtures/src/commands/dangerous_command.rs"]);
    let fixed: Vec<&serde_json::Value> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| !d["fix"].is_null())
        .collect();
    assert!(!fixed.is_empty());
    for d in fixed {
        let edit = &d["fix"]["edits"][0];
        assert_eq!(edit["content"], ".arg(\"ASYNC\")");
        assert_eq!(edit["line"], d["end_line"]);
    }
}

#[test]
fn every_output_format_and_output_file() {
    let file = "fixtures/src/commands/dangerous_command.rs";
    let concise = lint(&["--format", "concise", file]);
    let text = String::from_utf8_lossy(&concise.stdout);
    assert!(
        text.lines()
            .next()
            .unwrap()
            .starts_with(&format!("{file}:")),
        "{text}"
    );
    let lines = lint(&["--format", "json-lines", file]);
    for l in String::from_utf8_lossy(&lines.stdout).lines() {
        serde_json::from_str::<serde_json::Value>(l).unwrap();
    }
    let sarif: serde_json::Value =
        serde_json::from_slice(&lint(&["--format", "sarif", file]).stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let github = lint(&["--format", "github", file]);
    assert!(String::from_utf8_lossy(&github.stdout)
        .lines()
        .all(|l| l.starts_with("::")));
    let cargo = lint(&["--message-format", "json", file]);
    assert!(String::from_utf8_lossy(&cargo.stdout).contains("\"reason\":\"compiler-message\""));
    let out_file = std::env::temp_dir().join(format!("redis-lint-out-{}.json", std::process::id()));
    let written = lint(&["--format", "json", "-o", out_file.to_str().unwrap(), file]);
    assert_eq!(written.status.code(), Some(1));
    assert!(written.stdout.is_empty(), "report goes to the file");
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out_file).unwrap()).unwrap();
    assert_eq!(doc["version"], 2);
}

#[test]
fn fix_diff_suppressions_and_baseline_from_the_binary() {
    let dir = scratch(
        "fix",
        "use redis::Commands;\npub fn reset(con: &mut redis::Connection) -> redis::RedisResult<()> {\n    \
         redis::cmd(\"FLUSHDB\").query::<()>(con)?;\n    \
         let _: () = con.set(\"user:1:name\", \"ada\")?; // redis-lint: allow(key-missing-ttl) -- none here\n    \
         let _: Vec<String> = con.keys(\"user:*\")?; // redis-lint: allow(key-keys-command) -- tiny admin db\n    \
         Ok(())\n}\n",
    );
    let src = dir.join("src/lib.rs");
    let before = std::fs::read_to_string(&src).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_redis-lint"))
            .args(args)
            .arg(&dir)
            .output()
            .unwrap()
    };
    // The KEYS finding is suppressed; FLUSHDB and the unused suppression are reported.
    let (_, doc) = json(&[dir.to_str().unwrap()]);
    let rules: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"cmd-dangerous-command") && rules.contains(&"unused-suppression"),
        "{rules:?}"
    );
    assert!(!rules.contains(&"key-keys-command"));
    // --diff prints, writes nothing.
    let diff = run(&["--diff"]);
    assert_eq!(diff.status.code(), Some(1));
    let d = String::from_utf8_lossy(&diff.stdout);
    assert!(
        d.contains("+    redis::cmd(\"FLUSHDB\").arg(\"ASYNC\")"),
        "{d}"
    );
    assert_eq!(std::fs::read_to_string(&src).unwrap(), before);
    // --fix writes, re-lints: nothing left.
    let fixed = run(&["--fix", "--format", "concise"]);
    assert_eq!(
        fixed.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&fixed.stdout)
    );
    let after = std::fs::read_to_string(&src).unwrap();
    assert!(
        after.contains(".arg(\"ASYNC\")") && !after.contains("allow(key-missing-ttl)"),
        "{after}"
    );
    assert!(syn::parse_file(&after).is_ok());
    // Baseline: record, then a clean run; a new finding still shows.
    let base = dir.join("baseline.json");
    std::fs::write(&src, &before).unwrap();
    assert_eq!(
        run(&["--write-baseline", base.to_str().unwrap()])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        run(&["--baseline", base.to_str().unwrap()]).status.code(),
        Some(0)
    );
    std::fs::write(&src, format!("{before}\npub fn more(con: &mut redis::Connection) {{ let _: () = redis::cmd(\"SAVE\").query(con).unwrap(); }}\n")).unwrap();
    assert_eq!(
        run(&["--baseline", base.to_str().unwrap()]).status.code(),
        Some(1)
    );
}

#[test]
fn no_output_format_prints_a_hardcoded_password() {
    let dir = "fixtures/src/security";
    for args in [
        vec!["--color", "never"],
        vec!["--format", "concise"],
        vec!["--format", "json"],
        vec!["--format", "json-lines"],
        vec!["--format", "github"],
        vec!["--message-format", "json"],
    ] {
        let mut all = args.clone();
        all.push(dir);
        let out = lint(&all);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("s3cret"),
            "{args:?} leaks the password"
        );
    }
    let sarif: serde_json::Value =
        serde_json::from_slice(&lint(&["--format", "sarif", dir]).stdout).unwrap();
    let results = sarif["runs"][0]["results"].to_string();
    assert!(results.contains("****") && !results.contains("s3cret"));
}
