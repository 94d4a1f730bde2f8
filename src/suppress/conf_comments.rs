//! The `#` comments of redis.conf, sentinel.conf and compose files, and the
//! `--` comments of Lua scripts.

use super::parse::{Comment, Lexed};

/// Finds the `#` comments of a configuration file: at the start of a line
/// (after blanks), and with `trailing` also after a blank outside quotes
/// (YAML). The header is the run of comment and blank lines before the
/// first line of content.
pub(super) fn lex_hash(text: &str, trailing: bool) -> Lexed<'_> {
    lex_lines(text, |line| comment_start(line, trailing), 1)
}

/// Finds the `--` comments of a Lua script, alone on their line or after
/// code (outside quotes).
pub(super) fn lex_lua(text: &str) -> Lexed<'_> {
    lex_lines(text, lua_comment_start, 2)
}

/// Comments found line by line: `start` gives the byte offset of a line's
/// comment marker, `marker_len` its length.
fn lex_lines(text: &str, start: impl Fn(&str) -> Option<usize>, marker_len: usize) -> Lexed<'_> {
    let raw_lines: Vec<&str> = text.split('\n').collect();
    let lines = raw_lines.len() as u32;
    let mut lx = Lexed {
        comments: Vec::new(),
        code: vec![false; lines as usize],
        commented: vec![false; lines as usize],
        line_chars: raw_lines
            .iter()
            .map(|l| l.trim_end_matches('\r').chars().count() as u32)
            .collect(),
        lines,
    };
    let mut header = true;
    for (i, raw) in raw_lines.iter().enumerate() {
        let line_text = raw.trim_end_matches('\r');
        let Some(hash) = start(line_text) else {
            if !line_text.trim().is_empty() {
                lx.code[i] = true;
                header = false;
            }
            continue;
        };
        let before = &line_text[..hash];
        let own_line = before.trim().is_empty();
        if !own_line {
            lx.code[i] = true;
            header = false;
        }
        lx.commented[i] = true;
        lx.comments.push(Comment {
            line: i as u32 + 1,
            col: before.chars().count() as u32,
            marker_len: marker_len as u32,
            body: &line_text[hash + marker_len..],
            own_line,
            code_end: before.trim_end().chars().count() as u32,
            in_header: header,
        });
    }
    lx
}

/// The byte offset of the `#` that starts a comment on this line.
fn comment_start(line: &str, trailing: bool) -> Option<usize> {
    let trimmed = line.trim_start();
    if trimmed.starts_with('#') {
        return Some(line.len() - trimmed.len());
    }
    if !trailing {
        return None;
    }
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '#') if prev.is_whitespace() => return Some(i),
            _ => {}
        }
        prev = c;
    }
    None
}

/// The byte offset of the `--` that starts a Lua comment on this line.
fn lua_comment_start(line: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut prev = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (Some(_), _) if escaped => escaped = false,
            (Some(_), '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '-') if prev == Some('-') => return Some(i - 1),
            _ => {}
        }
        prev = Some(c);
    }
    None
}
