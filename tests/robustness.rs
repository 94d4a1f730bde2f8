//! Bad input through the installed binary: every bad file gets a diagnostic
//! of its own, the other files are still linted, the output stays valid
//! JSON, and the exit code follows the contract (0 clean, 1 findings or a
//! file that could not be read or parsed, 2 usage or internal error). No
//! input may crash the process, hang it, or overflow its stack.
//!
//! Each test builds its tree in a fresh folder under the system temp dir
//! and puts a valid Redis file (`good.rs`, one `key-keys-command` finding)
//! next to the bad input.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_redis-lint");

/// Generous: the test binary is a debug build and one test lints 10 MB.
const TIMEOUT: Duration = Duration::from_secs(300);

/// The valid neighbour: exactly one `key-keys-command` finding.
const GOOD: &str = "use redis::Commands;\n\
pub fn f(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> { con.keys(\"user:*\") }\n";

/// A fresh folder, removed (permissions restored first) when dropped.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "redis-lint-robust-{}-{}-{name}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch { dir }
    }

    /// A scratch folder holding `good.rs`.
    fn with_good(name: &str) -> Scratch {
        let s = Scratch::new(name);
        s.write("good.rs", GOOD);
        s
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        #[cfg(unix)]
        restore_permissions(&self.dir);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(unix)]
fn restore_permissions(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            continue;
        }
        if meta.permissions().mode() & 0o700 != 0o700 && meta.is_dir() {
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755));
        } else if meta.permissions().mode() & 0o600 != 0o600 {
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644));
        }
        if meta.is_dir() {
            restore_permissions(&path);
        }
    }
}

struct Output {
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: String,
}

/// Runs `prefix... redis-lint args...` in `cwd`, killing it (and failing
/// the test) if it runs past `TIMEOUT`.
fn exec_with(prefix: &[&str], cwd: &Path, args: &[&str]) -> std::io::Result<Output> {
    let mut cmd = match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(BIN);
            c
        }
        None => Command::new(BIN),
    };
    let mut child = cmd
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "redis-lint {args:?} in {} did not finish within {TIMEOUT:?}",
                cwd.display()
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Ok(Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    })
}

fn exec(cwd: &Path, args: &[&str]) -> Output {
    exec_with(&[], cwd, args).unwrap()
}

/// The exit code; fails the test if the process died of a signal (a stack
/// overflow aborts).
fn exit_code(out: &Output, what: &str) -> i32 {
    match out.status.code() {
        Some(c) => c,
        None => panic!(
            "redis-lint {what} was killed ({:?}); stderr:\n{}",
            out.status, out.stderr
        ),
    }
}

/// One lint of some paths, in both output formats.
struct Linted {
    code: i32,
    doc: Value,
    human: String,
}

impl Linted {
    fn diagnostics(&self) -> &Vec<Value> {
        self.doc["diagnostics"].as_array().unwrap()
    }

    /// Diagnostics of `rule` whose file is `file` or ends with `/file`.
    fn find(&self, file: &str, rule: &str) -> Vec<&Value> {
        self.diagnostics()
            .iter()
            .filter(|d| {
                let f = d["file"].as_str().unwrap();
                (f == file || f.ends_with(&format!("/{file}"))) && d["rule"] == rule
            })
            .collect()
    }

    /// Every diagnostic about `file` (or a path under it).
    fn about(&self, file: &str) -> Vec<&Value> {
        self.diagnostics()
            .iter()
            .filter(|d| {
                let f = d["file"].as_str().unwrap();
                f == file || f.starts_with(&format!("{file}/")) || f.ends_with(&format!("/{file}"))
            })
            .collect()
    }

    fn problems(&self) -> u64 {
        self.doc["summary"]["problems"].as_u64().unwrap()
    }

    fn assert_good_linted(&self) {
        let hits = self.find("good.rs", "key-keys-command");
        assert_eq!(
            hits.len(),
            1,
            "the valid neighbour must still be linted: {:#}",
            self.doc
        );
        assert!(self.human.contains("good.rs"), "{}", self.human);
    }
}

/// Lints `paths` from `dir` with `--format json` and with human output,
/// and checks what holds for every input: the process exits normally with
/// the same code both ways, the JSON is valid and follows the schema, the
/// human output ends with its summary, nothing panicked.
fn lint(dir: &Path, paths: &[&str]) -> Linted {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(paths);
    let json = exec(dir, &args);
    let code = exit_code(&json, "--format json");
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}); stdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&json.stdout),
            json.stderr
        )
    });
    check_schema(&doc);

    let mut args = vec!["--color", "never"];
    args.extend_from_slice(paths);
    let human = exec(dir, &args);
    let human_code = exit_code(&human, "(human output)");
    let text = String::from_utf8(human.stdout).expect("human output is UTF-8");
    assert_eq!(code, human_code, "exit code depends on the format: {text}");
    assert!(
        text.lines()
            .last()
            .is_some_and(|l| l.starts_with("Scanned ")),
        "human output ends with the summary line:\n{text}"
    );
    for stderr in [&json.stderr, &human.stderr] {
        assert!(
            !stderr.contains("panicked") && !stderr.contains("overflow"),
            "{stderr}"
        );
    }
    let linted = Linted {
        code,
        doc,
        human: text,
    };
    assert!(
        linted
            .diagnostics()
            .iter()
            .all(|d| d["rule"] != "internal-error"),
        "internal error: {:#}",
        linted.doc
    );
    // The contract: 1 when anything was reported, else 0.
    let expected = if linted.diagnostics().is_empty() {
        0
    } else {
        1
    };
    assert_eq!(linted.code, expected, "{:#}", linted.doc);
    linted
}

/// The README's schema (version 2).
fn check_schema(doc: &Value) {
    assert_eq!(doc["version"], 2, "{doc:#}");
    let diags = doc["diagnostics"].as_array().expect("diagnostics array");
    let mut problems = 0;
    for d in diags {
        for field in ["rule", "severity", "message", "file"] {
            assert!(d[field].is_string(), "{field} missing in {d}");
        }
        for field in ["line", "column", "end_line", "end_column"] {
            assert!(
                d[field].as_u64().is_some_and(|n| n >= 1),
                "{field} must be 1-based in {d}"
            );
        }
        for r in d["related"].as_array().expect("related array") {
            assert!(r["file"].is_string() && r["message"].is_string(), "{r}");
            assert!(r["line"].as_u64().is_some_and(|n| n >= 1), "{r}");
        }
        // A file problem has no guide section (README); a finding has one,
        // whatever its id (`conn-swallowed-error` is a rule).
        if d["section"].is_null() {
            problems += 1;
            assert!(d["section"].is_null() && d["impact"].is_null(), "{d}");
            assert_eq!(d["severity"], "error", "{d}");
            assert!(!d["message"].as_str().unwrap().is_empty(), "{d}");
        } else {
            assert!(d["section"].is_string() && d["impact"].is_string(), "{d}");
        }
    }
    let summary = &doc["summary"];
    assert_eq!(summary["problems"].as_u64(), Some(problems), "{doc:#}");
    assert_eq!(
        summary["findings"].as_u64(),
        Some(diags.len() as u64 - problems),
        "{doc:#}"
    );
}

#[test]
fn unparsable_files_get_a_parse_error_with_a_line() {
    let s = Scratch::with_good("parse");
    // Unbalanced delimiters (the lexer fails) ...
    s.write(
        "unclosed.rs",
        "use redis::Commands;\n\nfn half(con: &mut redis::Connection) -> redis::RedisResult<()> {\n    \
         let _: () = con.set(\"user:1\", 1)?;\n    if true {\n",
    );
    // ... and balanced tokens that are not Rust (the parser fails).
    s.write(
        "garbled.rs",
        "use redis::Commands;\n\nfn f(con: &mut redis::Connection) {\n    let = con.get(\"k\");\n}\n",
    );
    let r = lint(&s.dir, &["."]);
    for (file, min_line) in [("unclosed.rs", 1), ("garbled.rs", 4)] {
        let hits = r.find(file, "parse-error");
        assert_eq!(hits.len(), 1, "{file}: {:#}", r.doc);
        let line = hits[0]["line"].as_u64().unwrap();
        assert!(line >= min_line, "{file}: line {line} in {}", hits[0]);
        assert!(r.human.contains(file), "{}", r.human);
    }
    assert_eq!(r.problems(), 2);
    r.assert_good_linted();
    assert_eq!(r.code, 1);
}

/// With the prefilter, a file that never mentions a client is not parsed,
/// so syntax errors in it go unreported. Reported as a gap, not asserted.
#[test]
fn unparsable_file_without_redis_words() {
    let s = Scratch::with_good("parse-plain");
    s.write("plain.rs", "pub fn add(a: u32, b: u32) -> u32 { a + \n");
    let r = lint(&s.dir, &["."]);
    r.assert_good_linted();
    if r.about("plain.rs").is_empty() {
        eprintln!(
            "GAP: plain.rs (no Redis words, not valid Rust) gets no diagnostic: the prefilter \
             skips its parse"
        );
    }
    let all = lint(&s.dir, &["--no-prefilter", "."]);
    assert_eq!(
        all.find("plain.rs", "parse-error").len(),
        1,
        "{:#}",
        all.doc
    );
    all.assert_good_linted();
}

#[test]
fn non_utf8_file_gets_a_read_error() {
    let s = Scratch::with_good("utf8");
    s.write(
        "latin1.rs",
        b"use redis::Commands;\n// caf\xe9 cr\xe8me\nfn f() {}\n",
    );
    // Not Redis code at all: it is still read, and still reported.
    s.write("binary.rs", [0xff_u8, 0xfe, 0x00, 0x80, 0xc3, 0x28]);
    let r = lint(&s.dir, &["."]);
    for file in ["latin1.rs", "binary.rs"] {
        let hits = r.find(file, "read-error");
        assert_eq!(hits.len(), 1, "{file}: {:#}", r.doc);
        let message = hits[0]["message"].as_str().unwrap();
        assert!(message.contains("UTF-8"), "{message}");
    }
    assert!(r.human.contains("UTF-8"), "{}", r.human);
    assert_eq!(r.problems(), 2);
    r.assert_good_linted();
}

/// How to run the linter without the privilege to read any file (tests may
/// run as root, where `chmod 000` blocks nothing): `setpriv` to `nobody`.
#[cfg(unix)]
fn unprivileged(cwd: &Path) -> Result<&'static [&'static str], String> {
    const PREFIX: &[&str] = &[
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--",
    ];
    match exec_with(PREFIX, cwd, &["--version"]) {
        Ok(out) if out.status.success() => Ok(PREFIX),
        Ok(out) => Err(format!("setpriv as nobody failed: {}", out.stderr.trim())),
        Err(e) => Err(format!("cannot run setpriv: {e}")),
    }
}

#[cfg(unix)]
#[test]
fn unreadable_file_and_folder_get_a_read_error() {
    use std::os::unix::fs::PermissionsExt;
    let s = Scratch::with_good("unreadable");
    let file = s.write("locked.rs", GOOD.replace("fn f(", "fn g("));
    let folder = s.path("sealed");
    s.write("sealed/inner.rs", GOOD);
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o000)).unwrap();

    let check = |r: &Linted| {
        let hits = r.find("locked.rs", "read-error");
        assert_eq!(hits.len(), 1, "{:#}", r.doc);
        assert!(
            hits[0]["message"]
                .as_str()
                .unwrap()
                .contains("ermission denied"),
            "{}",
            hits[0]
        );
        assert_eq!(
            r.find("sealed", "read-error").len(),
            1,
            "unreadable folder reported: {:#}",
            r.doc
        );
        assert_eq!(r.problems(), 2, "{:#}", r.doc);
        r.assert_good_linted();
        assert_eq!(r.code, 1);
    };

    let privileged = std::fs::read(&file).is_ok();
    let r = lint(&s.dir, &["."]);
    if !privileged {
        check(&r);
        return;
    }
    // Running with the privilege to read anything (root): chmod 000 blocks
    // nothing, so the files are linted like any other.
    r.assert_good_linted();
    assert_eq!(
        r.find("locked.rs", "key-keys-command").len(),
        1,
        "{:#}",
        r.doc
    );
    assert_eq!(
        r.find("inner.rs", "key-keys-command").len(),
        1,
        "{:#}",
        r.doc
    );
    match unprivileged(&s.dir) {
        Ok(prefix) => {
            eprintln!(
                "unreadable_file_and_folder_get_a_read_error: privileged (root?), so the \
                 read-error assertions run as uid 65534 through setpriv"
            );
            let out = exec_with(prefix, &s.dir, &["--format", "json", "."]).unwrap();
            let code = exit_code(&out, "as nobody");
            let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
                panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout))
            });
            check_schema(&doc);
            check(&Linted {
                code,
                doc,
                // The human rendering is covered by the privileged run.
                human: "good.rs".into(),
            });
        }
        Err(why) => eprintln!(
            "SKIPPED the read-error assertions of unreadable_file_and_folder_get_a_read_error: \
             running with the privilege to read mode-000 files (root?) and {why}"
        ),
    }
}

#[cfg(unix)]
#[test]
fn dangling_symlink_and_symlink_loop() {
    use std::os::unix::fs::symlink;
    let s = Scratch::with_good("symlinks");
    symlink("no-such-file.rs", s.path("x.rs")).unwrap();
    std::fs::create_dir(s.path("loop")).unwrap();
    symlink("../loop", s.path("loop/self")).unwrap();
    symlink(".", s.path("loop/here")).unwrap();
    s.write("loop/inner.rs", GOOD);

    let r = lint(&s.dir, &["."]);
    r.assert_good_linted();
    // The folder is walked once: links are not followed.
    assert_eq!(
        r.find("loop/inner.rs", "key-keys-command").len(),
        1,
        "{:#}",
        r.doc
    );
    let findings = r
        .diagnostics()
        .iter()
        .filter(|d| d["rule"] == "key-keys-command")
        .count();
    assert_eq!(findings, 2, "each real file linted once: {:#}", r.doc);
    if r.about("x.rs").is_empty() {
        eprintln!(
            "GAP: the dangling symlink x.rs is skipped without a diagnostic (links inside \
             folders are never followed, so a symlinked .rs file is not linted either)"
        );
    }

    // Named on the command line, a dangling link is a missing path.
    let out = exec(&s.dir, &["--format", "json", "x.rs", "good.rs"]);
    assert_eq!(exit_code(&out, "x.rs"), 2, "{}", out.stderr);
    assert!(out.stderr.contains("x.rs"), "{}", out.stderr);
    // A path through the loop is an ordinary folder.
    let r = lint(&s.dir, &["loop/self/self/here"]);
    assert_eq!(
        r.find("inner.rs", "key-keys-command").len(),
        1,
        "{:#}",
        r.doc
    );
}

#[test]
fn folder_named_like_a_source_file() {
    let s = Scratch::with_good("dir-rs");
    s.write("x.rs/inner.rs", GOOD);
    std::fs::create_dir(s.path("empty.rs")).unwrap();
    let r = lint(&s.dir, &["."]);
    r.assert_good_linted();
    assert!(r.about("empty.rs").is_empty(), "{:#}", r.doc);
    assert_eq!(
        r.find("x.rs/inner.rs", "key-keys-command").len(),
        1,
        "{:#}",
        r.doc
    );
    assert_eq!(r.problems(), 0);
    // Named on the command line, it is walked like any folder.
    assert_eq!(lint(&s.dir, &["empty.rs"]).code, 0);
    let r = lint(&s.dir, &["x.rs"]);
    assert_eq!(
        r.find("inner.rs", "key-keys-command").len(),
        1,
        "{:#}",
        r.doc
    );
}

/// About 10 MB of small fns; three of them (first, middle, last) run KEYS.
fn big_source() -> (String, [u64; 3]) {
    const TARGET: usize = 10 << 20;
    let redis_fn = |i: usize| {
        format!(
            "pub fn r{i}(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> \
             {{ con.keys(\"user:{i}:*\") }}\n"
        )
    };
    let mut src = String::with_capacity(TARGET + 200);
    src.push_str("use redis::Commands;\n");
    src.push_str(&redis_fn(0));
    let mut redis_lines = [2, 0, 0];
    let mut line = 2;
    let mut i = 1;
    while src.len() + 200 < TARGET {
        line += 1;
        if i == 90_000 {
            redis_lines[1] = line;
            src.push_str(&redis_fn(i));
        } else {
            src.push_str(&format!(
                "pub fn f{i}(a: u64) -> u64 {{ a.wrapping_mul({i}) + 1 }}\n"
            ));
        }
        i += 1;
    }
    redis_lines[2] = line + 1;
    src.push_str(&redis_fn(i));
    while src.len() < TARGET {
        src.push_str("// padding\n");
    }
    (src, redis_lines)
}

#[test]
fn ten_megabyte_file() {
    let s = Scratch::with_good("big");
    let (src, lines) = big_source();
    assert!(src.len() >= 10 << 20);
    s.write("big.rs", &src);
    let started = Instant::now();
    let r = lint(&s.dir, &["."]);
    eprintln!(
        "10 MB file linted in both formats in {:?}",
        started.elapsed()
    );
    r.assert_good_linted();
    let got: Vec<u64> = r
        .find("big.rs", "key-keys-command")
        .iter()
        .map(|d| d["line"].as_u64().unwrap())
        .collect();
    assert_eq!(got, lines, "{:#}", r.doc);
    assert_eq!(r.problems(), 0);
}

fn nested_blocks(depth: usize) -> String {
    format!(
        "use redis::Commands;\n\npub fn deep(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> {}con.keys(\"user:*\"){}\n",
        "{ ".repeat(depth),
        " }".repeat(depth)
    )
}

fn nested_parens(depth: usize) -> String {
    format!(
        "use redis::Commands;\n\npub fn deep(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> {{ {}con.keys(\"user:*\"){} }}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    )
}

/// Deep nesting either lints normally or gets a parse error; it never
/// crashes.
fn deep_nesting(depth: usize) {
    let s = Scratch::with_good("nesting");
    s.write("blocks.rs", nested_blocks(depth));
    s.write("parens.rs", nested_parens(depth));
    let r = lint(&s.dir, &["."]);
    assert!(r.code == 0 || r.code == 1);
    r.assert_good_linted();
    for file in ["blocks.rs", "parens.rs"] {
        let parsed = r.find(file, "key-keys-command").len() == 1;
        let refused = r.find(file, "parse-error").len() == 1;
        assert!(parsed || refused, "{file} at depth {depth}: {:#}", r.doc);
        eprintln!(
            "{file}, depth {depth}: {}",
            if parsed { "linted" } else { "parse-error" }
        );
    }
}

#[test]
fn five_thousand_nested_blocks_and_parentheses() {
    deep_nesting(5_000);
}

/// syn recurses once per level; past some depth it overflows even the
/// 256 MiB worker stack and the process aborts.
#[test]
fn hundred_thousand_nested_blocks_and_parentheses() {
    deep_nesting(100_000);
}

/// Nesting without brackets, which a bracket count does not see: each shape
/// is one recursion per level in syn's parser (closures, `&` and generic
/// types, `!` chains; the first three abort at 100k levels in release, 10k
/// to 20k in debug) or in the extractor's walk (`Walker::key_of` on a `+`
/// chain, `Walker::eval` on `else if` and index chains; 1M levels abort in
/// release, 200k in debug).
fn unbracketed_nesting() -> Vec<(&'static str, String)> {
    let body = |code: String| {
        format!(
            "use redis::Commands;\n\npub fn deep(con: &mut redis::Connection, x: i64) \
             -> redis::RedisResult<Vec<String>> {{\n    {code}\n    con.keys(\"user:*\")\n}}\n"
        )
    };
    const DEEP: usize = 100_000;
    const DEEPER: usize = 1_000_000;
    vec![
        (
            "closures.rs",
            body(format!("let _ = {}x;", "|x| ".repeat(DEEP))),
        ),
        (
            "generic_types.rs",
            body(format!(
                "let _: {}u8{} = panic!();",
                "Box<".repeat(DEEP),
                ">".repeat(DEEP)
            )),
        ),
        (
            "ref_types.rs",
            body(format!("let _: {}u8 = panic!();", "&".repeat(DEEP))),
        ),
        (
            "not_chain.rs",
            body(format!("let _ = {}true;", "!".repeat(DEEPER))),
        ),
        (
            "plus_chain.rs",
            body(format!("let _ = x{};", " + x".repeat(DEEPER))),
        ),
        (
            "index_chain.rs",
            body(format!("let _ = x{};", "[0]".repeat(DEEPER))),
        ),
        (
            "else_if_chain.rs",
            body(format!(
                "let _ = if x == 0 {{ 1 }}{} else {{ 2 }};",
                " else if x == 1 { 1 }".repeat(DEEPER)
            )),
        ),
    ]
}

/// Each file in a folder of its own: one abort must not hide the others.
#[test]
fn deep_nesting_without_brackets() {
    let mut crashed = Vec::new();
    for (file, source) in unbracketed_nesting() {
        let s = Scratch::with_good("unbracketed");
        s.write(file, &source);
        let out = exec(&s.dir, &["--format", "json", "."]);
        match out.status.code() {
            Some(1) => {
                let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
                let hits = |rule: &str| {
                    doc["diagnostics"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|d| d["file"] == file && d["rule"] == rule)
                        .count()
                };
                let how = if hits("parse-error") == 1 {
                    "parse-error"
                } else {
                    assert_eq!(hits("key-keys-command"), 1, "{file}: {doc:#}");
                    "linted"
                };
                eprintln!("{file}: {how}");
            }
            _ => {
                let last = out.stderr.lines().last().unwrap_or("").to_string();
                eprintln!("{file}: {:?} {last}", out.status);
                crashed.push(format!("{file} ({:?}: {last})", out.status));
            }
        }
    }
    assert!(crashed.is_empty(), "crashed: {crashed:#?}");
}

/// The human report renders each finding from the whole file: miette's
/// `read_span` walks the source from its start for every label, so the time
/// grows with findings x file size.
#[test]
fn human_output_of_many_findings_is_not_quadratic() {
    let s = Scratch::new("many-findings");
    let mut src = String::from("use redis::Commands;\n");
    for i in 0..5_000 {
        src.push_str(&format!(
            "pub fn r{i}(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> \
             {{ con.keys(\"user:{i}:*\") }}\n"
        ));
    }
    s.write("many.rs", &src);
    let started = Instant::now();
    let json = exec(&s.dir, &["--format", "json", "."]);
    let json_time = started.elapsed();
    let started = Instant::now();
    let human = exec(&s.dir, &["--color", "never", "."]);
    let human_time = started.elapsed();
    assert_eq!(exit_code(&json, "json"), 1);
    assert_eq!(exit_code(&human, "human"), 1);
    assert!(
        human_time < json_time * 10 + Duration::from_secs(5),
        "human output took {human_time:?}, JSON {json_time:?}"
    );
}

/// miette pads the underline with `format!("{:width$}")`, and a width past
/// `u16::MAX` panics ("Formatting argument out of range"): one long line
/// (minified or generated code) takes the whole human report down, exit 101.
#[test]
fn finding_and_parse_error_past_column_65535() {
    let s = Scratch::with_good("long-line");
    let pad = "x".repeat(70_000);
    s.write(
        "long.rs",
        format!(
            "use redis::Commands;\npub fn f(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> \
             {{ let _pad = \"{pad}\"; con.keys(\"user:*\") }}\n"
        ),
    );
    s.write(
        "long_bad.rs",
        format!("use redis::Commands;\npub fn g() {{ let _pad = \"{pad}\"; let = 1; }}\n"),
    );
    let r = lint(&s.dir, &["."]);
    r.assert_good_linted();
    let finding = r.find("long.rs", "key-keys-command");
    assert_eq!(finding.len(), 1, "{:#}", r.doc);
    assert!(finding[0]["column"].as_u64().unwrap() > 65_535);
    assert_eq!(r.find("long_bad.rs", "parse-error").len(), 1, "{:#}", r.doc);
}

#[test]
fn empty_and_comment_only_files() {
    let s = Scratch::new("empty");
    s.write("empty.rs", "");
    s.write("blank.rs", "\n\n   \n");
    s.write("comment.rs", "// uses redis, one day\n");
    s.write("bom.rs", "\u{feff}");
    let r = lint(&s.dir, &["."]);
    assert_eq!(r.code, 0, "{:#}", r.doc);
    assert!(r.diagnostics().is_empty());
    assert_eq!(r.doc["summary"]["files_scanned"], 4);
    s.write("good.rs", GOOD);
    let r = lint(&s.dir, &["."]);
    r.assert_good_linted();
    assert_eq!(r.diagnostics().len(), 1);
}

#[test]
fn broken_manifest_is_reported_and_sources_still_linted() {
    let s = Scratch::new("manifest");
    s.write("Cargo.toml", "[package\nname = \"broken\"\n");
    s.write("src/good.rs", GOOD);
    s.write("src/lib.rs", "mod good;\n");
    let r = lint(&s.dir, &["."]);
    let hits = r.find("Cargo.toml", "manifest-error");
    assert_eq!(hits.len(), 1, "{:#}", r.doc);
    assert!(
        hits[0]["message"].as_str().unwrap().contains("TOML"),
        "{}",
        hits[0]
    );
    r.assert_good_linted();
    assert_eq!(r.problems(), 1);
    assert_eq!(r.code, 1);
}

/// A missing path fails the run (exit 2) and is named; the other paths
/// are still linted (see tests/robustness_limits.rs).
#[test]
fn missing_path_is_an_error() {
    let s = Scratch::with_good("missing");
    for args in [
        &["--format", "json", "no/such/path"][..],
        &["no/such/path"],
        &["--format", "json", "good.rs", "no-such.rs"],
    ] {
        let out = exec(&s.dir, args);
        assert_eq!(
            exit_code(&out, "missing path"),
            2,
            "{args:?}: {}",
            out.stderr
        );
        let missing = args.last().unwrap();
        assert!(
            out.stderr.contains(missing),
            "{args:?}: stderr names the path: {}",
            out.stderr
        );
    }
}
