//! `conn-mutex-wrapped-connection`: a connection behind a Mutex/RwLock: every
//! request waits for one socket.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::ConnKind;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-mutex-wrapped-connection",
        section: "3.4",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a connection behind a Mutex/RwLock: every request waits for one socket",
        doc: include_str!("../../../rules/conn-mutex-wrapped-connection.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(locked_connection),
    options: None,
    guide_also: &[],
};

fn locked_connection(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for l in &model.locked_connections {
        let help = match l.kind {
            ConnKind::Sync => "use a pool (r2d2, or deadpool/bb8 for async) so each caller gets its own connection",
            _ => "drop the lock: MultiplexedConnection, ConnectionManager and fred clients are cheap to clone and \
                  safe to share; clone one per task",
        };
        sink.report(
            l.file,
            l.span,
            format!(
                "a {} behind a `{}`: every caller queues for the lock, so the app talks to Redis one request at \
                 a time, and a slow command holds everyone",
                l.kind.describe(),
                l.lock
            ),
            help.to_string(),
        );
    }
}
