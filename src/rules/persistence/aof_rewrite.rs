//! `conf-aof-rewrite`: automatic AOF rewriting disabled or set to rewrite far
//! too often.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule, Sink};
use crate::server_conf::{ConfFile, ConfKind, show_memory};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conf-aof-rewrite",
        section: "8.1",
        impact: Impact::Medium,
        default: Activation::On,
        summary: "automatic AOF rewriting disabled or set to rewrite far too often",
        doc: include_str!("../../../rules/conf-aof-rewrite.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Conf(aof_rewrite),
    options: None,
    guide_also: &[],
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
