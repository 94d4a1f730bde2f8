//! Output: miette diagnostics for people, and machine formats for tools:
//! one JSON document ([`json`]), JSON lines ([`json_lines`]), one line per
//! diagnostic for grep and editors ([`concise`]), SARIF 2.1.0 for code
//! scanning ([`sarif`]), GitHub Actions workflow commands ([`github`]) and
//! cargo's `--message-format=json` stream for rust-analyzer ([`cargo_messages`]).
//!
//! Every format is a pure function of the [`Outcome`] that lists file
//! problems first, then findings, in the order the engine sorted them, and
//! never panics on odd spans (they are clamped to the text).

mod cargo;
mod concise;
mod github;
pub mod keyspace;
mod redact;
mod related;
mod sarif;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteError,
    MietteSpanContents, Report, SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

use crate::diagnostic::{Finding, Impact};
use crate::diagnostic::{Outcome, Problem};
use crate::source::{
    escape_controls, escaped, hostile_chars, FileId, LineBreaks, Pos, SourceFile, Span,
};

pub use cargo::cargo_messages;
pub use concise::concise;
pub use github::{
    escape_data as github_escape_data, escape_property as github_escape_property, github,
};
pub use sarif::{sarif, sarif_with, sarif_with_root, DocsBase};

/// (text address, text length, its line starts).
type CachedStarts = (usize, usize, Arc<Vec<usize>>);

thread_local! {
    /// Line starts of the text last asked about: reports ask about the same
    /// file many times in a row, and rescanning it each time made output
    /// quadratic in the findings of one file.
    static LINE_STARTS: RefCell<Option<CachedStarts>> = const { RefCell::new(None) };
}

/// Line starts of `source`, cached for the text asked about last.
fn line_starts(source: &str) -> Arc<Vec<usize>> {
    let key = (source.as_ptr() as usize, source.len());
    LINE_STARTS.with(|cell| {
        let mut cached = cell.borrow_mut();
        if let Some((ptr, len, starts)) = cached.as_ref() {
            if (*ptr, *len) == key {
                return starts.clone();
            }
        }
        let starts = Arc::new(crate::source::line_starts(source));
        *cached = Some((key.0, key.1, starts.clone()));
        starts
    })
}

/// Byte offset of a line/column position (columns count chars), clamped
/// into the text.
fn offset(source: &str, pos: Pos) -> usize {
    crate::source::LineIndex::with_starts(source, line_starts(source)).offset_clamped(pos)
}

/// The source handed to miette: reads only the lines around a span, using
/// precomputed line starts (miette's own `str` source scans from the top).
struct Excerpt {
    name: String,
    text: Arc<str>,
    starts: Arc<Vec<usize>>,
}

impl Excerpt {
    fn new(name: &str, text: Arc<str>) -> Excerpt {
        let starts = line_starts(&text);
        Excerpt {
            name: name.to_string(),
            text,
            starts,
        }
    }

    /// 0-based line holding a byte offset.
    fn line_of(&self, at: usize) -> usize {
        self.starts.partition_point(|s| *s <= at).saturating_sub(1)
    }
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let start = span.offset().min(self.text.len());
        let end = (start + span.len()).min(self.text.len());
        let first = self.line_of(start);
        let last = self.line_of(end.saturating_sub(usize::from(end > start)));
        let from = first.saturating_sub(before);
        let to = (last + after).min(self.starts.len() - 1);
        let data_start = self.starts[from];
        let data_end = self.starts.get(to + 1).copied().unwrap_or(self.text.len());
        // miette reads the span alone (no context lines) for the location
        // header, `file:line:column`: give the span's own column there so
        // that click-through lands on the finding, not the line start.
        let column = if before == 0 {
            let line = self.text.get(self.starts[first]..start);
            line.map_or(0, |l| l.chars().count())
        } else {
            0
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            &self.text.as_bytes()[data_start..data_end],
            SourceSpan::new(data_start.into(), data_end - data_start),
            from,
            column,
            to - from + 1,
        )))
    }
}

/// A file's text as snippets show it: with its control characters escaped
/// ([`shown`]), and where each byte offset of the real text lands in it.
struct ShownSource {
    text: Arc<str>,
    /// (offset in the real text just past an escaped character, bytes
    /// added by the escapes up to there), in order.
    shifts: Vec<(usize, usize)>,
}

impl ShownSource {
    fn new(source: &Arc<str>) -> ShownSource {
        let mut shifts = Vec::new();
        let mut text = String::new();
        let (mut from, mut added) = (0, 0);
        for (i, c) in hostile_chars(source, LineBreaks::Keep) {
            let escape = escaped(c);
            text.push_str(&source[from..i]);
            text.push_str(&escape);
            from = i + c.len_utf8();
            added += escape.len() - c.len_utf8();
            shifts.push((from, added));
        }
        if shifts.is_empty() {
            return ShownSource {
                text: source.clone(),
                shifts,
            };
        }
        text.push_str(&source[from..]);
        ShownSource {
            text: Arc::from(text),
            shifts,
        }
    }

    /// Where a byte offset of the real text is in the shown one.
    fn offset(&self, at: usize) -> usize {
        let i = self.shifts.partition_point(|(o, _)| *o <= at);
        at + i.checked_sub(1).map_or(0, |i| self.shifts[i].1)
    }

    /// A byte range of the real text (start, length) in the shown one.
    fn range(&self, (start, len): (usize, usize)) -> (usize, usize) {
        let shown = self.offset(start);
        (shown, self.offset(start + len) - shown)
    }
}

/// Text from users' files as people see it: control characters escaped.
fn shown(text: &str) -> Cow<'_, str> {
    escape_controls(text, LineBreaks::Keep)
}

/// Lines this long are not shown as snippets (miette cannot draw them, and
/// nobody can read them); the report still names the position.
const MAX_SNIPPET_COLUMN: u32 = 10_000;

fn snippet_fits(span: Span) -> bool {
    span.start.col < MAX_SNIPPET_COLUMN && span.end.col < MAX_SNIPPET_COLUMN
}

fn byte_range(source: &str, span: Span) -> (usize, usize) {
    let start = offset(source, span.start);
    let end = offset(source, span.end).max(start);
    (start, end - start)
}

/// Renders every finding and problem with miette, then a summary.
pub fn human(outcome: &Outcome, color: bool) -> String {
    redact::with_redacted(outcome, |safe| human_of(safe, color))
}

fn human_of(outcome: &Outcome, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    let mut out = String::new();
    let render = |out: &mut String, report: Report| {
        let mut text = String::new();
        // A rendering failure must not take the whole report down.
        match std::panic::catch_unwind(AssertUnwindSafe(|| {
            handler.render_report(&mut text, report.as_ref())
        })) {
            Ok(_) => out.push_str(&text),
            Err(_) => {
                let _ = writeln!(out, "{report}");
            }
        }
        out.push('\n');
    };
    for problem in &outcome.problems {
        render(&mut out, problem_report(problem));
    }
    // Escaped texts, made once per file.
    let mut texts: HashMap<FileId, ShownSource> = HashMap::new();
    for f in &outcome.findings {
        let file = outcome.file(f.file);
        let text = texts
            .entry(f.file)
            .or_insert_with(|| ShownSource::new(&file.source));
        let display = shown(&file.display);
        let code = format!(
            "{} [{} · guide §{}]{}",
            f.rule.id,
            f.rule.impact,
            f.rule.section,
            // Fixable with `--fix`, marked as ruff marks it.
            if f.has_safe_fix() { " [*]" } else { "" }
        );
        // Sites in this file are labelled in the snippet; the others named.
        let labelled = snippet_fits(f.span) && !f.hides_source();
        let (here, elsewhere): (Vec<_>, Vec<_>) = f
            .related
            .iter()
            .partition(|r| labelled && r.file == f.file && snippet_fits(r.span));
        let help = match related::also_at(
            outcome,
            if labelled {
                elsewhere
            } else {
                f.related.iter().collect()
            },
        ) {
            Some(sites) => format!(
                "{}\n{}\n{}",
                shown(&f.help),
                shown(&sites),
                explain_hint(f.rule.id)
            ),
            None => format!("{}\n{}", shown(&f.help), explain_hint(f.rule.id)),
        };
        // A snippet of a Redis URL literal could print a password the
        // linter does not recognise as one: those findings name the place
        // without quoting it, and keep their rule id and help.
        let report = if labelled {
            let secondary = here.iter().map(|r| {
                LabeledSpan::new_with_span(
                    Some(r.message.clone()),
                    text.range(byte_range(&file.source, r.span)),
                )
            });
            let diag = MietteDiagnostic::new(shown(&f.message))
                .with_code(code)
                .with_severity(severity(f.severity()))
                .with_help(help)
                .with_label(LabeledSpan::new_primary_with_span(
                    Some(f.rule.summary.to_string()),
                    text.range(byte_range(&file.source, f.span)),
                ))
                .and_labels(secondary);
            Report::new(diag).with_source_code(Excerpt::new(&display, text.text.clone()))
        } else {
            Report::new(
                MietteDiagnostic::new(format!(
                    "{}:{}:{}: {}",
                    display,
                    f.span.start.line,
                    f.span.start.col + 1,
                    shown(&f.message)
                ))
                .with_code(code)
                .with_severity(severity(f.severity()))
                .with_help(help),
            )
        };
        render(&mut out, report);
    }
    out.push_str(&summary_line(outcome));
    out
}

fn problem_report(p: &Problem) -> Report {
    let display = shown(&p.display);
    let mut diag = MietteDiagnostic::new(format!("{display}: {}", shown(&p.message)))
        .with_code(p.kind.id())
        .with_severity(miette::Severity::Error)
        .with_help(explain_hint(p.kind.id()));
    match (&p.source, p.span) {
        (Some(source), Some(span)) if snippet_fits(span) => {
            let text = ShownSource::new(source);
            diag = diag.with_label(LabeledSpan::new_with_span(
                Some("here".into()),
                text.range(byte_range(source, span)),
            ));
            Report::new(diag).with_source_code(Excerpt::new(&display, text.text))
        }
        _ => Report::new(diag),
    }
}

fn severity(severity: crate::diagnostic::Severity) -> miette::Severity {
    match severity {
        crate::diagnostic::Severity::Error => miette::Severity::Error,
        crate::diagnostic::Severity::Warning => miette::Severity::Warning,
        crate::diagnostic::Severity::Info => miette::Severity::Advice,
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

/// The last line of a finding's help in human output (and a note in
/// cargo's): where its rule's documentation is, as rustc points at
/// `rustc --explain`.
pub fn explain_hint(rule: &str) -> String {
    format!("for more information, try `redis-lint explain {rule}`")
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

/// The JSON schema version: 2 added `related` to every diagnostic.
const JSON_VERSION: u32 = 2;

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
    /// The problem's other sites (schema version 2).
    related: Vec<JsonRelated<'a>>,
}

/// Another site of a diagnostic's problem: 1-based, columns in characters.
#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    description: &'a str,
    /// `safe` (applied by `--fix`) or `unsafe` (shown, never applied).
    applicability: &'static str,
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

fn json_fix(fix: &Option<crate::diagnostic::Fix>) -> Option<JsonFix<'_>> {
    fix.as_ref().map(|f| JsonFix {
        description: &f.description,
        applicability: f.applicability.as_str(),
        edits: f
            .edits
            .iter()
            .map(|e| JsonEdit {
                line: e.span.start.line,
                column: col1(e.span.start.col),
                end_line: e.span.end.line,
                end_column: col1(e.span.end.col),
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

/// The `--format json` document (schema version 2, see README).
pub fn json(outcome: &Outcome) -> String {
    redact::with_redacted(outcome, json_of)
}

fn json_of(outcome: &Outcome) -> String {
    let report = JsonReport {
        version: JSON_VERSION,
        diagnostics: diagnostics(outcome),
        summary: summary(outcome),
    };
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
    s.push('\n');
    s
}

/// JSON lines: one compact object per line, each with exactly the fields
/// of an item of the [`json`] document's `diagnostics` array (problems
/// first, then findings), then one last line `{"summary": {...}}` holding
/// the document's `summary` object.
///
/// The summary comes last, on its own line and under its own key, so a
/// consumer can stream the diagnostics as they are read, tell the summary
/// apart by its only key (a diagnostic always has `rule`), and know the
/// output is complete when it sees it. Unlike the document there is no
/// `version` field: the lines follow schema version [`JSON_VERSION`].
pub fn json_lines(outcome: &Outcome) -> String {
    redact::with_redacted(outcome, json_lines_of)
}

fn json_lines_of(outcome: &Outcome) -> String {
    let mut out = String::new();
    for d in diagnostics(outcome) {
        out.push_str(&serde_json::to_string(&d).unwrap_or_default());
        out.push('\n');
    }
    #[derive(Serialize)]
    struct Last {
        summary: JsonSummary,
    }
    let last = Last {
        summary: summary(outcome),
    };
    out.push_str(&serde_json::to_string(&last).unwrap_or_default());
    out.push('\n');
    out
}

/// The `diagnostics` items of the JSON formats: problems, then findings.
fn diagnostics(outcome: &Outcome) -> Vec<JsonDiagnostic<'_>> {
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
                column: col1(span.start.col),
                end_line: span.end.line.max(1),
                end_column: col1(span.end.col),
                fix: None,
                related: Vec::new(),
            }
        })
        .collect();
    diagnostics.extend(outcome.findings.iter().map(|f| {
        JsonDiagnostic {
            rule: f.rule.id,
            section: Some(f.rule.section),
            impact: Some(f.rule.impact.as_str()),
            severity: f.severity().as_str(),
            message: &f.message,
            help: Some(&f.help),
            file: display_of(outcome, f.file),
            line: f.span.start.line,
            column: col1(f.span.start.col),
            end_line: f.span.end.line,
            end_column: col1(f.span.end.col),
            fix: json_fix(&f.fix),
            related: f
                .related
                .iter()
                .map(|r| JsonRelated {
                    file: display_of(outcome, r.file),
                    line: r.span.start.line,
                    column: col1(r.span.start.col),
                    end_line: r.span.end.line,
                    end_column: col1(r.span.end.col),
                    message: &r.message,
                })
                .collect(),
        }
    }));
    diagnostics
}

fn summary(outcome: &Outcome) -> JsonSummary {
    JsonSummary {
        files_scanned: outcome.files_scanned,
        files_with_redis: outcome.files_with_redis,
        findings: outcome.findings.len(),
        by_impact: by_impact(&outcome.findings),
        problems: outcome.problems.len(),
    }
}

/// A 0-based char column as a 1-based one.
fn col1(col: u32) -> u32 {
    col.saturating_add(1)
}

/// The file of a finding (`None` only for an id the outcome does not hold).
fn source_file(outcome: &Outcome, id: FileId) -> Option<&SourceFile> {
    outcome.files.get(id as usize)
}

/// The path of a finding's file as shown (relative to the working directory).
fn display_of(outcome: &Outcome, id: FileId) -> &str {
    source_file(outcome, id).map_or("", |f| &f.display)
}

/// The text of a finding's file (empty when not kept).
fn source_of(outcome: &Outcome, id: FileId) -> &str {
    source_file(outcome, id).map_or("", |f| &f.source)
}

/// The text a span covers, clamped to the source.
fn span_text(source: &str, span: Span) -> &str {
    let (start, len) = byte_range(source, span);
    source.get(start..start + len).unwrap_or("")
}

/// A message on one line: line breaks become spaces, other control
/// characters are escaped.
fn one_line(text: &str) -> String {
    let spaced = text.replace("\r\n", " ").replace(['\n', '\r'], " ");
    escape_controls(&spaced, LineBreaks::Escape).into_owned()
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

    #[test]
    fn the_location_header_has_the_column_of_the_span() {
        let text = "fn f() {\n    let é = con.keys(\"*\");\n}\n";
        let excerpt = Excerpt::new("a.rs", Arc::from(text));
        let at = text.find("con").unwrap();
        let header = excerpt
            .read_span(&SourceSpan::new(at.into(), 3), 0, 0)
            .unwrap();
        // 0-based here; miette shows `a.rs:2:13`.
        assert_eq!((header.line(), header.column()), (1, 12));
        let snippet = excerpt
            .read_span(&SourceSpan::new(at.into(), 3), 1, 1)
            .unwrap();
        assert_eq!(snippet.column(), 0, "the snippet starts at a line start");
    }
}
