//! `memory-numbers-as-strings`: an integer written zero-padded or signed, which
//! Redis cannot store or count as an integer.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "memory-numbers-as-strings",
        section: "7.4",
        impact: Impact::MediumHigh,
        default: Activation::OptIn,
        summary:
            "an integer written zero-padded or signed, which Redis cannot store or count as an integer",
        doc: include_str!("../../../rules/memory-numbers-as-strings.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(numbers_as_strings),
    options: None,
    guide_also: &[],
};

fn numbers_as_strings(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in &model.calls {
        let Some(value) = call.padded_int_value else {
            continue;
        };
        let key = call
            .keys
            .first()
            .map_or_else(String::new, |k| format!(" to `{k}`"));
        sink.report(
            call.file,
            value,
            format!(
                "{}{key} writes an integer formatted with padding or a sign (`00042`, `+7`): Redis keeps only \
                 canonical decimals as integers, so this value is stored as text (several times the memory of \
                 an int-encoded value, and no intset / compact listpack integers), and INCR / HINCRBY on it fail \
                 with \"value is not an integer\"",
                call.command
            ),
            "write the integer itself (or `n.to_string()`, which sends the same canonical digits) and pad it \
             where it is displayed"
                .to_string(),
        );
    }
}
