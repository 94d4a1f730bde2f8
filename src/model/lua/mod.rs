//! Lua scripts, read with a real Lua parser (`full_moon`, Lua 5.1 as Redis
//! runs it): every `redis.call` / `redis.pcall` with its command, where each
//! of its key arguments comes from (`KEYS[i]`, `ARGV[i]`, a string written
//! in the script, a local holding one of these) and whether it runs in a
//! loop. Scripts arrive as Rust string literals (positions are mapped back
//! through the literal's escapes: see [`literal`]) or as `.lua` files
//! (positions are the file's own).

mod guard;
mod literal;
mod walk;

pub use literal::{decode_literal, source_pos};

use super::Pos;

/// What one script does with Redis.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LuaFacts {
    /// Every `redis.call` / `redis.pcall`, in source order.
    pub calls: Vec<RedisCall>,
}

/// `redis.call(..)` or `redis.pcall(..)`.
#[derive(Debug, Clone, PartialEq)]
pub struct RedisCall {
    /// The command, upper case; `None` when it is computed at run time.
    pub command: Option<String>,
    pub form: CallForm,
    /// The arguments the command reads as keys (by its key layout).
    pub keys: Vec<KeyArg>,
    /// Byte range of the whole call in the script text.
    pub range: std::ops::Range<usize>,
    pub looping: Looping,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallForm {
    /// `redis.call`: an error stops the script.
    Call,
    /// `redis.pcall`: an error is returned as a value.
    Pcall,
}

/// Whether a call sits inside a `while`, `repeat` or `for` body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Looping {
    Once,
    InLoop,
}

/// A key argument of a Redis call.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyArg {
    pub origin: KeyOrigin,
    /// The expression as written in the script.
    pub text: String,
    /// Byte range of the expression in the script text.
    pub range: std::ops::Range<usize>,
    /// The local the key went through, when it is a plain name.
    pub via: Option<String>,
}

/// Where a key argument comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyOrigin {
    /// `KEYS[i]`, or a local holding it: a declared key.
    Declared,
    /// `ARGV[i]`, or a local holding it: a value the caller chose, which
    /// nobody can tell is a key name.
    Argv,
    /// A string written in the script, or built with one (`'rate:' ..
    /// ARGV[1]`, `KEYS[1] .. ':lease'`): a key the caller never declared.
    Written,
    /// Read from a Redis reply inside the script (`redis.call('SMEMBERS',
    /// KEYS[1])`, an element of one): a key name stored in Redis, which the
    /// caller never declared.
    Reply,
    /// A parameter, a computed value, an unknown global: nobody can tell.
    Unknown,
}

impl LuaFacts {
    /// The key arguments written in the script or read from a reply,
    /// rather than passed in KEYS.
    pub fn undeclared_keys(&self) -> impl Iterator<Item = (&RedisCall, &KeyArg)> {
        self.calls.iter().flat_map(|c| {
            c.keys
                .iter()
                .filter(|k| matches!(k.origin, KeyOrigin::Written | KeyOrigin::Reply))
                .map(move |k| (c, k))
        })
    }
}

/// Why a script could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LuaError {
    /// Nested past what the parser's stack is known to survive.
    #[error("too deeply nested to parse safely (the limit is passed at line {line})")]
    TooDeep { line: u32 },
    /// Not valid Lua 5.1; `at` is a byte offset in the script text.
    #[error("not valid Lua: {message}")]
    Syntax { message: String, at: usize },
}

/// Reads a script. A script nested past [`guard::MAX_DEPTH`] is refused
/// before it reaches the parser (the parse and the walk recurse per level).
pub fn parse(text: &str) -> Result<LuaFacts, LuaError> {
    guard::check(text)?;
    let ast = full_moon::parse(text).map_err(|errors| {
        let first = errors.first();
        LuaError::Syntax {
            message: first.map_or_else(|| "unknown error".into(), |e| e.error_message().into()),
            at: first.map_or(0, |e| e.range().0.bytes()),
        }
    })?;
    Ok(walk::facts(&ast, text))
}

/// The line and column (both as `Pos` counts them: lines from 1, columns
/// in chars from 0) of a byte offset in a script kept in its own file.
pub fn file_pos(text: &str, byte: usize) -> Pos {
    let mut end = byte.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Pos {
        line: 1 + before.matches('\n').count() as u32,
        col: before[line_start..].chars().count() as u32,
    }
}

/// What a script of the crate is, once read.
#[derive(Debug, Clone)]
pub enum ScriptBody {
    /// Written in a Rust string literal.
    Literal(LiteralScript),
    /// `include_str!` of a path not read yet (the engine reads `.lua`
    /// files once per run and puts [`ScriptBody::File`] in its place).
    Included {
        path: String,
        base: super::IncludeBase,
    },
    /// A `.lua` file of the run.
    File(std::sync::Arc<LuaFile>),
}

/// A script written as a Rust string literal.
#[derive(Debug, Clone)]
pub struct LiteralScript {
    /// Each char of the script and where it sits (see [`decode_literal`]).
    decoded: Vec<(char, u32, u32)>,
    /// Byte offset of each char of the script, for mapping parser offsets.
    offsets: Vec<usize>,
    literal_start: Pos,
    /// `None`: not valid Lua (a fragment or a template), so not read.
    pub facts: Option<LuaFacts>,
}

impl LiteralScript {
    /// Reads the script a Rust literal holds; `None` for anything but a
    /// string literal.
    pub fn read(text: &super::ScriptText) -> Option<LiteralScript> {
        let decoded = decode_literal(&text.source)?;
        let script: String = decoded.iter().map(|d| d.0).collect();
        let offsets = script.char_indices().map(|(i, _)| i).collect();
        Some(LiteralScript {
            facts: parse(&script).ok(),
            decoded,
            offsets,
            literal_start: text.span.start,
        })
    }

    /// The Rust source span of a byte range of the script.
    pub fn span(&self, range: &std::ops::Range<usize>) -> super::Span {
        let char_at = |byte: usize| self.offsets.partition_point(|&o| o < byte);
        let start = source_pos(&self.decoded, char_at(range.start), self.literal_start);
        let mut end = source_pos(
            &self.decoded,
            char_at(range.end).saturating_sub(1),
            self.literal_start,
        );
        end.col += 1;
        super::Span { start, end }
    }
}

/// A `.lua` file that Rust code includes as a script.
#[derive(Debug)]
pub struct LuaFile {
    /// The file's id in the run (findings point into it).
    pub file: super::FileId,
    pub text: std::sync::Arc<str>,
    pub facts: LuaFacts,
}

impl LuaFile {
    /// The file span of a byte range of the script.
    pub fn span(&self, range: &std::ops::Range<usize>) -> super::Span {
        super::Span {
            start: file_pos(&self.text, range.start),
            end: file_pos(&self.text, range.end),
        }
    }
}

impl ScriptBody {
    /// The script's facts, when it was read.
    pub fn facts(&self) -> Option<&LuaFacts> {
        match self {
            ScriptBody::Literal(l) => l.facts.as_ref(),
            ScriptBody::File(f) => Some(&f.facts),
            ScriptBody::Included { .. } => None,
        }
    }
}

impl super::LuaScript {
    /// The file and span of a byte range of the script: in the Rust literal,
    /// or in the `.lua` file.
    pub fn place(&self, range: &std::ops::Range<usize>) -> (super::FileId, super::Span) {
        match &self.body {
            ScriptBody::Literal(l) => (self.file, l.span(range)),
            ScriptBody::File(f) => (f.file, f.span(range)),
            ScriptBody::Included { .. } => (self.file, self.site),
        }
    }
}

#[cfg(test)]
mod tests;
