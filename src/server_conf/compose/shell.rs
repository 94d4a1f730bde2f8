//! Shell word splitting of a command value, keeping where each word is
//! written.

use crate::source::{Pos, Span};

/// A word of the command, with its span.
#[derive(Debug, Clone)]
pub(super) struct Word {
    pub(super) text: String,
    pub(super) span: Span,
}

/// Splits a string command like a POSIX shell would (blanks, quotes,
/// backslashes); `;`, `&&`, `||`, `|` and `&` become words of their own.
pub(super) fn shell_words(text: &[(char, Pos)]) -> Vec<Word> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        while i < text.len() && text[i].0.is_whitespace() {
            i += 1;
        }
        if i >= text.len() {
            break;
        }
        let start = i;
        let mut value = String::new();
        let mut last = i;
        if matches!(text[i].0, ';' | '&' | '|') {
            let mut op = text[i].0.to_string();
            if i + 1 < text.len() && text[i + 1].0 == text[i].0 && text[i].0 != ';' {
                op.push(text[i + 1].0);
                i += 1;
            }
            out.push(Word {
                text: op,
                span: Span {
                    start: text[start].1,
                    end: Pos {
                        line: text[i].1.line,
                        col: text[i].1.col + 1,
                    },
                },
            });
            i += 1;
            continue;
        }
        while i < text.len() {
            let c = text[i].0;
            if c.is_whitespace() || matches!(c, ';' | '&' | '|') {
                break;
            }
            match c {
                '"' | '\'' => {
                    let quote = c;
                    i += 1;
                    while i < text.len() && text[i].0 != quote {
                        if quote == '"' && text[i].0 == '\\' && i + 1 < text.len() {
                            i += 1;
                        }
                        value.push(text[i].0);
                        i += 1;
                    }
                    last = i.min(text.len() - 1);
                    i += 1;
                }
                '\\' if i + 1 < text.len() => {
                    value.push(text[i + 1].0);
                    last = i + 1;
                    i += 2;
                }
                _ => {
                    value.push(c);
                    last = i;
                    i += 1;
                }
            }
        }
        out.push(Word {
            text: value,
            span: Span {
                start: text[start].1,
                end: Pos {
                    line: text[last].1.line,
                    col: text[last].1.col + 1,
                },
            },
        });
    }
    out
}
