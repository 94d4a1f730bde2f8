//! What the editor asks about a document's findings: quick fixes (the
//! finding's safe fix, and a suppression comment) and hovers (the rule's
//! documentation).

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, Hover, HoverContents, MarkupContent, MarkupKind, Position, Range,
    TextEdit, Url, WorkspaceEdit,
};
use proc_macro2::LineColumn;
use syn::spanned::Spanned;
use syn::visit::{self, Visit};

use super::convert::{Lines, Site};
use super::lint::{Document, Published};
use crate::rules;
use crate::source::{Pos, Span};
use crate::suppress::{Syntax, MARKER};

/// What a new suppression says until the user writes why the finding is
/// acceptable here (a suppression without a reason is itself reported).
pub(super) const REASON_PLACEHOLDER: &str = "TODO: say why this is fine here";

/// The quick fixes for the findings that touch `range`.
pub(super) fn code_actions(document: &Document, uri: &Url, range: Range) -> Vec<CodeAction> {
    let lines = Lines::new(&document.text);
    let mut actions = Vec::new();
    for published in document.findings.iter() {
        // A fix and a suppression go to the primary site, in another file
        // when the document shows one of the other sites.
        if published.site != Site::Primary || !overlaps(published.diagnostic.range, range) {
            continue;
        }
        if let Some(fix) = published
            .finding
            .fix
            .as_ref()
            .filter(|_| published.finding.has_safe_fix())
        {
            let edits = fix
                .edits
                .iter()
                .map(|e| TextEdit {
                    range: lines.range(e.span),
                    new_text: e.content.clone(),
                })
                .collect();
            actions.push(quick_fix(
                fix.description.clone(),
                published,
                uri,
                edits,
                Preferred::Yes,
            ));
        }
        if let Some(edit) = suppression(document, &lines, published) {
            let title = format!(
                "Suppress {} here (with a reason)",
                published.finding.rule.id
            );
            actions.push(quick_fix(title, published, uri, vec![edit], Preferred::No));
        }
    }
    actions
}

/// Whether an action is the one the editor applies with "fix all" or a
/// single key.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Preferred {
    Yes,
    No,
}

fn quick_fix(
    title: String,
    published: &Published,
    uri: &Url,
    edits: Vec<TextEdit>,
    preferred: Preferred,
) -> CodeAction {
    CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![published.diagnostic.clone()]),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }),
        is_preferred: Some(preferred == Preferred::Yes),
        ..CodeAction::default()
    }
}

/// The suppression comment for a finding, alone on the line above its
/// statement (which it then covers whole, however many lines the statement
/// has) with the statement's indentation. None for the findings about
/// suppressions themselves, which cannot be suppressed.
fn suppression(document: &Document, lines: &Lines, published: &Published) -> Option<TextEdit> {
    let id = published.finding.rule.id;
    rules::find(id)?;
    let syntax = document.syntax();
    let start = published.finding.span.start;
    let line = match syntax {
        Syntax::Rust => statement_line(&document.text, start).unwrap_or(start.line),
        Syntax::Conf | Syntax::Yaml | Syntax::Lua => start.line,
    };
    let text = lines.line(line);
    let indent = &text[..text.len() - text.trim_start().len()];
    let comment = match syntax {
        Syntax::Rust => "//",
        Syntax::Conf | Syntax::Yaml => "#",
        Syntax::Lua => "--",
    };
    let at = Pos { line, col: 0 };
    Some(TextEdit {
        range: lines.range(Span { start: at, end: at }),
        new_text: format!("{indent}{comment} {MARKER} allow({id}) -- {REASON_PLACEHOLDER}\n"),
    })
}

/// The first line of the innermost statement (or item) holding `pos`; none
/// when the text does not parse.
fn statement_line(text: &str, pos: Pos) -> Option<u32> {
    crate::parse::parse_file_with(text, |file| {
        let mut finder = Innermost {
            at: LineColumn {
                line: pos.line as usize,
                column: pos.col as usize,
            },
            line: None,
        };
        finder.visit_file(&file);
        finder.line
    })
    .ok()
    .flatten()
}

/// Finds the innermost statement or item whose span holds `at`.
struct Innermost {
    at: LineColumn,
    line: Option<u32>,
}

impl Innermost {
    /// Visits are outer first: a later match is more inner.
    fn consider(&mut self, span: proc_macro2::Span) {
        let holds = |s: LineColumn, e: LineColumn| {
            (s.line, s.column) <= (self.at.line, self.at.column)
                && (self.at.line, self.at.column) < (e.line, e.column)
        };
        if holds(span.start(), span.end()) {
            self.line = Some(span.start().line as u32);
        }
    }
}

impl<'ast> Visit<'ast> for Innermost {
    fn visit_stmt(&mut self, stmt: &'ast syn::Stmt) {
        self.consider(stmt.span());
        visit::visit_stmt(self, stmt);
    }

    fn visit_item(&mut self, item: &'ast syn::Item) {
        self.consider(item.span());
        visit::visit_item(self, item);
    }

    fn visit_impl_item(&mut self, item: &'ast syn::ImplItem) {
        self.consider(item.span());
        visit::visit_impl_item(self, item);
    }

    fn visit_trait_item(&mut self, item: &'ast syn::TraitItem) {
        self.consider(item.span());
        visit::visit_trait_item(self, item);
    }
}

/// The documentation of the rules of the findings under `position`, as
/// `redis-lint explain` prints it.
pub(super) fn hover(document: &Document, position: Position) -> Option<Hover> {
    let under: Vec<&Published> = document
        .findings
        .iter()
        .filter(|p| contains(p.diagnostic.range, position))
        .collect();
    let first = under.first()?;
    let mut ids: Vec<&'static str> = under.iter().map(|p| p.finding.rule.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let pages: Vec<String> = ids
        .iter()
        .filter_map(|id| rules::find_any(id))
        .map(|rule| rules::explained(&rule.meta))
        .collect();
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: pages.join("\n---\n\n"),
        }),
        range: Some(first.diagnostic.range),
    })
}

fn key(p: Position) -> (u32, u32) {
    (p.line, p.character)
}

fn contains(range: Range, p: Position) -> bool {
    key(range.start) <= key(p) && key(p) <= key(range.end)
}

/// Whether two ranges share a position (an empty request range, the
/// cursor, touches the findings it sits in).
fn overlaps(a: Range, b: Range) -> bool {
    key(a.start) <= key(b.end) && key(b.start) <= key(a.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }

    #[test]
    fn a_suppression_goes_above_the_statement_a_chain_starts() {
        let text = "fn f(con: &mut redis::Connection) {\n    let all: Vec<String> = con\n        .keys(\"user:*\")\n        .unwrap();\n    con.del(\"x\");\n}\n";
        // `.keys` is on line 3; its statement starts on line 2.
        assert_eq!(statement_line(text, at(3, 9)), Some(2));
        assert_eq!(statement_line(text, at(5, 8)), Some(5));
        // On the signature: the item.
        assert_eq!(statement_line(text, at(1, 5)), Some(1));
    }

    #[test]
    fn inside_a_closure_the_innermost_statement_wins() {
        let text = "fn f() {\n    keys.iter().for_each(|k| {\n        con.del(k);\n    });\n}\n";
        assert_eq!(statement_line(text, at(3, 12)), Some(3));
    }

    #[test]
    fn text_that_does_not_parse_has_no_statement() {
        assert_eq!(statement_line("fn f( {", at(1, 3)), None);
    }
}
