//! `conf-no-maxmemory`: a Redis configuration without a memory limit.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule, Sink};
use crate::server_conf::{ConfFile, ConfKind};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conf-no-maxmemory",
        section: "7.2",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a Redis configuration without a memory limit",
        doc: include_str!("../../../rules/conf-no-maxmemory.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Conf(no_maxmemory),
    options: None,
    guide_also: &[],
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
