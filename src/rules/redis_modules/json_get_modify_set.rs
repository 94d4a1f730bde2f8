//! `mod-json-get-modify-set`: JSON.GET then JSON.SET of the same document
//! instead of an atomic path update.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::redis_modules;
use crate::rules::queries::write_back;
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "mod-json-get-modify-set",
        section: "5.2",
        impact: Impact::High,
        default: Activation::On,
        summary: "JSON.GET then JSON.SET of the same document instead of an atomic path update",
        doc: include_str!("../../../rules/mod-json-get-modify-set.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(json_get_modify_set),
    options: None,
    guide_also: &[],
};

fn json_get_modify_set(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for get in model
        .calls
        .iter()
        .filter(|c| c.is("JSON.GET") && !c.in_transaction)
    {
        let Some(set) = write_back(model, get) else {
            continue;
        };
        let key = &get.keys[0];
        let path =
            redis_modules::json_path("JSON.SET", &set.module_args).unwrap_or_else(|| "…".into());
        sink.report(
            get.file,
            get.span,
            format!(
                "JSON.GET reads `{key}` and the JSON.SET on line {} writes it back (path `{path}`): the \
                 document crosses the network twice and a concurrent writer's change in between is lost",
                set.span.start.line
            ),
            "update the value in place on the server: JSON.NUMINCRBY / JSON.ARRAPPEND / JSON.STRAPPEND, \
             or JSON.SET on the sub-path that changes"
                .to_string(),
        );
    }
}
