//! `conf-no-persistence`: persistence switched off on an instance not marked as
//! a cache.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule, Sink};
use crate::server_conf::ConfFile;

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conf-no-persistence",
        section: "8.4",
        impact: Impact::Medium,
        default: Activation::On,
        summary: "persistence switched off on an instance not marked as a cache",
        doc: include_str!("../../../rules/conf-no-persistence.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Conf(no_persistence),
    options: None,
    guide_also: &[],
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
