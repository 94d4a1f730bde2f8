//! Guide section 9: clustering.

use std::collections::BTreeMap;

use super::security::parse_url;
use super::{Check, Rule, Sink};
use crate::diagnostic::{Activation, Impact, RuleMeta};
use crate::model::command::flags;
use crate::model::key::{Key, SlotClass};
use crate::model::{lua, Api, Call, ConnKind, CrateModel, Lib, Span};

/// The rules of this section, in guide order.
pub static RULES: &[&Rule] = &[
    &CROSSSLOT,
    &KEYS_SCAN_ONE_NODE,
    &LUA_UNDECLARED_KEYS,
    &REPLICA_READS,
    &HARDCODED_MASTER,
    &CONF_SENTINEL_QUORUM,
];

pub static CROSSSLOT: Rule = Rule {
    meta: RuleMeta {
        id: "cluster-crossslot",
        section: "9.3",
        impact: Impact::High,
        default: Activation::On,
        summary:
            "a multi-key command, pipeline or transaction whose keys live in different cluster slots",
        doc: include_str!("../../rules/cluster-crossslot.md"),
        hides_source: false,
    },
    check: Check::Code(crossslot),
};

/// Describes why the keys may live in different slots, or `None` when they
/// provably share one (or nothing is known about some of them).
fn slot_conflict<'a>(keys: impl IntoIterator<Item = &'a Key>) -> Option<String> {
    let mut classes: Vec<(&Key, SlotClass)> = Vec::new();
    for key in keys {
        let class = key.slot_class();
        if class == SlotClass::Unknown {
            return None;
        }
        if !classes.iter().any(|(k, _)| *k == key) {
            classes.push((key, class));
        }
    }
    let first = &classes.first()?.1;
    if classes.iter().all(|(_, c)| c == first) {
        return None;
    }
    let shown: Vec<String> = classes
        .iter()
        .map(|(k, c)| match c {
            SlotClass::Exact(slot) => format!("`{k}` (slot {slot})"),
            _ => format!("`{k}`"),
        })
        .collect();
    Some(shown.join(", "))
}

fn crossslot(model: &CrateModel, sink: &mut Sink) {
    for call in &model.calls {
        if call.keys.len() < 2 || !call.has(flags::SAME_SLOT) || !model.on_cluster(call) {
            continue;
        }
        // redis-rs's cluster client splits these per slot and merges the replies.
        if call.api == Api::RedisRs && call.has(flags::SPLIT_BY_REDIS_RS_CLUSTER) {
            continue;
        }
        if let Some(keys) = slot_conflict(&call.keys) {
            sink.report(
                call.file,
                call.span,
                format!("{} on a cluster touches keys in different hash slots: {keys}; the server answers CROSSSLOT", call.command),
                "put the keys that must be used together under one hash tag, e.g. `{user:42}:following` and \
                 `{user:42}:followers`"
                    .to_string(),
            );
        }
    }
    crossslot_pipelines(model, sink);
}

/// Pipelines run on redis-rs's async cluster (sent to one node as a whole)
/// and transactions anywhere on a cluster must keep all keys in one slot.
fn crossslot_pipelines(model: &CrateModel, sink: &mut Sink) {
    let mut pipes: BTreeMap<u32, Vec<&Call>> = BTreeMap::new();
    for call in &model.calls {
        if let Some(p) = call.pipe {
            pipes.entry(p).or_default().push(call);
        }
    }
    for (id, calls) in pipes {
        let Some(pipe) = model.pipes.get(&id) else {
            continue;
        };
        let on_cluster = match pipe.exec.and_then(|c| c.kind.is_cluster()) {
            Some(known) => known,
            None => {
                pipe.transaction
                    && calls.first().is_some_and(|c| c.api == Api::Fred)
                    && model.uses_cluster
            }
        };
        if !on_cluster {
            continue;
        }
        let mut keys: Vec<&Key> = Vec::new();
        for call in &calls {
            keys.extend(call.keys.iter());
            if let Some(conflict) = slot_conflict(keys.iter().copied()) {
                let what = if pipe.transaction || pipe.atomic {
                    "transaction"
                } else {
                    "pipeline"
                };
                sink.report(
                    call.file,
                    call.span,
                    format!("this {what} on a cluster mixes keys from different hash slots: {conflict}"),
                    "a cluster pipeline or transaction goes to one node: keep its keys under one hash tag, or \
                     split it per slot"
                        .to_string(),
                );
                break;
            }
        }
    }
}

pub static KEYS_SCAN_ONE_NODE: Rule = Rule {
    meta: RuleMeta {
        id: "cluster-keys-scan-one-node",
        section: "9.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "SCAN (or fred KEYS) on a cluster connection walks one node's keys only",
        doc: include_str!("../../rules/cluster-keys-scan-one-node.md"),
        hides_source: false,
    },
    check: Check::Code(keys_scan_one_node),
};

/// Whether the call surely runs on a cluster: its receiver says so, or its
/// kind is unknown and the crate makes cluster clients and no single-node
/// ones (a crate with both cannot tell which one a generic receiver is).
fn surely_on_cluster(model: &CrateModel, call: &Call) -> bool {
    match call.conn.and_then(|c| c.kind.is_cluster()) {
        Some(known) => known,
        None => {
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

fn keys_scan_one_node(model: &CrateModel, sink: &mut Sink) {
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
            Some(p) => format!("{} `{p}`", call.command),
            None => call.command.clone(),
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

pub static LUA_UNDECLARED_KEYS: Rule = Rule {
    meta: RuleMeta {
        id: "cluster-lua-undeclared-keys",
        section: "9.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "a Lua script that touches a key not passed in KEYS",
        doc: include_str!("../../rules/cluster-lua-undeclared-keys.md"),
        hides_source: false,
    },
    check: Check::Code(lua_undeclared_keys),
};

fn lua_undeclared_keys(model: &CrateModel, sink: &mut Sink) {
    for script in &model.scripts {
        let Some(decoded) = lua::decode_literal(&script.text.source) else {
            continue;
        };
        let chars: Vec<char> = decoded.iter().map(|d| d.0).collect();
        let start = script.text.span.start;
        for key in lua::undeclared_keys(&chars) {
            // Point at the key inside the literal, on its own source line.
            let span = Span {
                start: lua::source_pos(&decoded, key.start, start),
                end: {
                    let mut end = lua::source_pos(&decoded, key.end - 1, start);
                    end.col += 1;
                    end
                },
            };
            let what = match &key.via {
                Some(local) => format!("the local `{local}`, which is built from a string literal"),
                None => format!("`{}`", key.expr),
            };
            sink.report(
                script.file,
                span,
                format!(
                    "this script runs {} on {what}, a key it was not given in KEYS: Redis Cluster routes a \
                     script by its declared keys, so an undeclared key may live on another node (the call \
                     fails, or touches the wrong data), and servers, proxies and replication cannot see \
                     what the script accesses",
                    key.command
                ),
                "pass every key the script touches in KEYS (`Script::key(..)`, the keys of `EVAL`, fred's \
                 `eval(script, keys, args)`) and read it as `KEYS[n]`; on a cluster, give related keys one \
                 hash tag"
                    .to_string(),
            );
        }
    }
}

pub static REPLICA_READS: Rule = Rule {
    meta: RuleMeta {
        id: "cluster-replica-reads",
        section: "9.4",
        impact: Impact::Medium,
        default: Activation::OptIn,
        summary: "a cluster client that sends every read to the primaries",
        doc: include_str!("../../rules/cluster-replica-reads.md"),
        hides_source: false,
    },
    check: Check::Code(replica_reads),
};

fn replica_reads(model: &CrateModel, sink: &mut Sink) {
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

pub static HARDCODED_MASTER: Rule = Rule {
    meta: RuleMeta {
        id: "cluster-hardcoded-master",
        section: "9.5",
        impact: Impact::High,
        default: Activation::OptIn,
        summary: "a connection URL that names the master host directly instead of asking Sentinel",
        doc: include_str!("../../rules/cluster-hardcoded-master.md"),
        hides_source: true,
    },
    check: Check::Code(hardcoded_master),
};

/// A host name with `master` or `primary` as one of its words.
fn names_master(host: &str) -> bool {
    host.to_ascii_lowercase()
        .split(['.', '-', '_'])
        .any(|w| matches!(w, "master" | "primary" | "redismaster" | "redisprimary"))
}

/// A Sentinel's own address (handed to a Sentinel client): its host says
/// `sentinel`, or it uses Sentinel's port 26379.
fn addresses_sentinel(url: &str, host: &str) -> bool {
    host.to_ascii_lowercase().contains("sentinel")
        || url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', '?', '#']).next())
            .is_some_and(|authority| authority.ends_with(":26379"))
}

fn hardcoded_master(model: &CrateModel, sink: &mut Sink) {
    for lit in &model.url_literals {
        let Some(url) = parse_url(&lit.text) else {
            continue;
        };
        if !names_master(url.host) || addresses_sentinel(&lit.text, url.host) {
            continue;
        }
        sink.report(
            lit.file,
            lit.span,
            format!(
                "this Redis URL connects straight to the master host `{}`: after a failover that host is a \
                 replica (writes fail with READONLY) or gone, and the client keeps using it",
                url.host
            ),
            "connect through Sentinel, which names the current master (`redis::sentinel::SentinelClient`, \
             fred `ServerConfig::new_sentinel`), or through an address your failover tooling moves"
                .to_string(),
        );
    }
}

// Configuration files (sentinel.conf).

pub static CONF_SENTINEL_QUORUM: Rule = Rule {
    meta: RuleMeta {
        id: "conf-sentinel-quorum",
        section: "9.5",
        impact: Impact::High,
        default: Activation::On,
        summary: "a Sentinel quorum of 1: one Sentinel alone can declare the master down",
        doc: include_str!("../../rules/conf-sentinel-quorum.md"),
        hides_source: false,
    },
    check: Check::Conf(sentinel_quorum),
};

fn sentinel_quorum(conf: &crate::server_conf::ConfFile, sink: &mut Sink) {
    if conf.kind != crate::server_conf::ConfKind::Sentinel {
        return;
    }
    // sentinel monitor <master-name> <ip> <port> <quorum>
    for d in conf.directives.iter().filter(|d| {
        d.name == "sentinel" && d.arg(0).is_some_and(|a| a.eq_ignore_ascii_case("monitor"))
    }) {
        let Some(quorum) = d.arg(4).and_then(|q| q.parse::<i64>().ok()) else {
            continue;
        };
        if quorum > 1 {
            continue;
        }
        let master = d.arg(1).unwrap_or("?");
        sink.report(
            d.file,
            d.arg_span(4),
            format!(
                "quorum {quorum} for master `{master}`: a single Sentinel that loses sight of the master (a network \
                 problem on its own side) is enough to mark it down and trigger a failover, and a deployment with \
                 one Sentinel has no failover left when that Sentinel fails"
            ),
            format!(
                "run at least three Sentinels on separate hosts and set the quorum to a majority of them: \
                 `sentinel monitor {master} <ip> <port> 2` for three"
            ),
        );
    }
}
