//! `conf-volatile-policy`: a volatile-* eviction policy, which only works when
//! keys have TTLs.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::queries::pure_cache;
use crate::rules::{Check, Rule, Sink};
use crate::server_conf::{ConfFile, ConfKind};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conf-volatile-policy",
        section: "7.1",
        impact: Impact::Critical,
        default: Activation::OptIn,
        summary: "a volatile-* eviction policy, which only works when keys have TTLs",
        doc: include_str!("../../../rules/conf-volatile-policy.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Conf(volatile_policy),
    options: None,
    guide_also: &[],
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
