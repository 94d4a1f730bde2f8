//! `cluster-hardcoded-master`: a connection URL that names the master host
//! directly instead of asking Sentinel.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::queries::parse_url;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cluster-hardcoded-master",
        section: "9.5",
        impact: Impact::High,
        default: Activation::OptIn,
        summary: "a connection URL that names the master host directly instead of asking Sentinel",
        doc: include_str!("../../../rules/cluster-hardcoded-master.md"),
        hides_source: true,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(hardcoded_master),
    options: None,
    guide_also: &[],
};

/// A host name with `master` or `primary` as one of its words.
fn names_master(host: &str) -> bool {
    host.to_ascii_lowercase()
        .split(['.', '-', '_'])
        .any(|w| matches!(w, "master" | "primary" | "redismaster" | "redisprimary"))
}

/// A Sentinel's own address (handed to a Sentinel client): its host says
/// `sentinel`, or it uses Sentinel's port 26379.
fn addresses_sentinel(url: &str, host: &str) -> bool {
    host.to_ascii_lowercase().contains("sentinel")
        || url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split(['/', '?', '#']).next())
            .is_some_and(|authority| authority.ends_with(":26379"))
}

fn hardcoded_master(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for lit in &model.url_literals {
        let Some(url) = parse_url(&lit.text) else {
            continue;
        };
        if !names_master(url.host) || addresses_sentinel(&lit.text, url.host) {
            continue;
        }
        sink.report(
            lit.file,
            lit.span,
            format!(
                "this Redis URL connects straight to the master host `{}`: after a failover that host is a \
                 replica (writes fail with READONLY) or gone, and the client keeps using it",
                url.host
            ),
            "connect through Sentinel, which names the current master (`redis::sentinel::SentinelClient`, \
             fred `ServerConfig::new_sentinel`), or through an address your failover tooling moves"
                .to_string(),
        );
    }
}
