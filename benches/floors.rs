//! Speed floors for redis-lint: how long it takes, with a rayon pool of N
//! threads, to find and read every `.rs` file of a folder (the read floor)
//! and to read and `syn::parse_file` each of them (the parse floor). A lint
//! of the same files parses each one too, so its wall time divided by the
//! parse floor says what the rest of the linter costs.
//!
//! ```text
//! cargo bench --bench floors -- DIR THREADS [--files-from LIST] [--runs N]
//! ```
//!
//! `DIR`, `THREADS`, `LIST` and `N` may also come from `FLOORS_DIR`,
//! `FLOORS_THREADS`, `FLOORS_FILES_FROM` and `FLOORS_RUNS`. Without
//! `--files-from`, DIR is walked with `redis_lint::walk::collect`, the
//! linter's own walker (the walk is inside the timed runs, as it is inside a
//! lint); with it, the files are those listed in LIST, one path a line,
//! relative to DIR. Unknown flags (cargo's `--bench`) are ignored. Each
//! floor runs N times (default 3) and the best wall time is reported, as
//! `key=value` lines on stdout. Files that cannot be read or parsed are
//! counted, never fatal.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use rayon::prelude::*;

/// Same as the linter's workers: syn recurses on nesting.
const STACK_SIZE: usize = 256 << 20;
const USAGE: &str =
    "usage: cargo bench --bench floors -- DIR THREADS [--files-from LIST] [--runs N]";

struct Args {
    dir: PathBuf,
    threads: usize,
    files_from: Option<PathBuf>,
    runs: usize,
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(Some(args)) => args,
        Ok(None) => {
            // `cargo bench` with no arguments runs every bench: nothing to measure.
            eprintln!("floors: no folder given, nothing to do\n{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("floors: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("floors: {e}");
            ExitCode::FAILURE
        }
    }
}

fn parse_args() -> Result<Option<Args>, String> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let mut positional: Vec<String> = Vec::new();
    let mut files_from = env("FLOORS_FILES_FROM").map(PathBuf::from);
    let mut runs = env("FLOORS_RUNS").map(|v| v.to_string_lossy().into_owned());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if let Some(v) = arg.strip_prefix("--files-from=") {
            files_from = Some(v.into());
        } else if let Some(v) = arg.strip_prefix("--runs=") {
            runs = Some(v.to_string());
        } else if arg == "--files-from" {
            files_from = Some(args.next().ok_or("--files-from needs a file")?.into());
        } else if arg == "--runs" {
            runs = Some(args.next().ok_or("--runs needs a number")?);
        } else if arg.starts_with('-') {
            // cargo passes `--bench`; other harness flags mean nothing here.
        } else {
            positional.push(arg);
        }
    }
    let mut positional = positional.into_iter();
    let Some(dir) = positional
        .next()
        .map(PathBuf::from)
        .or_else(|| env("FLOORS_DIR").map(PathBuf::from))
    else {
        return Ok(None);
    };
    let threads = match positional
        .next()
        .or_else(|| env("FLOORS_THREADS").map(|v| v.to_string_lossy().into_owned()))
    {
        Some(t) => t
            .parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("bad thread count `{t}`"))?,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let runs = match runs {
        Some(r) => r
            .parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("bad run count `{r}`"))?,
        None => 3,
    };
    Ok(Some(Args {
        dir,
        threads,
        files_from,
        runs,
    }))
}

/// What one pass over the files saw.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    files: usize,
    bytes: usize,
    lines: usize,
    read_errors: usize,
    parse_errors: usize,
    panics: usize,
}

impl Tally {
    fn add(self, other: Tally) -> Tally {
        Tally {
            files: self.files + other.files,
            bytes: self.bytes + other.bytes,
            lines: self.lines + other.lines,
            read_errors: self.read_errors + other.read_errors,
            parse_errors: self.parse_errors + other.parse_errors,
            panics: self.panics + other.panics,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Floor {
    Read,
    Parse,
}

fn run(args: &Args) -> Result<(), String> {
    if !args.dir.is_dir() {
        return Err(format!("{} is not a folder", args.dir.display()));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads)
        .stack_size(STACK_SIZE)
        .build()
        .map_err(|e| format!("cannot start {} threads: {e}", args.threads))?;

    // An untimed pass: warms the page cache, counts lines and reports the
    // files syn rejects.
    let files = discover(args)?;
    if files.is_empty() {
        return Err(format!("no .rs files under {}", args.dir.display()));
    }
    let census = pool.install(|| census(&files));
    forget_sources(&pool);

    let mut best_walk = Duration::MAX;
    let mut best = [Duration::MAX; 2];
    // CPU time (user + system) of the process: on a shared machine it
    // varies less than the wall time.
    let mut best_cpu = [Duration::MAX; 2];
    for floor in [Floor::Read, Floor::Parse] {
        for round in 1..=args.runs {
            let cpu_start = cpu_time();
            let start = Instant::now();
            let found = discover(args)?;
            let walked = start.elapsed();
            let tally = pool.install(|| pass(&found, floor));
            let took = start.elapsed();
            if let (Some(a), Some(b)) = (cpu_start, cpu_time()) {
                best_cpu[floor as usize] = best_cpu[floor as usize].min(b.saturating_sub(a));
            }
            forget_sources(&pool);
            if tally.files != census.files || tally.read_errors != census.read_errors {
                return Err("the files changed while being measured".into());
            }
            best_walk = best_walk.min(walked);
            best[floor as usize] = best[floor as usize].min(took);
            let name = if floor == Floor::Read {
                "read"
            } else {
                "parse"
            };
            eprintln!("floors: {name} run {round}: {:.1} ms", ms(took));
        }
    }

    let what = if args.files_from.is_some() {
        "listed files"
    } else {
        "files found by the walk"
    };
    eprintln!(
        "floors: {} {what} under {}, {} threads, best of {}",
        census.files,
        args.dir.display(),
        args.threads,
        args.runs
    );
    println!("read_floor_ms={:.1}", ms(best[Floor::Read as usize]));
    println!("parse_floor_ms={:.1}", ms(best[Floor::Parse as usize]));
    println!("walk_ms={:.1}", ms(best_walk));
    if best_cpu.iter().all(|d| *d != Duration::MAX) {
        println!(
            "read_floor_cpu_ms={:.1}",
            ms(best_cpu[Floor::Read as usize])
        );
        println!(
            "parse_floor_cpu_ms={:.1}",
            ms(best_cpu[Floor::Parse as usize])
        );
    }
    println!("files={}", census.files);
    println!("lines={}", census.lines);
    println!("bytes={}", census.bytes);
    println!("threads={}", args.threads);
    println!("runs={}", args.runs);
    println!("read_errors={}", census.read_errors);
    println!("parse_errors={}", census.parse_errors + census.panics);
    if let Some(kb) = peak_rss_kb() {
        println!("peak_rss_kb={kb}");
    }
    Ok(())
}

/// The files to measure: the walk of DIR, or the list.
fn discover(args: &Args) -> Result<Vec<PathBuf>, String> {
    let Some(list) = &args.files_from else {
        return Ok(redis_lint::walk::collect(std::slice::from_ref(&args.dir))?.files);
    };
    let text = std::fs::read_to_string(list)
        .map_err(|e| format!("cannot read {}: {e}", list.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| args.dir.join(l))
        .collect())
}

/// Reads (and for the parse floor parses) every file.
fn pass(files: &[PathBuf], floor: Floor) -> Tally {
    files
        .par_iter()
        .map(|path| {
            let mut t = Tally {
                files: 1,
                ..Tally::default()
            };
            let Ok(text) = std::fs::read_to_string(path) else {
                t.read_errors = 1;
                return t;
            };
            t.bytes = text.len();
            if floor == Floor::Parse {
                match parse(&text) {
                    Ok(Ok(())) => {}
                    Ok(Err(_)) => t.parse_errors = 1,
                    Err(_) => t.panics = 1,
                }
            }
            t
        })
        .reduce(Tally::default, Tally::add)
}

/// Parses and drops the syntax tree, as the linter does once per file.
fn parse(text: &str) -> Result<Result<(), syn::Error>, String> {
    panic::catch_unwind(AssertUnwindSafe(|| {
        syn::parse_file(text).map(|ast| drop(std::hint::black_box(ast)))
    }))
    .map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into())
    })
}

/// With proc-macro2's `span-locations` (which the linter enables), every
/// parsed file is copied into a per-thread source map that lives as long as
/// the thread. A lint parses each file once in a fresh process; emptying the
/// maps after each pass gives every timed pass that same starting point.
fn forget_sources(pool: &rayon::ThreadPool) {
    pool.broadcast(|_| proc_macro2::extra::invalidate_current_thread_spans());
}

/// Counts lines and bytes and lists the files that fail, once, untimed.
fn census(files: &[PathBuf]) -> Tally {
    let results: Vec<(Tally, Option<String>)> = files
        .par_iter()
        .map(|path| {
            let mut t = Tally {
                files: 1,
                ..Tally::default()
            };
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(e) => {
                    t.read_errors = 1;
                    return (t, Some(format!("{}: cannot read: {e}", path.display())));
                }
            };
            t.bytes = text.len();
            t.lines = bytecount_lines(&text);
            let problem = match parse(&text) {
                Ok(Ok(())) => None,
                Ok(Err(e)) => {
                    t.parse_errors = 1;
                    Some(describe(path, &e))
                }
                Err(what) => {
                    t.panics = 1;
                    Some(format!("{}: syn panicked: {what}", path.display()))
                }
            };
            (t, problem)
        })
        .collect();
    let mut total = Tally::default();
    let mut shown = 0;
    for (t, problem) in results {
        total = total.add(t);
        if let Some(p) = problem {
            if shown < 20 {
                eprintln!("floors: {p}");
            }
            shown += 1;
        }
    }
    if shown > 20 {
        eprintln!("floors: ... and {} more files that fail", shown - 20);
    }
    total
}

fn describe(path: &Path, e: &syn::Error) -> String {
    let at = e.span().start();
    format!(
        "{}:{}:{}: cannot parse: {e}",
        path.display(),
        at.line,
        at.column + 1
    )
}

/// Newlines, as `wc -l` counts them.
fn bytecount_lines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The process's peak resident set, from `/proc/self/status` (Linux only).
/// User + system time of this process so far (Linux: `/proc/self/stat`,
/// in clock ticks of 10 ms).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (which may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ').skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((user + system) * 10))
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
