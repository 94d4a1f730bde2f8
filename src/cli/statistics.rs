//! `--statistics`: how many findings each rule has, instead of the
//! findings (like ruff's).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::diagnostic::{Outcome, RuleMeta};

/// One rule's findings.
struct Count {
    rule: &'static RuleMeta,
    findings: usize,
    /// Whether any of them has a fix (`--fix` applies it).
    fixable: bool,
}

/// The rules with findings, most findings first (then by id).
fn counts(outcome: &Outcome) -> Vec<Count> {
    let mut by_rule: BTreeMap<&'static str, Count> = BTreeMap::new();
    for f in &outcome.findings {
        let count = by_rule.entry(f.rule.id).or_insert(Count {
            rule: f.rule,
            findings: 0,
            fixable: false,
        });
        count.findings += 1;
        count.fixable |= f.has_safe_fix();
    }
    let mut counts: Vec<Count> = by_rule.into_values().collect();
    counts.sort_by(|a, b| b.findings.cmp(&a.findings).then(a.rule.id.cmp(b.rule.id)));
    counts
}

/// `COUNT  RULE  IMPACT  [*]`, one line per rule.
pub(super) fn text(outcome: &Outcome) -> String {
    let counts = counts(outcome);
    let width = counts.iter().map(|c| c.rule.id.len()).max().unwrap_or(0);
    let digits = counts
        .iter()
        .map(|c| c.findings.to_string().len())
        .max()
        .unwrap_or(1);
    let mut out = String::new();
    for c in &counts {
        let marker = if c.fixable { "[*]" } else { "" };
        let line = format!(
            "{:>digits$}  {:width$}  {:<11}  {marker}",
            c.findings,
            c.rule.id,
            c.rule.impact.as_str()
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// The same as a JSON array of `{count, rule, impact, fixable}`.
pub(super) fn json(outcome: &Outcome) -> String {
    let items: Vec<serde_json::Value> = counts(outcome)
        .iter()
        .map(|c| {
            serde_json::json!({
                "count": c.findings,
                "rule": c.rule.id,
                "impact": c.rule.impact.as_str(),
                "fixable": c.fixable,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).expect("the statistics serialise");
    s.push('\n');
    s
}
