//! `conn-swallowed-error`: a Redis command whose error is thrown away.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::Swallow;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "conn-swallowed-error",
        section: "3.3",
        impact: Impact::High,
        default: Activation::On,
        summary: "a Redis command whose error is thrown away",
        doc: include_str!("../../../rules/conn-swallowed-error.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(swallowed_error),
    options: None,
    guide_also: &[],
};

fn swallowed_error(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    // Queued pipeline commands return the pipeline, not a reply.
    for call in model.calls.iter().filter(|c| c.pipe.is_none()) {
        let Some(how) = call.swallowed else { continue };
        let how = match how {
            Swallow::LetUnderscore => "`let _ =` drops its result",
            Swallow::OkStatement => "`.ok();` drops its result",
            Swallow::UnwrapOrDefault => {
                "`.unwrap_or_default()` turns its error into an empty value"
            }
            Swallow::UnwrapOr => "`.unwrap_or(..)` turns its error into the fallback value",
            Swallow::IfLetOkNoElse => "`if let Ok(..)` with no `else` skips its error unseen",
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} fails silently: {how}, so timeouts, lost connections and cluster redirections go unnoticed",
                call.command
            ),
            "propagate the error with `?`, or handle it: log it, count it, retry with backoff".to_string(),
        );
    }
}
