//! The command line, shared by `redis-lint` and `cargo redis-lint`.

mod args;
mod keys;
mod lint;
mod output;
mod packages;
mod selectors;
mod statistics;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::Parser;

pub use args::{Cli, ColorChoice, Command, Format, KeysArgs, KeysFormat, LintArgs, MessageFormat};

use crate::baseline;
use crate::diagnostic::{Activation, Fixable, ProblemKind, RuleMeta, GUIDE};
use crate::engine::{self, ConfigSource};
use crate::rules::{self, REGISTRY};
use crate::server;
use crate::settings::ConfigError;

/// Exit codes: no findings, findings, usage or internal error (or a path
/// that does not exist, or a fixed file that could not be written).
pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

/// Why a command failed (exit code 2).
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Engine(#[from] engine::Error),
    /// An invalid configuration file (a rendered diagnostic).
    #[error("{0:?}")]
    Config(ConfigError),
    /// `--select` / `--ignore` name no rule.
    #[error("{0}")]
    Selector(String),
    /// `explain` of an unknown id, with the nearest id when one is close.
    #[error("no rule `{rule}`{suggestion} (see `redis-lint rules`)")]
    NoRule { rule: String, suggestion: String },
    #[error("--exclude: {0}")]
    Exclude(#[from] globset::Error),
    #[error(transparent)]
    Packages(#[from] packages::PackageError),
    #[error("give either paths or -p / --workspace / --manifest-path")]
    PathsAndPackages,
    #[error("cannot read standard input: {0}")]
    Stdin(std::io::Error),
    #[error("--fix and --diff work on files, not on standard input")]
    StdinFix,
    #[error(transparent)]
    Server(#[from] server::ServerError),
    #[error(transparent)]
    Baseline(#[from] baseline::LoadError),
    #[error("{0}")]
    Fix(String),
    #[error("cannot write {path}: {error}")]
    Write { path: String, error: std::io::Error },
    /// Standard output failed (a closed pipe is not a failure: see
    /// [`print`]).
    #[error("cannot write to standard output: {0}")]
    Stdout(std::io::Error),
}

impl Failure {
    /// Tells the user (configuration errors are full diagnostics, shown as
    /// they are) and gives the exit code.
    fn report(self) -> i32 {
        match self {
            Failure::Config(e) | Failure::Engine(engine::Error::ConfigFile(e)) => {
                eprintln!("{e:?}")
            }
            other => eprintln!("redis-lint: {other}"),
        }
        EXIT_ERROR
    }
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
    let done = match cli.command {
        Some(Command::Rules { format }) => print(&rules_listing(format)).map(|()| EXIT_CLEAN),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Config {
            path,
            config,
            isolated,
            ..
        }) => show_config(path, config_source(config, isolated)),
        Some(Command::Server {
            config,
            isolated,
            cache,
            cache_dir,
            ..
        }) => server::run(server::ServerOptions {
            config,
            isolated,
            cache: cache.then_some(cache_dir),
        })
        .map(|()| EXIT_CLEAN)
        .map_err(Failure::from),
        Some(Command::Keys(args)) => keys::keys(&args),
        None => lint::lint(&cli.lint),
    };
    done.unwrap_or_else(Failure::report)
}

/// `explain`: a rule's documentation (or that of a problem id such as
/// `parse-error`), naming the guide its section comes from.
fn explain(rule: &str) -> Result<i32, Failure> {
    if let Some(kind) = ProblemKind::ALL.into_iter().find(|k| k.id() == rule) {
        return print(kind.doc()).map(|()| EXIT_CLEAN);
    }
    let r = rules::find_any(rule).ok_or_else(|| Failure::NoRule {
        rule: rule.to_string(),
        suggestion: rules::nearest_id(rule)
            .map(|id| format!("; did you mean `{id}`?"))
            .unwrap_or_default(),
    })?;
    print(&rules::explained(&r.meta)).map(|()| EXIT_CLEAN)
}

/// `config --show`: the configuration that applies to `path`.
fn show_config(path: Option<PathBuf>, source: ConfigSource) -> Result<i32, Failure> {
    let resolver = source.resolver(&[], &[]).map_err(Failure::Config)?;
    let path = path.unwrap_or_else(|| PathBuf::from("."));
    let abs = std::path::absolute(&path).unwrap_or(path);
    let dir = if abs.is_dir() {
        abs
    } else {
        abs.parent().map(PathBuf::from).unwrap_or_default()
    };
    let config = resolver.for_dir(&dir).map_err(Failure::Config)?;
    print(&config.show()).map(|()| EXIT_CLEAN)
}

/// `--config` / `--isolated`: where configuration comes from (an explicit
/// file wins).
fn config_source(config: Option<PathBuf>, isolated: bool) -> ConfigSource {
    match (config, isolated) {
        (Some(path), _) => ConfigSource::File(path),
        (None, true) => ConfigSource::Isolated,
        (None, false) => ConfigSource::Discovered,
    }
}

/// Writes to standard output. A closed pipe (`redis-lint | head -1`) ends
/// the output quietly, as in other command-line tools: the reader has seen
/// what it wanted, and the exit code stays the run's.
/// A report to `--output PATH`, or to standard output without one.
fn emit(output: Option<&std::path::Path>, text: &str) -> Result<(), Failure> {
    match output {
        Some(path) => std::fs::write(path, text.as_bytes()).map_err(|error| Failure::Write {
            path: path.display().to_string(),
            error,
        }),
        None => print(text),
    }
}

fn print(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        done => done.map_err(Failure::Stdout),
    }
}

/// The `[*]` of the listing: `--fix` can fix some of the rule's findings.
fn fix_marker(meta: &RuleMeta) -> &'static str {
    match meta.fixable {
        Fixable::Yes => "[*]",
        Fixable::No => "",
    }
}

fn default_name(meta: &RuleMeta) -> &'static str {
    match meta.default {
        Activation::On => "on",
        Activation::OptIn => "opt-in",
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
                        "default": default_name(&r.meta),
                        "summary": r.meta.summary,
                        "fixable": r.meta.fixable == Fixable::Yes,
                    })
                })
                .collect();
            let mut s = serde_json::to_string_pretty(&items).expect("the listing serialises");
            s.push('\n');
            s
        }
        _ => {
            let width = REGISTRY.iter().map(|r| r.meta.id.len()).max().unwrap_or(0);
            let mut s = format!(
                "{:width$}  {:>7}  {:<11}  {:<7}  {:<3}  SUMMARY\n",
                "RULE", "SECTION", "IMPACT", "DEFAULT", "FIX"
            );
            for r in REGISTRY.iter() {
                s.push_str(&format!(
                    "{:width$}  {:>7}  {:<11}  {:<7}  {:<3}  {}\n",
                    r.meta.id,
                    r.meta.section,
                    r.meta.impact.as_str(),
                    default_name(&r.meta),
                    fix_marker(&r.meta),
                    r.meta.summary
                ));
            }
            s.push_str(&listing_notes());
            s
        }
    }
}

/// What the table does not say: where the sections come from, and the ids
/// reports use that are not rules (they have doc pages all the same).
fn listing_notes() -> String {
    let meta: Vec<String> = rules::META_RULES
        .iter()
        .map(|r| format!("{}{}", r.meta.id, fix_marker(&r.meta)))
        .collect();
    let problems: Vec<&str> = ProblemKind::ALL.iter().map(|k| k.id()).collect();
    format!(
        "\nSECTION: where the rule comes from in the guide {GUIDE}; sec: \
         redis-lint's own security checks.\n\
         Also reported, but never selected or suppressed: {} (about suppression \
         comments); {} (files that could not be linted).\n\
         `redis-lint explain <id>` prints the documentation of any of these ids.\n",
        meta.join(", "),
        problems.join(", ")
    )
}
