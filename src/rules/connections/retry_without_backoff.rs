//! `conn-retry-without-backoff`: a loop that retries a failed Redis call or
//! connection at once, with no delay.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::LoopKind;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-retry-without-backoff",
        section: "3.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "a loop that retries a failed Redis call or connection at once, with no delay",
        doc: include_str!("../../../rules/conn-retry-without-backoff.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(retry_without_backoff),
    options: None,
    guide_also: &[],
};

fn retry_without_backoff(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    let mut reported = std::collections::HashSet::new();
    for (file, retry) in &model.flow.retries {
        let Some(l) = model.flow.loop_fact(*file, retry.loop_id) else {
            continue;
        };
        // A counted `for` retries only when success leaves it; a `for` over
        // items handles each item's error and moves on.
        let retrying = match l.kind {
            LoopKind::Loop => true,
            LoopKind::While => !l.per_item,
            LoopKind::For => l.counted && retry.ok_exits,
            LoopKind::IterClosure => false,
        };
        if !retrying || l.sleeps || !reported.insert((*file, retry.loop_id)) {
            continue;
        }
        let (what, span) = if let Some(call) = model.call_at(*file, retry.seq) {
            (call.command.clone(), call.span)
        } else if let Some(c) = model
            .creations
            .iter()
            .find(|c| c.file == *file && c.seq == retry.seq)
        {
            (format!("`{}`", c.what), c.span)
        } else {
            continue;
        };
        sink.report(
            *file,
            span,
            format!(
                "when {what} fails, this loop tries again at once: while Redis is down or failing over it \
                 spins, floods the logs and hammers the server the moment it comes back"
            ),
            "wait before each retry, doubling the delay up to a cap and adding jitter (`tokio::time::sleep`, \
             the `backoff` crate), and give up after a bound; ConnectionManager and fred's ReconnectPolicy \
             already reconnect this way"
                .to_string(),
        );
    }
}
