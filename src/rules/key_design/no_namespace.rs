//! `key-no-namespace`: a key without a `prefix:` namespace, or one that starts
//! with a variable part.

use std::collections::HashSet;

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::key::{Key, Part};
use crate::rules::{GroupKey, Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "key-no-namespace",
        section: "2.5",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a key without a `prefix:` namespace, or one that starts with a variable part",
        doc: include_str!("../../../rules/key-no-namespace.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(no_namespace),
    options: None,
    guide_also: &[],
};

/// Holes that are themselves a namespace (`{prefix}:user:{id}`).
fn prefix_like(hole: &str) -> bool {
    let lower = hole.to_ascii_lowercase();
    [
        "prefix",
        "namespace",
        "ns",
        "app",
        "env",
        "tenant",
        "service",
        "scope",
        "root",
        "base",
    ]
    .iter()
    .any(|w| {
        lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|part| part == *w)
            || lower.contains("prefix")
    }) || (hole.chars().any(|c| c.is_ascii_uppercase())
        && !hole.chars().any(|c| c.is_ascii_lowercase()))
}

fn no_namespace(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in model.calls.iter().filter(|c| !c.key_designed_in_helper()) {
        let mut seen = HashSet::new();
        for key in &call.keys {
            if !seen.insert(key.to_string()) {
                continue;
            }
            let problem = if let Some(lit) = key.as_literal() {
                (!lit.contains(':') && !lit.is_empty())
                    .then(|| format!("key `{lit}` has no `:` namespace"))
            } else if let (Some(hole), Key::Template(parts)) = (key.starts_with_hole(), key) {
                let has_colon = parts
                    .iter()
                    .any(|p| matches!(p, Part::Lit(s) if s.contains(':')));
                (has_colon && !prefix_like(hole)).then(|| {
                    format!(
                        "key `{key}` starts with its variable part instead of a fixed namespace"
                    )
                })
            } else {
                None
            };
            if let Some(problem) = problem {
                sink.report_on_key(
                    GroupKey::name(key),
                    call,
                    format!(
                        "{problem}: keys without a common prefix collide across features and cannot be scanned, \
                         counted or expired as a group"
                    ),
                    "name keys `object-type:id[:field]`, e.g. `user:42:profile`, fixed parts first".to_string(),
                );
            }
        }
    }
}
