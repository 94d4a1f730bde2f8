//! `cmd-blocking-in-handler`: a blocking command inside a request handler.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-blocking-in-handler",
        section: "4.1",
        impact: Impact::MediumHigh,
        default: Activation::On,
        summary: "a blocking command inside a request handler",
        doc: include_str!("../../../rules/cmd-blocking-in-handler.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(blocking_in_handler),
    options: None,
    guide_also: &[],
};

fn blocking_in_handler(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in model.calls.iter().filter(|c| c.is_blocking()) {
        let handler = model.func(call.func);
        if !(handler.is_handler || call.in_handler) {
            continue;
        }
        sink.report(
            call.file,
            call.span,
            format!(
                "{} in request handler `{}`: the request (and its connection) waits for up to the blocking \
                 timeout, and a burst of requests pins as many connections",
                call.command, handler.name
            ),
            "move the blocking read to a background worker and let the handler read its result (or use a \
             non-blocking command)"
                .to_string(),
        );
    }
}
