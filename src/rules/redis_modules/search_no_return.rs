//! `mod-search-no-return`: FT.SEARCH without RETURN or NOCONTENT sends whole
//! documents back.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::rules::queries::{index_name, searches};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "mod-search-no-return",
        section: "5.5",
        impact: Impact::High,
        default: Activation::On,
        summary: "FT.SEARCH without RETURN or NOCONTENT sends whole documents back",
        doc: include_str!("../../../rules/mod-search-no-return.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(search_no_return),
    options: None,
    guide_also: &[],
};

fn search_no_return(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for (call, search) in searches(model).filter(|(c, _)| c.is("FT.SEARCH")) {
        if search.returns || search.nocontent || search.count_only || search.opaque {
            continue;
        }
        let index = index_name(call).map_or("the index".to_string(), |i| format!("`{i}`"));
        sink.report(
            call.file,
            call.span,
            format!(
                "FT.SEARCH on {index} has no RETURN or NOCONTENT: every matching document comes back whole, \
                 all fields over the network and parsed by the client"
            ),
            "name the fields the caller shows with `RETURN n field…`, or use NOCONTENT when only ids \
             are needed"
                .to_string(),
        );
    }
}
