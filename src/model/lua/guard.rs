//! A linear scan that bounds how deep the Lua parser (and the walk over its
//! tree) will recurse, before a script is parsed: a stack overflow aborts
//! the whole run, and a `.lua` file is anyone's text.
//!
//! Counted as nesting: open brackets, open blocks (`function`, `do`,
//! `then`, `repeat` up to their `end` / `until`), and operators the parser
//! recurses on (`..` and `^` are right-associative, unary `-`, `not`, `#`)
//! since the last `,`, `;`, `=` or keyword. Strings and comments are
//! skipped. Real scripts stay far below the limit (a few dozen levels).

use super::LuaError;

/// The deepest estimate parsed; measured safe with room to spare on the
/// linter's parse threads (see `parse::STACK_SIZE`).
pub(super) const MAX_DEPTH: usize = 1_000;

/// `Ok` when `text` is safe to parse.
pub(super) fn check(text: &str) -> Result<(), LuaError> {
    let b = text.as_bytes();
    let (mut i, mut line) = (0, 1u32);
    let (mut brackets, mut blocks, mut chain) = (0usize, 0usize, 0usize);
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => line += 1,
            b'-' if b.get(i + 1) == Some(&b'-') => {
                let end = match long_bracket(b, i + 2) {
                    Some(level) => close_long(b, i + 2, level),
                    None => b[i..]
                        .iter()
                        .position(|&c| c == b'\n')
                        .map_or(b.len(), |p| i + p),
                };
                line += newlines(&b[i..end]);
                i = end;
                continue;
            }
            b'[' if long_bracket(b, i).is_some() => {
                let end = close_long(b, i, long_bracket(b, i).unwrap_or(0));
                line += newlines(&b[i..end]);
                i = end;
                continue;
            }
            b'"' | b'\'' => {
                let end = close_short(b, i);
                line += newlines(&b[i..end]);
                i = end;
                continue;
            }
            b'(' | b'[' | b'{' => brackets += 1,
            b')' | b']' | b'}' => brackets = brackets.saturating_sub(1),
            b',' | b';' | b'=' => chain = 0,
            b'-' | b'#' | b'^' => chain += 1,
            b'.' if b.get(i + 1) == Some(&b'.') => {
                chain += 1;
                i += 1;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                match &b[start..i] {
                    b"not" => chain += 1,
                    b"function" | b"do" | b"then" | b"repeat" => {
                        blocks += 1;
                        chain = 0;
                    }
                    b"end" | b"until" | b"elseif" => {
                        blocks = blocks.saturating_sub(1);
                        chain = 0;
                    }
                    b"local" | b"return" | b"if" | b"while" | b"for" | b"else" | b"and" | b"or" => {
                        chain = 0
                    }
                    _ => {}
                }
                if brackets + blocks + chain > MAX_DEPTH {
                    return Err(LuaError::TooDeep { line });
                }
                continue;
            }
            _ => {}
        }
        if brackets + blocks + chain > MAX_DEPTH {
            return Err(LuaError::TooDeep { line });
        }
        i += 1;
    }
    Ok(())
}

fn newlines(b: &[u8]) -> u32 {
    b.iter().filter(|&&c| c == b'\n').count() as u32
}

/// The level of a long bracket opening at `i` (`[[` is 0, `[==[` is 2).
fn long_bracket(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let level = b[i + 1..].iter().take_while(|&&c| c == b'=').count();
    (b.get(i + 1 + level) == Some(&b'[')).then_some(level)
}

/// The index after the long bracket of `level` opened at `open`.
fn close_long(b: &[u8], open: usize, level: usize) -> usize {
    let mut i = open + level + 2;
    while i < b.len() {
        if b[i] == b']'
            && b[i + 1..].iter().take(level).all(|&c| c == b'=')
            && b.get(i + 1 + level) == Some(&b']')
        {
            return i + 2 + level;
        }
        i += 1;
    }
    b.len()
}

/// The index after the quoted string opened at `open` (or its line's end).
fn close_short(b: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    while i < b.len() {
        match b[i] {
            c if c == b[open] => return i + 1,
            b'\n' => return i,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_scripts_pass_and_deep_nesting_is_refused() {
        let script = "local k = KEYS[1] -- ((((\nif redis.call('GET', k) == '((((' then\n  \
                      return redis.call('DEL', k)\nend\nreturn 0";
        assert_eq!(check(script), Ok(()));
        let parens = format!("return {}1{}", "(".repeat(2_000), ")".repeat(2_000));
        assert_eq!(check(&parens), Err(LuaError::TooDeep { line: 1 }));
        let unary = format!("local x = 1\nreturn {}1", "- ".repeat(2_000));
        assert_eq!(check(&unary), Err(LuaError::TooDeep { line: 2 }));
        let blocks = "do ".repeat(2_000);
        assert!(check(&blocks).is_err());
        // A long flat list is not nesting.
        let list = format!("return {{{}}}", "'a', ".repeat(5_000));
        assert_eq!(check(&list), Ok(()));
    }
}
