//! What is generated from the registry: the metadata header of a rule's
//! doc page (the pages in `rules/` hold prose only) and the README's rule
//! table.

use super::{find_any, Rule, REGISTRY};
use crate::diagnostic::{Activation, InExamples, RuleMeta, GUIDE};

/// A rule's doc page as shown by `explain` and in SARIF: its title, a
/// table of its guide sections, impact and default, then its prose.
/// Meta-rules have no guide section, so no table.
pub fn page(meta: &RuleMeta) -> String {
    let Some(rule) = find_any(meta.id).filter(|r| !r.meta.section.is_empty()) else {
        return meta.doc.to_string();
    };
    let (title, prose) = meta.doc.split_once('\n').unwrap_or((meta.doc, ""));
    format!(
        "{title}\n\n| section | impact | default |\n|---|---|---|\n| {} | {} | {} |\n{prose}",
        sections(rule),
        meta.impact,
        default_name(meta.default)
    )
}

/// The page as `explain` prints it and an editor shows it on hover: a
/// rule with guide sections names the guide they come from.
pub fn explained(meta: &RuleMeta) -> String {
    let mut text = page(meta);
    if !meta.section.is_empty() {
        text.push_str(&format!("\n---\nSections refer to the guide {GUIDE}.\n"));
    }
    text
}

/// The README's rule table: one row per rule, in registry order.
pub fn readme_table() -> String {
    let mut table = String::from(
        "| id | guide section | impact | default | in examples |\n|---|---|---|---|---|\n",
    );
    for rule in REGISTRY.iter() {
        table.push_str(&format!(
            "| [`{id}`](rules/{id}.md) | {} | {} | {} | {} |\n",
            sections(rule),
            rule.meta.impact,
            default_name(rule.meta.default),
            examples_name(rule.meta.examples),
            id = rule.meta.id
        ));
    }
    table
}

/// The guide sections a rule answers: its own, then the others it covers.
fn sections(rule: &Rule) -> String {
    std::iter::once(rule.meta.section)
        .chain(rule.guide_also.iter().copied())
        .collect::<Vec<_>>()
        .join(" / ")
}

/// Whether the rule reports in examples and benchmarks by default (see
/// `lint-examples`).
fn examples_name(examples: InExamples) -> &'static str {
    match examples {
        InExamples::Reported => "reported",
        InExamples::Quiet => "silent",
    }
}

fn default_name(default: Activation) -> &'static str {
    match default {
        Activation::On => "on",
        Activation::OptIn => "opt-in",
    }
}
