//! `conf-latency-monitor`: the latency monitor is off: latency spikes go
//! unrecorded.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule, Sink};
use crate::server_conf::{ConfFile, ConfKind};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conf-latency-monitor",
        section: "10.2",
        impact: Impact::High,
        default: Activation::On,
        summary: "the latency monitor is off: latency spikes go unrecorded",
        doc: include_str!("../../../rules/conf-latency-monitor.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Conf(latency_monitor),
    options: None,
    guide_also: &[],
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
