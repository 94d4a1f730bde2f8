//! The redis.conf / sentinel.conf line format, as Redis itself reads it
//! (`loadServerConfigFromString` + `sdssplitargs`):
//!
//! - one directive per line: a name, then arguments separated by blanks;
//! - a line whose first non-blank character is `#` is a comment, and so is a
//!   blank line. A `#` later on the line is *not* a comment for Redis: it is
//!   an argument (the parser keeps it; rules read only the arguments they
//!   need);
//! - an argument may be double-quoted (escapes `\n \r \t \b \a \\ \" \xHH`,
//!   any other `\c` is `c`) or single-quoted (only `\'`); a closing quote must
//!   be followed by a blank or the end of the line, and an unclosed quote is
//!   an error ("unbalanced quotes"), as it is for Redis;
//! - names are case-insensitive (kept lower-cased);
//! - memory sizes take units: `k` = 1000, `kb` = 1024, `m` = 1000², `mb` =
//!   1024², `g` = 1000³, `gb` = 1024³, case-insensitive ([`parse_memory`]).
//!
//! `include` lines are kept as directives; [`super::load`] resolves them.

use crate::source::{FileId, Pos, Span};

use super::Directive;

/// Why a configuration file cannot be read as Redis reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    /// Where (0-based char columns, 1-based lines).
    pub span: Span,
}

/// One argument of a line, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub text: String,
    pub span: Span,
}

/// Parses the directives of one file (includes are not followed). Every
/// directive gets `file` as its file.
pub fn parse(text: &str, file: FileId) -> Result<Vec<Directive>, ParseError> {
    let mut out = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let line = i as u32 + 1;
        let tokens = split_line(raw, line)?;
        let Some((first, rest)) = tokens.split_first() else {
            continue;
        };
        let last = rest.last().unwrap_or(first);
        out.push(Directive {
            name: first.text.to_ascii_lowercase(),
            args: rest.iter().map(|t| t.text.clone()).collect(),
            span: Span {
                start: first.span.start,
                end: last.span.end,
            },
            arg_spans: rest.iter().map(|t| t.span).collect(),
            file,
        });
    }
    Ok(out)
}

/// Splits one line into its arguments; comment and blank lines give none.
pub fn split_line(raw: &str, line: u32) -> Result<Vec<Token>, ParseError> {
    let mut lexer = LineLexer {
        chars: raw.chars().collect(),
        line,
        p: 0,
    };
    // Redis trims " \t\r\n" and skips lines that then start with `#`.
    lexer.skip_blanks();
    if lexer.peek().is_none_or(|c| c == '#') {
        return Ok(Vec::new());
    }
    let mut tokens = Vec::new();
    while lexer.peek().is_some() {
        tokens.push(lexer.token()?);
        lexer.skip_blanks();
    }
    Ok(tokens)
}

/// What separates arguments, as redis-server's `sdssplitargs` sees it.
fn blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n' | '\0') || c.is_whitespace()
}

/// One line's characters and the position reached in them.
struct LineLexer {
    chars: Vec<char>,
    line: u32,
    p: usize,
}

impl LineLexer {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.p).copied()
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn skip_blanks(&mut self) {
        while self.peek().is_some_and(blank) {
            self.p += 1;
        }
    }

    fn error(&self, message: &str, from: usize, to: usize) -> ParseError {
        let pos = |col: usize| Pos {
            line: self.line,
            col: col as u32,
        };
        ParseError {
            message: message.to_string(),
            span: Span {
                start: pos(from),
                end: pos(to),
            },
        }
    }

    /// One argument, from a non-blank character to its end. As in
    /// redis-server, a closing quote ends the argument.
    fn token(&mut self) -> Result<Token, ParseError> {
        let start = self.p;
        let mut text = String::new();
        loop {
            match self.peek() {
                None => break,
                Some(c) if blank(c) => break,
                Some('"') => {
                    self.p += 1;
                    self.double_quoted(&mut text, self.p - 1)?;
                    break;
                }
                Some('\'') => {
                    self.p += 1;
                    self.single_quoted(&mut text, self.p - 1)?;
                    break;
                }
                Some(other) => {
                    text.push(other);
                    self.p += 1;
                }
            }
        }
        Ok(Token {
            text,
            span: Span {
                start: Pos {
                    line: self.line,
                    col: start as u32,
                },
                end: Pos {
                    line: self.line,
                    col: self.p as u32,
                },
            },
        })
    }

    /// The rest of a double-quoted part (after its opening quote at
    /// `quote_at`), with its escapes, up to and past the closing quote.
    fn double_quoted(&mut self, text: &mut String, quote_at: usize) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                None => {
                    return Err(self.error(
                        "unbalanced quotes: this double-quoted argument is never closed",
                        quote_at,
                        self.chars.len(),
                    ))
                }
                Some('\\') if self.hex_escape_at(self.p) => {
                    let hex: String = self.chars[self.p + 2..self.p + 4].iter().collect();
                    let byte = u8::from_str_radix(&hex, 16).unwrap_or(b'?');
                    text.push(char::from(byte));
                    self.p += 4;
                }
                Some('\\') if self.p + 1 < self.chars.len() => {
                    text.push(match self.chars[self.p + 1] {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        'b' => '\u{8}',
                        'a' => '\u{7}',
                        other => other,
                    });
                    self.p += 2;
                }
                Some('"') => return self.close_quote(),
                Some(other) => {
                    text.push(other);
                    self.p += 1;
                }
            }
        }
    }

    /// The rest of a single-quoted part: only `\'` is an escape.
    fn single_quoted(&mut self, text: &mut String, quote_at: usize) -> Result<(), ParseError> {
        loop {
            match self.peek() {
                None => {
                    return Err(self.error(
                        "unbalanced quotes: this single-quoted argument is never closed",
                        quote_at,
                        self.chars.len(),
                    ))
                }
                Some('\\') if self.at(self.p + 1) == Some('\'') => {
                    text.push('\'');
                    self.p += 2;
                }
                Some('\'') => return self.close_quote(),
                Some(other) => {
                    text.push(other);
                    self.p += 1;
                }
            }
        }
    }

    /// `\xHH` at `i`.
    fn hex_escape_at(&self, i: usize) -> bool {
        self.at(i + 1) == Some('x')
            && self.at(i + 2).is_some_and(|c| c.is_ascii_hexdigit())
            && self.at(i + 3).is_some_and(|c| c.is_ascii_hexdigit())
    }

    /// Steps over the closing quote at the current position, which (as in
    /// redis-server) must end the argument.
    fn close_quote(&mut self) -> Result<(), ParseError> {
        let p = self.p;
        if self.at(p + 1).is_some_and(|n| !blank(n)) {
            return Err(self.error(
                "a closing quote must be followed by a blank or the end of the line",
                p,
                p + 1,
            ));
        }
        self.p += 1;
        Ok(())
    }
}

/// A memory size as Redis reads it (`memtoll`): digits and an optional
/// case-insensitive unit. `k`/`m`/`g` are powers of 1000, `kb`/`mb`/`gb`
/// powers of 1024; `b` or no unit is bytes. `None` for anything else
/// (a decimal point, an unknown unit, `${VAR}`, overflow).
pub fn parse_memory(value: &str) -> Option<u64> {
    let v = value.trim();
    let digits_end = v
        .char_indices()
        .find(|(i, c)| !(c.is_ascii_digit() || (*i == 0 && *c == '-')))
        .map_or(v.len(), |(i, _)| i);
    let (num, unit) = v.split_at(digits_end);
    let mul: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    if num.is_empty() || num.starts_with('-') {
        return None;
    }
    num.parse::<u64>().ok()?.checked_mul(mul)
}

/// A memory size for messages: `2 GiB`, `512 MiB`, `1000 bytes`.
pub fn show_memory(bytes: u64) -> String {
    const UNITS: [(&str, u64); 3] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)];
    for (name, size) in UNITS {
        if bytes >= size && bytes % size == 0 {
            return format!("{} {name}", bytes / size);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        split_line(line, 1)
            .unwrap()
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn splits_like_sdssplitargs() {
        assert_eq!(texts("  save 900 1  "), ["save", "900", "1"]);
        assert_eq!(texts("save \"\""), ["save", ""]);
        assert_eq!(texts("a \"x\\ty\\x41\\\"\""), ["a", "x\tyA\""]);
        assert_eq!(texts("a 'it\\'s'"), ["a", "it's"]);
        assert_eq!(texts("a foo\"bar baz\""), ["a", "foobar baz"]);
        assert_eq!(texts("   # comment"), Vec::<String>::new());
        assert_eq!(texts("a # b"), ["a", "#", "b"]);
        assert!(split_line("a \"open", 1).is_err());
        assert!(split_line("a \"x\"y", 1).is_err());
        assert!(split_line("a 'x", 1).is_err());
    }

    #[test]
    fn never_panics_on_cut_text() {
        let text = "a \"x\\x4\" 'y\\'z' \"\\\" é\tb\r\n# c\nsave \"\"\n";
        for end in 0..=text.len() {
            if text.is_char_boundary(end) {
                let _ = parse(&text[..end], 0);
            }
        }
    }

    #[test]
    fn spans_count_chars() {
        let t = split_line("é  maxmemory \"2gb\"", 3).unwrap();
        assert_eq!(t[1].span.start, Pos { line: 3, col: 3 });
        assert_eq!(t[2].span.start.col, 13);
        assert_eq!(t[2].span.end.col, 18);
    }

    #[test]
    fn memory_units() {
        assert_eq!(parse_memory("1k"), Some(1000));
        assert_eq!(parse_memory("1kb"), Some(1024));
        assert_eq!(parse_memory("1KB"), Some(1024));
        assert_eq!(parse_memory("100mb"), Some(100 << 20));
        assert_eq!(parse_memory("4gb"), Some(4 << 30));
        assert_eq!(parse_memory("2g"), Some(2_000_000_000));
        assert_eq!(parse_memory("1048576"), Some(1 << 20));
        assert_eq!(parse_memory("0"), Some(0));
        assert_eq!(parse_memory("1.5gb"), None);
        assert_eq!(parse_memory("-1"), None);
        assert_eq!(parse_memory("${MAXMEM}"), None);
        assert_eq!(parse_memory("99999999999gb"), None);
        assert_eq!(show_memory(2 << 30), "2 GiB");
        assert_eq!(show_memory(1000), "1000 bytes");
    }
}
