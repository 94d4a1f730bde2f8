//! The command line, shared by `redis-lint` and `cargo redis-lint`.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diagnostic::{Activation, Impact, Level, Outcome};
use crate::engine::{self, Options};
use crate::link::Scope;
use crate::rules::{self, REGISTRY};
use crate::settings::{Config, ConfigError, Resolver};
use crate::{baseline, fix, report, suppress};

/// Exit codes: no findings, findings, usage or internal error.
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

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
    after_help = "Examples:\n  redis-lint                          lint the crate in the current directory\n  redis-lint src/ examples/           lint some folders\n  redis-lint --select key --ignore key-no-namespace .\n  redis-lint --format json .          machine-readable output\n  redis-lint rules                    list every rule\n  redis-lint explain key-keys-command show a rule's documentation\n  cargo redis-lint                    the same, as a cargo subcommand\n\nExit codes: 0 no findings, 1 findings (or a file that could not be read or parsed), 2 usage or internal error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub lint: LintArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every rule: id, guide section, impact, default, summary.
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
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or folders to lint (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Run only these rules: ids, prefixes (`key`, `conn`), guide sections
    /// (`2`, `4.1`) or `all` (which includes opt-in rules). Repeatable.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not run these rules (same forms as --select). Repeatable.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,
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
    /// Also lint test code (`#[test]`, `#[cfg(test)]`, `tests/`, `benches/`).
    #[arg(long)]
    pub lint_tests: bool,
    /// Do not lint Redis configuration files (redis.conf, sentinel.conf,
    /// `redis-server` command lines in compose files).
    #[arg(long)]
    pub no_config_files: bool,
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
    match cli.command {
        Some(Command::Rules { format }) => print(&rules_listing(format)),
        Some(Command::Explain { rule }) => match rules::find(&rule).or_else(|| {
            suppress::META_RULES
                .iter()
                .copied()
                .find(|r| r.meta.id == rule)
        }) {
            Some(r) => print(r.meta.doc),
            None => {
                eprintln!("redis-lint: no rule `{rule}` (see `redis-lint rules`)");
                EXIT_ERROR
            }
        },
        Some(Command::Config {
            path,
            config,
            isolated,
            ..
        }) => {
            let resolver = match resolver(config.as_deref(), isolated, &[], &[]) {
                Ok(r) => r,
                Err(e) => return config_failed(e),
            };
            let path = path.unwrap_or_else(|| PathBuf::from("."));
            let abs = std::path::absolute(&path).unwrap_or(path);
            let dir = if abs.is_dir() {
                abs
            } else {
                abs.parent().map(PathBuf::from).unwrap_or_default()
            };
            match resolver.for_dir(&dir) {
                Ok(c) => print(&c.show()),
                Err(e) => config_failed(e),
            }
        }
        None => lint(&cli.lint),
    }
}

fn config_failed(e: ConfigError) -> i32 {
    eprintln!("{:?}", e.0);
    EXIT_ERROR
}

/// The configuration lookup for this run.
fn resolver(
    config: Option<&Path>,
    isolated: bool,
    select: &[String],
    ignore: &[String],
) -> Result<Resolver, ConfigError> {
    let fixed = match (config, isolated) {
        (Some(path), _) => Some(Config::load(path)?),
        (None, true) => Some(Config::default()),
        (None, false) => None,
    };
    Ok(Resolver::new(fixed, select, ignore))
}

fn print(text: &str) -> i32 {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => EXIT_CLEAN,
        Err(_) => EXIT_ERROR,
    }
}

fn lint(args: &LintArgs) -> i32 {
    // Selectors are checked up front so a typo is a usage error.
    if let Err(e) = rules::select(&args.select, &args.ignore, None) {
        eprintln!("redis-lint: {e}");
        return EXIT_ERROR;
    }
    let in_impact: Vec<&'static rules::Rule> = REGISTRY
        .iter()
        .copied()
        .filter(|r| args.min_impact.is_none_or(|m| r.meta.impact >= m))
        .collect();
    let configs = match resolver(
        args.config.as_deref(),
        args.isolated,
        &args.select,
        &args.ignore,
    ) {
        Ok(r) => r,
        Err(e) => return config_failed(e),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let opts = Options {
        paths,
        rules: in_impact,
        scope: Scope {
            tests: args.lint_tests,
        },
        threads: args.threads,
        prefilter: !args.no_prefilter,
        cache: args.cache.then(|| args.cache_dir.clone()),
    };
    let stdin = match &args.stdin_filename {
        Some(path) => {
            let mut text = String::new();
            if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut text) {
                eprintln!("redis-lint: cannot read standard input: {e}");
                return EXIT_ERROR;
            }
            Some(engine::Stdin {
                path: path.clone(),
                text: text.into(),
            })
        }
        None => None,
    };
    if stdin.is_some() && (args.fix || args.diff) {
        eprintln!("redis-lint: --fix and --diff work on files, not on standard input");
        return EXIT_ERROR;
    }
    let analyse = || -> Result<Outcome, String> {
        let mut outcome =
            engine::run_configured(&opts, Some(&configs), stdin.as_ref(), !args.no_config_files)?;
        let ran: Vec<&str> = opts.rules.iter().map(|r| r.meta.id).collect();
        suppress::apply(&mut outcome, &ran);
        if let Some(path) = &args.baseline {
            let base = baseline::load(path)?;
            let report = baseline::apply(&base, &mut outcome);
            for s in &report.stale {
                eprintln!("redis-lint: {s}");
            }
        }
        Ok(outcome)
    };
    let mut outcome = match analyse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("redis-lint: {e}");
            return EXIT_ERROR;
        }
    };
    if args.fix || args.diff {
        match apply_fixes(&outcome, args.diff) {
            Ok(0) => {}
            Ok(_) if args.diff => return EXIT_FINDINGS,
            Ok(_) => {
                // Lint again so the report shows what is left.
                outcome = match analyse() {
                    Ok(o) => o,
                    Err(e) => {
                        eprintln!("redis-lint: {e}");
                        return EXIT_ERROR;
                    }
                };
            }
            Err(e) => {
                eprintln!("redis-lint: {e}");
                return EXIT_ERROR;
            }
        }
        if args.diff {
            return EXIT_CLEAN;
        }
    }
    if let Some(path) = &args.write_baseline {
        match baseline::write(path, &outcome) {
            Ok(n) => eprintln!("redis-lint: recorded {n} findings in {}", path.display()),
            Err(e) => {
                eprintln!("redis-lint: cannot write {}: {e}", path.display());
                return EXIT_ERROR;
            }
        }
    }
    let color = args.output.is_none()
        && match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
    let text = match (args.message_format, args.format) {
        (Some(MessageFormat::Json), _) => report::cargo_messages(&outcome),
        (None, Format::Human) => report::human(&outcome, color),
        (None, Format::Concise) => report::concise(&outcome),
        (None, Format::Json) => report::json(&outcome),
        (None, Format::JsonLines) => report::json_lines(&outcome),
        (None, Format::Sarif) => report::sarif(&outcome),
        (None, Format::Github) => report::github(&outcome),
    };
    let written = match &args.output {
        Some(path) => std::fs::write(path, text.as_bytes())
            .map_err(|e| eprintln!("redis-lint: cannot write {}: {e}", path.display()))
            .is_ok(),
        None => print(&text) == EXIT_CLEAN,
    };
    if !written {
        return EXIT_ERROR;
    }
    exit_code(&outcome, args)
}

/// Applies (or, with `diff`, prints) the safe fixes; never writes a file
/// that would no longer parse. Returns how many files change.
fn apply_fixes(outcome: &Outcome, diff: bool) -> Result<usize, String> {
    let changes = fix::fix_outcome(outcome)?;
    let (mut files, mut applied, mut skipped) = (0, 0, 0);
    for change in &changes {
        let file = outcome.file(change.file);
        if !change.parses {
            eprintln!(
                "redis-lint: not fixing {}: the result would not parse",
                file.display
            );
            continue;
        }
        files += 1;
        applied += change.applied;
        skipped += change.skipped;
        if diff {
            print(&fix::unified_diff(&file.display, &change.old, &change.new));
        } else {
            std::fs::write(&file.path, &change.new)
                .map_err(|e| format!("cannot write {}: {e}", file.display))?;
        }
    }
    if !diff && files > 0 {
        eprintln!(
            "redis-lint: fixed {applied} finding(s) in {files} file(s){}",
            if skipped > 0 {
                format!(", {skipped} overlapping fix(es) left for the next run")
            } else {
                String::new()
            }
        );
    }
    Ok(files)
}

/// 2 for an internal error; otherwise 1 when failing findings (at or above
/// `--fail-on`, more than `--max-findings`) or file problems remain.
fn exit_code(outcome: &Outcome, args: &LintArgs) -> i32 {
    if outcome.has_internal_error() {
        return EXIT_ERROR;
    }
    if args.exit_zero {
        return EXIT_CLEAN;
    }
    let threshold = args.fail_on.unwrap_or(Impact::LowMedium);
    let failing = outcome
        .findings
        .iter()
        .filter(|f| f.level == Level::Deny && f.rule.impact >= threshold)
        .count()
        + outcome.problems.len();
    if failing > args.max_findings.unwrap_or(0) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn rules_listing(format: Format) -> String {
    match format {
        Format::Json => {
            let items: Vec<serde_json::Value> = REGISTRY
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.meta.id,
                        "section": r.meta.section,
                        "impact": r.meta.impact.as_str(),
                        "default": if r.meta.default == Activation::On { "on" } else { "opt-in" },
                        "summary": r.meta.summary,
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&items).expect("the listing serialises");
            s.push('\n');
            s
        }
        _ => {
            let width = REGISTRY.iter().map(|r| r.meta.id.len()).max().unwrap_or(0);
            let mut s = String::new();
            for r in REGISTRY.iter() {
                let default = if r.meta.default == Activation::On {
                    "on"
                } else {
                    "opt-in"
                };
                s.push_str(&format!(
                    "{:width$}  {:>5}  {:<11}  {:<6}  {}\n",
                    r.meta.id,
                    r.meta.section,
                    r.meta.impact.as_str(),
                    default,
                    r.meta.summary
                ));
            }
            s
        }
    }
}
