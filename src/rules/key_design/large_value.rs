//! `key-large-value`: a whole file's content stored as a Redis value.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::command::flags;
use crate::model::flow::Source;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "key-large-value",
        section: "2.1",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a whole file's content stored as a Redis value",
        doc: include_str!("../../../rules/key-large-value.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(large_value),
    options: None,
    guide_also: &[],
};

fn large_value(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in &model.calls {
        if !call.has(flags::WRITE) || !call.inputs.contains(&Source::FileData) {
            continue;
        }
        let key = call
            .keys
            .first()
            .map(|k| format!(" to `{k}`"))
            .unwrap_or_default();
        sink.report(
            call.file,
            call.span,
            format!(
                "{}{key} stores the whole content of a file: values of megabytes block the server while they \
                 are written, read, replicated and freed, and crowd out the hot small keys",
                call.command
            ),
            "keep the file in object or blob storage (or on disk) and store only its location, size and \
             metadata in Redis"
                .to_string(),
        );
    }
}
