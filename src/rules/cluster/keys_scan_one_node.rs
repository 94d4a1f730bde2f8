//! `cluster-keys-scan-one-node`: SCAN (or fred KEYS) on a cluster connection
//! walks one node's keys only.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::{Api, Call, CrateModel, NodePath};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cluster-keys-scan-one-node",
        section: "9.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "SCAN (or fred KEYS) on a cluster connection walks one node's keys only",
        doc: include_str!("../../../rules/cluster-keys-scan-one-node.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(keys_scan_one_node),
    options: None,
    guide_also: &[],
};

/// Whether the call surely runs on a cluster: its receiver says so, or the
/// branch it sits in was chosen by a cluster condition, or its kind is
/// unknown and the crate makes cluster clients and no single-node ones (a
/// crate with both cannot tell which one a generic receiver is).
fn surely_on_cluster(model: &CrateModel, call: &Call) -> bool {
    match (call.conn.and_then(|c| c.kind.is_cluster()), call.node_path) {
        (Some(known), _) => known,
        (None, Some(path)) => path == NodePath::Cluster,
        (None, None) => {
            model.uses_cluster
                && !model
                    .creations
                    .iter()
                    .any(|c| c.makes.is_cluster() == Some(false))
        }
    }
}

/// A pattern with a `{hash tag}` names keys of one slot: fred sends its SCAN
/// to that slot's node, which holds every match.
fn tagged_pattern(pattern: &str) -> bool {
    pattern
        .split_once('{')
        .and_then(|(_, rest)| rest.split_once('}'))
        .is_some_and(|(tag, _)| !tag.is_empty() && !tag.contains(['*', '?', '[']))
}

fn keys_scan_one_node(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in &model.calls {
        // redis-rs's cluster client sends KEYS to every primary and merges
        // the replies (key-keys-command still reports it); fred does not.
        let one_node = match call.command.as_str() {
            "SCAN" => {
                !(call.api == Api::Fred && call.opts.pattern.as_deref().is_some_and(tagged_pattern))
            }
            "KEYS" => call.api == Api::Fred,
            _ => false,
        };
        if !one_node || call.pipe.is_some() || !surely_on_cluster(model, call) {
            continue;
        }
        let what = match &call.opts.pattern {
            Some(p) => format!("{} `{p}`", call.command_named()),
            None => call.command_named(),
        };
        let help = match call.api {
            Api::Fred => "use `scan_cluster` (or `scan_cluster_buffered`), which scans every primary node",
            Api::RedisRs => {
                "redis-rs sends SCAN to one node: open a connection to each primary (the nodes of `CLUSTER \
                 SHARDS`) and scan each, or keep the keys you need to enumerate in a set or under one hash tag"
            }
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{what} on a cluster connection runs on a single node, so it only sees the keys of that node's \
                 slots: keys on the other primaries are silently missed"
            ),
            help.to_string(),
        );
    }
}
