//! `conn-command-in-loop`: one round trip per loop item where a pipeline or a
//! multi-key command would do.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::LoopKind;
use crate::rules::{queries, Check, GroupKey, Rule, RuleContext, SiteRole, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-command-in-loop",
        section: "3.5",
        impact: Impact::High,
        default: Activation::On,
        summary: "one round trip per loop item where a pipeline or a multi-key command would do",
        doc: include_str!("../../../rules/conn-command-in-loop.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(command_in_loop),
    options: None,
    guide_also: &["4.4"],
};

fn batch_hint(command: &str) -> &'static str {
    match command {
        "GET" => "one MGET",
        "SET" => "one MSET (or a pipeline when each key needs its own expiry)",
        "HGET" | "HGETALL" => "a pipeline, or HMGET for several fields of one hash",
        "SADD" | "RPUSH" | "LPUSH" | "ZADD" | "DEL" | "UNLINK" | "SREM" | "HDEL" => {
            "one variadic call with all items, or a pipeline"
        }
        _ => "a pipeline (`redis::pipe()`, fred `pipeline()`) sent once after the loop",
    }
}

fn command_in_loop(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in &model.calls {
        let Some(ctx) = call.in_loop else { continue };
        let iterating = matches!(ctx.kind, LoopKind::For | LoopKind::IterClosure);
        if !iterating
            || !ctx.key_from_item
            || call.pipe.is_some()
            || call.is_blocking()
            || call.is("SCAN")
            // One finding per problem: TS.ADD per item is
            // mod-timeseries-add-in-loop's (it names TS.MADD).
            || queries::is_ts_add_in_loop(call)
        {
            continue;
        }
        let message = format!(
            "{} runs once per loop item: N items cost N network round trips, and latency, not Redis, \
             becomes the bottleneck",
            call.command_named()
        );
        let help = format!("collect the keys and send {}", batch_hint(&call.command));
        // One loop body is batched as a whole: its round trips are one problem.
        match call.loops.last() {
            Some(&id) => {
                let group = GroupKey::Loop {
                    file: call.file,
                    id,
                };
                sink.report_in(group, SiteRole::Origin, call.file, call.span, message, help);
            }
            None => sink.report(call.file, call.span, message, help),
        }
    }
}
