//! `cmd-cancel-unsafe-call`: a command on a non-multiplexed connection inside
//! `timeout(..)` or a `select!` branch.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::{ConnKind, Lib};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-cancel-unsafe-call",
        section: "3.3",
        impact: Impact::High,
        default: Activation::OptIn,
        summary:
            "a command on a non-multiplexed connection inside `timeout(..)` or a `select!` branch",
        doc: include_str!("../../../rules/cmd-cancel-unsafe-call.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(cancel_unsafe_call),
    options: None,
    guide_also: &[],
};

fn cancel_unsafe_call(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in model.calls.iter().filter(|c| c.cancellable) {
        let Some(conn) = call.conn else { continue };
        // Multiplexed connections (and the pools built on them, and fred)
        // match replies to requests themselves: a dropped future loses only
        // its own reply.
        let one_caller = matches!(conn.kind, ConnKind::Sync)
            || (matches!(conn.kind, ConnKind::Pooled { .. }) && conn.lib == Lib::R2d2);
        if !one_caller {
            continue;
        }
        let (message, help) = if call.awaited {
            (
                format!(
                    "{} runs on a non-multiplexed async connection inside a future that a timeout or `select!` \
                     can drop: when it is cancelled after sending, the reply stays on the socket and the next \
                     command on this connection reads it as its own, so every later reply is off by one",
                    call.command
                ),
                "use a `MultiplexedConnection` or `ConnectionManager` (cancellation-safe), or discard the \
                 connection after a timeout instead of reusing it",
            )
        } else {
            (
                format!(
                    "{} is a sync call inside a timeout or `select!` branch: the future cannot be cancelled while \
                     the call blocks, so the time limit is not enforced and the executor thread is stuck until \
                     the reply arrives",
                    call.command
                ),
                "bound sync commands with `set_read_timeout` on the connection, or use an async multiplexed \
                 connection when the call must be cancellable",
            )
        };
        sink.report(call.file, call.span, message, help.to_string());
    }
}
