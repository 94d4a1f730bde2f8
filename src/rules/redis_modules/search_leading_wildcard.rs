//! `mod-search-leading-wildcard`: a RediSearch query with a leading wildcard
//! (`*phone`) that scans the whole term dictionary.

use crate::diagnostic::{Activation, Fixable, Impact, InExamples, RuleMeta};
use crate::model::redis_modules;
use crate::rules::queries::{index_name, indexes, searches};
use crate::rules::{Check, Rule, RuleContext, Sink};

pub static RULE: Rule = Rule {
    meta: RuleMeta {
        id: "mod-search-leading-wildcard",
        section: "5.5",
        impact: Impact::High,
        default: Activation::On,
        summary:
            "a RediSearch query with a leading wildcard (`*phone`) that scans the whole term dictionary",
        doc: include_str!("../../../rules/mod-search-leading-wildcard.md"),
        hides_source: false,
        examples: InExamples::Quiet,
        fixable: Fixable::No,
    },
    check: Check::Code(search_leading_wildcard),
    options: None,
    guide_also: &[],
};

fn search_leading_wildcard(ctx: &RuleContext, sink: &mut Sink) {
    let model = ctx.model;
    let defs = indexes(model);
    for (call, search) in searches(model) {
        let Some(query) = search.query.as_deref() else {
            continue;
        };
        let facts = redis_modules::parse_query(query);
        // A field declared WITHSUFFIXTRIE answers suffix queries from a trie.
        let suffix_trie = |field: &Option<String>| {
            let (Some(index), Some(field)) = (index_name(call), field) else {
                return false;
            };
            defs.get(index).is_some_and(|created| {
                created
                    .iter()
                    .all(|(def, _)| def.field(field).is_some_and(|f| f.suffix_trie))
            })
        };
        let Some((field, term)) = facts
            .leading_wildcards
            .iter()
            .find(|(f, _)| !suffix_trie(f))
        else {
            continue;
        };
        let term = term.replace(redis_modules::HOLE, "{}");
        let on = field
            .as_ref()
            .map_or(String::new(), |f| format!(" on `@{f}`"));
        sink.report(
            call.file,
            call.span,
            format!(
                "the query term `{term}`{on} starts with a wildcard: RediSearch walks the whole term \
                 dictionary of the index for every such query"
            ),
            "search by prefix (`phone*`) or exact terms; if suffix search is a product feature, declare \
             the field WITHSUFFIXTRIE"
                .to_string(),
        );
    }
}
