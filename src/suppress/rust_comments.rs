//! The `//` comments of a Rust file.

use super::parse::{Comment, Lexed};

/// A char cursor that tracks line and column.
struct Cursor<'a> {
    text: &'a str,
    chars: Vec<(usize, char)>,
    i: usize,
    line: u32,
    col: u32,
}

impl Cursor<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.i + ahead).map(|&(_, c)| c)
    }

    fn byte(&self) -> usize {
        self.chars
            .get(self.i)
            .map(|&(b, _)| b)
            .unwrap_or(self.text.len())
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.col = 0;
        } else {
            self.col += 1;
        }
        Some(c)
    }
}

/// Finds the `//` comments of a file, skipping string, char and byte
/// literals (raw ones too) and nested block comments, and notes where the
/// leading comments and attributes end.
pub(super) fn lex(text: &str) -> Lexed<'_> {
    let line_chars: Vec<u32> = text
        .split('\n')
        .map(|l| l.trim_end_matches('\r').chars().count() as u32)
        .collect();
    let lines = line_chars.len() as u32;
    let mut lx = Lexed {
        comments: Vec::new(),
        code: vec![false; lines as usize],
        commented: vec![false; lines as usize],
        line_chars,
        lines,
    };
    let mut cur = Cursor {
        text,
        chars: text.char_indices().collect(),
        i: 0,
        line: 1,
        col: 0,
    };
    let mut header = true;
    // Bracket depth inside a leading attribute (`#[..]`, `#![..]`).
    let mut attr_depth = 0u32;
    // Column after the last non-blank char on the current line.
    let mut code_end = 0u32;
    let mut code_end_line = 1u32;
    while let Some(c) = cur.peek(0) {
        if cur.line != code_end_line {
            code_end_line = cur.line;
            code_end = 0;
        }
        let start_line = cur.line;
        if c.is_whitespace() {
            cur.bump();
            continue;
        }
        if c == '/' && cur.peek(1) == Some('/') {
            let (line, col) = (cur.line, cur.col);
            let from = cur.byte() + 2;
            while cur.peek(0).is_some_and(|c| c != '\n') {
                cur.bump();
            }
            let body = text[from..cur.byte()].trim_end_matches('\r');
            lx.commented[line as usize - 1] = true;
            lx.comments.push(Comment {
                line,
                col,
                marker_len: 2,
                body,
                own_line: code_end == 0 && !lx.code[line as usize - 1],
                code_end,
                in_header: header,
            });
            continue;
        }
        if c == '/' && cur.peek(1) == Some('*') {
            skip_block_comment(&mut cur, &mut lx.commented);
            lx.commented[start_line as usize - 1] = true;
            (code_end, code_end_line) = (cur.col, cur.line);
            continue;
        }
        // Everything else is code.
        if header && attr_depth == 0 {
            let opens_attr = c == '#'
                && matches!(
                    (cur.peek(1), cur.peek(2)),
                    (Some('['), _) | (Some('!'), Some('['))
                );
            if opens_attr {
                while cur.bump() != Some('[') {}
                attr_depth = 1;
                lx.code[start_line as usize - 1] = true;
                (code_end, code_end_line) = (cur.col, cur.line);
                continue;
            }
            header = false;
        }
        match c {
            '"' => skip_string(&mut cur),
            '\'' => skip_char_or_lifetime(&mut cur),
            c if c.is_alphabetic() || c == '_' => skip_ident_or_prefixed(&mut cur),
            '[' if header => {
                attr_depth += 1;
                cur.bump();
            }
            ']' if header && attr_depth > 0 => {
                attr_depth -= 1;
                cur.bump();
            }
            _ => {
                cur.bump();
            }
        }
        for line in start_line..=cur.line {
            lx.code[line as usize - 1] = true;
        }
        (code_end, code_end_line) = (cur.col, cur.line);
    }
    lx
}

/// At `/*`: skips a block comment, nested ones included, marking each
/// line it reaches as commented.
fn skip_block_comment(cur: &mut Cursor, commented: &mut [bool]) {
    cur.bump();
    cur.bump();
    let mut depth = 1;
    while depth > 0 {
        commented[cur.line as usize - 1] = true;
        match (cur.peek(0), cur.peek(1)) {
            (None, _) => break,
            (Some('/'), Some('*')) => {
                cur.bump();
                cur.bump();
                depth += 1;
            }
            (Some('*'), Some('/')) => {
                cur.bump();
                cur.bump();
                depth -= 1;
            }
            _ => {
                cur.bump();
            }
        }
    }
}

/// At `"`: skips a string with escapes.
fn skip_string(cur: &mut Cursor) {
    cur.bump();
    while let Some(c) = cur.bump() {
        match c {
            '\\' => {
                cur.bump();
            }
            '"' => return,
            _ => {}
        }
    }
}

/// At `r`, `#`s then `"`: skips a raw string.
fn skip_raw_string(cur: &mut Cursor) {
    cur.bump(); // r
    let mut hashes = 0;
    while cur.peek(0) == Some('#') {
        cur.bump();
        hashes += 1;
    }
    cur.bump(); // "
    while let Some(c) = cur.bump() {
        if c == '"' && (0..hashes).all(|k| cur.peek(k) == Some('#')) {
            for _ in 0..hashes {
                cur.bump();
            }
            return;
        }
    }
}

/// At `'`: a char literal (`'a'`, `'\n'`, `'\u{1F600}'`, `'"'`) or a
/// lifetime / label (`'a`, `'static`).
fn skip_char_or_lifetime(cur: &mut Cursor) {
    match (cur.peek(1), cur.peek(2)) {
        (Some('\\'), _) => {
            cur.bump();
            cur.bump();
            cur.bump(); // the escaped char
            while let Some(c) = cur.bump() {
                if c == '\'' || c == '\n' {
                    return;
                }
            }
        }
        (Some(_), Some('\'')) => {
            cur.bump();
            cur.bump();
            cur.bump();
        }
        _ => {
            cur.bump();
        }
    }
}

/// At an identifier start: a string or char literal with a prefix (`b"`,
/// `br#"`, `r"`, `c"`, `cr"`, `b'`), or an identifier (raw ones included).
fn skip_ident_or_prefixed(cur: &mut Cursor) {
    let c = cur.peek(0);
    let mut k = 0;
    if matches!(c, Some('b' | 'c')) {
        k = 1;
    }
    match cur.peek(k) {
        Some('"') if k == 1 => {
            cur.bump();
            return skip_string(cur);
        }
        Some('\'') if k == 1 && c == Some('b') => {
            cur.bump();
            return skip_char_or_lifetime(cur);
        }
        Some('r') => {
            let mut j = k + 1;
            while cur.peek(j) == Some('#') {
                j += 1;
            }
            if cur.peek(j) == Some('"') {
                for _ in 0..k {
                    cur.bump();
                }
                return skip_raw_string(cur);
            }
        }
        _ => {}
    }
    while cur.peek(0).is_some_and(|c| c.is_alphanumeric() || c == '_') {
        cur.bump();
    }
}

#[cfg(test)]
mod tests {
    use crate::suppress::{parse, Target};

    #[test]
    fn skips_literals_and_block_comments() {
        let src = r####"fn f() {
    let a = "// redis-lint: allow(x) -- in a string";
    let b = r#"// redis-lint: allow(x) -- raw "quoted" "#;
    let c = '"'; let d = b'"'; let e: &'static str = "";
    /* // redis-lint: allow(x) -- /* nested */ still comment */
    /// redis-lint: allow(x) -- doc comment
    let g = br##"x"# // redis-lint: allow(x) -- still raw"##;
    y(); // redis-lint: allow(key-keys-command) -- real one
}
"####;
        let s = parse(src);
        assert_eq!(s.items.len(), 1, "{s:?}");
        assert_eq!(s.items[0].target, Target::Line(8));
    }
}
