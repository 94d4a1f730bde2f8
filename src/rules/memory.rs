//! Guide section 7: memory management. The rules here read Redis
//! configuration files (redis.conf, `redis-server` command lines).

use super::{Check, Default, Impact, Rule, Sink};
use crate::conf::{show_memory, ConfFile, ConfKind, Directive};

/// The rules of this section, in guide order.
pub static RULES: &[&Rule] = &[
    &CONF_EVICTION_POLICY,
    &CONF_VOLATILE_POLICY,
    &CONF_NO_MAXMEMORY,
    &CONF_LAZYFREE_OFF,
];

pub static CONF_NO_MAXMEMORY: Rule = Rule {
    id: "conf-no-maxmemory",
    section: "7.2",
    impact: Impact::Critical,
    default: Default::On,
    summary: "a Redis configuration without a memory limit",
    doc: include_str!("../../rules/conf-no-maxmemory.md"),
    check: Check::Conf(no_maxmemory),
};

const MAXMEMORY_HELP: &str = "set `maxmemory` to about 75% of the memory the host or container gives Redis \
     (`maxmemory 6gb` on an 8 GB machine), leaving room for the fork of BGSAVE / AOF rewrites, and pick a \
     `maxmemory-policy` for what happens at the limit";

fn no_maxmemory(conf: &ConfFile, sink: &mut Sink) {
    if conf.kind == ConfKind::Sentinel {
        return;
    }
    match conf.get("maxmemory") {
        Some(d) if d.memory() == Some(0) => sink.report(
            d.file,
            d.full_span(),
            "`maxmemory 0` means no limit: Redis grows until the kernel's OOM killer ends it, losing every write \
             since the last save and failing every client at once"
                .to_string(),
            MAXMEMORY_HELP.to_string(),
        ),
        Some(_) => {}
        None if conf.reports_missing() => sink.report(
            conf.file,
            conf.origin,
            "this Redis configuration sets no `maxmemory`: Redis grows without limit until the kernel's OOM killer \
             ends it, losing every write since the last save and failing every client at once"
                .to_string(),
            MAXMEMORY_HELP.to_string(),
        ),
        None => {}
    }
}

pub static CONF_EVICTION_POLICY: Rule = Rule {
    id: "conf-eviction-policy",
    section: "7.1",
    impact: Impact::Critical,
    default: Default::On,
    summary: "an eviction policy that makes writes fail when memory is full",
    doc: include_str!("../../rules/conf-eviction-policy.md"),
    check: Check::Conf(eviction_policy),
};

/// `save ""` and no AOF: nothing here survives a restart, so the data is
/// meant to be recomputed, i.e. a cache.
fn pure_cache(conf: &ConfFile) -> bool {
    conf.persistence_off()
}

fn eviction_policy(conf: &ConfFile, sink: &mut Sink) {
    if conf.kind == ConfKind::Sentinel {
        return;
    }
    let policy = conf.get("maxmemory-policy");
    let Some(policy) = policy else {
        // A limit with the default policy (`noeviction`): only when nothing
        // else (an included or named config file) may set the policy.
        if !conf.complete {
            return;
        }
        if let Some(max) = conf.get("maxmemory") {
            if let Some(bytes) = max.memory().filter(|b| *b > 0) {
                sink.report(
                    max.file,
                    max.full_span(),
                    format!(
                        "`maxmemory` is {} but no `maxmemory-policy` is set: the default `noeviction` makes every \
                         write fail with an OOM error once the limit is reached, instead of evicting keys",
                        show_memory(bytes)
                    ),
                    "choose the policy for the data explicitly: `allkeys-lru` or `allkeys-lfu` for a cache, \
                     `volatile-lru` / `volatile-ttl` when only keys with a TTL may be evicted, or `noeviction` for \
                     data that must never be dropped (and handle OOM errors in the application)"
                        .to_string(),
                );
            }
        }
        return;
    };
    let Some(value) = policy.arg(0).map(str::to_ascii_lowercase) else {
        return;
    };
    if !pure_cache(conf) {
        return;
    }
    if value == "noeviction" {
        sink.report(
            policy.file,
            policy.full_span(),
            "`noeviction` on an instance without persistence (`save \"\"`, no AOF): if it is a cache, writes fail \
             with OOM errors when memory fills up instead of dropping entries that could be recomputed; if its \
             data must be kept, a restart loses all of it"
                .to_string(),
            "for a cache, use `maxmemory-policy allkeys-lru` (or `allkeys-lfu` when a few keys are much hotter than \
             the rest); for data that must be kept, enable the AOF (`appendonly yes`, `appendfsync everysec`)"
                .to_string(),
        );
    } else if value.starts_with("volatile-") {
        sink.report(
            policy.file,
            policy.full_span(),
            format!(
                "`{value}` on an instance without persistence (`save \"\"`, no AOF): the policy evicts only keys \
                 that have a TTL, so it keeps the others as if they mattered, yet a restart loses them; once they \
                 fill memory, writes fail as with `noeviction`"
            ),
            "for a cache, use `allkeys-lru` or `allkeys-lfu`; for an instance that mixes expiring cache keys with \
             data that must stay, enable the AOF (`appendonly yes`) so that data survives restarts"
                .to_string(),
        );
    }
}

pub static CONF_VOLATILE_POLICY: Rule = Rule {
    id: "conf-volatile-policy",
    section: "7.1",
    impact: Impact::Critical,
    default: Default::OptIn,
    summary: "a volatile-* eviction policy, which only works when keys have TTLs",
    doc: include_str!("../../rules/conf-volatile-policy.md"),
    check: Check::Conf(volatile_policy),
};

fn volatile_policy(conf: &ConfFile, sink: &mut Sink) {
    if conf.kind == ConfKind::Sentinel {
        return;
    }
    let Some(policy) = conf.get("maxmemory-policy") else {
        return;
    };
    let Some(value) = policy.arg(0).map(str::to_ascii_lowercase) else {
        return;
    };
    // On a pure cache `conf-eviction-policy` reports the same directive.
    if !value.starts_with("volatile-") || pure_cache(conf) {
        return;
    }
    sink.report(
        policy.file,
        policy.full_span(),
        format!(
            "`{value}` evicts only keys that have a TTL: if the application writes keys without one, Redis \
             cannot make room and writes fail with OOM errors as under `noeviction`"
        ),
        "check that every key that may be dropped is written with an expiry (SET … EX, EXPIRE); if all keys \
         are disposable, `allkeys-lru` / `allkeys-lfu` needs no TTLs"
            .to_string(),
    );
}

pub static CONF_LAZYFREE_OFF: Rule = Rule {
    id: "conf-lazyfree-off",
    section: "7.5",
    impact: Impact::Medium,
    default: Default::On,
    summary: "lazy freeing switched off: large deletions block the server",
    doc: include_str!("../../rules/conf-lazyfree-off.md"),
    check: Check::Conf(lazyfree_off),
};

/// The lazy-freeing switches the guide asks for, with what each covers.
const LAZYFREE: [(&str, &str); 4] = [
    ("lazyfree-lazy-eviction", "eviction"),
    ("lazyfree-lazy-expire", "expiry"),
    (
        "lazyfree-lazy-server-del",
        "implicit deletes (RENAME, SET over a key)",
    ),
    ("lazyfree-lazy-user-del", "DEL"),
];

fn lazyfree_off(conf: &ConfFile, sink: &mut Sink) {
    if conf.kind == ConfKind::Sentinel {
        return;
    }
    let mut off: Vec<&str> = Vec::new();
    // The switch written as `no` that Redis reads first.
    let mut first_explicit: Option<(usize, &Directive)> = None;
    for (name, what) in LAZYFREE {
        match conf.get(name) {
            Some(d) if d.flag() == Some(false) => {
                off.push(what);
                let at = conf
                    .directives
                    .iter()
                    .position(|x| std::ptr::eq(x, d))
                    .unwrap_or(usize::MAX);
                if first_explicit.is_none_or(|(first, _)| at < first) {
                    first_explicit = Some((at, d));
                }
            }
            None if conf.reports_missing() => off.push(what),
            _ => {}
        }
    }
    if off.is_empty() {
        return;
    }
    let (file, span) = match first_explicit {
        Some((_, d)) => (d.file, d.full_span()),
        None => (conf.file, conf.origin),
    };
    sink.report(
        file,
        span,
        format!(
            "lazy freeing is off for {}: freeing a large key (a set or hash with millions of elements) then \
             runs on the main thread and blocks every client until it is done",
            off.join(", ")
        ),
        "set `lazyfree-lazy-eviction yes`, `lazyfree-lazy-expire yes`, `lazyfree-lazy-server-del yes` and \
         `lazyfree-lazy-user-del yes` (Redis 6.0+): memory is then reclaimed by a background thread"
            .to_string(),
    );
}
