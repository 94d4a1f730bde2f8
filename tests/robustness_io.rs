//! Hostile input around the Rust sources: what the linter opens on its own
//! (included configurations, manifests, its cache) and what it prints
//! (string literals and file names in every human-facing format).
//!
//! Each test builds its tree in a fresh temporary folder and runs the
//! binary with a time limit: a hang is a failure, not a stuck test run.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/bounded.rs"]
mod bounded;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_redis-lint");

/// Far above what any of these inputs needs once bounded (a debug build).
const TIMEOUT: Duration = Duration::from_secs(60);

/// One `key-keys-command` finding.
const GOOD: &str = "use redis::Commands;\n\
pub fn f(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> { con.keys(\"user:*\") }\n";

const MANIFEST: &str = "[package]\nname = \"scratch\"\nversion = \"0.1.0\"\n\n\
[dependencies]\nredis = \"0.27\"\n";

struct Run {
    stdout: String,
    stderr: String,
    code: Option<i32>,
    took: Duration,
}

/// Runs the binary in `cwd` with a clean environment (plus `env`), killing
/// it and failing the test past [`TIMEOUT`].
fn run_env(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = bounded::drain(child.stdout.take());
    let err = bounded::drain(child.stderr.take());
    let what = format!("redis-lint {args:?} in {cwd:?}");
    let (status, took) = bounded::wait_within(&mut child, TIMEOUT, &what);
    Run {
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        code: status.code(),
        took,
    }
}

fn run(cwd: &Path, args: &[&str]) -> Run {
    run_env(cwd, args, &[])
}

fn write(dir: &Path, rel: &str, text: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().unwrap().success();
    assert!(ok, "mkfifo {path:?}");
}

/// (file, line, rule) of each diagnostic of a `--format json` document.
fn findings(json: &str) -> Vec<(String, u64, String)> {
    let doc: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
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

// ---- 1. `include` in redis.conf ------------------------------------------

/// A configuration that parses, then a line Redis cannot read (an
/// unclosed quote): an error whose snippet would show the line.
const SECRET_CONF: &str = "port 1\ntoken \"SECRET-CANARY-7f3a\n";

#[test]
fn includes_outside_the_linted_folder_are_never_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "secret.conf", SECRET_CONF);
    write(
        dir.path(),
        "proj/redis.conf",
        "include /proc/self/environ\ninclude ../secret.conf\nmaxmemory 1gb\n",
    );
    // The value opens a quote Redis never sees closed: read as a
    // configuration, the environment is a parse error that quotes it.
    let env = [("CANARY", "x \"ENV-CANARY-91c2")];
    let proj = dir.path().join("proj");
    for format in [
        &["--format", "human", "--color", "never", "."][..],
        &["--format", "concise", "."],
        &["--format", "json", "."],
        &["--message-format", "json", "."],
    ] {
        let out = run_env(&proj, format, &env);
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(!all.contains("SECRET-CANARY"), "{format:?}: {all}");
        assert!(!all.contains("ENV-CANARY"), "{format:?}: {all}");
    }
    // Unread includes leave the configuration incomplete, not broken.
    let out = run(&proj, &["--format", "json", "."]);
    assert!(
        findings(&out.stdout)
            .iter()
            .all(|(_, _, rule)| rule.starts_with("conf-")),
        "{}",
        out.stdout
    );
}

#[test]
fn of_an_included_file_only_the_faulty_line_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis.conf",
        "include part.conf\nmaxmemory 1gb\n",
    );
    write(
        dir.path(),
        "part.conf",
        "port 1\n# OTHER-LINE-CANARY\nbad \"unclosed\n# OTHER-LINE-CANARY\n",
    );
    for format in [
        &["--format", "human", "--color", "never", "."][..],
        &["--message-format", "json", "."],
    ] {
        let out = run(dir.path(), format);
        assert!(
            out.stdout.contains("unclosed"),
            "{format:?}: {}",
            out.stdout
        );
        assert!(
            !out.stdout.contains("OTHER-LINE"),
            "{format:?}: {}",
            out.stdout
        );
    }
}

#[test]
fn an_included_fifo_does_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis.conf",
        "include pipe.conf\nmaxmemory 1gb\nappendonly no\n",
    );
    mkfifo(&dir.path().join("pipe.conf"));
    let out = run(dir.path(), &["--format", "json", "."]);
    assert_eq!(out.code.map(|c| c <= 1), Some(true), "{}", out.stderr);
    findings(&out.stdout);
}

#[test]
fn include_webs_cost_one_read_per_file() {
    // Nine files, each including all nine: factorial when every path
    // through them is followed.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..9 {
        write(
            dir.path(),
            &format!("redis-{i}.conf"),
            format!("include *.conf\nmaxmemory {i}gb\n"),
        );
    }
    let out = run(dir.path(), &["--format", "json", "."]);
    assert!(out.took < Duration::from_secs(30), "took {:?}", out.took);
    findings(&out.stdout);

    // A diamond ladder: each layer's two files include both files of the
    // next one, 2^24 paths to the bottom.
    let web = tempfile::tempdir().unwrap();
    let layers = 24;
    write(
        web.path(),
        "redis.conf",
        "include l00a.conf\ninclude l00b.conf\n",
    );
    for layer in 0..layers {
        for side in ["a", "b"] {
            let text = match layer + 1 < layers {
                true => format!("include l{0:02}a.conf\ninclude l{0:02}b.conf\n", layer + 1),
                false => "maxmemory 1gb\n".to_string(),
            };
            write(web.path(), &format!("l{layer:02}{side}.conf"), text);
        }
    }
    let started = Instant::now();
    let loaded = redis_lint::server_conf::load(&web.path().join("redis.conf"), None)
        .unwrap()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(loaded.sources.len(), 1 + 2 * layers, "each file read once");
    let mut included = loaded.included.clone();
    included.sort();
    included.dedup();
    assert_eq!(included.len(), loaded.included.len());
    let out = run(web.path(), &["--format", "json", "."]);
    assert!(out.took < Duration::from_secs(30), "took {:?}", out.took);
}

/// Found by `fuzz_includes`: a finding in an included file showed the
/// file's next line as context.
#[test]
fn of_an_included_file_only_the_lines_of_findings_are_shown() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "redis.conf", "include a.conf\n");
    write(
        dir.path(),
        "a.conf",
        "appendonly yes\nlogfile /tmp/NEIGHBOUR-CANARY.log\n",
    );
    for format in [
        &["--format", "human", "--color", "never", "redis.conf"][..],
        &["--message-format", "json", "redis.conf"],
        &["--format", "sarif", "redis.conf"],
    ] {
        let out = run(dir.path(), format);
        assert!(
            out.stdout.contains("appendonly yes"),
            "{format:?}: {}",
            out.stdout
        );
        assert!(
            !out.stdout.contains("NEIGHBOUR"),
            "{format:?}: {}",
            out.stdout
        );
    }
}

/// Found by `fuzz_includes`: a finding about the whole file points at its
/// first line, and the snippet showed the `requirepass` written there.
#[test]
fn conf_passwords_are_masked_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "redis.conf",
        "requirepass PW-CANARY-1\nmasterauth \"PW-CANARY-2\"\n\
         user app on >PW-CANARY-3 ~* +@all\nmaxmemory 1gb\n",
    );
    write(
        dir.path(),
        "sentinel.conf",
        "sentinel monitor m 10.0.0.1 6379 2\nsentinel auth-pass m PW-CANARY-4\n",
    );
    for format in ["human", "concise", "json", "json-lines", "sarif", "github"] {
        let out = run(dir.path(), &["--format", format, "--color", "never", "."]);
        assert!(out.code.is_some_and(|c| c <= 1), "{format}: {}", out.stderr);
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(all.contains("redis.conf"), "{format}: {all}");
        assert!(!all.contains("PW-CANARY"), "{format}: {all}");
    }
    let out = run(dir.path(), &["--message-format", "json", "."]);
    assert!(!out.stdout.contains("PW-CANARY"), "{}", out.stdout);
}

/// A redis.conf found in the folder or given by path is read with the
/// configuration cap (4 MiB) like an included one: a problem of its own,
/// the rest of the run goes on. A symlink to `/dev/zero` and a FIFO named
/// like configurations are not read at all.
#[test]
fn root_configurations_are_read_with_a_size_cap() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Cargo.toml", MANIFEST);
    write(dir.path(), "src/lib.rs", GOOD);
    let pad = "# padding\n".repeat((4 << 20) / 10 + 1);
    write(dir.path(), "redis.conf", format!("maxmemory 1gb\n{pad}"));
    write(
        dir.path(),
        "conf/sentinel.conf",
        format!("sentinel monitor m h 1 2\n{pad}"),
    );
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("redis-zero.conf")).unwrap();
    mkfifo(&dir.path().join("redis-fifo.conf"));
    let given = [
        "redis.conf",
        "conf/sentinel.conf",
        "redis-zero.conf",
        "redis-fifo.conf",
        "src",
    ];
    for args in [&["."][..], &given] {
        let args: Vec<&str> = ["--format", "json"].iter().chain(args).copied().collect();
        let out = run(dir.path(), &args);
        assert_eq!(out.code, Some(1), "{args:?}: {}", out.stderr);
        assert!(out.took < Duration::from_secs(30), "took {:?}", out.took);
        let found = findings(&out.stdout);
        assert!(
            found.contains(&("src/lib.rs".into(), 2, "key-keys-command".into())),
            "{found:?}"
        );
        for conf in ["redis.conf", "conf/sentinel.conf"] {
            assert!(
                found.contains(&(conf.into(), 1, "read-error".into())),
                "{found:?}"
            );
        }
        assert!(out.stdout.contains("larger than 4 MiB"), "{}", out.stdout);
        assert!(
            !found
                .iter()
                .any(|(f, ..)| f.contains("zero") || f.contains("fifo")),
            "{found:?}"
        );
    }
}

// ---- 2. manifests and lock files that are not files ------------------------

/// A crate in `root/app` with one finding; `root/Cargo.toml` (a parent
/// folder's manifest, read for `[workspace.dependencies]`) and the lock
/// file are set up by the caller.
fn crate_under(root: &Path) -> std::path::PathBuf {
    let app = root.join("app");
    write(&app, "Cargo.toml", MANIFEST);
    write(&app, "src/lib.rs", GOOD);
    app
}

#[cfg(unix)]
#[test]
fn parent_manifests_and_locks_that_are_not_files_are_skipped() {
    let fifo = tempfile::tempdir().unwrap();
    mkfifo(&fifo.path().join("Cargo.toml"));
    mkfifo(&fifo.path().join("Cargo.lock"));
    let zero = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/zero", zero.path().join("Cargo.toml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", zero.path().join("Cargo.lock")).unwrap();
    for root in [fifo.path(), zero.path()] {
        let app = crate_under(root);
        let out = run(&app, &["--format", "json", "."]);
        let found = findings(&out.stdout);
        assert_eq!(
            found,
            [("src/lib.rs".to_string(), 2, "key-keys-command".to_string())],
            "{}",
            out.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn manifests_are_read_only_as_regular_files_of_sane_size() {
    use redis_lint::manifest::read_manifest;
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("pipe");
    mkfifo(&pipe);
    let zero = dir.path().join("zero");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let huge = dir.path().join("huge");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(17 << 20).unwrap();
    let refused = |path: &Path| read_manifest(path).unwrap_err().to_string();
    assert_eq!(refused(&pipe), "not a regular file");
    assert_eq!(refused(&zero), "not a regular file");
    assert_eq!(refused(&huge), "larger than 16 MiB");
}

// ---- 3. the cache ------------------------------------------------------------

/// The one file of the cache folder (besides its `.gitignore`).
fn cache_file(dir: &Path) -> std::path::PathBuf {
    let files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.ends_with(".gitignore"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

/// Lints `app` with the cache in `cache`, as JSON findings.
fn cached_run(app: &Path, cache: &Path) -> Vec<(String, u64, String)> {
    let cache = cache.to_str().unwrap();
    let out = run(
        app,
        &["--format", "json", "--cache", "--cache-dir", cache, "."],
    );
    findings(&out.stdout)
}

#[test]
fn edited_or_truncated_cache_entries_are_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let app = crate_under(dir.path());
    let cache = dir.path().join("cache");
    let clean = findings(&run(&app, &["--format", "json", "."]).stdout);
    assert_eq!(clean.len(), 1);
    assert_eq!(cached_run(&app, &cache), clean);
    let file = cache_file(&cache);
    let written = std::fs::read_to_string(&file).unwrap();

    // An edit that still parses: the KEYS call becomes a GET.
    assert!(written.contains("\"KEYS\""), "{written}");
    std::fs::write(&file, written.replace("\"KEYS\"", "\"GET\"")).unwrap();
    assert_eq!(cached_run(&app, &cache), clean, "edited entry trusted");
    // The rebuilt entry replaced the edited one.
    assert_eq!(std::fs::read_to_string(&file).unwrap(), written);

    // A cut in the middle of the entry.
    std::fs::write(&file, &written[..written.len() * 2 / 3]).unwrap();
    assert_eq!(cached_run(&app, &cache), clean, "truncated entry trusted");

    // One byte flipped anywhere in the entry.
    for at in (0..written.len()).step_by(written.len() / 7 + 1) {
        let mut bytes = written.clone().into_bytes();
        bytes[at] ^= 0x01;
        std::fs::write(&file, bytes).unwrap();
        assert_eq!(cached_run(&app, &cache), clean, "byte {at} flipped");
    }
}

#[test]
fn one_deeply_nested_entry_does_not_discard_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let app = crate_under(dir.path());
    let depth = 60;
    let deep = format!(
        "fn k(s: &str) -> String {{ s.to_string() }}\n\
         pub fn g(con: &mut redis::Connection) -> redis::RedisResult<String> {{\n\
         redis::Commands::get(con, {}\"x\"{})\n}}\n",
        "&k(".repeat(depth),
        ")".repeat(depth)
    );
    write(&app, "src/deep.rs", &deep);
    write(&app, "src/lib.rs", format!("mod deep;\n{GOOD}"));
    let cache = dir.path().join("cache");
    cached_run(&app, &cache);
    let opened = redis_lint::cache::Cache::open(&cache);
    let lib = std::fs::read_to_string(app.join("src/lib.rs")).unwrap();
    // The crate renames no client: its extraction takes no inputs.
    let inputs = redis_lint::cache::inputs_hash(&redis_lint::extract::CrateInputs::NONE);
    assert!(
        opened
            .take(redis_lint::cache::key(&lib, false, inputs))
            .is_some(),
        "the cache of lib.rs was dropped with the deep entry"
    );
}

// ---- 4. terminal and CI injection -------------------------------------------

/// Key literals carrying terminal controls and a forged workflow command.
const HOSTILE: &str = "use redis::Commands;\n\
pub fn f(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> {\n\
    con.keys(\"\u{1b}[2J\u{7}\u{8}\u{202e}evil\u{1b}]0;title\u{7}\\n::error::forged\\n*\")\n}\n";

/// Controls a terminal or a CI log would act on.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

#[test]
fn human_facing_formats_escape_control_characters() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Cargo.toml", MANIFEST);
    write(dir.path(), "src/lib.rs", HOSTILE);
    write(dir.path(), "src/evil\u{1b}[31m\u{202e}name.rs", GOOD);
    let formats: [&[&str]; 4] = [
        &["--format", "human", "--color", "never"],
        &["--format", "concise"],
        &["--format", "github"],
        &["--message-format", "json"],
    ];
    for format in formats {
        let mut args = format.to_vec();
        args.push(".");
        let out = run(dir.path(), &args);
        assert!(out.stdout.contains("key-keys-command"), "{}", out.stdout);
        // JSON escapes what it must; cargo's `rendered` text is printed.
        let shown: String = match args[1] {
            "json" => out
                .stdout
                .lines()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .filter_map(|v| v["message"]["rendered"].as_str().map(str::to_string))
                .collect(),
            _ => out.stdout.clone(),
        };
        assert_eq!(
            raw_controls(&shown),
            Vec::<char>::new(),
            "{format:?}:\n{shown}"
        );
        assert!(
            !out.stdout.lines().any(|l| l.starts_with("::error::forged")),
            "{format:?}: a forged workflow command\n{}",
            out.stdout
        );
        assert!(shown.contains("\\u{1b}"), "{format:?}: {shown}");
    }
}

#[test]
fn stale_baseline_warnings_stay_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Cargo.toml", MANIFEST);
    write(dir.path(), "src/lib.rs", GOOD);
    let baseline = r#"{"version": 1, "entries": [{"rule": "key-keys-command",
        "file": "gone.rs\n::error file=x::forged\u001b[2J", "fingerprint": "0", "count": 1}]}"#;
    write(dir.path(), "baseline.json", baseline);
    let out = run(dir.path(), &["--baseline", "baseline.json", "."]);
    assert!(out.stderr.contains("no longer matches"), "{}", out.stderr);
    assert!(
        !out.stderr.lines().any(|l| l.starts_with("::")),
        "{}",
        out.stderr
    );
    assert_eq!(raw_controls(&out.stderr), Vec::<char>::new());
}

// ---- 5. one file reached two ways --------------------------------------------

#[test]
fn a_file_reached_two_ways_is_linted_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Cargo.toml", MANIFEST);
    write(dir.path(), "src/lib.rs", GOOD);
    let expected = [("src/lib.rs".to_string(), 2, "key-keys-command".to_string())];
    let out = run(
        dir.path(),
        &["--format", "json", "src", "src/../src/lib.rs"],
    );
    assert_eq!(findings(&out.stdout), expected);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("src/lib.rs", dir.path().join("link.rs")).unwrap();
        let out = run(dir.path(), &["--format", "json", "src", "link.rs"]);
        assert_eq!(findings(&out.stdout), expected);
    }
}

// ---- 6. file names that are not UTF-8 ------------------------------------------

#[cfg(unix)]
#[test]
fn non_utf8_file_names_stay_distinct() {
    use std::os::unix::ffi::OsStrExt as _;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "Cargo.toml", MANIFEST);
    for byte in [0xffu8, 0xfe] {
        let bytes = [b'a', byte, b'.', b'r', b's'];
        let name = std::ffi::OsStr::from_bytes(&bytes);
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src").join(name), GOOD).unwrap();
    }
    let out = run(dir.path(), &["--format", "json", "."]);
    let mut files: Vec<String> = findings(&out.stdout).into_iter().map(|f| f.0).collect();
    files.sort();
    assert_eq!(files, ["src/a\\xfe.rs", "src/a\\xff.rs"]);
    // The baseline keys on those names: one entry each, each matching.
    let baseline = dir.path().join("baseline.json");
    let written = run(
        dir.path(),
        &["--write-baseline", baseline.to_str().unwrap(), "."],
    );
    assert!(
        written.stderr.contains("recorded 2 findings"),
        "{}",
        written.stderr
    );
    let out = run(
        dir.path(),
        &["--format", "json", "--baseline", "baseline.json", "."],
    );
    assert_eq!(findings(&out.stdout), []);
    assert!(!out.stderr.contains("no longer matches"), "{}", out.stderr);
}
