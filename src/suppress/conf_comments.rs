//! The `#` comments of redis.conf, sentinel.conf and compose files.

use super::parse::{Comment, Lexed};

/// Finds the `#` comments of a configuration file: at the start of a line
/// (after blanks), and with `trailing` also after a blank outside quotes
/// (YAML). The header is the run of comment and blank lines before the
/// first line of content.
pub(super) fn lex_hash(text: &str, trailing: bool) -> Lexed<'_> {
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
        let Some(hash) = comment_start(line_text, trailing) else {
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
            marker_len: 1,
            body: &line_text[hash + 1..],
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
