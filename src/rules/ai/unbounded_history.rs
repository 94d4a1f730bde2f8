//! `ai-unbounded-history`: chat history appended to a list that is never
//! trimmed to a window.

use std::collections::HashSet;

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::key::Key;
use crate::rules::queries::is_history_push;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ai-unbounded-history",
        section: "6.2",
        impact: Impact::High,
        default: Activation::On,
        summary: "chat history appended to a list that is never trimmed to a window",
        doc: include_str!("../../../rules/ai-unbounded-history.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(unbounded_history),
    options: None,
    guide_also: &[],
};

fn unbounded_history(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    // A list stays a window when something trims or pops it; a string
    // stays bounded when it is rewritten.
    let bounded = |commands: &[&str]| -> HashSet<String> {
        model
            .calls
            .iter()
            .filter(|c| commands.contains(&c.command.as_str()))
            .flat_map(|c| c.keys.iter().map(Key::shape))
            .collect()
    };
    let lists = bounded(&["LTRIM", "LPOP", "RPOP", "LMPOP", "EVAL", "EVALSHA", "FCALL"]);
    let strings = bounded(&["SET", "SETEX", "GETDEL", "GETSET"]);
    let mut reported = HashSet::new();
    for call in &model.calls {
        let Some(key) = call.keys.first() else {
            continue;
        };
        if !is_history_push(&call.command, key) {
            continue;
        }
        let shape = key.shape();
        let trimmed = if call.is("APPEND") { &strings } else { &lists };
        if trimmed.contains(&shape) || !reported.insert((call.func, shape)) {
            continue;
        }
        let fix = if call.is("APPEND") {
            "keep messages in a list (RPUSH) and trim it to the last N with LTRIM"
        } else {
            "trim it to a sliding window right after the push: `LTRIM key -N -1` in the same pipeline \
             (keep a summary of older turns if the model needs them)"
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} appends to the chat history `{key}`, and nothing in the crate trims it: every turn makes \
                 the history longer, so memory grows and each prompt built from it gets slower and costlier",
                call.command
            ),
            fix.to_string(),
        );
    }
}
