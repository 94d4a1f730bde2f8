//! The rule engine: one module per section of the guide, each declaring
//! its rules (metadata next to the check) and one registry listing them all.
//!
//! A rule is a plain fn over the crate model; it reports through a `Sink`
//! that builds a finding only on a hit.

mod ai;
mod cluster;
mod commands;
mod connections;
mod data_structures;
mod key_design;
mod memory;
mod modules;
mod monitoring;
mod persistence;
mod security;

use std::fmt;
use std::sync::LazyLock;

use crate::model::{CrateModel, FileId, Span};

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
pub enum Default {
    On,
    /// Heuristic rules that run only when selected.
    OptIn,
}

/// A rule: its metadata and its check.
pub struct Rule {
    pub id: &'static str,
    /// The guide section(s) it comes from, e.g. "2.6".
    pub section: &'static str,
    pub impact: Impact,
    pub default: Default,
    pub summary: &'static str,
    /// The rule's doc page (`rules/<id>.md`), embedded for `explain`.
    pub doc: &'static str,
    pub check: Check,
}

/// What a rule looks at.
#[derive(Clone, Copy)]
pub enum Check {
    /// A crate's code model.
    Code(fn(&CrateModel, &mut Sink)),
    /// One Redis configuration file (redis.conf, sentinel.conf, compose).
    Conf(fn(&crate::conf::ConfFile, &mut Sink)),
    /// Nothing: the rule labels findings made elsewhere (suppressions).
    Label,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

/// Every rule, in guide order: each section module lists its own rules, so
/// adding a rule touches its module and its doc page only.
pub static REGISTRY: LazyLock<Vec<&'static Rule>> = LazyLock::new(|| {
    [
        data_structures::RULES,
        key_design::RULES,
        connections::RULES,
        commands::RULES,
        modules::RULES,
        ai::RULES,
        memory::RULES,
        persistence::RULES,
        cluster::RULES,
        monitoring::RULES,
        security::RULES,
    ]
    .concat()
});

pub fn find(id: &str) -> Option<&'static Rule> {
    REGISTRY.iter().copied().find(|r| r.id == id)
}

/// Which rules run: `--select` / `--ignore` take rule ids, prefixes (`key`,
/// `conn`), guide sections (`2`, `4.1`) or `all`; opt-in rules run only
/// when selected by id, prefix or section (not by the default set).
pub fn select(
    select: &[String],
    ignore: &[String],
    min_impact: Option<Impact>,
) -> Result<Vec<&'static Rule>, String> {
    let matching = |sel: &str| -> Result<Vec<&'static Rule>, String> {
        let hits: Vec<&'static Rule> = REGISTRY
            .iter()
            .copied()
            .filter(|r| selects(sel, r))
            .collect();
        if hits.is_empty() && sel != "all" {
            return Err(format!(
                "`{sel}` names no rule, prefix or guide section (see `redis-lint rules`)"
            ));
        }
        Ok(hits)
    };
    let mut chosen: Vec<&'static Rule> = if select.is_empty() {
        REGISTRY
            .iter()
            .copied()
            .filter(|r| r.default == Default::On)
            .collect()
    } else {
        let mut all = Vec::new();
        for sel in select {
            all.extend(matching(sel)?);
        }
        all
    };
    for sel in ignore {
        let drop = matching(sel)?;
        chosen.retain(|r| !drop.iter().any(|d| d.id == r.id));
    }
    if let Some(min) = min_impact {
        chosen.retain(|r| r.impact >= min);
    }
    chosen.sort_by_key(|r| REGISTRY.iter().position(|x| x.id == r.id));
    chosen.dedup_by_key(|r| r.id);
    Ok(chosen)
}

/// Whether a selector names a rule: `all`, its id, its prefix or its section.
fn selects(sel: &str, rule: &Rule) -> bool {
    let sel = sel.trim();
    sel == "all"
        || rule.id == sel
        || rule
            .id
            .strip_prefix(sel)
            .is_some_and(|rest| rest.starts_with('-'))
        || rule.section.split(" / ").any(|s| {
            s == sel
                || s.strip_prefix(sel)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
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
    pub rule: &'static Rule,
    pub file: FileId,
    pub span: Span,
    pub message: String,
    pub help: String,
    /// A machine-applicable fix, when one is safe.
    pub fix: Option<Fix>,
    pub level: Level,
}

impl Finding {
    /// Whether the flagged source text may hold a secret (a Redis URL with
    /// a password), so reports must not quote it.
    pub fn hides_source(&self) -> bool {
        security::HIDE_SOURCE.iter().any(|r| r.id == self.rule.id)
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

/// Where a rule reports; tags each finding with the running rule.
pub struct Sink<'a> {
    rule: &'static Rule,
    out: &'a mut Vec<Finding>,
}

impl<'a> Sink<'a> {
    pub fn new(rule: &'static Rule, out: &'a mut Vec<Finding>) -> Sink<'a> {
        Sink { rule, out }
    }

    pub fn report(&mut self, file: FileId, span: Span, message: String, help: String) {
        self.report_with_fix(file, span, message, help, None);
    }

    pub fn report_with_fix(
        &mut self,
        file: FileId,
        span: Span,
        message: String,
        help: String,
        fix: Option<Fix>,
    ) {
        self.out.push(Finding {
            rule: self.rule,
            file,
            span,
            message,
            help,
            fix,
            level: Level::Deny,
        });
    }
}

/// Runs the given rules over one crate.
pub fn run(model: &CrateModel, rules: &[&'static Rule]) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in rules {
        if let Check::Code(check) = rule.check {
            check(model, &mut Sink::new(rule, &mut out));
        }
    }
    out
}

/// Runs the given rules over one configuration file.
pub fn run_conf(conf: &crate::conf::ConfFile, rules: &[&'static Rule]) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in rules {
        if let Check::Conf(check) = rule.check {
            check(conf, &mut Sink::new(rule, &mut out));
        }
    }
    out
}
