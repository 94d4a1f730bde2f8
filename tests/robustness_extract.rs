//! Hostile Rust input for extraction: key templates that double or grow
//! per line, calls and macros nested thousands deep in a key, long
//! assignment chains, consts that name each other many times. Each used
//! to take gigabytes or minutes; each must now finish within a few seconds
//! and a few hundred MB (keys past a bound become "too complex", macros
//! nested past a bound are not parsed again).
//!
//! Each input is generated into a fresh temp folder and linted by the
//! built binary, whose peak memory (`VmHWM`) is read from `/proc` while it
//! runs; it is killed, and the test fails, past either bound.
//! `REDIS_LINT_BIN` runs another build instead (an older release, to see
//! the tests fail on it).

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The binary under test.
fn bin() -> String {
    std::env::var("REDIS_LINT_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_redis-lint").into())
}

/// Wall-clock bound. The release build takes well under a second on each
/// input; the test binary is a debug build on a shared machine.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Peak resident memory bound, in KiB.
const MAX_RSS_KIB: u64 = 300 * 1024;

const HEAD: &str = "use redis::Commands;\n\
pub fn f(con: &mut redis::Connection) -> redis::RedisResult<()> {\n";

/// A file with one fn: `body` lines, then a GET of `key`.
fn redis_fn(body: &str, key: &str) -> String {
    format!("{HEAD}{body}    let _: String = con.get({key})?;\n    Ok(())\n}}\n")
}

/// A fresh folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "redis-lint-extract-{}-{}-{name}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Peak resident memory of a running process, in KiB.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Lints `source` as `lib.rs` and checks the run ends in time, within the
/// memory bound, with findings or none (exit 0 or 1) and valid JSON.
fn lints_within_bounds(name: &str, source: &str) {
    lints_within(name, source, TIMEOUT)
}

/// [`lints_within_bounds`] with another time bound.
fn lints_within(name: &str, source: &str, timeout: Duration) {
    lints_files_within(name, &[("lib.rs", source)], timeout)
}

/// Lints the folder of `files` (relative paths and texts) within the
/// bounds.
fn lints_files_within(name: &str, files: &[(&str, &str)], timeout: Duration) {
    let scratch = Scratch::new(name);
    let out_path = scratch.0.join("out.json");
    for (rel, text) in files {
        let path = scratch.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut child = Command::new(bin())
        .args(["--format", "json", "."])
        .current_dir(&scratch.0)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let mut peak = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        peak = peak.max(peak_rss_kib(child.id()).unwrap_or(0));
        let (late, big) = (started.elapsed() > timeout, peak > MAX_RSS_KIB);
        if late || big {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{name}: killed after {:?} at {} MB peak (bounds: {timeout:?}, {} MB)",
                started.elapsed(),
                peak / 1024,
                MAX_RSS_KIB / 1024
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "{name}: exit status {status}"
    );
    let out = std::fs::read_to_string(&out_path).unwrap();
    serde_json::from_str::<serde_json::Value>(&out)
        .unwrap_or_else(|e| panic!("{name}: output is not JSON ({e}): {out}"));
}

/// `let v2 = v1.clone() + &v1;` 27 times: the key doubles per line.
#[test]
fn doubling_key_stays_small() {
    let mut body = String::from("    let v1 = \"k\".to_string();\n");
    for i in 2..=27 {
        body += &format!("    let v{i} = v{p}.clone() + &v{p};\n", p = i - 1);
    }
    lints_within_bounds("doubling", &redis_fn(&body, "&v27"));
}

/// `let vN = vN-1 + 1;` 16,000 times: the key grows by a part per line.
#[test]
fn growing_key_stays_small() {
    let mut body = String::from("    let v0 = \"k\".to_string();\n");
    for i in 1..=16_000 {
        body += &format!("    let v{i} = v{} + 1;\n", i - 1);
    }
    lints_within_bounds("growing", &redis_fn(&body, "&v16000"));
}

/// `push_str` and `format!` of a key into itself, in a chain.
#[test]
fn appended_key_stays_small() {
    let mut body = String::from("    let mut k = \"k\".to_string();\n");
    for _ in 0..24 {
        body += "    let j = format!(\"{}{}\", k, k);\n    k.push_str(&j);\n";
    }
    lints_within_bounds("appended", &redis_fn(&body, "&k"));
}

/// `g(g(g(…x…)))` in a key, as deep as the parse-depth guard lets through
/// (8,000 brackets, the fn's own included).
#[test]
fn deep_call_in_key() {
    let depth = 7_990;
    let key = format!("{}x{}", "g(".repeat(depth), ")".repeat(depth));
    lints_within_bounds("deep-call", &redis_fn("", &key));
}

/// `g(x.m(g(x.m(…))))`: each level's argument is a hole whose text would
/// be the whole rest of the nesting.
#[test]
fn deep_hole_in_key() {
    let depth = 3_900;
    let key = format!("{}x{}", "g(x.m(".repeat(depth), "))".repeat(depth));
    lints_within_bounds("deep-hole", &redis_fn("", &key));
}

/// `format!("a{}", format!("a{}", …))` 1,000 deep.
#[test]
fn nested_format_in_key() {
    let depth = 1_000;
    let key = format!(
        "{}x{}",
        "format!(\"a{}\", ".repeat(depth),
        ")".repeat(depth)
    );
    lints_within_bounds("nested-format", &redis_fn("", &key));
}

/// `vec![vec![…]]` 7,000 deep as a key argument (1,000 deep took half
/// a second, quadratic: a size that fails the time bound before the fix).
#[test]
fn nested_vec_in_key() {
    let depth = 7_000;
    let key = format!("{}\"k\"{}", "vec![".repeat(depth), "]".repeat(depth));
    lints_within_bounds("nested-vec", &redis_fn("", &key));
}

/// `a = a = … = b` 20,000 long (5,000 took 3 s, quadratic).
#[test]
fn long_assignment_chain() {
    let body = format!(
        "    let mut a = String::new();\n    a = {}b;\n",
        "a = ".repeat(20_000)
    );
    lints_within_bounds("assign-chain", &redis_fn(&body, "&a"));
}

/// Consts that each name the one before 60 times: resolving the last one
/// would take 60⁸ parts.
#[test]
fn consts_naming_each_other() {
    let mut src = String::from("const K0: &str = \"k\";\n");
    for i in 1..=9 {
        let refs = vec![format!("K{}", i - 1); 60].join(", ");
        src += &format!("const K{i}: &str = concat!({refs});\n");
    }
    src += &redis_fn("", "K9");
    lints_within_bounds("consts", &src);
}

/// `let a = { let a = { … 1 }; a };` as deep as the parse-depth guard lets
/// through (2,600 levels): every `let` scanned its whole initialiser for
/// the bindings it reads, n² in all (2,600 levels took over 4 s in a debug
/// build, 0.6 s now: the bound is tighter than the others').
#[test]
fn nested_let_blocks() {
    let nest = |n: usize| {
        let init = format!(
            "{}1{}",
            "{\n    let a = ".repeat(n),
            ";\n    a\n}".repeat(n)
        );
        redis_fn(&format!("    let a = {init};\n"), "&a")
    };
    // The deepest the guard lets through, by bisection.
    let (mut ok, mut refused) = (1, 20_000);
    while refused - ok > 1 {
        let mid = (ok + refused) / 2;
        match redis_lint::parse::prescan::check(&nest(mid)) {
            Ok(()) => ok = mid,
            Err(_) => refused = mid,
        }
    }
    assert!(ok > 2_000, "the guard refuses {refused} levels");
    lints_within("nested-let-blocks", &nest(ok), Duration::from_secs(4));
}

/// Key templates are bounded per file, but consts from several files
/// substituted into one key multiply: a 60 KB const named 60 times by a
/// const of a second file, named 60 times by a third, was a 60 MB key
/// built again at each of 200 uses (5.5 s in a debug build; 0.2 s now).
#[test]
fn consts_of_several_files_in_one_key() {
    let manifest =
        "[package]\nname = \"s\"\nversion = \"0.1.0\"\n\n[dependencies]\nredis = \"0.27\"\n";
    let a = format!("pub const K0: &str = \"{}\";\n", "x".repeat(60_000));
    let b = format!(
        "use crate::a::K0;\npub const K1: &str = concat!({});\n",
        ["K0"; 60].join(", ")
    );
    let c = format!(
        "use crate::b::K1;\npub const K2: &str = concat!({});\n",
        ["K1"; 60].join(", ")
    );
    let lib = format!(
        "mod a;\nmod b;\nmod c;\nuse crate::c::K2;\n{}",
        redis_fn(&"    let _: String = con.get(K2)?;\n".repeat(200), "K2")
    );
    let files = [
        ("Cargo.toml", manifest),
        ("src/a.rs", &a),
        ("src/b.rs", &b),
        ("src/c.rs", &c),
        ("src/lib.rs", &lib),
    ];
    lints_files_within("multi-file-consts", &files, Duration::from_secs(3));
}
