//! `cluster-replica-reads`: a cluster client that sends every read to the
//! primaries.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::{command, Call, ConnKind, CrateModel, Lib};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cluster-replica-reads",
        section: "9.4",
        impact: Impact::Medium,
        default: Activation::OptIn,
        summary: "a cluster client that sends every read to the primaries",
        doc: include_str!("../../../rules/cluster-replica-reads.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(replica_reads),
    options: None,
    guide_also: &[],
};

fn replica_reads(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    // Replicas only help a crate that reads: a sink that only writes (and
    // deletes) gains nothing from them.
    if !reads_anything(model) {
        return;
    }
    // redis-rs cluster clients and deadpool cluster pools built in a fn
    // that never mentions replica reads.
    let builds = model.creations.iter().filter(|c| {
        matches!(
            (c.lib, c.makes),
            (Lib::RedisRs, ConnKind::ClusterClient)
                | (Lib::Deadpool, ConnKind::Pool { cluster: true })
        )
    });
    for c in builds {
        if model.func(c.func).reads_from_replicas {
            continue;
        }
        let help = if c.lib == Lib::Deadpool {
            "set `read_from_replicas: true` in `deadpool_redis::cluster::Config` for reads that tolerate \
             replication lag"
        } else {
            "build with `ClusterClient::builder(nodes).read_routing_strategy(RandomReplicaStrategy)` \
             (`redis::cluster_read_routing`; `.read_from_replicas()` before redis-rs 1.x) so read-only \
             commands go to replicas (reads may then lag the primary by the replication delay)"
        };
        sink.report(
            c.file,
            c.span,
            format!(
                "`{}` builds a cluster client that sends every read to the primaries: the replicas only copy \
                 data, and read-heavy traffic is capped by the primaries alone",
                c.what
            ),
            help.to_string(),
        );
    }
    for site in &model.fred_cluster_configs {
        if model.func(site.func).reads_from_replicas {
            continue;
        }
        sink.report(
            site.file,
            site.span,
            "this fred cluster configuration sets up no replica connections: every read goes to the \
             primaries, and the replicas only copy data"
                .to_string(),
            "configure `ReplicaConfig` (the `replicas` feature: `replica` in `with_connection_config`) and \
             send lag-tolerant reads through `client.replicas()`"
                .to_string(),
        );
    }
}

/// The crate sends a plain read (a command that changes nothing).
fn reads_anything(model: &CrateModel) -> bool {
    let known = model.calls.iter().filter(|c| c.spec.is_some() && !c.is_blocking());
    let changes = command::flags::WRITE | command::flags::DELETE | command::flags::EXPIRY;
    known.into_iter().any(|c: &Call| !c.has(changes))
}
