//! `ai-exact-match-llm-cache`: an LLM response cache looked up by the exact
//! prompt text.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::key::{Key, Part};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ai-exact-match-llm-cache",
        section: "6.4",
        impact: Impact::High,
        default: Activation::OptIn,
        summary: "an LLM response cache looked up by the exact prompt text",
        doc: include_str!("../../../rules/ai-exact-match-llm-cache.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(exact_match_llm_cache),
    options: None,
    guide_also: &[],
};

/// Words that name what a user asked the model, in a variable name
/// (`prompt`, `user_prompt`, `question.text`). `query` is left out: search
/// result caches are keyed by queries too.
const PROMPT_WORDS: [&str; 2] = ["prompt", "question"];

fn names_prompt(expr: &str) -> bool {
    expr.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| PROMPT_WORDS.contains(&w.to_ascii_lowercase().as_str()))
}

/// The expression a key takes from a prompt-like variable: a hole of its
/// template, or the whole key (`con.exists(user_prompt)`).
fn prompt_hole(key: &Key) -> Option<&str> {
    match key {
        Key::Template(parts) => parts.iter().find_map(|p| match p {
            Part::Hole(h) => names_prompt(h).then_some(h.as_str()),
            Part::Lit(_) => None,
        }),
        Key::Opaque(text) => names_prompt(text).then_some(text.as_str()),
    }
}

fn exact_match_llm_cache(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in model.calls.iter().filter(|c| c.is("GET") || c.is("EXISTS")) {
        let Some(key) = call.keys.first() else {
            continue;
        };
        let Some(hole) = prompt_hole(key) else {
            continue;
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} looks up `{key}` by the exact prompt (`{hole}`): a rephrased question (\"What's the \
                 capital of France?\" vs \"capital of France?\") misses the cache and pays for another LLM call",
                call.command
            ),
            "use a semantic cache: store the prompt's embedding with the response in a vector index and \
             return a cached answer when a KNN match is within a distance threshold"
                .to_string(),
        );
    }
}
