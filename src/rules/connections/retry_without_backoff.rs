//! `conn-retry-without-backoff`: a loop that retries a failed Redis call or
//! connection at once, with no delay.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::flow::{AttemptVia, ErrorPath, RetryFact};
use crate::model::{CrateModel, FileId, LoopKind, Span};
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
        // The error's own branch decides when it has one: a sleep only
        // for I/O errors leaves every other error retried at once.
        let waits = match retry.error_path {
            ErrorPath::Waits => true,
            ErrorPath::WaitsSometimes => l.always_waits,
            ErrorPath::NeverWaits | ErrorPath::RestOfLoop => l.sleeps,
        };
        if !retrying || waits {
            continue;
        }
        let Some((what, span)) = attempted(model, *file, retry) else {
            continue;
        };
        if !reported.insert((*file, retry.loop_id)) {
            continue;
        }
        let partly = retry.error_path == ErrorPath::WaitsSometimes;
        let message = if partly {
            format!(
                "when {what} fails, this loop waits only on some errors and tries again at once on the others: \
                 an error that keeps coming back (a wrong type, a refused permission, a reply that does not \
                 decode) spins the loop, floods the logs and hammers the server"
            )
        } else {
            format!(
                "when {what} fails, this loop tries again at once: while Redis is down or failing over it \
                 spins, floods the logs and hammers the server the moment it comes back"
            )
        };
        sink.report(
            *file,
            span,
            message,
            "wait before each retry, doubling the delay up to a cap and adding jitter (`tokio::time::sleep`, \
             the `backoff` crate), and give up after a bound; ConnectionManager and fred's ReconnectPolicy \
             already reconnect this way"
                .to_string(),
        );
    }
}

/// What the loop retries, as a message names it, and where.
fn attempted(model: &CrateModel, file: FileId, retry: &RetryFact) -> Option<(String, Span)> {
    match &retry.via {
        AttemptVia::Direct => {
            if let Some(call) = model.call_at(file, retry.seq) {
                return Some((call.command.clone(), call.span));
            }
            let c = model
                .creations
                .iter()
                .find(|c| c.file == file && c.seq == retry.seq)?;
            Some((format!("`{}`", c.what), c.span))
        }
        AttemptVia::Helper { span, name } => {
            // The commands the helper's summary puts at its call; else a
            // command written in the one fn of the crate with that name
            // (a blocking pop is not copied to callers, yet fails alike).
            if let Some(call) = model
                .calls
                .iter()
                .find(|c| c.file == file && c.span == *span && c.through.is_some())
            {
                return Some((call.command_named(), call.span));
            }
            let mut named = model.fns.iter().enumerate().filter(|(_, f)| f.name == *name);
            let (id, _) = named.next()?;
            if named.next().is_some() {
                return None;
            }
            let sent = model
                .calls
                .iter()
                .find(|c| c.func as usize == id && c.through.is_none())?;
            Some((format!("{} (sent by `{name}`)", sent.command), *span))
        }
    }
}
