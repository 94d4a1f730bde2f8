//! The facts cache changes no output: cold and warm runs, at 1 and 2
//! threads, with and without the prefilter, after edits, additions and
//! deletions, give the bytes an uncached run gives. An unchanged file is
//! known by its size and modification time alone.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

#[path = "common/generated.rs"]
mod generated;

/// A small synthetic workspace (scripts/gen_workspace.py) in a temp dir.
fn workspace(tmp: &Path) -> PathBuf {
    let dir = tmp.join("ws");
    generated::generate(&dir, "20000");
    dir
}

/// The linter's stdout on `dir` (JSON unless `args` say otherwise).
fn lint(dir: &Path, args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_redis-lint"))
        .args(args)
        .arg(".")
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

const JSON: &[&str] = &["--format", "json"];
const HUMAN: &[&str] = &["--format", "human", "--color", "never"];

/// `base` plus the cache in `cache`.
fn cached<'a>(base: &[&'a str], cache: &'a str, more: &[&'a str]) -> Vec<&'a str> {
    let mut args = base.to_vec();
    args.extend(["--cache", "--cache-dir", cache]);
    args.extend(more);
    args
}

/// Every `.rs` file of `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                todo.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Sets every file's modification time well before now (so the cache
/// trusts it without hashing).
fn age(files: &[PathBuf]) {
    let old = SystemTime::now() - Duration::from_secs(3600);
    for f in files {
        let file = std::fs::File::options().append(true).open(f).unwrap();
        file.set_modified(old).unwrap();
    }
}

#[test]
fn cached_runs_print_what_uncached_runs_print() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    age(&rust_files(&ws));
    let cache_dir = tmp.path().join("cache");
    let cache = cache_dir.to_str().unwrap();

    for base in [JSON, HUMAN] {
        let _ = std::fs::remove_dir_all(&cache_dir);
        let plain = lint(&ws, base);
        assert_eq!(lint(&ws, &cached(base, cache, &[])), plain, "cold");
        assert_eq!(lint(&ws, &cached(base, cache, &[])), plain, "warm");
        for threads in ["1", "2"] {
            let args = cached(base, cache, &["--threads", threads]);
            assert_eq!(lint(&ws, &args), plain, "warm, {threads} threads");
        }
        // A run parsing everything, then a prefiltered one after it.
        let all = lint(&ws, &[base, &["--no-prefilter"]].concat());
        let args = cached(base, cache, &["--no-prefilter"]);
        assert_eq!(lint(&ws, &args), all, "warm, --no-prefilter");
        assert_eq!(lint(&ws, &args), all, "warm again, --no-prefilter");
        assert_eq!(
            lint(&ws, &cached(base, cache, &[])),
            plain,
            "after --no-prefilter"
        );
    }
}

#[test]
fn cached_runs_follow_edits_additions_and_deletions() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = workspace(tmp.path());
    let files = rust_files(&ws);
    age(&files);
    let cache_dir = tmp.path().join("cache");
    let cache = cache_dir.to_str().unwrap();
    let args = cached(JSON, cache, &[]);
    let before = lint(&ws, &args);

    // A file touched without change, one given a finding, one removed, one
    // added that defines nothing new.
    let touched = &files[files.len() / 2];
    std::fs::File::options()
        .append(true)
        .open(touched)
        .unwrap()
        .set_modified(SystemTime::now())
        .unwrap();
    let edited = &files[1];
    let mut text = std::fs::read_to_string(edited).unwrap();
    text.push_str(
        "\npub fn cache_test_scan(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> {\n    \
         redis::Commands::keys(con, \"cache-test:*\")\n}\n",
    );
    std::fs::write(edited, text).unwrap();
    std::fs::remove_file(&files[files.len() - 1]).unwrap();
    std::fs::write(
        files[0].with_file_name("cache_added.rs"),
        "pub fn added() {}\n",
    )
    .unwrap();

    let plain = lint(&ws, JSON);
    assert_ne!(plain, before, "the changes change the output");
    assert_eq!(lint(&ws, &args), plain, "after the changes");
    assert_eq!(lint(&ws, &args), plain, "warm after the changes");
}

/// The cache trusts a file whose size and modification time (set long
/// before the cache was written) are unchanged: it is not read again.
#[test]
fn an_unchanged_stamp_is_trusted_without_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let app = tmp.path().join("app");
    std::fs::create_dir_all(app.join("src")).unwrap();
    std::fs::write(
        app.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nredis = \"0.25\"\n",
    )
    .unwrap();
    std::fs::write(
        app.join("src/lib.rs"),
        "mod consts;\nuse consts::PREFIX;\n\
         pub fn f(c: &mut redis::Connection) -> redis::RedisResult<Vec<String>> {\n    \
         redis::Commands::keys(c, PREFIX)\n}\n",
    )
    .unwrap();
    let consts = app.join("src/consts.rs");
    let text = "pub const PREFIX: &str = \"u:*\";\n";
    std::fs::write(&consts, text).unwrap();
    age(&rust_files(&app));
    let old = std::fs::metadata(&consts).unwrap().modified().unwrap();
    let cache_dir = tmp.path().join("cache");
    // Every file parsed: the const's file too.
    let args = cached(JSON, cache_dir.to_str().unwrap(), &["--no-prefilter"]);
    let cold = lint(&app, &args);
    assert!(String::from_utf8_lossy(&cold).contains("key-keys-command"));

    // Same size, same time, content that no longer parses: only a read
    // would notice.
    let broken = "pub const PREFIX: &str = \"u:*\"{\n";
    assert_eq!(broken.len(), text.len());
    std::fs::write(&consts, broken).unwrap();
    std::fs::File::options()
        .append(true)
        .open(&consts)
        .unwrap()
        .set_modified(old)
        .unwrap();
    assert_ne!(
        lint(&app, &[JSON, &["--no-prefilter"]].concat()),
        cold,
        "an uncached run sees the change"
    );
    assert_eq!(lint(&app, &args), cold, "the file was read again");
}
