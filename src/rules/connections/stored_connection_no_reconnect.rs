//! `conn-stored-connection-no-reconnect`: a struct field or static keeps a
//! redis-rs connection that never reconnects.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::ConnKind;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-stored-connection-no-reconnect",
        section: "3.3",
        impact: Impact::High,
        default: Activation::OptIn,
        summary: "a struct field or static keeps a redis-rs connection that never reconnects",
        doc: include_str!("../../../rules/conn-stored-connection-no-reconnect.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(stored_connection),
    options: None,
    guide_also: &[],
};

fn stored_connection(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for s in &model.stored_connections {
        let (what, help) = match s.kind {
            ConnKind::Sync => (
                "a single-caller `Connection` (sync, or 0.x `aio::Connection`)",
                "sync code: keep an r2d2 pool (`r2d2::Pool<redis::Client>`) and check a connection out per use, \
                 the pool replaces broken connections; async code: keep a `ConnectionManager`",
            ),
            _ => (
                "a `MultiplexedConnection`",
                "keep a `redis::aio::ConnectionManager` (same API, reconnects in the background) or a \
                 deadpool/bb8 pool",
            ),
        };
        sink.report(
            s.file,
            s.span,
            format!(
                "`{}` keeps {what} for the life of the program, and it never reconnects: after a server \
                 restart, failover or dropped socket every command through it fails until the process restarts",
                s.owner
            ),
            help.to_string(),
        );
    }
}
