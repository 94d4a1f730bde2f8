//! Output: miette diagnostics for people, one JSON document for tools.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report,
};
use serde::Serialize;

use crate::engine::{Outcome, Problem};
use crate::model::{Pos, Span};
use crate::rules::{Finding, Impact};

/// Byte offset of a line/column position (columns count chars).
fn offset(source: &str, pos: Pos) -> usize {
    let mut line_start = 0;
    for _ in 1..pos.line {
        match source[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return source.len(),
        }
    }
    let line = &source[line_start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    line_start
        + line
            .char_indices()
            .nth(pos.col as usize)
            .map_or(line.len(), |(i, _)| i)
}

fn byte_range(source: &str, span: Span) -> (usize, usize) {
    let start = offset(source, span.start);
    let end = offset(source, span.end).max(start);
    (start, end - start)
}

/// Renders every finding and problem with miette, then a summary.
pub fn human(outcome: &Outcome, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut out = String::new();
    let render = |out: &mut String, report: Report| {
        let _ = handler.render_report(out, report.as_ref());
        out.push('\n');
    };
    for problem in &outcome.problems {
        render(&mut out, problem_report(problem));
    }
    for f in &outcome.findings {
        let file = outcome.file(f.file);
        let diag = MietteDiagnostic::new(f.message.clone())
            .with_code(format!(
                "{} [{} · guide §{}]",
                f.rule.id, f.rule.impact, f.rule.section
            ))
            .with_severity(severity(f.rule.impact))
            .with_help(format!("{}\n(rule docs: rules/{}.md)", f.help, f.rule.id))
            .with_label(LabeledSpan::new_with_span(
                Some(f.rule.summary.to_string()),
                byte_range(&file.source, f.span),
            ));
        let report = Report::new(diag)
            .with_source_code(NamedSource::new(&file.display, file.source.clone()));
        render(&mut out, report);
    }
    out.push_str(&summary_line(outcome));
    out
}

fn problem_report(p: &Problem) -> Report {
    let mut diag = MietteDiagnostic::new(format!("{}: {}", p.display, p.message))
        .with_code(p.kind.id())
        .with_severity(miette::Severity::Error);
    match (&p.source, p.span) {
        (Some(source), Some(span)) => {
            diag = diag.with_label(LabeledSpan::new_with_span(
                Some("here".into()),
                byte_range(source, span),
            ));
            Report::new(diag).with_source_code(NamedSource::new(&p.display, source.clone()))
        }
        _ => Report::new(diag),
    }
}

fn severity(impact: Impact) -> miette::Severity {
    match impact.severity() {
        crate::rules::Severity::Error => miette::Severity::Error,
        crate::rules::Severity::Warning => miette::Severity::Warning,
        crate::rules::Severity::Info => miette::Severity::Advice,
    }
}

fn by_impact(findings: &[Finding]) -> BTreeMap<&'static str, usize> {
    let mut counts: BTreeMap<&'static str, usize> =
        Impact::ALL.iter().map(|i| (i.as_str(), 0)).collect();
    for f in findings {
        *counts.entry(f.rule.impact.as_str()).or_default() += 1;
    }
    counts
}

fn summary_line(outcome: &Outcome) -> String {
    let mut s = format!(
        "Scanned {} files ({} with Redis code): {} finding{}",
        outcome.files_scanned,
        outcome.files_with_redis,
        outcome.findings.len(),
        if outcome.findings.len() == 1 { "" } else { "s" }
    );
    let counts = by_impact(&outcome.findings);
    let parts: Vec<String> = Impact::ALL
        .iter()
        .filter(|i| counts[i.as_str()] > 0)
        .map(|i| format!("{} {}", counts[i.as_str()], i))
        .collect();
    if !parts.is_empty() {
        let _ = write!(s, " ({})", parts.join(", "));
    }
    if !outcome.problems.is_empty() {
        let _ = write!(
            s,
            "; {} file problem{}",
            outcome.problems.len(),
            if outcome.problems.len() == 1 { "" } else { "s" }
        );
    }
    s.push('\n');
    s
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    section: Option<&'a str>,
    impact: Option<&'a str>,
    severity: &'a str,
    message: &'a str,
    help: Option<&'a str>,
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    description: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

/// Replace the text from (line, column) to (end_line, end_column) — 1-based,
/// end exclusive, columns in characters — by `content`.
#[derive(Serialize)]
struct JsonEdit<'a> {
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    content: &'a str,
}

fn json_fix(fix: &Option<crate::rules::Fix>) -> Option<JsonFix<'_>> {
    fix.as_ref().map(|f| JsonFix {
        description: &f.description,
        edits: f
            .edits
            .iter()
            .map(|e| JsonEdit {
                line: e.span.start.line,
                column: e.span.start.col + 1,
                end_line: e.span.end.line,
                end_column: e.span.end.col + 1,
                content: &e.content,
            })
            .collect(),
    })
}

#[derive(Serialize)]
struct JsonSummary {
    files_scanned: usize,
    files_with_redis: usize,
    findings: usize,
    by_impact: BTreeMap<&'static str, usize>,
    problems: usize,
}

/// The `--format json` document (schema version 1, see README).
pub fn json(outcome: &Outcome) -> String {
    let mut diagnostics: Vec<JsonDiagnostic> = outcome
        .problems
        .iter()
        .map(|p| {
            let span = p.span.unwrap_or(Span {
                start: Pos { line: 1, col: 0 },
                end: Pos { line: 1, col: 0 },
            });
            JsonDiagnostic {
                rule: p.kind.id(),
                section: None,
                impact: None,
                severity: "error",
                message: &p.message,
                help: None,
                file: &p.display,
                line: span.start.line.max(1),
                column: span.start.col + 1,
                end_line: span.end.line.max(1),
                end_column: span.end.col + 1,
                fix: None,
            }
        })
        .collect();
    diagnostics.extend(outcome.findings.iter().map(|f| JsonDiagnostic {
        rule: f.rule.id,
        section: Some(f.rule.section),
        impact: Some(f.rule.impact.as_str()),
        severity: f.rule.impact.severity().as_str(),
        message: &f.message,
        help: Some(&f.help),
        file: &outcome.file(f.file).display,
        line: f.span.start.line,
        column: f.span.start.col + 1,
        end_line: f.span.end.line,
        end_column: f.span.end.col + 1,
        fix: json_fix(&f.fix),
    }));
    let report = JsonReport {
        version: 1,
        diagnostics,
        summary: JsonSummary {
            files_scanned: outcome.files_scanned,
            files_with_redis: outcome.files_with_redis,
            findings: outcome.findings.len(),
            by_impact: by_impact(&outcome.findings),
            problems: outcome.problems.len(),
        },
    };
    let mut s = serde_json::to_string_pretty(&report).expect("the report serialises");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_chars_per_line() {
        let src = "ab\nçé x\n";
        assert_eq!(offset(src, Pos { line: 1, col: 1 }), 1);
        assert_eq!(offset(src, Pos { line: 2, col: 2 }), 3 + 4);
        assert_eq!(offset(src, Pos { line: 9, col: 0 }), src.len());
    }
}
