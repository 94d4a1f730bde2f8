//! Production code first: example code is linted with the rules for
//! defects a reader would copy (`lint-examples = "all"` for every rule),
//! test-only workspace crates are test code, and a `.rs` file that is no
//! module of its crate does not fail the run while a broken module does.
//! (Configuration files that deploy nothing: `fixtures/conf/not-deployed`,
//! checked by tests/conf.rs.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "common/sites.rs"]
mod sites;
use sites::sites;

/// A crate depending on redis-rs in a fresh temp folder, with `files`
/// (path, text) written in it.
fn scratch(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "redis-lint-production-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let manifest =
        "[package]\nname = \"scratch\"\nversion = \"0.1.0\"\n\n[dependencies]\nredis = \"1\"\n";
    for (path, text) in [("Cargo.toml", manifest)].iter().chain(files) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn lint_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// (file:line rule) of each diagnostic of a JSON run, and the exit code.
fn diagnostics(dir: &Path, args: &[&str]) -> (Vec<String>, i32) {
    let mut all = vec!["--format", "json", "."];
    all.extend_from_slice(args);
    let out = lint_in(dir, &all);
    let found = sites(&out.stdout, &out.stderr);
    (found, out.status.code().unwrap())
}

const EXAMPLE: &str = r#"use redis::Commands;

fn main() -> redis::RedisResult<()> {
    let client = redis::Client::open("redis://127.0.0.1/")?;
    let mut con = client.get_connection()?;
    // redis-lint: allow(key-no-namespace) -- a demo key
    let _: () = con.set("greeting", "hello")?;
    let _: () = con.set("farewell", "bye")?;
    let keys: Vec<String> = con.keys("*")?;
    println!("{keys:?}");
    Ok(())
}
"#;

#[test]
fn examples_report_defects_and_all_rules_when_configured() {
    let dir = scratch(
        "examples",
        &[("src/lib.rs", ""), ("examples/demo.rs", EXAMPLE)],
    );
    let (found, code) = diagnostics(&dir, &[]);
    // KEYS is a defect a reader would copy; the bare key and the missing
    // timeout are hygiene, silent; the suppression of a silent rule is not
    // "unused".
    assert_eq!(found, ["examples/demo.rs:9 key-keys-command"], "{found:?}");
    assert_eq!(code, 1);

    std::fs::write(dir.join("redis-lint.toml"), "lint-examples = \"all\"\n").unwrap();
    let (found, _) = diagnostics(&dir, &[]);
    for expected in [
        "examples/demo.rs:8 key-no-namespace",
        "examples/demo.rs:9 key-keys-command",
    ] {
        assert!(
            found.iter().any(|f| f == expected),
            "{expected} not in {found:?}"
        );
    }
    assert!(
        !found.iter().any(|f| f.ends_with("unused-suppression")),
        "{found:?}"
    );

    let show = lint_in(&dir, &["config", "--show", "."]);
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(text.contains("lint-examples = \"all\""), "{text}");
    std::fs::remove_file(dir.join("redis-lint.toml")).unwrap();
    let show = lint_in(&dir, &["config", "--show", "."]);
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(text.contains("lint-examples = \"defects\""), "{text}");
    let silent = text
        .lines()
        .find(|l| l.starts_with("# silent in examples/"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(silent.contains("key-no-namespace") && !silent.contains("key-keys-command"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn broken_modules_fail_the_run_and_files_that_are_no_modules_do_not() {
    let build = "fn main() {\n    let _t = include_str!(\"templates/handler.rs\");\n}\n";
    // Each mentions Redis, so the prefilter does not skip it.
    let template = "pub fn {{name}}() { redis::cmd(\"GET\"); }\n";
    let script = "#!/usr/bin/env cargo\n---\n[dependencies]\nredis = \"1\"\n---\nfn main() { redis::cmd(\"PING\"); }\n";
    let broken = "use redis::Commands;\npub fn broken( {\n";
    let dir = scratch(
        "modules",
        &[
            ("src/lib.rs", "pub mod store;\n"),
            ("src/store.rs", "pub fn ok() {}\n"),
            ("build.rs", build),
            ("templates/handler.rs", template),
            ("scripts/seed.rs", script),
            ("src/old.rs", broken),
        ],
    );
    let (found, code) = diagnostics(&dir, &[]);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(code, 0);
    // The template and the script are known for what they are: not a
    // word. The leftover file gets a warning.
    let out = lint_in(&dir, &["."]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("src/old.rs: not valid Rust, but no module of its crate reaches it"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("handler.rs") && !stderr.contains("seed.rs"),
        "{stderr}"
    );

    // The same syntax error in a declared module, or in a target root, is
    // the project's.
    std::fs::write(dir.join("src/store.rs"), broken).unwrap();
    std::fs::write(dir.join("src/main.rs"), broken).unwrap();
    let (found, code) = diagnostics(&dir, &[]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(
        found.iter().all(|f| f.ends_with("parse-error")),
        "{found:?}"
    );
    assert!(
        found.iter().any(|f| f.starts_with("src/store.rs")),
        "{found:?}"
    );
    assert_eq!(code, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn test_only_crates_are_linted_with_test_code_only() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crates/harness_workspace");
    let (found, _) = diagnostics(&dir, &[]);
    assert!(!found.iter().any(|f| f.starts_with("harness")), "{found:?}");
    let (found, _) = diagnostics(&dir, &["--lint-tests"]);
    for expected in [
        "harness/src/lib.rs:7 key-keys-command",
        "harness_support/src/lib.rs:11 key-keys-command",
        "app/src/lib.rs:18 key-keys-command",
    ] {
        assert!(
            found.iter().any(|f| f == expected),
            "{expected} not in {found:?}"
        );
    }
}

const KEYS_TOOL: &str = "use redis::Commands;\n\nfn main() -> redis::RedisResult<()> {\n    let mut con = redis::Client::open(\"redis://127.0.0.1/\")?.get_connection()?;\n    let keys: Vec<String> = con.keys(\"bench:*\")?;\n    println!(\"{keys:?}\");\n    Ok(())\n}\n";

const TOOL_MANIFEST: &str =
    "[package]\nname = \"bench-tool\"\nversion = \"0.1.0\"\n\n[dependencies]\nredis = \"1\"\n";

/// A library, an application and a library whose workspace lists the
/// tool, each with a tool crate under `bin/` left out of its package.
fn with_tool(name: &str, manifest: &str, lib: bool) -> PathBuf {
    let mut files = vec![
        ("Cargo.toml", manifest),
        ("bin/bench/Cargo.toml", TOOL_MANIFEST),
        ("bin/bench/src/main.rs", KEYS_TOOL),
    ];
    files.push(match lib {
        true => ("src/lib.rs", "pub fn nothing() {}\n"),
        false => ("src/main.rs", "fn main() {}\n"),
    });
    scratch(name, &files)
}

const KEYS_ONLY: &[&str] = &["--select", "key-keys-command"];

#[test]
fn a_librarys_tooling_left_out_of_its_package_is_test_code() {
    let excluding = "[package]\nname = \"client\"\nversion = \"0.1.0\"\nexclude = [\"/bin/\"]\n";
    let library = with_tool("tooling-lib", excluding, true);
    let (found, code) = diagnostics(&library, KEYS_ONLY);
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(code, 0);
    let (found, _) = diagnostics(&library, &["--lint-tests", "--select", "key-keys-command"]);
    assert_eq!(found, ["bin/bench/src/main.rs:5 key-keys-command"]);

    // An application may deploy what it leaves out of its package, and a
    // workspace member is part of the project: both stay production code.
    let application = with_tool("tooling-app", excluding, false);
    let member = format!("{excluding}\n[workspace]\nmembers = [\"bin/*\"]\n");
    let listed = with_tool("tooling-member", &member, true);
    for dir in [&application, &listed] {
        let (found, _) = diagnostics(dir, KEYS_ONLY);
        assert_eq!(
            found,
            ["bin/bench/src/main.rs:5 key-keys-command"],
            "{dir:?}"
        );
    }
    for dir in [library, application, listed] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
