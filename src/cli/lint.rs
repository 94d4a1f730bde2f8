//! The lint command: run the engine, apply suppressions and the baseline,
//! fix, record, report, and choose the exit code.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::{config_source, print, ColorChoice, Failure, Format, LintArgs, MessageFormat};
use super::{EXIT_CLEAN, EXIT_FINDINGS};
use crate::diagnostic::{Impact, Level, Outcome};
use crate::engine::{self, Input, Options, Prefilter, ServerConfs, Settings, Stdin};
use crate::link::Scope;
use crate::rules::{self, REGISTRY};
use crate::{baseline, fix, report, suppress};

/// Lints, reports and gives the exit code.
pub(super) fn lint(args: &LintArgs) -> Result<i32, Failure> {
    // Selectors are checked up front so a typo is a usage error.
    rules::select(&args.select, &args.ignore, None).map_err(Failure::Selector)?;
    let opts = options(args)?;
    let mut outcome = analyse(args, &opts)?;
    if args.fix || args.diff {
        let mode = if args.diff {
            FixMode::Diff
        } else {
            FixMode::Write
        };
        let changed = apply_fixes(&outcome, mode)?;
        if changed > 0 && args.diff {
            return Ok(EXIT_FINDINGS);
        }
        if changed > 0 {
            // Lint again so the report shows what is left.
            outcome = analyse(args, &opts)?;
        }
        if args.diff {
            return Ok(EXIT_CLEAN);
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
    Ok(exit_code(&outcome, args))
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
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(Failure::Stdin)?;
            if args.fix || args.diff {
                return Err(Failure::StdinFix);
            }
            Input::Stdin(Stdin {
                path: path.clone(),
                text: text.into(),
            })
        }
        None if args.paths.is_empty() => Input::Paths(vec![PathBuf::from(".")]),
        None => Input::Paths(args.paths.clone()),
    };
    Ok(Options {
        input,
        rules: in_impact,
        settings: Settings::Configured {
            source: config_source(args.config.clone(), args.isolated),
            select: args.select.clone(),
            ignore: args.ignore.clone(),
        },
        scope: Scope {
            tests: args.lint_tests,
        },
        server_confs: if args.no_config_files {
            ServerConfs::Skip
        } else {
            ServerConfs::Lint
        },
        threads: args.threads,
        prefilter: if args.no_prefilter {
            Prefilter::ParseAll
        } else {
            Prefilter::SkipUnrelated
        },
        cache: args.cache.then(|| args.cache_dir.clone()),
    })
}

/// One lint: the engine's outcome with suppressions and the baseline
/// applied.
fn analyse(args: &LintArgs, opts: &Options) -> Result<Outcome, Failure> {
    let linted = engine::run(opts)?;
    for warning in &linted.warnings {
        eprintln!("redis-lint: {warning}");
    }
    let mut outcome = linted.outcome;
    suppress::apply(&mut outcome, &linted.rules_run);
    if let Some(path) = &args.baseline {
        let base = baseline::load(path).map_err(Failure::Baseline)?;
        let report = baseline::apply(&base, &mut outcome);
        for s in &report.stale {
            eprintln!("redis-lint: {s}");
        }
    }
    Ok(outcome)
}

/// What to do with the safe fixes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FixMode {
    /// `--fix`: write them.
    Write,
    /// `--diff`: print them as a unified diff.
    Diff,
}

/// Applies (or prints) the safe fixes; never writes a file that would no
/// longer parse. Returns how many files change.
fn apply_fixes(outcome: &Outcome, mode: FixMode) -> Result<usize, Failure> {
    let changes = fix::fix_outcome(outcome).map_err(Failure::Fix)?;
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
        if mode == FixMode::Diff {
            // A closed output ends nothing here: the exit code says the rest.
            let _ = print(&fix::unified_diff(&file.display, &change.old, &change.new));
        } else {
            std::fs::write(&file.path, &change.new).map_err(|error| Failure::Write {
                path: file.display.clone(),
                error,
            })?;
        }
    }
    if mode == FixMode::Write && files > 0 {
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
    let text = match (args.message_format, args.format) {
        (Some(MessageFormat::Json), _) => report::cargo_messages(outcome),
        (None, Format::Human) => report::human(outcome, color),
        (None, Format::Concise) => report::concise(outcome),
        (None, Format::Json) => report::json(outcome),
        (None, Format::JsonLines) => report::json_lines(outcome),
        (None, Format::Sarif) => report::sarif(outcome),
        (None, Format::Github) => report::github(outcome),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text.as_bytes()).map_err(|error| Failure::Write {
            path: path.display().to_string(),
            error,
        }),
        None => print(&text),
    }
}

/// 2 for an internal error; otherwise 1 when failing findings (at or above
/// `--fail-on`, more than `--max-findings`) or file problems remain.
fn exit_code(outcome: &Outcome, args: &LintArgs) -> i32 {
    if outcome.has_internal_error() {
        return super::EXIT_ERROR;
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
