//! `conf-lazyfree-off`: lazy freeing switched off: large deletions block the
//! server.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::{Check, Rule, Sink};
use crate::server_conf::{ConfFile, ConfKind, Directive};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conf-lazyfree-off",
        section: "7.5",
        impact: Impact::Medium,
        default: Activation::On,
        summary: "lazy freeing switched off: large deletions block the server",
        doc: include_str!("../../../rules/conf-lazyfree-off.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Conf(lazyfree_off),
    options: None,
    guide_also: &[],
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
