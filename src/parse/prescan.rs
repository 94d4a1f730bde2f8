//! A linear scan that estimates how deep syn (and the walks over its
//! syntax tree) will recurse on a file, before it is parsed.
//!
//! A stack overflow aborts the process (it cannot be caught), so a file
//! nested past what the parse thread's stack survives must be refused
//! before it reaches syn. Brackets are not the only nesting: syn also
//! recurses once per prefix operator (`!`, `-`, `*`, `&`, `..`), closure
//! (`|x|`), `return` / `break`, assignment (`a += b += …`), `->` (in
//! `fn() -> fn() -> …`), generic argument list (`Box<Box<…>>`) and method
//! call (`x.f().f()…`, walked recursively), whether written on one line or
//! one level per line.
//!
//! The estimate errs on the high side (a prefix chain is only cut at `;`,
//! `,`, `=>` and between statements), yet real code stays far below the
//! limit: the deepest a fixture or real project reaches is a few hundred.
//! String literals and comments are skipped, so a long line inside a
//! string (an embedded blob) is harmless.

/// Cost of one level of each kind of nesting, in units of [`MAX_DEPTH`].
/// The weights follow the stack one level takes: generic arguments,
/// closures and prefix operators take up to twice a bracket's, method
/// calls a small part of it.
const BRACKET: usize = 4;
const PREFIX: usize = 8;
const ANGLE: usize = 8;
const DOT: usize = 2;

/// The deepest estimate parsed: 8,000 brackets, 4,000 prefix operators,
/// closures or generic levels, 16,000 chained method calls (or a mix).
/// Measured on a 256 MiB stack (see [`super::STACK_SIZE`]): the debug
/// build aborts past 10,000 nested `Box<` (the costliest level), the
/// release build past 50,000; every kind just under the limit parses in
/// both.
pub const MAX_DEPTH: usize = 32_000;

/// Longest line of code (string literals and comments left out) parsed:
/// longer lines are generated code, where nesting hides.
pub const MAX_LINE: usize = 100_000;

/// Why a file is not parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The nesting estimate passed [`MAX_DEPTH`] at this line.
    TooDeep { line: u32 },
    /// A line has more than [`MAX_LINE`] bytes of code.
    LongLine { line: u32, len: usize },
}

/// `Ok` when `text` is safe to hand to syn.
pub fn check(text: &str) -> Result<(), Refusal> {
    let mut scan = Scan::new(text.as_bytes());
    scan.run()
}

/// One open bracket, or an open generic argument list (`<`).
#[derive(Clone, Copy)]
struct Level {
    /// Depth at which the level's content starts.
    base: usize,
    /// Depth added inside the level by prefix nesting since the last cut.
    chain: usize,
    angle: bool,
}

struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
    line: u32,
    line_start: usize,
    /// Bytes of string literals and comments on the current line.
    skipped_on_line: usize,
    levels: Vec<Level>,
    /// Whether the last token ends an operand (then `-`, `*`, `&`, `!` and
    /// `|` are binary, not prefix).
    operand: bool,
    /// A brace block just closed: the next token may start a new
    /// statement or item (then the prefix chain is cut).
    after_block: bool,
}

impl<'a> Scan<'a> {
    fn new(bytes: &'a [u8]) -> Scan<'a> {
        Scan {
            bytes,
            at: 0,
            line: 1,
            line_start: 0,
            skipped_on_line: 0,
            levels: vec![Level {
                base: 0,
                chain: 0,
                angle: false,
            }],
            operand: false,
            after_block: false,
        }
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.at + ahead).copied().unwrap_or(0)
    }

    fn top(&mut self) -> &mut Level {
        self.levels
            .last_mut()
            .expect("the file level is never popped")
    }

    fn depth(&self) -> usize {
        self.levels.last().map_or(0, |l| l.base + l.chain)
    }

    fn run(&mut self) -> Result<(), Refusal> {
        while self.at < self.bytes.len() {
            let b = self.bytes[self.at];
            match b {
                b'\n' => {
                    self.end_line()?;
                    self.at += 1;
                }
                b' ' | b'\t' | b'\r' => self.at += 1,
                b'/' if self.peek(1) == b'/' => self.skip_line_comment(),
                b'/' if self.peek(1) == b'*' => self.skip_block_comment()?,
                b'"' => self.skip_string(Quoted::Escaped)?,
                b'\'' => self.quote()?,
                b'0'..=b'9' => self.number(),
                b'a'..=b'z' | b'A'..=b'Z' | b'_' | 0x80.. => self.word()?,
                _ => self.punct()?,
            }
            if self.depth() > MAX_DEPTH {
                return Err(Refusal::TooDeep { line: self.line });
            }
        }
        self.end_line()
    }

    /// Checks the line just ended (at `self.at`) and starts the next.
    fn end_line(&mut self) -> Result<(), Refusal> {
        let len = (self.at - self.line_start).saturating_sub(self.skipped_on_line);
        if len > MAX_LINE {
            return Err(Refusal::LongLine {
                line: self.line,
                len,
            });
        }
        self.line += 1;
        self.line_start = self.at + 1;
        self.skipped_on_line = 0;
        Ok(())
    }

    /// Skips `self.at..end` (a literal or comment), counting its lines;
    /// none of it counts as code.
    fn skip_to(&mut self, end: usize) -> Result<(), Refusal> {
        let end = end.min(self.bytes.len());
        let mut from = self.at;
        while let Some(nl) = self.bytes[from..end].iter().position(|&b| b == b'\n') {
            self.skipped_on_line += nl;
            self.at = from + nl;
            self.end_line()?;
            from = self.at + 1;
        }
        self.skipped_on_line += end - from;
        self.at = end;
        Ok(())
    }

    fn skip_line_comment(&mut self) {
        let rest = &self.bytes[self.at..];
        let len = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        self.skipped_on_line += len;
        self.at += len;
    }

    /// `/* … */`, which nest.
    fn skip_block_comment(&mut self) -> Result<(), Refusal> {
        let (mut i, mut open) = (self.at + 2, 1usize);
        while i < self.bytes.len() && open > 0 {
            match (self.bytes[i], self.bytes.get(i + 1)) {
                (b'/', Some(b'*')) => (open, i) = (open + 1, i + 2),
                (b'*', Some(b'/')) => (open, i) = (open - 1, i + 2),
                _ => i += 1,
            }
        }
        self.skip_to(i)
    }

    /// A string literal whose opening quote is at `self.at`.
    fn skip_string(&mut self, kind: Quoted) -> Result<(), Refusal> {
        let mut i = self.at + 1;
        while i < self.bytes.len() {
            match (self.bytes[i], kind) {
                (b'\\', Quoted::Escaped) => i += 2,
                (b'"', Quoted::Escaped) => {
                    i += 1;
                    break;
                }
                (b'"', Quoted::Raw { hashes })
                    if self.bytes[i + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|&&b| b == b'#')
                        .count()
                        == hashes =>
                {
                    i += 1 + hashes;
                    break;
                }
                _ => i += 1,
            }
        }
        self.skip_to(i)?;
        self.token(Token::Operand);
        Ok(())
    }

    /// `'`: a character literal or a lifetime / label.
    fn quote(&mut self) -> Result<(), Refusal> {
        let rest = &self.bytes[self.at + 1..];
        let char_len = match rest.first() {
            Some(b'\\') => rest.iter().skip(2).position(|&b| b == b'\'').map(|p| p + 3),
            Some(&first) => {
                let width = utf8_width(first);
                (rest.get(width) == Some(&b'\'')).then_some(width + 1)
            }
            None => None,
        };
        match char_len {
            Some(len) => {
                self.skip_to(self.at + 1 + len)?;
                self.token(Token::Operand);
            }
            None => {
                // A lifetime (`&'a &'b T`): the next `&` is still a prefix.
                self.at += 1;
                self.skip_word_chars();
                self.token(Token::Other);
            }
        }
        Ok(())
    }

    fn number(&mut self) {
        while self.at < self.bytes.len() {
            let b = self.bytes[self.at];
            // `1e-5` (in `0xe-5` the `-` is taken too: no depth is lost).
            let exponent_sign =
                matches!(b, b'+' | b'-') && matches!(self.bytes[self.at - 1], b'e' | b'E');
            if b.is_ascii_alphanumeric()
                || b == b'_'
                || (b == b'.' && self.peek(1).is_ascii_digit())
                || exponent_sign
            {
                self.at += 1;
            } else {
                break;
            }
        }
        self.token(Token::Operand);
    }

    fn skip_word_chars(&mut self) {
        while self.at < self.bytes.len()
            && matches!(self.bytes[self.at], b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | 0x80..)
        {
            self.at += 1;
        }
    }

    /// An identifier or keyword, or the prefix of a raw or byte string.
    fn word(&mut self) -> Result<(), Refusal> {
        let start = self.at;
        self.skip_word_chars();
        let word = &self.bytes[start..self.at];
        let next = self.peek(0);
        if matches!(word, b"r" | b"br" | b"cr") && matches!(next, b'#' | b'"') {
            let hashes = self.bytes[self.at..]
                .iter()
                .take_while(|&&b| b == b'#')
                .count();
            if self.peek(hashes) == b'"' {
                self.at += hashes;
                return self.skip_string(Quoted::Raw { hashes });
            }
            // `r#ident`: a raw identifier.
            self.at += 1;
            self.skip_word_chars();
            self.token(Token::Operand);
            return Ok(());
        }
        if matches!(word, b"b" | b"c") && next == b'"' {
            return self.skip_string(Quoted::Escaped);
        }
        if word == b"b" && next == b'\'' {
            return self.quote();
        }
        let token = match word {
            b"return" | b"break" | b"yield" | b"become" | b"box" => Token::Prefix(PREFIX),
            b"as" | b"async" | b"const" | b"dyn" | b"else" | b"enum" | b"extern" | b"fn"
            | b"for" | b"if" | b"impl" | b"in" | b"let" | b"loop" | b"match" | b"mod" | b"move"
            | b"mut" | b"pub" | b"ref" | b"static" | b"struct" | b"trait" | b"type" | b"unsafe"
            | b"use" | b"where" | b"while" => Token::Other,
            _ => Token::Operand,
        };
        self.token(token);
        Ok(())
    }

    fn punct(&mut self) -> Result<(), Refusal> {
        let (b, next, third) = (self.peek(0), self.peek(1), self.peek(2));
        let prefix = !self.operand;
        let (len, token) = match (b, next) {
            (b'(' | b'[' | b'{', _) => (1, Token::Open { angle: false }),
            (b')' | b']' | b'}', _) => (1, Token::Close),
            (b'-', b'>') => (2, Token::Chain(PREFIX)),
            (b'=', b'>') => (2, Token::Cut),
            (b';', _) => (1, Token::Cut),
            (b',', _) => (1, Token::Comma),
            (b'.', b'.') => {
                let len = if matches!(third, b'.' | b'=') { 3 } else { 2 };
                (len, Token::prefix_if(prefix, PREFIX))
            }
            (b'.', _) => (1, Token::Chain(DOT)),
            (b'<', b'<') if third == b'=' => (3, Token::Chain(PREFIX)),
            (b'<', b'<') if prefix => (2, Token::Angles(2)),
            (b'<', b'<') => (2, Token::Other),
            (b'<', b'=') | (b'>', b'=') | (b'=', b'=') | (b'!', b'=') => (2, Token::Other),
            (b'<', _) => (1, Token::Angles(1)),
            (b'>', b'>') if third == b'=' => (3, Token::Chain(PREFIX)),
            (b'>', b'>') => (2, Token::CloseAngles(2)),
            (b'>', _) => (1, Token::CloseAngles(1)),
            (b'&', b'&') => (2, Token::prefix_if(prefix, 2 * PREFIX)),
            (b'|', b'|') => (2, Token::prefix_if(prefix, PREFIX)),
            (b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'&' | b'|', b'=') => {
                (2, Token::Chain(PREFIX))
            }
            (b'=', _) => (1, Token::Chain(PREFIX)),
            (b'!' | b'-' | b'*' | b'&' | b'|', _) => (1, Token::prefix_if(prefix, PREFIX)),
            (b'?', _) => (1, Token::Operand),
            (b':', b':') => (2, Token::Other),
            _ => (1, Token::Other),
        };
        self.at += len;
        self.token(token);
        Ok(())
    }

    /// Updates the levels and the operand state for one token.
    fn token(&mut self, token: Token) {
        if std::mem::take(&mut self.after_block) && token.starts_statement() {
            self.cut();
        }
        match token {
            Token::Open { angle } => {
                if !angle && self.bytes.get(self.at.wrapping_sub(1)) == Some(&b'{') {
                    // A comparison's `<` ends at the block it guards
                    // (`if a < b {`).
                    self.pop_angles();
                }
                let base = self.depth() + if angle { ANGLE } else { BRACKET };
                self.levels.push(Level {
                    base,
                    chain: 0,
                    angle,
                });
            }
            Token::Angles(n) => {
                for _ in 0..n {
                    self.token(Token::Open { angle: true });
                }
            }
            Token::Close => {
                self.pop_angles();
                let was_brace = self.bytes.get(self.at.wrapping_sub(1)) == Some(&b'}');
                if self.levels.len() > 1 {
                    self.levels.pop();
                }
                self.after_block = was_brace;
            }
            Token::CloseAngles(n) => {
                for _ in 0..n {
                    if self.levels.last().is_some_and(|l| l.angle) {
                        self.levels.pop();
                    }
                }
            }
            Token::Cut => self.cut(),
            Token::Comma => self.top().chain = 0,
            Token::Chain(cost) | Token::Prefix(cost) => self.top().chain += cost,
            Token::Operand | Token::Other => {}
        }
        self.operand = matches!(token, Token::Operand | Token::Close | Token::CloseAngles(_));
    }

    /// The end of a statement: generic lists cannot span it, and the
    /// prefix chain starts again.
    fn cut(&mut self) {
        self.pop_angles();
        self.top().chain = 0;
    }

    fn pop_angles(&mut self) {
        while self.levels.len() > 1 && self.levels.last().is_some_and(|l| l.angle) {
            self.levels.pop();
        }
    }
}

/// How a string literal ends.
#[derive(Clone, Copy)]
enum Quoted {
    /// At the first unescaped `"`.
    Escaped,
    /// At the first `"` followed by this many `#`s.
    Raw { hashes: usize },
}

/// What a token does to the estimate.
#[derive(Clone, Copy)]
enum Token {
    /// An identifier, literal or `?`: what follows is binary.
    Operand,
    /// Anything else that changes no depth (keywords, `::`, binary
    /// operators).
    Other,
    Open {
        angle: bool,
    },
    Close,
    /// `<` or `<<` (a generic list, or a comparison ended at the next cut).
    Angles(usize),
    CloseAngles(usize),
    /// A prefix operator or keyword: one more level until the next cut.
    Prefix(usize),
    /// `->`, `.`, an assignment: one more level until the next cut.
    Chain(usize),
    /// `;` or `=>`.
    Cut,
    Comma,
}

impl Token {
    fn prefix_if(prefix: bool, cost: usize) -> Token {
        if prefix {
            Token::Prefix(cost)
        } else {
            Token::Other
        }
    }

    /// After a `}`, whether this token begins a new statement or item
    /// (rather than continuing an expression with an operator).
    fn starts_statement(self) -> bool {
        matches!(
            self,
            Token::Operand | Token::Other | Token::Open { .. } | Token::Close | Token::Cut
        )
    }
}

/// Bytes of the UTF-8 character starting with `first`.
fn utf8_width(first: u8) -> usize {
    match first {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(unit: &str, n: usize) -> String {
        format!("fn f() {{ let _ = {}x; }}\n", unit.repeat(n))
    }

    #[test]
    fn ordinary_code_passes() {
        let code = "use std::collections::HashMap;\n\
            fn f<'a>(x: &'a [u8], m: &mut HashMap<String, Vec<Box<u8>>>) -> Option<&'a u8> {\n\
                let c = |a: &u8| -> bool { !(*a > 2) && a < &3 };\n\
                if x.len() < 2 { return None; }\n\
                let s = r#\"a \" quote\"#; let ch = '\"'; let l = b'\\'';\n\
                x.iter().map(|b| b + 1).filter(|b| *b > 1).count(); /* a /* nested */ comment */\n\
                x.first()\n}\n";
        assert_eq!(check(code), Ok(()));
    }

    #[test]
    fn each_kind_of_nesting_is_refused_one_level_per_line() {
        for unit in [
            "|x|\n", "!\n", "-\n", "*\n", "&\n", "return\n", "x +=\n", "..\n",
        ] {
            assert!(
                matches!(check(&deep(unit, 5_000)), Err(Refusal::TooDeep { .. })),
                "{unit:?}"
            );
            assert_eq!(check(&deep(unit, 500)), Ok(()), "{unit:?}");
        }
        let types = format!(
            "type T = {}u8{};",
            "Box<\n".repeat(5_000),
            ">".repeat(5_000)
        );
        assert!(matches!(check(&types), Err(Refusal::TooDeep { .. })));
        let methods = format!("fn f() {{ x{}; }}", "\n.f()".repeat(20_000));
        assert!(matches!(check(&methods), Err(Refusal::TooDeep { .. })));
        let parens = format!("fn f() {{ {}x{} }}", "(".repeat(9_000), ")".repeat(9_000));
        assert!(matches!(check(&parens), Err(Refusal::TooDeep { .. })));
    }

    #[test]
    fn chains_are_cut_between_statements_and_items() {
        let statements = "fn f() { let _ = !x; }\n".repeat(20_000);
        assert_eq!(check(&statements), Ok(()));
        let items = "fn f() -> &'static u8 { &1 }\n".repeat(20_000);
        assert_eq!(check(&items), Ok(()));
        let ifs = "fn f() {\n".to_string() + &"if a < b { c = 1 }\n".repeat(20_000) + "}";
        assert_eq!(check(&ifs), Ok(()));
        let args = format!("fn f() {{ g({}); }}", "-1, &x, !y,\n".repeat(20_000));
        assert_eq!(check(&args), Ok(()));
    }

    #[test]
    fn long_lines_in_literals_and_comments_are_not_code() {
        let blob = "a".repeat(MAX_LINE + 10);
        assert_eq!(check(&format!("const B: &str = \"{blob}\";\n")), Ok(()));
        assert_eq!(
            check(&format!("const B: &str = r##\"{blob}\"##;\n")),
            Ok(())
        );
        assert_eq!(check(&format!("// {blob}\nfn f() {{}}\n")), Ok(()));
        let code = format!("const B: u8 = 0{};\n", " + 0".repeat(MAX_LINE / 4));
        assert!(matches!(
            check(&code),
            Err(Refusal::LongLine { line: 1, .. })
        ));
    }
}
