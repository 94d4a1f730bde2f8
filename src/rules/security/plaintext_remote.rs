//! `sec-plaintext-remote`: a redis:// URL to a remote host: traffic and
//! password travel unencrypted.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::queries::{is_remote, parse_url};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "sec-plaintext-remote",
        section: "sec",
        impact: Impact::Medium,
        default: Activation::On,
        summary: "a redis:// URL to a remote host: traffic and password travel unencrypted",
        doc: include_str!("../../../rules/sec-plaintext-remote.md"),
        hides_source: true,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(plaintext_remote),
    options: None,
    guide_also: &[],
};

fn plaintext_remote(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for lit in &model.url_literals {
        let Some(url) = parse_url(&lit.text) else {
            continue;
        };
        if url.tls || !is_remote(url.host) {
            continue;
        }
        sink.report(
            lit.file,
            lit.span,
            format!(
                "`redis://` to `{}` sends commands, data and the password unencrypted over the network",
                url.host
            ),
            "use `rediss://` (TLS; redis-rs features `tls-rustls` or `tls-native-tls`, fred `enable-rustls` or \
             `enable-native-tls`)"
                .to_string(),
        );
    }
}
