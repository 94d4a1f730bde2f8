//! Just enough Lua to find the keys a script touches: a tokenizer (strings
//! with escapes, long brackets, comments, names, numbers, punctuation) and
//! a pass that reads the arguments of `redis.call` / `redis.pcall`. Scripts
//! arrive as Rust string literals, so positions are mapped back through the
//! literal's own escapes to the source line and column.

use std::collections::HashMap;

use super::command::{self, KeyLayout};
use super::Pos;

/// A Lua token and where it sits (char indices into the script text).
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    Name(String),
    /// A string literal's value (short or long form).
    Str(String),
    Number,
    Punct(&'static str),
}

/// Punctuation, longest first so `...` wins over `..` over `.`.
const PUNCT: &[&str] = &[
    "...", "..", "==", "~=", "<=", ">=", "//", "::", "<<", ">>", "+", "-", "*", "/", "%", "^", "#",
    "&", "~", "|", "<", ">", "=", "(", ")", "{", "}", "[", "]", ";", ":", ",", ".",
];

/// The level of a long bracket opening at `i` (`[[` is 0, `[==[` is 2).
fn long_bracket(chars: &[char], i: usize) -> Option<usize> {
    if chars.get(i) != Some(&'[') {
        return None;
    }
    let level = chars[i + 1..].iter().take_while(|c| **c == '=').count();
    (chars.get(i + 1 + level) == Some(&'[')).then_some(level)
}

/// The index after the long bracket closing `level` found from `i`, and
/// the text before it.
fn close_long(chars: &[char], mut i: usize, level: usize) -> (usize, String) {
    let start = i;
    while i < chars.len() {
        if chars[i] == ']'
            && chars[i + 1..].iter().take(level).all(|c| *c == '=')
            && chars.get(i + 1 + level) == Some(&']')
        {
            return (i + 2 + level, chars[start..i].iter().collect());
        }
        i += 1;
    }
    (chars.len(), chars[start..].iter().collect())
}

/// Splits a script into tokens; comments and whitespace are dropped.
/// Malformed input (an unterminated string) ends the token stream there.
pub fn tokenize(chars: &[char]) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        if c.is_whitespace() {
            i += 1;
        } else if c == '-' && chars.get(i + 1) == Some(&'-') {
            i += 2;
            if let Some(level) = long_bracket(chars, i) {
                i = close_long(chars, i + level + 2, level).0;
            } else {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
        } else if let Some(level) = long_bracket(chars, i) {
            let (end, mut text) = close_long(chars, i + level + 2, level);
            // A newline right after the opening bracket is not part of it.
            if text.starts_with('\n') {
                text.remove(0);
            }
            out.push(Token {
                kind: TokenKind::Str(text),
                start,
                end,
            });
            i = end;
        } else if c == '"' || c == '\'' {
            let (end, text) = short_string(chars, i);
            out.push(Token {
                kind: TokenKind::Str(text),
                start,
                end,
            });
            i = end;
        } else if c.is_alphabetic() || c == '_' {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Token {
                kind: TokenKind::Name(chars[start..i].iter().collect()),
                start,
                end: i,
            });
        } else if c.is_ascii_digit()
            || (c == '.' && chars.get(i + 1).is_some_and(char::is_ascii_digit))
        {
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric()
                    || chars[i] == '.'
                    || (matches!(chars[i], '+' | '-')
                        && matches!(chars[i - 1], 'e' | 'E' | 'p' | 'P')))
            {
                i += 1;
            }
            out.push(Token {
                kind: TokenKind::Number,
                start,
                end: i,
            });
        } else {
            let p = PUNCT.iter().find(|p| {
                p.chars()
                    .enumerate()
                    .all(|(k, pc)| chars.get(i + k) == Some(&pc))
            });
            match p {
                Some(p) => {
                    i += p.chars().count();
                    out.push(Token {
                        kind: TokenKind::Punct(p),
                        start,
                        end: i,
                    });
                }
                None => i += 1,
            }
        }
    }
    out
}

/// A quoted string from its opening quote: (index after it, value).
fn short_string(chars: &[char], open: usize) -> (usize, String) {
    let quote = chars[open];
    let mut text = String::new();
    let mut i = open + 1;
    while i < chars.len() {
        match chars[i] {
            c if c == quote => return (i + 1, text),
            '\n' => return (i, text),
            '\\' => {
                i += 1;
                match chars.get(i) {
                    Some('n') => text.push('\n'),
                    Some('t') => text.push('\t'),
                    Some('r') => text.push('\r'),
                    // `\z` skips the whitespace that follows.
                    Some('z') => {
                        while chars.get(i + 1).is_some_and(|c| c.is_whitespace()) {
                            i += 1;
                        }
                    }
                    Some(&c) => text.push(c),
                    None => {}
                }
                i += 1;
            }
            c => {
                text.push(c);
                i += 1;
            }
        }
    }
    (i, text)
}

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

/// What an expression is, as far as keys go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// `KEYS[i]`, or a local holding it.
    Declared,
    /// A string literal, or built with one (`'rate:' .. ARGV[1]`).
    Literal,
    /// `ARGV[i]`, a call result, an unknown variable: nobody can tell.
    Unknown,
}

/// A key argument of `redis.call` that does not come from `KEYS`.
#[derive(Debug, Clone, PartialEq)]
pub struct UndeclaredKey {
    /// The Redis command, upper case.
    pub command: String,
    /// The key expression as written in the script.
    pub expr: String,
    /// The local the key went through, when it did.
    pub via: Option<String>,
    /// Char indices of the expression in the script text.
    pub start: usize,
    pub end: usize,
}

const STATEMENT_WORDS: &[&str] = &[
    "local", "if", "then", "else", "elseif", "end", "return", "for", "while", "do", "function",
    "repeat", "until", "break", "goto", "in",
];

const BINARY_OPS: &[&str] = &[
    "..", "+", "-", "*", "/", "//", "%", "^", "==", "~=", "<", ">", "<=", ">=", "&", "|", "~",
    "<<", ">>",
];

fn is_punct(t: &Token, p: &str) -> bool {
    matches!(&t.kind, TokenKind::Punct(q) if *q == p)
}

fn is_name(t: &Token, n: &str) -> bool {
    matches!(&t.kind, TokenKind::Name(m) if m == n)
}

/// The end (exclusive) of the expression starting at `from`: Lua has no
/// statement terminator, so an expression ends where an operand follows an
/// operand, at a keyword, or at a `,` / `)` / `]` / `}` / `;` outside
/// brackets.
fn expr_end(tokens: &[Token], from: usize) -> usize {
    let mut i = from;
    let mut want_operand = true;
    while i < tokens.len() {
        let t = &tokens[i];
        match &t.kind {
            TokenKind::Punct("(" | "[" | "{") => {
                // A call or index continues the operand; a paren starts one.
                let mut depth = 0;
                while i < tokens.len() {
                    match tokens[i].kind {
                        TokenKind::Punct("(" | "[" | "{") => depth += 1,
                        TokenKind::Punct(")" | "]" | "}") => depth -= 1,
                        _ => {}
                    }
                    i += 1;
                    if depth == 0 {
                        break;
                    }
                }
                want_operand = false;
                continue;
            }
            TokenKind::Punct(")" | "]" | "}" | "," | ";" | "=") => break,
            TokenKind::Punct("." | ":") => want_operand = true,
            TokenKind::Punct(p) if BINARY_OPS.contains(p) || *p == "#" => want_operand = true,
            TokenKind::Name(n) if n == "and" || n == "or" || n == "not" => want_operand = true,
            TokenKind::Name(n) if STATEMENT_WORDS.contains(&n.as_str()) => break,
            // A string right after an operand is a call (`f'x'`): it continues.
            TokenKind::Str(_)
                if !want_operand
                    && i > from
                    && matches!(tokens[i - 1].kind, TokenKind::Name(_)) => {}
            _ if !want_operand => break,
            _ => want_operand = false,
        }
        i += 1;
    }
    i
}

fn classify(tokens: &[Token], locals: &HashMap<String, Class>) -> Class {
    match tokens {
        [] => Class::Unknown,
        [t] => match &t.kind {
            TokenKind::Str(_) => Class::Literal,
            TokenKind::Name(n) => locals.get(n).copied().unwrap_or(Class::Unknown),
            _ => Class::Unknown,
        },
        [first, open, .., close]
            if is_name(first, "KEYS")
                && is_punct(open, "[")
                && is_punct(close, "]")
                && !tokens[2..tokens.len() - 1].iter().any(|t| is_punct(t, "]")) =>
        {
            Class::Declared
        }
        _ => {
            // A command's reply is data, not a key built here.
            let calls_redis = tokens
                .windows(2)
                .any(|w| is_name(&w[0], "redis") && is_punct(&w[1], "."));
            let literal = tokens.iter().any(|t| match &t.kind {
                TokenKind::Str(_) => true,
                TokenKind::Name(n) => locals.get(n) == Some(&Class::Literal),
                _ => false,
            });
            if literal && !calls_redis {
                Class::Literal
            } else {
                Class::Unknown
            }
        }
    }
}

/// Splits `tokens[open + 1 ..]` into the comma-separated arguments of the
/// call whose `(` is at `open`; returns them and the index after `)`.
fn call_args(tokens: &[Token], open: usize) -> (Vec<&[Token]>, usize) {
    let mut args = Vec::new();
    let mut depth = 0;
    let mut start = open + 1;
    let mut i = open + 1;
    while i < tokens.len() {
        match tokens[i].kind {
            TokenKind::Punct("(" | "[" | "{") => depth += 1,
            TokenKind::Punct(")" | "]" | "}") if depth > 0 => depth -= 1,
            TokenKind::Punct(")") => {
                if i > start {
                    args.push(&tokens[start..i]);
                }
                return (args, i + 1);
            }
            TokenKind::Punct(",") if depth == 0 => {
                args.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    (args, i)
}

/// Argument indices (after the command name) that are keys.
fn key_positions(layout: KeyLayout, argc: usize) -> Vec<usize> {
    match layout {
        KeyLayout::First => vec![0],
        KeyLayout::FirstTwo => vec![0, 1],
        KeyLayout::All => (0..argc).collect(),
        KeyLayout::AllButLast => (0..argc.saturating_sub(1)).collect(),
        KeyLayout::Pairs => (0..argc).step_by(2).collect(),
        // Layouts whose keys sit behind counts or keywords: not read.
        _ => Vec::new(),
    }
}

/// Every key argument of `redis.call` / `redis.pcall` that is a string
/// literal, is built with one, or is a local assigned from one. `KEYS[i]`
/// (directly or through a local) is declared; `ARGV[i]` and anything the
/// pass cannot follow are left alone.
pub fn undeclared_keys(script: &[char]) -> Vec<UndeclaredKey> {
    let tokens = tokenize(script);
    let mut locals: HashMap<String, Class> = HashMap::new();
    let mut out = Vec::new();
    let text = |toks: &[Token]| -> String {
        match (toks.first(), toks.last()) {
            (Some(a), Some(b)) => script[a.start..b.end].iter().collect(),
            _ => String::new(),
        }
    };
    let mut i = 0;
    while i < tokens.len() {
        // `local x = e` / `x = e`: remember what x holds.
        let assign_at = if is_name(&tokens[i], "local") {
            i + 1
        } else {
            i
        };
        if let (Some(TokenKind::Name(name)), Some(eq)) = (
            tokens.get(assign_at).map(|t| &t.kind),
            tokens.get(assign_at + 1),
        ) {
            if is_punct(eq, "=") && !STATEMENT_WORDS.contains(&name.as_str()) {
                let from = assign_at + 2;
                let end = expr_end(&tokens, from);
                let class = classify(&tokens[from..end], &locals);
                locals.insert(name.clone(), class);
                // The expression itself may hold a redis.call: keep walking it.
                i = from;
                continue;
            }
        }
        let is_call = is_name(&tokens[i], "redis")
            && tokens.get(i + 1).is_some_and(|t| is_punct(t, "."))
            && tokens
                .get(i + 2)
                .is_some_and(|t| is_name(t, "call") || is_name(t, "pcall"))
            && tokens.get(i + 3).is_some_and(|t| is_punct(t, "("));
        if !is_call {
            i += 1;
            continue;
        }
        let (args, _) = call_args(&tokens, i + 3);
        let command = match args.first() {
            Some(
                [Token {
                    kind: TokenKind::Str(name),
                    ..
                }],
            ) => command::canonical(name),
            _ => {
                i += 4;
                continue;
            }
        };
        if let Some(spec) = command::spec(&command) {
            for p in key_positions(spec.keys, args.len() - 1) {
                let Some(arg) = args.get(p + 1) else { continue };
                if classify(arg, &locals) != Class::Literal {
                    continue;
                }
                let via = match arg {
                    [Token {
                        kind: TokenKind::Name(n),
                        ..
                    }] => Some(n.clone()),
                    _ => None,
                };
                out.push(UndeclaredKey {
                    command: command.clone(),
                    expr: text(arg),
                    via,
                    start: arg[0].start,
                    end: arg[arg.len() - 1].end,
                });
            }
        }
        // Nested calls inside the arguments are visited as the walk goes on.
        i += 4;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn kinds(s: &str) -> Vec<TokenKind> {
        tokenize(&chars(s)).into_iter().map(|t| t.kind).collect()
    }

    fn name(s: &str) -> TokenKind {
        TokenKind::Name(s.to_string())
    }

    fn string(s: &str) -> TokenKind {
        TokenKind::Str(s.to_string())
    }

    #[test]
    fn short_strings_with_escapes() {
        assert_eq!(
            kinds(r#"'it\'s' "a \"b\"\n" 'x\z   y'"#),
            vec![string("it's"), string("a \"b\"\n"), string("xy")]
        );
    }

    #[test]
    fn long_brackets_and_levels() {
        assert_eq!(
            kinds("[[one ]] two]] [==[a ]] b]=] c]==] x"),
            vec![
                string("one "),
                name("two"),
                TokenKind::Punct("]"),
                TokenKind::Punct("]"),
                string("a ]] b]=] c"),
                name("x"),
            ]
        );
        assert_eq!(kinds("[[\nline]]"), vec![string("line")]);
    }

    #[test]
    fn comments_are_skipped() {
        assert_eq!(
            kinds("a -- redis.call('DEL', 'x')\nb --[[ c\n d ]] e --[==[ ]] ]==] f"),
            vec![name("a"), name("b"), name("e"), name("f")]
        );
    }

    #[test]
    fn names_numbers_and_punctuation() {
        assert_eq!(
            kinds("local n_1 = 0x1F + 3.5e-2 .. ... ~= #t"),
            vec![
                name("local"),
                name("n_1"),
                TokenKind::Punct("="),
                TokenKind::Number,
                TokenKind::Punct("+"),
                TokenKind::Number,
                TokenKind::Punct(".."),
                TokenKind::Punct("..."),
                TokenKind::Punct("~="),
                TokenKind::Punct("#"),
                name("t"),
            ]
        );
    }

    fn found(script: &str) -> Vec<(String, String, Option<String>)> {
        undeclared_keys(&chars(script))
            .into_iter()
            .map(|u| (u.command, u.expr, u.via))
            .collect()
    }

    #[test]
    fn literal_and_built_keys_are_found() {
        let script = "local n = redis.call('INCR', 'rate:global')\n\
                      redis.call('EXPIRE', 'rate:' .. ARGV[1], 60)\n\
                      return redis.call('GET', KEYS[1])";
        assert_eq!(
            found(script),
            vec![
                ("INCR".into(), "'rate:global'".into(), None),
                ("EXPIRE".into(), "'rate:' .. ARGV[1]".into(), None),
            ]
        );
    }

    #[test]
    fn locals_carry_what_they_hold() {
        let script = "local k = KEYS[1]\nlocal audit = 'audit:' .. k\nlocal user = ARGV[1]\n\
                      local cur = redis.call('GET', k)\n\
                      redis.call('SET', k, cur)\nredis.call('LPUSH', audit, user)\n\
                      redis.call('DEL', user)";
        assert_eq!(
            found(script),
            vec![("LPUSH".into(), "audit".into(), Some("audit".into()))]
        );
    }

    #[test]
    fn declared_unknown_and_keyless_commands_are_silent() {
        let script = "redis.call('SET', KEYS[1], 'value')\n\
                      redis.pcall('HSET', KEYS[2], 'field', ARGV[1])\n\
                      redis.call('PUBLISH', 'events', ARGV[1])\n\
                      redis.call(ARGV[2], 'x')\n\
                      redis.call('GET', ARGV[1])\n\
                      -- redis.call('DEL', 'commented:out')\n\
                      local s = \"redis.call('DEL', 'in:a:string')\"";
        assert!(found(script).is_empty(), "{:?}", found(script));
    }

    #[test]
    fn multi_key_commands_check_every_key() {
        assert_eq!(
            found(
                "redis.call('DEL', KEYS[1], 'stale:index')\nredis.call('RENAME', KEYS[1], KEYS[2])"
            ),
            vec![("DEL".into(), "'stale:index'".into(), None)]
        );
    }

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
