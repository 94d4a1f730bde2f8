//! `cmd-inline-eval`: EVAL with the script text inline instead of a cached
//! Script (EVALSHA).

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::Api;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "cmd-inline-eval",
        section: "4.5",
        impact: Impact::Medium,
        default: Activation::On,
        summary: "EVAL with the script text inline instead of a cached Script (EVALSHA)",
        doc: include_str!("../../../rules/cmd-inline-eval.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(inline_eval),
    options: None,
    guide_also: &[],
};

fn inline_eval(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for call in model.calls.iter().filter(|c| c.is("EVAL")) {
        let mut message = "EVAL sends and compiles the whole script on every call".to_string();
        if call.opts.formatted_script {
            message.push_str(
                ", and this script is built with format!: every distinct text fills the script cache, and \
                 values spliced into Lua can change what it does",
            );
        }
        let help = match call.api {
            Api::RedisRs => {
                "use `redis::Script::new(LUA)` with `.key(..)` / `.arg(..)`: it calls EVALSHA and \
                             loads the script only when the server does not have it"
            }
            Api::Fred => {
                "load the script once and call `evalsha` (fred's `Script` type does this), passing \
                          values as keys and arguments"
            }
        };
        sink.report(call.file, call.span, message, help.to_string());
    }
}
