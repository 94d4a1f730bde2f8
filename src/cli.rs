//! The command line, shared by `redis-lint` and `cargo redis-lint`.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, ValueEnum};

use crate::engine::{self, Options};
use crate::model::resolve::Scope;
use crate::rules::{Default, REGISTRY};

/// Exit codes: no findings, findings, usage or internal error.
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics with source snippets, for people.
    Human,
    /// One JSON document (schema version 1), for tools and editors.
    Json,
}

#[derive(Debug, Parser)]
#[command(
    name = "redis-lint",
    version,
    about = "Lint Rust code that uses Redis (redis-rs, fred, deadpool-redis, bb8-redis, r2d2)",
    after_help = "Examples:\n  redis-lint                      lint the crate in the current directory\n  redis-lint src/ examples/       lint some folders\n  redis-lint --format json .      machine-readable output\n  cargo redis-lint                the same, as a cargo subcommand\n\nExit codes: 0 no findings, 1 findings (or a file that could not be read or parsed), 2 usage or internal error."
)]
pub struct Cli {
    /// Files or folders to lint (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also lint test code (`#[test]`, `#[cfg(test)]`, `tests/`, `benches/`).
    #[arg(long)]
    pub lint_tests: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Keep extracted facts on disk so unchanged files are not parsed again.
    #[arg(long)]
    pub cache: bool,
    /// Where the cache lives (with --cache).
    #[arg(long, value_name = "DIR", default_value = ".redis-lint-cache")]
    pub cache_dir: PathBuf,
    /// Parse every file, even those that cannot hold Redis code (for
    /// checking the prefilter; slower).
    #[arg(long, hide = true)]
    pub no_prefilter: bool,
    /// Colour in human output: auto (when stdout is a terminal), always, never.
    #[arg(long, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Runs the linter with these arguments (the first is the program name) and
/// returns the exit code.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
        }
    };
    let paths = if cli.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        cli.paths.clone()
    };
    let opts = Options {
        paths,
        rules: REGISTRY
            .iter()
            .copied()
            .filter(|r| r.default == Default::On)
            .collect(),
        scope: Scope {
            tests: cli.lint_tests,
        },
        threads: cli.threads,
        prefilter: !cli.no_prefilter,
        cache: cli.cache.then(|| cli.cache_dir.clone()),
    };
    let outcome = match engine::run(&opts) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("redis-lint: {e}");
            return EXIT_ERROR;
        }
    };
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let text = match cli.format {
        Format::Human => crate::report::human(&outcome, color),
        Format::Json => crate::report::json(&outcome),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return EXIT_ERROR;
    }
    if outcome.has_internal_error() {
        EXIT_ERROR
    } else if outcome.findings.is_empty() && outcome.problems.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_FINDINGS
    }
}
