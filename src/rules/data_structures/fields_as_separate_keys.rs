//! `ds-fields-as-separate-keys`: an object's fields stored as separate string
//! keys instead of one Hash.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::queries::field_groups;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ds-fields-as-separate-keys",
        section: "1.2",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "an object's fields stored as separate string keys instead of one Hash",
        doc: include_str!("../../../rules/ds-fields-as-separate-keys.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(fields_as_separate_keys),
    options: None,
    guide_also: &[],
};

fn fields_as_separate_keys(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for ((_, command, parent), (calls, fields)) in field_groups(model) {
        let first = calls
            .iter()
            .min_by_key(|c| c.seq)
            .expect("a group has calls");
        let mut names: Vec<&String> = fields.iter().collect();
        names.sort();
        let list = names
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let (verb, fix) = if command == "SET" {
            ("writes", "HSET with all fields in one call")
        } else {
            ("reads", "HMGET or HGETALL in one call")
        };
        sink.report(
            first.file,
            first.span,
            format!(
                "this fn {verb} {} fields of `{parent}` as separate keys ({list}): each key costs its own \
                 memory overhead and round trip",
                fields.len()
            ),
            format!("store the object as one Hash at `{parent}` and use {fix}"),
        );
    }
}
