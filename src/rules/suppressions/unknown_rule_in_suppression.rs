//! `unknown-rule-in-suppression`: a `redis-lint:` comment naming no rule, or that cannot be read. Its findings are made by
//! the suppression pass (`crate::suppress`); this rule only labels them.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "unknown-rule-in-suppression",
        section: "",
        impact: Impact::LowMedium,
        default: Activation::On,
        summary: "A `redis-lint:` comment naming no rule, or that cannot be read",
        doc: include_str!("../../../rules/unknown-rule-in-suppression.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Label,
    options: None,
    guide_also: &[],
};
