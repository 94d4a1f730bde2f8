//! `ai-knn-without-dialect`: a KNN vector query sent without DIALECT 2 or
//! higher.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::redis_modules;
use crate::rules::queries::{index_name, searches};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "ai-knn-without-dialect",
        section: "6.1",
        impact: Impact::High,
        default: Activation::On,
        summary: "a KNN vector query sent without DIALECT 2 or higher",
        doc: include_str!("../../../rules/ai-knn-without-dialect.md"),
        hides_source: false,
        examples: InExamples::Reported,
        fixable: Fixable::No,
    },
    check: Check::Code(knn_without_dialect),
    options: None,
    guide_also: &["6.3"],
};

fn knn_without_dialect(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    for (call, search) in searches(model) {
        let Some(query) = search.query.as_deref() else {
            continue;
        };
        let dialect_ok = match search.dialect {
            Some(Some(n)) => n >= 2,
            // Given, but not as a literal: trust it.
            Some(None) => true,
            None => search.opaque,
        };
        if dialect_ok || !redis_modules::parse_query(query).knn {
            continue;
        }
        let index = index_name(call).map_or("the index".to_string(), |i| format!("`{i}`"));
        let given = match search.dialect {
            Some(Some(n)) => format!("DIALECT {n}"),
            _ => "no DIALECT".to_string(),
        };
        sink.report(
            call.file,
            call.span,
            format!(
                "{} on {index} has a `=>[KNN …]` vector clause with {given}: dialect 1 cannot parse KNN or \
                 `$` parameters, so the query fails with a syntax error (or matches the wrong thing)",
                call.command
            ),
            "add `DIALECT 2` to the command (fred: `dialect: Some(2)` in the options)".to_string(),
        );
    }
}
