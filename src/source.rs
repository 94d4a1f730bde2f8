//! Where things are in the user's files: file ids, positions, spans and the
//! line index that turns positions into byte offsets. The bottom layer:
//! it imports nothing from the crate.

use std::borrow::Cow;
use std::io::Read as _;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub type FileId = u32;

/// A position in a source file: 1-based line, 0-based column in chars (as
/// proc-macro2 reports them).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn of(span: proc_macro2::Span) -> Span {
        let (s, e) = (span.start(), span.end());
        Span {
            start: Pos {
                line: s.line as u32,
                col: s.column as u32,
            },
            end: Pos {
                line: e.line as u32,
                col: e.column as u32,
            },
        }
    }

    /// From the start of `a` to the end of `b`.
    pub fn join(a: proc_macro2::Span, b: proc_macro2::Span) -> Span {
        Span {
            start: Span::of(a).start,
            end: Span::of(b).end,
        }
    }
}

/// A linted file.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The path as shown in diagnostics (relative to the working directory).
    pub display: String,
    pub source: Arc<str>,
}

/// A UTF-8 byte order mark: syn skips it, so positions on line 1 count
/// their columns from after it.
const BOM: char = '\u{feff}';

/// Byte offsets where each line of `text` starts (line 1 at index 0). A
/// byte order mark is not part of line 1 (columns there count from after
/// it, as proc-macro2 reports them).
pub fn line_starts(text: &str) -> Vec<usize> {
    let first = if text.starts_with(BOM) {
        BOM.len_utf8()
    } else {
        0
    };
    let mut starts = vec![first];
    starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
    starts
}

/// Byte offsets of line starts, to turn line/column positions into offsets.
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts; line 1 is `starts[0]`.
    starts: Arc<Vec<usize>>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        LineIndex {
            text,
            starts: Arc::new(line_starts(text)),
        }
    }

    /// With line starts computed before (and cached) by the caller.
    pub fn with_starts(text: &'a str, starts: Arc<Vec<usize>>) -> LineIndex<'a> {
        LineIndex { text, starts }
    }

    /// Number of lines; a text ending in a newline has an empty last line.
    pub fn lines(&self) -> u32 {
        self.starts.len() as u32
    }

    /// The text of a line, without its `\n` (a `\r` before it is kept).
    pub fn line(&self, line: u32) -> Option<&'a str> {
        let i = (line as usize).checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self
            .starts
            .get(i + 1)
            .map(|next| next - 1)
            .unwrap_or(self.text.len());
        Some(&self.text[start..end])
    }

    /// The byte offset of a position; `None` when the line does not exist
    /// or the column lies past the end of the line.
    pub fn offset(&self, pos: Pos) -> Option<usize> {
        let line = self.line(pos.line)?;
        let start = self.starts[pos.line as usize - 1];
        let col = pos.col as usize;
        match line.char_indices().nth(col) {
            Some((i, _)) => Some(start + i),
            None if line.chars().count() == col => Some(start + line.len()),
            None => None,
        }
    }

    /// The byte offset of a position, clamped into the text: a missing line
    /// is the end of the text, a column past the line's end is the line's
    /// end (for output, which must point somewhere).
    pub fn offset_clamped(&self, pos: Pos) -> usize {
        let Some(line) = self.line(pos.line.max(1)) else {
            return self.text.len();
        };
        let start = self.starts[pos.line.max(1) as usize - 1];
        start
            + line
                .char_indices()
                .nth(pos.col as usize)
                .map_or(line.len(), |(i, _)| i)
    }

    /// The byte range of a span, when both ends exist and are in order.
    pub fn range(&self, span: Span) -> Option<std::ops::Range<usize>> {
        let (start, end) = (self.offset(span.start)?, self.offset(span.end)?);
        (start <= end).then_some(start..end)
    }

    /// The source text of a span.
    pub fn text_of(&self, span: Span) -> Option<&'a str> {
        self.range(span).map(|r| &self.text[r])
    }
}

/// Why [`read_capped`] read nothing.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// A folder, device, FIFO or socket (after following links): reading
    /// one could block forever or never end.
    #[error("not a regular file")]
    NotAFile,
    /// Larger than the cap, in bytes.
    #[error("larger than {} MiB", .0 >> 20)]
    TooLarge(u64),
    #[error(transparent)]
    Io(std::io::Error),
}

/// Reads a regular file of at most `cap` bytes. Every file the linter
/// opens on its own (manifests, lock files, included configurations, the
/// cache) goes through here, so that a link to `/dev/zero` or a FIFO
/// neither exhausts memory nor hangs.
pub fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    // Checked before opening: opening a FIFO blocks until a writer comes.
    if !std::fs::metadata(path).map_err(ReadError::Io)?.is_file() {
        return Err(ReadError::NotAFile);
    }
    let file = std::fs::File::open(path).map_err(ReadError::Io)?;
    // Checked again on the handle, in case the path changed in between.
    if !file.metadata().map_err(ReadError::Io)?.is_file() {
        return Err(ReadError::NotAFile);
    }
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > cap {
        return Err(ReadError::TooLarge(cap));
    }
    Ok(bytes)
}

/// What [`escape_controls`] does with line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineBreaks {
    /// `\n` (and `\r\n`) stay: text laid out on several lines.
    Keep,
    /// Escaped like any other control: text that must stay on one line.
    Escape,
}

/// Characters a terminal or a CI log would act on rather than show: C0
/// and C1 controls and DEL (cursor moves, colours, bells, backspaces) and
/// the Unicode bidirectional controls and line separators (text that reads
/// differently from what it is). Tabs are harmless and kept.
fn is_hostile(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// The characters [`escape_controls`] escapes, with their byte offsets.
pub fn hostile_chars(text: &str, breaks: LineBreaks) -> impl Iterator<Item = (usize, char)> + '_ {
    let kept = move |i: usize, c: char| {
        breaks == LineBreaks::Keep && (c == '\n' || (c == '\r' && text[i + 1..].starts_with('\n')))
    };
    text.char_indices()
        .filter(move |&(i, c)| is_hostile(c) && !kept(i, c))
}

/// How [`escape_controls`] writes a hostile character: `\u{1b}`.
pub fn escaped(c: char) -> String {
    format!("\\u{{{:x}}}", c as u32)
}

/// Text from users' files made safe to print for people: every hostile
/// character (see above) is written as a Rust escape (`\u{1b}`), so that
/// a string literal or a file name can neither drive the terminal nor
/// forge lines of output. Borrowed when there is nothing to escape.
pub fn escape_controls(text: &str, breaks: LineBreaks) -> Cow<'_, str> {
    let mut hostile = hostile_chars(text, breaks).peekable();
    if hostile.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut from = 0;
    for (i, c) in hostile {
        out.push_str(&text[from..i]);
        out.push_str(&escaped(c));
        from = i + c.len_utf8();
    }
    out.push_str(&text[from..]);
    Cow::Owned(out)
}

/// `%XX` escapes decoded, as URLs write reserved characters of a
/// password (`p%40ss` is `p@ss`). `None` when a `%` starts no valid escape
/// or the bytes are not UTF-8: then the `%` is a format placeholder
/// (`%s`), not an encoding.
pub fn percent_decode(text: &str) -> Option<Cow<'_, str>> {
    if !text.contains('%') {
        return Some(Cow::Borrowed(text));
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

/// A password written in a Redis URL.
#[derive(Debug, Clone, PartialEq)]
pub struct UrlPassword<'a> {
    /// Where it is in the URL, as written (percent-encoded).
    pub range: Range<usize>,
    /// What it decodes to: the secret itself.
    pub decoded: Cow<'a, str>,
}

/// The password of a `redis://` / `rediss://` URL when it is a secret:
/// not empty and not a placeholder filled in at run time (`${VAR}`, `{}`,
/// `$VAR`, `%s`). Percent-encoded passwords are decoded.
pub fn url_password(url: &str) -> Option<UrlPassword<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "redis" && scheme != "rediss" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (user, password) = userinfo.split_once(':')?;
    if password.is_empty() || password.contains(['{', '$']) {
        return None;
    }
    let decoded = percent_decode(password)?;
    let start = scheme.len() + "://".len() + user.len() + 1;
    Some(UrlPassword {
        range: start..start + password.len(),
        decoded,
    })
}

/// Characters that end a URL written in code or configuration: the
/// literal's quotes, white space, an escape.
fn ends_url(c: char) -> bool {
    c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '\\' | '<' | '>')
}

/// Every password of a Redis URL anywhere in `text` (literals, comments,
/// configuration values): their byte ranges, as written.
pub fn url_secrets(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("redis") {
        let rest = &text[at..];
        if !(rest.starts_with("redis://") || rest.starts_with("rediss://")) {
            continue;
        }
        let url = &rest[..rest.find(ends_url).unwrap_or(rest.len())];
        if let Some(p) = url_password(url) {
            found.push(at + p.range.start..at + p.range.end);
        }
    }
    found
}

/// `text` with every character in `ranges` (sorted, disjoint byte ranges
/// on char boundaries) replaced by `*`: the same number of characters, so
/// line/column positions still point where they did.
pub fn mask(text: &str, ranges: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for r in ranges {
        out.push_str(&text[from..r.start]);
        out.extend(text[r.clone()].chars().map(|_| '*'));
        from = r.end;
    }
    out.push_str(&text[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }

    #[test]
    fn offsets_count_chars_not_bytes() {
        let index = LineIndex::new("é = 1;\nab\n");
        assert_eq!(index.offset(pos(1, 1)), Some(2));
        assert_eq!(index.offset(pos(1, 6)), Some(7));
        assert_eq!(index.offset(pos(1, 7)), None);
        assert_eq!(index.offset(pos(2, 2)), Some(10));
        assert_eq!(index.offset(pos(3, 0)), Some(11));
        assert_eq!(index.offset(pos(4, 0)), None);
        assert_eq!(index.offset(pos(0, 0)), None);
    }

    #[test]
    fn a_byte_order_mark_is_not_a_column_of_line_1() {
        let index = LineIndex::new("\u{feff}c.del(k);\nx");
        assert_eq!(index.offset(pos(1, 0)), Some(3));
        assert_eq!(index.offset(pos(1, 2)), Some(5));
        assert_eq!(index.line(1), Some("c.del(k);"));
        assert_eq!(index.offset(pos(2, 1)), Some(14));
    }

    #[test]
    fn clamped_offsets_always_point_into_the_text() {
        let index = LineIndex::new("é = 1;\nab\n");
        assert_eq!(index.offset_clamped(pos(1, 1)), 2);
        assert_eq!(index.offset_clamped(pos(1, 99)), 7);
        assert_eq!(index.offset_clamped(pos(0, 0)), 0);
        assert_eq!(index.offset_clamped(pos(9, 0)), 11);
    }

    #[test]
    fn url_passwords_are_decoded_and_placeholders_skipped() {
        let p = url_password("redis://user:p%40ss@host:6379/0").unwrap();
        assert_eq!((p.range, p.decoded.as_ref()), (13..19, "p@ss"));
        assert_eq!(
            url_password("rediss://:s3cret@h").unwrap().decoded,
            "s3cret"
        );
        for none in [
            "redis://user:%s@host",
            "redis://user:${PW}@host",
            "redis://user:{}@host",
            "redis://user:@host",
            "redis://host:6379",
            "http://u:p@host",
        ] {
            assert_eq!(url_password(none), None, "{none}");
        }
    }

    #[test]
    fn secrets_are_found_anywhere_and_masked_char_for_char() {
        let text = "let a = \"redis://u:pé@h\"; // rediss://:x%41y@h/0\n";
        let found = url_secrets(text);
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[0].clone()], "pé");
        assert_eq!(&text[found[1].clone()], "x%41y");
        let masked = mask(text, &found);
        assert_eq!(
            masked,
            "let a = \"redis://u:**@h\"; // rediss://:*****@h/0\n"
        );
    }

    #[test]
    fn controls_are_escaped_and_plain_text_borrowed() {
        let plain = "key:{user}\tü\n";
        assert!(matches!(
            escape_controls(plain, LineBreaks::Keep),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            escape_controls("a\u{1b}[2Jb\u{202e}c\u{7}\n", LineBreaks::Escape),
            "a\\u{1b}[2Jb\\u{202e}c\\u{7}\\u{a}"
        );
        assert_eq!(
            escape_controls("a\r\nb\rc", LineBreaks::Keep),
            "a\r\nb\\u{d}c"
        );
    }
}
