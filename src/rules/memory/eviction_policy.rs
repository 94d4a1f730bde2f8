//! `conf-eviction-policy`: an eviction policy that makes writes fail when
//! memory is full.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::queries::pure_cache;
use crate::rules::{Check, Rule, Sink};
use crate::server_conf::{ConfFile, ConfKind, show_memory};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conf-eviction-policy",
        section: "7.1",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "an eviction policy that makes writes fail when memory is full",
        doc: include_str!("../../../rules/conf-eviction-policy.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Conf(eviction_policy),
    options: None,
    guide_also: &[],
};

fn eviction_policy(conf: &ConfFile, sink: &mut Sink) {
    if conf.kind == ConfKind::Sentinel {
        return;
    }
    let policy = conf.get("maxmemory-policy");
    let Some(policy) = policy else {
        // A limit with the default policy (`noeviction`): only when nothing
        // else (an included or named config file) may set the policy.
        if !conf.judges_absence() {
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
