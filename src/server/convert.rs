//! From the linter's findings to LSP's diagnostics: positions (1-based
//! lines, columns in chars) to LSP positions (0-based lines, columns in
//! UTF-16 code units), impacts to severities, related sites to related
//! information.

use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Position, Range, Url,
};

use crate::diagnostic::{Finding, Outcome, Problem, Severity};
use crate::source::{FileId, LineIndex, Pos, Span};

/// What every diagnostic says it comes from.
const SOURCE: &str = "redis-lint";

/// A text's lines, to turn the linter's positions into LSP's.
pub(super) struct Lines<'a> {
    index: LineIndex<'a>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        Lines {
            index: LineIndex::new(text),
        }
    }

    /// The LSP position of `pos`; a column past the end of its line is the
    /// line's end.
    pub fn position(&self, pos: Pos) -> Position {
        let line = self.index.line(pos.line).unwrap_or("");
        let character = line
            .chars()
            .take(pos.col as usize)
            .map(char::len_utf16)
            .sum::<usize>();
        Position {
            line: pos.line.saturating_sub(1),
            character: character as u32,
        }
    }

    pub fn range(&self, span: Span) -> Range {
        Range {
            start: self.position(span.start),
            end: self.position(span.end),
        }
    }

    /// The text of a 1-based line, without its line break.
    pub fn line(&self, line: u32) -> &'a str {
        self.index.line(line).unwrap_or("")
    }
}

/// Where in the document a finding is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Site {
    /// At its primary site: where its fix and its suppression go.
    Primary,
    /// At one of its other sites (the primary one is in another file of the
    /// crate): shown here too, as the CLI shows a finding to a file named
    /// on its own when any of its sites is there.
    Other { file: FileId, span: Span },
}

/// A finding, shown in the document whose `lines` these are at `site`. Its
/// other sites may be in other files of the crate: their positions are
/// read in those files' texts.
pub(super) fn diagnostic(
    finding: &Finding,
    site: Site,
    lines: &Lines,
    outcome: &Outcome,
) -> Diagnostic {
    let location = |file: FileId, span: Span| {
        let file = outcome.file(file);
        // The document's own text is in the outcome too (see `lint`).
        let range = Lines::new(&file.source).range(span);
        Url::from_file_path(&file.path)
            .ok()
            .map(|uri| Location { uri, range })
    };
    let (span, primary) = match site {
        Site::Primary => (finding.span, None),
        Site::Other { span, .. } => (span, location(finding.file, finding.span)),
    };
    let primary = primary.map(|location| DiagnosticRelatedInformation {
        location,
        message: "where this problem is reported (its suppression goes there)".to_string(),
    });
    let others = finding
        .related
        .iter()
        .filter(|r| {
            site != Site::Other {
                file: r.file,
                span: r.span,
            }
        })
        .filter_map(|r| {
            Some(DiagnosticRelatedInformation {
                location: location(r.file, r.span)?,
                message: r.message.clone(),
            })
        });
    let related: Vec<_> = primary.into_iter().chain(others).collect();
    Diagnostic {
        range: lines.range(span),
        severity: Some(severity(finding.severity())),
        code: Some(NumberOrString::String(finding.rule.id.to_string())),
        code_description: doc_url(finding.rule.id).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: format!("{}\nhelp: {}", finding.message, finding.help),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// A problem of the document (it could not be read or parsed).
pub(super) fn problem(problem: &Problem, lines: &Lines) -> Diagnostic {
    let span = problem.span.unwrap_or(Span {
        start: Pos { line: 1, col: 0 },
        end: Pos { line: 1, col: 0 },
    });
    Diagnostic {
        range: lines.range(span),
        severity: Some(DiagnosticSeverity::ERROR),
        code: Some(NumberOrString::String(problem.kind.id().to_string())),
        source: Some(SOURCE.to_string()),
        message: problem.message.clone(),
        ..Diagnostic::default()
    }
}

/// Impacts map to severities as in every report (CRITICAL and HIGH are
/// errors; a rule the configuration sets to `warn` is a warning).
fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// A rule's doc page on the web, when the package names a repository
/// (`[package] repository` or `homepage`): the pages are `rules/<id>.md`
/// there. Without one the rule's doc is still shown on hover.
fn doc_url(id: &str) -> Option<Url> {
    let base = [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|u| u.starts_with("https://"))?;
    Url::parse(&format!(
        "{}/blob/HEAD/rules/{id}.md",
        base.trim_end_matches('/')
    ))
    .ok()
}
