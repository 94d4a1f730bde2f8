//! `conf-sentinel-quorum`: a Sentinel quorum of 1: one Sentinel alone can
//! declare the master down.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conf-sentinel-quorum",
        section: "9.5",
        impact: Impact::High,
        default: Activation::On,
        summary: "a Sentinel quorum of 1: one Sentinel alone can declare the master down",
        doc: include_str!("../../../rules/conf-sentinel-quorum.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Conf(sentinel_quorum),
    options: None,
    guide_also: &[],
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
