//! `conn-no-reconnect`: a fred client built without a ReconnectPolicy never
//! reconnects.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::CreationKind;
use crate::rules::queries::session_owned;
use crate::rules::{Check, GroupKey, Rule, RuleContext, SiteRole, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-no-reconnect",
        section: "3.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "a fred client built without a ReconnectPolicy never reconnects",
        doc: include_str!("../../../rules/conn-no-reconnect.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(no_reconnect),
    options: None,
    guide_also: &[],
};

fn no_reconnect(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for c in &model.creations {
        let no_policy = matches!(
            c.kind,
            CreationKind::FredClient {
                reconnect: false,
                ..
            }
        );
        // A session's own client ends with the session when it drops.
        if no_policy && !session_owned(model, c) {
            sink.report_in(
                GroupKey::connection(c),
                SiteRole::Origin,
                c.file,
                c.span,
                format!(
                    "fred client from `{}` has no reconnect policy: after the first dropped connection every \
                     command fails until the process restarts",
                    c.what
                ),
                "set one: `Builder::...set_policy(ReconnectPolicy::new_exponential(0, 100, 30_000, 2))`, or pass \
                 `Some(policy)` to `Client::new`"
                    .to_string(),
            );
        }
    }
}
