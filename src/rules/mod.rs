//! The rule engine: one folder per section of the guide, one file per rule
//! (its metadata, options, check and messages together), and one registry
//! listing them all.
//!
//! A rule is a plain fn over a [`RuleContext`] (the crate model and the
//! configured rule options); it reports through a `Sink` that builds a
//! finding only on a hit. Predicates several rules share live in
//! [`queries`], so no rule reaches into another section.

/// Declares a section's rules, in guide order: one line per rule, naming
/// its file (`missing_ttl` for `missing_ttl.rs`), whose `RULE` it lists.
macro_rules! section {
    ($($rule:ident),* $(,)?) => {
        $(pub(crate) mod $rule;)*

        /// The rules of this section, in guide order.
        pub static RULES: &[&$crate::rules::Rule] = &[$(&$rule::RULE),*];
    };
}

mod ai;
mod cluster;
mod commands;
mod connections;
mod data_structures;
mod docs;
mod group;
mod key_design;
mod memory;
mod monitoring;
mod options;
mod persistence;
mod queries;
mod redis_modules;
mod restated;
mod security;
pub mod suppressions;

use std::fmt;
use std::sync::LazyLock;

pub use docs::{explained, page, readme_table};
use group::Reported;
pub use group::{GroupKey, SiteRole};
pub use options::{OptionError, RuleOptions, RuleOptionsSet};
pub use restated::drop_restated;

use crate::diagnostic::{Activation, Finding, Fix, Impact, Level, Related, RuleMeta};
use crate::model::keyspace::Keyspace;
use crate::model::{Call, CrateModel};
use crate::source::{FileId, Span};

/// A rule: its metadata, its check and the options it takes.
pub struct Rule {
    pub meta: RuleMeta,
    pub check: Check,
    /// The defaults of the options it reads from its `[rules]` entry, if
    /// it takes any.
    pub options: Option<fn() -> Box<dyn RuleOptions>>,
    /// Guide sections it also answers, besides `meta.section`: shown on
    /// its doc page and in the README, not used to select rules.
    pub guide_also: &'static [&'static str],
}

/// What a rule looks at.
#[derive(Clone, Copy)]
pub enum Check {
    /// A crate's code model.
    Code(fn(&RuleContext, &mut Sink)),
    /// The key templates of every crate of one Cargo workspace, once all
    /// its crates are linked (a rule about keys used across crates).
    Keyspace(fn(&KeyspaceContext, &mut Sink)),
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

/// What a code rule sees: the crate's model and the rule options in force.
pub struct RuleContext<'a> {
    pub model: &'a CrateModel,
    options: &'a RuleOptionsSet,
}

impl RuleContext<'_> {
    /// The configured options of type `T` (a rule's own, or the rule whose
    /// findings it defers to).
    pub fn options<T: RuleOptions + 'static>(&self) -> &T {
        self.options.get::<T>()
    }
}

/// What a keyspace rule sees: the key sites of one Cargo workspace (every
/// crate of it in the run) and the rule options in force there.
pub struct KeyspaceContext<'a> {
    pub keyspace: &'a Keyspace,
    options: &'a RuleOptionsSet,
}

impl KeyspaceContext<'_> {
    pub fn options<T: RuleOptions + 'static>(&self) -> &T {
        self.options.get::<T>()
    }
}

/// Every rule that checks code or configuration, in guide order: each
/// section lists its own rules, so adding a rule touches its file, its doc
/// page, its fixture and one line of its section's `mod.rs`.
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

/// The rules that report on suppression comments themselves. Not in
/// [`REGISTRY`]: they are never selected or run; they label the findings
/// the suppression pass makes, and cannot themselves be suppressed.
pub static META_RULES: &[&Rule] = suppressions::RULES;

/// A rule that can be selected, configured and suppressed, by id.
pub fn find(id: &str) -> Option<&'static Rule> {
    REGISTRY.iter().copied().find(|r| r.meta.id == id)
}

/// The rule id most like `id` (a misspelling: "did you mean"), if any is
/// close enough: a Jaro-Winkler similarity of 0.8 or more.
pub fn nearest_id(id: &str) -> Option<&'static str> {
    const SIMILAR_ENOUGH: f64 = 0.8;
    REGISTRY
        .iter()
        .map(|r| (strsim::jaro_winkler(id, r.meta.id), r.meta.id))
        .filter(|(score, _)| *score >= SIMILAR_ENOUGH)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, id)| id)
}

/// Any rule, meta-rules included, by id (for its documentation).
pub fn find_any(id: &str) -> Option<&'static Rule> {
    find(id).or_else(|| META_RULES.iter().copied().find(|r| r.meta.id == id))
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
    out: &'a mut Vec<Reported>,
}

impl<'a> Sink<'a> {
    fn new(rule: &'static Rule, out: &'a mut Vec<Reported>) -> Sink<'a> {
        Sink { rule, out }
    }

    pub fn report(&mut self, file: FileId, span: Span, message: String, help: String) {
        self.report_with_fix(file, span, message, help, None);
    }

    /// Reports one site of a problem several sites share (`key`): the
    /// findings of a group become one, at its first `Origin` site.
    pub fn report_in(
        &mut self,
        key: GroupKey,
        role: SiteRole,
        file: FileId,
        span: Span,
        message: String,
        help: String,
    ) {
        self.report_with_fix(file, span, message, help, None);
        if let Some(last) = self.out.last_mut() {
            last.group = Some((key, role));
        }
    }

    /// Reports a problem of `call`'s key, one site of the group `key`:
    /// a call that writes the key is where it is made (the primary).
    pub fn report_on_key(&mut self, key: GroupKey, call: &Call, message: String, help: String) {
        self.report_in(
            key,
            SiteRole::of_call(call),
            call.file,
            call.span,
            message,
            help,
        );
    }

    /// Adds a related site to the finding reported last.
    pub fn relate(&mut self, related: Related) {
        if let Some(last) = self.out.last_mut() {
            last.finding.related.push(related);
        }
    }

    /// Reports a problem seen at several sites at once, the others
    /// attached as related locations.
    pub fn report_with_related(
        &mut self,
        file: FileId,
        span: Span,
        message: String,
        help: String,
        related: Vec<Related>,
    ) {
        self.report_with_fix(file, span, message, help, None);
        for site in related {
            self.relate(site);
        }
    }

    pub fn report_with_fix(
        &mut self,
        file: FileId,
        span: Span,
        message: String,
        help: String,
        fix: Option<Fix>,
    ) {
        self.out.push(Reported {
            finding: Finding {
                rule: &self.rule.meta,
                file,
                span,
                message: shorten_quotes(message),
                help: shorten_quotes(help),
                fix,
                level: Level::Deny,
                related: Vec::new(),
            },
            group: None,
        });
    }
}

/// A quoted text (between backticks) longer than this many characters is
/// text from the user's code (a key template, a URL): the code samples the
/// rules quote stay well below it. It is cut to [`QUOTED_KEPT_CHARS`], so
/// that a key of 100 KB does not make a message of 100 KB.
const MAX_QUOTED_CHARS: usize = 160;

/// How much of an overlong quoted text a message keeps, before `…`.
const QUOTED_KEPT_CHARS: usize = 80;

/// Cuts every quoted text longer than [`MAX_QUOTED_CHARS`].
fn shorten_quotes(text: String) -> String {
    if text.len() <= MAX_QUOTED_CHARS {
        return text;
    }
    let pieces: Vec<&str> = text.split('`').collect();
    // With an odd count of backticks the last one opens no quote.
    let closed = pieces.len() - usize::from(pieces.len() % 2 == 0);
    let too_long =
        |i: usize, p: &str| i % 2 == 1 && i < closed && p.chars().nth(MAX_QUOTED_CHARS).is_some();
    if !pieces.iter().enumerate().any(|(i, p)| too_long(i, p)) {
        return text;
    }
    let shortened: Vec<String> = pieces
        .iter()
        .enumerate()
        .map(|(i, p)| match p.char_indices().nth(QUOTED_KEPT_CHARS) {
            Some((cut, _)) if too_long(i, p) => format!("{}…", &p[..cut]),
            _ => p.to_string(),
        })
        .collect();
    shortened.join("`")
}

/// Runs the given rules over one crate, with the options of its
/// configuration (the defaults without one), and merges the findings that
/// are one problem (see [`group`]).
pub fn run(
    model: &CrateModel,
    options: Option<&RuleOptionsSet>,
    rules: &[&'static Rule],
) -> Vec<Finding> {
    let ctx = RuleContext {
        model,
        options: options.unwrap_or_else(|| RuleOptionsSet::builtin()),
    };
    let mut out = Vec::new();
    for rule in rules {
        if let Check::Code(check) = rule.check {
            check(&ctx, &mut Sink::new(rule, &mut out));
        }
    }
    group::merge(out, &model.key_builders)
}

/// Runs the given rules' keyspace checks over one workspace's keyspace.
pub fn run_keyspace(
    keyspace: &Keyspace,
    options: Option<&RuleOptionsSet>,
    rules: &[&'static Rule],
) -> Vec<Finding> {
    let ctx = KeyspaceContext {
        keyspace,
        options: options.unwrap_or_else(|| RuleOptionsSet::builtin()),
    };
    let mut out = Vec::new();
    for rule in rules {
        if let Check::Keyspace(check) = rule.check {
            check(&ctx, &mut Sink::new(rule, &mut out));
        }
    }
    out.into_iter().map(|r| r.finding).collect()
}

/// Runs the given rules over one configuration file.
pub fn run_conf(conf: &crate::server_conf::ConfFile, rules: &[&'static Rule]) -> Vec<Finding> {
    let mut out = Vec::new();
    for rule in rules {
        if let Check::Conf(check) = rule.check {
            check(conf, &mut Sink::new(rule, &mut out));
        }
    }
    out.into_iter().map(|r| r.finding).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_quoted_texts_are_cut() {
        let key = "k".repeat(99_000);
        let message = shorten_quotes(format!("DEL of `{key}` blocks, see `a`"));
        assert_eq!(
            message,
            format!("DEL of `{}…` blocks, see `a`", "k".repeat(80))
        );
        let odd = format!("a ` {}", "x".repeat(200));
        assert_eq!(shorten_quotes(odd.clone()), odd);
        let sample = format!("use `{}`", "y".repeat(MAX_QUOTED_CHARS));
        assert_eq!(shorten_quotes(sample.clone()), sample);
    }
}
