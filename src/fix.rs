//! Applying the machine-applicable fixes that findings carry, and showing
//! them as unified diffs.
//!
//! Positions in edits are line (1-based) and column (0-based, in chars), as
//! proc-macro2 reports them; they are turned into byte offsets here. Edits
//! are applied all at once on the original text, so no edit shifts another.
//! An edit (or a whole fix) that overlaps one taken before it is skipped,
//! never half-applied: the text stays what one consistent set of fixes
//! makes it. The caller must still check [`still_parses`] before writing.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Outcome;
use crate::diagnostic::{Edit, Finding};
use crate::source::LineIndex;
use crate::source::{FileId, Pos};

/// An edit resolved to byte offsets.
#[derive(Debug, Clone, Copy)]
struct Resolved<'e> {
    start: usize,
    end: usize,
    content: &'e str,
}

impl Resolved<'_> {
    /// Whether applying both would be ambiguous: their ranges overlap, or
    /// both insert at the same point (which goes first is unknown).
    fn conflicts(&self, other: &Resolved) -> bool {
        let inserts_at_same_point =
            self.start == self.end && other.start == other.end && self.start == other.start;
        inserts_at_same_point || (self.start < other.end && other.start < self.end)
    }
}

fn resolve<'e>(index: &LineIndex, edit: &'e Edit) -> Result<Resolved<'e>, String> {
    let at = |pos: Pos| {
        index.offset(pos).ok_or_else(|| {
            format!(
                "edit position {}:{} lies outside the file",
                pos.line,
                pos.col + 1
            )
        })
    };
    let (start, end) = (at(edit.span.start)?, at(edit.span.end)?);
    if start > end {
        return Err(format!(
            "edit ends ({}:{}) before it starts ({}:{})",
            edit.span.end.line,
            edit.span.end.col + 1,
            edit.span.start.line,
            edit.span.start.col + 1
        ));
    }
    Ok(Resolved {
        start,
        end,
        content: &edit.content,
    })
}

/// Applies non-conflicting edits to `source`, returning the new text and
/// how many edits were applied. Edits are taken in position order; one that
/// overlaps an edit taken before it (or inserts at the same point as one) is
/// skipped. An edit whose position is not in the text is an error (the
/// text changed since the lint, or a rule reported a bad span).
pub fn apply(source: &str, edits: &[&Edit]) -> Result<(String, usize), String> {
    let index = LineIndex::new(source);
    let mut resolved = edits
        .iter()
        .map(|e| resolve(&index, e))
        .collect::<Result<Vec<_>, _>>()?;
    resolved.sort_by_key(|r| (r.start, r.end));
    let mut taken: Vec<Resolved> = Vec::with_capacity(resolved.len());
    for r in resolved {
        // Taken edits are sorted and disjoint: only the last can conflict.
        if taken.last().is_some_and(|last| last.conflicts(&r)) {
            continue;
        }
        taken.push(r);
    }
    Ok((splice(source, &taken), taken.len()))
}

/// Writes the text with disjoint, sorted edits applied.
fn splice(source: &str, edits: &[Resolved]) -> String {
    let added: usize = edits.iter().map(|e| e.content.len()).sum();
    let mut out = String::with_capacity(source.len() + added);
    let mut at = 0;
    for e in edits {
        out.push_str(&source[at..e.start]);
        out.push_str(e.content);
        at = e.end;
    }
    out.push_str(&source[at..]);
    out
}

/// One file after fixing.
#[derive(Debug, Clone, PartialEq)]
pub struct FileFix {
    pub text: String,
    /// Fixes applied (a fix is all its edits or none).
    pub applied: usize,
    /// Fixes left out because they overlap a fix applied before them.
    pub skipped: usize,
}

/// Applies the fixes of the given findings (all of one file) to its text.
/// Fixes are taken in the order given; a fix is applied whole or not at
/// all: if any of its edits conflicts with an edit already taken (or with
/// another edit of the same fix), the whole fix is skipped. Findings
/// without a fix are ignored.
pub fn fix_file(source: &str, findings: &[&Finding]) -> Result<FileFix, String> {
    let index = LineIndex::new(source);
    let mut taken: Vec<Resolved> = Vec::new();
    let (mut applied, mut skipped) = (0, 0);
    for fix in findings
        .iter()
        .filter_map(|f| f.fix.as_ref().filter(|x| x.is_safe()))
    {
        let edits = fix
            .edits
            .iter()
            .map(|e| resolve(&index, e))
            .collect::<Result<Vec<_>, _>>()?;
        let clash = edits.iter().enumerate().any(|(i, e)| {
            taken.iter().any(|t| t.conflicts(e)) || edits[..i].iter().any(|o| o.conflicts(e))
        });
        if clash {
            skipped += 1;
        } else {
            taken.extend(edits);
            applied += 1;
        }
    }
    taken.sort_by_key(|r| (r.start, r.end));
    Ok(FileFix {
        text: splice(source, &taken),
        applied,
        skipped,
    })
}

/// A file that fixing changes.
#[derive(Debug, Clone)]
pub struct FileChange {
    pub file: FileId,
    /// The text the findings were computed on.
    pub old: Arc<str>,
    pub new: String,
    pub applied: usize,
    pub skipped: usize,
    /// Whether `new` still parses; never write it when it does not.
    pub parses: bool,
}

/// Fixes every file of a run that has findings with fixes, in finding
/// order. Only files that change are returned, in file order. Nothing is
/// written: the caller writes `new` (when `parses`) or prints
/// [`unified_diff`]. Errors name the file whose edits do not fit its text.
pub fn fix_outcome(outcome: &Outcome) -> Result<Vec<FileChange>, String> {
    let mut by_file: BTreeMap<FileId, Vec<&Finding>> = BTreeMap::new();
    for f in outcome
        .findings
        .iter()
        .filter(|f| f.fix.as_ref().is_some_and(|x| x.is_safe()))
    {
        by_file.entry(f.file).or_default().push(f);
    }
    let mut out = Vec::new();
    for (file, findings) in by_file {
        let sf = outcome.file(file);
        let fixed = fix_file(&sf.source, &findings).map_err(|e| format!("{}: {e}", sf.display))?;
        if fixed.applied == 0 || *fixed.text == *sf.source {
            continue;
        }
        out.push(FileChange {
            file,
            old: sf.source.clone(),
            parses: still_parses(&fixed.text),
            new: fixed.text,
            applied: fixed.applied,
            skipped: fixed.skipped,
        });
    }
    Ok(out)
}

/// Whether the text is still a Rust file syn can parse; parsed like a
/// linted file (on a large stack, deep nesting refused), since the fixed
/// text of a file that lints fine can nest deeper than this thread's stack.
pub fn still_parses(text: &str) -> bool {
    crate::parse::parses(text)
}

/// Replaces the file at `path` with `text` at once: the text goes to a
/// temporary file in the same folder (so the rename stays on one file
/// system), gets the file's permissions, and is renamed over it. A failure
/// leaves the file as it was, and no temporary file behind. A symbolic link
/// is followed (its target is replaced); a read-only file is not replaced.
pub fn write_atomically(path: &Path, text: &str) -> io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let permissions = std::fs::metadata(&target)?.permissions();
    if permissions.readonly() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the file is read-only",
        ));
    }
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a file"));
    };
    let temp = dir.join(format!(
        ".{}.redis-lint-{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(text.as_bytes())?;
        file.set_permissions(permissions)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temp, &target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// A unified diff (`--- a/path`, `+++ b/path`, `@@` hunks with 3 lines of
/// context), or the empty string when nothing changed. A last line without
/// a newline is marked `\ No newline at end of file`, as `diff -u` does.
pub fn unified_diff(display_path: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{display_path}"), &format!("b/{display_path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Span;

    fn pos(line: u32, col: u32) -> Pos {
        Pos { line, col }
    }

    fn edit(a: (u32, u32), b: (u32, u32), content: &str) -> Edit {
        Edit {
            span: Span {
                start: pos(a.0, a.1),
                end: pos(b.0, b.1),
            },
            content: content.into(),
        }
    }

    #[test]
    fn applies_from_any_order_and_skips_overlaps() {
        let src = "abcdef\nghij\n";
        let e1 = edit((1, 1), (1, 3), "X");
        let e2 = edit((2, 0), (2, 0), ">");
        let e3 = edit((1, 2), (1, 4), "Y"); // overlaps e1
        let e4 = edit((2, 0), (2, 0), "<"); // same insertion point as e2
        let (text, n) = apply(src, &[&e2, &e3, &e1, &e4]).unwrap();
        assert_eq!(n, 2);
        assert_eq!(text, "aXdef\n>ghij\n");
    }

    #[test]
    fn out_of_range_is_an_error() {
        let e = edit((1, 9), (1, 9), "x");
        assert!(apply("abc", &[&e]).is_err());
        let back = edit((1, 2), (1, 1), "x");
        assert!(apply("abc", &[&back]).is_err());
    }

    #[test]
    fn diff_of_equal_texts_is_empty() {
        assert_eq!(unified_diff("a.rs", "x\n", "x\n"), "");
        let d = unified_diff("a.rs", "x\ny\n", "x\nz\n");
        assert!(d.starts_with("--- a/a.rs\n+++ b/a.rs\n@@ -1,2 +1,2 @@\n"));
    }
}
