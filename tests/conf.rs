//! Redis configuration files: the redis.conf parser and the compose reader
//! through the public API, then the binary on `fixtures/conf` (whose
//! `# expect:` annotations must match the findings exactly), the
//! `--no-config-files` switch, files that are not Redis configurations,
//! broken files, test folders, redis-lint configuration and standard input.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use redis_lint::diagnostic::Activation;
use redis_lint::rules::REGISTRY;
use redis_lint::server_conf::{self, compose, parse_memory, ConfKind};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn lint_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// Runs `--format json` and returns the exit code and the document.
fn json_in(dir: &Path, args: &[&str]) -> (i32, serde_json::Value) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = lint_in(dir, &all);
    let doc = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), doc)
}

fn json(args: &[&str]) -> (i32, serde_json::Value) {
    json_in(root(), args)
}

type Found = BTreeSet<(String, u64, String)>;

/// (file, line, rule) of every diagnostic.
fn found(doc: &serde_json::Value) -> Found {
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A scratch folder with an empty `redis-lint.toml`, so that no
/// configuration above it applies.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redis-lint-conf-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("redis-lint.toml"), "").unwrap();
    dir
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

// ---------------------------------------------------------------- parser

#[test]
fn parser_reads_names_quotes_and_comments_like_redis() {
    let text = "# comment\n\n   # indented comment\nMaxMemory 2GB\nrequirepass \"two words \\\"q\\\" \\x41\"\nsave ''\nrename-command CONFIG \"\"\nnotify-keyspace-events 'it\\'s'\nuser app on #abc ~* +@all\n";
    let c = server_conf::parse_str(text, ConfKind::Redis).unwrap();
    let names: Vec<&str> = c.directives.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "maxmemory",
            "requirepass",
            "save",
            "rename-command",
            "notify-keyspace-events",
            "user"
        ]
    );
    assert_eq!(c.get("maxmemory").unwrap().memory(), Some(2 << 30));
    assert_eq!(
        c.get("requirepass").unwrap().args,
        ["two words \"q\" A".to_string()]
    );
    assert!(c.rdb_disabled());
    assert_eq!(c.get("rename-command").unwrap().args, ["CONFIG", ""]);
    assert_eq!(c.value("notify-keyspace-events").as_deref(), Some("it's"));
    // `#` after the start of a line is an argument for Redis, not a comment.
    assert_eq!(c.get("user").unwrap().args[2], "#abc");
    // Spans: 1-based lines, 0-based character columns.
    let req = c.get("requirepass").unwrap();
    assert_eq!((req.span.start.line, req.span.start.col), (5, 0));
    assert_eq!(req.arg_spans[0].start.col, 12);
}

#[test]
fn parser_rejects_what_redis_rejects() {
    for (text, line) in [
        ("port 6379\nrequirepass \"unclosed\n", 2),
        ("save 'a'b\n", 1),
        ("a \"x\"y\n", 1),
    ] {
        let e = server_conf::parse_str(text, ConfKind::Redis).unwrap_err();
        assert_eq!(e.span.start.line, line, "{text:?}: {e:?}");
    }
}

#[test]
fn duplicates_last_wins_and_save_resets() {
    let c = server_conf::parse_str(
        "maxmemory 0\nmaxmemory 1gb\nsave \"\"\nsave 900 1\nappendonly no\nappendonly yes\n",
        ConfKind::Redis,
    )
    .unwrap();
    assert_eq!(c.maxmemory(), Some(1 << 30));
    assert!(!c.rdb_disabled(), "a later save point enables RDB again");
    assert_eq!(c.aof(), Some(true));
    let c = server_conf::parse_str("save 900 1\nsave \"\"\n", ConfKind::Redis).unwrap();
    assert!(c.rdb_disabled());
    assert!(c.persistence_off());
}

#[test]
fn memory_units_follow_redis() {
    for (text, bytes) in [
        ("1k", 1000),
        ("1kb", 1024),
        ("1K", 1000),
        ("1KB", 1024),
        ("1m", 1_000_000),
        ("100mb", 100 << 20),
        ("1g", 1_000_000_000),
        ("4gb", 4 << 30),
        ("4Gb", 4 << 30),
        ("123", 123),
        ("0", 0),
    ] {
        assert_eq!(parse_memory(text), Some(bytes), "{text}");
    }
    for bad in ["1.5gb", "1tb", "gb", "", "-1", "${MEM}", "1 gb"] {
        assert_eq!(parse_memory(bad), None, "{bad}");
    }
}

#[test]
fn includes_are_followed_relative_to_the_file_with_loops_and_missing_files() {
    let dir = scratch("include");
    write(
        &dir,
        "etc/redis.conf",
        "include common.conf\ninclude conf.d/*.conf\nmaxmemory 3gb\n",
    );
    write(&dir, "etc/common.conf", "maxmemory 1gb\nappendonly yes\n");
    write(&dir, "etc/conf.d/b.conf", "slowlog-max-len 10\n");
    write(
        &dir,
        "etc/conf.d/a.conf",
        "include ../redis.conf\nport 7000\n",
    );
    let loaded = server_conf::load(&dir.join("etc/redis.conf"), None)
        .unwrap()
        .unwrap();
    let c = &loaded.confs[0];
    assert!(c.complete);
    assert_eq!(
        c.maxmemory(),
        Some(3 << 30),
        "the including file's later line wins"
    );
    assert_eq!(c.aof(), Some(true));
    // Alphabetical order of the wildcard, the loop back to redis.conf skipped.
    let names: Vec<&str> = c.directives.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "maxmemory",
            "appendonly",
            "port",
            "slowlog-max-len",
            "maxmemory"
        ]
    );
    // Each directive knows the file it is written in.
    let slowlog = c.get("slowlog-max-len").unwrap();
    assert!(loaded.sources[slowlog.file as usize]
        .path
        .ends_with("conf.d/b.conf"));
    assert_eq!(loaded.sources.len(), 4);
    assert_eq!(loaded.included.len(), 3);

    write(
        &dir,
        "other/redis.conf",
        "include /nonexistent/redis-lint-test/common.conf\nport 1\n",
    );
    let loaded = server_conf::load(&dir.join("other/redis.conf"), None)
        .unwrap()
        .unwrap();
    assert!(!loaded.confs[0].complete, "a missing include leaves gaps");
    assert_eq!(loaded.confs[0].maxmemory(), None);
}

#[test]
fn files_are_classified_by_name_and_content() {
    let kind = |name: &str, text: &str| server_conf::classify(Path::new(name), text);
    assert_eq!(kind("redis.conf", ""), Some(ConfKind::Redis));
    assert_eq!(
        kind("redis-6379.conf", "port 6379\n"),
        Some(ConfKind::Redis)
    );
    assert_eq!(
        kind("sentinel.conf", "port 26379\n"),
        Some(ConfKind::Sentinel)
    );
    assert_eq!(
        kind("ha.conf", "sentinel monitor m 10.0.0.1 6379 2\n"),
        Some(ConfKind::Sentinel)
    );
    assert_eq!(
        kind("6379.conf", "port 6379\nmaxmemory 1gb\n"),
        Some(ConfKind::Redis)
    );
    assert_eq!(kind("app.conf", "port 8080\nbind 0.0.0.0\n"), None);
    assert_eq!(
        kind("nginx.conf", "events {\n}\nhttp { listen 80; }\n"),
        None
    );
    assert_eq!(
        kind("pg.conf", "port = 5432\nmaxmemory = 1\nsave = 2\n"),
        None
    );
    assert_eq!(
        kind("docker-compose.yml", "command: redis-server --port 1\n"),
        Some(ConfKind::Compose)
    );
    assert_eq!(kind("compose.yaml", "image: postgres\n"), None);
    assert_eq!(kind("redis.yml", "command: redis-server\n"), None);
    assert!(server_conf::is_candidate(Path::new(
        "a/compose.override.yaml"
    )));
    assert!(server_conf::is_candidate(Path::new("Redis.CONF")));
    assert!(!server_conf::is_candidate(Path::new("redis.conf.example")));
}

// ---------------------------------------------------------------- compose

/// Name, arguments and line of an option.
type Opt = (String, Vec<String>, u32);

fn options(yaml: &str) -> Vec<Vec<Opt>> {
    compose::commands(yaml, 0)
        .into_iter()
        .map(|c| {
            c.directives
                .into_iter()
                .map(|d| (d.name, d.args, d.span.start.line))
                .collect()
        })
        .collect()
}

fn opt(name: &str, args: &[&str], line: u32) -> Opt {
    (
        name.to_string(),
        args.iter().map(|a| a.to_string()).collect(),
        line,
    )
}

#[test]
fn compose_string_and_list_forms() {
    let yaml = "\
services:
  a:
    image: redis:7
    command: redis-server --maxmemory 2gb --appendonly yes --save \"\"
  b:
    image: redis:7
    command: [\"redis-server\", \"--maxmemory\", \"2gb\", '--save', '']
  c:
    image: redis:7
    command:
      - redis-server
      - --maxmemory-policy
      - allkeys-lru
  d:
    image: redis:7
    entrypoint: >
      redis-server
      --slowlog-max-len 10
";
    assert_eq!(
        options(yaml),
        [
            vec![
                opt("maxmemory", &["2gb"], 4),
                opt("appendonly", &["yes"], 4),
                opt("save", &[""], 4)
            ],
            vec![opt("maxmemory", &["2gb"], 7), opt("save", &[""], 7)],
            vec![opt("maxmemory-policy", &["allkeys-lru"], 12)],
            vec![opt("slowlog-max-len", &["10"], 18)],
        ]
    );
    // The span of an option is its `--name` word.
    let c = compose::commands("    command: redis-server --maxmemory 2gb\n", 0);
    let d = &c[0].directives[0];
    assert_eq!((d.span.start.col, d.span.end.col), (26, 37));
    assert_eq!(d.arg_spans[0].start.col, 38);
}

#[test]
fn compose_config_files_shell_wrappers_and_non_servers() {
    let c = compose::commands(
        "    command: [\"sh\", \"-c\", \"redis-server /etc/redis.conf --requirepass \\\"$$PASS\\\" && sleep 1\"]\n",
        0,
    );
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].config_file.as_deref(), Some("/etc/redis.conf"));
    assert_eq!(c[0].directives.len(), 1);
    assert_eq!(c[0].directives[0].args, ["$$PASS"]);
    assert!(compose::commands("    command: redis-server /s.conf --sentinel\n", 0).is_empty());
    assert!(compose::commands("    command: redis-sentinel /s.conf\n", 0).is_empty());
    assert!(
        compose::commands("    test: [\"CMD\", \"redis-server\", \"--version\"]\n", 0).is_empty()
    );
    // Negative numbers are values, not options.
    let c = compose::commands("  command: redis-server --slowlog-log-slower-than -1\n", 0);
    assert_eq!(c[0].directives[0].args, ["-1"]);
}

// ---------------------------------------------------------------- fixtures

/// The annotations of `fixtures/conf`: `# expect: ids` names the next line
/// that is neither blank nor a comment, `# expect-file: ids` line 1.
fn annotations() -> Found {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_none_or(|e| e != "md") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join("fixtures/conf"), &mut files);
    let mut expected = Found::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let rel = file
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let t = line.trim_start();
            let (ids, target) = if let Some(ids) = t.strip_prefix("# expect-file:") {
                (ids, 1)
            } else if let Some(ids) = t.strip_prefix("# expect:") {
                let next = lines[i + 1..]
                    .iter()
                    .position(|l| {
                        let l = l.trim();
                        !l.is_empty() && !l.starts_with('#')
                    })
                    .unwrap_or_else(|| panic!("{rel}:{}: nothing to expect on", i + 1));
                (ids, (i + 2 + next) as u64)
            } else {
                continue;
            };
            for id in ids.split_whitespace() {
                assert!(
                    REGISTRY.iter().any(|r| r.meta.id == id),
                    "{rel}:{}: unknown rule `{id}`",
                    i + 1
                );
                expected.insert((rel.clone(), target, id.to_string()));
            }
        }
    }
    expected
}

fn compare(expected: &Found, got: &Found) {
    let mut report = String::new();
    for (file, line, rule) in expected.difference(got) {
        report.push_str(&format!("missing    {file}:{line} {rule}\n"));
    }
    for (file, line, rule) in got.difference(expected) {
        report.push_str(&format!("unexpected {file}:{line} {rule}\n"));
    }
    assert!(
        report.is_empty(),
        "fixtures/conf disagrees with the linter:\n{report}"
    );
}

#[test]
fn fixtures_report_exactly_their_annotations() {
    let expected = annotations();
    // Every conf rule, opt-in ones included.
    let (code, doc) = json(&["--select", "conf", "fixtures/conf"]);
    assert_eq!(code, 1);
    assert_eq!(doc["summary"]["problems"], 0, "{doc}");
    compare(&expected, &found(&doc));
    for rule in REGISTRY.iter().filter(|r| r.meta.id.starts_with("conf-")) {
        assert!(
            expected.iter().any(|(_, _, r)| r == rule.meta.id),
            "{} has no firing fixture",
            rule.meta.id
        );
    }
    // The default selection: the same without the opt-in rules.
    let (_, doc) = json(&["fixtures/conf"]);
    let opt_in: Vec<&str> = REGISTRY
        .iter()
        .filter(|r| r.meta.default == Activation::OptIn)
        .map(|r| r.meta.id)
        .collect();
    let default: Found = expected
        .iter()
        .filter(|(_, _, r)| !opt_in.contains(&r.as_str()))
        .cloned()
        .collect();
    compare(&default, &found(&doc));
}

#[test]
fn findings_carry_the_rule_metadata_and_are_sorted() {
    let (_, doc) = json(&["fixtures/conf/slowlog", "fixtures/conf/no-maxmemory"]);
    let diags = doc["diagnostics"].as_array().unwrap();
    let keys: Vec<(String, u64, u64)> = diags
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let missing = diags
        .iter()
        .find(|d| d["file"] == "fixtures/conf/no-maxmemory/redis.conf")
        .unwrap();
    assert_eq!(missing["rule"], "conf-no-maxmemory");
    assert_eq!(missing["section"], "7.2");
    assert_eq!(missing["impact"], "CRITICAL");
    assert_eq!(missing["severity"], "error");
    assert_eq!(
        (missing["line"].as_u64(), missing["column"].as_u64()),
        (Some(1), Some(1))
    );
    let compose = diags
        .iter()
        .find(|d| d["file"] == "fixtures/conf/no-maxmemory/docker-compose.yml")
        .unwrap();
    // `--maxmemory 0`: from the option to the end of its value.
    assert_eq!(
        (compose["line"].as_u64(), compose["column"].as_u64()),
        (Some(5), Some(27))
    );
    assert_eq!(compose["end_column"].as_u64(), Some(40));
    // Scanned: the configuration files and the baseline they include.
    assert!(doc["summary"]["files_scanned"].as_u64().unwrap() >= 8);
}

#[test]
fn human_output_shows_the_config_line() {
    let out = lint_in(
        root(),
        &["--color", "never", "fixtures/conf/fsync-policy/redis.conf"],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("conf-fsync-policy [HIGH · guide §8.2]"),
        "{text}"
    );
    assert!(text.contains("appendfsync no"), "{text}");
    assert!(
        text.contains("fixtures/conf/fsync-policy/redis.conf:4:1"),
        "{text}"
    );
}

#[test]
fn no_config_files_turns_it_off() {
    let (code, doc) = json(&["--no-config-files", "fixtures/conf"]);
    assert_eq!(code, 0);
    assert_eq!(doc["summary"]["files_scanned"], 0);
    assert!(doc["diagnostics"].as_array().unwrap().is_empty());
    let (code, _) = json(&["--no-config-files", "fixtures/conf/fsync-policy/redis.conf"]);
    assert_eq!(code, 0);
}

#[test]
fn files_that_are_not_redis_configurations_are_left_alone() {
    let (code, doc) = json(&["--select", "all", "fixtures/conf/precision/not-redis"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["summary"]["files_scanned"], 0);
    // Named on the command line, too.
    let (code, doc) = json(&["fixtures/conf/precision/not-redis/nginx.conf"]);
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["summary"]["files_scanned"], 0);
}

#[test]
fn selecting_rust_rules_only_skips_configuration_files() {
    let (code, doc) = json(&["--select", "key", "fixtures/conf"]);
    assert_eq!(code, 0, "{doc}");
    let (_, doc) = json(&["--select", "conf-slowlog", "fixtures/conf/slowlog"]);
    let rules: BTreeSet<String> = found(&doc).into_iter().map(|(_, _, r)| r).collect();
    assert_eq!(rules, BTreeSet::from(["conf-slowlog".to_string()]));
    let (_, doc) = json(&["--min-impact", "critical", "fixtures/conf/slowlog"]);
    assert!(doc["diagnostics"].as_array().unwrap().is_empty());
}

// ---------------------------------------------------------------- engine

#[test]
fn broken_configuration_files_are_problems_and_the_rest_is_linted() {
    let dir = scratch("broken");
    write(
        &dir,
        "redis.conf",
        "port 6379\nrequirepass \"unclosed\nmaxmemory 0\n",
    );
    write(
        &dir,
        "sentinel.conf",
        "sentinel monitor m 10.0.0.1 6379 1\n",
    );
    std::fs::write(dir.join("redis-latin1.conf"), b"port 6379\n# caf\xe9\n").unwrap();
    // Not a Redis configuration: its encoding is not our business.
    std::fs::write(dir.join("legacy.conf"), b"listen 80;\n# caf\xe9\n").unwrap();
    let (code, doc) = json_in(&dir, &["."]);
    assert_eq!(code, 1);
    let diags = doc["diagnostics"].as_array().unwrap();
    let find = |rule: &str| diags.iter().find(|d| d["rule"] == rule);
    let parse = find("parse-error").expect("parse error");
    assert_eq!(parse["file"], "redis.conf");
    assert_eq!(parse["line"], 2);
    assert!(parse["message"].as_str().unwrap().contains("quotes"));
    let read = find("read-error").expect("read error");
    assert_eq!(read["file"], "redis-latin1.conf");
    assert!(
        find("conf-sentinel-quorum").is_some(),
        "the sentinel file is still linted"
    );
    assert_eq!(doc["summary"]["problems"], 2);
}

#[test]
fn configuration_files_in_test_folders_are_test_code() {
    let dir = scratch("tests");
    write(
        &dir,
        "Cargo.toml",
        "[package]\nname = \"scratch\"\nversion = \"0.1.0\"\n",
    );
    write(&dir, "src/lib.rs", "pub fn f() {}\n");
    write(
        &dir,
        "tests/docker-compose.yml",
        "services:\n  redis:\n    command: redis-server --maxmemory 0\n",
    );
    write(
        &dir,
        "deploy/redis.conf",
        "maxmemory 0\nmaxmemory-policy allkeys-lru\n",
    );
    let (_, doc) = json_in(&dir, &["--select", "conf-no-maxmemory", "."]);
    let files: Vec<String> = found(&doc).into_iter().map(|(f, _, _)| f).collect();
    assert_eq!(files, ["deploy/redis.conf"]);
    let (_, doc) = json_in(
        &dir,
        &["--select", "conf-no-maxmemory", "--lint-tests", "."],
    );
    let files: Vec<String> = found(&doc).into_iter().map(|(f, _, _)| f).collect();
    assert_eq!(files, ["deploy/redis.conf", "tests/docker-compose.yml"]);
}

#[test]
fn redis_lint_configuration_applies_to_configuration_files() {
    let dir = scratch("levels");
    write(&dir, "prod/redis.conf", "maxmemory 0\nslowlog-max-len 1\n");
    write(&dir, "dev/redis.conf", "maxmemory 0\n");
    write(&dir, "vendor/redis.conf", "maxmemory 0\n");
    write(
        &dir,
        "redis-lint.toml",
        "exclude = [\"vendor\"]\n\n[rules]\nconf-slowlog = \"warn\"\n\n[[overrides]]\npaths = [\"dev/**\"]\nignore = [\"conf-no-maxmemory\"]\n",
    );
    let (code, doc) = json_in(
        &dir,
        &[
            "--select",
            "conf-no-maxmemory,conf-slowlog",
            "--fail-on",
            "critical",
            ".",
        ],
    );
    assert_eq!(code, 1);
    let got: Vec<(String, String, String)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "prod/redis.conf".to_string(),
                "conf-no-maxmemory".to_string(),
                "error".to_string()
            ),
            (
                "prod/redis.conf".to_string(),
                "conf-slowlog".to_string(),
                "warning".to_string()
            ),
        ]
    );
}

#[test]
fn standard_input_named_like_a_configuration_file() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(["--format", "json", "--stdin-filename", "deploy/redis.conf"])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"maxmemory 2gb\nmaxmemory-policy allkeys-lru\nappendonly yes\nappendfsync no\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got = found(&doc);
    assert!(
        got.contains(&(
            "deploy/redis.conf".to_string(),
            4,
            "conf-fsync-policy".to_string()
        )),
        "{doc}"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn an_included_fragment_is_linted_through_its_includer_only() {
    let (_, doc) = json(&["--select", "conf", "fixtures/conf/precision/includes"]);
    let got = found(&doc);
    assert_eq!(
        got,
        Found::from([(
            "fixtures/conf/precision/includes/conf.d/10-persistence.conf".to_string(),
            4,
            "conf-fsync-policy".to_string()
        )])
    );
    // Named alone, the fragment is linted as a configuration of its own.
    let (_, doc) = json(&[
        "--select",
        "conf",
        "fixtures/conf/precision/includes/conf.d/10-persistence.conf",
    ]);
    let rules: BTreeSet<String> = found(&doc).into_iter().map(|(_, _, r)| r).collect();
    assert!(rules.contains("conf-fsync-policy"));
    assert!(rules.contains("conf-no-maxmemory"), "{rules:?}");
}
