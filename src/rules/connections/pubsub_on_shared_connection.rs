//! `conn-pubsub-on-shared-connection`: subscribing on a regular, multiplexed or
//! pooled connection, or once per request.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::ConnKind;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-pubsub-on-shared-connection",
        section: "3.2",
        impact: Impact::MediumHigh,
        default: Activation::On,
        summary: "subscribing on a regular, multiplexed or pooled connection, or once per request",
        doc: include_str!("../../../rules/conn-pubsub-on-shared-connection.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(pubsub_on_shared_connection),
    options: None,
    guide_also: &[],
};

const SUBSCRIBE_COMMANDS: &[&str] = &["SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"];

/// Connections that carry ordinary commands: a raw SUBSCRIBE switches them
/// into subscriber mode under everyone else's feet.
fn carries_commands(kind: ConnKind) -> bool {
    matches!(
        kind,
        ConnKind::Sync
            | ConnKind::Multiplexed
            | ConnKind::Manager
            | ConnKind::Cluster
            | ConnKind::ClusterSync
            | ConnKind::Pooled { .. }
            | ConnKind::FredClient
            | ConnKind::FredPool
    )
}

fn pubsub_on_shared_connection(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    const PER_REQUEST_HELP: &str = "subscribe once at startup on a dedicated connection (`client.get_async_pubsub()`, \
         fred `SubscriberClient`) and fan messages out to requests through a `tokio::sync::broadcast` channel";
    let in_handler = |func, closure: bool| closure || model.func(func).is_handler;
    for call in &model.calls {
        if !SUBSCRIBE_COMMANDS.contains(&call.command.as_str()) {
            continue;
        }
        let Some(conn) = call.conn else { continue };
        if in_handler(call.func, call.in_handler) {
            sink.report(
                call.file,
                call.span,
                format!(
                    "{} in request handler `{}`: every request opens its own subscription, which holds a \
                     connection in subscriber mode for as long as it lives",
                    call.command,
                    model.func(call.func).name
                ),
                PER_REQUEST_HELP.to_string(),
            );
        } else if carries_commands(conn.kind) && matches!(call.form, crate::model::Form::Raw) {
            sink.report(
                call.file,
                call.span,
                format!(
                    "{} sent as a raw command on a {}: the connection switches to subscriber mode, where it \
                     accepts only (un)subscribe and PING, and the client reads the pushed messages as replies \
                     to later commands",
                    call.command,
                    conn.kind.describe()
                ),
                "subscribe through the client's pub/sub API on a connection made for it: \
                 `client.get_async_pubsub()`, sync `client.get_connection()?.as_pubsub()`, fred `SubscriberClient`"
                    .to_string(),
            );
        }
    }
    for p in &model.pubsub_uses {
        if in_handler(p.func, p.in_handler) && p.method != "as_pubsub" && p.method != "into_pubsub"
        {
            sink.report(
                p.file,
                p.span,
                format!(
                    "`{}` in request handler `{}`: every request opens its own subscription, which holds a \
                     connection in subscriber mode for as long as it lives",
                    p.method,
                    model.func(p.func).name
                ),
                PER_REQUEST_HELP.to_string(),
            );
        } else if matches!(p.conn.kind, ConnKind::Pooled { .. }) {
            sink.report(
                p.file,
                p.span,
                format!(
                    "`{}` on a connection checked out of a {} pool: it stays in subscriber mode, so it is lost \
                     to the pool while subscribed, and handed back to other callers in that state when released",
                    p.method,
                    p.conn.lib.name()
                ),
                "make a connection for pub/sub from the client (`client.get_connection()?.as_pubsub()`, \
                 `client.get_async_pubsub()`) and keep the pool for commands"
                    .to_string(),
            );
        }
    }
}
