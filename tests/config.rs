//! Configuration files as users write them: discovery, levels, options,
//! excludes, overrides, errors that point into the file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SOURCE: &str = "use redis::Commands;\n\
pub fn f(con: &mut redis::Connection) -> redis::RedisResult<()> {\n    \
let _: Vec<String> = con.keys(\"user:*\")?;\n    \
let _: () = con.set(\"blob:1\", \"x\")?;\n    \
let _: () = con.set(\"session:1\", \"x\")?;\n    \
let _: () = con.set(\"settings\", \"x\")?;\n    \
Ok(())\n}\n";

/// A scratch crate; `extra` is appended to its Cargo.toml.
fn project(name: &str, cargo_extra: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redis-lint-config-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src/admin")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!("[package]\nname = \"scratch\"\nversion = \"0.1.0\"\n{cargo_extra}"),
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), SOURCE).unwrap();
    std::fs::write(dir.join("src/admin/mod.rs"), SOURCE).unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

/// (rule, file, severity) of each site reported (a diagnostic and each of
/// its related sites: the copy of `SOURCE` in `admin/` shares its key
/// templates), and the exit code.
fn lint(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String, String)>) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let diags = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| {
            let site = |file: &serde_json::Value| {
                (
                    d["rule"].as_str().unwrap().to_string(),
                    file.as_str().unwrap().to_string(),
                    d["severity"].as_str().unwrap().to_string(),
                )
            };
            let related = d["related"].as_array().unwrap().iter();
            std::iter::once(site(&d["file"]))
                .chain(related.map(|r| site(&r["file"])))
                .collect::<Vec<_>>()
        })
        .collect();
    (out.status.code().unwrap(), diags)
}

fn count(diags: &[(String, String, String)], rule: &str) -> usize {
    diags.iter().filter(|d| d.0 == rule).count()
}

#[test]
fn defaults_without_configuration() {
    let dir = project("defaults", "");
    let (code, diags) = lint(&dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(count(&diags, "key-keys-command"), 2);
    assert_eq!(
        count(&diags, "key-missing-ttl"),
        2,
        "session: only, blob: is not ephemeral by default"
    );
    assert_eq!(count(&diags, "key-no-namespace"), 2);
}

#[test]
fn cargo_metadata_table_levels_and_options() {
    let dir = project(
        "metadata",
        "\n[package.metadata.redis-lint]\nignore = [\"key-no-namespace\"]\n\n\
         [package.metadata.redis-lint.rules]\nkey-keys-command = \"warn\"\n\
         key-missing-ttl = { ephemeral-prefixes = [\"blob\"] }\n",
    );
    let (code, diags) = lint(&dir, &[]);
    assert_eq!(count(&diags, "key-no-namespace"), 0);
    assert!(diags
        .iter()
        .filter(|d| d.0 == "key-keys-command")
        .all(|d| d.2 == "warning"));
    assert_eq!(
        count(&diags, "key-missing-ttl"),
        2,
        "blob: now ephemeral, session: no longer listed"
    );
    assert_eq!(code, 1, "key-missing-ttl is still deny");
    // Only warn-level findings left: exit 0.
    let (code, _) = lint(&dir, &["--ignore", "key-missing-ttl"]);
    assert_eq!(code, 0);
}

#[test]
fn toml_file_excludes_and_overrides() {
    let dir = project("overrides", "");
    std::fs::write(
        dir.join("redis-lint.toml"),
        "select = [\"key\"]\nexclude = [\"src/lib.rs\"]\n\n[[overrides]]\npaths = [\"src/admin\"]\nignore = [\"key-keys-command\"]\n",
    )
    .unwrap();
    let (_, diags) = lint(&dir, &[]);
    assert!(
        diags.iter().all(|d| d.1.ends_with("src/admin/mod.rs")),
        "lib.rs excluded: {diags:?}"
    );
    assert_eq!(
        count(&diags, "key-keys-command"),
        0,
        "ignored under src/admin"
    );
    assert!(count(&diags, "key-missing-ttl") > 0);
    assert!(
        diags.iter().all(|d| d.0.starts_with("key-")),
        "select = [key]"
    );
    // --isolated ignores the file; --config uses another one.
    let (_, isolated) = lint(&dir, &["--isolated"]);
    assert!(count(&isolated, "key-keys-command") == 2);
    let other = dir.join("other.toml");
    std::fs::write(&other, "select = [\"key-no-namespace\"]\n").unwrap();
    let (_, chosen) = lint(&dir, &["--config", other.to_str().unwrap()]);
    assert!(chosen.iter().all(|d| d.0 == "key-no-namespace") && !chosen.is_empty());
}

#[test]
fn errors_point_into_the_file() {
    let dir = project("errors", "");
    for (text, expect) in [
        ("bogus = 1\n", "unknown field `bogus`"),
        (
            "[rules]\nkey-keys-comand = \"deny\"\n",
            "unknown rule `key-keys-comand`; did you mean `key-keys-command`?",
        ),
        (
            "ignore = [\"key-missing-tll\"]\n",
            "`key-missing-tll` names no rule, prefix or guide section; did you mean `key-missing-ttl`?",
        ),
        (
            "[[overrides]]\npaths = [\"src/**\"]\nselect = [\"conn-mising-timeout\"]\n",
            "did you mean `conn-missing-timeout`?",
        ),
        ("[rules]\nkey-keys-command = \"loud\"\n", "allow"),
        ("select = [\"nothing\"]\n", "names no rule"),
        (
            "[rules]\nkey-keys-command = { max = 3 }\n",
            "has no option `max`",
        ),
    ] {
        std::fs::write(dir.join(".redis-lint.toml"), text).unwrap();
        let out = run(&dir, &["--color", "never"]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "{text}: {err}");
        assert!(err.contains(".redis-lint.toml"), "names the file: {err}");
    }
}

#[test]
fn config_show_prints_the_effective_configuration() {
    let dir = project(
        "show",
        "\n[package.metadata.redis-lint]\nkeyspace-programs = \"file\"\n\n[package.metadata.redis-lint.rules]\nkey-no-namespace = \"allow\"\n",
    );
    let out = run(&dir, &["config", "--show"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Cargo.toml"), "{text}");
    assert!(text.contains("key-no-namespace = \"allow\""), "{text}");
    assert!(text.contains("ephemeral-prefixes"), "{text}");
    assert!(text.contains("max-length = 64"), "{text}");
    assert!(text.contains("keyspace-programs = \"file\""), "{text}");
}
