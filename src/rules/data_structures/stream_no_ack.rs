//! `ds-stream-no-ack`: a stream read with a consumer group that the crate never
//! acknowledges (XACK).

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::key::Key;
use crate::rules::queries::touched_by;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ds-stream-no-ack",
        section: "1.6",
        impact: Impact::High,
        default: Activation::On,
        summary: "a stream read with a consumer group that the crate never acknowledges (XACK)",
        doc: include_str!("../../../rules/ds-stream-no-ack.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(stream_no_ack),
    options: None,
    guide_also: &[],
};

fn stream_no_ack(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    let acked = touched_by(model, &["XACK"], true);
    for call in model
        .calls
        .iter()
        .filter(|c| c.is("XREADGROUP") && !c.opts.noack)
    {
        let unacked: Vec<&Key> = call
            .keys
            .iter()
            .filter(|k| matches!(k, Key::Template(_)) && !acked.contains(k))
            .collect();
        if unacked.is_empty()
            || unacked.len()
                < call
                    .keys
                    .iter()
                    .filter(|k| matches!(k, Key::Template(_)))
                    .count()
        {
            continue;
        }
        let names = unacked
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        sink.report(
            call.file,
            call.span,
            format!(
                "XREADGROUP on {names}, but nothing in the crate acknowledges those entries (XACK): the pending \
                 entries list grows without bound and a crashed consumer's entries are never retried"
            ),
            "XACK each entry after processing it (or read with NOACK if at-most-once delivery is acceptable)"
                .to_string(),
        );
    }
}
