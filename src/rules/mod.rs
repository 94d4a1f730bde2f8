//! The rule engine: one module per section of the guide, each declaring
//! its rules (metadata next to the check) and one registry listing them all.
//!
//! A rule is a plain fn over the crate model; it reports through a `Sink`
//! that builds a finding only on a hit.

mod cluster;
mod commands;
mod connections;
mod key_design;

use std::fmt;

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
    pub check: fn(&CrateModel, &mut Sink),
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

/// Every rule, in guide order.
pub static REGISTRY: &[&Rule] = &[
    &key_design::KEYS_COMMAND,
    &key_design::MISSING_TTL,
    &key_design::NO_NAMESPACE,
    &connections::CLIENT_PER_REQUEST,
    &connections::COMMAND_IN_LOOP,
    &connections::MISSING_TIMEOUT,
    &commands::BLOCKING_ZERO_TIMEOUT,
    &commands::BLOCKING_ON_SHARED_CONNECTION,
    &commands::LOCK_WITHOUT_EXPIRY,
    &commands::UNSAFE_LOCK_RELEASE,
    &commands::DANGEROUS_COMMAND,
    &cluster::CROSSSLOT,
];

pub fn find(id: &str) -> Option<&'static Rule> {
    REGISTRY.iter().copied().find(|r| r.id == id)
}

/// A rule finding.
#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static Rule,
    pub file: FileId,
    pub span: Span,
    pub message: String,
    pub help: String,
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
        self.out.push(Finding {
            rule: self.rule,
            file,
            span,
            message,
            help,
        });
    }
}

/// Runs the given rules over one crate.
pub fn run(model: &CrateModel, rules: &[&'static Rule]) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in rules {
        (rule.check)(model, &mut Sink::new(rule, &mut out));
    }
    out
}
