//! Reading suppression comments: the `redis-lint:` directive in each
//! comment the lexers of [`super::rust_comments`] and
//! [`super::conf_comments`] find, and the lines it applies to.

use super::extents::Extents;
use super::{conf_comments, rust_comments};
use super::{Malformed, RuleRef, Suppression, Suppressions, Syntax, Target, MARKER};
use crate::source::{Pos, Span};

/// Reads the suppression comments of a Rust file.
pub fn parse(source: &str) -> Suppressions {
    parse_as(source, Syntax::Rust)
}

/// Reads the suppression comments of a file written in `syntax`.
pub fn parse_as(source: &str, syntax: Syntax) -> Suppressions {
    if !source.contains(MARKER) {
        return Suppressions::default();
    }
    let lexed = match syntax {
        Syntax::Rust => rust_comments::lex(source),
        Syntax::Conf => conf_comments::lex_hash(source, false),
        Syntax::Yaml => conf_comments::lex_hash(source, true),
        Syntax::Lua => conf_comments::lex_lua(source),
    };
    let mut out = Suppressions::default();
    // Statement and item extents, parsed only when a suppression is alone
    // on its line in a Rust file.
    let mut extents: Option<Extents> = None;
    for c in &lexed.comments {
        let Some(directive) = c.body.trim_start().strip_prefix(MARKER) else {
            continue;
        };
        let body_col = c.col + c.marker_len;
        let at = |byte: usize| Pos {
            line: c.line,
            col: body_col + c.body[..byte].chars().count() as u32,
        };
        let span = Span {
            start: Pos {
                line: c.line,
                col: c.col,
            },
            end: at(c.body.len()),
        };
        let directive_at = c.body.len() - directive.len();
        let parsed = match read_directive(directive) {
            Ok(d) => d,
            Err(message) => {
                out.malformed.push(Malformed { span, message });
                continue;
            }
        };
        let span_of = |r: std::ops::Range<usize>| Span {
            start: at(directive_at + r.start),
            end: at(directive_at + r.end),
        };
        let target = if !parsed.file && c.own_line {
            let mut line = c.line + 1;
            while lexed.comment_only(line) {
                line += 1;
            }
            let last = match syntax {
                Syntax::Rust => extents
                    .get_or_insert_with(|| Extents::of(source))
                    .last_line(line),
                Syntax::Conf | Syntax::Yaml | Syntax::Lua => line,
            };
            if last > line {
                Target::Lines { first: line, last }
            } else {
                Target::Line(line)
            }
        } else if !parsed.file {
            Target::Line(c.line)
        } else if c.in_header {
            Target::File
        } else {
            Target::Misplaced
        };
        let removal = if c.own_line {
            whole_line(&lexed, c.line, span.end)
        } else {
            Span {
                start: Pos {
                    line: c.line,
                    col: c.code_end,
                },
                end: span.end,
            }
        };
        out.items.push(Suppression {
            target,
            rules: parsed
                .ids
                .into_iter()
                .map(|(id, r)| RuleRef {
                    id: id.to_string(),
                    span: span_of(r),
                })
                .collect(),
            reason: parsed.reason.map(str::to_string),
            stray: parsed.stray,
            span,
            removal,
            list: span_of(parsed.list),
        });
    }
    out
}

/// The span deleting a line that holds only a comment ending at `end`.
fn whole_line(lexed: &Lexed, line: u32, end: Pos) -> Span {
    let start = Pos { line, col: 0 };
    if line < lexed.lines {
        return Span {
            start,
            end: Pos {
                line: line + 1,
                col: 0,
            },
        };
    }
    // The last line, without a newline after it: take the one before it.
    match (line as usize)
        .checked_sub(2)
        .and_then(|i| lexed.line_chars.get(i))
    {
        Some(&prev) => Span {
            start: Pos {
                line: line - 1,
                col: prev,
            },
            end,
        },
        None => Span { start, end },
    }
}

/// A directive's parts; ranges are byte offsets into the directive text.
struct Directive<'a> {
    file: bool,
    ids: Vec<(&'a str, std::ops::Range<usize>)>,
    list: std::ops::Range<usize>,
    reason: Option<&'a str>,
    stray: bool,
}

/// Reads the text after `redis-lint:`.
fn read_directive(text: &str) -> Result<Directive<'_>, String> {
    let expected = "expected `allow(rule-id, ...) -- reason` or `allow-file(rule-id, ...) -- reason` after `redis-lint:`";
    let rest = text.trim_start();
    let (file, after_kw) = if let Some(r) = rest.strip_prefix("allow-file") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("allow") {
        (false, r)
    } else {
        return Err(expected.to_string());
    };
    let Some(after_paren) = after_kw.trim_start().strip_prefix('(') else {
        return Err(expected.to_string());
    };
    let Some(close) = after_paren.find(')') else {
        return Err("the rule list is not closed with `)`".to_string());
    };
    let list_start = text.len() - after_paren.len();
    let list = list_start..list_start + close;
    let mut ids = Vec::new();
    let mut at = list.start;
    for part in after_paren[..close].split(',') {
        let lead = part.len() - part.trim_start().len();
        let id = part.trim();
        if !id.is_empty() {
            ids.push((id, at + lead..at + lead + id.len()));
        }
        at += part.len() + 1;
    }
    if ids.is_empty() {
        return Err("the suppression names no rule: list rule ids, or `all`".to_string());
    }
    let tail = after_paren[close + 1..].trim();
    let (reason, stray) = match tail.strip_prefix("--") {
        Some(r) => (Some(r.trim()).filter(|r| !r.is_empty()), false),
        None => (None, !tail.is_empty()),
    };
    Ok(Directive {
        file,
        ids,
        list,
        reason,
        stray,
    })
}

/// A `//` (or `#`) comment (not a doc comment's: those are filtered by
/// their body).
pub(super) struct Comment<'a> {
    pub(super) line: u32,
    /// Column of the `//` (`#`).
    pub(super) col: u32,
    /// Chars of the comment marker: 2 for `//`, 1 for `#`.
    pub(super) marker_len: u32,
    /// After the marker, up to the end of the line (without a `\r`).
    pub(super) body: &'a str,
    /// Only blanks before it on its line.
    pub(super) own_line: bool,
    /// Column just after the last non-blank char before it on its line.
    pub(super) code_end: u32,
    /// Before the first item: among the leading comments and attributes.
    pub(super) in_header: bool,
}

/// What a lexer found in one file: its comments and which lines hold code.
pub(super) struct Lexed<'a> {
    pub(super) comments: Vec<Comment<'a>>,
    /// Per line (index = line - 1): holds something that is not a comment.
    pub(super) code: Vec<bool>,
    /// Per line: holds (part of) a comment.
    pub(super) commented: Vec<bool>,
    /// Per line: its length in chars (without the `\r\n`).
    pub(super) line_chars: Vec<u32>,
    pub(super) lines: u32,
}

impl Lexed<'_> {
    fn comment_only(&self, line: u32) -> bool {
        let i = line as usize - 1;
        i < self.code.len() && self.commented[i] && !self.code[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_reason_and_target() {
        let src = "use redis::Commands;\n\nfn f() {\n    // redis-lint: allow(key-keys-command, all) -- admin\n    x(); // redis-lint: allow(a) --\n}\n";
        let s = parse(src);
        assert_eq!(s.items.len(), 2);
        assert_eq!(s.items[0].target, Target::Line(5));
        assert_eq!(s.items[0].reason.as_deref(), Some("admin"));
        let ids: Vec<&str> = s.items[0].rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["key-keys-command", "all"]);
        assert_eq!(s.items[0].rules[1].span.start, Pos { line: 4, col: 43 });
        assert_eq!(s.items[1].target, Target::Line(5));
        assert_eq!(s.items[1].reason, None);
        assert_eq!(
            s.items[1].removal,
            Span {
                start: Pos { line: 5, col: 8 },
                end: Pos { line: 5, col: 35 }
            }
        );
    }

    #[test]
    fn file_level_only_in_the_header() {
        let src = "//! Docs.\n// redis-lint: allow-file(all) -- generated\n#![doc = \"] fn\"]\n#[cfg(x)] // redis-lint: allow-file(all) -- still header\nuse a::b;\n// redis-lint: allow-file(all) -- too late\n";
        let s = parse(src);
        let targets: Vec<Target> = s.items.iter().map(|s| s.target).collect();
        assert_eq!(targets, [Target::File, Target::File, Target::Misplaced]);
    }

    #[test]
    fn malformed_is_kept() {
        let s = parse(
            "// redis-lint: alow(x)\n// redis-lint: allow() -- r\n// redis-lint: allow(x -- r\n",
        );
        assert_eq!(s.malformed.len(), 3);
        assert!(s.items.is_empty());
    }

    #[test]
    fn stacked_suppressions_reach_the_code_line() {
        let src = "// redis-lint: allow(a) -- x\n// plain\n// redis-lint: allow(b) -- y\ncode();\n\n// redis-lint: allow(c) -- z\n\ncode();";
        let s = parse(src);
        let targets: Vec<Target> = s.items.iter().map(|s| s.target).collect();
        assert_eq!(targets, [Target::Line(4), Target::Line(4), Target::Line(7)]);
    }

    #[test]
    fn never_panics_on_cut_or_odd_text() {
        let src = "//! d\n#![a(\"]\")]\r\nfn f<'a>(x: &'a str) { let c = ['\\'', '\\u{1F600}', b'\"', 'é']; \
                   let s = br##\"x\"# \"##; /* /* */ */ r#ident; c\"x\"; } // redis-lint: allow(all) -- é\r\n\
                   // redis-lint: allow-file(x, , y) -- z\n// redis-lint: allow(a)";
        let mut ends: Vec<usize> = src.char_indices().map(|(i, _)| i).collect();
        ends.push(src.len());
        for end in ends {
            let s = parse(&src[..end]);
            for item in &s.items {
                assert!(crate::source::LineIndex::new(&src[..end])
                    .range(item.removal)
                    .is_some());
            }
        }
        let full = parse(src);
        let targets: Vec<Target> = full.items.iter().map(|s| s.target).collect();
        assert_eq!(
            targets,
            [Target::Line(3), Target::Misplaced, Target::Line(6)],
            "{full:?}"
        );
        let s = parse("// redis-lint: allow(all) -- only line");
        assert_eq!(s.items[0].removal.start, Pos { line: 1, col: 0 });
    }
}
