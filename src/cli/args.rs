//! The command line's arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diagnostic::Impact;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics with source snippets, for people.
    Human,
    /// One line per finding: `file:line:col: IMPACT rule: message`.
    Concise,
    /// One JSON document (schema version 1), for tools and editors.
    Json,
    /// One JSON object per line, then a summary line.
    JsonLines,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, IDEs).
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

/// `--message-format`: cargo's JSON records, for rust-analyzer and other
/// tools that read `cargo check --message-format=json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MessageFormat {
    Json,
}

#[derive(Debug, Parser)]
#[command(
    name = "redis-lint",
    version,
    about = "Lint Rust code that uses Redis (redis-rs, fred, deadpool-redis, bb8-redis, r2d2)",
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  redis-lint                          lint the crate in the current directory\n  redis-lint src/ examples/           lint some folders\n  redis-lint --select key --ignore key-no-namespace .\n  redis-lint --format json .          machine-readable output\n  redis-lint --statistics .           findings per rule\n  redis-lint --extend-select conn-stored-connection-no-reconnect .\n  redis-lint --exclude 'generated/**' .\n  cargo redis-lint -p my-service      one package of the workspace\n  redis-lint rules                    list every rule\n  redis-lint explain key-keys-command show a rule's documentation\n  cargo redis-lint                    the same, as a cargo subcommand\n\nExit codes: 0 no findings, 1 findings (or a file that could not be read or parsed), 2 usage or internal error, a path that does not exist, or a fixed file that could not be written."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub lint: LintArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every rule: id, guide section, impact, default, `[*]` when
    /// `--fix` can fix its findings, summary.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Print a rule's documentation.
    Explain {
        /// The rule id (see `redis-lint rules`).
        rule: String,
    },
    /// Show the configuration that applies to a path.
    Config {
        /// Print the effective configuration.
        #[arg(long, required = true)]
        show: bool,
        /// The file or folder whose configuration to show (default: the
        /// current directory).
        path: Option<PathBuf>,
        /// Use this configuration file.
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        /// Ignore configuration files.
        #[arg(long)]
        isolated: bool,
    },
    /// Run the language server (LSP 3.17 on standard input and output) for
    /// editors: diagnostics as you type, quick fixes, rule docs on hover.
    Server {
        /// Use this configuration file for every document.
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
        /// Ignore configuration files.
        #[arg(long, conflicts_with = "config")]
        isolated: bool,
        /// Keep extracted facts on disk so unchanged files are not parsed
        /// again.
        #[arg(long)]
        cache: bool,
        /// Where the cache lives (with --cache).
        #[arg(long, value_name = "DIR", default_value = ".redis-lint-cache")]
        cache_dir: PathBuf,
        /// Accepted for clients that always pass it: standard input and
        /// output is the only transport.
        #[arg(long, hide = true)]
        stdio: bool,
    },
    /// List the key templates the code uses: type, TTL, database, and
    /// the fns that read, write, expire or delete each.
    Keys(KeysArgs),
}

/// `redis-lint keys`: the keyspace inventory.
#[derive(Debug, Args)]
pub struct KeysArgs {
    /// Files or folders to read (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = KeysFormat::Human)]
    pub format: KeysFormat,
    /// Write the inventory to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Leave out files matching this glob. Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Use this configuration file for every file.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
    /// Include test code.
    #[arg(long)]
    pub lint_tests: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Keep extracted facts on disk (shared with lint runs).
    #[arg(long)]
    pub cache: bool,
    /// Where the cache lives (with --cache).
    #[arg(long, value_name = "DIR", default_value = ".redis-lint-cache")]
    pub cache_dir: PathBuf,
}

/// `keys --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeysFormat {
    /// A table of templates, each with its sites.
    Human,
    /// One JSON document (schema version 1, see the README).
    Json,
    /// A keyspace document to commit.
    Markdown,
    /// A Mermaid flowchart: fns on one side, templates on the other.
    Mermaid,
    /// The same picture for Graphviz.
    Dot,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or folders to lint (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format (`--output-format` is the same option, as in ruff).
    #[arg(long, alias = "output-format", value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Print how many findings each rule has (count, rule, impact, `[*]`
    /// when fixable) instead of the findings; JSON with `--format json`.
    #[arg(long)]
    pub statistics: bool,
    /// Run only these rules: ids, prefixes (`key`, `conn`), guide sections
    /// (`2`, `4.1`) or `all` (which includes opt-in rules). Repeatable.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Run these rules too, on top of the default or configured selection
    /// (same forms as --select). Repeatable.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Do not run these rules (same forms as --select). Repeatable.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Leave out files matching this glob (relative to the current
    /// directory, like the configuration's `exclude`; a folder's pattern
    /// leaves out what is under it). Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Lint this package of the workspace (found with `cargo metadata`).
    /// Repeatable.
    #[arg(
        short = 'p',
        long = "package",
        value_name = "NAME",
        conflicts_with = "stdin_filename"
    )]
    pub packages: Vec<String>,
    /// Lint every package of the workspace.
    #[arg(long, conflicts_with = "stdin_filename")]
    pub workspace: bool,
    /// The Cargo.toml whose package (or, with -p / --workspace, whose
    /// workspace) to lint.
    #[arg(long, value_name = "PATH", conflicts_with = "stdin_filename")]
    pub manifest_path: Option<PathBuf>,
    /// Print only the findings: no summary line, notes or fix counts.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Also tell which configuration applied and how many files were
    /// scanned, parsed and skipped (on standard error).
    #[arg(short, long)]
    pub verbose: bool,
    /// After the findings, list the fixes `--fix` would apply.
    #[arg(long)]
    pub show_fixes: bool,
    /// Run only rules of at least this impact.
    #[arg(long, value_name = "LEVEL")]
    pub min_impact: Option<Impact>,
    /// Exit 1 only for findings of at least this impact (all are still shown).
    #[arg(long, value_name = "LEVEL")]
    pub fail_on: Option<Impact>,
    /// Exit 1 only when there are more than N failing findings.
    #[arg(long, value_name = "N")]
    pub max_findings: Option<usize>,
    /// Emit cargo-compatible JSON messages (overrides --format), e.g. for
    /// rust-analyzer's `check.overrideCommand`.
    #[arg(long, value_enum, value_name = "FMT")]
    pub message_format: Option<MessageFormat>,
    /// Write the report to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Read the source from standard input and lint it as this path
    /// (for editors linting unsaved buffers).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// Apply the safe fixes (and remove unused suppressions), then lint again.
    #[arg(long)]
    pub fix: bool,
    /// Print the safe fixes as a unified diff instead of writing them.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,
    /// Leave out findings recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Use this configuration file for every linted file (instead of the
    /// nearest `redis-lint.toml`, `.redis-lint.toml` or Cargo.toml
    /// `[package.metadata.redis-lint]`).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Ignore every configuration file.
    #[arg(long, conflicts_with = "config")]
    pub isolated: bool,
    /// Exit 0 even when there are findings (2 still means an error).
    #[arg(long)]
    pub exit_zero: bool,
    /// Also lint test code (`#[test]`, `#[cfg(test)]`, `tests/`, test-only crates).
    #[arg(long)]
    pub lint_tests: bool,
    /// Do not lint Redis configuration files (redis.conf, sentinel.conf,
    /// `redis-server` command lines in compose files).
    #[arg(long)]
    pub no_config_files: bool,
    /// Worker threads (default: one per core; at most 4 per core).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Do not lint files larger than this many bytes (each is reported as
    /// a read error).
    #[arg(long, value_name = "BYTES", default_value_t = crate::engine::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
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
