//! GitHub Actions workflow commands: each diagnostic becomes an annotation
//! on the pull request's diff and in the run summary.

use super::{col1, display_of};
use crate::diagnostic::Outcome;
use crate::diagnostic::Severity;
use crate::source::{escape_controls, LineBreaks, Span};

/// One workflow command per line, file problems first:
///
/// ```text
/// ::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=RULE-ID (IMPACT)::MESSAGE
/// ```
///
/// `::error` for file problems and findings of error severity
/// ([`Finding::severity`](crate::diagnostic::Finding::severity): the impact's,
/// or warning where the configuration says `warn`), `::warning` for
/// warnings, `::notice` for information. The message is the finding's
/// message, then (for a problem found at several sites, which gets one
/// annotation) `also at N other sites: path:line:col, ...` on its own line,
/// then `help: ...` on the last line. Lines and columns are
/// 1-based, columns count characters and `endColumn` is exclusive; the
/// columns are left out when the span covers several lines (GitHub
/// annotates columns only within one line), and a problem without a
/// position gets `file=` alone. There is no summary line: every line is a
/// command.
pub fn github(outcome: &Outcome) -> String {
    super::redact::with_redacted(outcome, github_of)
}

fn github_of(outcome: &Outcome) -> String {
    let mut out = String::new();
    for p in &outcome.problems {
        let mut props = vec![("file", p.display.clone())];
        if let Some(span) = p.span {
            position(&mut props, span);
        }
        props.push(("title", p.kind.id().to_string()));
        out.push_str(&command("error", &props, &p.message));
    }
    for f in &outcome.findings {
        let level = match f.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = vec![("file", display_of(outcome, f.file).to_string())];
        position(&mut props, f.span);
        props.push(("title", format!("{} ({})", f.rule.id, f.rule.impact)));
        let message = match super::related::all_sites(outcome, f) {
            Some(sites) => format!("{}\n{sites}\nhelp: {}", f.message, f.help),
            None => format!("{}\nhelp: {}", f.message, f.help),
        };
        out.push_str(&command(level, &props, &message));
    }
    out
}

fn position(props: &mut Vec<(&'static str, String)>, span: Span) {
    let line = span.start.line.max(1);
    let end_line = span.end.line.max(line);
    props.push(("line", line.to_string()));
    if end_line == line {
        let col = col1(span.start.col);
        props.push(("col", col.to_string()));
        props.push(("endLine", end_line.to_string()));
        props.push(("endColumn", col1(span.end.col).max(col).to_string()));
    } else {
        props.push(("endLine", end_line.to_string()));
    }
}

/// `::name key=value,...::message` and a line break.
fn command(name: &str, props: &[(&str, String)], message: &str) -> String {
    let props: Vec<String> = props
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    format!("::{name} {}::{}\n", props.join(","), escape_data(message))
}

/// Escapes the message of a workflow command: `%`, CR and LF, so that the
/// command stays on one line and no text from the user's files can start a
/// line of its own (a forged `::error::` or `::add-mask::`); other control
/// characters are written as `\u{1b}`, as in the human output.
pub fn escape_data(text: &str) -> String {
    let text = escape_controls(text, LineBreaks::Keep);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value of a workflow command: as [`escape_data`],
/// and `:` and `,`, which would end the value.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}
