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
mod monitoring;
mod persistence;
mod redis_modules;
mod security;

use std::fmt;
use std::sync::LazyLock;

use crate::diagnostic::{Activation, Finding, Fix, Impact, Level, RuleMeta};
use crate::model::CrateModel;
use crate::source::{FileId, Span};

/// A rule: its metadata and its check.
pub struct Rule {
    pub meta: RuleMeta,
    pub check: Check,
}

/// What a rule looks at.
#[derive(Clone, Copy)]
pub enum Check {
    /// A crate's code model.
    Code(fn(&CrateModel, &mut Sink)),
    /// One Redis configuration file (redis.conf, sentinel.conf, compose).
    Conf(fn(&crate::server_conf::ConfFile, &mut Sink)),
    /// Nothing: the rule labels findings made elsewhere (suppressions).
    Label,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.meta.id)
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
        redis_modules::RULES,
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
    REGISTRY.iter().copied().find(|r| r.meta.id == id)
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
            .filter(|r| r.meta.default == Activation::On)
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
        chosen.retain(|r| !drop.iter().any(|d| d.meta.id == r.meta.id));
    }
    if let Some(min) = min_impact {
        chosen.retain(|r| r.meta.impact >= min);
    }
    chosen.sort_by_key(|r| REGISTRY.iter().position(|x| x.meta.id == r.meta.id));
    chosen.dedup_by_key(|r| r.meta.id);
    Ok(chosen)
}

/// Whether a selector names a rule: `all`, its id, its prefix or its section.
fn selects(sel: &str, rule: &Rule) -> bool {
    let sel = sel.trim();
    sel == "all"
        || rule.meta.id == sel
        || rule
            .meta
            .id
            .strip_prefix(sel)
            .is_some_and(|rest| rest.starts_with('-'))
        || rule.meta.section.split(" / ").any(|s| {
            s == sel
                || s.strip_prefix(sel)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
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
            rule: &self.rule.meta,
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
pub fn run_conf(conf: &crate::server_conf::ConfFile, rules: &[&'static Rule]) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in rules {
        if let Check::Conf(check) = rule.check {
            check(conf, &mut Sink::new(rule, &mut out));
        }
    }
    out
}
