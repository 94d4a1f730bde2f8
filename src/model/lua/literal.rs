//! Scripts written as Rust string literals: the literal decoded char by
//! char with where each char sits in the Rust source, so that a position in
//! the script maps back to a line and column of the `.rs` file.

use crate::model::Pos;

/// The text of a Rust string literal as written (`"…"`, `r#"…"#`), decoded
/// char by char with where each char sits in the source, relative to the
/// literal's start: (line offset, column; the column is relative to the
/// literal's start column on its first line, absolute on later lines).
/// `None` for anything but a string literal.
pub fn decode_literal(source: &str) -> Option<Vec<(char, u32, u32)>> {
    let chars: Vec<char> = source.chars().collect();
    // Where each source char is.
    let mut at = Vec::with_capacity(chars.len());
    let (mut line, mut col) = (0u32, 0u32);
    for c in &chars {
        at.push((line, col));
        if *c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += 1;
        }
    }
    let mut out = Vec::new();
    if chars.first() == Some(&'r') {
        let hashes = chars[1..].iter().take_while(|c| **c == '#').count();
        let open = 1 + hashes;
        if chars.get(open) != Some(&'"') || chars.len() < open + 1 + 1 + hashes {
            return None;
        }
        let close = chars.len() - 1 - hashes;
        for i in open + 1..close {
            out.push((chars[i], at[i].0, at[i].1));
        }
        return Some(out);
    }
    if chars.first() != Some(&'"') || chars.len() < 2 {
        return None;
    }
    let end = chars.len() - 1;
    let mut i = 1;
    while i < end {
        let (l, c) = at[i];
        if chars[i] != '\\' {
            out.push((chars[i], l, c));
            i += 1;
            continue;
        }
        i += 1;
        let escaped = match chars.get(i) {
            Some('n') => Some('\n'),
            Some('t') => Some('\t'),
            Some('r') => Some('\r'),
            Some('0') => Some('\0'),
            Some('x') => {
                let hex: String = chars[i + 1..(i + 3).min(end)].iter().collect();
                i += 2;
                u8::from_str_radix(&hex, 16).ok().map(char::from)
            }
            Some('u') => {
                let close = chars[i..end].iter().position(|c| *c == '}')? + i;
                let hex: String = chars.get(i + 2..close)?.iter().collect();
                i = close;
                u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
            }
            // A line continuation: the newline and the indentation after it vanish.
            Some('\n') | Some('\r') => {
                while i + 1 < end && chars[i + 1].is_whitespace() {
                    i += 1;
                }
                None
            }
            Some(&c) => Some(c),
            None => None,
        };
        if let Some(e) = escaped {
            out.push((e, l, c));
        }
        i += 1;
    }
    Some(out)
}

/// The source position of a decoded char, given the literal's start.
pub fn source_pos(decoded: &[(char, u32, u32)], index: usize, literal_start: Pos) -> Pos {
    let Some(&(_, line, col)) = decoded.get(index).or_else(|| decoded.last()) else {
        return literal_start;
    };
    Pos {
        line: literal_start.line + line,
        col: if line == 0 {
            literal_start.col + col
        } else {
            col
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_literals_decode_with_source_positions() {
        let decoded = decode_literal("\"a\\nb \\\n    c\"").unwrap();
        let text: String = decoded.iter().map(|d| d.0).collect();
        assert_eq!(text, "a\nb c");
        // `c` sits on the literal's second source line, column 4.
        assert_eq!(decoded[4], ('c', 1, 4));
        let raw = decode_literal("r#\"x\n\"y\"\"#").unwrap();
        let text: String = raw.iter().map(|d| d.0).collect();
        assert_eq!(text, "x\n\"y\"");
        assert_eq!(raw[2], ('"', 1, 0));
        assert_eq!(decode_literal("\"\\u{1F600}\\x41\"").unwrap().len(), 2);
        assert!(decode_literal("b'x'").is_none());
        let start = Pos { line: 10, col: 8 };
        assert_eq!(source_pos(&decoded, 0, start), Pos { line: 10, col: 9 });
        assert_eq!(source_pos(&decoded, 4, start), Pos { line: 11, col: 4 });
    }
}
