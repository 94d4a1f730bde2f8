//! `cmd-watch-on-shared-connection`: WATCH/MULTI on a connection other tasks
//! share.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::Origin;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-watch-on-shared-connection",
        section: "4.6",
        impact: Impact::High,
        default: Activation::On,
        summary: "WATCH/MULTI on a connection other tasks share",
        doc: include_str!("../../../rules/cmd-watch-on-shared-connection.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(watch_on_shared),
    options: None,
    guide_also: &[],
};

fn watch_on_shared(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("WATCH") || c.is("MULTI"))
    {
        // A multiplexed connection handed in may be shared; one made in
        // this fn for the transaction is not.
        let shared = |c: &crate::model::Conn| {
            c.is_shared() || (c.kind.is_multiplexed() && c.origin == Origin::Param)
        };
        let Some(conn) = call.conn.filter(shared) else {
            continue;
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} on a shared {}: commands other tasks send on the same socket land inside this \
                 transaction, and their writes can trigger or break the WATCH",
                call.command,
                conn.kind.describe()
            ),
            "run WATCH/MULTI/EXEC on a dedicated connection, or make the update atomic with a Lua script or \
             an atomic pipeline"
                .to_string(),
        );
    }
}
