//! One line per diagnostic, for grep and editors.

use std::fmt::Write as _;

use super::{col1, display_of, one_line, summary_line};
use crate::diagnostic::Outcome;

/// `path:line:col: IMPACT rule-id: message` (`[*] message` when `--fix`
/// can fix it; `(also at N other sites: path:line:col, ...)` after it for
/// a problem found at several sites), one line per diagnostic (file
/// problems first, as `path:line:col: ERROR parse-error: message`), then
/// the summary line of the human output.
///
/// Lines and columns are 1-based (columns count characters), so Vim's and
/// Emacs' `%f:%l:%c: %m` error format reads it as it is. Line breaks inside
/// a message become spaces, other control characters in messages and paths
/// are escaped (`\u{1b}`); a problem without a position (an unreadable
/// file) is reported at 1:1.
pub fn concise(outcome: &Outcome) -> String {
    super::redact::with_redacted(outcome, concise_of)
}

fn concise_of(outcome: &Outcome) -> String {
    let mut out = String::new();
    for p in &outcome.problems {
        let (line, col) = p
            .span
            .map_or((1, 1), |s| (s.start.line.max(1), col1(s.start.col)));
        let _ = writeln!(
            out,
            "{}:{line}:{col}: ERROR {}: {}",
            one_line(&p.display),
            p.kind.id(),
            one_line(&p.message)
        );
    }
    for f in &outcome.findings {
        let _ = writeln!(
            out,
            "{}:{}:{}: {} {}: {}{}{}",
            one_line(display_of(outcome, f.file)),
            f.span.start.line.max(1),
            col1(f.span.start.col),
            f.rule.impact,
            f.rule.id,
            if f.has_safe_fix() { "[*] " } else { "" },
            one_line(&f.message),
            super::related::all_sites(outcome, f)
                .map(|s| format!(" ({s})"))
                .unwrap_or_default()
        );
    }
    out.push_str(&summary_line(outcome));
    out
}
