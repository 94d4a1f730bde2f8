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
//!   that *start* on that line. Alone on its line, it silences them on the
//!   next line that is not itself only comments (so several suppressions can
//!   be stacked above one line; a blank line in between breaks the link).
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
//! did not run this time never makes a suppression "unused". Findings of
//! these three rules cannot themselves be suppressed inline.

use std::collections::HashMap;
use std::sync::Arc;

use crate::diagnostic::{Edit, Finding, Fix, Level, Outcome};
use crate::rules::suppressions::{
    suppression_without_reason::RULE as SUPPRESSION_WITHOUT_REASON,
    unknown_rule_in_suppression::RULE as UNKNOWN_RULE_IN_SUPPRESSION,
    unused_suppression::RULE as UNUSED_SUPPRESSION,
};
use crate::rules::{self, Rule, META_RULES};
use crate::source::{FileId, Pos, Span};

/// What starts a suppression comment (after `//`).
pub const MARKER: &str = "redis-lint:";

/// Where a suppression applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Findings starting on this line.
    Line(u32),
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
}

impl Syntax {
    /// By file name: Rust sources end in `.rs`, compose files in
    /// `.yml`/`.yaml`; everything else linted is a Redis configuration.
    pub fn of(path: &std::path::Path) -> Syntax {
        match path.extension().and_then(|e| e.to_str()) {
            Some("rs") => Syntax::Rust,
            Some("yml" | "yaml") => Syntax::Yaml,
            _ => Syntax::Conf,
        }
    }
}

/// Reads the suppression comments of a Rust file.
pub fn parse(source: &str) -> Suppressions {
    parse_as(source, Syntax::Rust)
}

/// Reads the suppression comments of a file written in `syntax`.
pub fn parse_as(source: &str, syntax: Syntax) -> Suppressions {
    if !source.contains(MARKER) {
        return Suppressions::default();
    }
    let lexed = match syntax {
        Syntax::Rust => lex(source),
        Syntax::Conf => lex_hash(source, false),
        Syntax::Yaml => lex_hash(source, true),
    };
    let mut out = Suppressions::default();
    for c in &lexed.comments {
        let Some(directive) = c.body.trim_start().strip_prefix(MARKER) else {
            continue;
        };
        let body_col = c.col + c.marker_len;
        let at = |byte: usize| Pos {
            line: c.line,
            col: body_col + c.body[..byte].chars().count() as u32,
        };
        let span = Span {
            start: Pos {
                line: c.line,
                col: c.col,
            },
            end: at(c.body.len()),
        };
        let directive_at = c.body.len() - directive.len();
        let parsed = match read_directive(directive) {
            Ok(d) => d,
            Err(message) => {
                out.malformed.push(Malformed { span, message });
                continue;
            }
        };
        let span_of = |r: std::ops::Range<usize>| Span {
            start: at(directive_at + r.start),
            end: at(directive_at + r.end),
        };
        let target = if !parsed.file {
            let mut line = c.line;
            if c.own_line {
                line += 1;
                while lexed.comment_only(line) {
                    line += 1;
                }
            }
            Target::Line(line)
        } else if c.in_header {
            Target::File
        } else {
            Target::Misplaced
        };
        let removal = if c.own_line {
            whole_line(&lexed, c.line, span.end)
        } else {
            Span {
                start: Pos {
                    line: c.line,
                    col: c.code_end,
                },
                end: span.end,
            }
        };
        out.items.push(Suppression {
            target,
            rules: parsed
                .ids
                .into_iter()
                .map(|(id, r)| RuleRef {
                    id: id.to_string(),
                    span: span_of(r),
                })
                .collect(),
            reason: parsed.reason.map(str::to_string),
            stray: parsed.stray,
            span,
            removal,
            list: span_of(parsed.list),
        });
    }
    out
}

/// The span deleting a line that holds only a comment ending at `end`.
fn whole_line(lexed: &Lexed, line: u32, end: Pos) -> Span {
    let start = Pos { line, col: 0 };
    if line < lexed.lines {
        return Span {
            start,
            end: Pos {
                line: line + 1,
                col: 0,
            },
        };
    }
    // The last line, without a newline after it: take the one before it.
    match (line as usize)
        .checked_sub(2)
        .and_then(|i| lexed.line_chars.get(i))
    {
        Some(&prev) => Span {
            start: Pos {
                line: line - 1,
                col: prev,
            },
            end,
        },
        None => Span { start, end },
    }
}

/// A directive's parts; ranges are byte offsets into the directive text.
struct Directive<'a> {
    file: bool,
    ids: Vec<(&'a str, std::ops::Range<usize>)>,
    list: std::ops::Range<usize>,
    reason: Option<&'a str>,
    stray: bool,
}

/// Reads the text after `redis-lint:`.
fn read_directive(text: &str) -> Result<Directive<'_>, String> {
    let expected = "expected `allow(rule-id, ...) -- reason` or `allow-file(rule-id, ...) -- reason` after `redis-lint:`";
    let rest = text.trim_start();
    let (file, after_kw) = if let Some(r) = rest.strip_prefix("allow-file") {
        (true, r)
    } else if let Some(r) = rest.strip_prefix("allow") {
        (false, r)
    } else {
        return Err(expected.to_string());
    };
    let Some(after_paren) = after_kw.trim_start().strip_prefix('(') else {
        return Err(expected.to_string());
    };
    let Some(close) = after_paren.find(')') else {
        return Err("the rule list is not closed with `)`".to_string());
    };
    let list_start = text.len() - after_paren.len();
    let list = list_start..list_start + close;
    let mut ids = Vec::new();
    let mut at = list.start;
    for part in after_paren[..close].split(',') {
        let lead = part.len() - part.trim_start().len();
        let id = part.trim();
        if !id.is_empty() {
            ids.push((id, at + lead..at + lead + id.len()));
        }
        at += part.len() + 1;
    }
    if ids.is_empty() {
        return Err("the suppression names no rule: list rule ids, or `all`".to_string());
    }
    let tail = after_paren[close + 1..].trim();
    let (reason, stray) = match tail.strip_prefix("--") {
        Some(r) => (Some(r.trim()).filter(|r| !r.is_empty()), false),
        None => (None, !tail.is_empty()),
    };
    Ok(Directive {
        file,
        ids,
        list,
        reason,
        stray,
    })
}

/// A `//` (or `#`) comment (not a doc comment's: those are filtered by
/// their body).
struct Comment<'a> {
    line: u32,
    /// Column of the `//` (`#`).
    col: u32,
    /// Chars of the comment marker: 2 for `//`, 1 for `#`.
    marker_len: u32,
    /// After the marker, up to the end of the line (without a `\r`).
    body: &'a str,
    /// Only blanks before it on its line.
    own_line: bool,
    /// Column just after the last non-blank char before it on its line.
    code_end: u32,
    /// Before the first item: among the leading comments and attributes.
    in_header: bool,
}

struct Lexed<'a> {
    comments: Vec<Comment<'a>>,
    /// Per line (index = line - 1): holds something that is not a comment.
    code: Vec<bool>,
    /// Per line: holds (part of) a comment.
    commented: Vec<bool>,
    /// Per line: its length in chars (without the `\r\n`).
    line_chars: Vec<u32>,
    lines: u32,
}

impl Lexed<'_> {
    fn comment_only(&self, line: u32) -> bool {
        let i = line as usize - 1;
        i < self.code.len() && self.commented[i] && !self.code[i]
    }
}

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
fn lex(text: &str) -> Lexed<'_> {
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
            cur.bump();
            cur.bump();
            let mut depth = 1;
            while depth > 0 {
                lx.commented[cur.line as usize - 1] = true;
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

/// Finds the `#` comments of a configuration file: at the start of a line
/// (after blanks), and with `trailing` also after a blank outside quotes
/// (YAML). The header is the run of comment and blank lines before the
/// first line of content.
fn lex_hash(text: &str, trailing: bool) -> Lexed<'_> {
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

/// Whether an id can be named in a suppression.
fn is_known(id: &str) -> bool {
    id == "all" || rules::find(id).is_some()
}

/// The registered rule id closest to a misspelt one, if any is close.
fn closest(id: &str) -> Option<&'static str> {
    rules::REGISTRY
        .iter()
        .map(|r| (edit_distance(id, r.meta.id), r.meta.id))
        .filter(|&(d, known)| d <= 3.max(known.len() / 4) || known.ends_with(id))
        .min()
        .map(|(_, known)| known)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

fn meta(rule: &'static Rule, file: FileId, span: Span, message: String, help: String) -> Finding {
    Finding {
        rule: &rule.meta,
        file,
        span,
        message,
        help,
        fix: None,
        level: Level::Deny,
    }
}

/// Applies the inline suppressions of every file of a run: removes the
/// findings they silence, then adds the findings about the suppressions
/// themselves (`rules::META_RULES`), and re-sorts the findings as the engine
/// does. `ran` holds the ids of the rules that ran: a suppression naming a
/// rule that did not run is not reported as unused.
///
/// A file whose text the engine did not keep (no Redis code in it) is read
/// from disk when it may hold a suppression, so that its stale
/// suppressions are reported too; its text is then kept in the outcome.
pub fn apply(outcome: &mut Outcome, ran: &[&str]) {
    let mut per_file: HashMap<FileId, (Suppressions, Vec<Vec<bool>>)> = HashMap::new();
    for (id, file) in outcome.files.iter_mut().enumerate() {
        if file.source.is_empty() {
            if let Ok(text) = std::fs::read_to_string(&file.path) {
                if text.contains(MARKER) {
                    file.source = Arc::from(text);
                }
            }
        }
        let sups = parse_as(&file.source, Syntax::of(&file.path));
        if !sups.is_empty() {
            let used = sups
                .items
                .iter()
                .map(|s| vec![false; s.rules.len()])
                .collect();
            per_file.insert(id as FileId, (sups, used));
        }
    }
    if per_file.is_empty() {
        return;
    }

    outcome.findings.retain(|f| {
        let Some((sups, used)) = per_file.get_mut(&f.file) else {
            return true;
        };
        let mut silenced = false;
        for (s, used) in sups.items.iter().zip(used.iter_mut()) {
            if !s.applies_on(f.span.start.line) {
                continue;
            }
            for (r, used) in s.rules.iter().zip(used.iter_mut()) {
                if r.id == f.rule.id || r.id == "all" {
                    *used = true;
                    silenced = true;
                }
            }
        }
        !silenced
    });

    let mut files: Vec<_> = per_file.into_iter().collect();
    files.sort_by_key(|(id, _)| *id);
    for (file, (sups, used)) in files {
        for m in &sups.malformed {
            outcome.findings.push(meta(
                &UNKNOWN_RULE_IN_SUPPRESSION,
                file,
                m.span,
                format!("cannot read this suppression: {}", m.message),
                "write `// redis-lint: allow(rule-id) -- reason`, or `allow-file(...)` before the first item to cover the file".into(),
            ));
        }
        for (s, used) in sups.items.iter().zip(&used) {
            report_one(&mut outcome.findings, file, s, used, ran);
        }
    }

    outcome.sort_findings();
}

/// The findings about one suppression.
fn report_one(out: &mut Vec<Finding>, file: FileId, s: &Suppression, used: &[bool], ran: &[&str]) {
    if s.reason.is_none() {
        let message = if s.stray {
            "the reason of this suppression must follow `--`"
        } else {
            "this suppression does not say why the finding is acceptable here"
        };
        out.push(meta(
            &SUPPRESSION_WITHOUT_REASON,
            file,
            s.span,
            message.into(),
            "add the reason after the list: `// redis-lint: allow(rule-id) -- why this is safe here`".into(),
        ));
    }
    for r in s.rules.iter().filter(|r| !is_known(&r.id)) {
        let message = if META_RULES.iter().any(|m| m.meta.id == r.id) {
            format!(
                "`{}` reports on suppressions themselves and cannot be suppressed with a comment",
                r.id
            )
        } else {
            match closest(&r.id) {
                Some(near) => format!(
                    "`{}` is not a redis-lint rule (did you mean `{near}`?)",
                    r.id
                ),
                None => format!("`{}` is not a redis-lint rule", r.id),
            }
        };
        out.push(meta(
            &UNKNOWN_RULE_IN_SUPPRESSION,
            file,
            r.span,
            message,
            "name rules by their exact id (`redis-lint rules` lists them), or write `all`".into(),
        ));
    }

    if s.target == Target::Misplaced {
        out.push(meta(
            &UNUSED_SUPPRESSION,
            file,
            s.span,
            "`allow-file` after the first item of the file silences nothing".into(),
            "move it to the top of the file, before the first item (among the leading comments and attributes)".into(),
        ));
        return;
    }
    let ran_rule = |id: &str| {
        if id == "all" {
            !ran.is_empty()
        } else {
            ran.contains(&id)
        }
    };
    let unused: Vec<&RuleRef> = s
        .rules
        .iter()
        .zip(used)
        .filter(|(r, &used)| !used && is_known(&r.id) && ran_rule(&r.id))
        .map(|(r, _)| r)
        .collect();
    let Some(first) = unused.first() else {
        return;
    };
    let names = unused
        .iter()
        .map(|r| format!("`{}`", r.id))
        .collect::<Vec<_>>()
        .join(", ");
    let place = match s.target {
        Target::Line(line) => format!("on line {line}"),
        _ => "in this file".to_string(),
    };
    // Keep the ids that silenced something, did not run, or are unknown
    // (those are reported on their own).
    let kept: Vec<&str> = s
        .rules
        .iter()
        .filter(|r| !unused.iter().any(|u| std::ptr::eq(*u, *r)))
        .map(|r| r.id.as_str())
        .collect();
    let (span, message, fix) = if kept.iter().all(|id| !is_known(id)) {
        (
            s.span,
            format!("this suppression silenced nothing: no {names} finding {place}"),
            Fix {
                description: "delete the unused suppression".into(),
                edits: vec![Edit::replace(s.removal, "")],
            },
        )
    } else {
        (
            first.span,
            format!("{names} in this suppression silenced nothing {place}"),
            Fix {
                description: format!("remove {names} from the suppression"),
                edits: vec![Edit::replace(s.list, kept.join(", "))],
            },
        )
    };
    let mut finding = meta(
        &UNUSED_SUPPRESSION,
        file,
        span,
        message,
        "delete it: a stale suppression would hide the next real finding here".into(),
    );
    finding.fix = Some(fix);
    out.push(finding);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_reason_and_target() {
        let src = "use redis::Commands;\n\nfn f() {\n    // redis-lint: allow(key-keys-command, all) -- admin\n    x(); // redis-lint: allow(a) --\n}\n";
        let s = parse(src);
        assert_eq!(s.items.len(), 2);
        assert_eq!(s.items[0].target, Target::Line(5));
        assert_eq!(s.items[0].reason.as_deref(), Some("admin"));
        let ids: Vec<&str> = s.items[0].rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["key-keys-command", "all"]);
        assert_eq!(s.items[0].rules[1].span.start, Pos { line: 4, col: 43 });
        assert_eq!(s.items[1].target, Target::Line(5));
        assert_eq!(s.items[1].reason, None);
        assert_eq!(
            s.items[1].removal,
            Span {
                start: Pos { line: 5, col: 8 },
                end: Pos { line: 5, col: 35 }
            }
        );
    }

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

    #[test]
    fn file_level_only_in_the_header() {
        let src = "//! Docs.\n// redis-lint: allow-file(all) -- generated\n#![doc = \"] fn\"]\n#[cfg(x)] // redis-lint: allow-file(all) -- still header\nuse a::b;\n// redis-lint: allow-file(all) -- too late\n";
        let s = parse(src);
        let targets: Vec<Target> = s.items.iter().map(|s| s.target).collect();
        assert_eq!(targets, [Target::File, Target::File, Target::Misplaced]);
    }

    #[test]
    fn malformed_is_kept() {
        let s = parse(
            "// redis-lint: alow(x)\n// redis-lint: allow() -- r\n// redis-lint: allow(x -- r\n",
        );
        assert_eq!(s.malformed.len(), 3);
        assert!(s.items.is_empty());
    }

    #[test]
    fn stacked_suppressions_reach_the_code_line() {
        let src = "// redis-lint: allow(a) -- x\n// plain\n// redis-lint: allow(b) -- y\ncode();\n\n// redis-lint: allow(c) -- z\n\ncode();";
        let s = parse(src);
        let targets: Vec<Target> = s.items.iter().map(|s| s.target).collect();
        assert_eq!(targets, [Target::Line(4), Target::Line(4), Target::Line(7)]);
    }

    #[test]
    fn never_panics_on_cut_or_odd_text() {
        let src = "//! d\n#![a(\"]\")]\r\nfn f<'a>(x: &'a str) { let c = ['\\'', '\\u{1F600}', b'\"', 'é']; \
                   let s = br##\"x\"# \"##; /* /* */ */ r#ident; c\"x\"; } // redis-lint: allow(all) -- é\r\n\
                   // redis-lint: allow-file(x, , y) -- z\n// redis-lint: allow(a)";
        let mut ends: Vec<usize> = src.char_indices().map(|(i, _)| i).collect();
        ends.push(src.len());
        for end in ends {
            let s = parse(&src[..end]);
            for item in &s.items {
                assert!(crate::source::LineIndex::new(&src[..end])
                    .range(item.removal)
                    .is_some());
            }
        }
        let full = parse(src);
        let targets: Vec<Target> = full.items.iter().map(|s| s.target).collect();
        assert_eq!(
            targets,
            [Target::Line(3), Target::Misplaced, Target::Line(6)],
            "{full:?}"
        );
        let s = parse("// redis-lint: allow(all) -- only line");
        assert_eq!(s.items[0].removal.start, Pos { line: 1, col: 0 });
    }

    #[test]
    fn suggests_close_ids() {
        assert_eq!(closest("key-keys-comand"), Some("key-keys-command"));
        assert_eq!(closest("keys-command"), Some("key-keys-command"));
        assert_eq!(closest("zzzzzzzzzzzzzzzzzz"), None);
    }
}
