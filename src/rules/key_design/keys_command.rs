//! `key-keys-command`: KEYS walks the whole keyspace in one blocking call;
//! iterate with SCAN.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::Api;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "key-keys-command",
        section: "2.6",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "KEYS walks the whole keyspace in one blocking call; iterate with SCAN",
        doc: include_str!("../../../rules/key-keys-command.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(keys_command),
    options: None,
    guide_also: &["4.2"],
};

fn keys_command(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    // A helper's KEYS is reported where the helper sends it, not again at
    // each caller.
    for call in model.calls.iter().filter(|c| c.is("KEYS") && c.through.is_none()) {
        let help = if call.result_len {
            "only the count is used: DBSIZE (or INFO keyspace) answers in O(1); for a count of matching keys, \
             iterate with SCAN MATCH and count as you go"
                .to_string()
        } else {
            match call.api {
                Api::RedisRs => "iterate with SCAN instead: `con.scan_match(pattern)` (or `scan_options` with a COUNT) \
                                 returns an iterator that fetches one small batch per round trip"
                    .to_string(),
                Api::Fred => "iterate with SCAN instead: `client.scan(pattern, Some(100), None)` streams pages of keys \
                              without blocking the server"
                    .to_string(),
            }
        };
        sink.report(
            call.file,
            call.span,
            "KEYS scans every key in the database while the server blocks all other clients; its cost grows with \
             the keyspace, not with the result"
                .to_string(),
            help,
        );
    }
}
