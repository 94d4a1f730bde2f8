//! `unused-suppression`: a `redis-lint: allow` comment that silenced no finding in this run. Its findings are made by
//! the suppression pass (`crate::suppress`); this rule only labels them.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "unused-suppression",
        section: "",
        impact: Impact::LowMedium,
        default: Activation::On,
        summary: "A `redis-lint: allow` comment that silenced no finding in this run",
        doc: include_str!("../../../rules/unused-suppression.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::Yes,
    },
    check: Check::Label,
    options: None,
    guide_also: &[],
};
