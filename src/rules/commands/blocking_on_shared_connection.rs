//! `cmd-blocking-on-shared-connection`: a blocking command on a connection
//! other tasks share.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::Api;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-blocking-on-shared-connection",
        section: "4.1",
        impact: Impact::High,
        default: Activation::On,
        summary: "a blocking command on a connection other tasks share",
        doc: include_str!("../../../rules/cmd-blocking-on-shared-connection.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(blocking_on_shared),
    options: None,
    guide_also: &[],
};

fn blocking_on_shared(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in model.calls.iter().filter(|c| c.is_blocking()) {
        let Some(conn) = call.conn.filter(|c| c.is_shared()) else {
            continue;
        };
        let help = match call.api {
            Api::RedisRs => "give the blocking loop its own connection (`client.get_multiplexed_async_connection()` \
                             made for the worker, not a clone or a pooled one)",
            Api::Fred => "run blocking commands on a dedicated fred client, not the shared one",
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} blocks a shared {}: every other command sent on it queues behind the blocking call until \
                 it returns",
                call.command,
                conn.kind.describe()
            ),
            help.to_string(),
        );
    }
}
