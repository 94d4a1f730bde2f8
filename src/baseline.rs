//! Baselines: record today's findings so that only new ones are reported.
//!
//! `--write-baseline FILE` writes
//!
//! ```json
//! { "version": 1,
//!   "entries": [ { "rule": "key-keys-command", "file": "src/admin.rs",
//!                  "fingerprint": "5f0c6a1e9b3d2c47", "count": 1 } ] }
//! ```
//!
//! and `--baseline FILE` drops the findings it lists. A finding is matched
//! by rule, file (the path as displayed, i.e. relative to the working
//! directory: run from the same directory each time) and a fingerprint of
//! the flagged source text with all whitespace removed, not by line: code
//! moving up or down, or being reformatted, keeps its entry. Identical
//! findings in one file share an entry with a `count`, so a fourth copy of
//! a baselined call is reported, and fixing one of three leaves the entry
//! partly unmatched (stale).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::Outcome;
use crate::source::{escape_controls, LineBreaks, LineIndex};
use crate::source::{FileId, Span};

/// The baseline format version this build reads and writes.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub rule: String,
    pub file: String,
    pub fingerprint: String,
    /// How many identical findings (same rule, file and fingerprint).
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

/// A baseline entry (or part of its count) that no finding matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stale {
    pub rule: String,
    pub file: String,
    pub fingerprint: String,
    /// How many of the entry's findings are gone.
    pub missing: u32,
}

/// The warning about a stale entry, for standard error. The rule and file
/// come from the baseline file as written: their control characters are
/// escaped, so that the warning stays one line (a line break followed by
/// `::error::` would be a GitHub workflow command) and cannot drive the
/// terminal.
impl fmt::Display for Stale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "baseline entry no longer matches: {} in {} ({} gone)",
            escape_controls(&self.rule, LineBreaks::Escape),
            escape_controls(&self.file, LineBreaks::Escape),
            self.missing
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaselineReport {
    /// Findings dropped because the baseline lists them.
    pub suppressed: usize,
    /// Entries that matched fewer findings than they count, in entry order.
    /// Entries for rules that did not run this time, or files not linted
    /// this time, are here too: filter them if the run was partial.
    pub stale: Vec<Stale>,
}

/// The fingerprint of a finding: FNV-1a (64-bit, stable across builds and
/// platforms) over the rule id, the file and the flagged text with all
/// whitespace removed, as 16 hex digits. When the span is empty or does not
/// fit the text, the text of its first line is used instead.
pub fn fingerprint(rule: &str, file: &str, source: &str, span: Span) -> String {
    fingerprint_in(&LineIndex::new(source), rule, file, span)
}

fn fingerprint_in(index: &LineIndex, rule: &str, file: &str, span: Span) -> String {
    let flagged = index
        .text_of(span)
        .filter(|t| t.chars().any(|c| !c.is_whitespace()))
        .or_else(|| index.line(span.start.line))
        .unwrap_or("");
    let mut h = Fnv::new();
    h.write(rule.as_bytes());
    h.write(&[0]);
    h.write(file.as_bytes());
    h.write(&[0]);
    let mut buf = [0u8; 4];
    for c in flagged.chars().filter(|c| !c.is_whitespace()) {
        h.write(c.encode_utf8(&mut buf).as_bytes());
    }
    format!("{:016x}", h.0)
}

struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type Key = (String, String, String);

/// Makes baseline keys, with one line index per file.
struct Keyer<'a> {
    outcome: &'a Outcome,
    indexes: HashMap<FileId, LineIndex<'a>>,
}

impl Keyer<'_> {
    fn key(&mut self, rule: &str, file: FileId, span: Span) -> Key {
        let shown = self.outcome.file(file);
        let index = self
            .indexes
            .entry(file)
            .or_insert_with(|| LineIndex::new(&shown.source));
        (
            rule.to_string(),
            shown.display.clone(),
            fingerprint_in(index, rule, &shown.display, span),
        )
    }
}

/// The key of each finding, in order.
fn keys(outcome: &Outcome) -> Vec<Key> {
    let mut keyer = Keyer {
        outcome,
        indexes: HashMap::new(),
    };
    outcome
        .findings
        .iter()
        .map(|f| keyer.key(f.rule.id, f.file, f.span))
        .collect()
}

/// The baseline of a run's findings, entries sorted by file, rule and
/// fingerprint.
pub fn from_outcome(outcome: &Outcome) -> Baseline {
    let mut counts: BTreeMap<(String, String, String), u32> = BTreeMap::new();
    for (rule, file, fp) in keys(outcome) {
        *counts.entry((file, rule, fp)).or_default() += 1;
    }
    Baseline {
        version: VERSION,
        entries: counts
            .into_iter()
            .map(|((file, rule, fingerprint), count)| Entry {
                rule,
                file,
                fingerprint,
                count,
            })
            .collect(),
    }
}

/// Writes the baseline of a run's findings (pretty JSON, stable order);
/// returns how many findings it records.
pub fn write(path: &Path, outcome: &Outcome) -> io::Result<usize> {
    let baseline = from_outcome(outcome);
    let mut text = serde_json::to_string_pretty(&baseline).map_err(io::Error::other)?;
    text.push('\n');
    std::fs::write(path, text)?;
    Ok(outcome.findings.len())
}

/// A baseline larger than this is not one.
const MAX_BASELINE_BYTES: u64 = 256 << 20;

/// Why a baseline file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read the baseline {path}: {source}")]
    Read {
        path: String,
        source: crate::source::ReadError,
    },
    #[error("the baseline {path} is not valid UTF-8")]
    NotUtf8 { path: String },
    #[error("the baseline {path} is not valid JSON (line {line}, column {column}): {source}")]
    NotJson {
        path: String,
        line: usize,
        column: usize,
        source: serde_json::Error,
    },
    #[error("the baseline {path} has version {found}; this redis-lint reads version {VERSION} (write it again with --write-baseline)")]
    Version {
        path: String,
        found: serde_json::Value,
    },
    #[error("{path} is not a redis-lint baseline: it has no \"version\" field")]
    NoVersion { path: String },
    #[error("{path} is not a redis-lint baseline: {source}")]
    Shape {
        path: String,
        source: serde_json::Error,
    },
}

/// Reads a baseline file.
pub fn load(path: &Path) -> Result<Baseline, LoadError> {
    let shown = || path.display().to_string();
    let bytes =
        crate::source::read_capped(path, MAX_BASELINE_BYTES).map_err(|source| LoadError::Read {
            path: shown(),
            source,
        })?;
    let text = String::from_utf8(bytes).map_err(|_| LoadError::NotUtf8 { path: shown() })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|source| LoadError::NotJson {
            path: shown(),
            line: source.line(),
            column: source.column(),
            source,
        })?;
    match value.get("version") {
        Some(v) if v.as_u64() == Some(u64::from(VERSION)) => {}
        Some(v) => {
            return Err(LoadError::Version {
                path: shown(),
                found: v.clone(),
            })
        }
        None => return Err(LoadError::NoVersion { path: shown() }),
    }
    serde_json::from_value(value).map_err(|source| LoadError::Shape {
        path: shown(),
        source,
    })
}

/// Drops the findings the baseline lists (each entry matches at most
/// `count` findings) and reports the entries left unmatched.
pub fn apply(baseline: &Baseline, outcome: &mut Outcome) -> BaselineReport {
    let mut left: HashMap<Key, u32> = HashMap::new();
    for e in &baseline.entries {
        *left
            .entry((e.rule.clone(), e.file.clone(), e.fingerprint.clone()))
            .or_default() += e.count;
    }
    let mut take = |key: &Key| match left.get_mut(key) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    };
    let mut keyer = Keyer {
        outcome,
        indexes: HashMap::new(),
    };
    let mut keep = Vec::with_capacity(outcome.findings.len());
    for f in &outcome.findings {
        let listed = take(&keyer.key(f.rule.id, f.file, f.span));
        // A baseline written before findings were grouped lists every
        // site: the entries of a listed group's other sites are used too.
        if listed {
            for r in &f.related {
                take(&keyer.key(f.rule.id, r.file, r.span));
            }
        }
        keep.push(!listed);
    }
    let before = outcome.findings.len();
    let mut keep = keep.into_iter();
    outcome.findings.retain(|_| keep.next().unwrap_or(true));
    let mut stale = Vec::new();
    for e in &baseline.entries {
        let key = (e.rule.clone(), e.file.clone(), e.fingerprint.clone());
        // Duplicate entries share one count: report the key once.
        if let Some(n) = left.remove(&key).filter(|&n| n > 0) {
            stale.push(Stale {
                rule: e.rule.clone(),
                file: e.file.clone(),
                fingerprint: e.fingerprint.clone(),
                missing: n,
            });
        }
    }
    BaselineReport {
        suppressed: before - outcome.findings.len(),
        stale,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Pos;

    fn span(a: (u32, u32), b: (u32, u32)) -> Span {
        Span {
            start: Pos {
                line: a.0,
                col: a.1,
            },
            end: Pos {
                line: b.0,
                col: b.1,
            },
        }
    }

    #[test]
    fn fingerprint_ignores_whitespace_and_position() {
        let a = fingerprint("r", "f.rs", "x\n  con.keys(\"a\")\n", span((2, 2), (2, 15)));
        let b = fingerprint(
            "r",
            "f.rs",
            "\n\n\ncon\n    .keys( \"a\" )\n",
            span((4, 0), (5, 16)),
        );
        assert_eq!(a, b);
        assert_eq!(a.len(), 16);
        let c = fingerprint("r", "f.rs", "con.keys(\"b\")\n", span((1, 0), (1, 13)));
        assert_ne!(a, c);
        let d = fingerprint(
            "other",
            "f.rs",
            "x\n  con.keys(\"a\")\n",
            span((2, 2), (2, 15)),
        );
        assert_ne!(a, d);
    }
}
