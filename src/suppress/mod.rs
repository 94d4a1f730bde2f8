//! Inline suppressions: comments that silence findings.
//!
//! ```text
//! con.keys("user:*")?; // redis-lint: allow(key-keys-command) -- admin tool, tiny db
//!
//! // redis-lint: allow(cmd-dangerous-command, key-keys-command) -- test fixture reset
//! redis::cmd("FLUSHALL").query(con)?;
//!
//! // redis-lint: allow-file(key-no-namespace) -- keys come from the caller
//! ```
//!
//! - `allow(...)` at the end of a line silences those rules for findings
//!   that *start* on that line. Alone on its line, it silences them in the
//!   statement or item that starts on the next line that is not itself only
//!   comments (the whole statement, however many lines rustfmt gives it;
//!   the whole `fn`, `impl` or `mod`), or on that line when nothing
//!   longer starts there. Several suppressions can be stacked above one
//!   line; a blank line in between breaks the link.
//! - `allow-file(...)` silences those rules in the whole file. It must come
//!   before the first item, among the file's leading comments and
//!   attributes; later, it silences nothing and is reported.
//! - The list holds exact rule ids, or `all` for every rule. Prefixes and
//!   guide sections are not accepted: a suppression should say precisely
//!   what it silences.
//! - Only plain `//` comments count: not doc comments (`///`, `//!`), not
//!   block comments, and nothing inside string or char literals.
//! - Redis configuration files take the same comments written with `#`:
//!   `# redis-lint: allow(conf-slowlog) -- load test box` on the line above
//!   a directive, or `allow-file(..)` among the leading comments (for a
//!   missing directive, reported on the first line). Compose files also
//!   take one at the end of a line, after a blank and outside quotes.
//!
//! The suppressions are checked too (`rules::META_RULES`): one without a reason
//! after `--`, one naming no known rule (or that cannot be read), and one
//! that silenced nothing in this run (with a fix deleting it). A rule that
//! did not run on the file this time (not selected, ignored, or `allow` in
//! its configuration) never makes a suppression "unused". Findings of
//! these three rules cannot themselves be suppressed inline.

mod apply;
mod checks;
mod conf_comments;
mod extents;
mod parse;
mod ran;
mod rust_comments;
mod unused;

use crate::source::Span;

pub use apply::apply;
pub use parse::{parse, parse_as};
pub use ran::RulesRun;

/// What starts a suppression comment (after `//`).
pub const MARKER: &str = "redis-lint:";

/// Where a suppression applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Findings starting on this line.
    Line(u32),
    /// Findings starting in the statement or item that starts on `first`
    /// (a suppression alone on the line above it).
    Lines { first: u32, last: u32 },
    /// The whole file.
    File,
    /// An `allow-file` after the first item: nowhere.
    Misplaced,
}

/// One rule id as written in a suppression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRef {
    pub id: String,
    pub span: Span,
}

/// One `// redis-lint: allow...` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub target: Target,
    pub rules: Vec<RuleRef>,
    /// The text after `--`, trimmed; `None` when missing or empty.
    pub reason: Option<String>,
    /// Text after the list that is not introduced by `--`.
    pub stray: bool,
    /// The comment, from `//` to the end of the line.
    pub span: Span,
    /// What deleting the comment removes: the whole line with its newline
    /// when the comment is alone on it, else the comment and the blanks
    /// before it.
    pub removal: Span,
    /// The text between the parentheses.
    pub list: Span,
}

/// A `// redis-lint:` comment that is not a well-formed suppression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub span: Span,
    pub message: String,
}

/// The suppression comments of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suppressions {
    pub items: Vec<Suppression>,
    pub malformed: Vec<Malformed>,
}

impl Suppressions {
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.malformed.is_empty()
    }

    /// Whether a finding of `rule` starting on `line` is silenced.
    pub fn silences(&self, rule: &str, line: u32) -> bool {
        self.items
            .iter()
            .any(|s| s.applies_on(line) && s.rules.iter().any(|r| r.id == rule || r.id == "all"))
    }
}

impl Suppression {
    fn applies_on(&self, line: u32) -> bool {
        match self.target {
            Target::Line(l) => l == line,
            Target::Lines { first, last } => (first..=last).contains(&line),
            Target::File => true,
            Target::Misplaced => false,
        }
    }
}

/// How a file writes comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Rust: `//` comments, skipping literals and block comments.
    Rust,
    /// redis.conf / sentinel.conf: `#` starting a line.
    Conf,
    /// YAML (compose files): `#` starting a line or after a blank.
    Yaml,
    /// Lua scripts (`.lua` files Rust code includes): `--` comments.
    Lua,
}

impl Syntax {
    /// By file name: Rust sources end in `.rs`, compose files in
    /// `.yml`/`.yaml`; everything else linted is a Redis configuration.
    pub fn of(path: &std::path::Path) -> Syntax {
        match path.extension().and_then(|e| e.to_str()) {
            Some("rs") => Syntax::Rust,
            Some("yml" | "yaml") => Syntax::Yaml,
            Some("lua") => Syntax::Lua,
            _ => Syntax::Conf,
        }
    }
}
