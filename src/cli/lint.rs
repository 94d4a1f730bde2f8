//! The lint command: run the engine, apply suppressions and the baseline,
//! fix, record, report, and choose the exit code.

use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use super::output::{self, ShowFixes, Verbosity};
use super::packages::Packages;
use super::{config_source, emit, print, statistics, ColorChoice, Failure, Format, LintArgs};
use super::{selectors, MessageFormat};
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::diagnostic::{Impact, Level, Outcome};
use crate::engine::{self, Exclude, Input, Options, Prefilter, ServerConfs, Settings, Stdin};
use crate::link::Scope;
use crate::report::DocsBase;
use crate::rules::{self, REGISTRY};
use crate::{baseline, fix, report, suppress};

/// Lints, reports and gives the exit code.
pub(super) fn lint(args: &LintArgs) -> Result<i32, Failure> {
    // Selectors are checked up front so a typo is a usage error.
    let selected: Vec<String> = args
        .select
        .iter()
        .chain(&args.extend_select)
        .cloned()
        .collect();
    selectors::check(&selected, &args.ignore).map_err(Failure::Selector)?;
    let opts = options(args)?;
    let analysed = analyse(args, &opts, Notices::Print)?;
    let mut outcome = analysed.outcome;
    // A path that does not exist fails the run, after the rest is linted.
    let mut failed = analysed.missing_paths;
    if args.fix || args.diff {
        let mode = if args.diff {
            FixMode::Diff
        } else {
            FixMode::Write
        };
        let fixed = apply_fixes(&outcome, mode)?;
        if args.diff {
            return Ok(match (failed, fixed.written) {
                (Failed::Yes, _) => EXIT_ERROR,
                (Failed::No, 0) => EXIT_CLEAN,
                (Failed::No, _) => EXIT_FINDINGS,
            });
        }
        if fixed.written > 0 {
            // Lint again so the report shows what is left.
            outcome = analyse(args, &opts, Notices::Quiet)?.outcome;
        }
        if fixed.not_written > 0 {
            failed = Failed::Yes;
        }
    }
    if let Some(path) = &args.write_baseline {
        let n = baseline::write(path, &outcome).map_err(|error| Failure::Write {
            path: path.display().to_string(),
            error,
        })?;
        eprintln!("redis-lint: recorded {n} findings in {}", path.display());
    }
    write_report(args, &outcome)?;
    Ok(match failed {
        Failed::Yes => EXIT_ERROR,
        Failed::No => exit_code(&outcome, args),
    })
}

/// Whether something the user asked for could not be done (exit 2).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Failed {
    No,
    Yes,
}

/// The engine's options for these arguments (standard input read here).
fn options(args: &LintArgs) -> Result<Options, Failure> {
    let in_impact: Vec<&'static rules::Rule> = REGISTRY
        .iter()
        .copied()
        .filter(|r| args.min_impact.is_none_or(|m| r.meta.impact >= m))
        .collect();
    let input = match &args.stdin_filename {
        Some(path) => {
            // Past the size limit the engine reports the input like a file
            // too large: one byte more than the limit tells it so.
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(args.max_file_size.saturating_add(1))
                .read_to_end(&mut bytes)
                .map_err(Failure::Stdin)?;
            if args.fix || args.diff {
                return Err(Failure::StdinFix);
            }
            Input::Stdin(Stdin {
                path: path.clone(),
                bytes,
            })
        }
        None => Input::Paths(paths(args)?),
    };
    Ok(Options {
        input,
        rules: in_impact,
        settings: Settings::Configured {
            source: config_source(args.config.clone(), args.isolated),
            select: args.select.clone(),
            ignore: args.ignore.clone(),
            extend_select: args.extend_select.clone(),
        },
        scope: Scope {
            tests: args.lint_tests,
        },
        server_confs: if args.no_config_files {
            ServerConfs::Skip
        } else {
            ServerConfs::Lint
        },
        threads: args.threads.map(clamp_threads),
        prefilter: if args.no_prefilter {
            Prefilter::ParseAll
        } else {
            Prefilter::SkipUnrelated
        },
        cache: args.cache.then(|| args.cache_dir.clone()),
        max_file_size: args.max_file_size,
        exclude: Exclude::new(&args.exclude)?,
    })
}

/// The paths to lint: those given, the packages' folders (`-p`,
/// `--workspace`, `--manifest-path`), or the current directory.
fn paths(args: &LintArgs) -> Result<Vec<PathBuf>, Failure> {
    let packages = Packages {
        names: &args.packages,
        workspace: args.workspace,
        manifest_path: args.manifest_path.as_deref(),
    };
    match (packages.asked(), args.paths.is_empty()) {
        (true, false) => Err(Failure::PathsAndPackages),
        (true, true) => Ok(packages.folders()?),
        (false, true) => Ok(vec![PathBuf::from(".")]),
        (false, false) => Ok(args.paths.clone()),
    }
}

/// `--quiet` / `--verbose`.
fn verbosity(args: &LintArgs) -> Verbosity {
    match (args.quiet, args.verbose) {
        (true, _) => Verbosity::Quiet,
        (false, true) => Verbosity::Verbose,
        (false, false) => Verbosity::Normal,
    }
}

/// `--threads`, at most 4 per core: more threads only cost memory and
/// start-up time (each has a large stack), and a typo such as `100000`
/// should not stall the run. Clamped with a note rather than refused, like
/// `make -j` and `cargo build -j` accept any count.
fn clamp_threads(asked: usize) -> usize {
    let max = engine::max_threads();
    if asked > max {
        eprintln!("redis-lint: --threads {asked} is more than 4 per core; using {max}");
    }
    asked.min(max)
}

/// Whether a lint tells its warnings (a second lint after `--fix` would
/// repeat the first's).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Notices {
    Print,
    Quiet,
}

/// One lint's outcome, and whether a path to lint was missing.
struct Analysed {
    outcome: Outcome,
    missing_paths: Failed,
}

/// One lint: the engine's outcome with suppressions and the baseline
/// applied.
fn analyse(args: &LintArgs, opts: &Options, notices: Notices) -> Result<Analysed, Failure> {
    let linted = engine::run(opts)?;
    if notices == Notices::Print && verbosity(args) == Verbosity::Verbose {
        eprint!("{}", output::account(&linted.stats));
    }
    if notices == Notices::Print {
        for warning in &linted.warnings {
            eprintln!("redis-lint: {warning}");
        }
        for missing in &linted.missing_paths {
            eprintln!("redis-lint: {missing}");
        }
    }
    let missing_paths = if linted.missing_paths.is_empty() {
        Failed::No
    } else {
        Failed::Yes
    };
    let mut outcome = linted.outcome;
    suppress::apply(&mut outcome, &linted.rules_run);
    if let Some(path) = &args.baseline {
        let base = baseline::load(path).map_err(Failure::Baseline)?;
        let report = baseline::apply(&base, &mut outcome);
        for s in &report.stale {
            eprintln!("redis-lint: {s}");
        }
    }
    Ok(Analysed {
        outcome,
        missing_paths,
    })
}

/// What to do with the safe fixes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FixMode {
    /// `--fix`: write them.
    Write,
    /// `--diff`: print them as a unified diff.
    Diff,
}

/// Files fixed: written (or printed as a diff), and not written.
struct Fixed {
    written: usize,
    not_written: usize,
}

/// Applies (or prints) the safe fixes; never writes a file that would no
/// longer parse. Each file is replaced at once (see
/// [`fix::write_atomically`]); one that cannot be written is reported and
/// the others are still written.
fn apply_fixes(outcome: &Outcome, mode: FixMode) -> Result<Fixed, Failure> {
    let changes = fix::fix_outcome(outcome).map_err(Failure::Fix)?;
    let (mut applied, mut skipped) = (0, 0);
    let mut written = Vec::new();
    let mut not_written = 0;
    for change in &changes {
        let file = outcome.file(change.file);
        if !change.parses {
            eprintln!(
                "redis-lint: not fixing {}: the result would not parse",
                file.display
            );
            continue;
        }
        if mode == FixMode::Diff {
            // A closed output ends nothing here: the exit code says the rest.
            let _ = print(&fix::unified_diff(&file.display, &change.old, &change.new));
        } else if let Err(error) = fix::write_atomically(&file.path, &change.new) {
            eprintln!("redis-lint: cannot write {}: {error}", file.display);
            not_written += 1;
            continue;
        }
        written.push(file.display.as_str());
        applied += change.applied;
        skipped += change.skipped;
    }
    if mode == FixMode::Write && !written.is_empty() {
        eprintln!(
            "redis-lint: fixed {applied} finding(s) in {} file(s){}{}",
            written.len(),
            if skipped > 0 {
                format!(", {skipped} overlapping fix(es) left for the next run")
            } else {
                String::new()
            },
            // Then the user knows which files changed and which did not.
            if not_written > 0 {
                format!(" ({})", written.join(", "))
            } else {
                String::new()
            }
        );
    }
    Ok(Fixed {
        written: written.len(),
        not_written,
    })
}

/// Renders the outcome in the chosen format, to `--output` or stdout.
fn write_report(args: &LintArgs, outcome: &Outcome) -> Result<(), Failure> {
    let color = args.output.is_none()
        && match args.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        };
    let fixes = if args.show_fixes {
        ShowFixes::Yes
    } else {
        ShowFixes::No
    };
    let people = |text| output::for_people(text, outcome, verbosity(args), fixes);
    let text = match (args.message_format, args.format) {
        _ if args.statistics && args.format == Format::Json => statistics::json(outcome),
        _ if args.statistics => statistics::text(outcome),
        (Some(MessageFormat::Json), _) => report::cargo_messages(outcome),
        (None, Format::Human) => people(report::human(outcome, color)),
        (None, Format::Concise) => people(report::concise(outcome)),
        (None, Format::Json) => report::json(outcome),
        (None, Format::JsonLines) => report::json_lines(outcome),
        (None, Format::Sarif) => report::sarif_with(outcome, None, &docs_base(args)),
        (None, Format::Github) => report::github(outcome),
    };
    emit(args.output.as_deref(), &text)?;
    // After concise output, on standard error: standard output stays one
    // line per finding plus the summary, as scripts and error formats read
    // it. Printed after the report so that a terminal (or pre-commit, which
    // merges both streams) shows it last.
    if args.format == Format::Concise && args.message_format.is_none() && !args.statistics {
        eprint!("{}", output::explain_footer(outcome, verbosity(args)));
    }
    Ok(())
}

/// Where SARIF's doc links point: the `docs-url` of the configuration that
/// applies in the current directory (or `--config`'s), else this build's
/// repository. A broken configuration was already reported by the run.
fn docs_base(args: &LintArgs) -> DocsBase {
    let cwd = std::env::current_dir().unwrap_or_default();
    let config = config_source(args.config.clone(), args.isolated)
        .resolver(&[], &[])
        .and_then(|r| r.for_dir(&cwd))
        .ok();
    DocsBase::configured(config.as_ref().and_then(|c| c.docs_url.as_deref()))
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
