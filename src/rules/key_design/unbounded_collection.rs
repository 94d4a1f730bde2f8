//! `key-unbounded-collection`: a list or sorted set that is pushed to but never
//! trimmed, popped or expired.

use std::collections::HashSet;

use super::missing_ttl;
use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::key::Key;
use crate::rules::{GroupKey, queries, Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "key-unbounded-collection",
        section: "2.1",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a list or sorted set that is pushed to but never trimmed, popped or expired",
        doc: include_str!("../../../rules/key-unbounded-collection.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(unbounded_collection),
    options: None,
    guide_also: &[],
};

fn unbounded_collection(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    let bounded = queries::bounded(model);
    let mut reported: HashSet<(u32, String)> = HashSet::new();
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("LPUSH") || c.is("RPUSH") || c.is("ZADD"))
    {
        let Some(key @ Key::Template(_)) = call.keys.first() else {
            continue;
        };
        let shape = key.shape();
        // An ephemeral key without expiry is key-missing-ttl's finding.
        let ephemeral = ctx
            .options::<missing_ttl::Options>()
            .ephemeral_prefix(key)
            .is_some();
        // One finding per problem: a pushed-to chat history is
        // ai-unbounded-history's (it asks for an LTRIM window).
        let history = queries::is_history_push(&call.command, key);
        if ephemeral || history || bounded.contains(key) || !reported.insert((call.func, shape)) {
            continue;
        }
        let (kind, fix) = if call.is("ZADD") {
            (
                "sorted set",
                "ZREMRANGEBYRANK key 0 -(N+1) after adding (or ZREMRANGEBYSCORE for a time window)",
            )
        } else {
            ("list", "LTRIM key 0 N-1 in the same pipeline as the push")
        };
        sink.report_on_key(
            GroupKey::template(key),
            call,
            format!(
                "{} grows the {kind} `{key}`, and nothing in the crate trims, pops or expires it: it grows until \
                 it is a multi-megabyte key that blocks Redis on every full read or delete",
                call.command
            ),
            format!("bound it: {fix}, or give it a TTL"),
        );
    }
}
