//! `conn-sequential-batchable`: back-to-back single-key commands that one
//! multi-key or variadic command would do.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{queries, Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-sequential-batchable",
        section: "4.4",
        impact: Impact::High,
        default: Activation::On,
        summary: "back-to-back single-key commands that one multi-key or variadic command would do",
        doc: include_str!("../../../rules/conn-sequential-batchable.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(sequential_batchable),
    options: None,
    guide_also: &[],
};

/// What a run of the same command batches into: GETs of any keys, HGETs
/// and appends of one key.
fn batched_form(command: &str) -> Option<(&'static str, bool)> {
    Some(match command {
        "GET" => ("MGET", false),
        "EXISTS" => ("one EXISTS with all the keys", false),
        "HGET" => ("HMGET", true),
        "SADD" => ("one variadic SADD", true),
        "RPUSH" => ("one variadic RPUSH", true),
        "LPUSH" => ("one variadic LPUSH", true),
        "SREM" => ("one variadic SREM", true),
        "HDEL" => ("one variadic HDEL", true),
        _ => return None,
    })
}

fn sequential_batchable(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    let grouped = queries::field_group_calls(model);
    for calls in model.events_by_fn().values() {
        for pair in calls.windows(2) {
            let (first, second) = (pair[0], pair[1]);
            let Some((batch, same_key)) = batched_form(&second.command) else {
                continue;
            };
            let independent = !second
                .inputs
                .iter()
                .any(|s| s.reply_seq() == Some(first.seq));
            let together = first.command == second.command
                && first.block == second.block
                && first.conn == second.conn
                && first.keys.len() == 1
                && second.keys.len() == 1
                && (!same_key || first.keys == second.keys)
                // Reading one key twice wants the first reply kept, not MGET.
                && (same_key || first.keys != second.keys)
                && first.pipe.is_none()
                && second.pipe.is_none()
                && second.loops.is_empty()
                && independent;
            // Several fields of one object as separate keys is
            // ds-fields-as-separate-keys's finding; fred does not split a
            // cross-slot MGET.
            let other_rule = grouped.contains(&(second.file, second.seq))
                || (first.keys != second.keys
                    && model.on_cluster(second)
                    && second.api == crate::model::Api::Fred);
            if !together || other_rule {
                continue;
            }
            sink.report(
                second.file,
                second.span,
                format!(
                    "{} on `{}` right after {} on `{}` (line {}): two round trips where {batch} needs one",
                    second.command,
                    second.keys[0],
                    first.command,
                    first.keys[0],
                    first.span.start.line
                ),
                format!("send them as {batch} (or queue both on a pipeline)"),
            );
        }
    }
}
