//! Limits and bad input found by an adversarial pass over the binary: each
//! test failed before its fix. Inputs are generated into temporary folders;
//! every run of the binary has a time limit, so a regression fails instead
//! of hanging, and a process killed by a signal (a stack overflow aborts)
//! fails with its status.

use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

#[path = "common/bounded.rs"]
mod bounded;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_redis-lint");

/// Generous for a debug build on a busy machine.
const TIMEOUT: Duration = Duration::from_secs(240);

/// A valid neighbour: exactly one `key-keys-command` finding.
const GOOD: &str = "use redis::Commands;\n\
pub fn f(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> { con.keys(\"user:*\") }\n";

/// One fixable finding (`cmd-dangerous-command`: append `.arg("ASYNC")`).
const FLUSH: &str = "pub fn wipe(con: &mut redis::Connection) -> redis::RedisResult<()> {\n    \
redis::cmd(\"FLUSHALL\").query(con)\n}\n";

struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The exit code; fails when the process died of a signal.
    fn code(&self) -> i32 {
        self.status.code().unwrap_or_else(|| {
            panic!(
                "redis-lint was killed ({:?}); stderr:\n{}",
                self.status, self.stderr
            )
        })
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}\nstderr: {}", self.stdout, self.stderr))
    }
}

/// How the test treats the child's standard output.
#[derive(Clone, Copy, PartialEq)]
enum Stdout {
    Read,
    /// Closed before the child writes (`redis-lint | head -0`).
    Closed,
}

fn exec(cwd: &Path, args: &[&str], stdin: Option<&[u8]>, stdout: Stdout) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Dropping the read end closes the pipe.
    let out = child.stdout.take().filter(|_| stdout == Stdout::Read);
    let err = child.stderr.take().unwrap();
    let input = child.stdin.take();
    let bytes = stdin.map(<[u8]>::to_vec);
    let feeder = std::thread::spawn(move || {
        if let (Some(mut pipe), Some(bytes)) = (input, bytes) {
            let _ = pipe.write_all(&bytes);
        }
    });
    let out = bounded::drain(out);
    let err = bounded::drain(Some(err));
    let what = format!("redis-lint {args:?}");
    let (status, _) = bounded::wait_within(&mut child, TIMEOUT, &what);
    feeder.join().unwrap();
    Run {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn lint(cwd: &Path, args: &[&str]) -> Run {
    exec(cwd, args, None, Stdout::Read)
}

fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.rs"), GOOD).unwrap();
    dir
}

/// Diagnostics of `rule` in a file named `file`.
fn hits<'a>(doc: &'a Value, file: &str, rule: &str) -> Vec<&'a Value> {
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            let f = d["file"].as_str().unwrap();
            (f == file || f.ends_with(&format!("/{file}"))) && d["rule"] == rule
        })
        .collect()
}

fn assert_good_linted(doc: &Value) {
    assert_eq!(hits(doc, "good.rs", "key-keys-command").len(), 1, "{doc:#}");
}

/// A Redis function whose body holds `code`.
fn body(code: &str) -> String {
    format!(
        "use redis::Commands;\n\npub fn deep(con: &mut redis::Connection, x: i64) \
         -> redis::RedisResult<Vec<String>> {{\n    {code}\n    con.keys(\"user:*\")\n}}\n"
    )
}

/// Nesting without brackets, one level per line: each aborted the process
/// (the release build at 50k to 100k levels of types and closures, 1M of
/// unary operators; the debug build at a tenth of that).
fn deep_by_line() -> Vec<(&'static str, String)> {
    const N: usize = 100_000;
    let lines = |unit: &str| unit.repeat(N);
    vec![
        (
            "closures.rs",
            body(&format!("let _ = {}x;", lines("|x|\n"))),
        ),
        (
            "refs.rs",
            body(&format!("let _: {}u8 = panic!();", lines("&\n"))),
        ),
        (
            "ptrs.rs",
            body(&format!("let _: {}u8 = panic!();", lines("*const\n"))),
        ),
        (
            "fns.rs",
            body(&format!("let _: {}u8 = panic!();", lines("fn() ->\n"))),
        ),
        (
            "boxes.rs",
            body(&format!(
                "let _: {}u8{} = panic!();",
                lines("Box<\n"),
                lines(">\n")
            )),
        ),
        (
            "vecs.rs",
            body(&format!(
                "let _: {}u8{} = Vec::new();",
                lines("Vec<\n"),
                lines(">\n")
            )),
        ),
        ("nots.rs", body(&format!("let _ = {}true;", lines("!\n")))),
        ("negs.rs", body(&format!("let _ = {}x;", lines("-\n")))),
        ("derefs.rs", body(&format!("let _ = {}x;", lines("*\n")))),
        ("borrows.rs", body(&format!("let _ = {}x;", lines("&\n")))),
        (
            "returns.rs",
            body(&format!("let _ = {}x;", lines("return\n"))),
        ),
        (
            "assigns.rs",
            body(&format!("let mut a = 0; {}1;", lines("a +=\n"))),
        ),
        (
            "patterns.rs",
            body(&format!("let {}y = panic!();", lines("&\n"))),
        ),
        (
            "methods.rs",
            body(&format!("let _ = x{};", lines("\n.f()").repeat(3))),
        ),
    ]
}

fn assert_too_deep(doc: &Value, file: &str) {
    let found = hits(doc, file, "parse-error");
    assert_eq!(found.len(), 1, "{file}: {doc:#}");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("too deeply nested"), "{file}: {message}");
}

#[test]
fn nesting_one_level_per_line_is_a_problem_of_its_file() {
    let dir = folder();
    let shapes = deep_by_line();
    for (name, source) in &shapes {
        std::fs::write(dir.path().join(name), source).unwrap();
    }
    let run = lint(dir.path(), &["--format", "json", "."]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let doc = run.json();
    assert_good_linted(&doc);
    for (name, _) in &shapes {
        assert_too_deep(&doc, name);
    }
}

/// A file nested `n` levels deep in one way.
type Nest = fn(usize) -> String;

/// The pre-scan's limit is safe: for each kind of nesting, the deepest
/// file it lets through parses without overflowing the stack (in the
/// debug build, whose frames are the largest).
#[test]
fn the_deepest_nesting_let_through_parses() {
    let kinds: [(&str, Nest); 7] = [
        ("closures.rs", |n| {
            body(&format!("let _ = {}x;", "|x|\n".repeat(n)))
        }),
        ("boxes.rs", |n| {
            body(&format!(
                "let _: {}u8{} = panic!();",
                "Box<\n".repeat(n),
                ">\n".repeat(n)
            ))
        }),
        ("refs.rs", |n| {
            body(&format!("let _: {}u8 = panic!();", "&'a\n".repeat(n)))
        }),
        ("nots.rs", |n| {
            body(&format!("let _ = {}true;", "!\n".repeat(n)))
        }),
        ("assigns.rs", |n| {
            body(&format!("let mut a = 0; {}1;", "a +=\n".repeat(n)))
        }),
        ("methods.rs", |n| {
            body(&format!("let _ = x{};", "\n.f()".repeat(n)))
        }),
        ("parens.rs", |n| {
            body(&format!("let _ = {}x{};", "(\n".repeat(n), ")\n".repeat(n)))
        }),
    ];
    let dir = folder();
    for (name, make) in kinds {
        // The largest depth let through, by bisection.
        let (mut ok, mut refused) = (1, 100_000);
        while refused - ok > 1 {
            let mid = (ok + refused) / 2;
            match redis_lint::parse::prescan::check(&make(mid)) {
                Ok(()) => ok = mid,
                Err(_) => refused = mid,
            }
        }
        std::fs::write(dir.path().join(name), make(ok)).unwrap();
    }
    let run = lint(dir.path(), &["--format", "json", "."]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let doc = run.json();
    for (name, _) in kinds {
        assert_eq!(
            hits(&doc, name, "key-keys-command").len(),
            1,
            "{name}: {doc:#}"
        );
    }
}

#[test]
fn nesting_on_standard_input_is_a_problem_of_its_file() {
    let dir = tempfile::tempdir().unwrap();
    for (name, source) in deep_by_line().into_iter().take(2) {
        let args = ["--format", "json", "--stdin-filename", name];
        let run = exec(dir.path(), &args, Some(source.as_bytes()), Stdout::Read);
        assert_eq!(run.code(), 1, "{name}: {}", run.stderr);
        assert_too_deep(&run.json(), name);
    }
}

/// 3,000 nested parentheses lint fine on a worker's large stack, but the
/// fixed text was parsed again on the main thread, which overflowed.
#[test]
fn fix_and_diff_parse_the_fixed_file_on_a_large_stack() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        "{FLUSH}pub fn deep() -> i64 {{ {}1{} }}\n",
        "(".repeat(3_000),
        ")".repeat(3_000)
    );
    let file = dir.path().join("deep.rs");
    std::fs::write(&file, &deep).unwrap();
    let diff = lint(dir.path(), &["--diff", "deep.rs"]);
    assert_eq!(diff.code(), 1, "{}", diff.stderr);
    assert!(
        diff.stdout
            .contains("+    redis::cmd(\"FLUSHALL\").arg(\"ASYNC\")"),
        "{}",
        diff.stdout
    );
    let fix = lint(dir.path(), &["--fix", "--format", "json", "deep.rs"]);
    assert_eq!(fix.code(), 0, "{}", fix.stderr);
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert!(fixed.contains(".arg(\"ASYNC\")"), "{}", fix.stderr);
}

#[test]
fn files_over_the_size_limit_are_skipped_with_a_problem() {
    let dir = folder();
    let big = format!("{GOOD}{}", "// padding\n".repeat(200));
    std::fs::write(dir.path().join("big.rs"), &big).unwrap();
    let run = lint(
        dir.path(),
        &["--format", "json", "--max-file-size", "1000", "."],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let doc = run.json();
    assert_good_linted(&doc);
    let problem = hits(&doc, "big.rs", "read-error");
    assert_eq!(problem.len(), 1, "{doc:#}");
    assert!(problem[0]["message"]
        .as_str()
        .unwrap()
        .contains("larger than 1000 bytes"));
    assert!(hits(&doc, "big.rs", "key-keys-command").is_empty());

    let args = [
        "--format",
        "json",
        "--max-file-size",
        "1000",
        "--stdin-filename",
        "in.rs",
    ];
    let stdin = exec(dir.path(), &args, Some(big.as_bytes()), Stdout::Read);
    assert_eq!(stdin.code(), 1, "{}", stdin.stderr);
    assert_eq!(hits(&stdin.json(), "in.rs", "read-error").len(), 1);
}

/// The default limit: a 200 MB file (sparse: no 200 MB written) is not read.
#[test]
fn a_huge_file_is_not_read() {
    let dir = folder();
    let huge = std::fs::File::create(dir.path().join("huge.rs")).unwrap();
    huge.set_len(200 << 20).unwrap();
    let started = Instant::now();
    let run = lint(dir.path(), &["--format", "json", "."]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let doc = run.json();
    assert_good_linted(&doc);
    assert_eq!(hits(&doc, "huge.rs", "read-error").len(), 1, "{doc:#}");
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// A long line inside a string literal (an embedded blob) cannot hide
/// nesting: the file is linted like any other.
#[test]
fn a_long_line_in_a_string_literal_is_linted() {
    let dir = tempfile::tempdir().unwrap();
    let blob = "QUJD".repeat(40_000);
    let source = format!(
        "{GOOD}pub const BLOB: &str = \"{blob}\";\npub const RAW: &[u8] = br#\"{blob}\"#;\n"
    );
    std::fs::write(dir.path().join("blob.rs"), source).unwrap();
    let run = lint(dir.path(), &["--format", "json", "."]);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let doc = run.json();
    assert_eq!(
        hits(&doc, "blob.rs", "key-keys-command").len(),
        1,
        "{doc:#}"
    );
    assert_eq!(doc["summary"]["problems"], 0, "{doc:#}");
}

#[test]
fn threads_are_clamped_with_a_note() {
    let dir = folder();
    let started = Instant::now();
    let run = lint(
        dir.path(),
        &["--format", "json", "--threads", "100000", "."],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert_good_linted(&run.json());
    assert!(run.stderr.contains("--threads 100000"), "{}", run.stderr);
    assert!(started.elapsed() < Duration::from_secs(60));
}

/// A file that cannot be written does not stop the others; each is
/// reported, the run fails, and what was written keeps its permissions.
#[cfg(unix)]
#[test]
fn fix_writes_every_file_it_can_and_says_which_not() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (locked, open) = (dir.path().join("a.rs"), dir.path().join("b.rs"));
    std::fs::write(&locked, FLUSH).unwrap();
    std::fs::write(&open, FLUSH).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o640)).unwrap();
    let run = lint(dir.path(), &["--fix", "--format", "json", "."]);
    assert_eq!(run.code(), 2, "{}", run.stderr);
    assert!(run.stderr.contains("cannot write a.rs"), "{}", run.stderr);
    assert!(run.stderr.contains("(b.rs)"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&locked).unwrap(), FLUSH);
    assert!(std::fs::read_to_string(&open)
        .unwrap()
        .contains(".arg(\"ASYNC\")"));
    let mode = std::fs::metadata(&open).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 2, "no temporary file is left behind: {left:?}");
    // The report after fixing still shows the file left unfixed.
    assert_eq!(hits(&run.json(), "a.rs", "cmd-dangerous-command").len(), 1);
}

/// `redis-lint | head -1`: the reader is gone; the run ends quietly with
/// the exit code it would have had.
#[test]
fn a_closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let many: String = (0..3_000)
        .map(|i| {
            format!(
                "pub fn r{i}(con: &mut redis::Connection) -> redis::RedisResult<Vec<String>> \
                 {{ con.keys(\"user:*\") }}\n"
            )
        })
        .collect();
    std::fs::write(
        dir.path().join("many.rs"),
        format!("use redis::Commands;\n{many}"),
    )
    .unwrap();
    let run = exec(dir.path(), &["--color", "never", "."], None, Stdout::Closed);
    assert_eq!(run.code(), 1, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn invalid_utf8_on_standard_input_is_a_problem_like_in_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = b"use redis::Commands;\n// caf\xe9\nfn f() {}\n";
    std::fs::write(dir.path().join("bad.rs"), bytes).unwrap();
    let file = lint(dir.path(), &["--format", "json", "bad.rs"]);
    let args = ["--format", "json", "--stdin-filename", "bad.rs"];
    let stdin = exec(dir.path(), &args, Some(bytes), Stdout::Read);
    assert_eq!(file.code(), 1, "{}", file.stderr);
    assert_eq!(stdin.code(), 1, "{}", stdin.stderr);
    assert_eq!(hits(&stdin.json(), "bad.rs", "read-error").len(), 1);
    assert_eq!(file.json()["diagnostics"], stdin.json()["diagnostics"]);
}

#[test]
fn a_missing_path_does_not_stop_the_others() {
    let dir = folder();
    let run = lint(dir.path(), &["--format", "json", "good.rs", "no-such.rs"]);
    assert_eq!(run.code(), 2, "{}", run.stderr);
    assert!(run.stderr.contains("no-such.rs"), "{}", run.stderr);
    let doc = run.json();
    assert_good_linted(&doc);
    assert_eq!(hits(&doc, "no-such.rs", "read-error").len(), 1, "{doc:#}");
}

#[test]
fn files_that_are_not_rust_are_skipped_with_a_note() {
    let dir = folder();
    std::fs::write(dir.path().join("notes.md"), "# Notes\n\nfn main() {\n").unwrap();
    std::fs::write(dir.path().join("tool.py"), "import redis\nr.keys('*')\n").unwrap();
    let run = lint(
        dir.path(),
        &["--format", "json", "good.rs", "notes.md", "tool.py"],
    );
    assert_eq!(run.code(), 1, "{}", run.stderr);
    let doc = run.json();
    assert_good_linted(&doc);
    assert_eq!(doc["summary"]["problems"], 0, "{doc:#}");
    assert_eq!(doc["summary"]["files_scanned"], 1, "{doc:#}");
    for name in ["notes.md", "tool.py"] {
        assert!(
            run.stderr.contains(&format!("{name}: not a Rust file")),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn nothing_to_lint_is_said() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let run = lint(dir.path(), &["empty"]);
    assert_eq!(run.code(), 0, "{}", run.stderr);
    assert!(run.stderr.contains("no Rust files found"), "{}", run.stderr);
}
