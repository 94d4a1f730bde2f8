//! `cmd-blocking-zero-timeout`: a blocking command with timeout 0 waits
//! forever.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::Timeout;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-blocking-zero-timeout",
        section: "4.1",
        impact: Impact::MediumHigh,
        default: Activation::On,
        summary: "a blocking command with timeout 0 waits forever",
        doc: include_str!("../../../rules/cmd-blocking-zero-timeout.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(blocking_zero_timeout),
    options: None,
    guide_also: &[],
};

fn blocking_zero_timeout(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in model.calls.iter().filter(|c| c.is_blocking()) {
        if call.opts.timeout != Some(Timeout::Value(0.0)) {
            continue;
        }
        let what = if call.is("XREAD") || call.is("XREADGROUP") {
            "BLOCK 0"
        } else {
            "timeout 0"
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} with {what} never returns if nothing arrives: a dead producer or a lost wake-up leaves this \
                 task stuck with no chance to notice shutdown or reconnect",
                call.command
            ),
            "use a finite timeout (a few seconds) and loop; a timed-out call returns nil and the loop can check \
             for shutdown before waiting again. Keep it below the connection's response (read) timeout, \
             500 ms by default on redis-rs 1.x async connections: run the loop on a dedicated connection \
             whose timeout is longer than the blocking one"
                .to_string(),
        );
    }
}
