//! Cargo's `--message-format=json` stream, so that tools reading `cargo
//! check` output (rust-analyzer's `check.overrideCommand`, `cargo-fix`-like
//! tools, CI problem matchers) show the findings as compiler diagnostics.

use serde::Serialize;

use super::{byte_range, col1, display_of, shown, source_of};
use crate::diagnostic::{Applicability, Finding, Related, Severity};
use crate::diagnostic::{Outcome, Problem};
use crate::source::Span;
use crate::source::{escape_controls, LineBreaks};

/// The `package_id` of every message: redis-lint's diagnostics belong to no
/// package cargo knows; rust-analyzer only uses it to group and clear them.
const PACKAGE_ID: &str = "redis-lint";

/// One JSON object per line, as `cargo check --message-format=json` prints:
/// a `compiler-message` per diagnostic (file problems first), whose
/// `message` is a rustc JSON diagnostic, then `{"reason":
/// "build-finished", "success": ...}`; `success` is false when there is an
/// error-level diagnostic (a file problem, or a finding whose
/// [`Finding::severity`] is error), as cargo reports a build with errors.
///
/// Each line deserializes as `cargo_metadata::Message::CompilerMessage`
/// (`package_id`, `target` with `name`, `kind`, `crate_types`, `src_path`,
/// `edition`, and `message`: `cargo_metadata::diagnostic::Diagnostic`), the
/// type rust-analyzer's flycheck parses. Spans carry 1-based lines and
/// character columns (end exclusive) and byte offsets into the file's
/// UTF-8 text, as rustc's do, plus the source lines they cover. Levels
/// follow [`Finding::severity`]: `error`, `warning`, and `note` for
/// information (which
/// rust-analyzer shows as information; `help` would be a faint hint). The
/// finding's help is a `help` child; a fix is another `help` child whose
/// spans carry `suggested_replacement` with `MachineApplicable` (or
/// `MaybeIncorrect` for an unsafe fix, which `--fix` does not apply), where
/// rustc puts its suggestions (the primary span's own replacement stays
/// null, since an edit usually covers other text than the flagged span).
pub fn cargo_messages(outcome: &Outcome) -> String {
    super::redact::with_redacted(outcome, cargo_messages_of)
}

fn cargo_messages_of(outcome: &Outcome) -> String {
    let mut out = String::new();
    let mut success = true;
    for p in &outcome.problems {
        success = false;
        push_line(
            &mut out,
            &compiler_message(&p.display, problem_diagnostic(p)),
        );
    }
    for f in &outcome.findings {
        success &= f.severity() != Severity::Error;
        let file = display_of(outcome, f.file);
        let related: Vec<RelatedSite> = f
            .related
            .iter()
            .map(|r| RelatedSite {
                file: display_of(outcome, r.file),
                source: source_of(outcome, r.file),
                related: r,
            })
            .collect();
        let also = super::related::all_sites(outcome, f);
        let diag = finding_diagnostic(file, source_of(outcome, f.file), f, &related, also);
        push_line(&mut out, &compiler_message(file, diag));
    }
    push_line(
        &mut out,
        &BuildFinished {
            reason: "build-finished",
            success,
        },
    );
    out
}

fn push_line(out: &mut String, value: &impl Serialize) {
    out.push_str(&serde_json::to_string(value).unwrap_or_default());
    out.push('\n');
}

#[derive(Serialize)]
struct CompilerMessage<'a> {
    reason: &'static str,
    package_id: &'static str,
    manifest_path: &'static str,
    target: Target<'a>,
    message: Diagnostic,
}

#[derive(Serialize)]
struct Target<'a> {
    kind: [&'static str; 1],
    crate_types: [&'static str; 1],
    name: &'static str,
    src_path: &'a str,
    edition: &'static str,
    doc: bool,
    doctest: bool,
    test: bool,
}

#[derive(Serialize)]
struct BuildFinished {
    reason: &'static str,
    success: bool,
}

/// rustc's JSON diagnostic.
#[derive(Serialize)]
struct Diagnostic {
    #[serde(rename = "$message_type")]
    message_type: &'static str,
    message: String,
    code: Option<Code>,
    level: &'static str,
    spans: Vec<DiagnosticSpan>,
    children: Vec<Diagnostic>,
    rendered: Option<String>,
}

#[derive(Serialize)]
struct Code {
    code: String,
    explanation: Option<String>,
}

#[derive(Serialize)]
struct DiagnosticSpan {
    file_name: String,
    byte_start: usize,
    byte_end: usize,
    line_start: u32,
    line_end: u32,
    column_start: u32,
    column_end: u32,
    is_primary: bool,
    text: Vec<SpanLine>,
    label: Option<String>,
    suggested_replacement: Option<String>,
    suggestion_applicability: Option<&'static str>,
    expansion: Option<()>,
}

#[derive(Serialize)]
struct SpanLine {
    text: String,
    highlight_start: usize,
    highlight_end: usize,
}

fn compiler_message<'a>(file: &'a str, message: Diagnostic) -> CompilerMessage<'a> {
    CompilerMessage {
        reason: "compiler-message",
        package_id: PACKAGE_ID,
        manifest_path: "",
        target: Target {
            kind: ["lib"],
            crate_types: ["lib"],
            name: PACKAGE_ID,
            src_path: file,
            edition: "2021",
            doc: false,
            doctest: false,
            test: false,
        },
        message,
    }
}

/// Another site of a finding, with its file's name and text.
struct RelatedSite<'a> {
    file: &'a str,
    source: &'a str,
    related: &'a Related,
}

fn finding_diagnostic(
    file: &str,
    source: &str,
    f: &Finding,
    related: &[RelatedSite],
    also: Option<String>,
) -> Diagnostic {
    let level = match f.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let label = format!("{} [{}]", f.rule.summary, f.rule.impact);
    let mut primary = span(file, source, f.span, Some(label.clone()), None);
    // The quoted line of a Redis URL literal could carry its password.
    if f.hides_source() {
        primary.text.clear();
    }
    let mut children = vec![child(&f.help, Vec::new())];
    // Each other site of the problem: a note pointing at it, as rustc
    // points at a previous definition.
    for r in related {
        let mut at = span(r.file, r.source, r.related.span, None, None);
        if f.hides_source() {
            at.text.clear();
        }
        children.push(Diagnostic {
            level: "note",
            ..child(&r.related.message, vec![at])
        });
    }
    if let Some(fix) = f.fix.as_ref().filter(|fix| !fix.edits.is_empty()) {
        let spans = fix
            .edits
            .iter()
            .map(|e| {
                let suggestion = Suggestion {
                    replacement: e.content.clone(),
                    applicability: fix.applicability,
                };
                span(file, source, e.span, None, Some(suggestion))
            })
            .collect();
        children.push(child(&fix.description, spans));
    }
    let docs = super::explain_hint(f.rule.id);
    let shown = if f.hides_source() { "" } else { source };
    let rendered = render(
        level,
        f.rule.id,
        &f.message,
        file,
        shown,
        f.span,
        &label,
        &[("help", f.help.as_str())]
            .into_iter()
            .chain(also.iter().map(|a| ("note", a.as_str())))
            .chain([("note", docs.as_str())])
            .collect::<Vec<_>>(),
    );
    Diagnostic {
        message_type: "diagnostic",
        message: f.message.clone(),
        code: Some(Code {
            code: f.rule.id.to_string(),
            explanation: None,
        }),
        level,
        spans: vec![primary],
        children,
        rendered: Some(rendered),
    }
}

fn problem_diagnostic(p: &Problem) -> Diagnostic {
    let source = p.source.as_deref().unwrap_or("");
    let located = p.span.filter(|_| p.source.is_some());
    let spans = located
        .map(|s| vec![span(&p.display, source, s, Some("here".into()), None)])
        .unwrap_or_default();
    let rendered = match located {
        Some(s) => render(
            "error",
            p.kind.id(),
            &p.message,
            &p.display,
            source,
            s,
            "here",
            &[],
        ),
        None => format!(
            "error[{}]: {}: {}\n",
            p.kind.id(),
            shown(&p.display),
            shown(&p.message)
        ),
    };
    // Without a span the message must name the file.
    let message = match located {
        Some(_) => p.message.clone(),
        None => format!("{}: {}", p.display, p.message),
    };
    Diagnostic {
        message_type: "diagnostic",
        message,
        code: Some(Code {
            code: p.kind.id().to_string(),
            explanation: None,
        }),
        level: "error",
        spans,
        children: Vec::new(),
        rendered: Some(rendered),
    }
}

fn child(message: &str, spans: Vec<DiagnosticSpan>) -> Diagnostic {
    Diagnostic {
        message_type: "diagnostic",
        message: message.to_string(),
        code: None,
        level: "help",
        spans,
        children: Vec::new(),
        rendered: None,
    }
}

/// What a fix's edit suggests, for a span.
struct Suggestion {
    replacement: String,
    applicability: Applicability,
}

/// A span in rustc's terms; a `suggestion` makes it a suggestion: machine
/// applicable when the fix is safe, "maybe incorrect" when it is not.
fn span(
    file: &str,
    source: &str,
    span: Span,
    label: Option<String>,
    suggestion: Option<Suggestion>,
) -> DiagnosticSpan {
    let (start, len) = byte_range(source, span);
    let line_start = span.start.line.max(1);
    let line_end = span.end.line.max(line_start);
    let column_start = col1(span.start.col);
    let mut column_end = col1(span.end.col);
    if line_end == line_start {
        column_end = column_end.max(column_start);
    }
    let applicability = suggestion.as_ref().map(|s| match s.applicability {
        Applicability::Safe => "MachineApplicable",
        Applicability::Unsafe => "MaybeIncorrect",
    });
    let replacement = suggestion.map(|s| s.replacement);
    DiagnosticSpan {
        file_name: file.to_string(),
        byte_start: start,
        byte_end: start + len,
        line_start,
        line_end,
        column_start,
        column_end,
        is_primary: true,
        text: span_lines(source, line_start, line_end, column_start, column_end),
        label,
        suggested_replacement: replacement,
        suggestion_applicability: applicability,
        expansion: None,
    }
}

/// The source lines a span covers, each with its highlighted columns
/// (1-based chars, end exclusive), as rustc gives them.
fn span_lines(source: &str, first: u32, last: u32, col_start: u32, col_end: u32) -> Vec<SpanLine> {
    source
        .split('\n')
        .enumerate()
        .skip(first as usize - 1)
        .take((last - first) as usize + 1)
        .map(|(i, line)| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let n = i as u32 + 1;
            let width = line.chars().count() + 1;
            let start = if n == first { col_start as usize } else { 1 };
            let end = if n == last { col_end as usize } else { width };
            SpanLine {
                text: line.to_string(),
                highlight_start: start.min(width),
                highlight_end: end.min(width).max(start.min(width)),
            }
        })
        .collect()
}

/// A short rustc-style rendering: header, location, the first line of the
/// span underlined, then notes.
#[allow(clippy::too_many_arguments)]
fn render(
    level: &str,
    code: &str,
    message: &str,
    file: &str,
    source: &str,
    span: Span,
    label: &str,
    notes: &[(&str, &str)],
) -> String {
    let line_no = span.start.line.max(1);
    let col = col1(span.start.col);
    let gutter = " ".repeat(line_no.to_string().len());
    let (message, file) = (shown(message), shown(file));
    let mut out = format!("{level}[{code}]: {message}\n{gutter}--> {file}:{line_no}:{col}\n");
    let line = source.split('\n').nth(line_no as usize - 1);
    if let Some(line) = line.map(|l| l.strip_suffix('\r').unwrap_or(l)) {
        let chars: Vec<char> = line.chars().collect();
        let start = (span.start.col as usize).min(chars.len());
        let end = if span.end.line == span.start.line {
            (span.end.col as usize).min(chars.len())
        } else {
            chars.len()
        };
        // Underlined as shown: with its control characters escaped.
        let shown_chars = |part: &[char]| {
            let part: String = part.iter().collect();
            escape_controls(&part, LineBreaks::Escape).into_owned()
        };
        let pad: String = shown_chars(&chars[..start])
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let marks = "^".repeat(shown_chars(&chars[start..end]).chars().count().max(1));
        let line = shown_chars(&chars);
        out.push_str(&format!("{gutter} |\n{line_no} | {line}\n"));
        out.push_str(&format!("{gutter} | {pad}{marks} {label}\n"));
    }
    if !notes.is_empty() {
        out.push_str(&format!("{gutter} |\n"));
    }
    for (kind, text) in notes {
        out.push_str(&format!("{gutter} = {kind}: {}\n", shown(text)));
    }
    out
}
