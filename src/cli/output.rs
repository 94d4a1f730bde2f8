//! What the lint command adds around a report: the fixable count and the
//! fix list (`--show-fixes`) after human and concise output, the summary
//! left out with `--quiet`, and `--verbose`'s account of the run.

use std::fmt::Write as _;

use crate::diagnostic::Outcome;
use crate::engine::Stats;
use crate::report;

/// How much the lint command says besides the findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verbosity {
    /// `--quiet`: the findings only.
    Quiet,
    Normal,
    /// `--verbose`: also the configuration and file counts.
    Verbose,
}

/// Human or concise report text with what the user asked for around it:
/// without its summary line when quiet; else followed by the fixes (with
/// `--show-fixes`) and how many findings `--fix` can fix.
pub(super) fn for_people(
    mut text: String,
    outcome: &Outcome,
    verbosity: Verbosity,
    fixes: ShowFixes,
) -> String {
    if verbosity == Verbosity::Quiet {
        // The summary is the last line.
        let body = text.trim_end_matches('\n').rfind('\n').map_or(0, |i| i + 1);
        text.truncate(body);
        return text;
    }
    if fixes == ShowFixes::Yes {
        text.push_str(&fix_list(outcome));
    }
    let fixable = outcome.findings.iter().filter(|f| f.has_safe_fix()).count();
    if fixable > 0 {
        let _ = writeln!(
            text,
            "[*] {fixable} fixable with --fix (--diff shows the changes)"
        );
    }
    text
}

/// With concise output (whose lines carry no help), on standard error: how
/// to read a rule's documentation, with the first finding's rule as the
/// example. Concise lines stay `path:line:col: IMPACT rule: message`, for
/// grep and editors' error formats; the rule id on each line is what
/// `explain` takes.
pub(super) fn explain_footer(outcome: &Outcome, verbosity: Verbosity) -> String {
    match outcome.findings.first() {
        Some(f) if verbosity != Verbosity::Quiet => {
            format!("{}\n", report::explain_hint(f.rule.id))
        }
        _ => String::new(),
    }
}

/// `--show-fixes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ShowFixes {
    No,
    Yes,
}

/// `Fixes (--fix applies them):` then `path:line:col: rule: description`.
fn fix_list(outcome: &Outcome) -> String {
    let mut out = String::new();
    for f in outcome.findings.iter().filter(|f| f.has_safe_fix()) {
        let fix = f.fix.as_ref().expect("filtered on fixes");
        if out.is_empty() {
            out.push_str("Fixes (--fix applies them):\n");
        }
        let _ = writeln!(
            out,
            "  {}:{}:{}: {}: {}",
            outcome.file(f.file).display,
            f.span.start.line.max(1),
            f.span.start.col + 1,
            f.rule.id,
            fix.description
        );
    }
    out
}

/// `--verbose`: which configuration applied and how many files were
/// looked at (for standard error).
pub(super) fn account(stats: &Stats) -> String {
    let mut out = String::new();
    for origin in &stats.configs {
        match origin {
            Some(path) => {
                let _ = writeln!(out, "redis-lint: configuration: {}", path.display());
            }
            None => out.push_str("redis-lint: configuration: the defaults (no file found)\n"),
        }
    }
    let _ = writeln!(
        out,
        "redis-lint: {} Rust files to report on, {} more of their crates read as context; \
         {} parsed, {} skipped (no Redis code, or unreadable); {} Redis configuration files; \
         {} excluded (--exclude)",
        stats.rust_files,
        stats.context_files,
        stats.parsed,
        stats.rust_files + stats.context_files - stats.parsed,
        stats.config_files,
        stats.excluded
    );
    if stats.dependency_crates + stats.dependency_missing > 0 {
        let _ = writeln!(
            out,
            "redis-lint: {} dependency crates wrapping a Redis client read as context, \
             {} not fetched (not read)",
            stats.dependency_crates, stats.dependency_missing
        );
    }
    out
}
