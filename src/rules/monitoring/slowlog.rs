//! `conf-slowlog`: a slow log that is off, misses slow commands, or keeps too
//! few entries.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule, Sink};
use crate::server_conf::{ConfFile, ConfKind};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conf-slowlog",
        section: "10.5",
        impact: Impact::High,
        default: Activation::On,
        summary: "a slow log that is off, misses slow commands, or keeps too few entries",
        doc: include_str!("../../../rules/conf-slowlog.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Conf(slowlog),
    options: None,
    guide_also: &[],
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
