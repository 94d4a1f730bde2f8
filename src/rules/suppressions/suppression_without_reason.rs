//! `suppression-without-reason`: a `redis-lint: allow` comment that does not say why after `--`. Its findings are made by
//! the suppression pass (`crate::suppress`); this rule only labels them.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "suppression-without-reason",
        section: "",
        impact: Impact::LowMedium,
        default: Activation::On,
        summary: "A `redis-lint: allow` comment that does not say why after `--`",
        doc: include_str!("../../../rules/suppression-without-reason.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Label,
    options: None,
    guide_also: &[],
};
