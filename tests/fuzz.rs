//! Property tests of the whole pipeline (walk, read, prefilter, parse,
//! extract, resolve, rules, report) on bad and odd input: token soup built
//! from Rust and Redis fragments, code from a small Redis-flavoured grammar
//! (parses more often, so it reaches the extractor and the rules), fns that
//! build keys out of keys (to reach the key size bounds), and
//! mutations of the real fixtures, all linted in process. No input may
//! panic, produce an `internal-error`, or break the JSON document.
//! Two more generators run the binary, measuring its time and peak memory:
//! one-level-per-line nesting around the parse guard's limits
//! ([`nesting`]) and redis.conf include graphs ([`includes`]).
//!
//! - `REDIS_LINT_FUZZ_CASES`: cases per property (default 128 in process,
//!   fewer through the binary: a few seconds in a debug build).
//! - `REDIS_LINT_FUZZ_SECS`: keep generating until this many seconds have
//!   passed, per property.
//! - `REDIS_LINT_FUZZ_SEED`: the first seed (default: a fixed one, so that
//!   `cargo test` is repeatable; from the clock in a timed run); each batch
//!   of cases uses the next one, and a failure names its seed.
//! - `REDIS_LINT_FUZZ_SHOW`: print every input (to judge the generators).
//!
//! The long run (60 minutes: 15 per property, one after the other, one
//! thread, the release build at the lowest priority):
//!
//! ```text
//! REDIS_LINT_FUZZ_SECS=900 nice -n 19 cargo test --release --test fuzz -- \
//!     --test-threads=1 --nocapture fuzz_ 2>&1 | tee fuzz.log
//! ```
//!
//! Each property ends with its inputs executed, what they reached, and
//! its slowest and most memory-hungry input.
//!
//! A failing in-process input, once shrunk, is saved as
//! `fixtures/parse_errors/fuzz_<hash>.rs`, and `fuzz_regressions` lints every
//! such file on each `cargo test`; a failing nesting or include input is
//! printed (its shape, not megabytes of text) to become a test in
//! `tests/robustness_*.rs`.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::{select, subsequence, Index};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use redis_lint::diagnostic::Outcome;
use redis_lint::engine::{self, Options, Prefilter};
use redis_lint::rules::REGISTRY;
use serde_json::Value;

#[path = "fuzz/includes.rs"]
mod includes;
#[path = "fuzz/nesting.rs"]
mod nesting;
#[path = "fuzz/run.rs"]
mod run;

const DEFAULT_CASES: u64 = 128;

/// What one input reached, for judging the generators: every file parsed,
/// a finding, a parse error, a read error.
type Reached = [bool; 4];
/// Cases per runner (and seed) in a timed run.
const BATCH: u32 = 256;
/// One input that takes longer than this is a hang.
const CASE_TIMEOUT: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------- inputs --

/// One file of a case, at a path relative to the case's folder.
#[derive(Debug, Clone)]
struct File {
    rel: &'static str,
    text: Vec<u8>,
}

/// A folder to lint: maybe a crate (manifest, lock file), one to three
/// source files, and how to lint it.
#[derive(Debug, Clone)]
struct Case {
    manifest: Option<&'static str>,
    lock: Option<&'static str>,
    files: Vec<File>,
    tests: bool,
    prefilter: bool,
}

/// Where a case's files go: crate sources, an example, test code.
const PLACES: &[&str] = &[
    "src/lib.rs",
    "src/main.rs",
    "src/cache.rs",
    "src/handlers/mod.rs",
    "src/bin/worker.rs",
    "examples/report.rs",
    "tests/it.rs",
    "benches/load.rs",
];

const MANIFESTS: &[&str] = &[
    "[package]\nname = \"fz\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nredis = \"0.23\"\n",
    "[package]\nname = \"fz\"\nversion = \"0.1.0\"\n\n[dependencies]\nredis = { version = \"1\", features = [\"cluster\", \"tokio-comp\"] }\nfred = \"10\"\n",
    "[package]\nname = \"fz\"\nversion = \"0.1.0\"\n\n[dependencies]\ndeadpool-redis = \"0.23\"\nbb8-redis = \"0.26\"\nr2d2 = \"0.8\"\nredis = { version = \"0.27\", features = [\"r2d2\"] }\n",
    "[package]\nname = \"fz\"\nversion = \"0.1.0\"\n",
    "",
    "[package\nname = \"broken\"\n",
    "[package]\nname = 5\n[dependencies]\nredis = 7\nfred = { version = [1], features = \"x\" }\n",
    "[dependencies]\nredis = { workspace = true }\n[workspace]\nmembers = 3\n",
    "[package]\nname = \"fz\"\n[dependencies.redis]\nversion = \">=0.21, <2\"\ndefault-features = false\n[target.'cfg(unix)'.dependencies]\nfred = \"*\"\n",
    "\u{feff}[package]\r\nname = \"fz\"\r\n[dependencies]\r\nredis = \"\"\r\n",
];

const LOCKS: &[&str] = &[
    "version = 3\n\n[[package]]\nname = \"redis\"\nversion = \"0.23.3\"\n",
    "version = 4\n\n[[package]]\nname = \"redis\"\nversion = \"1.0.0\"\n\n[[package]]\nname = \"redis\"\nversion = \"0.25.1\"\n",
    "[[package]]\nname = \"redis\"\nversion = 12\n",
    "garbage = [\n",
];

/// Rust and Redis fragments for token soup.
const FRAGMENTS: &[&str] = &[
    "con.",
    "conn.",
    "self.con.",
    "client.",
    "pool.get().await?.",
    "pool.get()?.",
    "redis_conn.",
    "keys(",
    "get(",
    "set(",
    "set_ex(",
    "set_nx(",
    "set_options(",
    "expire(",
    "del(",
    "hset(",
    "hgetall(",
    "blpop(",
    "brpop(",
    "blmove(",
    "bzpopmin(",
    "lpush(",
    "incr(",
    "sadd(",
    "sunion(",
    "mget(",
    "mset(",
    "scan_match(",
    "publish(",
    "flushall(",
    "flushdb(",
    "query(",
    "query_async(",
    "arg(",
    "cmd(",
    "exec_async(",
    "custom(",
    "xread_options(",
    "eval(",
    "rename(",
    "redis::cmd(\"",
    "redis::cmd(\"KEYS\")",
    "redis::cmd(\"SET\")",
    "redis::pipe()",
    ".atomic()",
    ".ignore()",
    ".query(&mut con)",
    ".query_async(&mut con)",
    "format!(\"{}:{}\", ",
    "format!(\"user:{id}\")",
    "format!(",
    "\"",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ";",
    ",",
    ".",
    ".await",
    "?",
    ".await?",
    "for x in ",
    "loop {",
    "while ",
    "while let Some(x) = ",
    "if ",
    "else ",
    "match ",
    "=>",
    "let ",
    "let mut ",
    " = ",
    "&mut ",
    "&",
    "use redis::Commands;",
    "use redis::AsyncCommands;",
    "use fred::prelude::*;",
    "use deadpool_redis::Pool;",
    "fn f(",
    "async fn h(",
    "pub ",
    "con: &mut redis::Connection",
    "con: redis::aio::MultiplexedConnection",
    "pool: deadpool_redis::Pool",
    "client: fred::clients::Client",
    ") -> redis::RedisResult<()> ",
    "|x|",
    "move |x|",
    "async move ",
    "::<",
    ">",
    "<",
    "String",
    "Vec<String>",
    "_",
    "()",
    "Ok(())",
    "return ",
    "break",
    "continue",
    "const K: &str = ",
    "static P: ",
    "struct S ",
    "{ con: redis::Connection }",
    "impl S ",
    "&self",
    "&mut self",
    "self.",
    "#[test]",
    "#[cfg(test)]",
    "mod tests ",
    "#[tokio::main]",
    "redis::Client::open(\"redis://127.0.0.1/\")",
    ".get_connection()",
    ".get_multiplexed_async_connection()",
    "Duration::from_secs(0)",
    "Duration::ZERO",
    "0",
    "1",
    "0.0",
    "\"user:*\"",
    "\"lock:{}\"",
    "\"{tag}:a\"",
    "r#\"raw\"#",
    "'a",
    "b'x'",
    "//",
    "/*",
    "*/",
    "//~ key-keys-command",
    "\n",
    "#",
    "!",
    "$",
    "\\",
    "..",
    "..=",
    "+",
    "-",
    "*",
    "=",
    "==",
    "::",
    "mod m;",
    "cmd!(\"KEYS\")",
    "vec![",
    "Some(",
    "None",
    "x",
    "id",
    "key",
    "EX",
    "NX",
    "PX",
    "\"EX\"",
    "\"NX\"",
    "tokio::spawn(",
    "get(handler)",
    "Router::new().route(\"/\", ",
    "#[get(\"/\")]",
    "State(pool): State<Pool>",
    "impl ",
    "dyn ",
    "where ",
    "'static",
    "unsafe ",
    "macro_rules! m { () => {} }",
    "m!()",
    "r#type",
    "ç",
    "🦀",
    "\u{200b}",
    "\u{301}",
    "\t",
    "\r\n",
    "\u{feff}",
];

/// Key expressions for the grammar.
const KEYS: &[&str] = &[
    "\"user:*\"",
    "\"*\"",
    "\"session:42\"",
    "\"lock:job\"",
    "\"{tag}:a\"",
    "\"{tag}:b\"",
    "\"counter\"",
    "\"\"",
    "format!(\"user:{id}\")",
    "format!(\"{}:{}\", PREFIX, id)",
    "format!(\"{PREFIX}:{}\", id)",
    "key_for(id)",
    "user_key(&name)",
    "PREFIX",
    "&key",
    "key.as_str()",
    "LOCK_KEY",
    "[\"a\", \"b\"]",
    "vec![\"{x}:1\", \"{x}:2\"]",
    "&keys[..]",
    "\"ça:é\"",
    "\"🦀:*\"",
    "concat!(\"a\", \":b\")",
];

const RECEIVERS: &[&str] = &[
    "con",
    "conn",
    "self.con",
    "client",
    "pool.get().await?",
    "pool.get()?",
    "redis_conn",
    "(&mut con)",
    "state.redis",
    "self.pool.get().await.unwrap()",
    "CLIENT.get_connection()?",
    "get_conn()",
    "map",
    "cache",
    "x",
];

const METHODS: &[&str] = &[
    "keys",
    "get",
    "set",
    "set_ex",
    "set_nx",
    "set_options",
    "expire",
    "pexpire",
    "del",
    "hset",
    "hgetall",
    "blpop",
    "brpop",
    "blmove",
    "bzpopmin",
    "brpoplpush",
    "lpush",
    "rpush",
    "incr",
    "sadd",
    "sunion",
    "sinter",
    "smove",
    "mget",
    "mset",
    "rename",
    "scan_match",
    "publish",
    "flushall",
    "flushdb",
    "eval",
    "xread_options",
    "xreadgroup",
    "get_connection",
    "get_multiplexed_async_connection",
    "get_connection_manager",
    "query",
    "query_async",
    "arg",
    "custom",
    "exec_async",
    "wait",
    "insert",
    "iter",
    "clone",
    "unwrap",
    "to_string",
];

const COMMANDS: &[&str] = &[
    "KEYS", "SET", "GET", "SETNX", "EXPIRE", "DEL", "BLPOP", "BRPOP", "FLUSHALL", "FLUSHDB",
    "CONFIG", "DEBUG", "SUNION", "MGET", "MSET", "EVAL", "SCAN", "WAIT", "set", "keys", "",
];

const PARAMS: &[&str] = &[
    "con: &mut redis::Connection",
    "con: &mut redis::aio::MultiplexedConnection",
    "mut con: redis::aio::ConnectionManager",
    "client: &redis::Client",
    "client: &redis::cluster::ClusterClient",
    "pool: &deadpool_redis::Pool",
    "pool: bb8::Pool<bb8_redis::RedisConnectionManager>",
    "pool: r2d2::Pool<redis::Client>",
    "client: fred::clients::Client",
    "client: &fred::clients::Pool",
    "map: &HashMap<String, String>",
    "cache: &mut Vec<String>",
    "id: u64",
    "name: &str",
    "keys: &[String]",
    "State(pool): State<deadpool_redis::Pool>",
    "data: web::Data<redis::Client>",
    "&mut self",
    "&self",
];

const TYPES: &[&str] = &[
    "redis::Connection",
    "redis::aio::MultiplexedConnection",
    "redis::Client",
    "deadpool_redis::Pool",
    "fred::clients::Client",
    "Arc<Mutex<redis::Connection>>",
    "HashMap<String, String>",
    "Option<redis::cluster::ClusterConnection>",
];

const USES: &[&str] = &[
    "use redis::Commands;",
    "use redis::AsyncCommands;",
    "use redis::{self, Commands as _, RedisResult};",
    "use fred::prelude::*;",
    "use fred::interfaces::KeysInterface;",
    "use deadpool_redis::{Config, Pool, Runtime};",
    "use std::collections::HashMap;",
    "use std::time::Duration;",
    "use crate::prelude::*;",
    "pub use redis::Commands as RedisCommands;",
    "use super::*;",
];

const FN_NAMES: &[&str] = &[
    "f", "g", "handler", "key_for", "user_key", "get_conn", "main", "new",
];
const STRUCTS: &[&str] = &["S", "Cache", "AppState", "Repo"];

fn lit(options: &'static [&'static str]) -> BoxedStrategy<String> {
    select(options).prop_map(str::to_string).boxed()
}

/// Token soup: fragments, literals, numbers and odd characters with
/// assorted whitespace, optionally inside a fn with a Redis connection.
fn soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        24 => lit(FRAGMENTS),
        2 => "[a-z:{}*_ 0-9\\\\\"]{0,12}".prop_map(|s| format!("\"{s}\"")),
        2 => prop_oneof![0u64..100, any::<u64>()].prop_map(|n| n.to_string()),
        1 => any::<char>().prop_map(|c| c.to_string()),
    ];
    let sep = select(&["", " ", " ", "\n", "\t", "\r\n", "\n    "][..]);
    let body = prop::collection::vec((token, sep), 0..120).prop_map(|parts| {
        parts
            .into_iter()
            .flat_map(|(t, s)| [t, s.to_string()])
            .collect::<String>()
    });
    let scaffold = select(
        &[
            "{}",
            "use redis::Commands;\n\npub fn f(con: &mut redis::Connection, id: u64) -> redis::RedisResult<()> {\n{}\n}\n",
            "use redis::AsyncCommands;\n\npub async fn f(mut con: redis::aio::MultiplexedConnection) -> redis::RedisResult<()> {\n{}\n}\n",
            "use fred::prelude::*;\n\nimpl Cache {\n    async fn f(&self, client: &fred::clients::Client) {\n{}\n    }\n}\n",
        ][..],
    );
    (scaffold, body).prop_map(|(s, b)| s.replacen("{}", &b, 1))
}

/// Redis-flavoured expressions, up to a few levels deep.
fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        4 => lit(KEYS),
        1 => (0u64..100_000).prop_map(|n| n.to_string()),
        1 => lit(&["id", "x", "key", "ttl", "Duration::from_secs(0)", "Duration::from_millis(500)", "0.0", "None", "()", "true"]),
        1 => lit(&["redis::Client::open(\"redis://127.0.0.1/\")?", "Pool::builder().build(manager).await?", "cfg.create_pool(Some(Runtime::Tokio1))?", "fred::types::config::Config::from_url(\"redis://x\")?", "redis::cluster::ClusterClient::new(vec![\"redis://a\"])?"]),
    ];
    leaf.prop_recursive(4, 48, 5, |inner| {
        let args = prop::collection::vec(inner.clone(), 0..4).prop_map(|a| a.join(", "));
        let suffix = select(&["", "?", ".await", ".await?", ".unwrap()", ".await.unwrap()"][..]);
        prop_oneof![
            4 => (lit(RECEIVERS), lit(METHODS), select(&["", "::<_, ()>", "::<String, Vec<String>>"][..]), args.clone(), suffix.clone())
                .prop_map(|(r, m, t, a, s)| format!("{r}.{m}{t}({a}){s}")),
            2 => (lit(COMMANDS), prop::collection::vec(inner.clone(), 0..4), select(&[".query(&mut con)", ".query_async(&mut con).await", ".exec(&mut con)", ""][..]), suffix.clone())
                .prop_map(|(c, a, q, s)| {
                    let args: String = a.iter().map(|x| format!(".arg({x})")).collect();
                    format!("redis::cmd(\"{c}\"){args}{q}{s}")
                }),
            1 => prop::collection::vec((lit(METHODS), args.clone()), 0..5)
                .prop_map(|calls| {
                    let chain: String = calls.iter().map(|(m, a)| format!(".{m}({a})")).collect();
                    format!("redis::pipe().atomic(){chain}.query(&mut con)?")
                }),
            1 => (lit(COMMANDS), args.clone()).prop_map(|(c, a)| format!("client.custom(cmd!(\"{c}\"), vec![{a}]).await?")),
            1 => (lit(FN_NAMES), args.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("format!(\"{{}}:{{}}\", {a}, {b})")),
            1 => inner.clone().prop_map(|e| format!("({e})")),
            1 => inner.clone().prop_map(|e| format!("&mut {e}")),
            1 => inner.clone().prop_map(|e| format!("move |x| {e}")),
            1 => prop::collection::vec(inner.clone(), 0..4).prop_map(|s| format!("{{ {}; }}", s.join("; "))),
            1 => (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| format!("if {c} {{ {a} }} else {{ {b} }}")),
            1 => (inner.clone(), inner.clone(), inner.clone()).prop_map(|(e, a, b)| format!("match {e} {{ Ok(v) => {a}, Err(_) => {b} }}")),
            1 => (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("for x in {a} {{ {b}; }}")),
            1 => inner.clone().prop_map(|e| format!("loop {{ {e}; break; }}")),
            1 => (inner.clone(), inner).prop_map(|(a, b)| format!("while let Some(x) = {a} {{ {b}; }}")),
        ]
    })
}

fn stmts() -> impl Strategy<Value = String> {
    let stmt = (
        select(
            &[
                "let _: () = @;",
                "let v: Vec<String> = @;",
                "let mut con = @;",
                "let key = @;",
                "@;",
                "tokio::spawn(async move { @; });",
                "return @;",
                "for x in 0..10 { @; }",
                "loop { @; }",
                "if id > 0 { @; }",
                "// @",
            ][..],
        ),
        expr(),
    )
        .prop_map(|(t, e)| t.replacen('@', &e, 1));
    prop::collection::vec(stmt, 0..6).prop_map(|s| s.join("\n    "))
}

/// A fn that builds keys out of keys, each step reading two earlier
/// bindings through `+`, `format!`, `push_str`, `clone()` or nested calls
/// of a key builder (so keys double, nest and reach the size bounds), and
/// runs commands on some of them.
fn key_chain() -> impl Strategy<Value = String> {
    let step = (0usize..6, any::<Index>(), any::<Index>(), lit(KEYS));
    let uses = prop::collection::vec((any::<Index>(), lit(METHODS)), 1..4);
    (prop::collection::vec(step, 1..48), uses, lit(FN_NAMES)).prop_map(|(steps, uses, helper)| {
        let mut body = String::from("    let mut k0 = \"k\".to_string();\n");
        for (i, (op, a, b, key)) in steps.iter().enumerate() {
            let n = i + 1;
            let (a, b) = (a.index(n), b.index(n));
            let line = match op {
                0 => format!("let mut k{n} = k{a}.clone() + &k{b};"),
                1 => format!("let mut k{n} = format!(\"{{}}:{{}}\", k{a}, k{b});"),
                2 => format!("k{a}.push_str(&k{b}); let mut k{n} = k{a}.clone();"),
                3 => format!("let mut k{n} = {helper}(k{a}.clone(), &k{b});"),
                4 => format!("let mut k{n} = {helper}(&format!(\"{{}}{{}}\", {helper}(&k{a}, {key}), k{b}), &k{a});"),
                _ => format!("let mut k{n} = k{a} + {key} + &k{b};"),
            };
            body += &format!("    {line}\n");
        }
        for (k, method) in &uses {
            body += &format!("    let _: () = con.{method}(&k{}, 1)?;\n", k.index(steps.len() + 1));
        }
        format!(
            "use redis::Commands;\n\nfn {helper}(a: &str, b: &str) -> String {{ format!(\"{{a}}:{{b}}\") }}\n\n\
             pub fn f(con: &mut redis::Connection) -> redis::RedisResult<()> {{\n{body}    Ok(())\n}}\n"
        )
    })
}

/// A file of items from the grammar.
fn grammar_file() -> impl Strategy<Value = String> {
    let params = prop::collection::vec(lit(PARAMS), 0..3).prop_map(|p| p.join(", "));
    let ret = select(
        &[
            "",
            " -> redis::RedisResult<()>",
            " -> Result<(), Box<dyn std::error::Error>>",
            " -> impl IntoResponse",
            " -> String",
        ][..],
    );
    let func = (
        select(&["", "pub ", "pub(crate) "][..]),
        select(&["", "async "][..]),
        lit(FN_NAMES),
        params,
        ret,
        stmts(),
    )
        .prop_map(|(v, a, n, p, r, b)| format!("{v}{a}fn {n}({p}){r} {{\n    {b}\n}}"))
        .boxed();
    let item = prop_oneof![
        6 => func.clone(),
        2 => lit(USES),
        1 => (lit(&["PREFIX", "LOCK_KEY", "TTL"]), lit(KEYS)).prop_map(|(n, k)| format!("const {n}: &str = {k};")),
        1 => (lit(FN_NAMES), lit(KEYS)).prop_map(|(n, k)| format!("fn {n}(id: u64) -> String {{ {k}.to_string() }}")),
        1 => (lit(STRUCTS), lit(&["con", "pool", "redis", "client"]), lit(TYPES)).prop_map(|(s, f, t)| format!("struct {s} {{ {f}: {t} }}")),
        1 => (lit(STRUCTS), prop::collection::vec(func.clone(), 0..3)).prop_map(|(s, fs)| format!("impl {s} {{\n{}\n}}", fs.join("\n"))),
        1 => lit(TYPES).prop_map(|t| format!("static CLIENT: std::sync::OnceLock<{t}> = std::sync::OnceLock::new();")),
        1 => prop::collection::vec(func.clone(), 0..3).prop_map(|fs| format!("#[cfg(test)]\nmod tests {{\n    use super::*;\n    #[test]\n{}\n}}", fs.join("\n"))),
        1 => lit(&["mod cache;", "#[cfg(test)]\nmod it;", "pub mod handlers;", "mod prelude { pub use redis::AsyncCommands; }"]),
        1 => stmts().prop_map(|b| format!("#[tokio::main]\nasync fn main() {{\n    let app = Router::new().route(\"/x\", get(handler));\n    {b}\n}}")),
        1 => stmts().prop_map(|b| format!("#[get(\"/x\")]\nasync fn handler(data: web::Data<redis::Client>) -> impl Responder {{\n    {b}\n}}")),
    ];
    prop::collection::vec(item, 1..8).prop_map(|items| items.join("\n\n") + "\n")
}

/// An edit of a fixture. Positions are fractions of the current length.
#[derive(Debug, Clone)]
enum Edit {
    DeleteChars(Index, usize),
    DuplicateChars(Index, usize, Index),
    SwapChars(Index, Index, usize),
    DeleteLine(Index),
    DuplicateLine(Index, Index),
    SwapLines(Index, Index),
    Insert(Index, String),
    Truncate(Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<Index>(), 1usize..64).prop_map(|(a, n)| Edit::DeleteChars(a, n)),
        2 => (any::<Index>(), 1usize..256, any::<Index>()).prop_map(|(a, n, b)| Edit::DuplicateChars(a, n, b)),
        2 => (any::<Index>(), any::<Index>(), 1usize..64).prop_map(|(a, b, n)| Edit::SwapChars(a, b, n)),
        3 => any::<Index>().prop_map(Edit::DeleteLine),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::DuplicateLine(a, b)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        4 => (any::<Index>(), prop_oneof![3 => lit(FRAGMENTS), 1 => expr()]).prop_map(|(a, s)| Edit::Insert(a, s)),
        1 => any::<Index>().prop_map(Edit::Truncate),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    let at = |i: &Index, len: usize| if len == 0 { 0 } else { i.index(len + 1) };
    for e in edits {
        let len = chars.len();
        match e {
            Edit::DeleteChars(a, n) => {
                let a = at(a, len);
                chars.drain(a..(a + n).min(len));
            }
            Edit::DuplicateChars(a, n, b) => {
                let a = at(a, len);
                let piece: Vec<char> = chars[a..(a + n).min(len)].to_vec();
                let b = at(b, len);
                chars.splice(b..b, piece);
            }
            Edit::SwapChars(a, b, n) => {
                let (a, b) = (at(a, len), at(b, len));
                let (a, b) = (a.min(b), a.max(b));
                let n = (*n).min(b - a).min(len - b);
                for k in 0..n {
                    chars.swap(a + k, b + k);
                }
            }
            Edit::DeleteLine(_) | Edit::DuplicateLine(..) | Edit::SwapLines(..) => {
                let s: String = chars.iter().collect();
                let mut lines: Vec<&str> = s.split('\n').collect();
                let n = lines.len();
                match e {
                    Edit::DeleteLine(a) => {
                        lines.remove(a.index(n));
                    }
                    Edit::DuplicateLine(a, b) => {
                        let line = lines[a.index(n)];
                        lines.insert(b.index(n + 1), line);
                    }
                    Edit::SwapLines(a, b) => lines.swap(a.index(n), b.index(n)),
                    _ => unreachable!(),
                }
                chars = lines.join("\n").chars().collect();
            }
            Edit::Insert(a, s) => {
                let a = at(a, len);
                chars.splice(a..a, s.chars());
            }
            Edit::Truncate(a) => chars.truncate(at(a, len)),
        }
    }
    chars.into_iter().collect()
}

/// Sometimes a byte that breaks UTF-8, to reach the read path.
fn raw_bytes() -> impl Strategy<Value = Vec<(Index, u8)>> {
    prop_oneof![
        15 => Just(Vec::new()),
        1 => prop::collection::vec((any::<Index>(), any::<u8>()), 1..3),
    ]
}

fn poke(mut bytes: Vec<u8>, pokes: &[(Index, u8)]) -> Vec<u8> {
    for (i, b) in pokes {
        let at = i.index(bytes.len() + 1);
        bytes.insert(at, *b);
    }
    bytes
}

/// The fixture files: realistic Redis code to mutate.
fn fixture_texts() -> &'static [(String, String)] {
    static TEXTS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    TEXTS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut files = Vec::new();
        for dir in ["src", "examples"] {
            rs_files(&root.join(dir), &mut files);
        }
        files.sort();
        let texts: Vec<(String, String)> = files
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).unwrap();
                (p.display().to_string(), text)
            })
            .collect();
        assert!(!texts.is_empty(), "no fixtures under {}", root.display());
        texts
    })
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A fixture after a few edits.
fn mutated_fixture() -> impl Strategy<Value = String> {
    let n = fixture_texts().len();
    (0..n, prop::collection::vec(edit(), 1..5))
        .prop_map(|(i, edits)| apply(&fixture_texts()[i].1, &edits))
}

/// Places files and picks how the folder is linted.
fn case(first: BoxedStrategy<String>, more: BoxedStrategy<String>) -> impl Strategy<Value = Case> {
    let layout = prop_oneof![
        1 => Just((None, None)),
        3 => (select(MANIFESTS), prop::option::of(select(LOCKS))).prop_map(|(m, l)| (Some(m), l)),
    ];
    (
        layout,
        first,
        prop::collection::vec(more, 0..3),
        subsequence(PLACES, 3).prop_shuffle(),
        raw_bytes(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |((manifest, lock), first, more, places, pokes, tests, prefilter)| {
                let texts = std::iter::once(first).chain(more);
                let files = texts
                    .zip(places)
                    .enumerate()
                    .map(|(i, (text, rel))| {
                        let bytes = text.into_bytes();
                        File {
                            rel,
                            text: if i == 0 { poke(bytes, &pokes) } else { bytes },
                        }
                    })
                    .collect();
                Case {
                    manifest,
                    lock,
                    files,
                    tests,
                    prefilter,
                }
            },
        )
}

fn generated() -> BoxedStrategy<String> {
    prop_oneof![2 => soup(), 4 => grammar_file(), 1 => key_chain()].boxed()
}

// ---------------------------------------------------------------- checks --

/// Lints one case in `dir` and checks every output.
fn check(dir: &Path, case: &Case) -> Result<Reached, String> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    if let Some(m) = case.manifest {
        std::fs::write(dir.join("Cargo.toml"), m).unwrap();
    }
    if let Some(l) = case.lock {
        std::fs::write(dir.join("Cargo.lock"), l).unwrap();
    }
    for f in &case.files {
        let path = dir.join(f.rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &f.text).unwrap();
    }
    lint_and_check(
        vec![dir.to_path_buf()],
        case.tests,
        case.prefilter,
        |display| {
            case.files
                .iter()
                .find(|f| display.ends_with(f.rel))
                .map(|f| String::from_utf8_lossy(&f.text).into_owned())
        },
    )
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Runs the library on `paths` as the CLI would, then renders every output
/// format and checks them. `text_of` gives the source shown as a file.
fn lint_and_check(
    paths: Vec<PathBuf>,
    tests: bool,
    prefilter: bool,
    text_of: impl Fn(&str) -> Option<String>,
) -> Result<Reached, String> {
    let opts = Options {
        scope: redis_lint::link::Scope { tests },
        threads: Some(1),
        prefilter: if prefilter {
            Prefilter::SkipUnrelated
        } else {
            Prefilter::ParseAll
        },
        ..Options::new(paths, REGISTRY.to_vec())
    };
    let outcome: Outcome = match panic::catch_unwind(AssertUnwindSafe(|| engine::run(&opts))) {
        Ok(Ok(linted)) => linted.outcome,
        Ok(Err(e)) => return Err(format!("engine::run failed: {e}")),
        Err(p) => return Err(format!("panic escaped engine::run: {}", panic_message(&*p))),
    };
    let kinds: Vec<&str> = outcome.problems.iter().map(|p| p.kind.id()).collect();
    let reached = [
        !kinds.contains(&"parse-error") && !kinds.contains(&"read-error"),
        !outcome.findings.is_empty(),
        kinds.contains(&"parse-error"),
        kinds.contains(&"read-error"),
    ];
    if let Some(p) = outcome
        .problems
        .iter()
        .find(|p| p.kind.id() == "internal-error")
    {
        return Err(format!("internal-error in {}: {}", p.display, p.message));
    }
    let render = |what: &str, f: &dyn Fn() -> String| {
        panic::catch_unwind(AssertUnwindSafe(f))
            .map_err(|p| format!("panic in report::{what}: {}", panic_message(&*p)))
    };
    let json = render("json", &|| redis_lint::report::json(&outcome))?;
    let doc: Value =
        serde_json::from_str(&json).map_err(|e| format!("JSON does not parse ({e}):\n{json}"))?;
    check_doc(&doc, &outcome, &text_of)?;
    let human = render("human", &|| redis_lint::report::human(&outcome, false))?;
    if human.trim().is_empty()
        || !human
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("Scanned "))
    {
        return Err(format!("human output lacks its summary:\n{human}"));
    }
    let colored = render("human (colour)", &|| {
        redis_lint::report::human(&outcome, true)
    })?;
    if colored.trim().is_empty() {
        return Err("coloured human output is empty".into());
    }
    let sarif = render("sarif", &|| redis_lint::report::sarif(&outcome))?;
    serde_json::from_str::<Value>(&sarif)
        .map_err(|e| format!("SARIF does not parse ({e}):\n{sarif}"))?;
    let lines = render("json_lines", &|| redis_lint::report::json_lines(&outcome))?;
    for line in lines.lines() {
        serde_json::from_str::<Value>(line)
            .map_err(|e| format!("JSON line does not parse ({e}): {line}"))?;
    }
    render("concise", &|| redis_lint::report::concise(&outcome))?;
    render("github", &|| redis_lint::report::github(&outcome))?;
    render("cargo_messages", &|| {
        redis_lint::report::cargo_messages(&outcome)
    })?;
    Ok(reached)
}

/// The README's schema, and positions that exist in the file.
fn check_doc(
    doc: &Value,
    outcome: &Outcome,
    text_of: &dyn Fn(&str) -> Option<String>,
) -> Result<(), String> {
    let bad = |why: &str, d: &Value| Err(format!("{why}: {d:#}"));
    if doc["version"] != 2 {
        return bad("version", doc);
    }
    let Some(diags) = doc["diagnostics"].as_array() else {
        return bad("no diagnostics array", doc);
    };
    let mut problems = 0;
    for d in diags {
        for field in ["rule", "severity", "message", "file"] {
            if !d[field].is_string() {
                return bad(&format!("{field} is not a string"), d);
            }
        }
        let pos: Vec<u64> = ["line", "column", "end_line", "end_column"]
            .iter()
            .filter_map(|f| d[*f].as_u64().filter(|n| *n >= 1))
            .collect();
        let [line, col, end_line, end_col] = pos[..] else {
            return bad("positions must be 1-based numbers", d);
        };
        if (end_line, end_col) < (line, col) {
            return bad("the span ends before it starts", d);
        }
        // A file problem has no guide section (README); a finding has one,
        // whatever its id (`conn-swallowed-error` is a rule).
        if d["section"].is_null() {
            problems += 1;
            if !(d["impact"].is_null() && d["help"].is_null() && d["severity"] == "error") {
                return bad("a file problem with an impact or help", d);
            }
        } else if !(d["section"].is_string() && d["impact"].is_string() && d["help"].is_string()) {
            return bad("a finding without section, impact or help", d);
        }
        if let Some(text) = text_of(d["file"].as_str().unwrap()) {
            let lines = text.split('\n').count() as u64;
            if end_line > lines {
                return bad(&format!("line past the end of the file ({lines} lines)"), d);
            }
        }
    }
    let summary = &doc["summary"];
    if summary["problems"].as_u64() != Some(problems)
        || summary["findings"].as_u64() != Some(diags.len() as u64 - problems)
        || summary["findings"].as_u64() != Some(outcome.findings.len() as u64)
    {
        return bad("summary counts disagree with the diagnostics", doc);
    }
    Ok(())
}

// ---------------------------------------------------------------- driver --

fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v} is not a number")),
    )
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/parse_errors")
}

/// Keeps a failing input as `fixtures/parse_errors/fuzz_*.rs`.
fn save_regression(case: &Case) -> Vec<PathBuf> {
    let many = case.files.len() > 1;
    let id = fnv(&case
        .files
        .iter()
        .flat_map(|f| f.text.clone())
        .collect::<Vec<u8>>());
    case.files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = if many {
                format!("fuzz_{id:016x}_{i}.rs")
            } else {
                format!("fuzz_{id:016x}.rs")
            };
            let path = regressions_dir().join(name);
            std::fs::write(&path, &f.text).unwrap();
            path
        })
        .collect()
}

fn describe(case: &Case) -> String {
    let mut s = format!(
        "tests={} prefilter={} manifest={:?} lock={:?}\n",
        case.tests, case.prefilter, case.manifest, case.lock
    );
    for f in &case.files {
        s.push_str(&format!(
            "--- {} ---\n{}\n",
            f.rel,
            String::from_utf8_lossy(&f.text)
        ));
    }
    s
}

/// A kind of fuzz input: how it is checked, shown and kept.
pub trait Input: std::fmt::Debug + Clone + Send + 'static {
    /// What each of the four flags of [`Checked::reached`] counts.
    const REACHED: [&'static str; 4];
    /// Lints the input (its files written under `dir`) and checks the
    /// outputs; `Err` says what is wrong.
    fn check(&self, dir: &Path) -> Result<Checked, String>;
    fn describe(&self) -> String;
    /// Keeps a failing input as a regression; where.
    fn save(&self) -> Vec<PathBuf>;
}

/// What one input reached and cost.
pub struct Checked {
    pub reached: Reached,
    pub took: Duration,
    /// Peak resident memory of the binary's run; `None` in process.
    pub peak_kib: Option<u64>,
}

impl Input for Case {
    const REACHED: [&'static str; 4] = [
        "parsed whole",
        "with findings",
        "with a parse error",
        "with a read error",
    ];

    fn check(&self, dir: &Path) -> Result<Checked, String> {
        let started = Instant::now();
        let reached = check(dir, self)?;
        Ok(Checked {
            reached,
            took: started.elapsed(),
            peak_kib: None,
        })
    }

    fn describe(&self) -> String {
        describe(self)
    }

    fn save(&self) -> Vec<PathBuf> {
        save_regression(self)
    }
}

/// The costliest input seen, by time and by memory.
#[derive(Default)]
struct Worst {
    took: (Duration, String),
    peak_kib: (u64, String),
}

impl Worst {
    fn record(&mut self, input: &impl Input, checked: &Checked) {
        let shape = || {
            let mut d = input.describe();
            if d.len() > 300 {
                let mut cut = 300;
                while !d.is_char_boundary(cut) {
                    cut -= 1;
                }
                d.truncate(cut);
                d.push('…');
            }
            d
        };
        if checked.took > self.took.0 {
            self.took = (checked.took, shape());
        }
        if let Some(kib) = checked.peak_kib.filter(|k| *k > self.peak_kib.0) {
            self.peak_kib = (kib, shape());
        }
    }
}

/// Runs `check` on a thread of its own so that a hang is caught: the input
/// is saved and the process exits.
///
/// The thread is joined, never detached: dropping its handle right after
/// the spawn calls `pthread_detach`, which in glibc 2.36 can read the
/// thread's descriptor after the exiting thread has unmapped it (a 30-minute
/// run died of SIGSEGV in `pthread_detach` that way, under CPU contention).
fn check_with_watchdog<T: Input>(dir: &Path, input: &T) -> Result<Checked, String> {
    let (tx, rx) = mpsc::channel();
    let (d, c) = (dir.to_path_buf(), input.clone());
    let worker = std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(move || {
            let _ = tx.send(c.check(&d));
        })
        .unwrap();
    match rx.recv_timeout(CASE_TIMEOUT) {
        Ok(result) => {
            let _ = worker.join();
            result
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let why = worker.join().err().map(|p| panic_message(&*p));
            Err(format!("the checking thread died: {why:?}"))
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            let saved = input.save();
            eprintln!(
                "HANG: one input ran past {CASE_TIMEOUT:?}; saved as {saved:?}\n{}",
                input.describe()
            );
            std::process::exit(3);
        }
    }
}

/// The first seed of a run that is not timed.
const DEFAULT_SEED: u64 = 0x7265_6469_735f_6c69;

/// Runs a property for `REDIS_LINT_FUZZ_CASES` cases (or `default_cases`),
/// or for `REDIS_LINT_FUZZ_SECS` seconds, in batches with successive seeds.
fn fuzz<T: Input>(name: &str, default_cases: u64, strategy: impl Strategy<Value = T>) {
    let cases = env_number("REDIS_LINT_FUZZ_CASES").unwrap_or(default_cases);
    let budget = env_number("REDIS_LINT_FUZZ_SECS").map(Duration::from_secs);
    // A plain `cargo test` (CI) runs the same cases every time; a timed
    // run explores from the clock.
    let first_seed = env_number("REDIS_LINT_FUZZ_SEED").unwrap_or_else(|| match budget {
        None => DEFAULT_SEED,
        Some(_) => {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0)
                ^ u64::from(std::process::id())
        }
    });
    let dir = std::env::temp_dir().join(format!("redis-lint-fuzz-{}-{name}", std::process::id()));
    let executed = AtomicUsize::new(0);
    let reached: [AtomicUsize; 4] = Default::default();
    let worst = std::sync::Mutex::new(Worst::default());
    let started = Instant::now();
    let mut generated: u64 = 0;
    let mut batches = 0;
    let mut seed = first_seed;
    let mut failures: Vec<(String, String)> = Vec::new();
    eprintln!(
        "{name}: first seed {first_seed}, inputs written under {}",
        dir.display()
    );
    loop {
        let batch = match budget {
            Some(_) => BATCH,
            None => (cases - generated).min(u64::from(BATCH)) as u32,
        };
        if batch == 0 {
            break;
        }
        let mut bytes = [0u8; 32];
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        let config = Config {
            cases: batch,
            failure_persistence: None,
            max_shrink_iters: 4096,
            ..Config::default()
        };
        let mut runner =
            TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
        let result = runner.run(&strategy, |input| {
            executed.fetch_add(1, Ordering::Relaxed);
            if std::env::var_os("REDIS_LINT_FUZZ_SHOW").is_some() {
                eprintln!("=====\n{}", input.describe());
            }
            let checked = check_with_watchdog(&dir, &input).map_err(TestCaseError::fail)?;
            for (count, hit) in reached.iter().zip(checked.reached) {
                count.fetch_add(usize::from(hit), Ordering::Relaxed);
            }
            worst.lock().unwrap().record(&input, &checked);
            Ok(())
        });
        generated += u64::from(batch);
        batches += 1;
        match result {
            Ok(()) => {}
            Err(TestError::Fail(why, input)) => {
                // Keep going: a long run reports every distinct failure,
                // each saved once.
                let kind = failure_kind(&why.to_string());
                if failures.iter().all(|(k, _)| *k != kind) {
                    let saved = input.save();
                    let report = format!(
                        "{why}\nseed {seed}; saved as {saved:?}\nminimal input:\n{}",
                        input.describe()
                    );
                    eprintln!("{name}: FAILURE {report}");
                    failures.push((kind, report));
                }
            }
            Err(e) => panic!("{name}: {e} (seed {seed})"),
        }
        seed = seed.wrapping_add(1);
        if budget.is_some_and(|b| started.elapsed() >= b) {
            break;
        }
        if budget.is_some() && generated % (u64::from(BATCH) * 16) == 0 {
            eprintln!(
                "{name}: {} inputs in {:.0?}",
                executed.load(Ordering::Relaxed),
                started.elapsed()
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let counts: Vec<String> = reached
        .iter()
        .zip(T::REACHED)
        .map(|(c, label)| format!("{} {label}", c.load(Ordering::Relaxed)))
        .collect();
    let worst = worst.into_inner().unwrap();
    let memory = match worst.peak_kib.0 {
        0 => "not measured (in process)".to_string(),
        kib => format!("{} MiB: {}", kib >> 10, worst.peak_kib.1),
    };
    eprintln!(
        "{name}: executed {} inputs (with shrinking; {batches} seeds) in {:.1?}, {} distinct \
         failure(s); {}\n{name}: slowest {:.2?}: {}\n{name}: most memory {memory}",
        executed.load(Ordering::Relaxed),
        started.elapsed(),
        failures.len(),
        counts.join(", "),
        worst.took.0,
        worst.took.1,
    );
    assert!(
        failures.is_empty(),
        "{name}: {} distinct failure(s):\n\n{}",
        failures.len(),
        failures
            .iter()
            .map(|(_, r)| r.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

/// A failure message without its numbers, paths and JSON: failures of one
/// kind are saved once.
fn failure_kind(why: &str) -> String {
    let first = why.lines().next().unwrap_or("");
    let head = first.split(": {").next().unwrap_or(first);
    head.chars()
        .filter(|c| !c.is_ascii_digit())
        .collect::<String>()
        .split_whitespace()
        .filter(|w| !w.contains('/'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn fuzz_generated_code() {
    fuzz("generated", DEFAULT_CASES, case(generated(), generated()));
}

#[test]
fn fuzz_mutated_fixtures() {
    fuzz(
        "mutated",
        DEFAULT_CASES,
        case(mutated_fixture().boxed(), grammar_file().boxed()),
    );
}

/// One-level-per-line nesting through the binary (slower per input: a
/// few cases by default).
#[test]
fn fuzz_nesting() {
    fuzz("nesting", 6, nesting::strategy());
}

/// redis.conf include graphs through the binary.
#[test]
fn fuzz_includes() {
    fuzz("includes", 12, includes::strategy());
}

/// Every input that ever failed, linted alone every way.
#[test]
fn fuzz_regressions() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(regressions_dir())
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("fuzz_") && n.ends_with(".rs"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut failures = Vec::new();
    for file in &files {
        for tests in [false, true] {
            for prefilter in [true, false] {
                let text = std::fs::read(file)
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .ok();
                if let Err(why) =
                    lint_and_check(vec![file.clone()], tests, prefilter, |_| text.clone())
                {
                    failures.push(format!(
                        "{} (tests={tests}, prefilter={prefilter}): {why}",
                        file.display()
                    ));
                }
            }
        }
    }
    eprintln!("fuzz_regressions: {} saved inputs", files.len());
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
