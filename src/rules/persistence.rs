//! Guide section 8: persistence. The rules here read Redis configuration
//! files (redis.conf, `redis-server` command lines).

use super::{Check, Rule, Sink};
use crate::diagnostic::{Activation, Impact, RuleMeta};
use crate::server_conf::{show_memory, ConfFile, ConfKind};

/// The rules of this section, in guide order.
pub static RULES: &[&Rule] = &[&CONF_AOF_REWRITE, &CONF_FSYNC_POLICY, &CONF_NO_PERSISTENCE];

pub static CONF_AOF_REWRITE: Rule = Rule {
    meta: RuleMeta {
        id: "conf-aof-rewrite",
        section: "8.1",
        impact: Impact::Medium,
        default: Activation::On,
        summary: "automatic AOF rewriting disabled or set to rewrite far too often",
        doc: include_str!("../../rules/conf-aof-rewrite.md"),
        hides_source: false,
    },
    check: Check::Conf(aof_rewrite),
};

/// Below these the AOF is rewritten (a fork and a full dataset write) for
/// small growth.
const MIN_REWRITE_PERCENTAGE: i64 = 50;
const MIN_REWRITE_SIZE: u64 = 16 << 20;

fn aof_rewrite(conf: &ConfFile, sink: &mut Sink) {
    if conf.kind == ConfKind::Sentinel || conf.aof() != Some(true) {
        return;
    }
    if let Some(d) = conf.get("auto-aof-rewrite-percentage") {
        match d.integer() {
            Some(0) => sink.report(
                d.file,
                d.full_span(),
                "`auto-aof-rewrite-percentage 0` turns automatic AOF rewriting off: the append-only file grows with \
                 every write until the disk is full, and a restart replays all of it"
                    .to_string(),
                "let Redis compact the AOF when it has doubled: `auto-aof-rewrite-percentage 100` with \
                 `auto-aof-rewrite-min-size 64mb`"
                    .to_string(),
            ),
            Some(p) if (1..MIN_REWRITE_PERCENTAGE).contains(&p) => sink.report(
                d.file,
                d.full_span(),
                format!(
                    "the AOF is rewritten each time it grows by {p}%: every rewrite forks and writes the whole \
                     dataset, so rewrites run almost constantly and cost CPU, disk I/O and latency"
                ),
                "rewrite when the file has doubled: `auto-aof-rewrite-percentage 100`".to_string(),
            ),
            _ => {}
        }
    }
    if let Some(d) = conf.get("auto-aof-rewrite-min-size") {
        if let Some(bytes) = d.memory().filter(|b| *b < MIN_REWRITE_SIZE) {
            sink.report(
                d.file,
                d.full_span(),
                format!(
                    "`auto-aof-rewrite-min-size` is {}: tiny append-only files already trigger rewrites, each a \
                     fork and a full dataset write",
                    show_memory(bytes)
                ),
                "`auto-aof-rewrite-min-size 64mb` (the default) keeps small files from being rewritten".to_string(),
            );
        }
    }
}

pub static CONF_FSYNC_POLICY: Rule = Rule {
    meta: RuleMeta {
        id: "conf-fsync-policy",
        section: "8.2",
        impact: Impact::High,
        default: Activation::On,
        summary: "an AOF whose fsync policy is `no` or left implicit",
        doc: include_str!("../../rules/conf-fsync-policy.md"),
        hides_source: false,
    },
    check: Check::Conf(fsync_policy),
};

fn fsync_policy(conf: &ConfFile, sink: &mut Sink) {
    if conf.kind == ConfKind::Sentinel || conf.aof() != Some(true) {
        return;
    }
    match conf.get("appendfsync") {
        Some(d) if d.arg(0).is_some_and(|v| v.eq_ignore_ascii_case("no")) => sink.report(
            d.file,
            d.full_span(),
            "`appendfsync no` leaves flushing the AOF to the operating system (typically every 30 seconds): a \
             power loss or kernel crash loses that many seconds of acknowledged writes, while the AOF still costs \
             its write overhead"
                .to_string(),
            "use `appendfsync everysec` (at most about one second lost; the usual choice) or `always` for data \
             that must not lose a write; if losing minutes is acceptable, RDB snapshots alone are cheaper"
                .to_string(),
        ),
        Some(_) => {}
        None if conf.reports_missing() => {
            let Some(aof) = conf.get("appendonly") else {
                return;
            };
            sink.report(
                aof.file,
                aof.full_span(),
                "the AOF is on but `appendfsync` is not set: how many acknowledged writes a crash may lose is \
                 left to the default (`everysec`, about one second) instead of being a reviewed decision"
                    .to_string(),
                "write the policy next to `appendonly yes`: `appendfsync everysec` for most data, `always` when no \
                 acknowledged write may be lost"
                    .to_string(),
            );
        }
        None => {}
    }
}

pub static CONF_NO_PERSISTENCE: Rule = Rule {
    meta: RuleMeta {
        id: "conf-no-persistence",
        section: "8.4",
        impact: Impact::Medium,
        default: Activation::On,
        summary: "persistence switched off on an instance not marked as a cache",
        doc: include_str!("../../rules/conf-no-persistence.md"),
        hides_source: false,
    },
    check: Check::Conf(no_persistence),
};

fn no_persistence(conf: &ConfFile, sink: &mut Sink) {
    if !conf.reports_missing() || !conf.persistence_off() {
        return;
    }
    let Some(save) = conf.get("save") else {
        return;
    };
    // With a policy, `conf-eviction-policy` judges the combination (an
    // `allkeys-*` policy marks a cache, for which this is right); with a
    // limit but no policy it reports the missing policy, whose fix
    // (`allkeys-lru`) also settles this.
    if conf.get("maxmemory-policy").is_some() || conf.maxmemory().is_some_and(|m| m > 0) {
        return;
    }
    sink.report(
        save.file,
        save.full_span(),
        "persistence is off (`save \"\"` and no AOF), so a restart or crash starts this instance empty, and \
         nothing here says the data is a disposable cache"
            .to_string(),
        "if this is a pure cache, say so with a limit and an evicting policy (`maxmemory 2gb`, \
         `maxmemory-policy allkeys-lru`); if the data must survive, enable the AOF (`appendonly yes`, \
         `appendfsync everysec`) and/or RDB snapshots (`save 3600 1 300 100 60 10000`)"
            .to_string(),
    );
}
