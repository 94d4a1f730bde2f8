//! `conn-never-connected`: a fred client or pool built, but never connected
//! anywhere in the crate.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::{ConnKind, Lib};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-never-connected",
        section: "3.1",
        impact: Impact::High,
        default: Activation::On,
        summary: "a fred client or pool that is built but never connected (`init`/`connect`): its commands wait forever",
        doc: include_str!("../../../rules/conn-never-connected.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(never_connected),
    options: None,
    guide_also: &[],
};

fn never_connected(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    // Conservative: any `init()`/`connect()` in the crate may be the one
    // that connects this client (through a helper, a field, a clone).
    if model.fns.iter().any(|f| f.connects_client) {
        return;
    }
    let fred_clients = model.creations.iter().filter(|c| {
        c.lib == Lib::Fred
            && matches!(
                c.makes,
                ConnKind::FredClient | ConnKind::FredPool | ConnKind::FredSubscriber
            )
    });
    for made in fred_clients {
        sink.report(
            made.file,
            made.span,
            format!(
                "the {} made by `{}` is never connected: nothing in this crate calls `init()` \
                 or `connect()`, so its commands queue and wait for a connection that never opens",
                made.makes.describe(),
                made.what
            ),
            "call `.init().await?` on it once after building it, before the first command \
             (it connects and waits until the first connection is ready)"
                .to_string(),
        );
    }
}
