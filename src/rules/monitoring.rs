//! Guide section 10: performance and monitoring. The rules here read Redis
//! configuration files (redis.conf, `redis-server` command lines).

use super::{Check, Rule, Sink};
use crate::diagnostic::{Activation, Impact, RuleMeta};
use crate::server_conf::{ConfFile, ConfKind};

/// The rules of this section, in guide order.
pub static RULES: &[&Rule] = &[&CONF_LATENCY_MONITOR, &CONF_SLOWLOG];

pub static CONF_LATENCY_MONITOR: Rule = Rule {
    meta: RuleMeta {
        id: "conf-latency-monitor",
        section: "10.2",
        impact: Impact::High,
        default: Activation::On,
        summary: "the latency monitor is off: latency spikes go unrecorded",
        doc: include_str!("../../rules/conf-latency-monitor.md"),
        hides_source: false,
    },
    check: Check::Conf(latency_monitor),
};

const LATENCY_HELP: &str =
    "set `latency-monitor-threshold 100` (milliseconds; lower it while investigating): only \
     events slower than the threshold are sampled, so the cost is negligible";

fn latency_monitor(conf: &ConfFile, sink: &mut Sink) {
    if conf.kind == ConfKind::Sentinel {
        return;
    }
    match conf.get("latency-monitor-threshold") {
        Some(d) if d.integer() == Some(0) => sink.report(
            d.file,
            d.full_span(),
            "`latency-monitor-threshold 0` switches the latency monitor off: spikes from forks, AOF fsyncs, \
             expiry cycles or slow commands are not recorded, and LATENCY LATEST / HISTORY / DOCTOR have nothing \
             to show when someone investigates"
                .to_string(),
            LATENCY_HELP.to_string(),
        ),
        Some(_) => {}
        None if conf.reports_missing() => sink.report(
            conf.file,
            conf.origin,
            "no `latency-monitor-threshold`: the latency monitor is off by default, so spikes from forks, AOF \
             fsyncs, expiry cycles or slow commands are not recorded, and LATENCY LATEST / HISTORY / DOCTOR have \
             nothing to show when someone investigates"
                .to_string(),
            LATENCY_HELP.to_string(),
        ),
        None => {}
    }
}

pub static CONF_SLOWLOG: Rule = Rule {
    meta: RuleMeta {
        id: "conf-slowlog",
        section: "10.5",
        impact: Impact::High,
        default: Activation::On,
        summary: "a slow log that is off, misses slow commands, or keeps too few entries",
        doc: include_str!("../../rules/conf-slowlog.md"),
        hides_source: false,
    },
    check: Check::Conf(slowlog),
};

/// Commands slower than this (µs) must reach the slow log.
const MAX_SLOWER_THAN: i64 = 100_000;
/// Fewer entries than this are overwritten before anyone reads them.
const MIN_MAX_LEN: i64 = 128;

fn slowlog(conf: &ConfFile, sink: &mut Sink) {
    if conf.kind == ConfKind::Sentinel {
        return;
    }
    if let Some(d) = conf.get("slowlog-log-slower-than") {
        match d.integer() {
            Some(us) if us < 0 => sink.report(
                d.file,
                d.full_span(),
                format!(
                    "`slowlog-log-slower-than {us}` switches the slow log off: commands that block the server \
                     (KEYS, large range reads, long scripts) leave no trace"
                ),
                "log commands slower than 10 ms: `slowlog-log-slower-than 10000` (the default)".to_string(),
            ),
            Some(us) if us > MAX_SLOWER_THAN => sink.report(
                d.file,
                d.full_span(),
                format!(
                    "only commands slower than {} ms reach the slow log: commands taking tens of milliseconds, \
                     each long enough to stall every other client, are never recorded",
                    us / 1000
                ),
                "log commands slower than 10 ms: `slowlog-log-slower-than 10000` (the default); lower it while \
                 debugging"
                    .to_string(),
            ),
            _ => {}
        }
    }
    if let Some(d) = conf.get("slowlog-max-len") {
        if let Some(n) = d.integer().filter(|n| *n < MIN_MAX_LEN) {
            sink.report(
                d.file,
                d.full_span(),
                format!(
                    "the slow log keeps only {n} entries: a burst of slow commands pushes out the ones you need \
                     before anyone reads them"
                ),
                "keep at least the default 128 entries, better 1000 (`slowlog-max-len 1000`): each entry costs \
                 little memory"
                    .to_string(),
            );
        }
    }
}
