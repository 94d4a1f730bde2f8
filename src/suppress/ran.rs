//! Which rules ran on each file of a run, at a level that reports: only
//! those can make a suppression "unused". A suppression of a rule left out
//! by `--select`, `--ignore` or the file's configuration (`allow`) still
//! guards that line for the runs that do check it.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::Level;
use crate::rules;
use crate::settings::{Config, LintExamples};
use crate::source::FileId;

/// The rules a run checked, and the configuration that set the levels of
/// each file's findings.
#[derive(Debug)]
pub struct RulesRun {
    rules: Vec<&'static str>,
    /// By file id; `None` (or past the end): the rules' default levels.
    configs: Vec<Option<Arc<Config>>>,
    /// Files read only as context of the files named on the command line
    /// (pre-commit): nothing is reported on them, their suppressions
    /// included.
    context: HashSet<FileId>,
    /// Example and benchmark files: the rules quiet there (see
    /// `InExamples`) do not report unless `lint-examples = "all"`.
    examples: HashSet<FileId>,
}

impl RulesRun {
    /// `rules` (the run's choice, before any configuration) on the files
    /// whose configurations are `configs`, by file id.
    pub fn new(rules: Vec<&'static str>, configs: Vec<Option<Arc<Config>>>) -> RulesRun {
        RulesRun {
            rules,
            configs,
            context: HashSet::new(),
            examples: HashSet::new(),
        }
    }

    /// The same, with `context` files on which nothing is reported.
    pub fn with_context(mut self, context: HashSet<FileId>) -> RulesRun {
        self.context = context;
        self
    }

    /// The same, with the example and benchmark files.
    pub fn with_examples(mut self, examples: HashSet<FileId>) -> RulesRun {
        self.examples = examples;
        self
    }

    /// Whether `file` was read only as context (see [`RulesRun::with_context`]).
    pub(super) fn is_context(&self, file: FileId) -> bool {
        self.context.contains(&file)
    }

    /// `rules` on every file at their default levels (no configuration).
    pub fn everywhere(rules: Vec<&'static str>) -> RulesRun {
        RulesRun::new(rules, Vec::new())
    }

    /// Whether `rule` ran on the file `file` at `path` and could report
    /// there; `all` ran when any rule did.
    pub(super) fn ran_on(&self, file: FileId, path: &Path, rule: &str) -> bool {
        let config = self.configs.get(file as usize).and_then(Option::as_deref);
        let reports = |id: &str| {
            let Some(rule) = rules::find(id) else {
                return false;
            };
            let lint_examples = config.map_or(LintExamples::Defects, |c| c.lint_examples);
            let quiet = self.examples.contains(&file) && !lint_examples.reports(&rule.meta);
            self.rules.contains(&id)
                && !quiet
                && config
                    .is_none_or(|c| !c.excludes(path) && c.level(&rule.meta, path) != Level::Allow)
        };
        if rule == "all" {
            self.rules.iter().any(|id| reports(id))
        } else {
            reports(rule)
        }
    }
}
