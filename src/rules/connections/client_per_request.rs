//! `conn-client-per-request`: a client, connection or pool created per request,
//! per loop iteration or per call.

use std::collections::BTreeMap;

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::Creation;
use crate::rules::queries::{made, takes_request_input};
use crate::rules::{GroupKey, SiteRole, Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-client-per-request",
        section: "3.4",
        impact: Impact::Critical,
        default: Activation::On,
        summary: "a client, connection or pool created per request, per loop iteration or per call",
        doc: include_str!("../../../rules/conn-client-per-request.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(client_per_request),
    options: None,
    guide_also: &[],
};

fn client_per_request(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    let mut by_fn: BTreeMap<u32, Vec<&Creation>> = BTreeMap::new();
    for c in &model.creations {
        by_fn.entry(c.func).or_default().push(c);
    }
    for (func, creations) in by_fn {
        let info = model.func(func);
        if info.is_main || info.is_setup {
            continue;
        }
        let first = creations[0];
        let calls_in_fn = || model.calls.iter().filter(move |c| c.func == func);
        let (site, why) = if let Some(c) = creations.iter().find(|c| c.in_loop) {
            (*c, "on every iteration of a loop".to_string())
        } else if info.is_handler {
            (
                first,
                format!(
                    "in request handler `{}`, so every request pays for it",
                    info.name
                ),
            )
        } else if takes_request_input(&info.params)
            && calls_in_fn().next().is_some()
            && calls_in_fn().all(|c| c.in_loop.is_none())
        {
            (
                first,
                format!(
                    "each time `{}` runs, only to issue a few commands",
                    info.name
                ),
            )
        } else {
            continue;
        };
        sink.report_in(
            GroupKey::connection(site),
            SiteRole::Origin,
            site.file,
            site.span,
            format!(
                "`{}` opens a new {} {why}: a TCP (and TLS/AUTH) handshake per use adds latency and can exhaust \
                 the server's connection limit",
                site.what,
                made(site)
            ),
            "create the client or pool once at startup and share it (app state, a struct field, a `OnceLock`); \
             `MultiplexedConnection`, `ConnectionManager` and fred clients are cheap to clone"
                .to_string(),
        );
    }
}
