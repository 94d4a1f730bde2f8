//! `ds-stream-unbounded`: XADD with no MAXLEN/MINID on a stream the crate never
//! trims.

use std::collections::HashSet;

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::key::Key;
use crate::rules::queries::touched_by;
use crate::rules::{GroupKey, Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ds-stream-unbounded",
        section: "1.6",
        impact: Impact::High,
        default: Activation::On,
        summary: "XADD with no MAXLEN/MINID on a stream the crate never trims",
        doc: include_str!("../../../rules/ds-stream-unbounded.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(stream_unbounded),
    options: None,
    guide_also: &["2.1"],
};

fn stream_unbounded(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    let trimmed = touched_by(model, &["XTRIM"], true);
    let mut reported = HashSet::new();
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("XADD") && !c.opts.trimmed)
    {
        let Some(key @ Key::Template(_)) = call.keys.first() else {
            continue;
        };
        if trimmed.contains(key) || !reported.insert((call.func, key.shape())) {
            continue;
        }
        sink.report_on_key(
            GroupKey::template(key),
            call,
            format!("XADD to `{key}` never trims the stream: it keeps every entry ever added, until memory runs out"),
            "cap it as you add: XADD key MAXLEN ~ N (redis-rs `xadd_maxlen`, fred `xadd` with a cap), or XTRIM \
             periodically"
                .to_string(),
        );
    }
}
