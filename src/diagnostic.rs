//! What a lint run produces: findings with their rule's metadata, impact and
//! fixes, problems that kept a file from being linted, and the outcome that
//! holds them. Reports, fixes, baselines and suppressions read these types;
//! they import nothing above `source`.

use std::fmt;
use std::sync::Arc;

use crate::source::{FileId, SourceFile, Span};

/// How much a violation costs in production, as the guide grades it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Impact {
    LowMedium,
    Medium,
    MediumHigh,
    High,
    Critical,
}

impl Impact {
    pub const ALL: [Impact; 5] = [
        Impact::Critical,
        Impact::High,
        Impact::MediumHigh,
        Impact::Medium,
        Impact::LowMedium,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Critical => "CRITICAL",
            Impact::High => "HIGH",
            Impact::MediumHigh => "MEDIUM-HIGH",
            Impact::Medium => "MEDIUM",
            Impact::LowMedium => "LOW-MEDIUM",
        }
    }

    /// The diagnostic severity shown to editors and CI.
    pub fn severity(self) -> Severity {
        match self {
            Impact::Critical | Impact::High => Severity::Error,
            Impact::MediumHigh | Impact::Medium => Severity::Warning,
            Impact::LowMedium => Severity::Info,
        }
    }
}

impl fmt::Display for Impact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Whether a rule runs without being selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    On,
    /// Heuristic rules that run only when selected.
    OptIn,
}

/// The guide the rules' sections refer to: its title and version, as its
/// header gives them.
pub const GUIDE: &str = "Redis Best Practices, version 1.1.0 (Redis, January 2026)";

/// What a rule is, apart from its check: written once, beside the check, and
/// carried by every finding.
#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    /// The guide section(s) it comes from, e.g. "2.6".
    pub section: &'static str,
    pub impact: Impact,
    pub default: Activation,
    pub summary: &'static str,
    /// The rule's doc page (`rules/<id>.md`), embedded for `explain`.
    pub doc: &'static str,
    /// Its findings point at text that may hold a secret (a Redis URL with a
    /// password), so reports must not quote it.
    pub hides_source: bool,
    /// Whether it reports in example and benchmark code.
    pub examples: InExamples,
    /// Whether `--fix` can fix some of its findings (the `[*]` of
    /// `redis-lint rules`).
    pub fixable: Fixable,
}

/// Whether some of a rule's findings carry a safe fix. tests/conventions.rs
/// checks it against the fixes the rules' findings really carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fixable {
    Yes,
    No,
}

/// Whether a rule reports in example and benchmark code (`examples/`,
/// `benches/`, Cargo's `[[example]]` / `[[bench]]` targets): code that does
/// not run in production, but that readers copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InExamples {
    /// A defect a reader would copy into real code (a dangerous command, a
    /// lock without expiry, a blocking call that waits forever, a secret,
    /// a cluster error): reported there too.
    Reported,
    /// Production hygiene (key naming, timeouts, reconnect policy,
    /// batching, memory tuning): silent there unless the configuration
    /// says `lint-examples = "all"`.
    Quiet,
}

impl std::str::FromStr for Impact {
    type Err = String;

    fn from_str(s: &str) -> Result<Impact, String> {
        let up = s.trim().to_ascii_uppercase().replace('_', "-");
        Impact::ALL
            .into_iter()
            .find(|i| i.as_str() == up)
            .ok_or_else(|| format!("`{s}` is not an impact level (CRITICAL, HIGH, MEDIUM-HIGH, MEDIUM, LOW-MEDIUM)"))
    }
}

/// How a rule's findings count (set per file by the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported; does not fail the run.
    Warn,
    /// Reported; fails the run (the default).
    Deny,
}

impl Level {
    pub fn from_name(s: &str) -> Option<Level> {
        match s {
            "allow" => Some(Level::Allow),
            "warn" => Some(Level::Warn),
            "deny" => Some(Level::Deny),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }
}

/// A rule finding.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub file: FileId,
    pub span: Span,
    pub message: String,
    pub help: String,
    /// A machine-applicable fix, when one is safe.
    pub fix: Option<Fix>,
    pub level: Level,
    /// Other sites of the same problem (the same key template, connection
    /// origin or check), reported with this one instead of on their own.
    pub related: Vec<Related>,
}

/// Another site of a finding's problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    pub file: FileId,
    pub span: Span,
    /// What this site is, e.g. "the same key template, used here".
    pub message: String,
}

impl Finding {
    /// Whether the flagged source text may hold a secret (a Redis URL with
    /// a password), so reports must not quote it.
    pub fn hides_source(&self) -> bool {
        self.rule.hides_source
    }

    /// Whether `--fix` applies this finding's fix (an unsafe fix is only
    /// shown).
    pub fn has_safe_fix(&self) -> bool {
        self.fix.as_ref().is_some_and(Fix::is_safe)
    }

    /// `warning` for findings the configuration set to `warn`, else the
    /// impact's severity.
    pub fn severity(&self) -> Severity {
        match self.level {
            Level::Warn => Severity::Warning,
            _ => self.rule.impact.severity(),
        }
    }
}

/// Text edits that fix a finding without changing anything else.
#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub description: String,
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

impl Fix {
    /// A fix proven to keep the code compiling and meaning the same.
    pub fn safe(description: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            description: description.into(),
            edits,
            applicability: Applicability::Safe,
        }
    }

    /// A fix the linter cannot prove right in every context: shown,
    /// never applied by `--fix`.
    pub fn unproven(description: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            applicability: Applicability::Unsafe,
            ..Fix::safe(description, edits)
        }
    }

    pub fn is_safe(&self) -> bool {
        self.applicability == Applicability::Safe
    }
}

/// Whether `--fix` may apply a fix on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applicability {
    /// Proven to keep the code compiling and meaning the same: applied.
    Safe,
    /// Right in the usual case, but what decides it (a client version, how
    /// the value is used) is unknown or against it: shown, not applied.
    Unsafe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace the text in `span` (possibly empty: an insertion) by `content`.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub span: Span,
    pub content: String,
}

impl Edit {
    pub fn insert_after(span: Span, content: impl Into<String>) -> Edit {
        Edit {
            span: Span {
                start: span.end,
                end: span.end,
            },
            content: content.into(),
        }
    }

    pub fn replace(span: Span, content: impl Into<String>) -> Edit {
        Edit {
            span,
            content: content.into(),
        }
    }
}

/// Something that kept a file (or a crate manifest) from being linted.
#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: ProblemKind,
    /// The path as shown (relative to the working directory).
    pub display: String,
    pub message: String,
    /// Where in the file, for parse errors.
    pub span: Option<Span>,
    /// The file's text when known, for a snippet.
    pub source: Option<Arc<str>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProblemKind {
    Read,
    Parse,
    Manifest,
    /// A panic inside the linter while processing this file.
    Internal,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 4] = [
        ProblemKind::Parse,
        ProblemKind::Read,
        ProblemKind::Manifest,
        ProblemKind::Internal,
    ];

    /// Its doc page (`rules/<id>.md`), for `explain` and SARIF.
    pub fn doc(self) -> &'static str {
        match self {
            ProblemKind::Read => include_str!("../rules/read-error.md"),
            ProblemKind::Parse => include_str!("../rules/parse-error.md"),
            ProblemKind::Manifest => include_str!("../rules/manifest-error.md"),
            ProblemKind::Internal => include_str!("../rules/internal-error.md"),
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            ProblemKind::Read => "read-error",
            ProblemKind::Parse => "parse-error",
            ProblemKind::Manifest => "manifest-error",
            ProblemKind::Internal => "internal-error",
        }
    }
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<SourceFile>,
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    pub files_scanned: usize,
    pub files_with_redis: usize,
}

impl Outcome {
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id as usize]
    }

    /// Puts findings in report order: by file, position, rule, message.
    pub fn sort_findings(&mut self) {
        let files = &self.files;
        self.findings.sort_by(|a, b| {
            (
                &files[a.file as usize].display,
                a.span.start,
                a.rule.id,
                &a.message,
            )
                .cmp(&(
                    &files[b.file as usize].display,
                    b.span.start,
                    b.rule.id,
                    &b.message,
                ))
        });
    }

    pub fn has_internal_error(&self) -> bool {
        self.problems
            .iter()
            .any(|p| p.kind == ProblemKind::Internal)
    }
}
