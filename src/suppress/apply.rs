//! Applying the suppressions of a run to its findings.

use std::collections::HashMap;
use std::sync::Arc;

use super::{checks, parse_as, RulesRun, Suppressions, Syntax, MARKER};
use crate::diagnostic::{Finding, Level, Outcome};
use crate::rules::suppressions::unknown_rule_in_suppression::RULE as UNKNOWN_RULE_IN_SUPPRESSION;
use crate::rules::Rule;
use crate::source::{FileId, Span};

/// A finding of one of the [`META_RULES`](super::META_RULES).
pub(super) fn meta(
    rule: &'static Rule,
    file: FileId,
    span: Span,
    message: String,
    help: String,
) -> Finding {
    Finding {
        rule: &rule.meta,
        file,
        span,
        message,
        help,
        fix: None,
        level: Level::Deny,
        related: Vec::new(),
    }
}

/// Applies the inline suppressions of every file of a run: removes the
/// findings they silence, then adds the findings about the suppressions
/// themselves ([`META_RULES`](super::META_RULES)), and re-sorts the findings as the engine
/// does. `ran` says which rules ran on each file at a level that reports:
/// a suppression naming a rule that did not is not reported as unused.
///
/// A file whose text the engine did not keep (no Redis code in it) is read
/// from disk when it may hold a suppression, so that its stale
/// suppressions are reported too; its text is then kept in the outcome.
pub fn apply(outcome: &mut Outcome, ran: &RulesRun) {
    let mut per_file: PerFile = HashMap::new();
    for (id, file) in outcome.files.iter_mut().enumerate() {
        if ran.is_context(id as FileId) {
            continue;
        }
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

    // A group is reported at its primary site: a suppression there covers
    // every site; one at another site only takes that site off the list
    // (and counts as used), since the problem is still reported.
    outcome.findings.retain_mut(|f| {
        if silence(&mut per_file, f.file, f.span.start.line, f.rule.id) {
            return false;
        }
        let rule = f.rule.id;
        f.related
            .retain(|r| !silence(&mut per_file, r.file, r.span.start.line, rule));
        true
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
        let path = &outcome.files[file as usize].path;
        let ran_here = |rule: &str| ran.ran_on(file, path, rule);
        for (s, used) in sups.items.iter().zip(&used) {
            checks::report_one(&mut outcome.findings, file, s, used, &ran_here);
        }
    }

    outcome.sort_findings();
}

/// The suppressions of each file, with which of their rule ids were used.
type PerFile = HashMap<FileId, (Suppressions, Vec<Vec<bool>>)>;

/// Whether a suppression silences a finding of `rule` starting on `line` of
/// `file`; marks each one that does as used.
fn silence(per_file: &mut PerFile, file: FileId, line: u32, rule: &str) -> bool {
    let Some((sups, used)) = per_file.get_mut(&file) else {
        return false;
    };
    let mut silenced = false;
    for (s, used) in sups.items.iter().zip(used.iter_mut()) {
        if !s.applies_on(line) {
            continue;
        }
        for (r, used) in s.rules.iter().zip(used.iter_mut()) {
            if r.id == rule || r.id == "all" {
                *used = true;
                silenced = true;
            }
        }
    }
    silenced
}
