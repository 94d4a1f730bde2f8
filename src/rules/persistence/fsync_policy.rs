//! `conf-fsync-policy`: an AOF whose fsync policy is `no` or left implicit.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule, Sink};
use crate::server_conf::{ConfFile, ConfKind};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conf-fsync-policy",
        section: "8.2",
        impact: Impact::High,
        default: Activation::On,
        summary: "an AOF whose fsync policy is `no` or left implicit",
        doc: include_str!("../../../rules/conf-fsync-policy.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Conf(fsync_policy),
    options: None,
    guide_also: &[],
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
